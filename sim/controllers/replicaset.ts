import { findResource, PODS } from '../apiserver/resources.ts';
import { matchesLabels, selectorFromSpec, type LabelSelector } from '../apiserver/selectors.ts';
import type { StoreEvent } from '../apiserver/store.ts';
import type { KObject, Pod } from '../apiserver/types.ts';
import type { Cluster, Component } from '../cluster.ts';
import { parseTime } from '../util/time.ts';
import {
  availableAt,
  clone,
  controllerRef,
  generateNamePrefix,
  indexAdd,
  indexDelete,
  isPodActive,
  isPodAvailable,
  isPodReady,
  keyOf,
  ownerRefTo,
  podFromTemplate,
  podReadyCondition,
  splitKey,
  type PodTemplate,
} from './controller-utils.ts';

export const REPLICASETS = findResource('apps', 'replicasets')!;

/** Pods created or deleted per sync at most (the controller's burstReplicas). */
const BURST_REPLICAS = 500;
/** Retry of refused pod creates: 1 s doubling to 5 min, forgotten after a create succeeds. */
const RETRY_INITIAL_MS = 1000;
const RETRY_MAX_MS = 300_000;
const BACKOFF_TABLE = 'replicaset.backoff';

const ACTIVE = 1;
const READY = 2;
const AVAILABLE = 4;
const LABELED = 8;

interface Counts {
  active: number;
  ready: number;
  available: number;
  labeled: number;
}

interface PodEntry {
  owner: string;
  flags: number;
}

export interface ReplicaSetSpec {
  replicas?: number;
  minReadySeconds?: number;
  selector?: { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] };
  template?: PodTemplate;
}

const SOURCE = { component: 'replicaset-controller' };

/**
 * The ReplicaSet controller: keeps `spec.replicas` pods from the template, adopts orphan pods its selector
 * matches and releases owned pods it no longer matches, and reports replicas, ready and available pods.
 *
 * Counts per ReplicaSet are kept incrementally from pod events (in memory, rebuilt on restore), so a pod's
 * change costs O(1) and a sync scans its pods only to choose which to delete.
 */
export class ReplicaSetController implements Component {
  readonly name = 'replicaset-controller';
  private queue = new Set<string>();
  /** owner uid → owned pod keys (any state) */
  private owned = new Map<string, Set<string>>();
  /** pod key → its owner and flags */
  private pods = new Map<string, PodEntry>();
  private counts = new Map<string, Counts>();
  /** namespace → names of pods without a controller */
  private orphans = new Map<string, Set<string>>();
  /** owned pods whose labels may no longer match their owner's selector */
  private release = new Set<string>();
  private cluster: Cluster;

  readonly timers = {
    'replicaset.resync': (d: { key: string }) => this.queue.add(d.key),
  };

  constructor(cluster: Cluster) {
    this.cluster = cluster;
    (cluster as Cluster & { replicaSets?: ReplicaSetController }).replicaSets = this;
  }

  /** Keys of the pods a ReplicaSet (by uid) controls, in any state. */
  podsOf(uid: string): ReadonlySet<string> {
    return this.owned.get(uid) ?? new Set();
  }

  onStoreEvent(ev: StoreEvent): void {
    if (ev.info === REPLICASETS) {
      const key = keyOf(ev.object.metadata.namespace, ev.object.metadata.name!);
      if (ev.type === 'DELETED') {
        this.cluster.records.delete(BACKOFF_TABLE, ev.object.metadata.uid!);
        return;
      }
      const spec = ev.object.spec as ReplicaSetSpec;
      const oldSpec = ev.old?.spec as ReplicaSetSpec | undefined;
      if (oldSpec && JSON.stringify(oldSpec.template?.metadata?.labels) !== JSON.stringify(spec.template?.metadata?.labels)) this.recount(ev.object);
      this.queue.add(key);
    } else if (ev.info === PODS) {
      this.onPod(ev);
    }
  }

