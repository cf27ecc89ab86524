// The official JavaScript client, @kubernetes/client-node 2.x, against a running Kuberoom server (wrangler
// dev): CRUD on pods, configmaps and namespaces, lists with selectors, every patch type with its
// Content-Type, and watches, including resuming after a dropped connection and the 410 after a restart.
// A small recording proxy sits between the client and the server: it shows what the client sent and can cut
// open connections the way a network does.
import { createServer, request as httpRequest, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions, Watch, type V1ConfigMap, type V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { clock, createSandbox, kubeconfig, startServer, type Sandbox, type Server } from '../support/server.ts';

interface Seen {
  method: string;
  path: string;
  contentType: string | undefined;
}

let server: Server;
let sandbox: Sandbox;
let proxy: HttpServer;
let proxyOrigin: string;
const seen: Seen[] = [];
const watchSockets = new Set<Socket>();

function startProxy(target: string): Promise<void> {
  const t = new URL(target);
  proxy = createServer((req: IncomingMessage, res: ServerResponse) => {
    seen.push({ method: req.method!, path: req.url!, contentType: req.headers['content-type'] });
    const isWatch = /[?&]watch=(true|1)\b/.test(req.url ?? '');
    if (isWatch) watchSockets.add(req.socket);
    req.socket.once('close', () => watchSockets.delete(req.socket));
    const up = httpRequest({ host: t.hostname, port: t.port, method: req.method, path: req.url, headers: { ...req.headers, host: t.host } }, (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      // A watch from a resourceVersion may send nothing for a while: its headers must not wait for a body.
      res.flushHeaders();
      upRes.pipe(res);
    });
    up.on('error', () => res.destroy());
    res.on('close', () => up.destroy());
    req.pipe(up);
  });
  return new Promise((resolve) => {
    proxy.listen(0, '127.0.0.1', () => {
      proxyOrigin = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
      resolve();
    });
  });
}

/** A KubeConfig for the sandbox, pointed at the proxy. */
async function kubeConfig(): Promise<KubeConfig> {
  const doc = parse(await kubeconfig(server.origin, sandbox));
  for (const c of doc.clusters) c.cluster.server = String(c.cluster.server).replace(server.origin, proxyOrigin);
  const kc = new KubeConfig();
  kc.loadFromOptions({ clusters: doc.clusters.map((c: any) => ({ name: c.name, server: c.cluster.server, skipTLSVerify: true })), users: doc.users.map((u: any) => ({ name: u.name, token: u.user?.token })), contexts: doc.contexts.map((c: any) => ({ name: c.name, cluster: c.context.cluster, user: c.context.user, namespace: c.context.namespace })), currentContext: doc['current-context'] });
  return kc;
}

let kc: KubeConfig;
let core: CoreV1Api;

const pod = (name: string, labels: Record<string, string> = {}): V1Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels },
  spec: { containers: [{ name: 'main', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }] },
});

/** The HTTP status a failed client call reports (client-node 2.x throws an ApiException with `code` and `body`). */
async function failure(p: Promise<unknown>): Promise<{ code: number; body: any }> {
  try {
    await p;
  } catch (e: any) {
    const body = typeof e.body === 'string' ? JSON.parse(e.body) : e.body;
    return { code: e.code, body };
  }
  throw new Error('the call succeeded');
}

interface Event {
  type: string;
  object: any;
}

/** Starts a watch and collects its events; `ended` resolves with done's argument. */
async function startWatch(path: string, query: Record<string, string | number | boolean | undefined>) {
  const events: Event[] = [];
  let resolveEnded!: (err: unknown) => void;
  const ended = new Promise<unknown>((r) => (resolveEnded = r));
  const abort = await new Watch(kc).watch(path, query, (type, object) => events.push({ type, object }), (err) => resolveEnded(err));
  return { events, ended, abort };
}

async function until<T>(get: () => T | undefined, what: string, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = get();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  server = await startServer();
  sandbox = await createSandbox(server.origin);
  await clock(server.origin, sandbox, { action: 'pause' });
  await startProxy(server.origin);
  kc = await kubeConfig();
  core = kc.makeApiClient(CoreV1Api);
});

afterAll(async () => {
  for (const s of watchSockets) s.destroy();
  await new Promise((r) => proxy?.close(r));
  await server?.stop();
});

