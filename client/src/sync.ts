import { Awareness } from 'y-protocols/awareness';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { ApiError, fetchSession } from './api';
import { ClusterMirror, KINDS, type Kind } from './sandbox/mirror';
import type { ClockState, ClusterSnapshot, Session } from './types';

export type ConnectionState =
  | { kind: 'connecting' } // not live yet
  | { kind: 'live' } // synced with the server
  | { kind: 'reconnecting' } // was live, lost the socket or the epoch changed
  | { kind: 'failed'; message: string }; // the server said no: retrying will not help by itself

export interface SyncView {
  connection: ConnectionState;
  session: Session | null;
  /** Last state drawn from a synced doc; null until the first doc synced. */
  cluster: ClusterSnapshot | null;
  /** Estimated server wall clock minus this browser's (ms), to extrapolate the cluster clock. */
  serverOffset: number;
}

export const INITIAL_VIEW: SyncView = {
  connection: { kind: 'connecting' },
  session: null,
  cluster: null,
  serverOffset: 0,
};

/** The server closes a socket whose epoch is not (or no longer) the doc's with this code. */
const EPOCH_CLOSE = 4409;
/** Failed socket attempts in a row after which the session is fetched again (it may explain why). */
const SOCKET_ATTEMPTS_BEFORE_REFETCH = 5;
const MAX_RETRY_DELAY_MS = 5_000;

type ProviderListener = (provider: WebsocketProvider | null) => void;
const providerListeners = new Set<ProviderListener>();
let liveProvider: WebsocketProvider | null = null;

function setLiveProvider(provider: WebsocketProvider | null): void {
  liveProvider = provider;
  for (const listener of providerListeners) listener(provider);
}

/**
 * Calls `listener` with the cluster doc's current provider (its awareness carries presence) now and whenever
 * it is replaced (new epoch) or dropped (null). Returns the unsubscribe function.
 */
export function watchClusterProvider(listener: ProviderListener): () => void {
  providerListeners.add(listener);
  listener(liveProvider);
  return () => providerListeners.delete(listener);
}

interface Link {
  doc: Y.Doc;
  provider: WebsocketProvider;
  synced: boolean;
  failedAttempts: number;
}

/** How often a sync socket sends its keep-alive `ping` (y-websocket drops a socket silent for 30 s). */
export const KEEPALIVE_MS = 20_000;
/** What the provider is handed for each `pong`: an awareness message with no states (a no-op). */
const EMPTY_AWARENESS = [1, 1, 0];

/**
 * A WebSocket class for y-websocket that keeps a quiet connection alive without waking the room: it sends
 * `ping` every KEEPALIVE_MS, which the Durable Object answers with `pong` by auto-response (a hibernating room
 * stays asleep), and hands each `pong` to the provider as an empty awareness message, so the provider's
 * 30-second silence check sees traffic.
 */
export function keepAliveWebSocket(Base: typeof WebSocket = WebSocket): typeof WebSocket {
  return class KeepAliveWebSocket extends Base {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      let handler: ((ev: { data: unknown }) => void) | null = null;
      // y-websocket assigns `onmessage`: keep its handler and call it from our own listener.
      Object.defineProperty(this, 'onmessage', {
        get: () => handler,
        set: (h: typeof handler) => {
          handler = h;
        },
      });
      this.addEventListener('message', (ev: MessageEvent) => {
        if (!handler) return;
        if (typeof ev.data !== 'string') handler.call(this, ev);
        else if (ev.data === 'pong') handler.call(this, { data: new Uint8Array(EMPTY_AWARENESS).buffer });
      });
      const timer = setInterval(() => {
        if (this.readyState === Base.OPEN) this.send('ping');
      }, KEEPALIVE_MS);
      this.addEventListener('close', () => clearInterval(timer));
    }
  };
}

/**
 * Awareness without a heartbeat: y-protocols re-sends an unchanged local state every 15 s and drops peers not
 * heard from for 30 s. The server relays only changes and announces who left when their socket closes, so
 * neither is needed, and a room with people idly connected can hibernate.
 */
export function quietAwareness(doc: Y.Doc): Awareness {
  const awareness = new Awareness(doc);
  clearInterval((awareness as unknown as { _checkInterval: ReturnType<typeof setInterval> })._checkInterval);
  return awareness;
}

/**
 * y-websocket sends every awareness change to the server, also the ones it just received from it: with 100
 * people, each change came back 100 times. This makes a provider send only its own changes.
 */