  private onPod(ev: StoreEvent): void {
    const pod = ev.object as Pod;
    const ns = pod.metadata.namespace!;
    const name = pod.metadata.name!;
    const key = keyOf(ns, name);
    const prev = this.pods.get(key);
    if (prev) {
      this.addCounts(prev.owner, prev.flags, -1);
      indexDelete(this.owned, prev.owner, key);
      this.pods.delete(key);
    }
    indexDelete(this.orphans, ns, name);
    const oldRef = ev.old ? controllerRef(ev.old) : undefined;
    if (oldRef?.kind === 'ReplicaSet' && (ev.type === 'DELETED' || controllerRef(pod)?.uid !== oldRef.uid || !prev)) this.queue.add(keyOf(ns, oldRef.name));
    if (ev.type === 'DELETED') {
      if (prev) this.queue.add(keyOf(ns, this.ownerName(pod) ?? ''));
      return;
    }
    const ref = controllerRef(pod);
    if (!ref) {
      if (!pod.metadata.deletionTimestamp && isPodActive(pod)) {
        indexAdd(this.orphans, ns, name);
        // A ReplicaSet whose selector matches may adopt it.
        for (const rs of this.cluster.store.list(REPLICASETS, ns)) {
          if (!rs.metadata.deletionTimestamp && this.selects(rs, pod)) this.queue.add(keyOf(ns, rs.metadata.name!));
        }
      }
      return;
    }
    if (ref.kind !== 'ReplicaSet' || ref.apiVersion !== 'apps/v1') return;
    const rs = this.cluster.store.get(REPLICASETS, ns, ref.name);
    const flags = this.flagsOf(pod, rs && rs.metadata.uid === ref.uid ? rs : undefined);
    this.pods.set(key, { owner: ref.uid, flags });
    indexAdd(this.owned, ref.uid, key);
    this.addCounts(ref.uid, flags, 1);
    if (!prev || prev.flags !== flags || prev.owner !== ref.uid) this.queue.add(keyOf(ns, ref.name));
    if (rs && rs.metadata.uid === ref.uid && !this.selects(rs, pod)) {
      this.release.add(key);
      this.queue.add(keyOf(ns, ref.name));
    }
  }

  private ownerName(pod: KObject): string | undefined {
    return controllerRef(pod)?.name;
  }

  private flagsOf(pod: Pod, rs: KObject | undefined): number {
    if (!isPodActive(pod)) return 0;
    let f = ACTIVE;
    if (isPodReady(pod)) f |= READY;
    const minReady = (rs?.spec as ReplicaSetSpec | undefined)?.minReadySeconds ?? 0;
    if (isPodAvailable(pod, minReady, this.cluster.now())) f |= AVAILABLE;
    const tl = (rs?.spec as ReplicaSetSpec | undefined)?.template?.metadata?.labels ?? {};
    const labels = pod.metadata.labels ?? {};
    if (Object.entries(tl).every(([k, v]) => labels[k] === v)) f |= LABELED;
    return f;
  }

  private addCounts(uid: string, flags: number, sign: number): void {
    if (!flags) return;
    let c = this.counts.get(uid);
    if (!c) {
      c = { active: 0, ready: 0, available: 0, labeled: 0 };
      this.counts.set(uid, c);
    }
    if (flags & ACTIVE) c.active += sign;
    if (flags & READY) c.ready += sign;
    if (flags & AVAILABLE) c.available += sign;
    if (flags & LABELED) c.labeled += sign;
    if (!c.active && !c.ready && !c.available && !c.labeled) this.counts.delete(uid);
  }

  /** Recomputes the flags of a ReplicaSet's pods (its template labels or minReadySeconds changed, or time passed). */
  private recount(rs: KObject): void {
    const uid = rs.metadata.uid!;
    for (const key of this.owned.get(uid) ?? []) {
      const e = this.pods.get(key);
      if (!e) continue;
      const [ns, name] = splitKey(key);
      const pod = this.cluster.store.get(PODS, ns, name) as Pod | undefined;
      if (!pod) continue;
      const flags = this.flagsOf(pod, rs);
      if (flags === e.flags) continue;
      this.addCounts(uid, e.flags, -1);
      this.addCounts(uid, flags, 1);
      e.flags = flags;
    }
  }

  private selects(rs: KObject, pod: KObject): boolean {
    let sel: LabelSelector;
    try {
      sel = selectorFromSpec((rs.spec as ReplicaSetSpec).selector);
    } catch {
      return false;
    }
    if (sel.length === 0) return false;
    return matchesLabels(sel, pod.metadata.labels);
  }

  restore(): void {
    this.owned.clear();
    this.pods.clear();
    this.counts.clear();
    this.orphans.clear();
    for (const p of this.cluster.store.list(PODS)) this.onPod({ type: 'ADDED', info: PODS, object: p, rv: 0 });
    for (const rs of this.cluster.store.list(REPLICASETS)) this.queue.add(keyOf(rs.metadata.namespace, rs.metadata.name!));
  }

