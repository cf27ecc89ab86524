import { DurableObject } from 'cloudflare:workers';
import { CLOSE_PROTOCOL, Room, type RoomHost, type RoomSocket, type SocketInfo } from '../room/room.ts';
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

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.storage = new SqliteRoomStorage(ctx.storage);
    // Keep-alive pings are answered by the runtime without waking a hibernating object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('ping', 'pong'));
    this.host = {
      storage: this.storage,
      wallNow: () => Date.now(),
      setAlarm: (at) => {
        if (at === null) void ctx.storage.deleteAlarm();
        else void ctx.storage.setAlarm(at);
      },
      sockets: () => ctx.getWebSockets().filter((ws) => ws.readyState === WebSocket.OPEN).map((ws) => ({ socket: ws as RoomSocket, info: ws.deserializeAttachment() as SocketInfo })),
      setSocketInfo: (socket, info) => (socket as WebSocket).serializeAttachment(info),
    };
  }

  private load(): Room | undefined {
    if (!this.loaded) {
      this.room = Room.load(this.host);
      this.loaded = true;
    }
    return this.room;
  }

  /** Called by the Worker when a sandbox is created. */
  async create(id: string, nodes: number): Promise<Record<string, string>> {
    if (this.load()) throw new Error('sandbox exists');
    this.room = Room.create(this.host, { id, nodes });
    this.loaded = true;
    return this.room.tokens();
  }

  async fetch(req: Request): Promise<Response> {
    const url = new URL(req.url);
    const m = /^\/s\/[^/]+(\/.*)?$/.exec(url.pathname);
    const path = m?.[1] ?? '/';
    const room = this.load();
    if (!room) return notFound();
    const sync = /^\/sync\/([^/]+)$/.exec(path);
    if (sync) {
      if (req.headers.get('upgrade')?.toLowerCase() !== 'websocket') return new Response('expected a WebSocket upgrade', { status: 426 });
      const info = room.authorizeSocket(req, sync[1]);
      if (info instanceof Response) return info;
      const pair = new WebSocketPair();
      const [client, server] = [pair[0], pair[1]];
      this.ctx.acceptWebSocket(server);
      server.serializeAttachment(info);
      room.socketOpened(server as RoomSocket, info, url.searchParams.get('epoch'));
      return new Response(null, { status: 101, webSocket: client });
    }
    return room.fetch(req, path);
  }

  async webSocketMessage(ws: WebSocket, message: ArrayBuffer | string): Promise<void> {
    const room = this.load();
    if (!room) {
      ws.close(CLOSE_PROTOCOL, 'sandbox gone');
      return;
    }
    room.socketMessage(ws as RoomSocket, ws.deserializeAttachment() as SocketInfo, message);
  }

  async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, reason);
    } catch {
      // already closed
    }
    this.load()?.socketClosed(ws as RoomSocket, ws.deserializeAttachment() as SocketInfo);
  }

  async webSocketError(ws: WebSocket): Promise<void> {
    this.load()?.socketClosed(ws as RoomSocket, ws.deserializeAttachment() as SocketInfo);
  }

  async alarm(): Promise<void> {
    this.load()?.alarm();
  }
}