export function sendOwnAwarenessOnly(provider: WebsocketProvider): void {
  type Handler = (changes: { added: number[]; updated: number[]; removed: number[] }, origin: unknown) => void;
  const p = provider as unknown as { _awarenessUpdateHandler: Handler };
  const original = p._awarenessUpdateHandler;
  provider.awareness.off('update', original);
  p._awarenessUpdateHandler = (changes, origin) => {
    if (origin !== provider) original(changes, origin);
  };
  provider.awareness.on('update', p._awarenessUpdateHandler);
}

/** Provider options for a hibernation-friendly sync socket (cluster doc or shared doc). */
export function quietProviderOptions(doc: Y.Doc, Base: typeof WebSocket = WebSocket): { WebSocketPolyfill: typeof WebSocket; awareness: Awareness } {
  return { WebSocketPolyfill: keepAliveWebSocket(Base), awareness: quietAwareness(doc) };
}

/** Every entry of one of the doc's maps, as the mirror takes them. */
function entriesOf(doc: Y.Doc, kind: Kind): Iterable<[string, never]> {
  return doc.getMap(kind).entries() as Iterable<[string, never]>;
}

function syncBase(id: string): string {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}/s/${encodeURIComponent(id)}/sync`;
}

const TOKEN_REFUSED = "This link's token was not accepted. Ask the owner for a fresh link.";
const NO_SANDBOX = 'This sandbox does not exist (it may have expired).';

function sessionFailure(err: ApiError): string | null {
  if (err.status === 401 || err.status === 403) return TOKEN_REFUSED;
  if (err.status === 404) return NO_SANDBOX;
  return null;
}

function closeFailure(code: number, reason: string): string {
  if (code === 4401 || code === 4403) return TOKEN_REFUSED;
  if (code === 4404) return NO_SANDBOX;
  return `The server closed the connection (code ${code}${reason ? `: ${reason}` : ''}).`;
}

/**
 * Keeps a read-only copy of a sandbox's cluster doc in sync and reports it as plain data.
 *
 * Fetches the session, opens a y-websocket provider for its epoch, notes the doc's changes in a
 * ClusterMirror and redraws at most once per animation frame, a big batch of pod changes spread over
 * several frames. When the server changes epoch (close code 4409) the doc and provider are dropped and
 * rebuilt from a fresh session; the last snapshot stays on screen until the new doc has synced, and is
 * then compared to it, so that only what differs is redrawn.
 */
export class ClusterSync {
  private view: SyncView = INITIAL_VIEW;
  private link: Link | null = null;
  private wasLive = false;
  /** Session fetches or epoch changes in a row without a synced doc, for the retry backoff. */
  private attempts = 0;
  /** Bumped by every open(), so that a stale session fetch is dropped. */
  private generation = 0;
  private frame = 0;
  /** What is shown of the doc and what is still to draw (kept across epochs: a fresh doc is compared to it). */
  private mirror = new ClusterMirror();
  /** Pod changes drawn per frame, adapted to what they cost on this machine (see `draw`). */
  private podsPerFrame = INITIAL_PODS_PER_FRAME;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;

  constructor(
    private readonly id: string,
    private readonly token: string,
    private readonly onChange: (view: SyncView) => void,
  ) {
    void this.open();
  }

  /** Starts over (after a failure). */
  retry(): void {
    this.attempts = 0;
    void this.open();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
    cancelAnimationFrame(this.frame);
    this.dropLink();
  }

  private update(change: Partial<SyncView>): void {
    if (this.closed) return;
    this.view = { ...this.view, ...change };
    this.onChange(this.view);
  }

  private setConnection(connection: ConnectionState): void {
    this.update({ connection });
  }

  private pending(): ConnectionState {
    return this.wasLive ? { kind: 'reconnecting' } : { kind: 'connecting' };
  }

  private async open(): Promise<void> {
    clearTimeout(this.retryTimer);
    this.dropLink();
    const generation = ++this.generation;
    if (this.view.connection.kind === 'failed') this.setConnection(this.pending());
    let session: Session;
    const sentAt = Date.now();
    try {
      session = await fetchSession(this.id, this.token);
    } catch (err) {
      if (this.closed || generation !== this.generation) return;
      const message = err instanceof ApiError ? sessionFailure(err) : null;
      if (message) this.fail(message);
      else this.retryLater();
      return;
    }
    if (this.closed || generation !== this.generation) return;
    // The server read its clock about halfway through the round trip.
    this.update({ session, serverOffset: session.clock.wallAt - (sentAt + Date.now()) / 2 });
    this.link = this.connect(session);
  }

  private retryLater(): void {
    this.dropLink();
    this.setConnection(this.pending());
    const delay = this.attempts === 0 ? 0 : Math.min(250 * 2 ** this.attempts, MAX_RETRY_DELAY_MS);
    this.attempts++;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.open(), delay);
  }

  private fail(message: string): void {
    clearTimeout(this.retryTimer);
    this.dropLink();
    this.setConnection({ kind: 'failed', message });
  }

  private connect(session: Session): Link {
    const doc = new Y.Doc();
    const provider = new WebsocketProvider(syncBase(this.id), 'cluster', doc, {
      params: { token: this.token, epoch: session.epoch },
      // The server is the only writer: tabs must not merge their copies (possibly of different epochs).
      disableBc: true,
      // Keep-alive by auto-answered pings, presence without a heartbeat: an idle room can hibernate.
      ...quietProviderOptions(doc),
    });
    sendOwnAwarenessOnly(provider);
    const link: Link = { doc, provider, synced: false, failedAttempts: 0 };
    setLiveProvider(provider);
    const current = () => this.link === link && !this.closed;

    // The doc's values are plain JSON objects: a shallow observer sees every change. Until the doc has
    // synced it is partial, so nothing is noted; on sync the whole doc is adopted (compared to what is shown).
    for (const kind of KINDS) {
      const map = doc.getMap(kind);
      map.observe((event) => {
        if (!link.synced || !current()) return;
        for (const key of event.keysChanged) this.mirror.note(kind, key, map.get(key) as never);
        this.scheduleDraw();
      });
    }
    const meta = doc.getMap('meta');
    meta.observe(() => {
      if (!link.synced || !current()) return;
      this.mirror.setClock((meta.get('clock') as ClockState | undefined) ?? null);
      this.scheduleDraw();
    });

    provider.on('sync', (synced) => {
      if (!synced || !current()) return;
      if (!link.synced) {
        // This doc's first sync (a reconnect of the same doc syncs again, its changes seen by the observers).
        for (const kind of KINDS) this.mirror.adopt(kind, entriesOf(doc, kind));
        this.mirror.setClock((meta.get('clock') as ClockState | undefined) ?? null);
      }
      link.synced = true;
      link.failedAttempts = 0;
      this.attempts = 0;
      this.wasLive = true;
      this.setConnection({ kind: 'live' });
      this.scheduleDraw();
    });
    provider.on('connection-close', (event) => {
      if (!current()) return;
      link.failedAttempts++;
      // On a new epoch, start over with a fresh session and doc. So too when the socket keeps failing:
      // it may be refused before the upgrade (the browser then only says 1006), and the session tells
      // whether the token or the sandbox is gone. Deferred: the provider is still handling the close.
      if (event?.code === EPOCH_CLOSE || link.failedAttempts >= SOCKET_ATTEMPTS_BEFORE_REFETCH) {
        queueMicrotask(() => {
          if (current()) this.retryLater();
        });
      }
      this.setConnection(this.pending());
    });
    // Emitted after 'connection-close' when the close code says reconnecting is pointless.
    provider.on('closed', ({ code, reason }) => {
      if (current() && code !== EPOCH_CLOSE) this.fail(closeFailure(code, reason));
    });
    return link;
  }

  private dropLink(): void {
    const link = this.link;
    if (!link) return;
    this.link = null;
    if (liveProvider === link.provider) setLiveProvider(null);
    link.provider.destroy();
    link.doc.destroy();
  }

  private scheduleDraw(): void {
    if (this.frame || this.closed) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  /**
   * Draws what the doc changed, at most `podsPerFrame` pod changes per frame: a rolling update of hundreds
   * of pods is spread over several frames instead of one long task. The first view is drawn whole. The
   * rate follows the measured cost: the page's render runs in microtasks right after `onChange`, so a
   * microtask queued after it sees the frame's script time, which is kept near FRAME_BUDGET_MS.
   */
  private draw(): void {
    if (this.closed) return;
    const started = performance.now();
    const { snapshot, sliced } = this.mirror.take(this.podsPerFrame);
    if (snapshot !== this.view.cluster) this.update({ cluster: snapshot });
    if (sliced >= MIN_PODS_PER_FRAME) {
      queueMicrotask(() => {
        const perPod = (performance.now() - started) / sliced;
        const fit = Math.max(MIN_PODS_PER_FRAME, Math.min(MAX_PODS_PER_FRAME, FRAME_BUDGET_MS / Math.max(perPod, 0.001)));
        this.podsPerFrame = Math.round((this.podsPerFrame + fit) / 2);
      });
    }
    if (this.mirror.backlog > 0) this.scheduleDraw();
  }
}

/** Script time per frame for drawing doc changes (ms); style, layout and paint come on top. */
const FRAME_BUDGET_MS = 8;
const INITIAL_PODS_PER_FRAME = 40;
const MIN_PODS_PER_FRAME = 5;
const MAX_PODS_PER_FRAME = 500;
