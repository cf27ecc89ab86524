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
