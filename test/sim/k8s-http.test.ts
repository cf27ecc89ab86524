import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { restoreCluster } from '../../sim/bootstrap.ts';
import { Cluster } from '../../sim/cluster.ts';
import { handleKubernetesRequest, type K8sContext } from '../../worker/k8s/handler.ts';
import { newCluster } from './helpers.ts';

const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
const DISCOVERY = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';
const SMP = 'application/strategic-merge-patch+json';

interface CallOptions {
  body?: unknown;
  contentType?: string;
  accept?: string;
  headers?: Record<string, string>;
}

interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

function setup(role: 'owner' | 'edit' | 'view' = 'owner', cluster: Cluster = newCluster('http')) {
  const counts = { commits: 0, opened: 0, closed: 0 };
  const ctx: K8sContext = {
    cluster,
    user: { name: 'alice', role },
    commit: async () => {
      counts.commits++;
      cluster.settle();
    },
    watchOpened: () => counts.opened++,
    watchClosed: () => counts.closed++,
    logPollMs: 5,
  };
  const request = (method: string, path: string, o: CallOptions = {}) => {
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    if (o.accept) headers.accept = o.accept;
    let body: string | undefined;
    if (o.body !== undefined) {
      body = typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
      headers['content-type'] = o.contentType ?? 'application/json';
    }
    return new Request(`https://k8s.test${path}`, { method, body, headers });
  };
  const raw = (method: string, path: string, o: CallOptions = {}) => handleKubernetesRequest(request(method, path, o), path.split('?')[0], ctx);
  const call = async (method: string, path: string, o: CallOptions = {}): Promise<Reply> => {
    const res = await raw(method, path, o);
    const text = await res.text();
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json };
  };
  return { cluster, ctx, call, raw, counts };
}

const podBody = (name: string, extra: Record<string, unknown> = {}, labels: Record<string, string> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels },
  spec: { containers: [{ name: 'web', image: 'nginx:1.27' }], ...extra },
});

const deploymentBody = (name: string, replicas = 2) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, labels: { app: name } },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: {
        containers: [
          { name: 'web', image: 'nginx:1.26', ports: [{ containerPort: 80 }], env: [{ name: 'A', value: '1' }] },
          { name: 'sidecar', image: 'busybox', command: ['sleep', 'infinity'] },
        ],
      },
    },
  },
});