  /**
   * A create was refused (a quota, a terminating namespace): try again later with back-off, as the
   * controller's rate-limited work queue does, never at once (that would spin).
   */
  private retryLater(rs: KObject): void {
    const uid = rs.metadata.uid!;
    const prev = this.cluster.records.get<{ ms: number; timer: number }>(BACKOFF_TABLE, uid);
    if (prev && this.cluster.timers.isPending(prev.timer)) return;
    const ms = prev ? Math.min(prev.ms * 2, RETRY_MAX_MS) : RETRY_INITIAL_MS;
    const timer = this.cluster.timers.add(this.cluster.now() + ms, 'replicaset.resync', { key: keyOf(rs.metadata.namespace, rs.metadata.name!) });
    this.cluster.records.set(BACKOFF_TABLE, uid, { ms, timer });
  }

  runQueue(): boolean {
    if (this.queue.size === 0) return false;
    const keys = [...this.queue].sort();
    this.queue.clear();
    for (const k of keys) {
      const [ns, name] = splitKey(k);
      const rs = this.cluster.store.get(REPLICASETS, ns, name);
      if (rs) this.sync(rs);
    }
    return true;
  }

  private sync(rs: KObject): void {
    const { api, store } = this.cluster;
    const ns = rs.metadata.namespace!;
    const name = rs.metadata.name!;
    const uid = rs.metadata.uid!;
    const spec = rs.spec as ReplicaSetSpec;
    // Release owned pods the selector no longer matches.
    for (const key of [...this.release]) {
      const e = this.pods.get(key);
      if (!e) {
        this.release.delete(key);
        continue;
      }
      if (e.owner !== uid) continue;
      this.release.delete(key);
      const [pns, pname] = splitKey(key);
      const pod = store.get(PODS, pns, pname);
      if (!pod || this.selects(rs, pod)) continue;
      const next = clone(pod);
      next.metadata.ownerReferences = (next.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid);
      if (!next.metadata.ownerReferences.length) delete next.metadata.ownerReferences;
      this.tryWrite(() => api.update(PODS, pns, pname, next));
    }
    if (!rs.metadata.deletionTimestamp) {
      // Adopt orphans the selector matches.
      const orphans = this.orphans.get(ns);
      if (orphans?.size) {
        for (const pname of [...orphans].sort()) {
          const pod = store.get(PODS, ns, pname);
          if (!pod || controllerRef(pod) || !this.selects(rs, pod)) continue;
          const next = clone(pod);
          next.metadata.ownerReferences = [...(next.metadata.ownerReferences ?? []), ownerRefTo(rs)];
          this.tryWrite(() => api.update(PODS, ns, pname, next));
        }
      }
      this.manageReplicas(rs);
    }
    if ((spec.minReadySeconds ?? 0) > 0) this.recount(rs);
    this.updateStatus(rs);
  }

  private manageReplicas(rs: KObject): void {
    const { api, store } = this.cluster;
    const ns = rs.metadata.namespace!;
    const uid = rs.metadata.uid!;
    const spec = rs.spec as ReplicaSetSpec;
    const want = spec.replicas ?? 1;
    const active = this.counts.get(uid)?.active ?? 0;
    const diff = active - want;
    if (diff < 0) {
      const n = Math.min(-diff, BURST_REPLICAS);
      let failed = false;
      for (let i = 0; i < n; i++) {
        const pod = podFromTemplate(rs, spec.template ?? {}, { generateName: generateNamePrefix(rs.metadata.name!) });
        try {
          const created = api.create(PODS, ns, pod);
          this.cluster.events.record(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`, SOURCE);
        } catch (e) {
          this.cluster.events.record(rs, 'Warning', 'FailedCreate', `Error creating: ${(e as Error).message}`, SOURCE);
          failed = true;
          break;
        }
      }
      if (failed) this.retryLater(rs);
      else {
        this.cluster.records.delete(BACKOFF_TABLE, uid);
        if (-diff > n) this.queue.add(keyOf(ns, rs.metadata.name!));
      }
    } else if (diff > 0) {
      const candidates: Pod[] = [];
      for (const key of this.owned.get(uid) ?? []) {
        if (!(this.pods.get(key)!.flags & ACTIVE)) continue;
        const [pns, pname] = splitKey(key);
        const p = store.get(PODS, pns, pname) as Pod | undefined;
        if (p) candidates.push(p);
      }
      const victims = podsToDelete(candidates, Math.min(diff, BURST_REPLICAS), this.cluster.now());
      for (const p of victims) {
        try {
          api.delete(PODS, ns, p.metadata.name!, { preconditions: { uid: p.metadata.uid } });
          this.cluster.events.record(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`, SOURCE);
        } catch (e) {
          this.cluster.events.record(rs, 'Warning', 'FailedDelete', `Error deleting: ${(e as Error).message}`, SOURCE);
        }
      }
      if (diff > BURST_REPLICAS) this.queue.add(keyOf(ns, rs.metadata.name!));
    }
  }

