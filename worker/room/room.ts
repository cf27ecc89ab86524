import * as Y from 'yjs';
import { forbidden, tooManyRequests } from '../../sim/apiserver/errors.ts';
import { NODES } from '../../sim/apiserver/resources.ts';
import { createCluster, restoreCluster } from '../../sim/bootstrap.ts';
import { parseScenario, saveScenario, scenarioOf, scenarioStatus, ScenarioError } from '../../sim/scenarios/index.ts';
import { Cluster } from '../../sim/cluster.ts';
import { RecordStore } from '../../sim/state/records.ts';
import { canWrite, randomToken, requestToken, ROLES, safeEqual, type Role } from '../auth.ts';
import { handleKubernetesRequest } from '../k8s/handler.ts';
import { execUpgrade, type AcceptedSocket } from '../k8s/exec.ts';
import { parsePath, type ResourceRoute } from '../k8s/paths.ts';
import { errorResponse } from '../k8s/responses.ts';
import { kubeconfig } from '../kubeconfig.ts';
import { ACTIVITY_KEEP, describeWrite, displayName, type ActivityEntry } from './activity.ts';
import { isSharedDocName, SharedDocs } from './docs.ts';
import { Presence } from './presence.ts';
import { checkQuota, LIMITS, RateLimiter } from './limits.ts';
import { fromBase64, SANDBOX_FILE_FORMAT, toBase64, type SandboxFile } from './transfer.ts';
import { anchor, clockView, inUseUntil, MAX_SPEED, MIN_SPEED, newClock, virtualAt, type ClockState } from './clock.ts';
import { ClusterProjection } from './projection.ts';
import { sandboxHttp } from '../../sim/network/http.ts';
import { handleFaults } from './faults.ts';
import type { RoomStorage, StoredRecord } from './storage.ts';
import {
  awarenessMessage,
  encodeAwareness,
  permissionDenied,
  ProtocolError,
  readClientMessage,
  syncStep1,
  updateMessage,
  type AwarenessEntry,
  KEEPALIVE_PING,
  KEEPALIVE_PONG,
} from './sync-protocol.ts';

/** A connected browser, as the host holds it. */
export interface RoomSocket {
  send(data: Uint8Array | string): void;
  close(code: number, reason: string): void;
}

/** What the room remembers about a socket (kept by the host, e.g. as a hibernatable socket's attachment). */
export interface SocketInfo {
  role: Role;
  /** the cluster doc's epoch it synced ('' for a shared doc) */
  epoch: string;
  /** `cluster`, or a shared doc: `notes`, `file:<name>` */
  doc: string;
  /** awareness client ids this socket announced */
  awareness: number[];
  /** the presence states it announced, as peers last saw them: a room woken from hibernation still knows them */
  presence?: AwarenessEntry[];
  /** its role's token generation when it connected: a rotated token closes it */
  gen?: number;
  /** display name (`?name=`), for the activity feed */
  name?: string;
}

/** What a room needs from its host: storage, wall time, a wake-up alarm and the open sockets. */
export interface RoomHost {
  storage: RoomStorage;
  wallNow(): number;
  setAlarm(atWallMs: number | null): void;
  sockets(): { socket: RoomSocket; info: SocketInfo }[];
  setSocketInfo(socket: RoomSocket, info: SocketInfo): void;
  /** Accepts a short-lived WebSocket (kubectl exec) outside the sync sockets; a host without it refuses exec. */
  acceptSocket?(protocol: string): AcceptedSocket;
}

export interface CreateOptions {
  id: string;
  nodes: number;
  /** start from an exported sandbox (import, fork) instead of a new cluster */
  import?: SandboxFile;
}

interface RoomState {
  id: string;
  tokens: Record<Role, string>;
  clock: ClockState;
  createdAt: number;
  /** token generation per role, bumped by a rotation */
  gens?: Record<Role, number>;
  /** the owner locked the cluster: editors act as viewers until `until` (wall ms; null: until unlocked) */
  lock?: { until: number | null; at: number } | null;
  /** the activity feed, newest last */
  activity?: ActivityEntry[];
  /** sandboxes forked from this one (an instructor's session: one per learner), oldest first */
  forks?: ForkEntry[];
  /** the scenario's checks that passed when last evaluated (the feed marks the moment one turns green) */
  checksPassed?: string[];
}

/** A fork of this sandbox, as the fork route reports it (`POST /api/forks`, called by worker/app.ts only). */
export interface ForkEntry {
  id: string;
  /** wall ms */
  at: number;
  /** who forked it (their display name), if known */
  name?: string;
  links: { owner: string; edit: string; view: string };
}

/** After a commit, a scenario's checks are evaluated again (for the activity feed) at most this often (wall ms). */
export const CHECKS_FEED_MS = 3000;

/** Forks a room remembers (the oldest go first). */
export const FORKS_KEEP = 200;

/** Presence states a socket's attachment keeps (the attachment's limit is 16 KiB). */
const PRESENCE_ATTACHMENT_BYTES = 8 * 1024;

/** Most named checkpoints per sandbox. */
export const MAX_CHECKPOINTS = 20;
const CHECKPOINT_NAME = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/;

/** Every record of a cluster, as a host stores them. */
function allRecords(cluster: Cluster): StoredRecord[] {
  const out: StoredRecord[] = [];
  for (const [table, rows] of Object.entries(cluster.records.snapshot())) {
    for (const [key, value] of Object.entries(rows)) out.push({ table, key, value: JSON.stringify(value) });
  }
  return out;
}

/** Codes a sync socket is closed with. 4409: the doc changed identity, fetch the session and sync afresh. */
export const CLOSE_EPOCH = 4409;
export const CLOSE_PROTOCOL = 4400;
export const CLOSE_UNAUTHORIZED = 4401;
export const CLOSE_DELETED = 4404;
export const CLOSE_TOO_LARGE = 4413;
export const CLOSE_RATE = 4429;

/** Answers a refused request after discarding its body (a body left unread would still be in flight). */
async function refuse(req: Request, res: Response): Promise<Response> {
  await drain(req);
  return res;
}

/**
 * Reads a body nobody needs to its end (up to a bound, then cancels): a forwarded body still streaming when the
 * response leaves is an uncaught error in workerd.
 */
async function drain(req: Request, limit = 4 * 1024 * 1024): Promise<void> {
  if (!req.body || req.bodyUsed) return;
  try {
    const reader = req.body.getReader();
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel();
        return;
      }
    }
  } catch {
    // already closed or errored
  }
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

/**
 * One sandbox: a cluster, its people and its clock. Host-independent: the Durable Object (or another host)
 * hands it requests, socket messages and alarms, and gives it storage.
 */