/** Reads newline-delimited JSON events from a streaming response. */
function eventReader(res: Response) {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let done = false;
  return {
    async next(timeoutMs = 2000): Promise<any | undefined> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const nl = buffer.indexOf('\n');
        if (nl >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          if (line.trim()) return JSON.parse(line);
          continue;
        }
        if (done) return undefined;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no event within ${timeoutMs} ms (buffer: ${buffer})`);
        const r = await Promise.race([reader.read(), new Promise<'timeout'>((res) => setTimeout(() => res('timeout'), left))]);
        if (r === 'timeout') continue;
        if (r.done) done = true;
        else buffer += decoder.decode(r.value, { stream: true });
      }
    },
    async ended(timeoutMs = 2000): Promise<boolean> {
      const deadline = Date.now() + timeoutMs;
      while (!done) {
        const left = deadline - Date.now();
        if (left <= 0) return false;
        const r = await Promise.race([reader.read(), new Promise<'timeout'>((res) => setTimeout(() => res('timeout'), left))]);
        if (r === 'timeout') return false;
        if (r.done) done = true;
        else buffer += decoder.decode(r.value, { stream: true });
      }
      return true;
    },
    cancel: () => reader.cancel(),
  };
}

describe('version, health and unknown paths', () => {
  it('serves /version as Kubernetes 1.32 and ok on the health endpoints', async () => {
    const { call } = setup();
    const v = await call('GET', '/version?timeout=5s');
    expect(v.status).toBe(200);
    expect(v.json).toMatchObject({ major: '1', minor: '32', gitVersion: 'v1.32.0', platform: 'linux/amd64' });
    for (const p of ['/healthz', '/livez', '/readyz']) {
      const h = await call('GET', p);
      expect([h.status, h.text]).toEqual([200, 'ok']);
    }
  });

  it('answers a path outside the API with the plain 404, an unknown resource with a NotFound Status', async () => {
    const { call } = setup();
    const plain = await call('GET', '/foo');
    expect([plain.status, plain.text]).toEqual([404, '404 page not found\n']);
    const r = await call('GET', '/api/v1/namespaces/default/widgets');
    expect(r.status).toBe(404);
    expect(r.json).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the server could not find the requested resource', reason: 'NotFound', details: {}, code: 404 });
    expect((await call('GET', '/api/v1/namespaces/default/nodes')).status).toBe(404);
    expect((await call('GET', '/apis/example.com/v1/widgets')).status).toBe(404);
  });
});

describe('discovery', () => {
  it('answers the aggregated APIGroupDiscoveryList kubectl asks for, with its Content-Type', async () => {
    const { call } = setup();
    const core = await call('GET', '/api', { accept: DISCOVERY });
    expect(core.status).toBe(200);
    expect(core.headers.get('content-type')).toBe('application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
    expect(core.json.kind).toBe('APIGroupDiscoveryList');
    expect(core.json.apiVersion).toBe('apidiscovery.k8s.io/v2');
    const v1 = core.json.items[0].versions[0];
    expect(v1.version).toBe('v1');
    const pods = v1.resources.find((r: any) => r.resource === 'pods');
    expect(pods).toMatchObject({ responseKind: { group: '', version: 'v1', kind: 'Pod' }, scope: 'Namespaced', singularResource: 'pod', shortNames: ['po'], categories: ['all'] });
    expect(pods.verbs).toEqual(['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']);
    expect(pods.subresources.map((s: any) => s.subresource)).toEqual(['binding', 'eviction', 'exec', 'log', 'portforward', 'status']);
    expect(pods.subresources.find((s: any) => s.subresource === 'eviction').responseKind).toEqual({ group: 'policy', version: 'v1', kind: 'Eviction' });
    expect(v1.resources.find((r: any) => r.resource === 'nodes').scope).toBe('Cluster');

    const groups = await call('GET', '/apis', { accept: DISCOVERY });
    const names = groups.json.items.map((g: any) => g.metadata.name);
    expect(names.slice(0, 2)).toEqual(['apps', 'events.k8s.io']);
    const autoscaling = groups.json.items.find((g: any) => g.metadata.name === 'autoscaling');
    expect(autoscaling.versions.map((v: any) => v.version)).toEqual(['v2', 'v1']);
    const apps = groups.json.items.find((g: any) => g.metadata.name === 'apps').versions[0];
    const deploy = apps.resources.find((r: any) => r.resource === 'deployments');
    expect(deploy.shortNames).toEqual(['deploy']);
    expect(deploy.subresources.find((s: any) => s.subresource === 'scale').responseKind).toEqual({ group: 'autoscaling', version: 'v1', kind: 'Scale' });
  });

  it('serves the legacy documents to clients that do not ask for aggregated discovery', async () => {
    const { call } = setup();
    const api = await call('GET', '/api');
    expect(api.json).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
    const apis = await call('GET', '/apis', { accept: 'application/json' });
    expect(apis.json.kind).toBe('APIGroupList');
    expect(apis.json.groups.find((g: any) => g.name === 'apps')).toEqual({ name: 'apps', versions: [{ groupVersion: 'apps/v1', version: 'v1' }], preferredVersion: { groupVersion: 'apps/v1', version: 'v1' } });
    const v1 = await call('GET', '/api/v1');
    expect(v1.json.kind).toBe('APIResourceList');
    expect(v1.json.groupVersion).toBe('v1');
    expect(v1.json.resources.find((r: any) => r.name === 'pods/log')).toEqual({ name: 'pods/log', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'] });
    const group = await call('GET', '/apis/autoscaling');
    expect(group.json).toMatchObject({ kind: 'APIGroup', name: 'autoscaling', preferredVersion: { groupVersion: 'autoscaling/v2', version: 'v2' } });
    const hpaV1 = await call('GET', '/apis/autoscaling/v1');
    expect(hpaV1.json.resources[0]).toMatchObject({ name: 'horizontalpodautoscalers', kind: 'HorizontalPodAutoscaler', shortNames: ['hpa'] });
  });
});

describe('OpenAPI', () => {
  it('has an index whose documents declare fieldValidation on PATCH for each kind', async () => {
    const { call } = setup();
    const index = await call('GET', '/openapi/v3');
    const url = index.json.paths['api/v1'].serverRelativeURL as string;
    expect(url).toMatch(/^\/openapi\/v3\/api\/v1\?hash=[0-9A-F]+$/);
    const doc = await call('GET', url);
    expect(doc.json.openapi).toBe('3.0.0');
    const op = doc.json.paths['/api/v1/namespaces/{namespace}/pods/{name}'].patch;
    expect(op['x-kubernetes-group-version-kind']).toEqual({ group: '', kind: 'Pod', version: 'v1' });
    expect(op.parameters.some((p: any) => p.name === 'fieldValidation' && p.in === 'query')).toBe(true);
    expect(Object.keys(op.requestBody.content)).toContain('application/strategic-merge-patch+json');
    const apps = await call('GET', index.json.paths['apis/apps/v1'].serverRelativeURL);
    expect(apps.json.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'].patch['x-kubernetes-group-version-kind'].kind).toBe('Deployment');
    expect((await call('GET', '/openapi/v3/apis/nothing/v1')).status).toBe(404);
  });

  it('serves /openapi/v2 as JSON, and as an (empty, valid) protobuf document when asked', async () => {
    const { call, raw } = setup();
    const json = await call('GET', '/openapi/v2');
    expect(json.json.swagger).toBe('2.0');
    const pb = await raw('GET', '/openapi/v2', { accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' });
    expect(pb.status).toBe(200);
    expect(pb.headers.get('content-type')).toBe('application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
  });
});

describe('create, read, update, delete', () => {
  it('round-trips a pod with the real codes and bodies', async () => {
    const { call, cluster, counts } = setup();
    const created = await call('POST', '/api/v1/namespaces/default/pods?fieldManager=kubectl-client-side-apply&fieldValidation=Strict', { body: podBody('web', {}, { app: 'web' }) });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default', creationTimestamp: '2026-01-01T00:00:00Z' } });
    expect(created.json.metadata.managedFields[0]).toMatchObject({ manager: 'kubectl-client-side-apply', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1' });
    expect(counts.commits).toBe(1);

    const got = await call('GET', '/api/v1/namespaces/default/pods/web');
    expect(got.status).toBe(200);
    expect(got.json.spec.nodeName).toMatch(/^node-/);

    const list = await call('GET', '/api/v1/namespaces/default/pods');
    expect(list.json.kind).toBe('PodList');
    expect(list.json.apiVersion).toBe('v1');
    expect(list.json.metadata.resourceVersion).toBe(String(cluster.store.currentRV()));
    expect(list.json.items.map((p: any) => p.metadata.name)).toEqual(['web']);
    expect(list.json.items[0].kind).toBeUndefined();
    expect(counts.commits).toBe(1);

    const updated = await call('PUT', '/api/v1/namespaces/default/pods/web?fieldManager=kubectl-edit', { body: { ...got.json, metadata: { ...got.json.metadata, labels: { app: 'web', v: '2' } } } });
    expect(updated.status).toBe(200);
    expect(updated.json.metadata.labels).toEqual({ app: 'web', v: '2' });
    expect(Number(updated.json.metadata.resourceVersion)).toBeGreaterThan(Number(got.json.metadata.resourceVersion));
    expect(updated.json.metadata.managedFields.map((m: any) => m.manager)).toEqual(['kubectl-client-side-apply', 'kubectl-edit']);

    // A scheduled pod is deleted gracefully: 200 with the object, now carrying deletionTimestamp.
    const del = await call('DELETE', '/api/v1/namespaces/default/pods/web', { body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' } });
    expect(del.status).toBe(200);
    expect(del.json.kind).toBe('Pod');
    expect(del.json.metadata.deletionTimestamp).toBe('2026-01-01T00:00:30Z');
    expect(del.json.metadata.deletionGracePeriodSeconds).toBe(30);
    cluster.advance(60_000);
    const gone = await call('GET', '/api/v1/namespaces/default/pods/web');
    expect(gone.status).toBe(404);
    expect(gone.json).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'pods "web" not found', reason: 'NotFound', details: { name: 'web', kind: 'pods' }, code: 404 });
  });

  it('deletes most resources with a Status naming them, pods and services with the object', async () => {
    const { call } = setup();
    const cm = await call('POST', '/api/v1/namespaces/default/configmaps', { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { a: '1' } } });
    const del = await call('DELETE', '/api/v1/namespaces/default/configmaps/cfg');
    expect(del.status).toBe(200);
    expect(del.json).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: 'cfg', kind: 'configmaps', uid: cm.json.metadata.uid } });
    await call('POST', '/apis/apps/v1/namespaces/default/deployments', { body: deploymentBody('web') });
    const d = await call('DELETE', '/apis/apps/v1/namespaces/default/deployments/web');
    expect(d.json.details).toMatchObject({ name: 'web', group: 'apps', kind: 'deployments' });
    // A pod no node runs goes at once, and the deleted pod comes back.
    await call('POST', '/api/v1/namespaces/default/pods', { body: podBody('gated', { schedulerName: 'nobody' }) });
    const p = await call('DELETE', '/api/v1/namespaces/default/pods/gated');
    expect(p.status).toBe(200);
    expect(p.json.kind).toBe('Pod');
    expect((await call('GET', '/api/v1/namespaces/default/pods/gated')).status).toBe(404);
  });

  it('refuses duplicates (409 AlreadyExists) and stale writes (409 Conflict)', async () => {
    const { call } = setup();
    await call('POST', '/api/v1/namespaces/default/configmaps', { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' } } });
    const dup = await call('POST', '/api/v1/namespaces/default/configmaps', { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' } } });
    expect(dup.status).toBe(409);
    expect(dup.json).toMatchObject({ reason: 'AlreadyExists', message: 'configmaps "cfg" already exists', code: 409 });
    const cur = await call('GET', '/api/v1/namespaces/default/configmaps/cfg');
    await call('PUT', '/api/v1/namespaces/default/configmaps/cfg', { body: { ...cur.json, data: { a: '1' } } });
    const stale = await call('PUT', '/api/v1/namespaces/default/configmaps/cfg', { body: { ...cur.json, data: { a: '2' } } });
    expect(stale.status).toBe(409);
    expect(stale.json.message).toBe('Operation cannot be fulfilled on configmaps "cfg": the object has been modified; please apply your changes to the latest version and try again');
    expect(stale.json.reason).toBe('Conflict');
  });

  it('answers 422 Invalid with the field causes', async () => {
    const { call } = setup();
    const r = await call('POST', '/api/v1/namespaces/default/pods', { body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'noimage' }, spec: { containers: [{ name: 'c' }] } } });
    expect(r.status).toBe(422);
    expect(r.json.reason).toBe('Invalid');
    expect(r.json.message).toMatch(/Pod "noimage" is invalid: spec.containers\[0\].image: Required value/);
    expect(r.json.details).toMatchObject({ name: 'noimage', kind: 'Pod', causes: [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers[0].image' }] });
  });

  it('creates with generateName and from YAML bodies; dryRun stores nothing and does not commit', async () => {
    const { call, counts } = setup();
    const gen = await call('POST', '/api/v1/namespaces/default/configmaps', { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'cfg-' } } });
    expect(gen.json.metadata.name).toMatch(/^cfg-[a-z0-9]{5}$/);
    const yaml = await call('POST', '/api/v1/namespaces/default/configmaps', { body: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\ndata:\n  k: v\n', contentType: 'application/yaml' });
    expect(yaml.status).toBe(201);
    expect(yaml.json.data).toEqual({ k: 'v' });
    const before = counts.commits;
    const dry = await call('POST', '/api/v1/namespaces/default/configmaps?dryRun=All', { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dry' } } });
    expect(dry.status).toBe(201);
    expect(counts.commits).toBe(before);
    expect((await call('GET', '/api/v1/namespaces/default/configmaps/dry')).status).toBe(404);
    const bad = await call('POST', '/api/v1/namespaces/default/configmaps?dryRun=Yes', { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dry' } } });
    expect(bad.status).toBe(422);
    expect(bad.json.message).toBe('CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"Yes"}: supported values: "All"');
  });

  it('reports bad bodies as the API server does: 400, 413, 415', async () => {
    const { call, ctx } = setup();
    const json = await call('POST', '/api/v1/namespaces/default/pods', { body: '{"apiVersion":"v1","kind":"Pod",' });
    expect(json.status).toBe(400);
    expect(json.json.message).toBe(
      'the object provided is unrecognized (must be of type Pod): couldn\'t get version/kind; json parse error: unexpected end of JSON input ({"apiVersion":"v1","kind":"Pod ...)',
    );
    const bad = await call('POST', '/api/v1/namespaces/default/pods', { body: '{"apiVersion": "v1", kind: 1}' });
    expect(bad.json.message).toContain("json parse error: invalid character 'k' looking for beginning of object key string");
    const yaml = await call('POST', '/api/v1/namespaces/default/pods', { body: 'a: [\n', contentType: 'application/yaml' });
    expect(yaml.status).toBe(400);
    expect(yaml.json.message).toMatch(/^the object provided is unrecognized \(must be of type Pod\): error converting YAML to JSON: yaml: /);
    const text = await call('POST', '/api/v1/namespaces/default/pods', { body: 'hello', contentType: 'text/plain' });
    expect(text.status).toBe(415);
    expect(text.json.reason).toBe('UnsupportedMediaType');
    const version = await call('POST', '/api/v1/namespaces/default/pods', { body: { ...podBody('x'), apiVersion: 'v2' } });
    expect(version.status).toBe(400);
    expect(version.json.message).toBe('the API version in the data (v2) does not match the expected API version (v1)');
    ctx.maxBodyBytes = 64;
    const big = await call('POST', '/api/v1/namespaces/default/configmaps', { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big' }, data: { a: 'x'.repeat(200) } } });
    expect(big.status).toBe(413);
    expect(big.json).toMatchObject({ reason: 'RequestEntityTooLarge', message: 'Request entity too large: limit is 64', code: 413 });
  });

  it('answers 405 for a method a path does not take, 404 for a missing namespace', async () => {
    const { call } = setup();
    const item = await call('POST', '/api/v1/namespaces/default/pods/web', { body: podBody('web') });
    expect(item.status).toBe(405);
    expect(item.json).toMatchObject({ reason: 'MethodNotAllowed', message: 'the server does not allow this method on the requested resource' });
    expect((await call('POST', '/api/v1/pods', { body: podBody('web') })).status).toBe(405);
    expect((await call('DELETE', '/api/v1/namespaces')).status).toBe(405);
    const ns = await call('POST', '/api/v1/namespaces/nope/pods', { body: podBody('web') });
    expect(ns.status).toBe(404);
    expect(ns.json.message).toBe('namespaces "nope" not found');
  });

  it('deletes collections by selector and answers with the list of deleted objects', async () => {
    const { call } = setup();
    for (const [name, tier] of [
      ['a', 'x'],
      ['b', 'x'],
      ['c', 'y'],
    ]) {
      await call('POST', '/api/v1/namespaces/default/configmaps', { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { tier } } } });
    }
    const r = await call('DELETE', '/api/v1/namespaces/default/configmaps?labelSelector=tier%3Dx');
    expect(r.status).toBe(200);
    expect(r.json.kind).toBe('ConfigMapList');
    expect(r.json.items.map((i: any) => i.metadata.name)).toEqual(['a', 'b']);
    const left = await call('GET', '/api/v1/namespaces/default/configmaps');
    // Every namespace also holds the kube-root-ca.crt ConfigMap, as on a real cluster.
    expect(left.json.items.map((i: any) => i.metadata.name)).toEqual(['c', 'kube-root-ca.crt']);
  });

  it('renders YAML when asked', async () => {
    const { call } = setup();
    const r = await call('GET', '/api/v1/namespaces/default', { accept: 'application/yaml' });
    expect(r.headers.get('content-type')).toBe('application/yaml');
    expect(parseYaml(r.text)).toMatchObject({ kind: 'Namespace', metadata: { name: 'default' } });
  });
});

describe('authorization', () => {
  it('lets the view role read but not write (403 in the authorizer words)', async () => {
    const owner = setup();
    await owner.call('POST', '/api/v1/namespaces/default/pods', { body: podBody('web') });
    const viewer = setup('view', owner.cluster);
    expect((await viewer.call('GET', '/api/v1/namespaces/default/pods')).status).toBe(200);
    expect((await viewer.call('GET', '/api/v1/namespaces/default/pods/web/log')).status).not.toBe(403);
    const create = await viewer.call('POST', '/api/v1/namespaces/default/pods', { body: podBody('other') });
    expect(create.status).toBe(403);
    expect(create.json).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'pods is forbidden: User "alice" cannot create resource "pods" in API group "" in the namespace "default"',
      reason: 'Forbidden',
      details: { kind: 'pods' },
      code: 403,
    });
    const del = await viewer.call('DELETE', '/api/v1/namespaces/default/pods/web');
    expect(del.json.message).toBe('pods "web" is forbidden: User "alice" cannot delete resource "pods" in API group "" in the namespace "default"');
    const scale = await viewer.call('PATCH', '/apis/apps/v1/namespaces/default/deployments/web/scale', { body: { spec: { replicas: 3 } }, contentType: 'application/merge-patch+json' });
    expect(scale.json.message).toBe('deployments.apps "web" is forbidden: User "alice" cannot patch resource "deployments/scale" in API group "apps" in the namespace "default"');
    const nodes = await viewer.call('DELETE', '/api/v1/nodes/node-1');
    expect(nodes.json.message).toBe('nodes "node-1" is forbidden: User "alice" cannot delete resource "nodes" in API group "" at the cluster scope');
    const edit = setup('edit', owner.cluster);
    expect((await edit.call('POST', '/api/v1/namespaces/default/pods', { body: podBody('other') })).status).toBe(201);
  });
});

describe('lists', () => {
  it('filters by label and field selectors and reports bad ones', async () => {
    const { call } = setup();
    await call('POST', '/api/v1/namespaces/default/pods', { body: podBody('a', {}, { app: 'web', tier: 'front' }) });
    await call('POST', '/api/v1/namespaces/default/pods', { body: podBody('b', {}, { app: 'web' }) });
    await call('POST', '/api/v1/namespaces/default/pods', { body: podBody('c', { schedulerName: 'nobody' }, { app: 'db' }) });
    const names = async (q: string) => (await call('GET', `/api/v1/namespaces/default/pods?${q}`)).json.items.map((p: any) => p.metadata.name);
    expect(await names('labelSelector=app%3Dweb')).toEqual(['a', 'b']);
    expect(await names('labelSelector=app%20in%20(web,db),!tier')).toEqual(['b', 'c']);
    expect(await names('fieldSelector=metadata.name%3Dc')).toEqual(['c']);
    expect(await names('fieldSelector=spec.nodeName%3D')).toEqual(['c']);
    expect(await names('fieldSelector=status.phase!%3DRunning')).toEqual(['a', 'b', 'c']);
    const all = await call('GET', '/api/v1/pods');
    expect(all.json.items.length).toBe(3);
    const bad = await call('GET', '/api/v1/namespaces/default/pods?fieldSelector=spec.foo%3Dx');
    expect(bad.status).toBe(400);
    expect(bad.json.message).toBe('field label not supported: spec.foo');
    const badLabel = await call('GET', '/api/v1/namespaces/default/pods?labelSelector=a%3D%3D%3Db');
    expect(badLabel.status).toBe(400);
    expect(badLabel.json.message).toMatch(/^unable to parse requirement/);
  });

  it('pages with limit and continue', async () => {
    const { call } = setup();
    for (const n of ['a', 'b', 'c', 'd', 'e']) await call('POST', '/api/v1/namespaces/default/configmaps', { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: n } } });
    const first = await call('GET', '/api/v1/namespaces/default/configmaps?limit=2');
    expect(first.json.items.map((i: any) => i.metadata.name)).toEqual(['a', 'b']);
    expect(first.json.metadata.remainingItemCount).toBe(4); // c, d, e and kube-root-ca.crt
    const second = await call('GET', `/api/v1/namespaces/default/configmaps?limit=2&continue=${encodeURIComponent(first.json.metadata.continue)}`);
    expect(second.json.items.map((i: any) => i.metadata.name)).toEqual(['c', 'd']);
    const last = await call('GET', `/api/v1/namespaces/default/configmaps?limit=2&continue=${encodeURIComponent(second.json.metadata.continue)}`);
    expect(last.json.items.map((i: any) => i.metadata.name)).toEqual(['e', 'kube-root-ca.crt']);
    expect(last.json.metadata.continue).toBeUndefined();
    expect((await call('GET', '/api/v1/namespaces/default/configmaps?limit=2&continue=garbage')).status).toBe(400);
  });

  it('answers kubectl get with a Table: columns, rows and PartialObjectMetadata', async () => {
    const { call, cluster } = setup();
    await call('POST', '/api/v1/namespaces/default/pods', { body: podBody('web') });
    cluster.advance(45_000);
    const t = await call('GET', '/api/v1/namespaces/default/pods?limit=500', { accept: TABLE });
    expect(t.headers.get('content-type')).toBe('application/json;as=Table;v=v1;g=meta.k8s.io');
    expect(t.json.kind).toBe('Table');
    expect(t.json.columnDefinitions.map((c: any) => c.name)).toEqual(['Name', 'Ready', 'Status', 'Restarts', 'Age', 'IP', 'Node', 'Nominated Node', 'Readiness Gates']);
    const [name, ready, status, restarts, age] = t.json.rows[0].cells;
    expect([name, ready, status, restarts, age]).toEqual(['web', '1/1', 'Running', '0', '45s']);
    expect(t.json.rows[0].object).toMatchObject({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: { name: 'web' } });

    const nodes = await call('GET', '/api/v1/nodes', { accept: TABLE });
    expect(nodes.json.columnDefinitions.filter((c: any) => c.priority === 0).map((c: any) => c.name.toUpperCase())).toEqual(['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION']);
    expect(nodes.json.rows.map((r: any) => r.cells.slice(0, 5))).toEqual([
      ['node-1', 'Ready', '<none>', '45s', 'v1.32.0'],
      ['node-2', 'Ready', '<none>', '45s', 'v1.32.0'],
      ['node-3', 'Ready', '<none>', '45s', 'v1.32.0'],
    ]);

    const one = await call('GET', '/api/v1/namespaces/default/pods/web?includeObject=Object', { accept: TABLE });
    expect(one.json.rows).toHaveLength(1);
    expect(one.json.rows[0].object.kind).toBe('Pod');
    const partial = await call('GET', '/api/v1/namespaces/default/pods', { accept: 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io' });
    expect(partial.json.kind).toBe('PartialObjectMetadataList');
    expect(partial.json.items[0]).toMatchObject({ kind: 'PartialObjectMetadata', metadata: { name: 'web' } });
    const none = await call('GET', '/api/v1/namespaces/default/pods', { accept: 'application/vnd.kubernetes.protobuf' });
    expect(none.status).toBe(406);
  });
});

describe('watch', () => {
  it('streams ADDED, MODIFIED and DELETED events from a resourceVersion, then ends on timeout', async () => {
    const { call, raw, counts } = setup();
    const list = await call('GET', '/api/v1/namespaces/default/configmaps');
    const res = await raw('GET', `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${list.json.metadata.resourceVersion}&timeoutSeconds=1`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-encoding')).toBe('identity');
    expect(counts.opened).toBe(1);
    const events = eventReader(res);
    await call('POST', '/api/v1/namespaces/default/configmaps', { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'w' } } });
    await call('PATCH', '/api/v1/namespaces/default/configmaps/w', { body: { data: { a: '1' } }, contentType: 'application/merge-patch+json' });
    await call('DELETE', '/api/v1/namespaces/default/configmaps/w');
    const a = await events.next();
    expect(a.type).toBe('ADDED');
    expect(a.object).toMatchObject({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'w' } });
    expect((await events.next()).type).toBe('MODIFIED');
    const d = await events.next();
    expect(d.type).toBe('DELETED');
    expect(await events.ended(3000)).toBe(true);
    expect(counts.closed).toBe(1);
  });

  it('sends Table rows to kubectl get -w: column definitions on the first event only', async () => {
    const { call, raw } = setup();
    const list = await call('GET', '/api/v1/namespaces/default/pods', { accept: TABLE });
    const res = await raw('GET', `/api/v1/namespaces/default/pods?resourceVersion=${list.json.metadata.resourceVersion}&watch=true`, { accept: TABLE });
    expect(res.headers.get('content-type')).toBe('application/json;as=Table;v=v1;g=meta.k8s.io');
    const events = eventReader(res);
    await call('POST', '/api/v1/namespaces/default/pods', { body: podBody('web') });
    const first = await events.next();
    expect(first.type).toBe('ADDED');
    expect(first.object.kind).toBe('Table');
    expect(first.object.columnDefinitions.map((c: any) => c.name).slice(0, 5)).toEqual(['Name', 'Ready', 'Status', 'Restarts', 'Age']);
    expect(first.object.rows[0].cells.slice(0, 3)).toEqual(['web', '0/1', 'Pending']);
    const second = await events.next();
    expect(second.type).toBe('MODIFIED');
    expect(second.object.columnDefinitions).toBeNull();
    expect(second.object.rows).toHaveLength(1);
    await events.cancel();
  });

  it('sends initial ADDED events without a resourceVersion, supports /watch/ paths and single-object watches', async () => {
    const { call, raw, counts } = setup();
    await call('POST', '/api/v1/namespaces/default/configmaps', { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'one' } } });
    await call('POST', '/api/v1/namespaces/default/configmaps', { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'two' } } });
    const all = eventReader(await raw('GET', '/api/v1/watch/namespaces/default/configmaps'));
    const initial = [(await all.next()).object.metadata.name, (await all.next()).object.metadata.name, (await all.next()).object.metadata.name];
    expect(initial).toEqual(['kube-root-ca.crt', 'one', 'two']);
    await all.cancel();
    const single = eventReader(await raw('GET', '/api/v1/namespaces/default/configmaps?watch=1&fieldSelector=metadata.name%3Dtwo'));
    expect((await single.next()).object.metadata.name).toBe('two');
    await call('PATCH', '/api/v1/namespaces/default/configmaps/one', { body: { data: { x: '1' } }, contentType: 'application/merge-patch+json' });
    await call('PATCH', '/api/v1/namespaces/default/configmaps/two', { body: { data: { x: '1' } }, contentType: 'application/merge-patch+json' });
    const ev = await single.next();
    expect([ev.type, ev.object.metadata.name]).toEqual(['MODIFIED', 'two']);
    await single.cancel();
    expect(counts.closed).toBe(counts.opened);
  });

  it('reports a too old resourceVersion as an ERROR event carrying the 410 Status', async () => {
    const original = newCluster('gone');
    const restored = restoreCluster(Cluster.restore(original.snapshot()));
    const { raw } = setup('owner', restored);
    const res = await raw('GET', '/api/v1/namespaces/default/pods?watch=true&resourceVersion=2');
    expect(res.status).toBe(200);
    const events = eventReader(res);
    const ev = await events.next();
    expect(ev.type).toBe('ERROR');
    expect(ev.object).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Expired', code: 410 });
    expect(ev.object.message).toMatch(/^too old resource version: 2 \(\d+\)$/);
    expect(await events.ended()).toBe(true);
  });

  it('refuses a bad selector before streaming', async () => {
    const { call } = setup();
    const r = await call('GET', '/api/v1/namespaces/default/pods?watch=true&fieldSelector=nope%3D1');
    expect(r.status).toBe(400);
  });
});

describe('patch', () => {
  async function withDeployment() {
    const s = setup();
    const r = await s.call('POST', '/apis/apps/v1/namespaces/default/deployments?fieldManager=kubectl-create', { body: deploymentBody('web') });
    expect(r.status).toBe(201);
    const patch = (body: unknown, contentType = SMP, q = '') => s.call('PATCH', `/apis/apps/v1/namespaces/default/deployments/web${q}`, { body, contentType });
    return { ...s, patch };
  }
  const containers = (d: any) => d.spec.template.spec.containers;

  it('JSON patch: applies operations; a failing one is 422, a malformed patch 400', async () => {
    const { patch } = await withDeployment();
    const ok = await patch([{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'nginx:1.27' }, { op: 'add', path: '/metadata/labels/x', value: 'y' }], 'application/json-patch+json');
    expect(ok.status).toBe(200);
    expect(containers(ok.json)[0].image).toBe('nginx:1.27');
    expect(ok.json.metadata.labels.x).toBe('y');
    const failing = await patch([{ op: 'test', path: '/spec/replicas', value: 7 }], 'application/json-patch+json');
    expect(failing.status).toBe(422);
    expect(failing.json).toMatchObject({ reason: 'Invalid', message: 'the server rejected our request due to an error in our request' });
    const missing = await patch([{ op: 'remove', path: '/spec/nothing' }], 'application/json-patch+json');
    expect(missing.status).toBe(422);
    const malformed = await patch({ op: 'add' }, 'application/json-patch+json');
    expect(malformed.status).toBe(400);
    expect(malformed.json.message).toBe('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  });

  it('merge patch: sets and removes keys, replaces lists', async () => {
    const { patch } = await withDeployment();
    const r = await patch({ metadata: { labels: { app: null, team: 'a' } }, spec: { template: { spec: { containers: [{ name: 'only', image: 'x' }] } } } }, 'application/merge-patch+json');
    expect(r.json.metadata.labels).toEqual({ team: 'a' });
    expect(containers(r.json).map((c: any) => c.name)).toEqual(['only']);
  });

  it('strategic merge patch: containers merge by name, ports by containerPort, env by name; tolerations replace', async () => {
    const { patch } = await withDeployment();
    // What `kubectl set image deployment/web web=nginx:1.27` sends.
    const setImage = await patch({ spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'web' }, { name: 'sidecar' }], containers: [{ image: 'nginx:1.27', name: 'web' }] } } } });
    expect(setImage.status).toBe(200);
    expect(containers(setImage.json).map((c: any) => `${c.name}=${c.image}`)).toEqual(['web=nginx:1.27', 'sidecar=busybox']);
    // Pod templates are defaulted like pods: the port gets its protocol.
    expect(containers(setImage.json)[0].ports).toEqual([{ containerPort: 80, protocol: 'TCP' }]);

    const ports = await patch({ spec: { template: { spec: { containers: [{ name: 'web', ports: [{ containerPort: 443 }], env: [{ name: 'B', value: '2' }, { name: 'A', value: '9' }] }] } } } });
    const web = containers(ports.json)[0];
    expect(web.ports.map((p: any) => p.containerPort)).toEqual([443, 80]);
    expect(web.env).toEqual([
      { name: 'B', value: '2' },
      { name: 'A', value: '9' },
    ]);

    const tol = await patch({ spec: { template: { spec: { tolerations: [{ key: 'a', operator: 'Exists' }] } } } });
    const tol2 = await patch({ spec: { template: { spec: { tolerations: [{ key: 'b', operator: 'Exists' }] } } } });
    expect(tol.status).toBe(200);
    expect(tol2.json.spec.template.spec.tolerations).toEqual([{ key: 'b', operator: 'Exists' }]);
  });

  it('strategic merge patch directives: $patch delete/replace, $retainKeys, $deleteFromPrimitiveList', async () => {
    const { patch, call } = await withDeployment();
    const del = await patch({ spec: { template: { spec: { containers: [{ name: 'sidecar', $patch: 'delete' }] } } } });
    expect(containers(del.json).map((c: any) => c.name)).toEqual(['web']);
    const replace = await patch({ spec: { template: { spec: { containers: [{ name: 'new', image: 'redis' }, { $patch: 'replace' }] } } } });
    expect(containers(replace.json).map((c: any) => c.name)).toEqual(['new']);
    const labels = await patch({ spec: { template: { metadata: { labels: { $patch: 'replace', app: 'web', v: '2' } } } } });
    expect(labels.json.spec.template.metadata.labels).toEqual({ app: 'web', v: '2' });
    const strategy = await patch({ spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } });
    expect(strategy.json.spec.strategy).toEqual({ type: 'Recreate' });
    await patch({ metadata: { finalizers: ['a/b', 'c/d'] } });
    const fin = await patch({ metadata: { '$deleteFromPrimitiveList/finalizers': ['a/b'], finalizers: ['e/f'] } });
    expect(fin.json.metadata.finalizers).toEqual(['e/f', 'c/d']);
    const bad = await patch({ spec: { template: { spec: { containers: [{ name: 'x', $patch: 'explode' }] } } } });
    expect(bad.status).toBe(400);
    expect(bad.json.message).toBe('unknown patch type: explode in map: map[$patch:explode name:x]');
    const nokey = await patch({ spec: { template: { spec: { containers: [{ image: 'x' }] } } } });
    expect(nokey.status).toBe(400);
    expect(nokey.json.message).toBe('map: map[image:x] does not contain declared merge key: name');
    expect((await call('GET', '/apis/apps/v1/namespaces/default/deployments/web')).json.metadata.finalizers).toEqual(['e/f', 'c/d']);
  });

  it("reproduces kubectl apply's three-way patch (last-applied annotation, $setElementOrder)", async () => {
    const { call } = setup();
    const last = deploymentBody('web');
    const annotated = { ...last, metadata: { ...last.metadata, annotations: { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(last) } } };
    await call('POST', '/apis/apps/v1/namespaces/default/deployments?fieldManager=kubectl-client-side-apply&fieldValidation=Strict', { body: annotated });
    // The file now drops the sidecar and bumps the image: kubectl sends this.
    const next = { ...last, spec: { ...last.spec, template: { ...last.spec.template, spec: { containers: [{ ...last.spec.template.spec.containers[0], image: 'nginx:1.27' }] } } } };
    const body = {
      metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(next) + '\n' } },
      spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'web' }], containers: [{ image: 'nginx:1.27', name: 'web' }, { $patch: 'delete', name: 'sidecar' }] } } },
    };
    const r = await call('PATCH', '/apis/apps/v1/namespaces/default/deployments/web?fieldManager=kubectl-client-side-apply&fieldValidation=Strict', { body, contentType: SMP });
    expect(r.status).toBe(200);
    expect(r.json.spec.template.spec.containers.map((c: any) => `${c.name}=${c.image}`)).toEqual(['web=nginx:1.27']);
    expect(r.json.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']).toContain('nginx:1.27');
    expect(r.json.metadata.generation).toBe(2);
  });

  it('label and annotate style patches, and a 415 for other content types', async () => {
    const { call } = setup();
    await call('POST', '/api/v1/namespaces/default/pods', { body: podBody('web') });
    const label = await call('PATCH', '/api/v1/namespaces/default/pods/web?fieldManager=kubectl-label', { body: { metadata: { labels: { env: 'prod' } } }, contentType: 'application/merge-patch+json' });
    expect(label.json.metadata.labels).toEqual({ env: 'prod' });
    const spec = await call('PATCH', '/api/v1/namespaces/default/pods/web', { body: { spec: { containers: [{ name: 'web', image: 'nginx:1.28' }] } }, contentType: SMP });
    expect(spec.json.spec.containers[0].image).toBe('nginx:1.28');
    const forbiddenChange = await call('PATCH', '/api/v1/namespaces/default/pods/web', { body: { spec: { restartPolicy: 'Never' } }, contentType: SMP });
    expect(forbiddenChange.status).toBe(422);
    const unsupported = await call('PATCH', '/api/v1/namespaces/default/pods/web', { body: { metadata: {} }, contentType: 'application/json' });
    expect(unsupported.status).toBe(415);
    expect(unsupported.json.message).toBe(
      'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml',
    );
    const missing = await call('PATCH', '/api/v1/namespaces/default/pods/nope', { body: {}, contentType: SMP });
    expect(missing.status).toBe(404);
    const uid = await call('PATCH', '/api/v1/namespaces/default/pods/web', { body: { metadata: { uid: 'other' } }, contentType: SMP });
    expect(uid.status).toBe(409);
    expect(uid.json.message).toMatch(/Precondition failed: UID in precondition: other, UID in object meta: /);
  });
});

describe('server-side apply', () => {
  const apply = (s: ReturnType<typeof setup>, body: unknown, manager = 'kubectl', extra = '') =>
    s.call('PATCH', `/apis/apps/v1/namespaces/default/deployments/web?fieldManager=${manager}${extra}`, { body, contentType: 'application/apply-patch+yaml' });

  it('creates the object (201), then updates it (200), recording an Apply manager', async () => {
    const s = setup();
    const created = await apply(s, deploymentBody('web'), 'kubectl', '&force=false');
    expect(created.status).toBe(201);
    const mf = created.json.metadata.managedFields;
    expect(mf).toHaveLength(1);
    expect(mf[0]).toMatchObject({ manager: 'kubectl', operation: 'Apply', apiVersion: 'apps/v1', fieldsType: 'FieldsV1' });
    expect(mf[0].fieldsV1['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"web"}']).toMatchObject({ '.': {}, 'f:image': {}, 'f:name': {} });
    expect(mf[0].fieldsV1['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"web"}']['f:ports']['k:{"containerPort":80,"protocol":"TCP"}']).toBeDefined();
    // The same manager applies its whole configuration again with another replica count (dropping the
    // selector and template would give up their ownership, and the Deployment would be invalid: 422).
    const next = deploymentBody('web');
    next.spec.replicas = 4;
    const updated = await apply(s, next);
    expect(updated.status).toBe(200);
    expect(updated.json.spec.replicas).toBe(4);
  });

  it('removes what an applier stopped applying, keeps what others own', async () => {
    const s = setup();
    await apply(s, deploymentBody('web'));
    const d = deploymentBody('web');
    d.spec.template.spec.containers = [d.spec.template.spec.containers[0]];
    const r = await apply(s, d);
    expect(r.json.spec.template.spec.containers.map((c: any) => c.name)).toEqual(['web']);
    // Another manager adds a label; the applier leaving labels alone keeps it.
    await s.call('PATCH', '/apis/apps/v1/namespaces/default/deployments/web?fieldManager=kubectl-label', { body: { metadata: { labels: { extra: 'yes' } } }, contentType: 'application/merge-patch+json' });
    const again = await apply(s, d);
    expect(again.json.metadata.labels).toEqual({ app: 'web', extra: 'yes' });
  });

  it('conflicts with another manager (409 with causes) unless forced, which moves the ownership', async () => {
    const s = setup();
    await s.call('POST', '/apis/apps/v1/namespaces/default/deployments?fieldManager=kubectl-create', { body: deploymentBody('web') });
    const d = deploymentBody('web', 5);
    const conflict = await apply(s, d, 'kubectl', '&force=false');
    expect(conflict.status).toBe(409);
    expect(conflict.json.reason).toBe('Conflict');
    expect(conflict.json.message).toBe('Apply failed with 1 conflict: conflict with "kubectl-create" using apps/v1: .spec.replicas');
    expect(conflict.json.details.causes).toEqual([{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl-create" using apps/v1', field: '.spec.replicas' }]);
    d.spec.template.spec.containers[0].image = 'nginx:1.27';
    const two = await apply(s, d, 'ci');
    expect(two.status).toBe(409);
    expect(two.json.message).toBe(
      'Apply failed with 2 conflicts: conflicts with "kubectl-create" using apps/v1:\n- .spec.replicas\n- .spec.template.spec.containers[name="web"].image',
    );
    const forced = await apply(s, d, 'ci', '&force=true');
    expect(forced.status).toBe(200);
    expect(forced.json.spec.replicas).toBe(5);
    const owners = forced.json.metadata.managedFields;
    const create = owners.find((m: any) => m.manager === 'kubectl-create');
    expect(create.fieldsV1['f:spec']['f:replicas']).toBeUndefined();
    expect(owners.find((m: any) => m.manager === 'ci').fieldsV1['f:spec']['f:replicas']).toEqual({});
  });

  it('shares ownership of fields applied with the same value', async () => {
    const s = setup();
    await s.call('POST', '/apis/apps/v1/namespaces/default/deployments?fieldManager=kubectl-create', { body: deploymentBody('web') });
    const same = await apply(s, deploymentBody('web'), 'ci');
    expect(same.status).toBe(200);
    expect(same.json.metadata.managedFields.map((m: any) => m.manager).sort()).toEqual(['ci', 'kubectl-create']);
  });

  it('requires a fieldManager and the right apiVersion', async () => {
    const s = setup();
    const none = await s.call('PATCH', '/apis/apps/v1/namespaces/default/deployments/web', { body: deploymentBody('web'), contentType: 'application/apply-patch+yaml' });
    expect(none.status).toBe(422);
    expect(none.json.message).toBe('PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
    const wrong = await apply(s, { ...deploymentBody('web'), apiVersion: 'apps/v2' });
    expect(wrong.status).toBe(400);
    expect(wrong.json.message).toBe('Incorrect version specified in apply patch. Specified patch version: apps/v2, expected: apps/v1');
    const bad = await apply(s, 'a: [');
    expect(bad.status).toBe(400);
    expect(bad.json.message).toMatch(/^error decoding YAML: /);
    const force = await s.call('PATCH', '/apis/apps/v1/namespaces/default/deployments/web?force=true', { body: {}, contentType: SMP });
    expect(force.status).toBe(422);
  });
});

describe('subresources', () => {
  it('scale: GET gives an autoscaling/v1 Scale, PATCH and PUT change replicas', async () => {
    const { call } = setup();
    await call('POST', '/apis/apps/v1/namespaces/default/deployments', { body: deploymentBody('web') });
    const scale = await call('GET', '/apis/apps/v1/namespaces/default/deployments/web/scale');
    // The Deployment controller has already created its ReplicaSet's two pods: status counts them.
    expect(scale.json).toMatchObject({ kind: 'Scale', apiVersion: 'autoscaling/v1', metadata: { name: 'web', namespace: 'default' }, spec: { replicas: 2 }, status: { replicas: 2, selector: 'app=web' } });
    const patched = await call('PATCH', '/apis/apps/v1/namespaces/default/deployments/web/scale', { body: { spec: { replicas: 5 } }, contentType: 'application/merge-patch+json' });
    expect(patched.status).toBe(200);
    expect(patched.json.spec.replicas).toBe(5);
    const d = await call('GET', '/apis/apps/v1/namespaces/default/deployments/web');
    expect(d.json.spec.replicas).toBe(5);
    expect(d.json.metadata.managedFields.find((m: any) => m.subresource === 'scale')).toMatchObject({ operation: 'Update', fieldsV1: { 'f:spec': { 'f:replicas': {} } } });
    const put = await call('PUT', '/apis/apps/v1/namespaces/default/deployments/web/scale', { body: { ...scale.json, spec: { replicas: -1 } } });
    expect(put.status).toBe(422);
    expect(put.json.message).toMatch(/spec.replicas: Invalid value: -1: must be greater than or equal to 0/);
    const stale = await call('PUT', '/apis/apps/v1/namespaces/default/deployments/web/scale', { body: { ...scale.json, spec: { replicas: 1 } } });
    expect(stale.status).toBe(409);
  });

  it('status: writes only the status; the main resource cannot', async () => {
    const { call } = setup();
    await call('POST', '/apis/apps/v1/namespaces/default/deployments', { body: deploymentBody('web') });
    const st = await call('PATCH', '/apis/apps/v1/namespaces/default/deployments/web/status', { body: { status: { replicas: 2, readyReplicas: 1 }, spec: { replicas: 9 } }, contentType: 'application/merge-patch+json' });
    expect(st.status).toBe(200);
    expect(st.json.status).toMatchObject({ replicas: 2, readyReplicas: 1 });
    expect(st.json.spec.replicas).toBe(2);
    const main = await call('PATCH', '/apis/apps/v1/namespaces/default/deployments/web', { body: { status: { replicas: 7 } }, contentType: 'application/merge-patch+json' });
    expect(main.json.status.replicas).toBe(2);
    expect((await call('GET', '/apis/apps/v1/namespaces/default/deployments/web/status')).json.kind).toBe('Deployment');
  });

  it('binding sets the node of an unscheduled pod, once', async () => {
    const { call } = setup();
    await call('POST', '/api/v1/namespaces/default/pods', { body: podBody('manual', { schedulerName: 'my-scheduler' }) });
    const binding = { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'manual' }, target: { apiVersion: 'v1', kind: 'Node', name: 'node-2' } };
    const r = await call('POST', '/api/v1/namespaces/default/pods/manual/binding', { body: binding });
    expect(r.status).toBe(201);
    expect(r.json).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
    const p = await call('GET', '/api/v1/namespaces/default/pods/manual');
    expect(p.json.spec.nodeName).toBe('node-2');
    expect(p.json.status.conditions.find((c: any) => c.type === 'PodScheduled').status).toBe('True');
    const again = await call('POST', '/api/v1/namespaces/default/pods/manual/binding', { body: binding });
    expect(again.status).toBe(409);
    expect(again.json.message).toBe('Operation cannot be fulfilled on pods/binding "manual": pod manual is already assigned to node "node-2"');
  });

  it('log: the container output as text/plain, with tail and the API server errors', async () => {
    const { call, cluster } = setup();
    await call('POST', '/api/v1/namespaces/default/pods', { body: podBody('web') });
    cluster.advance(30_000);
    const log = await call('GET', '/api/v1/namespaces/default/pods/web/log?container=web');
    expect(log.status).toBe(200);
    expect(log.headers.get('content-type')).toBe('text/plain');
    expect(log.text.length).toBeGreaterThan(0);
    const tail = await call('GET', '/api/v1/namespaces/default/pods/web/log?tailLines=1');
    expect(tail.text.trim().split('\n')).toHaveLength(1);
    await call('POST', '/api/v1/namespaces/default/pods', { body: { ...podBody('two'), spec: { containers: [{ name: 'a', image: 'nginx' }, { name: 'b', image: 'nginx' }] } } });
    const which = await call('GET', '/api/v1/namespaces/default/pods/two/log');
    expect(which.status).toBe(400);
    expect(which.json.message).toBe('a container name must be specified for pod two, choose one of: [a b]');
    const invalidName = await call('GET', '/api/v1/namespaces/default/pods/web/log?container=nope');
    expect(invalidName.json.message).toBe('container nope is not valid for pod web');
    await call('POST', '/api/v1/namespaces/default/pods', { body: podBody('pending', { schedulerName: 'nobody' }) });
    const empty = await call('GET', '/api/v1/namespaces/default/pods/pending/log');
    expect([empty.status, empty.text]).toEqual([200, '']);
    expect((await call('GET', '/api/v1/namespaces/default/pods/nope/log')).status).toBe(404);
    expect((await call('GET', '/api/v1/namespaces/default/pods/web/log?tailLines=-1')).status).toBe(422);
  });

  it('log -f streams until the container stops', async () => {
    const { call, raw, cluster, counts } = setup();
    await call('POST', '/api/v1/namespaces/default/pods', { body: podBody('web') });
    cluster.advance(30_000);
    const res = await raw('GET', '/api/v1/namespaces/default/pods/web/log?follow=true');
    expect(res.headers.get('content-encoding')).toBe('identity');
    expect(counts.opened).toBe(1);
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toContain('\n');
    await call('DELETE', '/api/v1/namespaces/default/pods/web?gracePeriodSeconds=0');
    cluster.advance(1000);
    const deadline = Date.now() + 2000;
    let done = false;
    while (!done && Date.now() < deadline) done = (await reader.read()).done;
    expect(done).toBe(true);
    expect(counts.closed).toBe(1);
  });

  it('eviction respects PodDisruptionBudgets (429) and deletes the pod otherwise', async () => {
    const { call, cluster } = setup();
    await call('POST', '/api/v1/namespaces/default/pods', { body: podBody('web', {}, { app: 'web' }) });
    await call('POST', '/api/v1/namespaces/default/pods', { body: podBody('lonely') });
    cluster.advance(30_000);
    await call('POST', '/apis/policy/v1/namespaces/default/poddisruptionbudgets', {
      body: { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web-pdb' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'web' } } } },
    });
    await call('PATCH', '/apis/policy/v1/namespaces/default/poddisruptionbudgets/web-pdb/status', {
      body: { status: { observedGeneration: 1, disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 1, expectedPods: 1 } },
      contentType: 'application/merge-patch+json',
    });
    const eviction = (name: string) => ({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: 'default' } });
    const refused = await call('POST', '/api/v1/namespaces/default/pods/web/eviction', { body: eviction('web') });
    expect(refused.status).toBe(429);
    expect(refused.json).toMatchObject({ reason: 'TooManyRequests', message: "Cannot evict pod as it would violate the pod's disruption budget." });
    expect(refused.json.details.causes).toEqual([{ reason: 'DisruptionBudget', message: 'The disruption budget web-pdb needs 1 healthy pods and has 1 currently' }]);
    const ok = await call('POST', '/api/v1/namespaces/default/pods/lonely/eviction', { body: eviction('lonely') });
    expect(ok.status).toBe(201);
    expect(ok.json).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
    expect((await call('GET', '/api/v1/namespaces/default/pods/lonely')).json.metadata.deletionTimestamp).toBeDefined();
  });

  it('token: a TokenRequest for a service account', async () => {
    const { call } = setup();
    await call('POST', '/api/v1/namespaces/default/serviceaccounts', { body: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'bot' } } });
    const r = await call('POST', '/api/v1/namespaces/default/serviceaccounts/bot/token', { body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} } });
    expect(r.status).toBe(201);
    expect(r.json.status.token.split('.')).toHaveLength(3);
    expect(r.json.status.expirationTimestamp).toBe('2026-01-01T01:00:00Z');
  });

  it('exec without a WebSocket upgrade is a 400, like the real server', async () => {
    const { call } = setup();
    await call('POST', '/api/v1/namespaces/default/pods', { body: podBody('web') });
    const r = await call('GET', '/api/v1/namespaces/default/pods/web/exec?command=ls&stdout=true');
    expect(r.status).toBe(400);
    expect(r.json.message).toBe('Upgrade request required');
  });
});

describe('versions', () => {
  it('serves HorizontalPodAutoscalers as autoscaling/v1 and v2 from one storage', async () => {
    const { call } = setup();
    const v1 = {
      apiVersion: 'autoscaling/v1',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'web' },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 5, targetCPUUtilizationPercentage: 60 },
    };
    const created = await call('POST', '/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers', { body: v1 });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ apiVersion: 'autoscaling/v1', spec: { targetCPUUtilizationPercentage: 60, maxReplicas: 5 } });
    const v2 = await call('GET', '/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers/web');
    expect(v2.json.apiVersion).toBe('autoscaling/v2');
    expect(v2.json.spec.metrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } }]);
    const list = await call('GET', '/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers');
    expect(list.json.apiVersion).toBe('autoscaling/v1');
    expect(list.json.items[0].spec.targetCPUUtilizationPercentage).toBe(60);
    const table = await call('GET', '/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers', { accept: TABLE });
    expect(table.json.rows[0].cells.slice(0, 3)).toEqual(['web', 'Deployment/web', 'cpu: <unknown>/60%']);
  });

  it('serves core Events as events.k8s.io/v1 too', async () => {
    const { call } = setup();
    await call('POST', '/api/v1/namespaces/default/pods', { body: podBody('web') });
    const core = await call('GET', '/api/v1/namespaces/default/events');
    expect(core.json.items.length).toBeGreaterThan(0);
    const ev = await call('GET', '/apis/events.k8s.io/v1/namespaces/default/events');
    expect(ev.json.apiVersion).toBe('events.k8s.io/v1');
    expect(ev.json.items[0]).toHaveProperty('regarding');
    expect(ev.json.items[0]).toHaveProperty('note');
  });
});

describe('protobuf request bodies (kubectl create <kind>)', () => {
  // Bodies captured from `kubectl create deployment web --image=nginx:1.27 --replicas=0 --port=80`,
  // `kubectl create secret generic s1 --from-literal=password=hunter2` and `kubectl create job j1 --image=busybox -- echo hi`.
  const DEPLOYMENT =
    'azhzAAoVCgdhcHBzL3YxEgpEZXBsb3ltZW50Er0BCh8KA3dlYhIAGgAiACoAMgA4AEIAWgoKA2FwcBIDd2ViEosBCAASDAoKCgNhcHASA3dlYhpxChwKABIAGgAiACoAMgA4AEIAWgoKA2FwcBIDd2ViElESMwoFbmdpbngSCm5naW54OjEuMjcqADIKCgAQABhQIgAqAEIAagByAIABAIgBAJABAKIBABoAMgBCAEoAUgBYAGAAaACCAQCKAQCaAQDCAQAiAgoAKAA4ABoMCAAQABgAIAAoADgAGgAiAA==';
  const SECRET = 'azhzAAoMCgJ2MRIGU2VjcmV0EisKEgoCczESABoAIgAqADIAOABCABITCghwYXNzd29yZBIHaHVudGVyMhoAGgAiAA==';
  const JOB =
    'azhzAAoPCghiYXRjaC92MRIDSm9iEoQBChIKAmoxEgAaACIAKgAyADgAQgASZDJiChAKABIAGgAiACoAMgA4AEIAEk4SKwoCajESB2J1c3lib3gaBGVjaG8aAmhpKgBCAGoAcgCAAQCIAQCQAQCiAQAaBU5ldmVyMgBCAEoAUgBYAGAAaACCAQCKAQCaAQDCAQAaCCAAKAAwADoAGgAiAA==';
  const bytes = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const post = (s: ReturnType<typeof setup>, path: string, b64: string) =>
    handleKubernetesRequest(
      new Request(`https://k8s.test${path}`, {
        method: 'POST',
        body: bytes(b64),
        headers: { 'content-type': 'application/vnd.kubernetes.protobuf', accept: 'application/vnd.kubernetes.protobuf,application/json' },
      }),
      path.split('?')[0],
      s.ctx,
    );

  it('decodes a Deployment, keeping a zero replicas and dropping unset fields', async () => {
    const s = setup();
    const res = await post(s, '/apis/apps/v1/namespaces/default/deployments?fieldManager=kubectl-create&fieldValidation=Strict', DEPLOYMENT);
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toBe('application/json');
    const d = await res.json();
    expect(d.metadata).toMatchObject({ name: 'web', labels: { app: 'web' } });
    expect(d.spec).toMatchObject({
      replicas: 0,
      selector: { matchLabels: { app: 'web' } },
      strategy: {},
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.27', ports: [{ containerPort: 80 }], resources: {} }] } },
    });
    expect(d.spec.template.spec.containers[0].workingDir).toBeUndefined();
    expect(d.metadata.managedFields[0].manager).toBe('kubectl-create');
  });

  it('decodes Secrets (bytes as base64) and Jobs', async () => {
    const s = setup();
    const secret = await (await post(s, '/api/v1/namespaces/default/secrets', SECRET)).json();
    expect(secret.data).toEqual({ password: btoa('hunter2') });
    const job = await (await post(s, '/apis/batch/v1/namespaces/default/jobs', JOB)).json();
    expect(job.spec.template.spec).toMatchObject({ restartPolicy: 'Never', containers: [{ name: 'j1', image: 'busybox', command: ['echo', 'hi'] }] });
  });

  it('answers 400 for a body that is not a Kubernetes protobuf message', async () => {
    const s = setup();
    const res = await post(s, '/api/v1/namespaces/default/secrets', btoa('{"kind":"Secret"}'));
    expect(res.status).toBe(400);
    expect((await res.json()).message).toMatch(/^the object provided is unrecognized \(must be of type Secret\): provided data does not appear to be a protobuf message/);
  });
});