describe('CRUD', () => {
  it('pods: create, read, replace, delete', async () => {
    const created = await core.createNamespacedPod({ namespace: 'default', body: pod('crud', { app: 'crud' }) });
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.spec?.containers[0].imagePullPolicy).toBe('IfNotPresent');
    expect(created.status?.phase).toBe('Pending');
    const read = await core.readNamespacedPod({ name: 'crud', namespace: 'default' });
    expect(read.metadata?.uid).toBe(created.metadata?.uid);
    read.metadata!.labels = { ...read.metadata!.labels, edited: 'yes' };
    const replaced = await core.replaceNamespacedPod({ name: 'crud', namespace: 'default', body: read });
    expect(replaced.metadata?.labels).toEqual({ app: 'crud', edited: 'yes' });
    expect(Number(replaced.metadata?.resourceVersion)).toBeGreaterThan(Number(created.metadata?.resourceVersion));
    // A replace from the old version is a conflict.
    const stale = await failure(core.replaceNamespacedPod({ name: 'crud', namespace: 'default', body: read }));
    expect(stale.code).toBe(409);
    expect(stale.body).toMatchObject({ kind: 'Status', reason: 'Conflict' });
    expect(stale.body.message).toBe('Operation cannot be fulfilled on pods "crud": the object has been modified; please apply your changes to the latest version and try again');
    const deleted = await core.deleteNamespacedPod({ name: 'crud', namespace: 'default', gracePeriodSeconds: 0 });
    expect(deleted.metadata?.name).toBe('crud');
    const gone = await failure(core.readNamespacedPod({ name: 'crud', namespace: 'default' }));
    expect(gone.code).toBe(404);
    expect(gone.body.message).toBe('pods "crud" not found');
  });

  it('configmaps: create, read, replace, delete, and the AlreadyExists Status', async () => {
    const cm: V1ConfigMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { color: 'blue' } };
    await core.createNamespacedConfigMap({ namespace: 'default', body: cm });
    const dup = await failure(core.createNamespacedConfigMap({ namespace: 'default', body: cm }));
    expect(dup.code).toBe(409);
    expect(dup.body).toMatchObject({ reason: 'AlreadyExists', details: { name: 'settings', kind: 'configmaps' } });
    const read = await core.readNamespacedConfigMap({ name: 'settings', namespace: 'default' });
    expect(read.data).toEqual({ color: 'blue' });
    read.data = { color: 'red' };
    expect((await core.replaceNamespacedConfigMap({ name: 'settings', namespace: 'default', body: read })).data).toEqual({ color: 'red' });
    const status = await core.deleteNamespacedConfigMap({ name: 'settings', namespace: 'default' });
    expect(status).toMatchObject({ kind: 'Status', status: 'Success', details: { name: 'settings', kind: 'configmaps' } });
  });

  it('namespaces: create, list, delete (answered Terminating, gone once emptied)', async () => {
    const ns = await core.createNamespace({ body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } } });
    expect(ns.status?.phase).toBe('Active');
    expect(ns.spec?.finalizers).toEqual(['kubernetes']);
    await core.createNamespacedConfigMap({ namespace: 'team-a', body: { metadata: { name: 'inside' }, data: { a: '1' } } });
    const names = (await core.listNamespace()).items.map((n) => n.metadata?.name);
    expect(names).toEqual(expect.arrayContaining(['default', 'kube-system', 'team-a']));
    // The namespace is answered as it now is: Terminating, until the namespace controller has emptied it.
    const deleting = (await core.deleteNamespace({ name: 'team-a' })) as any;
    expect(deleting.kind).toBe('Namespace');
    expect(deleting.status?.phase).toBe('Terminating');
    await clock(server.origin, sandbox, { action: 'step', seconds: 10 });
    const gone = await failure(core.readNamespace({ name: 'team-a' }));
    expect(gone.code).toBe(404);
    const inside = await failure(core.readNamespacedConfigMap({ name: 'inside', namespace: 'team-a' }));
    expect(inside.code).toBe(404);
  });

  it('an invalid object: 422 with the causes', async () => {
    const bad = await failure(core.createNamespacedPod({ namespace: 'default', body: { metadata: { name: 'Bad_Name' }, spec: { containers: [] } } as V1Pod }));
    expect(bad.code).toBe(422);
    expect(bad.body.reason).toBe('Invalid');
    expect(bad.body.details.causes.map((c: { field: string }) => c.field)).toEqual(expect.arrayContaining(['metadata.name', 'spec.containers']));
  });
});

