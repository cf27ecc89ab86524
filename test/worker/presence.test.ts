// Presence without a heartbeat, keep-alive pings that do not wake the room, and the room's idle rule.
import { runInDurableObject } from 'cloudflare:test';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { describe, expect, it } from 'vitest';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as Y from 'yjs';
import { Room } from '../../worker/room/room.ts';
import { encodeAwareness } from '../../worker/room/sync-protocol.ts';
import { call, create, stubOf, tokens, until } from './helpers.ts';
import { TestHost, podBody, roomFetch, type FakeSocket } from './room-host.ts';

const awarenessFrame = (id: number, clock: number, state: unknown) => {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, 1);
  encoding.writeVarUint8Array(e, encodeAwareness([{ clientID: id, clock, state: JSON.stringify(state) }]));
  return encoding.toUint8Array(e);
};

/** A peer's view of the presence: a real y-protocols Awareness fed with what the server sent this socket. */
function peerView(socket: FakeSocket): awarenessProtocol.Awareness {
  const aw = new awarenessProtocol.Awareness(new Y.Doc());
  aw.setLocalState(null);
  for (const m of socket.sent) {
    const d = decoding.createDecoder(m);
    if (decoding.readVarUint(d) !== 1) continue;
    awarenessProtocol.applyAwarenessUpdate(aw, decoding.readVarUint8Array(d), 'server');
  }
  return aw;
}

const awarenessFrames = (s: FakeSocket) => s.sent.filter((m) => m[0] === 1).length;

