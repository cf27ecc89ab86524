import { NODES } from '../../sim/apiserver/resources.ts';
import { createCluster, restoreCluster } from '../../sim/bootstrap.ts';
import { Cluster } from '../../sim/cluster.ts';
import { RecordStore } from '../../sim/state/records.ts';
import { canWrite, randomToken, requestToken, ROLES, safeEqual, type Role } from '../auth.ts';
import { handleKubernetesRequest } from '../k8s/handler.ts';
import { kubeconfig } from '../kubeconfig.ts';
import { anchor, clockView, inUseUntil, MAX_SPEED, MIN_SPEED, newClock, virtualAt, type ClockState } from './clock.ts';
import { ClusterProjection } from './projection.ts';
import type { RoomStorage } from './storage.ts';
import {
  awarenessMessage,
  encodeAwareness,
  permissionDenied,
  ProtocolError,
  readClientMessage,
  syncStep1,
  updateMessage,
  type AwarenessEntry,
} from './sync-protocol.ts';

/** A connected browser, as the host holds it. */
export interface RoomSocket {
  send(data: Uint8Array | string): void;
  close(code: number, reason: string): void;
}

/** What the room remembers about a socket (kept by the host, e.g. as a hibernatable socket's attachment). */
export interface SocketInfo {
  role: Role;
  epoch: string;
  doc: 'cluster';
  /** awareness client ids this socket announced */
  awareness: number[];
}

/** What a room needs from its host: storage, wall time, a wake-up alarm and the open sockets. */
export interface RoomHost {
  storage: RoomStorage;
  wallNow(): number;
  setAlarm(atWallMs: number | null): void;
  sockets(): { socket: RoomSocket; info: SocketInfo }[];
  setSocketInfo(socket: RoomSocket, info: SocketInfo): void;
}

export interface CreateOptions {
  id: string;
  nodes: number;
}

interface RoomState {
  id: string;
  tokens: Record<Role, string>;
  clock: ClockState;
  createdAt: number;
}

/** Codes a sync socket is closed with. 4409: the doc changed identity, fetch the session and sync afresh. */
export const CLOSE_EPOCH = 4409;
export const CLOSE_PROTOCOL = 4400;
export const CLOSE_UNAUTHORIZED = 4401;