describe('lists', () => {
  beforeAll(async () => {
    for (const [name, tier] of [
      ['l-web-1', 'web'],
      ['l-web-2', 'web'],
      ['l-db', 'db'],
    ]) {
      await core.createNamespacedPod({ namespace: 'default', body: pod(name, { group: 'lists', tier }) });
    }
  });

  it('by label selector (equality and set-based)', async () => {
    const web = await core.listNamespacedPod({ namespace: 'default', labelSelector: 'group=lists,tier=web' });
    expect(web.items.map((p) => p.metadata?.name)).toEqual(['l-web-1', 'l-web-2']);
    const notWeb = await core.listNamespacedPod({ namespace: 'default', labelSelector: 'group=lists,tier notin (web)' });
    expect(notWeb.items.map((p) => p.metadata?.name)).toEqual(['l-db']);
    expect(seen.some((s) => s.path.includes('labelSelector=group%3Dlists%2Ctier%3Dweb'))).toBe(true);
  });

  it('by field selector', async () => {
    const one = await core.listNamespacedPod({ namespace: 'default', fieldSelector: 'metadata.name=l-db' });
    expect(one.items.map((p) => p.metadata?.name)).toEqual(['l-db']);
    const pending = await core.listPodForAllNamespaces({ fieldSelector: 'status.phase=Pending', labelSelector: 'group=lists' });
    expect(pending.items).toHaveLength(3);
    const bad = await failure(core.listNamespacedPod({ namespace: 'default', fieldSelector: 'spec.color=red' }));
    expect(bad.code).toBe(400);
    expect(bad.body.message).toBe('field label not supported: spec.color');
  });

  it('in pages with limit and continue', async () => {
    const first = await core.listNamespacedPod({ namespace: 'default', labelSelector: 'group=lists', limit: 2 });
    expect(first.items.map((p) => p.metadata?.name)).toEqual(['l-db', 'l-web-1']);
    expect(first.metadata?._continue).toBeTruthy();
    const second = await core.listNamespacedPod({ namespace: 'default', labelSelector: 'group=lists', limit: 2, _continue: first.metadata?._continue });
    expect(second.items.map((p) => p.metadata?.name)).toEqual(['l-web-2']);
    expect(second.metadata?._continue).toBeFalsy();
  });
});