export class Room {
  cluster: Cluster;
  /** The sandbox was deleted: the host drops this room; every later request is a 404. */
  deleted = false;
  /** Limits of this room (tests may lower them). */
  limits: { -readonly [K in keyof typeof LIMITS]: number } = { ...LIMITS };
  /** Presence changes are relayed in batches this long (ms); 0: at once. */
  presenceBatchMs = 100;
  private presenceBatches = new Map<string, Map<number, AwarenessEntry>>();
  /** wall ms of the last evaluation of the scenario's checks for the feed */
  private checksFedAt = -Infinity;
  /** the last evaluation of the scenario's checks: a class polling them at one virtual instant pays once a second */
  private checksCache?: { key: string; at: number; status: ReturnType<typeof scenarioStatus> };
  /** The cluster doc is rebuilt under a new epoch once it grows past max(factor × its fresh size, floor) bytes. */
  docBound = { factor: 4, floor: 64 * 1024 };
  private host: RoomHost;
  private state: RoomState;
  private projection: ClusterProjection;
  private docs: SharedDocs;
  /** presence by doc (rebuilt from the sockets' attachments after a wake-up) */
  private awareness = new Map<string, Presence>();
  private openWatches = 0;
  /** open watches, followed logs and exec sockets, by the role of the token that opened them */
  private sessions = new Set<{ role: Role; end(): void }>();
  private apiLimiter!: RateLimiter<string>;
  private messageLimiter!: RateLimiter<RoomSocket>;
  /** >0 while the sim itself runs (its own creates are not subject to the sandbox's quota) */
  private inSim = 0;
  private unsubscribe?: () => void;
  /** bytes of cluster-doc updates since the last size check, and the doc's size when built */
  private docGrowth = 0;
  private docBase = 0;
  /** cluster-doc updates not yet sent to the sockets (see sendPending) */
  private pendingUpdates: Uint8Array[] = [];
  /** the room state rows as stored (JSON), so only changed ones are written */
  private written = new Map<string, string>();

  private constructor(host: RoomHost, cluster: Cluster, state: RoomState) {
    this.host = host;
    this.cluster = cluster;
    this.state = state;
    this.docs = new SharedDocs(host.storage);
    this.resetLimiters();
    this.guard(cluster);
    this.projection = this.newProjection();
  }

  /**
   * Loads a room from its host's storage; undefined when no sandbox lives there. A corrupt or partial state
   * throws before anything is written: a failed load never overwrites what is stored.
   */
  static load(host: RoomHost): Room | undefined {
    const roomState = host.storage.loadRoomState();
    if (!roomState.id) return undefined;
    const st = roomState as unknown as RoomState;
    if (!st.tokens || !st.clock || typeof st.clock.anchorWall !== 'number') throw new Error(`sandbox ${String(roomState.id)}: stored room state is incomplete; refusing to load`);
    const records = new RecordStore();
    for (const r of host.storage.loadRecords()) {
      let value: unknown;
      try {
        value = JSON.parse(r.value);
      } catch {
        throw new Error(`sandbox ${st.id}: stored record ${r.table}/${r.key} is corrupt; refusing to load`);
      }
      records.load(r.table, r.key, value);
    }
    const cluster = restoreCluster(Cluster.fromRecords(records));
    // Restoring may settle queued work; keep what it changed.
    const room = new Room(host, cluster, st);
    for (const [k, v] of Object.entries(st)) room.written.set(k, JSON.stringify(v));
    room.persist();
    // Woken from hibernation, the room built its cluster doc afresh under a new epoch: sockets still open on the
    // old one would never hear of a change again (the runtime answers their pings without waking us). Send
    // them to resync (4409), as after a rebuild; shared docs have no epoch and stay.
    for (const { socket, info } of host.sockets()) if (info.doc === 'cluster' && info.epoch !== room.projection.epoch) socket.close(CLOSE_EPOCH, 'epoch');
    return room;
  }

  static create(host: RoomHost, opts: CreateOptions): Room {
    const wall = host.wallNow();
    const file = opts.import;
    const cluster = file
      ? restoreCluster(Cluster.restore(JSON.parse(JSON.stringify(file.cluster))))
      : createCluster({ seed: randomToken(16), startTime: wall, nodes: opts.nodes });
    const tokens = { owner: randomToken(), edit: randomToken(), view: randomToken() };
    const clock = { ...newClock(wall, cluster.now()), ...(file ? { paused: file.clock.paused, speed: file.clock.speed } : {}) };
    const state: RoomState = { id: opts.id, tokens, clock, createdAt: wall, gens: { owner: 0, edit: 0, view: 0 }, lock: null, activity: [] };
    if (file) {
      // Restored records are not "changed": store them all, with the shared docs.
      cluster.records.drainChanges();
      host.storage.replaceRecords(allRecords(cluster), {});
      for (const [name, b64] of Object.entries(file.docs)) if (isSharedDocName(name)) host.storage.compactDoc(name, fromBase64(b64));
    }
    const room = new Room(host, cluster, state);
    // A scenario's starting checks: later changes to them are what the feed marks.
    if (file) room.feedChecks();
    room.persist(true);
    room.schedule();
    return room;
  }

  /** (Re)makes the rate limiters from `limits` (per token for the API, per socket for messages). */
  resetLimiters(): void {
    this.apiLimiter = new RateLimiter<string>(this.limits.apiRate, this.limits.apiBurst);
    this.messageLimiter = new RateLimiter<RoomSocket>(this.limits.messageRate, this.limits.messageBurst);
  }

  /** Runs the sim's own work (timers, settling): its creates are not held to the sandbox's quota. */
  private sim<T>(fn: () => T): T {
    this.inSim++;
    try {
      return fn();
    } finally {
      this.inSim--;
    }
  }

  /** The sandbox's quota (objects, pods) on every create that comes from outside the sim. */
  private guard(cluster: Cluster): void {
    const api = cluster.api;
    const create = api.create.bind(api);
    api.create = (info, namespace, body, opts) => {
      if (this.inSim === 0) checkQuota(cluster, info, body, this.limits);
      return create(info, namespace, body, opts);
    };
  }

  get id(): string {
    return this.state.id;
  }

  tokens(): Record<Role, string> {
    return { ...this.state.tokens };
  }

  private newProjection(): ClusterProjection {
    this.unsubscribe?.();
    const p = new ClusterProjection(this.cluster, randomToken(9));
    this.unsubscribe = this.cluster.store.subscribe((ev) => p.onStoreEvent(ev));
    p.doc.transact(() => {
      p.doc.getMap('meta').set('lock', this.lockView());
      p.doc.getArray('activity').push(this.state.activity ?? []);
    });
    this.docBase = Y.encodeStateAsUpdate(p.doc).byteLength;
    this.docGrowth = 0;
    this.pendingUpdates = [];
    p.doc.on('update', (update: Uint8Array) => {
      this.docGrowth += update.byteLength;
      if (p !== this.projection) return;
      this.pendingUpdates.push(update);
      // Sent at the end of the change that made it (commit); the microtask is a safety net for any other writer.
      if (this.pendingUpdates.length === 1) queueMicrotask(() => this.sendPending());
    });
    return p;
  }

