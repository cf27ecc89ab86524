import { ApiServer } from './apiserver/apiserver.ts';
import { EVENTS } from './apiserver/resources.ts';
import { ObjectStore, type StoreEvent } from './apiserver/store.ts';
import { EventRecorder, EVENT_SWEEP_TIMER, EVENT_TTL_MS } from './events/recorder.ts';
import { RecordStore, type RecordsSnapshot } from './state/records.ts';
import { TimerQueue } from './state/timers.ts';
import { Rng, type RngState } from './util/rng.ts';
import { parseTime } from './util/time.ts';

/** A part of the control plane or a node agent, driven by store events, work queues and timers. */
export interface Component {
  readonly name: string;
  /** Sees every change to the store (synchronously, as an informer would) and queues work. */
  onStoreEvent?(ev: StoreEvent): void;
  /** Does queued work; true when it did any (settle runs components until none does). */
  runQueue?(): boolean;
  /** Timer handlers by timer type. */
  readonly timers?: Record<string, (data: any) => void>;
  /** Rebuilds in-memory indexes after a restore. */
  restore?(): void;
}

export interface ClusterOptions {
  /** Seed of the random source: the same seed and inputs give the same cluster. */
  seed: string;
  /** Virtual time the cluster starts at, in ms since the epoch. */
  startTime: number;
}

export interface ClusterSnapshot {
  format: 'kuberoom.cluster/v1';
  records: RecordsSnapshot;
}

/**
 * A simulated Kubernetes cluster. All its state is plain data in `records`; time comes only from its virtual
 * clock and randomness only from its seeded source, so `snapshot()`/`restore()` continue the same future.
 */
export class Cluster {
  readonly records: RecordStore;
  readonly store: ObjectStore;
  readonly api: ApiServer;
  readonly timers: TimerQueue;
  readonly rng: Rng;
  readonly events: EventRecorder;
  private components: Component[] = [];
  private timerHandlers = new Map<string, (data: any) => void>();
  private nowMs: number;

  private constructor(records: RecordStore) {
    this.records = records;
    const rngState = records.get<RngState>('meta', 'rng');
    if (!rngState) throw new Error('cluster state has no random source');
    this.rng = new ProxyRng(records, rngState);
    this.nowMs = records.get<number>('meta', 'now') ?? 0;
    this.store = new ObjectStore(records);
    this.timers = new TimerQueue(records);
    this.api = new ApiServer({ store: this.store, rng: this.rng, nowMs: () => this.nowMs });
    this.events = new EventRecorder(this.store, this.rng, records, this.timers, () => this.nowMs);
    this.onTimer(EVENT_SWEEP_TIMER, () => this.events.sweep());
    // Per-Event expiry timers of older snapshots.
    this.onTimer('event.expire', (d: { namespace: string; name: string; at: string }) => this.expireEvent(d));
    this.store.subscribe((ev) => {
      for (const c of this.components) c.onStoreEvent?.(ev);
    });
  }

  /** A new, empty cluster (no namespaces or nodes: see `bootstrap`). */
  static empty(opts: ClusterOptions): Cluster {
    const records = new RecordStore();
    records.set('meta', 'rng', Rng.stateFromSeed(opts.seed));
    records.set('meta', 'now', opts.startTime);
    records.set('meta', 'created', opts.startTime);
    return new Cluster(records);
  }

  static restore(snapshot: ClusterSnapshot): Cluster {
    if (snapshot?.format !== 'kuberoom.cluster/v1') throw new Error('not a Kuberoom cluster snapshot');
    return Cluster.fromRecords(RecordStore.restore(snapshot.records));
  }

  /** Builds a cluster over records loaded by a host; components are added by the caller, then `restored()`. */
  static fromRecords(records: RecordStore): Cluster {
    return new Cluster(records);
  }

  snapshot(): ClusterSnapshot {
    return { format: 'kuberoom.cluster/v1', records: JSON.parse(JSON.stringify(this.records.snapshot())) };
  }

  use(component: Component): this {
    this.components.push(component);
    for (const [type, fn] of Object.entries(component.timers ?? {})) this.onTimer(type, fn);
    return this;
  }

  /** After components are attached to restored records: rebuild their indexes. */
  restored(): this {
    this.events.rebuildIndex();
    for (const c of this.components) c.restore?.();
    this.settle();
    return this;
  }

  onTimer(type: string, fn: (data: any) => void): void {
    this.timerHandlers.set(type, fn);
  }

  now(): number {
    return this.nowMs;
  }

  /** Runs every component's queued work until none is left. */
  settle(): void {
    for (let round = 0; round < 10_000; round++) {
      let progressed = false;
      for (const c of this.components) if (c.runQueue?.()) progressed = true;
      if (!progressed) return;
    }
    throw new Error('cluster did not settle');
  }

  /** Moves the virtual clock to `t`, running every timer due on the way, in order. */
  advanceTo(t: number): void {
    this.settle();
    for (;;) {
      const next = this.timers.nextAt();
      if (next === undefined || next > t) break;
      this.setNow(Math.max(this.nowMs, next));
      let timer;
      while ((timer = this.timers.popDue(this.nowMs))) {
        const fn = this.timerHandlers.get(timer.type);
        if (fn) fn(timer.data);
        this.settle();
      }
    }
    if (t > this.nowMs) this.setNow(t);
    this.settle();
  }

  advance(ms: number): void {
    this.advanceTo(this.nowMs + ms);
  }

  /** When the next timer is due (for a host to schedule its next tick), or undefined. */
  nextTimerAt(): number | undefined {
    return this.timers.nextAt();
  }

  private setNow(t: number): void {
    this.nowMs = t;
    this.records.set('meta', 'now', t);
  }

  private expireEvent(d: { namespace: string; name: string }): void {
    const ev = this.store.get(EVENTS, d.namespace, d.name);
    if (!ev) return;
    const last = parseTime(ev.lastTimestamp as string) ?? 0;
    if (last + EVENT_TTL_MS > this.nowMs) {
      // Bumped since: live an hour from its last occurrence.
      this.timers.add(last + EVENT_TTL_MS, 'event.expire', d);
      return;
    }
    this.store.remove(EVENTS, ev);
  }
}

/** The random source, with its state written back to the records after every draw (so it persists). */
class ProxyRng extends Rng {
  private records: RecordStore;

  constructor(records: RecordStore, state: RngState) {
    super(state);
    this.records = records;
  }

  override nextUint32(): number {
    const v = super.nextUint32();
    this.records.set('meta', 'rng', this.state());
    return v;
  }
}
