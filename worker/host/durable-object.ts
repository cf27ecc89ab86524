import { DurableObject } from 'cloudflare:workers';
import type { AcceptedSocket } from '../k8s/exec.ts';
import { CLOSE_PROTOCOL, Room, type RoomHost, type RoomSocket, type SocketInfo } from '../room/room.ts';
import type { SandboxFile } from '../room/transfer.ts';
import { SqliteRoomStorage } from './sqlite-storage.ts';

const notFound = () => new Response(JSON.stringify({ error: 'no sandbox here: check the link' }), { status: 404, headers: { 'content-type': 'application/json' } });

/**
 * The Cloudflare host of one sandbox: a thin adapter from the Durable Object's storage, hibernatable
 * WebSockets and alarm to the host-independent Room.
 */
export class Sandbox extends DurableObject<Env> {
  private room: Room | undefined;
  private loaded = false;
  private storage: SqliteRoomStorage;
  private host: RoomHost;
  /**
   * The sync sockets and their attachments, read once from the runtime after a wake-up and kept up to date
   * on accept, attachment change and close: the room asks for them several times per request, and
   * deserializing 100 attachments each time costs more than the request itself.
   */
  private socketCache: Map<WebSocket, SocketInfo> | undefined;
  /** The alarm as last set by this instance (undefined: unknown after a wake-up). */
  private alarmAt: number | null | undefined;
  private inAlarm = false;
  private pendingAlarm: number | null | undefined;

  private syncSockets(): Map<WebSocket, SocketInfo> {
    if (!this.socketCache) {
      this.socketCache = new Map();
      for (const ws of this.ctx.getWebSockets()) {
        const info = ws.deserializeAttachment() as SocketInfo | null;
        // Only sync sockets carry a SocketInfo with a doc (other upgrades, e.g. exec, are not counted).
        if (info && typeof info === 'object' && typeof info.doc === 'string') this.socketCache.set(ws, info);
      }
    }
    return this.socketCache;
  }

  /** A socket's info: from the cache, else its attachment. */
  private infoOf(ws: WebSocket): SocketInfo {
    return this.syncSockets().get(ws) ?? (ws.deserializeAttachment() as SocketInfo);
  }

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.storage = new SqliteRoomStorage(ctx.storage);
    // Keep-alive pings are answered by the runtime without waking a hibernating object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('ping', 'pong'));
    this.host = {
      storage: this.storage,
      wallNow: () => Date.now(),
      // kubectl exec: a plain (not hibernatable) socket pair that lives as long as the session.
      acceptSocket: (protocol) => {
        const pair = new WebSocketPair();
        const server = pair[1];
        server.accept();
        server.binaryType = 'arraybuffer';
        return {
          socket: server as unknown as AcceptedSocket['socket'],
          response: new Response(null, { status: 101, webSocket: pair[0], headers: { 'sec-websocket-protocol': protocol } }),
        };
      },
      setAlarm: (at) => {
        if (this.inAlarm) {
          this.pendingAlarm = at;
          return;
        }
        // Each alarm write is a storage operation the output gate waits for: only real changes are written
        // (a few ms either way do not matter).
        if (at === null) {
          if (this.alarmAt === null) return;
          this.alarmAt = null;
          void ctx.storage.deleteAlarm();
          return;
        }
        if (this.alarmAt !== undefined && this.alarmAt !== null && Math.abs(this.alarmAt - at) < 50) return;
        this.alarmAt = at;
        void ctx.storage.setAlarm(at);
      },
      sockets: () => {
        const out: { socket: RoomSocket; info: SocketInfo }[] = [];
        for (const [ws, info] of this.syncSockets()) {
          if (ws.readyState === WebSocket.OPEN) out.push({ socket: ws as RoomSocket, info });
          else if (ws.readyState === WebSocket.CLOSED) this.socketCache?.delete(ws);
        }
        return out;
      },
      setSocketInfo: (socket, info) => {
        (socket as WebSocket).serializeAttachment(info);
        this.syncSockets().set(socket as WebSocket, info);
      },
    };
  }

  private load(): Room | undefined {
    if (!this.loaded) {
      this.room = Room.load(this.host);
      this.loaded = true;
    }
    return this.room;
  }

  /** Called by the Worker when a sandbox is created (from an exported file for an import or a fork). */
  async create(id: string, nodes: number, file?: SandboxFile): Promise<Record<string, string>> {
    if (this.load()) throw new Error('sandbox exists');
    this.room = Room.create(this.host, { id, nodes, import: file });
    this.loaded = true;
    return this.room.tokens();
  }

  async fetch(req: Request): Promise<Response> {
    const url = new URL(req.url);
    const m = /^\/s\/[^/]+(\/.*)?$/.exec(url.pathname);
    const path = m?.[1] ?? '/';
    let room: Room | undefined;
    try {
      room = this.load();
    } catch (e) {
      // A corrupt or partial state: nothing was written, the stored state stays as it is.
      console.error('sandbox: load failed', e);
      await req.body?.cancel().catch(() => undefined);
      return new Response(JSON.stringify({ error: 'this sandbox could not be loaded; its stored state was left untouched' }), { status: 500, headers: { 'content-type': 'application/json' } });
    }
    if (!room) return notFound();
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
      const pair = new WebSocketPair();
      const [client, server] = [pair[0], pair[1]];
      this.ctx.acceptWebSocket(server);
      server.serializeAttachment(info);
      this.syncSockets().set(server, info);
      room.socketOpened(server as RoomSocket, info, url.searchParams.get('epoch'));
      return new Response(null, { status: 101, webSocket: client });
    }
    const res = await room.fetch(req, path);
    if (room.deleted) this.room = undefined;
    return res;
  }

  async webSocketMessage(ws: WebSocket, message: ArrayBuffer | string): Promise<void> {
    const room = this.load();
    if (!room) {
      ws.close(4404, 'sandbox gone');
      return;
    }
    // Loading may have sent this socket to resync (an old epoch after hibernation): nothing more to do.
    if (ws.readyState !== WebSocket.OPEN) return;
    try {
      room.socketMessage(ws as RoomSocket, this.infoOf(ws), message);
    } catch (e) {
      // A message the room could not handle closes that one socket; the room and the others go on.
      console.error('sandbox: socket message failed', e);
      ws.close(CLOSE_PROTOCOL, 'the server could not handle this message');
    }
  }

  async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, reason);
    } catch {
      // already closed
    }
    const info = this.infoOf(ws);
    this.socketCache?.delete(ws);
    this.load()?.socketClosed(ws as RoomSocket, info);
  }

  async webSocketError(ws: WebSocket): Promise<void> {
    const info = this.infoOf(ws);
    this.socketCache?.delete(ws);
    this.load()?.socketClosed(ws as RoomSocket, info);
  }

  async alarm(): Promise<void> {
    this.alarmAt = undefined;
    this.inAlarm = true;
    try {
      this.load()?.alarm();
    } finally {
      this.inAlarm = false;
    }
    // The next alarm, set once the handler's work is done (not from inside the tick).
    const next = this.pendingAlarm;
    this.pendingAlarm = undefined;
    if (next !== undefined) this.host.setAlarm(next);
  }
}
