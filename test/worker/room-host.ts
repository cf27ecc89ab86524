// A test host for a Room: memory storage, a wall clock the test moves, and fake sockets.
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { MemoryRoomStorage } from '../../worker/room/memory-storage.ts';
import { Room, type RoomHost, type RoomSocket, type SocketInfo } from '../../worker/room/room.ts';

export class FakeSocket implements RoomSocket {
  sent: Uint8Array[] = [];
  closed?: { code: number; reason: string };
  private ydoc?: Y.Doc;
  /** apply the server's sync messages to `doc`, as a client would (off: a socket that only sends) */
  follow = true;
  get doc(): Y.Doc {
    this.ydoc ??= new Y.Doc();
    return this.ydoc;
  }
  send(data: Uint8Array | string): void {
    if (this.closed) throw new Error('send after close');
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    this.sent.push(bytes);
    if (!this.follow) return;
    const d = decoding.createDecoder(bytes);
    if (decoding.readVarUint(d) !== 0) return;
    syncProtocol.readSyncMessage(d, encoding.createEncoder(), this.doc, 'server');
  }
  close(code: number, reason: string): void {
    this.closed ??= { code, reason };
  }
}

export class TestHost implements RoomHost {
  storage: MemoryRoomStorage;
  wall: number;
  alarm: number | null = null;
  open: { socket: FakeSocket; info: SocketInfo }[] = [];

  constructor(storage = new MemoryRoomStorage(), wall = Date.UTC(2026, 0, 1)) {
    this.storage = storage;
    this.wall = wall;
  }
  wallNow(): number {
    return this.wall;
  }
  setAlarm(at: number | null): void {
    this.alarm = at;
  }
  sockets() {
    if (this.open.length > 64) this.open = this.open.filter((s) => !s.socket.closed);
    return this.open.filter((s) => !s.socket.closed);
  }
  setSocketInfo(socket: RoomSocket, info: SocketInfo): void {
    const s = this.open.find((o) => o.socket === socket);
    if (s) s.info = info;
  }

  /** Opens a socket on the room as the Durable Object does. */
  connect(room: Room, token: string, doc = 'cluster', quiet = false): FakeSocket {
    const info = room.authorizeSocket(new Request(`https://t/s/x/sync/${doc}?token=${token}`), doc);
    if (info instanceof Response) throw new Error(`refused: ${info.status}`);
    const socket = new FakeSocket();
    socket.follow = !quiet;
    this.open.push({ socket, info });
    room.socketOpened(socket, info, null);
    if (quiet) return socket;
    // The client's own step 1, as y-websocket sends it on open: the server answers with everything it has.
    const e = encoding.createEncoder();
    encoding.writeVarUint(e, 0);
    syncProtocol.writeSyncStep1(e, socket.doc);
    this.message(room, socket, encoding.toUint8Array(e));
    return socket;
  }

  /** A message from a socket, as the Durable Object hands it over (exceptions close the socket). */
  message(room: Room, socket: FakeSocket, data: Uint8Array | string): void {
    const s = this.open.find((o) => o.socket === socket)!;
    if (socket.closed) return;
    try {
      room.socketMessage(socket, s.info, typeof data === 'string' ? data : (data.slice().buffer as ArrayBuffer));
    } catch (e) {
      socket.close(4400, 'the server could not handle this message');
      throw e;
    }
    if (socket.closed) room.socketClosed(socket, s.info);
  }
}

/** A request to a room's `/s/<id>` routes (`path` like `/k8s/api/v1/pods`). */
export async function roomFetch(room: Room, method: string, path: string, token: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await room.fetch(
    new Request(`https://t/s/x${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
    path,
  );
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, json };
}

export const podBody = (name: string, image = 'nginx') => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'app', image }] } });