  private updateStatus(rs: KObject): void {
    const uid = rs.metadata.uid!;
    const spec = rs.spec as ReplicaSetSpec;
    const c = this.counts.get(uid) ?? { active: 0, ready: 0, available: 0, labeled: 0 };
    const old = (rs.status ?? {}) as Record<string, unknown>;
    const status: Record<string, unknown> = { replicas: c.active };
    if (c.labeled) status.fullyLabeledReplicas = c.labeled;
    if (c.ready) status.readyReplicas = c.ready;
    if (c.available) status.availableReplicas = c.available;
    status.observedGeneration = rs.metadata.generation;
    if (old.conditions) status.conditions = old.conditions;
    const minReady = spec.minReadySeconds ?? 0;
    if (minReady > 0 && c.ready > c.available) {
      // Look again when the next ready pod has been ready long enough.
      let next = Infinity;
      for (const key of this.owned.get(uid) ?? []) {
        const e = this.pods.get(key)!;
        if (!(e.flags & READY) || e.flags & AVAILABLE) continue;
        const [pns, pname] = splitKey(key);
        const p = this.cluster.store.get(PODS, pns, pname) as Pod | undefined;
        const at = p ? availableAt(p, minReady) : undefined;
        if (at !== undefined && at < next) next = at;
      }
      if (next !== Infinity) this.cluster.timers.add(Math.max(next, this.cluster.now()), 'replicaset.resync', { key: keyOf(rs.metadata.namespace, rs.metadata.name!) });
    }
    if (JSON.stringify(status) === JSON.stringify(old)) return;
    const next = { ...rs, status };
    this.tryWrite(() => this.cluster.api.update(REPLICASETS, rs.metadata.namespace, rs.metadata.name!, next, { subresource: 'status' }));
  }

  private tryWrite(fn: () => unknown): void {
    try {
      fn();
    } catch {
      /* a conflict or a vanished object: the events it caused requeue the work */
    }
  }
}

const PHASE_RANK: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

/**
 * The pods to delete when scaling down, in the order Kubernetes prefers (controller.ActivePodsWithRanks):
 * unscheduled, pending, not ready, lower deletion cost, doubled up on a node, ready for less time, more
 * restarts, newer.
 */
export function podsToDelete(pods: Pod[], n: number, now: number): Pod[] {
  const perNode = new Map<string, number>();
  for (const p of pods) if (p.spec.nodeName) perNode.set(p.spec.nodeName, (perNode.get(p.spec.nodeName) ?? 0) + 1);
  const info = pods.map((p) => {
    const ready = isPodReady(p);
    const cost = Number(p.metadata.annotations?.['controller.kubernetes.io/pod-deletion-cost'] ?? 0) || 0;
    const restarts = (p.status?.containerStatuses ?? []).reduce((s, c) => s + (c.restartCount ?? 0), 0);
    return {
      p,
      assigned: p.spec.nodeName ? 1 : 0,
      phase: PHASE_RANK[p.status?.phase ?? 'Pending'] ?? 0,
      ready: ready ? 1 : 0,
      cost,
      rank: p.spec.nodeName ? (perNode.get(p.spec.nodeName) ?? 0) : 0,
      readySince: ready ? (parseTime(podReadyCondition(p)?.lastTransitionTime ?? undefined) ?? now) : 0,
      restarts,
      created: parseTime(p.metadata.creationTimestamp) ?? 0,
    };
  });
  info.sort(
    (a, b) =>
      a.assigned - b.assigned ||
      a.phase - b.phase ||
      a.ready - b.ready ||
      a.cost - b.cost ||
      b.rank - a.rank ||
      b.readySince - a.readySince ||
      b.restarts - a.restarts ||
      b.created - a.created ||
      (a.p.metadata.uid! < b.p.metadata.uid! ? -1 : 1),
  );
  return info.slice(0, n).map((x) => x.p);
}