describe('patches, each with its Content-Type', () => {
  beforeAll(async () => {
    await core.createNamespacedPod({ namespace: 'default', body: pod('patchme', { app: 'patchme' }) });
  });

  const lastPatch = () => seen.filter((s) => s.method === 'PATCH').at(-1)!;

  it('JSON patch', async () => {
    const out = await core.patchNamespacedPod({ name: 'patchme', namespace: 'default', body: [{ op: 'add', path: '/metadata/labels/json', value: 'yes' }] }, setHeaderOptions('Content-Type', PatchStrategy.JsonPatch));
    expect(out.metadata?.labels).toEqual({ app: 'patchme', json: 'yes' });
    expect(lastPatch().contentType).toBe('application/json-patch+json');
  });

  it('JSON merge patch', async () => {
    const out = await core.patchNamespacedPod({ name: 'patchme', namespace: 'default', body: { metadata: { labels: { json: null, merge: 'yes' } } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    expect(out.metadata?.labels).toEqual({ app: 'patchme', merge: 'yes' });
    expect(lastPatch().contentType).toBe('application/merge-patch+json');
  });

  it('strategic merge patch merges containers by name', async () => {
    const out = await core.patchNamespacedPod(
      { name: 'patchme', namespace: 'default', body: { spec: { containers: [{ name: 'main', image: 'nginx:1.28' }] } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    expect(out.spec?.containers).toHaveLength(1);
    expect(out.spec?.containers[0]).toMatchObject({ name: 'main', image: 'nginx:1.28', ports: [{ containerPort: 80 }] });
    expect(lastPatch().contentType).toBe('application/strategic-merge-patch+json');
  });

  it('server-side apply, with managed fields and a conflict', async () => {
    const body = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'applied' }, data: { color: 'blue' } };
    const created = await core.patchNamespacedConfigMap({ name: 'applied', namespace: 'default', body, fieldManager: 'tool-a' }, setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply));
    expect(created.data).toEqual({ color: 'blue' });
    expect(created.metadata?.managedFields?.map((m) => [m.manager, m.operation])).toEqual([['tool-a', 'Apply']]);
    expect(lastPatch().contentType).toBe('application/apply-patch+yaml');
    const conflict = await failure(
      core.patchNamespacedConfigMap({ name: 'applied', namespace: 'default', body: { ...body, data: { color: 'red' } }, fieldManager: 'tool-b' }, setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply)),
    );
    expect(conflict.code).toBe(409);
    expect(conflict.body.reason).toBe('Conflict');
    expect(conflict.body.message).toBe('Apply failed with 1 conflict: conflict with "tool-a": .data.color');
    const forced = await core.patchNamespacedConfigMap(
      { name: 'applied', namespace: 'default', body: { ...body, data: { color: 'red' } }, fieldManager: 'tool-b', force: true },
      setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
    );
    expect(forced.data).toEqual({ color: 'red' });
    expect(forced.metadata?.managedFields?.map((m) => m.manager)).toEqual(['tool-b']);
  });

  it('a patch with the wrong Content-Type is a 415', async () => {
    const bad = await failure(core.patchNamespacedPod({ name: 'patchme', namespace: 'default', body: {} }, setHeaderOptions('Content-Type', 'text/plain')));
    expect(bad.code).toBe(415);
    expect(bad.body.reason).toBe('UnsupportedMediaType');
  });
});

describe('watch', () => {
  it('delivers ADDED, MODIFIED and DELETED from a resourceVersion', async () => {
    const list = await core.listNamespacedConfigMap({ namespace: 'default' });
    const w = await startWatch('/api/v1/namespaces/default/configmaps', { resourceVersion: list.metadata?.resourceVersion, allowWatchBookmarks: true });
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'watched' }, data: { v: '1' } } });
    await core.patchNamespacedConfigMap({ name: 'watched', namespace: 'default', body: { data: { v: '2' } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    await core.deleteNamespacedConfigMap({ name: 'watched', namespace: 'default' });
    await until(() => w.events.some((e) => e.type === 'DELETED'), 'DELETED');
    const mine = w.events.filter((e) => e.object?.metadata?.name === 'watched');
    expect(mine.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
    expect(mine.map((e) => e.object.data?.v)).toEqual(['1', '2', '2']);
    w.abort.abort();
  });

  it('resumes after a dropped connection from the last resourceVersion, missing nothing', async () => {
    const list = await core.listNamespacedConfigMap({ namespace: 'default' });
    const first = await startWatch('/api/v1/namespaces/default/configmaps', { resourceVersion: list.metadata?.resourceVersion, labelSelector: 'resume=yes' });
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'r1', labels: { resume: 'yes' } } } });
    await until(() => first.events.length === 1, 'r1 ADDED');
    const lastRV = first.events.at(-1)!.object.metadata.resourceVersion;
    // The network drops the connection.
    await until(() => watchSockets.size > 0, 'an open watch');
    for (const s of watchSockets) s.destroy();
    await first.ended;
    // Changes made while nobody watches.
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'r2', labels: { resume: 'yes' } } } });
    await core.deleteNamespacedConfigMap({ name: 'r1', namespace: 'default' });
    const second = await startWatch('/api/v1/namespaces/default/configmaps', { resourceVersion: lastRV, labelSelector: 'resume=yes' });
    await until(() => second.events.length >= 2, 'the missed events');
    expect(second.events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['ADDED r2', 'DELETED r1']);
    second.abort.abort();
  });

  it('a watch from a version the server no longer has gets 410 Expired; relisting recovers', async () => {
    const list = await core.listNamespacedConfigMap({ namespace: 'default' });
    const oldRV = list.metadata!.resourceVersion!;
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'before-restart' } } });
    // The watch history lives in memory: after a restart every older version is gone, as after a compaction.
    await server.stop({ removePersistDir: false });
    server = await startServer({ persistTo: server.persistTo, port: server.port });
    const w = await startWatch('/api/v1/namespaces/default/configmaps', { resourceVersion: oldRV });
    // The server answers 200, sends one ERROR event carrying the 410 Status, and ends the stream.
    const ended = await w.ended;
    expect(ended).toBeNull();
    expect(w.events.map((e) => e.type)).toEqual(['ERROR']);
    const status = w.events[0]!.object;
    expect(status).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 410, reason: 'Expired' });
    expect(status.message).toMatch(/^too old resource version: \d+ \(\d+\)$/);
    w.abort.abort();
    // What an informer does: list again and watch from the list's version.
    const relist = await core.listNamespacedConfigMap({ namespace: 'default' });
    expect(relist.items.map((c) => c.metadata?.name)).toContain('before-restart');
    const again = await startWatch('/api/v1/namespaces/default/configmaps', { resourceVersion: relist.metadata?.resourceVersion });
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'after-restart' } } });
    await until(() => again.events.find((e) => e.object?.metadata?.name === 'after-restart'), 'after-restart ADDED');
    expect(again.events.map((e) => e.type)).toEqual(['ADDED']);
    again.abort.abort();
  });
});