  /**
   * Sends the cluster-doc updates of the last change to every socket of the current epoch: merged into one
   * update, encoded once, the same bytes for every socket (a tick is one message per socket, not one per
   * transaction).
   */
  private sendPending(): void {
    const updates = this.pendingUpdates;
    if (updates.length === 0) return;
    this.pendingUpdates = [];
    const epoch = this.projection.epoch;
    const update = updates.length === 1 ? updates[0] : Y.mergeUpdates(updates);
    this.broadcast(updateMessage(update), (i) => i.doc === 'cluster' && i.epoch === epoch);
  }

  /** The cluster doc's epoch (clients sync with `?epoch=`). */
  get epoch(): string {
    return this.projection.epoch;
  }

  /** The cluster doc (read it in tests and benches; only the room writes it). */
  get clusterDoc(): Y.Doc {
    return this.projection.doc;
  }

  /**
   * The doc grows with every overwrite (tombstones); when it passes its bound, a fresh doc is built from the
   * sim's state under a new epoch and connected clients are told to adopt it (4409): an old copy can never
   * bring deleted state back, because the server refuses anything from an old epoch.
   */
  private maybeCompact(): void {
    const bound = Math.max(this.docBound.factor * this.docBase, this.docBound.floor);
    if (this.docGrowth < bound) return;
    // The updates' sum overestimates the doc: measure it before rebuilding.
    const size = Y.encodeStateAsUpdate(this.projection.doc).byteLength;
    // The doc grows by at most the bytes of the updates it takes: the next check comes once they could have
    // brought it from `size` to the bound.
    this.docGrowth = size;
    if (size >= bound) this.rebuildDoc();
  }

  /** Builds a fresh cluster doc under a new epoch; clients on the old one resync. */
  rebuildDoc(): void {
    const old = this.projection;
    console.log(`sandbox ${this.state.id}: cluster doc rebuilt (${Y.encodeStateAsUpdate(old.doc).byteLength} bytes), clients move to a new epoch`);
    this.projection = this.newProjection();
    old.doc.destroy();
    this.awareness.delete('cluster');
    for (const { socket, info } of this.host.sockets()) if (info.doc === 'cluster') socket.close(CLOSE_EPOCH, 'epoch');
  }

  private gen(role: Role): number {
    return this.state.gens?.[role] ?? 0;
  }

  /** The lock as clients see it: null, or `{until}` (ISO; null until unlocked). */
  private lockView(): { until: string | null } | null {
    const l = this.state.lock;
    if (!l || (l.until !== null && l.until <= this.host.wallNow())) return null;
    return { until: l.until === null ? null : new Date(l.until).toISOString() };
  }

