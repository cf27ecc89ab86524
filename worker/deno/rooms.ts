import { AsyncLocalStorage } from 'node:async_hooks';
import { join } from 'node:path';
import type { RoomDirectory } from '../app.ts';
import type { AcceptedSocket } from '../k8s/exec.ts';
import { CLOSE_PROTOCOL, Room, type RoomHost, type RoomSocket, type SocketInfo } from '../room/room.ts';
import type { SandboxFile } from '../room/transfer.ts';
import { HeldSocket } from './socket.ts';
import { DenoSqliteStorage } from './storage.ts';

const json = (body: unknown, status: number) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const notFound = () => json({ error: 'no sandbox here: check the link' }, 404);

/** One loaded sandbox: its room and what the Durable Object runtime holds for it on Cloudflare. */
interface Held {
  room: Room;
  storage: DenoSqliteStorage;
  sockets: Map<HeldSocket, SocketInfo>;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * The Deno host's rooms: every sandbox in this one process, loaded from `<dataDir>/<id>.sqlite` on its
 * first request and kept. What the Durable Object runtime does per sandbox on Cloudflare is done here:
 * sockets are held in memory, the room's wake-up alarm is a timer, and an exec socket is upgraded from the
 * request being served (found through an AsyncLocalStorage, as the room's host interface takes no request).
 */
export class DenoRooms implements RoomDirectory {
  private held = new Map<string, Held>();
  private serving = new AsyncLocalStorage<Request>();

  constructor(readonly dataDir: string) {}

  private newHost(entry: Omit<Held, 'room'>): RoomHost {
    return {
      storage: entry.storage,
      wallNow: () => Date.now(),
      setAlarm: (at) => {
        if (entry.timer !== undefined) clearTimeout(entry.timer);
        entry.timer = undefined;
        if (at === null) return;
        entry.timer = setTimeout(() => {
          entry.timer = undefined;
          const room = (entry as Held).room;
          try {
            room?.alarm();
          } catch (e) {
            console.error('sandbox: tick failed', e);
          }
        }, Math.max(0, at - Date.now()));
      },
      sockets: () => {
        const out: { socket: RoomSocket; info: SocketInfo }[] = [];
        for (const [socket, info] of entry.sockets) if (socket.open) out.push({ socket, info });
        return out;
      },
      setSocketInfo: (socket, info) => {
        entry.sockets.set(socket as HeldSocket, info);
      },
      acceptSocket: (protocol) => {
        const req = this.serving.getStore();
        if (!req) throw new Error('acceptSocket outside a request');
        const { socket, response } = Deno.upgradeWebSocket(req, { protocol });
        return { socket: new HeldSocket(socket), response } satisfies AcceptedSocket;
      },
    };
  }

  /** The sandbox's room, loaded from disk on first use; undefined if there is no such sandbox. Throws if it cannot load. */
  private load(id: string): Held | undefined {
    const known = this.held.get(id);
    if (known) return known;
    const entry = { storage: new DenoSqliteStorage(join(this.dataDir, `${id}.sqlite`)), sockets: new Map(), timer: undefined } as Omit<Held, 'room'>;
    let room: Room | undefined;
    try {
      room = Room.load(this.newHost(entry));
    } catch (e) {
      entry.storage.close();
      throw e;
    }
    if (!room) {
      entry.storage.close();
      return undefined;
    }
    const held = Object.assign(entry, { room }) as Held;
    this.held.set(id, held);
    return held;
  }

  async create(id: string, nodes: number, file?: SandboxFile): Promise<Record<string, string>> {
    if (this.load(id)) throw new Error('sandbox exists');
    const entry = { storage: new DenoSqliteStorage(join(this.dataDir, `${id}.sqlite`)), sockets: new Map(), timer: undefined } as Omit<Held, 'room'>;
    try {
      const room = Room.create(this.newHost(entry), { id, nodes, import: file });
      this.held.set(id, Object.assign(entry, { room }) as Held);
      return room.tokens();
    } catch (e) {
      // A file that does not load leaves nothing behind.
      if (entry.timer !== undefined) clearTimeout(entry.timer);
      entry.storage.clear();
      entry.storage.close();
      await Deno.remove(entry.storage.path).catch(() => undefined);
      throw e;
    }
  }

  async fetch(id: string, req: Request): Promise<Response> {
    const url = new URL(req.url);
    const m = /^\/s\/[^/]+(\/.*)?$/.exec(url.pathname);
    const path = m?.[1] ?? '/';
    let held: Held | undefined;
    try {
      held = this.load(id);
    } catch (e) {
      console.error('sandbox: load failed', e);
      await req.body?.cancel().catch(() => undefined);
      return json({ error: 'this sandbox could not be loaded; its stored state was left untouched' }, 500);
    }
    if (!held) return notFound();
    const { room } = held;
    const sync = /^\/sync\/([^/]+)$/.exec(path);
    if (sync) {
      if (req.headers.get('upgrade')?.toLowerCase() !== 'websocket') return new Response('expected a WebSocket upgrade', { status: 426 });
      let doc = sync[1];
      try {
        doc = decodeURIComponent(doc);
      } catch {
        // left as it came: refused as an unknown document
      }
      const info = room.authorizeSocket(req, doc);
      if (info instanceof Response) return info;
      return this.acceptSync(held, req, info, url.searchParams.get('epoch'));
    }
    // An upgrade (kubectl exec) is accepted from the request Deno.serve handed over; the room reads a copy,
    // as Deno closes the original's body once it is upgraded. An upgrade carries no body.
    const upgrade = req.headers.get('upgrade')?.toLowerCase() === 'websocket';
    const seen = upgrade ? new Request(req.url, { method: req.method, headers: req.headers }) : req;
    const res = await this.serving.run(req, () => room.fetch(seen, path));
    if (room.deleted) await this.drop(id, held);
    return res;
  }

  /** A sync socket: held in memory with its info from the moment it opens until it closes. */
  private acceptSync(held: Held, req: Request, info: SocketInfo, epoch: string | null): Response {
    const { socket: ws, response } = Deno.upgradeWebSocket(req);
    const socket = new HeldSocket(ws);
    const current = () => (this.held.get(held.room.id) === held ? held.room : undefined);
    ws.addEventListener('open', () => {
      const room = current();
      if (!room) return ws.close(4404, 'sandbox gone');
      held.sockets.set(socket, info);
      room.socketOpened(socket, info, epoch);
    });
    ws.addEventListener('message', (ev: MessageEvent) => {
      const room = current();
      if (!room) return ws.close(4404, 'sandbox gone');
      try {
        room.socketMessage(socket, held.sockets.get(socket) ?? info, ev.data);
      } catch (e) {
        // A message the room could not handle closes that one socket; the room and the others go on.
        console.error('sandbox: socket message failed', e);
        ws.close(CLOSE_PROTOCOL, 'the server could not handle this message');
      }
    });
    const closed = () => {
      const last = held.sockets.get(socket);
      if (!last) return;
      held.sockets.delete(socket);
      current()?.socketClosed(socket, last);
    };
    ws.addEventListener('close', closed);
    ws.addEventListener('error', closed);
    return response;
  }

  /** A deleted sandbox: its sockets, timer and file go. */
  private async drop(id: string, held: Held): Promise<void> {
    this.held.delete(id);
    if (held.timer !== undefined) clearTimeout(held.timer);
    held.storage.close();
    for (const suffix of ['', '-wal', '-shm']) await Deno.remove(held.storage.path + suffix).catch(() => undefined);
  }

  /** Stops the timers and closes the databases (a clean shutdown; every write is already on disk). */
  close(): void {
    for (const held of this.held.values()) {
      if (held.timer !== undefined) clearTimeout(held.timer);
      held.storage.close();
    }
    this.held.clear();
  }
}
