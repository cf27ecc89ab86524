import * as encoding from 'lib0/encoding';
import { describe, expect, it } from 'vitest';
import { Room } from '../../worker/room/room.ts';
import { encodeAwareness } from '../../worker/room/sync-protocol.ts';
import { api, connect, create, edit, evict, k8s, pod, tokens, until } from './helpers.ts';
import { TestHost } from './room-host.ts';

describe('shared documents', () => {
  it('editors write notes and manifest files together; viewers are refused and told; the docs survive an eviction', async () => {
    const s = await create();
    const t = tokens(s);
    const a = await connect(s, t.edit, 'file:web.yaml');
    const b = await connect(s, t.owner, 'file:web.yaml');
    const v = await connect(s, t.view, 'file:web.yaml');
    await until(() => a.messages.length > 0 && b.messages.length > 0 && v.messages.length > 0, 'sync');
    edit(a, (d) => d.getText('content').insert(0, 'apiVersion: v1\nkind: Pod\n'));
    await until(() => b.doc.getText('content').toString() === 'apiVersion: v1\nkind: Pod\n', 'b sees a\'s edit');
    await until(() => v.doc.getText('content').toString() === 'apiVersion: v1\nkind: Pod\n', 'the viewer sees it too');
    edit(v, (d) => d.getText('content').insert(0, '# vandal\n'));
    await until(() => v.denied().length > 0, 'permission denied');
    expect(v.denied()[0]).toBe('a view-only link cannot change documents');
    const notes = await connect(s, t.edit, 'notes');
    await until(() => notes.messages.length > 0, 'sync');
    edit(notes, (d) => d.getText('notes').insert(0, 'step 1: look at the events'));
    await new Promise((r) => setTimeout(r, 50));
    expect((await api(s, 'GET', '/api/files', t.view)).json.items).toEqual(['file:web.yaml', 'notes']);
    for (const c of [a, b, v, notes]) c.ws.close();
    await evict(s);
    const again = await connect(s, t.view, 'file:web.yaml');
    await until(() => again.doc.getText('content').toString() === 'apiVersion: v1\nkind: Pod\n', 'the stored file, without the viewer\'s change');
    const n2 = await connect(s, t.view, 'notes');
    await until(() => n2.doc.getText('notes').toString() === 'step 1: look at the events', 'the stored notes');
    again.ws.close();
    n2.ws.close();
    await expect(connect(s, t.edit, 'file:../../etc')).rejects.toThrow(/404/);
  });
});

describe('the activity feed', () => {
  it('says who did what through the API, in the room and in the cluster doc', async () => {
    const s = await create();
    const t = tokens(s);
    const c = await connect(s, t.view);
    await until(() => c.doc.getMap('nodes').size === 3, 'sync');
    const deploy = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } },
    };
    expect((await k8s(s, 'POST', '/apis/apps/v1/namespaces/default/deployments', t.edit, deploy, { 'x-kuberoom-name': 'ana' })).status).toBe(201);
    const scaled = await k8s(s, 'PATCH', '/apis/apps/v1/namespaces/default/deployments/web/scale', t.edit, { spec: { replicas: 5 } }, { 'x-kuberoom-name': 'ana', 'content-type': 'application/merge-patch+json' });
    expect(scaled.status).toBe(200);
    await k8s(s, 'POST', '/api/v1/namespaces/default/pods', t.owner, pod('solo'));
    await k8s(s, 'DELETE', '/api/v1/namespaces/default/pods/solo', t.owner);
    const feed = (await api(s, 'GET', '/api/activity', t.view)).json.items.map((e: { text: string }) => e.text);
    expect(feed).toEqual(['ana created deployment/web', 'ana scaled deployment/web to 5', 'the owner created pod/solo', 'the owner deleted pod/solo']);
    await until(() => c.doc.getArray('activity').length === 4, 'the feed in the doc');
    expect((c.doc.getArray('activity').get(1) as { text: string }).text).toBe('ana scaled deployment/web to 5');
    c.ws.close();
  });
});