describe('presence carries no heartbeat', () => {
  it('a renewal of an unchanged state is not relayed and writes nothing; a change is relayed', () => {
    const host = new TestHost();
    const room = Room.create(host, { id: 'p', nodes: 1 });
    room.presenceBatchMs = 0;
    const t = room.tokens();
    const ana = host.connect(room, t.edit);
    const bob = host.connect(room, t.view);
    host.message(room, ana, awarenessFrame(11, 1, { user: { name: 'ana' }, view: 'board' }));
    expect(peerView(bob).getStates().get(11)).toEqual({ user: { name: 'ana' }, view: 'board' });
    const framesBefore = awarenessFrames(bob);
    const alarm = host.alarm;
    host.storage.rowsWritten = 0;
    // y-protocols renews every 15 s with the next clock and the same state: 20 minutes of it.
    for (let i = 2; i < 82; i++) {
      host.wall += 15_000;
      host.message(room, ana, awarenessFrame(11, i, { user: { name: 'ana' }, view: 'board' }));
    }
    expect(awarenessFrames(bob)).toBe(framesBefore);
    // A stock y-websocket client sends back every state it receives: the echo goes nowhere.
    const anaFrames = awarenessFrames(ana);
    host.message(room, bob, awarenessFrame(11, 81, { user: { name: 'ana' }, view: 'board' }));
    expect(awarenessFrames(ana)).toBe(anaFrames);
    expect(bob.closed).toBeUndefined();
    expect(host.storage.rowsWritten).toBe(0);
    expect(host.alarm).toBe(alarm);
    // A real change goes out, with a clock the peer accepts.
    host.message(room, ana, awarenessFrame(11, 82, { user: { name: 'ana' }, view: 'pod default/web' }));
    expect(awarenessFrames(bob)).toBe(framesBefore + 1);
    expect(peerView(bob).getStates().get(11)).toEqual({ user: { name: 'ana' }, view: 'pod default/web' });
    expect(ana.closed).toBeUndefined();
  });

  it('a class joining at once: the presence changes of a moment go out as one message per socket', async () => {
    const host = new TestHost();
    const room = Room.create(host, { id: 'pb', nodes: 1 });
    const t = room.tokens();
    const people = Array.from({ length: 30 }, () => host.connect(room, t.edit));
    const before = people.map(awarenessFrames);
    people.forEach((p, i) => host.message(room, p, awarenessFrame(100 + i, 1, { user: { name: `s${i}` } })));
    await new Promise((r) => setTimeout(r, room.presenceBatchMs + 50));
    people.forEach((p, i) => {
      expect(awarenessFrames(p) - before[i]).toBe(1);
      const view = peerView(p);
      // Everyone else, and not an echo of oneself.
      expect(view.getStates().size).toBe(29);
      expect(view.getStates().has(100 + i)).toBe(false);
    });
  });

  it('a person leaves when their socket closes; back with an old clock, peers see them again at once', () => {
    const host = new TestHost();
    const room = Room.create(host, { id: 'p2', nodes: 1 });
    room.presenceBatchMs = 0;
    const t = room.tokens();
    const bob = host.connect(room, t.view);
    const ana = host.connect(room, t.edit);
    host.message(room, ana, awarenessFrame(7, 3, { user: { name: 'ana' } }));
    expect(peerView(bob).getStates().has(7)).toBe(true);
    ana.close(1006, '');
    room.socketClosed(ana, host.open.find((o) => o.socket === ana)!.info);
    expect(peerView(bob).getStates().has(7)).toBe(false);
    // Her provider reconnects and announces the same state with the same clock it had.
    const again = host.connect(room, t.edit);
    host.message(room, again, awarenessFrame(7, 3, { user: { name: 'ana' } }));
    expect(peerView(bob).getStates().get(7)).toEqual({ user: { name: 'ana' } });
    // A later change of hers still reaches the peer.
    host.message(room, again, awarenessFrame(7, 4, { user: { name: 'ana' }, view: 'nodes' }));
    expect(peerView(bob).getStates().get(7)).toEqual({ user: { name: 'ana' }, view: 'nodes' });
  });

  it('after a wake-up the room still knows who is there (from the sockets\' attachments)', () => {
    const host = new TestHost();
    const room = Room.create(host, { id: 'p3', nodes: 1 });
    room.presenceBatchMs = 0;
    const t = room.tokens();
    const ana = host.connect(room, t.edit, 'notes');
    host.message(room, ana, awarenessFrame(21, 1, { user: { name: 'ana' } }));
    // The object hibernates: memory is gone, storage and sockets (with their attachments) stay.
    const woken = Room.load(host)!;
    const bob = host.connect(woken, t.edit, 'notes');
    expect(peerView(bob).getStates().get(21)).toEqual({ user: { name: 'ana' } });
  });

  it('after a wake-up, cluster sockets of the old epoch are sent to resync (4409); a new socket gets changes', async () => {
    const host = new TestHost();
    const room = Room.create(host, { id: 'p3b', nodes: 1 });
    const t = room.tokens();
    const old = host.connect(room, t.view);
    const notes = host.connect(room, t.edit, 'notes');
    const woken = Room.load(host)!;
    expect(old.closed).toEqual({ code: 4409, reason: 'epoch' });
    expect(notes.closed).toBeUndefined();
    const fresh = host.connect(woken, t.view);
    await roomFetch(woken, 'POST', '/k8s/api/v1/namespaces/default/pods', t.edit, podBody('after-wake'));
    expect(fresh.doc.getMap('pods').has('default/after-wake')).toBe(true);
  });

  it('a keep-alive ping is answered and is not activity: no storage, no clock', () => {
    const host = new TestHost();
    const room = Room.create(host, { id: 'p4', nodes: 1 });
    room.presenceBatchMs = 0;
    const c = host.connect(room, room.tokens().view);
    host.storage.rowsWritten = 0;
    const alarm = host.alarm;
    host.wall += 20_000;
    host.message(room, c, 'ping');
    expect(new TextDecoder().decode(c.sent[c.sent.length - 1])).toBe('pong');
    expect(c.closed).toBeUndefined();
    expect(host.storage.rowsWritten).toBe(0);
    expect(host.alarm).toBe(alarm);
  });

  it('the idle rule holds: a connected browser keeps the clock running, none for ten minutes lets it stop', () => {
    const host = new TestHost();
    const room = Room.create(host, { id: 'p5', nodes: 1 });
    const t0 = room.cluster.now();
    const c = host.connect(room, room.tokens().view);
    host.wall += 30 * 60_000;
    room.alarm();
    // Connected (only pings and no renewals for half an hour): still in use, the clock ran.
    expect(room.clockState().idle).toBe(false);
    expect(room.cluster.now() - t0).toBeGreaterThanOrEqual(30 * 60_000);
    c.close(1000, '');
    room.socketClosed(c, host.open.find((o) => o.socket === c)!.info);
    const left = room.cluster.now();
    host.wall += 60 * 60_000;
    room.alarm();
    expect(room.clockState().idle).toBe(true);
    // The last API request was half an hour ago: the clock stopped when the browser left.
    expect(room.cluster.now() - left).toBeLessThan(1000);
    // A week later a browser (a reconnecting provider, no API request first) finds it as it was left.
    host.wall += 7 * 24 * 3600_000;
    host.connect(room, room.tokens().view);
    expect(room.cluster.now() - left).toBeLessThan(1000);
    expect(room.clockState().idle).toBe(false);
  });
});

