import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { ApiError, fetchSession } from './api';
import type { ClockState, ClusterSnapshot, NodeInfo, PodInfo, Session } from './types';

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

interface Link {
  doc: Y.Doc;
  provider: WebsocketProvider;
  synced: boolean;
  failedAttempts: number;
}

function readSnapshot(doc: Y.Doc): ClusterSnapshot {
  const meta = doc.getMap('meta').toJSON() as { clock?: ClockState };
  return {
    clock: meta.clock ?? null,
    nodes: Object.values(doc.getMap('nodes').toJSON()) as NodeInfo[],
    pods: Object.values(doc.getMap('pods').toJSON()) as PodInfo[],
  };
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
 * Fetches the session, opens a y-websocket provider for its epoch, and redraws at most once per
 * animation frame. When the server changes epoch (close code 4409) the doc and provider are dropped
 * and rebuilt from a fresh session; the last snapshot stays on screen until the new doc has synced.
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
    });
    const link: Link = { doc, provider, synced: false, failedAttempts: 0 };
    const current = () => this.link === link && !this.closed;

    const redraw = () => this.scheduleDraw();
    for (const name of ['meta', 'nodes', 'pods']) doc.getMap(name).observeDeep(redraw);

    provider.on('sync', (synced) => {
      if (!synced || !current()) return;
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
    link.provider.destroy();
    link.doc.destroy();
  }

  private scheduleDraw(): void {
    if (this.frame || this.closed) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      // A doc that has not synced yet is partial: keep showing the previous one meanwhile.
      if (this.link?.synced) this.update({ cluster: readSnapshot(this.link.doc) });
    });
  }
}