describe('awareness', () => {
  it('a late close from an old socket does not drop the presence the new socket announced', () => {
    const host = new TestHost();
    const room = Room.create(host, { id: 'aw', nodes: 1 });
    room.presenceBatchMs = 0;
    const token = room.tokens().edit;
    const msg = (id: number, clock: number, state: string) => {
      const e = encoding.createEncoder();
      encoding.writeVarUint(e, 1);
      encoding.writeVarUint8Array(e, encodeAwareness([{ clientID: id, clock, state }]));
      return encoding.toUint8Array(e);
    };
    const old = host.connect(room, token);
    host.message(room, old, msg(7, 1, '{"user":{"name":"ana"}}'));
    // The client reconnects (new socket, same awareness id) before the old socket's close arrives.
    const fresh = host.connect(room, token);
    host.message(room, fresh, msg(7, 2, '{"user":{"name":"ana"}}'));
    old.close(1006, '');
    room.socketClosed(old, host.open.find((o) => o.socket === old)!.info);
    const watcher = host.connect(room, token);
    host.message(room, watcher, new Uint8Array([3]));
    const last = watcher.sent[watcher.sent.length - 1];
    expect(last[0]).toBe(1);
    expect(new TextDecoder().decode(last)).toContain('ana');
    // Once the new socket closes too, the presence goes.
    fresh.close(1000, '');
    room.socketClosed(fresh, host.open.find((o) => o.socket === fresh)!.info);
    host.message(room, watcher, new Uint8Array([3]));
    expect(new TextDecoder().decode(watcher.sent[watcher.sent.length - 1])).not.toContain('ana');
  });
});

describe('the cluster doc (projection)', () => {
  it('carries Deployments with their ReplicaSets, Services with their endpoints, and node conditions; live as they change', async () => {
    const s = await create();
    const t = tokens(s);
    const c = await connect(s, t.view);
    await until(() => c.doc.getMap('nodes').size === 3, 'sync');
    const node = c.doc.getMap('nodes').get('node-1') as { conditions: { type: string; status: string }[] };
    expect(node.conditions.find((x) => x.type === 'Ready')?.status).toBe('True');
    expect(node.conditions.map((x) => x.type)).toContain('MemoryPressure');
    await api(s, 'POST', '/api/clock', t.owner, { action: 'pause' });
    const labels = { app: 'web' };
    const deploy = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: { replicas: 2, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } },
    };
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: labels, ports: [{ port: 80 }] } };
    expect((await k8s(s, 'POST', '/apis/apps/v1/namespaces/default/deployments', t.edit, deploy)).status).toBe(201);
    expect((await k8s(s, 'POST', '/api/v1/namespaces/default/services', t.edit, svc)).status).toBe(201);
    await api(s, 'POST', '/api/clock', t.owner, { action: 'step', seconds: 30 });

    const workloads = () => Object.values(c.doc.getMap('workloads').toJSON()) as { kind: string; name: string; owner: string | null; desired: number; ready: number; revision: string }[];
    await until(() => workloads().some((w) => w.kind === 'Deployment' && w.ready === 2), 'the deployment ready in the doc');
    const rs = workloads().filter((w) => w.kind === 'ReplicaSet');
    expect(rs).toHaveLength(1);
    expect(rs[0]).toMatchObject({ owner: 'Deployment/web', desired: 2, ready: 2, revision: '1' });
    const pods = Object.values(c.doc.getMap('pods').toJSON()) as { name: string; owner: string; ip: string }[];
    expect(pods.filter((p) => p.owner === `ReplicaSet/${rs[0]!.name}`)).toHaveLength(2);
    expect(c.doc.getMap('services').get('default/web')).toMatchObject({ type: 'ClusterIP', ports: '80/TCP', selector: 'app=web' });
    const endpoints = () => Object.values(c.doc.getMap('endpoints').toJSON()) as { service: string; pod: string; ip: string; ready: boolean }[];
    await until(() => endpoints().filter((e) => e.service === 'default/web' && e.ready).length === 2, 'two ready endpoints');
    expect(endpoints().filter((e) => e.service === 'default/web').map((e) => e.ip).sort()).toEqual(pods.map((p) => p.ip).sort());

    // Scale down: one endpoint goes away, the ReplicaSet's desired count follows.
    await k8s(s, 'PATCH', '/apis/apps/v1/namespaces/default/deployments/web/scale', t.edit, { spec: { replicas: 1 } }, { 'content-type': 'application/merge-patch+json' });
    await api(s, 'POST', '/api/clock', t.owner, { action: 'step', seconds: 60 });
    await until(() => endpoints().filter((e) => e.service === 'default/web').length === 1, 'one endpoint left');
    expect(workloads().find((w) => w.kind === 'ReplicaSet')?.desired).toBe(1);

    // Deleting the Service removes it and its endpoints from the doc.
    await k8s(s, 'DELETE', '/api/v1/namespaces/default/services/web', t.edit);
    await until(() => !c.doc.getMap('services').has('default/web') && endpoints().every((e) => e.service !== 'default/web'), 'the service gone');
    c.ws.close();
  });
});
