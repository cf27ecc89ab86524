// What the page shows of the cluster doc, kept apart from the doc itself so that changes reach the view in
// steps: the doc's observers note what changed (cheap), and once per animation frame `take` applies a slice
// of it and hands out a snapshot. Pure data (no Yjs, no DOM), so its rules are tested in Node.
import type { ClockState, ClusterSnapshot, EndpointInfo, NodeInfo, PodInfo, ServiceInfo, WorkloadInfo } from '../types';
import { sameFields } from './model';

/** The doc's maps of objects, as the snapshot names them. */
export const KINDS = ['nodes', 'pods', 'services', 'endpoints', 'workloads'] as const;
export type Kind = (typeof KINDS)[number];

interface Item {
  nodes: NodeInfo;
  pods: PodInfo;
  services: ServiceInfo;
  endpoints: EndpointInfo;
  workloads: WorkloadInfo;
}

/**
 * The kinds whose changes are spread over frames (a rolling update of 500 pods changes each of them several
 * times); the few nodes, Services, workloads and endpoints are applied whole in every frame.
 */
const SLICED: ReadonlySet<Kind> = new Set<Kind>(['pods']);

export interface Taken {
  /** The snapshot to draw: the same object as before when nothing was applied. */
  snapshot: ClusterSnapshot;
  /** How many changes of a sliced kind were applied (what the frame's cost grows with). */
  sliced: number;
}

/**
 * The shown state of the cluster doc plus the changes not shown yet.
 *
 * - Unchanged objects keep their identity from one snapshot to the next, also across a new epoch (`adopt`
 *   compares a fresh doc's entries by their fields), so memoised components skip them.
 * - An array of the snapshot is rebuilt only when its kind changed; the others are the previous arrays.
 * - A change that is undone before it is shown (or that equals what is shown) is dropped.
 */
export class ClusterMirror {
  private readonly shown = new Map<Kind, Map<string, object>>(KINDS.map((k) => [k, new Map()]));
  /** key → the doc's latest value (undefined: deleted), in the order first noted */
  private readonly pending = new Map<Kind, Map<string, object | undefined>>(KINDS.map((k) => [k, new Map()]));
  private clock: ClockState | null = null;
  private clockChanged = false;
  private snapshot: ClusterSnapshot | null = null;

  /** Changes noted and not shown yet. */
  get backlog(): number {
    let n = this.clockChanged ? 1 : 0;
    for (const p of this.pending.values()) n += p.size;
    return n;
  }

  /** True until a snapshot was taken. */
  get empty(): boolean {
    return this.snapshot === null;
  }

  /** The doc's entry `key` of `kind` is now `value` (undefined: deleted). */
  note<K extends Kind>(kind: K, key: string, value: Item[K] | undefined): void {
    const pending = this.pending.get(kind)!;
    const current = this.shown.get(kind)!.get(key);
    const same = value === undefined ? current === undefined : current !== undefined && sameFields(current, value);
    if (same) pending.delete(key);
    else pending.set(key, value);
  }

  setClock(clock: ClockState | null): void {
    if (clock === this.clock || (clock && this.clock && sameFields(clock, this.clock))) return;
    this.clock = clock;
    this.clockChanged = true;
  }

  /**
   * A fresh doc (a new epoch: the server compacted the doc) replaces the old one: what it holds becomes
   * pending where it differs from what is shown, and what it lacks becomes pending deletes. Pods that did
   * not change are not redrawn.
   */
  adopt<K extends Kind>(kind: K, entries: Iterable<[string, Item[K]]>): void {
    const seen = new Set<string>();
    for (const [key, value] of entries) {
      seen.add(key);
      this.note(kind, key, value);
    }
    const gone = [...this.shown.get(kind)!.keys(), ...this.pending.get(kind)!.keys()].filter((k) => !seen.has(k));
    for (const key of gone) this.note(kind, key, undefined);
  }

  /**
   * Applies what is pending, of the sliced kinds (pods) at most `limit` changes, oldest first, and returns
   * the snapshot to draw. The first call applies everything: the first view is drawn whole.
   */
  take(limit = Infinity): Taken {
    const first = this.snapshot === null;
    let sliced = 0;
    const changed = new Set<Kind>();
    for (const kind of KINDS) {
      const pending = this.pending.get(kind)!;
      if (pending.size === 0) continue;
      const shown = this.shown.get(kind)!;
      const max = first || !SLICED.has(kind) ? Infinity : Math.max(0, limit - sliced);
      let n = 0;
      for (const [key, value] of pending) {
        if (n >= max) break;
        pending.delete(key);
        if (value === undefined) shown.delete(key);
        else shown.set(key, value);
        n++;
      }
      if (n > 0) changed.add(kind);
      if (SLICED.has(kind)) sliced += n;
    }
    if (!first && changed.size === 0 && !this.clockChanged) return { snapshot: this.snapshot!, sliced: 0 };
    this.clockChanged = false;
    const previous = this.snapshot;
    const list = <K extends Kind>(kind: K): Item[K][] =>
      previous && !changed.has(kind) ? (previous[kind] as Item[K][]) : ([...this.shown.get(kind)!.values()] as Item[K][]);
    this.snapshot = {
      clock: this.clock,
      nodes: list('nodes'),
      pods: list('pods'),
      services: list('services'),
      endpoints: list('endpoints'),
      workloads: list('workloads'),
    };
    return { snapshot: this.snapshot, sliced };
  }
}
