import { env, evictDurableObject, runDurableObjectAlarm } from 'cloudflare:test';
import { exports } from 'cloudflare:workers';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { describe, expect, it } from 'vitest';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';

const BASE = 'https://kuberoom.test';

function call(path: string, init?: RequestInit): Promise<Response> {
  return exports.default.fetch(new Request(BASE + path, init));
}

interface Created {
  id: string;
  url: string;
  kubeconfigUrl: string;
  token: string;
  links: { owner: string; edit: string; view: string };
}

async function create(nodes?: number): Promise<Created> {
  const res = await call('/api/sandboxes', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(nodes ? { nodes } : {}) });
  expect(res.status).toBe(201);
  return res.json();
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const tokenOf = (link: string) => new URL(link).hash.replace('#token=', '');

async function clock(s: Created, body: unknown, token = s.token): Promise<Response> {
  return call(`/s/${s.id}/api/clock`, { method: 'POST', headers: { ...bearer(token), 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

async function k8s(s: Created, path: string, init: RequestInit = {}, token = s.token): Promise<Response> {
  return call(`/s/${s.id}/k8s${path}`, { ...init, headers: { ...bearer(token), 'content-type': 'application/json', ...(init.headers ?? {}) } });
}

const POD = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { containers: [{ name: 'web', image: 'nginx' }] } };

/** A y-websocket client of the cluster doc, speaking the protocol by hand. */
async function connect(s: Created, token = s.token, epoch?: string) {
  const qs = new URLSearchParams({ token, ...(epoch ? { epoch } : {}) });
  const res = await call(`/s/${s.id}/sync/cluster?${qs}`, { headers: { upgrade: 'websocket' } });
  expect(res.status).toBe(101);
  const ws = res.webSocket!;
  ws.accept();
  // Binary frames arrive as Blobs unless asked for as ArrayBuffers.
  (ws as unknown as { binaryType: string }).binaryType = 'arraybuffer';
  const doc = new Y.Doc();
  const messages: Uint8Array[] = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.addEventListener('close', (e) => resolve({ code: e.code, reason: e.reason })));
  ws.addEventListener('message', (e) => {
    const data = new Uint8Array(e.data as ArrayBuffer);
    messages.push(data);
    const d = decoding.createDecoder(data);
    if (decoding.readVarUint(d) !== 0) return;
    const out = encoding.createEncoder();
    encoding.writeVarUint(out, 0);
    syncProtocol.readSyncMessage(d, out, doc, 'server');
    if (encoding.length(out) > 1 && ws.readyState === WebSocket.OPEN) ws.send(encoding.toUint8Array(out));
  });
  // Our own step 1, as the y-websocket client sends it.
  const hello = encoding.createEncoder();
  encoding.writeVarUint(hello, 0);
  syncProtocol.writeSyncStep1(hello, doc);
  if (ws.readyState === WebSocket.OPEN) ws.send(encoding.toUint8Array(hello));
  return { ws, doc, messages, closed };
}

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('creating a sandbox', () => {
  it('answers with an unguessable id, the page link and the kubeconfig link, and three roles', async () => {
    const s = await create();
    expect(s.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(s.url).toBe(`${BASE}/s/${s.id}#token=${s.token}`);
    expect(s.kubeconfigUrl).toBe(`${BASE}/s/${s.id}/kubeconfig?token=${s.token}`);
    expect(new Set([tokenOf(s.links.owner), tokenOf(s.links.edit), tokenOf(s.links.view)]).size).toBe(3);
    const other = await create();
    expect(other.id).not.toBe(s.id);
  });

  it('refuses bad input with a clear error', async () => {
    for (const body of ['{"nodes": 0}', '{"nodes": 501}', '{"nodes": "many"}', 'not json', '[1]']) {
      const res = await call('/api/sandboxes', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(res.status, body).toBe(400);
      expect((await res.json<{ error: string }>()).error).toBeTruthy();
    }
  });

  it('starts the number of nodes asked for', async () => {
    const s = await create(5);
    const res = await k8s(s, '/api/v1/nodes');
    const list = await res.json<{ items: { metadata: { name: string } }[] }>();
    expect(list.items.map((n) => n.metadata.name)).toEqual(['node-1', 'node-2', 'node-3', 'node-4', 'node-5']);
  });
});

describe('links and tokens', () => {
  it('needs a valid token; a link to no sandbox is a 404 and leaves nothing behind', async () => {
    const s = await create();
    expect((await call(`/s/${s.id}/api/session`)).status).toBe(401);
    expect((await call(`/s/${s.id}/api/session`, { headers: bearer('nope') })).status).toBe(401);
    const session = await (await call(`/s/${s.id}/api/session`, { headers: bearer(s.token) })).json<{ role: string; epoch: string }>();
    expect(session.role).toBe('owner');
    expect(session.epoch).toBeTruthy();
    const view = await (await call(`/s/${s.id}/api/session?token=${tokenOf(s.links.view)}`)).json<{ role: string; links?: unknown }>();
    expect(view.role).toBe('view');
    expect(view.links).toBeUndefined();
    expect((await call('/s/AAAAAAAAAAAAAAAAAAAAAA/api/session', { headers: bearer(s.token) })).status).toBe(404);
    expect((await call('/s/short/api/session')).status).toBe(404);
  });

  it('serves a kubeconfig for the token\'s role', async () => {
    const s = await create();
    const res = await call(`/s/${s.id}/kubeconfig?token=${s.token}`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('kind: Config');
    expect(text).toContain(`server: ${BASE}/s/${s.id}/k8s`);
    expect(text).toContain(`token: ${s.token}`);
  });

  it('a view-only token may read but not write, through the API and the clock', async () => {
    const s = await create();
    const view = tokenOf(s.links.view);
    expect((await k8s(s, '/api/v1/namespaces/default/pods', {}, view)).status).toBe(200);
    const res = await k8s(s, '/api/v1/namespaces/default/pods', { method: 'POST', body: JSON.stringify(POD) }, view);
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ kind: 'Status', reason: 'Forbidden', code: 403 });
    expect((await clock(s, { action: 'pause' }, view)).status).toBe(403);
    expect((await k8s(s, '/api/v1/namespaces/default/pods', {}, 'bad')).status).toBe(401);
  });
});

describe('the clock', () => {
  it('pauses, steps (running what is due) and resumes', async () => {
    const s = await create();
    const paused = await (await clock(s, { action: 'pause' })).json<{ paused: boolean; now: string }>();
    expect(paused.paused).toBe(true);
    expect((await k8s(s, '/api/v1/namespaces/default/pods', { method: 'POST', body: JSON.stringify(POD) })).status).toBe(201);
    const before = await (await k8s(s, '/api/v1/namespaces/default/pods/web')).json<{ status: { phase: string } }>();
    expect(before.status.phase).toBe('Pending');
    const stepped = await (await clock(s, { action: 'step', seconds: 30 })).json<{ now: string }>();
    expect(Date.parse(stepped.now) - Date.parse(paused.now)).toBeGreaterThanOrEqual(30_000);
    const after = await (await k8s(s, '/api/v1/namespaces/default/pods/web')).json<{ status: { phase: string } }>();
    expect(after.status.phase).toBe('Running');
    const speed = await (await clock(s, { action: 'speed', factor: 10 })).json<{ speed: number }>();
    expect(speed.speed).toBe(10);
    expect((await clock(s, { action: 'speed', factor: 1000 })).status).toBe(400);
    expect((await clock(s, { action: 'step', seconds: -1 })).status).toBe(400);
    expect((await clock(s, { action: 'warp' })).status).toBe(400);
    expect((await clock(s, { action: 'resume' })).status).toBe(200);
  });
});

describe('persistence', () => {
  it('keeps every acknowledged write across an eviction, and continues as if it never stopped', async () => {
    const s = await create();
    await (await clock(s, { action: 'pause' })).text();
    // Bodies are read to the end: an unread response is a request still in flight, which eviction waits for.
    await (await k8s(s, '/api/v1/namespaces/default/pods', { method: 'POST', body: JSON.stringify(POD) })).text();
    const created = await (await k8s(s, '/api/v1/namespaces/default/pods/web')).json<{ metadata: { uid: string; resourceVersion: string } }>();
    const stub = env.SANDBOX.get(env.SANDBOX.idFromName(s.id));
    await evictDurableObject(stub);
    const again = await (await k8s(s, '/api/v1/namespaces/default/pods/web')).json<{ metadata: { uid: string; resourceVersion: string } }>();
    expect(again.metadata).toMatchObject({ uid: created.metadata.uid, resourceVersion: created.metadata.resourceVersion });
    await (await clock(s, { action: 'step', seconds: 30 })).text();
    const running = await (await k8s(s, '/api/v1/namespaces/default/pods/web')).json<{ status: { phase: string } }>();
    expect(running.status.phase).toBe('Running');
  });

  it('an alarm catches the sim up', async () => {
    const s = await create();
    await k8s(s, '/api/v1/namespaces/default/pods', { method: 'POST', body: JSON.stringify(POD) });
    const stub = env.SANDBOX.get(env.SANDBOX.idFromName(s.id));
    expect(await runDurableObjectAlarm(stub)).toBe(true);
  });
});

describe('the cluster doc', () => {
  it('syncs nodes and pods to a client, and pushes changes', async () => {
    const s = await create();
    await clock(s, { action: 'pause' });
    const c = await connect(s);
    await until(() => c.doc.getMap('nodes').size === 3, 'three nodes');
    expect(c.doc.getMap('nodes').get('node-1')).toMatchObject({ name: 'node-1', ready: true, status: 'Ready' });
    await k8s(s, '/api/v1/namespaces/default/pods', { method: 'POST', body: JSON.stringify(POD) });
    await until(() => c.doc.getMap('pods').has('default/web'), 'the pod');
    await clock(s, { action: 'step', seconds: 30 });
    await until(() => (c.doc.getMap('pods').get('default/web') as { status?: string })?.status === 'Running', 'Running');
    expect(c.doc.getMap('pods').get('default/web')).toMatchObject({ ready: '1/1', readyBool: true, phase: 'Running' });
    c.ws.close();
  });

  it('refuses a client\'s write, tells the client, and keeps the server state', async () => {
    const s = await create();
    const c = await connect(s, tokenOf(s.links.edit));
    await until(() => c.doc.getMap('nodes').size === 3, 'sync');
    const before = c.messages.length;
    // Delete a node in the client's copy and send that change to the server.
    const updates: Uint8Array[] = [];
    c.doc.on('update', (u: Uint8Array, origin: unknown) => origin !== 'server' && updates.push(u));
    c.doc.getMap('nodes').delete('node-1');
    const e = encoding.createEncoder();
    encoding.writeVarUint(e, 0);
    syncProtocol.writeUpdate(e, updates[0]);
    c.ws.send(encoding.toUint8Array(e));
    await until(() => c.messages.slice(before).some((m) => m[0] === 2), 'the permission-denied message');
    const denied = c.messages.slice(before).find((m) => m[0] === 2)!;
    const d = decoding.createDecoder(denied);
    decoding.readVarUint(d);
    expect(decoding.readVarUint(d)).toBe(0);
    expect(decoding.readVarString(d)).toContain('read-only');
    // A fresh client still sees node-1: the server's doc did not change.
    const fresh = await connect(s);
    await until(() => fresh.doc.getMap('nodes').size === 3, 'fresh sync');
    expect(fresh.doc.getMap('nodes').has('node-1')).toBe(true);
    c.ws.close();
    fresh.ws.close();
  });

  it('closes a malformed frame\'s socket with a reason; the room goes on', async () => {
    const s = await create();
    const bad = await connect(s);
    bad.ws.send(new Uint8Array([0, 9, 9]));
    expect((await bad.closed).code).toBe(4400);
    const text = await connect(s);
    text.ws.send('hello');
    expect((await text.closed).code).toBe(4400);
    const good = await connect(s);
    await until(() => good.doc.getMap('nodes').size === 3, 'sync after bad clients');
    good.ws.close();
  });

  it('after the object is evicted, a client on the old doc is told to resync (4409) and gets the same state', async () => {
    const s = await create();
    const session = await (await call(`/s/${s.id}/api/session`, { headers: bearer(s.token) })).json<{ epoch: string }>();
    const old = await connect(s, s.token, session.epoch);
    await until(() => old.doc.getMap('nodes').size === 3, 'sync');
    old.ws.close();
    await evictDurableObject(env.SANDBOX.get(env.SANDBOX.idFromName(s.id)), { webSockets: 'close' });
    const stale = await connect(s, s.token, session.epoch);
    expect((await stale.closed).code).toBe(4409);
    const next = await (await call(`/s/${s.id}/api/session`, { headers: bearer(s.token) })).json<{ epoch: string }>();
    expect(next.epoch).not.toBe(session.epoch);
    const fresh = await connect(s, s.token, next.epoch);
    await until(() => fresh.doc.getMap('nodes').size === 3, 'resync');
    fresh.ws.close();
  });
});