describe('field validation', () => {
  const typo = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'typo' }, spec: { containers: [{ name: 'c', image: 'nginx', imagee: 'x' }], restartPolicyy: 'Never' } };

  it('Strict (what kubectl sends) refuses unknown fields with the strict decoding error', async () => {
    const { call } = setup();
    const r = await call('POST', '/api/v1/namespaces/default/pods?fieldManager=kubectl-client-side-apply&fieldValidation=Strict', { body: typo });
    expect(r.status).toBe(400);
    expect(r.json.message).toBe('Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.containers[0].imagee", unknown field "spec.restartPolicyy"');
    await call('POST', '/apis/apps/v1/namespaces/default/deployments', { body: deploymentBody('web') });
    const p = await call('PATCH', '/apis/apps/v1/namespaces/default/deployments/web?fieldValidation=Strict', { body: { spec: { replica: 3 } }, contentType: SMP });
    expect(p.status).toBe(400);
    expect(p.json.message).toBe('strict decoding error: unknown field "spec.replica"');
  });

  it('Warn (the default) drops them with a warning; Ignore drops them silently', async () => {
    const { call } = setup();
    const warn = await call('POST', '/api/v1/namespaces/default/pods', { body: typo });
    expect(warn.status).toBe(201);
    expect(warn.headers.get('warning')).toBe('299 - "unknown field \\"spec.containers[0].imagee\\"", 299 - "unknown field \\"spec.restartPolicyy\\""');
    expect(warn.json.spec.containers[0].imagee).toBeUndefined();
    const ignore = await call('POST', '/api/v1/namespaces/default/pods?fieldValidation=Ignore', { body: { ...typo, metadata: { name: 'typo2' } } });
    expect(ignore.status).toBe(201);
    expect(ignore.headers.get('warning')).toBeNull();
    expect(ignore.json.spec.restartPolicyy).toBeUndefined();
  });

  it('server-side apply refuses fields its schema does not declare', async () => {
    const { call } = setup();
    const d = deploymentBody('web') as any;
    d.spec.template.spec.containers[0].imagee = 'x';
    const r = await call('PATCH', '/apis/apps/v1/namespaces/default/deployments/web?fieldManager=kubectl', { body: d, contentType: 'application/apply-patch+yaml' });
    expect(r.status).toBe(400);
    expect(r.json.message).toBe('failed to create typed patch object (apps/v1, Kind=Deployment): .spec.template.spec.containers[name="web"].imagee: field not declared in schema');
  });
});
