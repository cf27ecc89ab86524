// 10,000+ random and mutated y-websocket frames at a room: it never throws, its state stays valid (storage
// loads into the same cluster), and a well-behaved client keeps syncing throughout.
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { Room } from '../../worker/room/room.ts';
import { encodeAwareness } from '../../worker/room/sync-protocol.ts';
import { podBody, roomFetch, TestHost, type FakeSocket } from './room-host.ts';

/** mulberry32: a seeded source, so a failure can be replayed. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function validFrames(r: () => number): Uint8Array[] {
  const doc = new Y.Doc();
  doc.getText('notes').insert(0, 'x'.repeat(Math.floor(r() * 20)));
  doc.getMap('pods').set('default/evil', { phase: 'Running' });
  const frame = (write: (e: encoding.Encoder) => void) => {
    const e = encoding.createEncoder();
    write(e);
    return encoding.toUint8Array(e);
  };
  return [
    frame((e) => {
      encoding.writeVarUint(e, 0);
      syncProtocol.writeSyncStep1(e, doc);
    }),
    frame((e) => {
      encoding.writeVarUint(e, 0);
      syncProtocol.writeSyncStep2(e, doc);
    }),
    frame((e) => {
      encoding.writeVarUint(e, 0);
      syncProtocol.writeUpdate(e, Y.encodeStateAsUpdate(doc));
    }),
    frame((e) => {
      encoding.writeVarUint(e, 1);
      encoding.writeVarUint8Array(e, encodeAwareness([{ clientID: Math.floor(r() * 1e6), clock: Math.floor(r() * 10), state: '{"user":{"name":"fuzz"}}' }]));
    }),
    new Uint8Array([3]),
  ];
}

function mutate(r: () => number, f: Uint8Array): Uint8Array | string {
  const out = [...f];
  switch (Math.floor(r() * 7)) {
    case 0:
      return new Uint8Array(out.slice(0, Math.floor(r() * out.length)));
    case 1:
      for (let i = 0; i < 1 + r() * 4; i++) out[Math.floor(r() * out.length)] = Math.floor(r() * 256);
      return new Uint8Array(out);
    case 2:
      return new Uint8Array([...out, ...Array.from({ length: 1 + Math.floor(r() * 16) }, () => Math.floor(r() * 256))]);
    case 3:
      return new Uint8Array(Array.from({ length: Math.floor(r() * 64) }, () => Math.floor(r() * 256)));
    case 4:
      // A huge length prefix with little behind it.
      return new Uint8Array([out[0] ?? 0, 2, 0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2, 3]);
    case 5:
      return 'text frame';
    default:
      return new Uint8Array(out);
  }
}

describe('fuzzing the sync endpoint', () => {
  it('survives 10,000 random and mutated frames on the cluster doc and a shared doc', async () => {
    const r = rng(20261123);
    const host = new TestHost();
    const room = Room.create(host, { id: 'fuzz', nodes: 3 });
    room.limits.messageBurst = 1e9;
    room.resetLimiters();
    const { edit, view } = room.tokens();
    const good = host.connect(room, view);
    const goodNotes = host.connect(room, edit, 'notes');
    const sockets: FakeSocket[] = [];
    const N = 10_500;
    let closes = 0;
    let frames = 0;
    for (let i = 0; i < N; i++) {
      let k = Math.floor(r() * 4);
      if (!sockets[k] || sockets[k].closed) {
        if (sockets[k]?.closed) closes++;
        sockets[k] = host.connect(room, r() < 0.5 ? edit : view, k % 2 ? 'notes' : 'cluster', true);
      }
      const valid = validFrames(r);
      const base = valid[Math.floor(r() * valid.length)];
      const frame = r() < 0.2 ? base : mutate(r, base);
      // host.message rethrows anything the room throws: a crash fails the test here.
      host.message(room, sockets[k], frame);
      frames++;
      if (i % 1000 === 0) {
        host.wall += 1000;
        room.alarm();
      }
    }
    expect(frames).toBeGreaterThanOrEqual(10_000);
    expect(closes).toBeGreaterThan(100);
    // The well-behaved clients were never closed and still sync.
    expect(good.closed).toBeUndefined();
    expect(goodNotes.closed).toBeUndefined();
    expect((await roomFetch(room, 'POST', '/k8s/api/v1/namespaces/default/pods', edit, podBody('after'))).status).toBe(201);
    expect(good.doc.getMap('pods').has('default/after')).toBe(true);
    // Nobody wrote the cluster doc: no pod the fuzzer tried to add.
    expect(room.clusterDoc.getMap('pods').has('default/evil')).toBe(false);
    // The state is valid: storage loads into the same cluster.
    const again = Room.load(new TestHost(host.storage.clone(), host.wall))!;
    expect(again.cluster.snapshot()).toEqual(room.cluster.snapshot());
  }, 120_000);
});
