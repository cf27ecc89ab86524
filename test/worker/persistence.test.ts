// The room over a memory storage that counts what is written: restore equals continue, storage cost grows
// with what changes, a failed load writes nothing, and the cluster doc is compacted under churn.
import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { MemoryRoomStorage } from '../../worker/room/memory-storage.ts';
import { Room } from '../../worker/room/room.ts';
import { podBody, roomFetch, TestHost } from './room-host.ts';

const crasher = (name: string) => ({
  ...podBody(name),
  spec: { containers: [{ name: 'app', image: 'kuberoom/demo', env: [{ name: 'CRASH_AFTER', value: '7s' }] }] },
});

/** What the storage holds, as a table → key → value map (to compare with the sim's own records). */
function stored(storage: MemoryRoomStorage): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const r of storage.loadRecords()) (out[r.table] ??= {})[r.key] = JSON.parse(r.value);
  return out;
}

describe('restore equals continue', () => {
  it('a room loaded from storage mid-run continues exactly like the one that ran on', async () => {
    const host = new TestHost();
    const room = Room.create(host, { id: 'a', nodes: 3 });
    const owner = room.tokens().owner;
    for (let i = 0; i < 4; i++) expect((await roomFetch(room, 'POST', '/k8s/api/v1/namespaces/default/pods', owner, i % 2 ? crasher(`c${i}`) : podBody(`p${i}`))).status).toBe(201);
    for (let i = 0; i < 7; i++) {
      host.wall += 3_000;
      room.alarm();
    }
    // Every acknowledged write and tick is in storage: the stored records are the sim's records.
    expect(stored(host.storage)).toEqual(JSON.parse(JSON.stringify(room.cluster.records.snapshot())));
    // "Evict": a second room from a copy of the storage, then the same inputs to both.
    const host2 = new TestHost(host.storage.clone(), host.wall);
    const again = Room.load(host2)!;
    expect(again.cluster.snapshot()).toEqual(room.cluster.snapshot());
    for (let i = 0; i < 40; i++) {
      host.wall += 2_500;
      host2.wall += 2_500;
      room.alarm();
      again.alarm();
      if (i === 10) {
        for (const r of [room, again]) expect((await roomFetch(r, 'POST', '/k8s/api/v1/namespaces/default/pods', owner, crasher('late'))).status).toBe(201);
      }
      if (i === 20) {
        for (const r of [room, again]) expect((await roomFetch(r, 'DELETE', '/k8s/api/v1/namespaces/default/pods/p0', owner)).status).toBe(200);
      }
    }
    const a = room.cluster.snapshot();
    expect(again.cluster.snapshot()).toEqual(a);
    // And the sim did move on: restarts happened and the deleted pod is gone.
    const pods = a.records as Record<string, Record<string, { metadata: { name: string }; status?: { containerStatuses?: { restartCount: number }[] } }>>;
    const podTable = Object.entries(pods).find(([t]) => t.includes('pods'))![1];
    expect(Object.values(podTable).map((p) => p.metadata.name).sort()).toEqual(['c1', 'c3', 'late', 'p2']);
    expect(podTable['default/c1'].status?.containerStatuses?.[0].restartCount).toBeGreaterThan(0);
  });

  it('an acknowledged write is in storage when its response arrives', async () => {
    const host = new TestHost();
    const room = Room.create(host, { id: 'b', nodes: 1 });
    const res = await roomFetch(room, 'POST', '/k8s/api/v1/namespaces/default/pods', room.tokens().edit, podBody('acked'));
    expect(res.status).toBe(201);
    const row = host.storage.loadRecords().find((r) => r.key === 'default/acked');
    expect(JSON.parse(row!.value).metadata.uid).toBe(res.json.metadata.uid);
  });
});

describe('storage cost grows with what changes', () => {
  it('a tick that changes one pod writes a handful of rows, not the whole state', async () => {
    const host = new TestHost();
    const room = Room.create(host, { id: 'c', nodes: 3 });
    const owner = room.tokens().owner;
    for (let i = 0; i < 60; i++) await roomFetch(room, 'POST', '/k8s/api/v1/namespaces/default/pods', owner, podBody(`p${i}`));
    for (let i = 0; i < 30; i++) {
      host.wall += 2_000;
      room.alarm();
    }
    const total = host.storage.records.size;
    expect(total).toBeGreaterThan(150);
    await roomFetch(room, 'POST', '/k8s/api/v1/namespaces/default/pods', owner, podBody('one'));
    let max = 0;
    let ticks = 0;
    for (let i = 0; i < 30; i++) {
      host.storage.rowsWritten = 0;
      host.wall += 1_000;
      room.alarm();
      if (host.storage.rowsWritten > 0) ticks++;
      max = Math.max(max, host.storage.rowsWritten);
    }
    expect(ticks).toBeGreaterThan(0);
    expect(max).toBeLessThan(25);
    expect(max).toBeLessThan(total / 10);
  });
});