  /** What a role may do right now: an editor acts as a viewer while the owner has the cluster locked. */
  actingRole(role: Role): Role {
    return role === 'edit' && this.lockView() ? 'view' : role;
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

  /**
   * Brings the sim up to the wall clock (running every timer due on the way) and re-anchors the clock.
   * `joining`: sockets just accepted, not yet counted: the time before they came was idle if nobody was there.
   */
  catchUp(joining = 0): void {
    const wall = this.host.wallNow();
    const target = virtualAt(this.state.clock, wall, this.socketCount() - joining);
    if (target > this.cluster.now()) this.sim(() => this.cluster.advanceTo(target));
    this.state.clock = anchor(this.state.clock, wall, this.cluster.now());
  }

  /** Schedules the next tick: when the next sim timer is due, while the room is in use and the clock runs. */
  schedule(): void {
    if (this.deleted) return;
    const c = this.state.clock;
    const wall = this.host.wallNow();
    const next = this.cluster.nextTimerAt();
    const until = inUseUntil(c, this.socketCount());
    if (c.paused || next === undefined || wall >= until) {
      // Nothing to run; an API request or a socket wakes the room again. While the room is in use with no timer, wake at the idle deadline to settle the clock.
      this.host.setAlarm(!c.paused && until !== Infinity && wall < until ? until : null);
      return;
    }
    // The wall instant the next timer is due at, from the clock's anchors: the same value on every call until
    // the timers or the clock change, so the host is not asked to move its alarm on every request.
    const due = c.anchorWall + Math.max(0, next - c.anchorVirtual) / c.speed;
    this.host.setAlarm(Math.min(Math.max(due, wall + 20), until));
  }

  /** A tick: the alarm fired. */
  alarm(): void {
    if (this.deleted) return;
    this.catchUp();
    this.commit();
  }

  /** After any change: settle, write what changed, broadcast the doc changes, schedule the next tick. */
  private commit(roomChanged = true): void {
    if (this.deleted) return;
    this.sim(() => this.cluster.settle());
    this.projection.setClock(clockView(this.state.clock, this.host.wallNow(), this.socketCount(), this.cluster.now()));
    this.projection.flush();
    this.persist(roomChanged);
    this.feedChecks();
    this.schedule();
    this.sendPending();
    this.maybeCompact();
  }

  /**
   * A scenario sandbox's feed marks the moment a check turns green and the moment every check passes. Checks can be
   * costly: after a commit they are evaluated at most every CHECKS_FEED_MS of wall time (and whenever
   * `GET /api/checks` evaluates them anyway, with its result).
   */
  private feedChecks(status?: ReturnType<typeof scenarioStatus>): void {
    const wall = this.host.wallNow();
    if (!status) {
      if (wall - this.checksFedAt < CHECKS_FEED_MS || !scenarioOf(this.cluster)) return;
      status = this.checkStatus();
    }
    this.checksFedAt = wall;
    if (!status) return;
    const now = status.checks.filter((c) => c.passed).map((c) => c.id);
    const before = this.state.checksPassed;
    if (before && before.length === now.length && before.every((id, i) => id === now[i])) return;
    this.state.checksPassed = now;
    const entries: ActivityEntry[] = [];
    if (before) {
      const simTime = new Date(this.cluster.now()).toISOString();
      const entry = (verb: string, name: string, text: string) =>
        ({ at: wall, simTime, who: 'the checks', role: 'view', verb, kind: 'check', name, text }) satisfies ActivityEntry;
      for (const c of status.checks) if (c.passed && !before.includes(c.id)) entries.push(entry('passed', c.id, `check passed: ${c.title}`));
      if (status.solved && before.length < status.total) entries.push(entry('solved', status.name, `solved: every check of “${status.title}” passes`));
    }
    if (entries.length) {
      this.state.activity = [...(this.state.activity ?? []), ...entries].slice(-ACTIVITY_KEEP);
      const doc = this.projection.doc;
      doc.transact(() => {
        const feed = doc.getArray('activity');
        feed.push(entries);
        if (feed.length > ACTIVITY_KEEP) feed.delete(0, feed.length - ACTIVITY_KEEP);
      });
    }
    this.persist(true);
  }

  /** Writes the records the last change dirtied and, if asked, the room-state rows that changed. */
  private persist(roomChanged = false): void {
    if (this.deleted) return;
    const changes = this.cluster.records.drainChanges();
    let rows: Record<string, unknown> | undefined;
    const texts: [string, string][] = [];
    if (roomChanged) {
      for (const [k, v] of Object.entries(this.state)) {
        const text = JSON.stringify(v);
        if (this.written.get(k) === text) continue;
        rows ??= {};
        rows[k] = v;
        texts.push([k, text]);
      }
    }
    this.host.storage.write(changes, rows);
    for (const [k, text] of texts) this.written.set(k, text);
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
        this.sim(() => this.cluster.advance(s * 1000));
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
    const token = requestToken(req);
    const role = this.roleOf(token);
    if (!role) return refuse(req, json({ error: 'this link needs a valid token' }, 401));
    const wait = this.apiLimiter.take(token!, this.host.wallNow());
    if (wait) return refuse(req, json({ error: `too many requests on this link: try again in ${wait} s` }, 429, { 'retry-after': String(wait) }));
    const declared = Number(req.headers.get('content-length') ?? 0);
    if (declared > this.limits.bodyBytes) return refuse(req, json({ error: `request body too large: the limit is ${this.limits.bodyBytes} bytes` }, 413));
    const acting = this.actingRole(role);
    const method = req.method.toUpperCase();
    const origin = new URL(req.url).origin;
    const ownerOnly = (what: string) => refuse(req, json({ error: `only the owner's link can ${what}` }, 403));
    if (path === '/api/session' && method === 'GET') {
      this.touchApi();
      return json({
        id: this.state.id,
        role,
        acting,
        epoch: this.projection.epoch,
        clock: this.clockState(),
        locked: this.lockView(),
        kubeconfigUrl: `${origin}/s/${this.state.id}/kubeconfig?token=${this.state.tokens[role]}`,
        links: role === 'owner' ? this.links(origin) : undefined,
      });
    }
    if (path === '/api/clock' && method === 'POST') {
      if (!canWrite(acting)) return refuse(req, json({ error: role === 'edit' ? 'the sandbox is locked by its owner: the clock cannot be changed' : 'a view-only link cannot change the clock' }, 403));
      this.touchApi();
      const body = await this.readJson(req, '{"action":"pause"}');
      if (body instanceof Response) return body;
      return this.clockAction(body);
    }
    if (path === '/api/lock' && (method === 'POST' || method === 'DELETE')) {
      if (role !== 'owner') return ownerOnly('lock or unlock the cluster');
      const body = method === 'POST' ? await this.readJson(req, '{"minutes":30}', true) : {};
      if (body instanceof Response) return body;
      return this.lockAction(method === 'POST', body);
    }
    if (path === '/api/tokens' && method === 'POST') {
      if (role !== 'owner') return ownerOnly('rotate a link');
      const body = await this.readJson(req, '{"role":"edit"}');
      if (body instanceof Response) return body;
      const which = (body as { role?: unknown }).role;
      if (which !== 'owner' && which !== 'edit' && which !== 'view') return json({ error: 'role must be one of owner, edit, view' }, 400);
      return this.rotate(which, origin);
    }
    if (path === '/api/sandbox' && method === 'DELETE') {
      if (role !== 'owner') return ownerOnly('delete the sandbox');
      await drain(req);
      return this.destroy();
    }
    if (path === '/api/activity' && method === 'GET') return json({ items: this.state.activity ?? [] });
    if (path === '/api/forks' && method === 'GET') {
      if (role !== 'owner') return ownerOnly('list the forks of the sandbox');
      return json({ items: this.state.forks ?? [] });
    }
    if (path === '/api/forks' && method === 'POST') {
      // worker/app.ts reports a fork made with this token (the public route refuses outside calls).
      if (!canWrite(role)) return refuse(req, json({ error: 'a view-only link cannot fork the sandbox' }, 403));
      const body = await this.readJson(req, '{"id":"…","links":{"owner":"…","edit":"…","view":"…"}}');
      if (body instanceof Response) return body;
      return this.addFork(body as Record<string, unknown>, req);
    }
    if (path === '/api/checks' && method === 'GET') {
      // The scenario this sandbox was started from, with its checks evaluated now (null when there is none).
      this.catchUp();
      const started = scenarioOf(this.cluster);
      const status = started ? this.checkStatus() : undefined;
      if (status) this.feedChecks(status);
      this.commit();
      if (!started || !status) return json({ scenario: null });
      const { name, title, level, topics, task, hints, startedAt } = started;
      return json({ scenario: { name, title, level, topics, task, hints, startedAt }, passed: status.passed, total: status.total, solved: status.solved, checks: status.checks, people: this.peopleHere() });
    }
    if (path === '/api/export' && method === 'GET') {
      if (!canWrite(role)) return refuse(req, json({ error: 'a view-only link cannot export or fork the sandbox' }, 403));
      this.touchApi();
      this.commit();
      return new Response(JSON.stringify(this.exportFile()), {
        headers: { 'content-type': 'application/json', 'content-disposition': `attachment; filename="kuberoom-${this.state.id.slice(0, 8)}.json"` },
      });
    }
    if (path === '/api/scenario' && method === 'POST') {
      // "Save as scenario": this sandbox's objects and nodes with the author's task, hints and checks, as a file.
      if (!canWrite(role)) return refuse(req, json({ error: 'a view-only link cannot save the sandbox as a scenario' }, 403));
      const body = await this.readJson(req, '{"name":"my-scenario","title":"…","level":"easy","task":"…","hints":[],"checks":[{"title":"…","endpoints":{"service":"web","ready":2}}]}');
      if (body instanceof Response) return body;
      return this.saveAsScenario(body as Record<string, unknown>);
    }
    if (path === '/api/checkpoints' && (method === 'GET' || method === 'POST')) {
      if (role !== 'owner') return ownerOnly('save or list checkpoints');
      if (method === 'GET') return json({ items: this.host.storage.listBlobs('checkpoint') });
      const body = await this.readJson(req, '{"name":"before the upgrade"}');
      if (body instanceof Response) return body;
      return this.saveCheckpoint((body as { name?: unknown }).name);
    }
    const cp = /^\/api\/checkpoints\/([^/]+)(\/restore)?$/.exec(path);
    if (cp && ((method === 'POST' && cp[2]) || (method === 'DELETE' && !cp[2]))) {
      if (role !== 'owner') return ownerOnly('restore or delete checkpoints');
      await drain(req);
      let name: string;
      try {
        name = decodeURIComponent(cp[1]);
      } catch {
        return json({ error: 'bad checkpoint name' }, 400);
      }
      if (this.host.storage.getBlob('checkpoint', name) === undefined) return json({ error: `no checkpoint named "${name}"` }, 404);
      if (method === 'DELETE') {
        this.host.storage.putBlob('checkpoint', name, null, this.host.wallNow());
        return json({ deleted: name });
      }
      return this.restoreCheckpoint(name);
    }
    if (path === '/api/http' && method === 'POST') {
      // An HTTP request inside the simulated cluster (the traffic view): sim/network/http.ts sandboxHttp.
      this.touchApi();
      this.catchUp();
      const body = await this.readJson(req, '{"url":"http://10.0.0.4:30080/"}');
      if (body instanceof Response) return body;
      const out = sandboxHttp(this.cluster, body);
      this.commit();
      return json(out.body, out.code);
    }
    if (path === '/api/files' && method === 'GET') return json({ items: this.docs.list() });
    if (path === '/api/clock' && req.method === 'GET') return json(this.clockState());
    if (path === '/api/faults') {
      if (req.method !== 'GET' && !canWrite(acting)) return refuse(req, json({ error: 'a view-only link cannot inject faults' }, 403));
      this.touchApi();
      const res = await handleFaults(req, this.cluster);
      this.commit();
      return res;
    }
    if (path === '/kubeconfig' && req.method === 'GET') {
      const origin = new URL(req.url).origin;
      return new Response(kubeconfig(origin, this.state.id, this.state.tokens[role], role), {
        headers: { 'content-type': 'application/yaml', 'content-disposition': `attachment; filename="kuberoom-${this.state.id.slice(0, 8)}.yaml"` },
      });
    }
    return json({ error: 'not found' }, 404);
  }

  /**
   * The scenario's checks now; the same answer again within a second of wall time while neither the virtual time nor
   * the resource version moved.
   */
  private checkStatus(): ReturnType<typeof scenarioStatus> {
    const wall = this.host.wallNow();
    const key = `${this.cluster.now()}/${String(this.cluster.records.get('meta', 'resourceVersion'))}`;
    const c = this.checksCache;
    if (c && c.key === key && wall - c.at < 1000 && wall >= c.at) return c.status;
    const status = this.sim(() => scenarioStatus(this.cluster));
    this.checksCache = { key, at: wall, status };
    return status;
  }

  /** The names of the people on the sandbox page now (the cluster doc's presence), e.g. for an instructor's list of forks. */
  private peopleHere(): { name: string; role: string }[] {
    const out: { name: string; role: string }[] = [];
    for (const a of this.awarenessOf('cluster').live()) {
      try {
        const st = JSON.parse(a.state) as { user?: { name?: unknown }; role?: unknown } | null;
        const name = displayName(typeof st?.user?.name === 'string' ? st.user.name : undefined);
        if (name) out.push({ name, role: typeof st?.role === 'string' ? st.role : '' });
      } catch {
        // not a state of ours
      }
    }
    return out.slice(0, 50);
  }

  /** `POST /api/scenario`: the scenario file (text/yaml), or 400 with the parser's problems (lines of that file). */
  private saveAsScenario(body: Record<string, unknown>): Response {
    const str = (v: unknown) => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));
    const list = (v: unknown) => (Array.isArray(v) ? v : []);
    this.touchApi();
    this.catchUp();
    const text = saveScenario(this.cluster, {
      name: str(body.name),
      title: str(body.title),
      level: str(body.level),
      topics: list(body.topics).map(str).filter(Boolean),
      summary: str(body.summary) || undefined,
      task: str(body.task),
      hints: list(body.hints).map(str),
      checks: list(body.checks) as Record<string, unknown>[],
    });
    this.commit();
    try {
      parseScenario(text);
    } catch (e) {
      if (!(e instanceof ScenarioError)) throw e;
      return json({ error: e.message, issues: e.issues, yaml: text }, 400);
    }
    return new Response(text, { headers: { 'content-type': 'text/yaml; charset=utf-8', 'content-disposition': 'attachment; filename="scenario.yaml"' } });
  }

  /** `POST /api/forks`: remembers a fork (newest last, at most FORKS_KEEP). */
  private addFork(body: Record<string, unknown>, req: Request): Response {
    const links = body.links as Record<string, unknown> | undefined;
    const link = (k: string) => (links && typeof links[k] === 'string' && (links[k] as string).length <= 512 ? (links[k] as string) : null);
    const owner = link('owner');
    const edit = link('edit');
    const view = link('view');
    if (typeof body.id !== 'string' || !/^[A-Za-z0-9_-]{8,64}$/.test(body.id) || !owner || !edit || !view) {
      return json({ error: 'a fork needs its id and its owner, edit and view links' }, 400);
    }
    const entry: ForkEntry = { id: body.id, at: this.host.wallNow(), links: { owner, edit, view } };
    const name = displayName(typeof body.name === 'string' ? body.name : req.headers.get('x-kuberoom-name'));
    if (name) entry.name = name;
    this.state.forks = [...(this.state.forks ?? []).filter((f) => f.id !== entry.id), entry].slice(-FORKS_KEEP);
    this.persist(true);
    return json(entry, 201);
  }

  /** Reads a JSON body within the body limit; the value, or the 400/413 answer. */
  private async readJson(req: Request, example: string, emptyOk = false): Promise<unknown | Response> {
    const text = await req.text();
    if (text.length > this.limits.bodyBytes) return json({ error: `request body too large: the limit is ${this.limits.bodyBytes} bytes` }, 413);
    if (!text.trim() && emptyOk) return {};
    try {
      const v = JSON.parse(text);
      if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
      return v;
    } catch {
      return json({ error: `the body must be a JSON object, e.g. ${example}` }, 400);
    }
  }

  /** `POST /api/lock {"minutes"?: N}` locks (editors act as viewers), `DELETE /api/lock` unlocks. */
  private lockAction(lock: boolean, body: unknown): Response {
    const wall = this.host.wallNow();
    if (lock) {
      const minutes = (body as { minutes?: unknown }).minutes;
      if (minutes !== undefined && (typeof minutes !== 'number' || !Number.isFinite(minutes) || minutes <= 0 || minutes > 7 * 24 * 60)) {
        return json({ error: 'minutes must be a number between 0 and 10080 (or left out: locked until unlocked)' }, 400);
      }
      this.state.lock = { until: minutes === undefined ? null : wall + minutes * 60_000, at: wall };
    } else this.state.lock = null;
    this.projection.doc.transact(() => this.projection.doc.getMap('meta').set('lock', this.lockView()));
    this.commit(true);
    return json({ locked: this.lockView() });
  }

  /** A link's token is replaced: the old one stops at once, and so do the open sockets of that role. */
  private rotate(role: Role, origin: string): Response {
    const gens = { owner: 0, edit: 0, view: 0, ...this.state.gens };
    gens[role]++;
    this.state.gens = gens;
    this.state.tokens = { ...this.state.tokens, [role]: randomToken() };
    for (const { socket, info } of this.host.sockets()) {
      if (info.role === role) socket.close(CLOSE_UNAUTHORIZED, 'token rotated: this link no longer works');
    }
    // Its open watches, followed logs and exec sessions end too.
    for (const s of [...this.sessions]) if (s.role === role) s.end();
    this.commit(true);
    return json({
      role,
      token: this.state.tokens[role],
      link: `${origin}/s/${this.state.id}#token=${this.state.tokens[role]}`,
      kubeconfigUrl: `${origin}/s/${this.state.id}/kubeconfig?token=${this.state.tokens[role]}`,
      links: this.links(origin),
    });
  }

  /** Deletes the sandbox: every socket closed, storage cleared; the host answers 404 from now on. */
  private destroy(): Response {
    for (const { socket } of this.host.sockets()) socket.close(CLOSE_DELETED, 'sandbox deleted');
    this.host.setAlarm(null);
    this.host.storage.clear();
    this.deleted = true;
    this.unsubscribe?.();
    this.docs.reset();
    return json({ deleted: this.state.id });
  }

  /** The whole sandbox as a file (no tokens): cluster state, clock settings, shared docs. */
  exportFile(): SandboxFile {
    const docs: Record<string, string> = {};
    for (const [name, update] of Object.entries(this.docs.exportAll())) docs[name] = toBase64(update);
    return {
      format: SANDBOX_FILE_FORMAT,
      exportedAt: new Date(this.host.wallNow()).toISOString(),
      source: this.state.id,
      clock: { paused: this.state.clock.paused, speed: this.state.clock.speed },
      cluster: this.cluster.snapshot(),
      docs,
    };
  }

  private saveCheckpoint(rawName: unknown): Response {
    if (typeof rawName !== 'string' || !CHECKPOINT_NAME.test(rawName)) {
      return json({ error: 'name must be 1 to 64 letters, digits, spaces, dots, dashes or underscores, starting with a letter or digit' }, 400);
    }
    const existing = this.host.storage.listBlobs('checkpoint');
    if (!existing.some((c) => c.name === rawName) && existing.length >= MAX_CHECKPOINTS) {
      return json({ error: `a sandbox keeps at most ${MAX_CHECKPOINTS} checkpoints: delete one first` }, 409);
    }
    this.catchUp();
    this.commit();
    // The shared docs (manifest files, notes) are part of it: restoring puts them back too.
    const text = JSON.stringify({ ...this.exportFile(), withDocs: true });
    const savedAt = this.host.wallNow();
    this.host.storage.putBlob('checkpoint', rawName, text, savedAt);
    return json({ name: rawName, bytes: text.length, savedAt, simTime: new Date(this.cluster.now()).toISOString() }, 201);
  }

  /** Puts the cluster back as a checkpoint left it; connected clients adopt a fresh doc (4409). */
  private restoreCheckpoint(name: string): Response {
    const file = JSON.parse(this.host.storage.getBlob('checkpoint', name)!) as SandboxFile;
    const cluster = this.sim(() => restoreCluster(Cluster.restore(file.cluster)));
    cluster.records.drainChanges();
    this.unsubscribe?.();
    this.cluster = cluster;
    this.guard(cluster);
    const wall = this.host.wallNow();
    this.state.clock = anchor(this.state.clock, wall, cluster.now());
    this.host.storage.replaceRecords(allRecords(cluster), this.state as unknown as Record<string, unknown>);
    for (const [k, v] of Object.entries(this.state)) this.written.set(k, JSON.stringify(v));
    this.rebuildDoc();
    this.commit(true);
    if ((file as { withDocs?: boolean }).withDocs) {
      // Each shared doc goes back to its saved text as a new change (docs.ts restore): open editors take it
      // like any edit, and an old copy cannot bring the replaced text back.
      for (const doc of new Set([...this.docs.list(), ...Object.keys(file.docs ?? {})])) {
        if (!isSharedDocName(doc)) continue;
        const saved = file.docs?.[doc];
        const message = this.docs.restore(doc, saved ? fromBase64(saved) : undefined);
        if (message) this.broadcast(message, (i) => i.doc === doc);
      }
    }
    return json({ restored: name, simTime: new Date(cluster.now()).toISOString(), epoch: this.projection.epoch });
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
    const wait = this.apiLimiter.take(token!, this.host.wallNow());
    if (wait) return refuse(req, errorResponse(tooManyRequests('Too many requests, please try again later.', wait)));
    const acting = this.actingRole(role);
    const method = req.method.toUpperCase();
    const writing = method !== 'GET' && method !== 'HEAD';
    const parsed = writing ? parsePath(rest) : undefined;
    const route = parsed?.kind === 'resource' ? parsed : undefined;
    if (route && role === 'edit' && acting === 'view') {
      // The owner locked the cluster: the API server's Forbidden, with the reason.
      const verb = method === 'POST' ? 'create' : method === 'PUT' ? 'update' : method === 'PATCH' ? 'patch' : route.name ? 'delete' : 'deletecollection';
      const qualified = route.info.group ? `${route.info.resource}.${route.info.group}` : route.info.resource;
      const until = this.lockView()?.until;
      const why = `the sandbox is locked by its owner${until ? ` until ${until}` : ''}`;
      return refuse(req, errorResponse(forbidden(`kuberoom:${role}`, verb, qualified, route.info.namespaced ? route.namespace : undefined, why, route.name, route.subresource)));
    }
    this.touchApi();
    this.commit();
    const res = await this.serveKubernetes(req, rest, role, acting);
    // A dry run changed nothing: it is not activity.
    if (route && res.status < 300 && !this.deleted && !new URL(req.url).searchParams.has('dryRun')) await this.recordActivity(req, route, res, role);
    return res;
  }

  /** Adds an API write to the activity feed (room state and cluster doc), stored with the write. */
  private async recordActivity(req: Request, route: ResourceRoute, res: Response, role: Role): Promise<void> {
    let body: Record<string, unknown> | undefined;
    if (res.headers.get('content-type')?.includes('json')) body = (await res.clone().json().catch(() => undefined)) as Record<string, unknown> | undefined;
    const entry = describeWrite(req.method, route, body, { name: displayName(req.headers.get('x-kuberoom-name')), role }, this.host.wallNow(), new Date(this.cluster.now()).toISOString(), req.headers.get('content-type') ?? '');
    if (!entry) return;
    this.state.activity = [...(this.state.activity ?? []), entry].slice(-ACTIVITY_KEEP);
    const doc = this.projection.doc;
    doc.transact(() => {
      const feed = doc.getArray('activity');
      feed.push([entry]);
      if (feed.length > ACTIVITY_KEEP) feed.delete(0, feed.length - ACTIVITY_KEEP);
    });
    this.persist(true);
    this.sendPending();
  }

  private async serveKubernetes(req: Request, rest: string, role: Role, acting: Role): Promise<Response> {
    let streaming = false;
    const res = await handleKubernetesRequest(req, rest, {
      cluster: this.cluster,
      user: { name: `kuberoom:${role}`, role: acting },
      commit: async () => this.commit(false),
      watchOpened: () => {
        this.openWatches++;
        streaming = true;
      },
      watchClosed: () => {
        this.openWatches--;
      },
      maxBodyBytes: this.limits.bodyBytes,
      upgrade: this.host.acceptSocket
        ? (r, target) => execUpgrade({ accept: (p) => this.acceptSession(p, role), cluster: this.cluster, role: acting, user: `kuberoom:${role}`, commit: () => this.commit(false) }, r, target)
        : undefined,
    });
    return streaming && res.body ? this.trackStream(res, role) : res;
  }

  /** An exec socket, remembered with its token's role so that rotating the token ends it. */
  private acceptSession(protocol: string, role: Role): AcceptedSocket {
    const accepted = this.host.acceptSocket!(protocol);
    const entry = {
      role,
      end: () => {
        this.sessions.delete(entry);
        try {
          accepted.socket.close(CLOSE_UNAUTHORIZED, 'token rotated: this link no longer works');
        } catch {
          // already closed
        }
      },
    };
    this.sessions.add(entry);
    accepted.socket.addEventListener('close', () => this.sessions.delete(entry));
    return accepted;
  }

  /**
   * A watch or a followed log (a long-lived response), remembered with its token's role: rotating the token
   * ends the stream (the client sees the response end, as when the API server closes a watch).
   */
  private trackStream(res: Response, role: Role): Response {
    const inner = res.body!.getReader();
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    let over = false;
    const entry = {
      role,
      end: () => {
        if (over) return;
        over = true;
        this.sessions.delete(entry);
        try {
          controller.close();
        } catch {
          // already closed
        }
        // Cancelling the watch's own stream unsubscribes it (and the room counts one watch less).
        inner.cancel().catch(() => undefined);
      },
    };
    this.sessions.add(entry);
    const body = new ReadableStream<Uint8Array>({
      start: (c) => {
        controller = c;
      },
      pull: async (c) => {
        if (over) return;
        const r = await inner.read().catch(() => ({ done: true as const, value: undefined }));
        if (over) return;
        if (r.done) {
          over = true;
          this.sessions.delete(entry);
          c.close();
        } else c.enqueue(r.value);
      },
      cancel: () => entry.end(),
    });
    return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
  }

  // ---- sync over WebSocket ----

  /** Checks a sync socket's request; the info to attach to the socket, or the error response. */
  authorizeSocket(req: Request, doc: string): SocketInfo | Response {
    if (this.deleted) return json({ error: 'no sandbox here: check the link' }, 404);
    if (doc !== 'cluster' && !isSharedDocName(doc)) return json({ error: `no document ${doc}: the documents are cluster, notes and file:<name>` }, 404);
    const role = this.roleOf(requestToken(req));
    if (!role) return json({ error: 'this link needs a valid token' }, 401);
    const sockets = this.host.sockets();
    const people = sockets.filter((s) => s.info.doc === 'cluster').length;
    if (doc === 'cluster' && people >= this.limits.sockets) {
      return json({ error: `this sandbox already has ${people} people connected, the most it allows (${this.limits.sockets}); try again later` }, 429, { 'retry-after': '30' });
    }
    if (doc !== 'cluster' && sockets.length >= this.limits.sockets * 4) {
      return json({ error: `this sandbox has too many open documents (${sockets.length}); try again later` }, 429, { 'retry-after': '30' });
    }
    if (doc !== 'cluster' && !this.docs.canOpen(doc)) return json({ error: 'a sandbox holds at most 100 shared files' }, 409);
    const name = displayName(new URL(req.url).searchParams.get('name'));
    return { role, epoch: doc === 'cluster' ? this.projection.epoch : '', doc, awareness: [], gen: this.gen(role), ...(name ? { name } : {}) };
  }

  private awarenessOf(doc: string): Presence {
    let m = this.awareness.get(doc);
    if (!m) {
      m = new Presence();
      // After a wake-up (or a rebuilt doc) the presence is what the open sockets announced.
      for (const { info } of this.host.sockets()) {
        if (info.doc !== doc || (doc === 'cluster' && info.epoch !== this.projection.epoch)) continue;
        for (const a of info.presence ?? []) m.restore(a);
      }
      this.awareness.set(doc, m);
    }
    return m;
  }

  /** A socket was accepted: catch the clock up and start the sync (our step 1, the current awareness). */
  socketOpened(socket: RoomSocket, info: SocketInfo, requestedEpoch: string | null): void {
    // The host counts the new socket already; the time up to now is counted as it was (idle or in use).
    this.catchUp(1);
    if (info.doc === 'cluster' && requestedEpoch && requestedEpoch !== this.projection.epoch) {
      socket.close(CLOSE_EPOCH, 'epoch');
      return;
    }
    this.send(socket, syncStep1(info.doc === 'cluster' ? this.projection.doc : this.docs.get(info.doc)));
    const live = this.awarenessOf(info.doc).live();
    if (live.length) this.send(socket, awarenessMessage(encodeAwareness(live)));
    this.commit(true);
  }

  socketMessage(socket: RoomSocket, info: SocketInfo, data: ArrayBuffer | string): void {
    if (this.deleted) {
      socket.close(CLOSE_DELETED, 'sandbox deleted');
      return;
    }
    if ((info.gen ?? 0) !== this.gen(info.role)) {
      // The role's link was rotated while this socket slept (hibernation keeps sockets, not promises).
      socket.close(CLOSE_UNAUTHORIZED, 'token rotated: this link no longer works');
      return;
    }
    if (info.doc === 'cluster' && info.epoch !== this.projection.epoch) {
      // The doc was rebuilt (wake-up, restart or compaction): this client must drop its copy and resync.
      socket.close(CLOSE_EPOCH, 'epoch');
      return;
    }
    if (data === KEEPALIVE_PING) {
      // The Durable Object answers this by auto-response without waking; a host without one answers here.
      // Either way a keep-alive is not activity: no clock, no storage, no broadcast.
      this.send(socket, KEEPALIVE_PONG);
      return;
    }
    if (typeof data === 'string') {
      socket.close(CLOSE_PROTOCOL, 'text frames are not part of the sync protocol');
      this.dropAwareness(socket, info);
      return;
    }
    if (data.byteLength > this.limits.messageBytes) {
      socket.close(CLOSE_TOO_LARGE, `message too large: the limit is ${this.limits.messageBytes} bytes`);
      this.dropAwareness(socket, info);
      return;
    }
    if (this.messageLimiter.take(socket, this.host.wallNow())) {
      socket.close(CLOSE_RATE, 'too many messages: slow down and reconnect');
      this.dropAwareness(socket, info);
      return;
    }
    const doc = info.doc === 'cluster' ? this.projection.doc : this.docs.get(info.doc);
    let msg;
    try {
      msg = readClientMessage(new Uint8Array(data), doc);
    } catch (e) {
      socket.close(CLOSE_PROTOCOL, e instanceof ProtocolError ? e.message : 'malformed message');
      this.dropAwareness(socket, info);
      return;
    }
    switch (msg.type) {
      case 'step1':
        this.send(socket, msg.reply);
        break;
      case 'write':
        if (msg.empty) break;
        if (info.doc === 'cluster') {
          // The cluster doc is the server's: a client's change is refused and the client told so.
          this.send(socket, permissionDenied('the cluster doc is read-only: change the cluster through the Kubernetes API'));
          break;
        }
        this.sharedDocWrite(socket, info, msg.update);
        break;
      case 'awareness': {
        // Renewals of an unchanged state are absorbed (presence.ts): no broadcast, no attachment write.
        const aw = this.awarenessOf(info.doc);
        // Stock y-websocket clients send back the states they receive: an id another socket of this doc holds is
        // an echo, not this socket's own, unless its client sent news of it from here (a reconnect, a change).
        const heldElsewhere = new Set<number>();
        for (const s of this.host.sockets()) if (s.socket !== socket && s.info.doc === info.doc) for (const id of s.info.awareness) heldElsewhere.add(id);
        const news = new Set(msg.entries.filter((a) => aw.isNewer(a)).map((a) => a.clientID));
        const relay = aw.apply(msg.entries);
        const claimed = msg.entries.map((a) => a.clientID).filter((id) => !info.awareness.includes(id) && (!heldElsewhere.has(id) || news.has(id)));
        if (!relay.length && !claimed.length) break;
        const ids = [...new Set([...info.awareness, ...claimed])].slice(-8);
        const presence: AwarenessEntry[] = [];
        let bytes = 0;
        for (const id of ids) {
          const e = aw.entry(id);
          if (!e || (bytes += e.state.length) > PRESENCE_ATTACHMENT_BYTES) continue;
          presence.push(e);
        }
        this.host.setSocketInfo(socket, { ...info, awareness: ids, presence });
        if (relay.length) this.relayPresence(info.doc, relay, socket);
        break;
      }
      case 'queryAwareness':
        this.send(socket, awarenessMessage(encodeAwareness(this.awarenessOf(info.doc).live())));
        break;
    }
  }

  /**
   * Relays presence changes to the doc's other sockets. With `presenceBatchMs` > 0 the changes of that window
   * go out together, one message per socket: a class of 100 joining at once is a few hundred messages, not
   * 100 × 99.
   */
  private relayPresence(doc: string, entries: AwarenessEntry[], from: RoomSocket): void {
    const to = (i: SocketInfo) => i.doc === doc && (i.doc !== 'cluster' || i.epoch === this.projection.epoch);
    if (this.presenceBatchMs <= 0) {
      this.broadcast(awarenessMessage(encodeAwareness(entries)), to, from);
      return;
    }
    let batch = this.presenceBatches.get(doc);
    if (!batch) {
      batch = new Map();
      this.presenceBatches.set(doc, batch);
      setTimeout(() => {
        const pending = this.presenceBatches.get(doc);
        this.presenceBatches.delete(doc);
        if (!pending?.size || this.deleted) return;
        // One message shared by every socket; a sender gets the batch without its own entries (an echo of an
        // older state of its own would overwrite a newer local one).
        const all = [...pending.values()];
        const shared = awarenessMessage(encodeAwareness(all));
        for (const { socket, info } of this.host.sockets()) {
          if (!to(info)) continue;
          const own = info.awareness.filter((id) => pending.has(id));
          if (!own.length) this.send(socket, shared);
          else {
            const rest = all.filter((e) => !own.includes(e.clientID));
            if (rest.length) this.send(socket, awarenessMessage(encodeAwareness(rest)));
          }
        }
      }, this.presenceBatchMs);
    }
    for (const e of entries) batch.set(e.clientID, e);
  }

  /** A client's change to a shared doc: applied and stored for editors, refused for viewers (and while locked). */
  private sharedDocWrite(socket: RoomSocket, info: SocketInfo, update: Uint8Array): void {
    const acting = this.actingRole(info.role);
    if (!canWrite(acting)) {
      this.send(socket, permissionDenied(info.role === 'edit' ? 'the sandbox is locked by its owner: documents are read-only' : 'a view-only link cannot change documents'));
      return;
    }
    const result = this.docs.apply(info.doc, update);
    if ('error' in result) {
      socket.close(CLOSE_PROTOCOL, result.error);
      this.dropAwareness(socket, info);
      return;
    }
    if (result.message.byteLength) this.broadcast(result.message, (i) => i.doc === info.doc, socket);
  }

  socketClosed(socket: RoomSocket, info: SocketInfo): void {
    this.messageLimiter.forget(socket);
    if (this.deleted) return;
    this.dropAwareness(socket, info);
    // A socket the server itself closed (a rebuilt doc, a rotated token) changes nothing else: a hundred of
    // them closing at once must not mean a hundred ticks and storage writes.
    if (info.doc === 'cluster' && info.epoch !== this.projection.epoch) return;
    if ((info.gen ?? 0) !== this.gen(info.role)) return;
    this.catchUp();
    this.commit(true);
  }

  /**
   * Removes the presence a closed socket announced. A client that reconnected announces the same awareness id
   * from its new socket: a late close of the old socket must not remove it.
   */
  private dropAwareness(socket: RoomSocket, info: SocketInfo): void {
    const stillHeld = new Set<number>();
    for (const s of this.host.sockets()) {
      if (s.socket === socket || s.info.doc !== info.doc) continue;
      for (const id of s.info.awareness) stillHeld.add(id);
    }
    const gone = this.awarenessOf(info.doc).leave(info.awareness.filter((id) => !stillHeld.has(id)));
    if (gone.length) this.broadcast(awarenessMessage(encodeAwareness(gone)), (i) => i.doc === info.doc);
  }

  /** Sends to one socket; a socket that closed under us is dropped by its close event. */
  private send(socket: RoomSocket, data: Uint8Array | string): void {
    try {
      socket.send(data);
    } catch {
      // closed
    }
  }

  private broadcast(data: Uint8Array, to: (info: SocketInfo) => boolean, except?: RoomSocket): void {
    for (const { socket, info } of this.host.sockets()) {
      if (socket === except || !to(info)) continue;
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