describe('keep-alive in the Durable Object', () => {
  it('the runtime answers ping with pong by auto-response, without the room', async () => {
    const s = await create();
    const t = tokens(s);
    const res = await call(`/s/${s.id}/sync/cluster?token=${t.view}`, { headers: { upgrade: 'websocket' } });
    expect(res.status).toBe(101);
    const ws = res.webSocket!;
    ws.accept();
    const texts: string[] = [];
    ws.addEventListener('message', (e) => {
      if (typeof e.data === 'string') texts.push(e.data);
    });
    ws.send('ping');
    await until(() => texts.includes('pong'), 'pong');
    // The pair is the runtime's: it answers while the object hibernates (the room never sees the ping).
    const pair = await runInDurableObject(stubOf(s), (_i, state) => state.getWebSocketAutoResponse());
    expect({ request: pair?.request, response: pair?.response }).toEqual({ request: 'ping', response: 'pong' });
    expect(ws.readyState).toBe(WebSocket.OPEN);
    ws.close();
  });
});

describe('echoes from stock y-websocket clients', () => {
  it('a socket that sends back another person’s state does not take it over: it still hears that person’s changes, and its close does not make them leave', () => {
    const host = new TestHost();
    const room = Room.create(host, { id: 'echo', nodes: 1 });
    room.presenceBatchMs = 0;
    const t = room.tokens();
    const ana = host.connect(room, t.owner);
    const bob = host.connect(room, t.edit);
    const cy = host.connect(room, t.view);
    host.message(room, ana, awarenessFrame(21, 1, { user: { name: 'ana' }, view: 'map' }));
    // Bob's client announces itself and sends back Ana's state, as y-websocket does.
    host.message(room, bob, awarenessFrame(22, 1, { user: { name: 'bob' } }));
    host.message(room, bob, awarenessFrame(21, 1, { user: { name: 'ana' }, view: 'map' }));
    // Ana follows another view: Bob hears it.
    host.message(room, ana, awarenessFrame(21, 2, { user: { name: 'ana' }, view: 'files' }));
    expect(peerView(bob).getStates().get(21)).toEqual({ user: { name: 'ana' }, view: 'files' });
    // Bob leaves: Cy sees Bob go and Ana stay.
    const held = host.open.find((o) => o.socket === bob)!;
    host.open = host.open.filter((o) => o !== held);
    bob.close(1000, 'bye');
    room.socketClosed(bob, held.info);
    const seen = peerView(cy).getStates();
    expect(seen.has(22)).toBe(false);
    expect(seen.get(21)).toEqual({ user: { name: 'ana' }, view: 'files' });
  });
});