/** Answers a refused request after discarding its body (a body left unread would still be in flight). */
async function refuse(req: Request, res: Response): Promise<Response> {
  await req.body?.cancel().catch(() => undefined);
  return res;
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

/**
 * One sandbox: a cluster, its people and its clock. Host-independent: the Durable Object (or another host)
 * hands it requests, socket messages and alarms, and gives it storage.
 */
export class Room {
  readonly cluster: Cluster;
  private host: RoomHost;
  private state: RoomState;
  private projection: ClusterProjection;
  private awareness = new Map<number, AwarenessEntry>();
  private openWatches = 0;

  private constructor(host: RoomHost, cluster: Cluster, state: RoomState) {
    this.host = host;
    this.cluster = cluster;
    this.state = state;
    this.projection = this.newProjection();
  }

  /** Loads a room from its host's storage; undefined when no sandbox lives there. */
  static load(host: RoomHost): Room | undefined {
    const roomState = host.storage.loadRoomState();
    if (!roomState.id) return undefined;
    const records = new RecordStore();
    for (const r of host.storage.loadRecords()) records.load(r.table, r.key, JSON.parse(r.value));
    const cluster = restoreCluster(Cluster.fromRecords(records));
    // Restoring may settle queued work; keep what it changed.
    const room = new Room(host, cluster, roomState as unknown as RoomState);
    room.persist();
    return room;
  }

  static create(host: RoomHost, opts: CreateOptions): Room {
    const wall = host.wallNow();
    const cluster = createCluster({ seed: randomToken(16), startTime: wall, nodes: opts.nodes });
    const tokens = { owner: randomToken(), edit: randomToken(), view: randomToken() };
    const state: RoomState = { id: opts.id, tokens, clock: newClock(wall, cluster.now()), createdAt: wall };
    const room = new Room(host, cluster, state);
    room.persist(true);
    room.schedule();
    return room;
  }

  get id(): string {
    return this.state.id;
  }

  tokens(): Record<Role, string> {
    return { ...this.state.tokens };
  }

  private newProjection(): ClusterProjection {
    const p = new ClusterProjection(this.cluster, randomToken(9));
    this.cluster.store.subscribe((ev) => p.onStoreEvent(ev));
    p.doc.on('update', (update: Uint8Array) => this.broadcast(updateMessage(update), p.epoch));
    return p;
  }

  roleOf(token: string | undefined): Role | undefined {
    if (!token) return undefined;
    return ROLES.find((r) => safeEqual(this.state.tokens[r], token));
  }

  links(origin: string): Record<Role, string> {
    const out = {} as Record<Role, string>;
    for (const r of ROLES) out[r] = `${origin}/s/${this.state.id}#token=${this.state.tokens[r]}`;
    return out;
  }

  // ---- the clock ----

  /** People and programs keeping the room in use right now: sync sockets and open watches. */
  private socketCount(): number {
    return this.host.sockets().length + this.openWatches;
  }

  /** Brings the sim up to the wall clock (running every timer due on the way) and re-anchors the clock. */
  catchUp(): void {
    const wall = this.host.wallNow();
    const target = virtualAt(this.state.clock, wall, this.socketCount());
    if (target > this.cluster.now()) this.cluster.advanceTo(target);
    this.state.clock = anchor(this.state.clock, wall, this.cluster.now());
  }

  /** Schedules the next tick: when the next sim timer is due, while the room is in use and the clock runs. */
  schedule(): void {
    const c = this.state.clock;
    const wall = this.host.wallNow();
    const next = this.cluster.nextTimerAt();
    const until = inUseUntil(c, this.socketCount());
    if (c.paused || next === undefined || wall >= until) {
      // Nothing to run; an API request or a socket wakes the room again. While the room is in use with no timer, wake at the idle deadline to settle the clock.
      this.host.setAlarm(!c.paused && until !== Infinity && wall < until ? until : null);
      return;
    }
    const wait = Math.max(0, (next - this.cluster.now()) / c.speed);
    this.host.setAlarm(Math.min(wall + Math.max(wait, 20), until));
  }

  /** A tick: the alarm fired. */
  alarm(): void {
    this.catchUp();
    this.commit();
  }

  /** After any change: settle, write what changed, broadcast the doc changes, schedule the next tick. */
  private commit(roomChanged = true): void {
    this.cluster.settle();
    this.projection.setClock(clockView(this.state.clock, this.host.wallNow(), this.socketCount(), this.cluster.now()));
    this.projection.flush();
    this.persist(roomChanged);
    this.schedule();
  }

  private persist(roomChanged = false): void {
    const changes = this.cluster.records.drainChanges();
    this.host.storage.write(changes, roomChanged ? (this.state as unknown as Record<string, unknown>) : undefined);
  }

  clockState() {
    return clockView(this.state.clock, this.host.wallNow(), this.socketCount(), this.cluster.now());
  }

  /** `POST /api/clock`: pause, resume, step, speed. */
  private clockAction(body: unknown): Response {
    const b = (body ?? {}) as { action?: unknown; seconds?: unknown; factor?: unknown };
    this.catchUp();
    const wall = this.host.wallNow();
    switch (b.action) {
      case 'pause':
        this.state.clock = { ...anchor(this.state.clock, wall, this.cluster.now()), paused: true };
        break;
      case 'resume':
        this.state.clock = { ...anchor(this.state.clock, wall, this.cluster.now()), paused: false };
        break;
      case 'step': {
        const s = Number(b.seconds);
        if (!Number.isFinite(s) || s <= 0 || s > 7 * 24 * 3600) return json({ error: 'seconds must be a number between 0 and 604800' }, 400);
        this.cluster.advance(s * 1000);
        this.state.clock = anchor(this.state.clock, wall, this.cluster.now());
        break;
      }
      case 'speed': {
        const f = Number(b.factor);
        if (!Number.isFinite(f) || f < MIN_SPEED || f > MAX_SPEED) return json({ error: `factor must be between ${MIN_SPEED} and ${MAX_SPEED}` }, 400);
        this.state.clock = { ...anchor(this.state.clock, wall, this.cluster.now()), speed: f };
        break;
      }
      default:
        return json({ error: 'action must be one of pause, resume, step, speed' }, 400);
    }
    this.commit();
    return json(this.clockState());
  }

  // ---- HTTP ----

  /** Handles a request under `/s/<id>`; `path` is the rest (e.g. `/api/session`, `/k8s/api/v1/pods`). */
  async fetch(req: Request, path: string): Promise<Response> {
    if (path.startsWith('/k8s/') || path === '/k8s') return this.kubernetes(req, path);
    const role = this.roleOf(requestToken(req));
    if (!role) return refuse(req, json({ error: 'this link needs a valid token' }, 401));
    if (path === '/api/session' && req.method === 'GET') {
      this.touchApi();
      const origin = new URL(req.url).origin;
      return json({
        id: this.state.id,
        role,
        epoch: this.projection.epoch,
        clock: this.clockState(),
        kubeconfigUrl: `${origin}/s/${this.state.id}/kubeconfig?token=${this.state.tokens[role]}`,
        links: role === 'owner' ? this.links(origin) : undefined,
      });
    }
    if (path === '/api/clock' && req.method === 'POST') {
      if (!canWrite(role)) return refuse(req, json({ error: 'a view-only link cannot change the clock' }, 403));
      this.touchApi();
      let body: unknown;
      try {
        body = await req.json();
      } catch {
        return json({ error: 'the body must be JSON, e.g. {"action":"pause"}' }, 400);
      }
      return this.clockAction(body);
    }
    if (path === '/api/clock' && req.method === 'GET') return json(this.clockState());
    if (path === '/kubeconfig' && req.method === 'GET') {
      const origin = new URL(req.url).origin;
      return new Response(kubeconfig(origin, this.state.id, this.state.tokens[role], role), {
        headers: { 'content-type': 'application/yaml', 'content-disposition': `attachment; filename="kuberoom-${this.state.id.slice(0, 8)}.yaml"` },
      });
    }
    return json({ error: 'not found' }, 404);
  }

  /** An API request was made: the clock runs for the next ten minutes. */
  private touchApi(): void {
    this.catchUp();
    this.state.clock = { ...this.state.clock, lastApiAt: this.host.wallNow() };
  }

  private async kubernetes(req: Request, path: string): Promise<Response> {
    let rest = path.slice('/k8s'.length) || '/';
    let token = requestToken(req);
    const m = /^\/t\/([^/]+)(\/.*)?$/.exec(rest);
    if (m) {
      token = m[1];
      rest = m[2] ?? '/';
    }
    const role = this.roleOf(token);
    if (!role) {
      return refuse(req, json({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 }, 401));
    }
    this.touchApi();
    this.commit();
    return handleKubernetesRequest(req, rest, {
      cluster: this.cluster,
      user: { name: `kuberoom:${role}`, role },
      commit: async () => this.commit(false),
      watchOpened: () => {
        this.openWatches++;
      },
      watchClosed: () => {
        this.openWatches--;
      },
      maxBodyBytes: 1024 * 1024,
    });
  }

  // ---- sync over WebSocket ----

  /** Checks a sync socket's request; the info to attach to the socket, or the error response. */
  authorizeSocket(req: Request, doc: string): SocketInfo | Response {
    if (doc !== 'cluster') return json({ error: `no document ${doc}` }, 404);
    const role = this.roleOf(requestToken(req));
    if (!role) return json({ error: 'this link needs a valid token' }, 401);
    return { role, epoch: this.projection.epoch, doc: 'cluster', awareness: [] };
  }

  /** A socket was accepted: catch the clock up and start the sync (our step 1, the current awareness). */
  socketOpened(socket: RoomSocket, info: SocketInfo, requestedEpoch: string | null): void {
    this.catchUp();
    if (requestedEpoch && requestedEpoch !== this.projection.epoch) {
      socket.close(CLOSE_EPOCH, 'epoch');
      return;
    }
    socket.send(syncStep1(this.projection.doc));
    if (this.awareness.size) socket.send(awarenessMessage(encodeAwareness([...this.awareness.values()])));
    this.commit(true);
  }

  socketMessage(socket: RoomSocket, info: SocketInfo, data: ArrayBuffer | string): void {
    if (info.epoch !== this.projection.epoch) {
      // The doc was rebuilt (wake-up, restart or compaction): this client must drop its copy and resync.
      socket.close(CLOSE_EPOCH, 'epoch');
      return;
    }
    if (typeof data === 'string') {
      socket.close(CLOSE_PROTOCOL, 'text frames are not part of the sync protocol');
      return;
    }
    let msg;
    try {
      msg = readClientMessage(new Uint8Array(data), this.projection.doc);
    } catch (e) {
      socket.close(CLOSE_PROTOCOL, e instanceof ProtocolError ? e.message : 'malformed message');
      this.dropAwareness(info);
      return;
    }
    switch (msg.type) {
      case 'step1':
        socket.send(msg.reply);
        break;
      case 'write':
        // The cluster doc is the server's: a client's change is refused and the client told so.
        if (!msg.empty) socket.send(permissionDenied('the cluster doc is read-only: change the cluster through the Kubernetes API'));
        break;
      case 'awareness': {
        for (const a of msg.entries) {
          if (a.state === 'null') this.awareness.delete(a.clientID);
          else this.awareness.set(a.clientID, a);
          if (!info.awareness.includes(a.clientID)) {
            info.awareness = [...info.awareness, a.clientID].slice(-8);
            this.host.setSocketInfo(socket, info);
          }
        }
        this.broadcast(awarenessMessage(msg.update), this.projection.epoch, socket);
        break;
      }
      case 'queryAwareness':
        socket.send(awarenessMessage(encodeAwareness([...this.awareness.values()])));
        break;
    }
  }

  socketClosed(_socket: RoomSocket, info: SocketInfo): void {
    this.catchUp();
    this.dropAwareness(info);
    this.commit(true);
  }

  private dropAwareness(info: SocketInfo): void {
    const gone: AwarenessEntry[] = [];
    for (const id of info.awareness) {
      const a = this.awareness.get(id);
      if (!a) continue;
      this.awareness.delete(id);
      gone.push({ clientID: id, clock: a.clock + 1, state: 'null' });
    }
    if (gone.length) this.broadcast(awarenessMessage(encodeAwareness(gone)), this.projection.epoch);
  }

  private broadcast(data: Uint8Array, epoch: string, except?: RoomSocket): void {
    for (const { socket, info } of this.host.sockets()) {
      if (socket === except || info.epoch !== epoch) continue;
      try {
        socket.send(data);
      } catch {
        // A socket closing under us is dropped by its close event.
      }
    }
  }

  nodeCount(): number {
    return this.cluster.store.count(NODES);
  }
}