describe('a failed or partial load never overwrites stored state', () => {
  it('a corrupt record makes the load fail loudly and write nothing', () => {
    const host = new TestHost();
    Room.create(host, { id: 'd', nodes: 2 });
    const broken = host.storage.clone();
    const key = [...broken.records.keys()].find((k) => k.includes('node-1'))!;
    broken.records.set(key, { ...broken.records.get(key)!, value: '{"metadata": {"name": "node-1"' });
    const before = JSON.stringify([...broken.records], null, 0) + JSON.stringify([...broken.room]);
    broken.rowsWritten = 0;
    expect(() => Room.load(new TestHost(broken))).toThrow(/stored record .*node-1 is corrupt; refusing to load/);
    expect(broken.rowsWritten).toBe(0);
    expect(JSON.stringify([...broken.records], null, 0) + JSON.stringify([...broken.room])).toBe(before);
  });

  it('a state missing the sim\'s random source fails the load and writes nothing', () => {
    const host = new TestHost();
    Room.create(host, { id: 'e', nodes: 2 });
    const partial = host.storage.clone();
    for (const k of [...partial.records.keys()]) if (k.startsWith('meta\u0000rng')) partial.records.delete(k);
    const count = partial.records.size;
    partial.rowsWritten = 0;
    expect(() => Room.load(new TestHost(partial))).toThrow(/random source/);
    expect(partial.rowsWritten).toBe(0);
    expect(partial.records.size).toBe(count);
  });
});

describe('cluster doc compaction', () => {
  it('an hour of pod churn stays bounded: fresh docs under new epochs, clients adopt them (4409) and match the server', async () => {
    const host = new TestHost();
    const room = Room.create(host, { id: 'f', nodes: 3 });
    room.docBound = { factor: 4, floor: 8 * 1024 };
    const owner = room.tokens().owner;
    const fresh = Y.encodeStateAsUpdate(room.clusterDoc).byteLength;
    let client = host.connect(room, owner);
    const epochs = new Set([room.epoch]);
    let adopted = 0;
    let maxSize = 0;
    let bound = Math.max(4 * fresh, 8 * 1024);
    let maxBound = bound;
    let maxTick = 0;
    // One simulated hour: every 30 s two pods are created and two older ones deleted.
    for (let i = 0; i < 120; i++) {
      const beforeTick = Y.encodeStateAsUpdate(room.clusterDoc).byteLength;
      for (const j of [2 * i, 2 * i + 1]) {
        await roomFetch(room, 'POST', '/k8s/api/v1/namespaces/default/pods', owner, podBody(`churn-${j}`));
        if (j >= 10) await roomFetch(room, 'DELETE', `/k8s/api/v1/namespaces/default/pods/churn-${j - 10}?gracePeriodSeconds=0`, owner);
      }
      host.wall += 30_000;
      room.alarm();
      const size = Y.encodeStateAsUpdate(room.clusterDoc).byteLength;
      if (!client.closed) maxTick = Math.max(maxTick, size - beforeTick);
      if (client.closed) {
        bound = Math.max(4 * size, 8 * 1024);
        maxBound = Math.max(maxBound, bound);
        expect(client.closed).toEqual({ code: 4409, reason: 'epoch' });
        epochs.add(room.epoch);
        client = host.connect(room, owner);
        adopted++;
      } else maxSize = Math.max(maxSize, size - bound);
    }
    expect(adopted).toBeGreaterThan(0);
    expect(epochs.size).toBe(adopted + 1);
    // Never past its bound (4x the fresh doc of its epoch, at least 8 KiB) by more than one round's growth.
    expect(maxSize).toBeLessThanOrEqual(Math.max(maxTick, 2 * 1024));
    expect(maxBound).toBeLessThan(64 * 1024);
    // The client holds exactly the server's pods.
    const serverPods = [...room.clusterDoc.getMap('pods').keys()].sort();
    expect([...client.doc.getMap('pods').keys()].sort()).toEqual(serverPods);
    expect(serverPods.length).toBeGreaterThanOrEqual(10);
    expect(fresh).toBeGreaterThan(0);
  }, 60_000);

  it('a client on an old epoch cannot bring deleted state back', async () => {
    const host = new TestHost();
    const room = Room.create(host, { id: 'g', nodes: 2 });
    const owner = room.tokens().owner;
    await roomFetch(room, 'POST', '/k8s/api/v1/namespaces/default/pods', owner, podBody('gone'));
    // The old client syncs fully, then the pod is deleted and the doc rebuilt.
    const old = host.connect(room, owner);
    expect(old.doc.getMap('pods').has('default/gone')).toBe(true);
    await roomFetch(room, 'DELETE', '/k8s/api/v1/namespaces/default/pods/gone?gracePeriodSeconds=0', owner);
    room.rebuildDoc();
    expect(old.closed?.code).toBe(4409);
    // Its full state sent as an update (what a stale client would push) changes nothing.
    const stale = host.connect(room, owner);
    const update = Y.encodeStateAsUpdate(old.doc);
    host.message(room, stale, new Uint8Array([0, 2, ...encodeVarBytes(update)]));
    expect(room.clusterDoc.getMap('pods').has('default/gone')).toBe(false);
  });
});

function encodeVarBytes(b: Uint8Array): number[] {
  const out: number[] = [];
  let n = b.length;
  while (n > 127) {
    out.push((n & 127) | 128);
    n >>>= 7;
  }
  out.push(n);
  return [...out, ...b];
}
