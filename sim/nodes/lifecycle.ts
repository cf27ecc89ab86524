import { nodeUnderMemoryPressure } from '../kubelet/eviction.ts';
import { NODES, PODS } from '../apiserver/resources.ts';
import type { StoreEvent } from '../apiserver/store.ts';
import type { Condition, KObject, Node, Pod, Taint, Toleration } from '../apiserver/types.ts';
import type { Cluster, Component } from '../cluster.ts';
import { rfc3339, rfc3339Micro } from '../util/time.ts';
import { lastRenewal, LEASES, NODE_LEASE_NAMESPACE } from './node.ts';

/** kube-controller-manager's --node-monitor-period: the node lifecycle controller looks at nodes every 5 s. */
export const NODE_MONITOR_PERIOD_MS = 5_000;
/**
 * --node-monitor-grace-period: how long a node may go without renewing its Lease before it is marked
 * Unknown. 40 s until Kubernetes 1.31; 1.32 raised the default to 50 s (kubernetes/kubernetes#126287).
 */
export const NODE_MONITOR_GRACE_MS = 50_000;
/** Pod GC deletes the pods of a Node that is gone after this quarantine (gcOrphaned's quarantineTime). */
export const POD_GC_QUARANTINE_MS = 40_000;
/** kubelet's nodeStatusReportFrequency: an unchanged status is reposted (a heartbeat) every 5 min. */
export const NODE_STATUS_REPORT_MS = 5 * 60_000;

export const UNREACHABLE_TAINT = 'node.kubernetes.io/unreachable';
export const NOT_READY_TAINT = 'node.kubernetes.io/not-ready';

export type NodeFaultKind = 'node-down' | 'node-partition' | 'node-not-ready';

/** A fault on one node's kubelet: plain data in the `nodeFaults` table, keyed by node name. */
export interface NodeFault {
  fault: NodeFaultKind;
  since: number;
  /** the kubelet's last Lease renewal before the fault (virtual ms) */
  lastRenew: number;
  /** when the lifecycle controller marks the node Unknown (down/partition) */
  unknownAt?: number;
}

export const FAULTS_TABLE = 'nodeFaults';
const EVICTIONS_TABLE = 'taintEvictions';
const ORPHANS_TABLE = 'podGcPending';

interface ScheduledEviction {
  uid: string;
  /** when the taint manager first saw the pod on a NoExecute-tainted node */
  since: number;
  at: number;
  timer: number;
}

const NOT_READY_MESSAGE = 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized';

/** True while the node's kubelet runs and reaches the API server (no `node-down` or `node-partition` fault). */
export function kubeletRunning(cluster: Cluster, nodeName: string): boolean {
  if (!cluster.store.get(NODES, undefined, nodeName)) return false;
  const f = cluster.records.get<NodeFault>(FAULTS_TABLE, nodeName);
  return !f || f.fault === 'node-not-ready';
}

const instances = new WeakMap<Cluster, NodeLifecycle>();

export function nodeLifecycleOf(cluster: Cluster): NodeLifecycle {
  const l = instances.get(cluster);
  if (!l) throw new Error('the node lifecycle component is not attached to this cluster');
  return l;
}

function monitorTick(t: number): number {
  return Math.ceil(t / NODE_MONITOR_PERIOD_MS) * NODE_MONITOR_PERIOD_MS;
}

function podKey(p: KObject): string {
  return `${p.metadata.namespace}/${p.metadata.name}`;
}

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.operator === 'Exists') return !t.key || t.key === taint.key;
  return t.key === taint.key && (t.value ?? '') === (taint.value ?? '');
}

/**
 * The kubelets' heartbeats and the node lifecycle controller (kube-controller-manager), with the taint
 * eviction controller and Pod GC's orphan collection:
 * - a kubelet that stops (fault `node-down`, or `node-partition`: running but unreachable) stops renewing
 *   its Lease; after the grace period the node's conditions turn Unknown (`NodeStatusUnknown`), its pods
 *   Ready=False, and it gets the `node.kubernetes.io/unreachable` NoSchedule and NoExecute taints;
 * - a kubelet that reports Ready=False (`node-not-ready`) gets the `not-ready` taints;
 * - pods on a node with NoExecute taints are deleted once their tolerationSeconds run out
 *   (`TaintManagerEviction`), at once if they do not tolerate a taint at all;
 * - pods bound to a Node that no longer exists are deleted by Pod GC.
 *
 * Heartbeats are cheap: a healthy kubelet renews its Lease every 10 s, but nothing in the control plane
 * here needs those writes (the controller knows from the fault table when a kubelet stopped, and when it
 * last renewed: renewals fall every 10 s from the node's registration). So the stored Lease is written only
 * when the kubelet stops or starts again, and reads through the API server (`kubectl get lease`) show its
 * renewTime computed for the current virtual time: at most 10 s old for a live node, frozen for a dead one.
 * An idle cluster of 500 nodes writes nothing while time passes (instead of 50 Lease writes a second), and
 * reads never write, so a snapshot continues the same future however often it is read. What differs from a
 * real cluster: the Lease's resourceVersion does not move with each renewal, and a watch on Leases sees
 * only the stop and restart writes.
 */
export class NodeLifecycle implements Component {
  readonly name = 'node-lifecycle-controller';
  private cluster: Cluster;
  /** node name → keys of the pods bound to it (rebuilt on restore) */
  private podsByNode = new Map<string, Set<string>>();
  private podQueue = new Set<string>();
  private nodeQueue = new Set<string>();

  readonly timers = {
    'nodes.monitor': (d: { node: string }) => this.monitor(d.node),
    'nodes.taintEvict': (d: { key: string; uid: string }) => this.onEvictionDue(d.key, d.uid),
    'nodes.podgc': (d: { node: string }) => this.collectOrphans(d.node),
  };

  constructor(cluster: Cluster) {
    this.cluster = cluster;
    instances.set(cluster, this);
    this.wrapLeaseReads();
  }

  restore(): void {
    this.podsByNode.clear();
    for (const p of this.cluster.store.list(PODS) as Pod[]) this.index(p, undefined);
  }

  // ---- store events ----

  onStoreEvent(ev: StoreEvent): void {
    if (ev.info === PODS) {
      const pod = ev.object as Pod;
      this.index(ev.type === 'DELETED' ? undefined : pod, ev.old as Pod | undefined);
      if (ev.type === 'DELETED') {
        this.cancelEviction(podKey(pod));
        return;
      }
      if (pod.spec.nodeName && pod.spec.nodeName !== (ev.old as Pod | undefined)?.spec.nodeName) this.podQueue.add(podKey(pod));
    } else if (ev.info === NODES) {
      const node = ev.object as Node;
      const name = node.metadata.name!;
      if (ev.type === 'DELETED') {
        this.cluster.records.delete(FAULTS_TABLE, name);
        this.orphanLater(name);
        return;
      }
      const before = JSON.stringify(noExecute((ev.old as Node | undefined)?.spec.taints));
      if (JSON.stringify(noExecute(node.spec.taints)) !== before) this.nodeQueue.add(name);
    }
  }

  private index(pod: Pod | undefined, old: Pod | undefined): void {
    const oldNode = old?.spec.nodeName;
    const newNode = pod?.spec.nodeName;
    if (oldNode === newNode) return;
    const k = podKey((pod ?? old)!);
    if (oldNode) this.podsByNode.get(oldNode)?.delete(k);
    if (newNode) {
      let s = this.podsByNode.get(newNode);
      if (!s) this.podsByNode.set(newNode, (s = new Set()));
      s.add(k);
    }
  }

  runQueue(): boolean {
    if (this.podQueue.size === 0 && this.nodeQueue.size === 0) return false;
    for (const n of this.nodeQueue) for (const k of this.podsByNode.get(n) ?? []) this.podQueue.add(k);
    this.nodeQueue.clear();
    const keys = [...this.podQueue];
    this.podQueue.clear();
    for (const k of keys) this.processPod(k);
    return true;
  }

  /** Pods bound to a node (keys `namespace/name`). */
  podsOn(node: string): string[] {
    return [...(this.podsByNode.get(node) ?? [])];
  }

  private getPod(k: string): Pod | undefined {
    const i = k.indexOf('/');
    return this.cluster.store.get(PODS, k.slice(0, i), k.slice(i + 1)) as Pod | undefined;
  }

  private getNode(name: string): Node | undefined {
    return this.cluster.store.get(NODES, undefined, name) as Node | undefined;
  }

  // ---- faults (the kubelet's side) ----

  fault(name: string): NodeFault | undefined {
    return this.cluster.records.get<NodeFault>(FAULTS_TABLE, name);
  }

  /** The kubelet stops (down) or loses the API server (partition), or reports its runtime network down. */
  injectFault(nodeName: string, kind: NodeFaultKind): void {
    const node = this.getNode(nodeName);
    if (!node) return;
    const now = this.cluster.now();
    const prev = this.fault(nodeName);
    const wasSilent = prev && prev.fault !== 'node-not-ready';
    const lastRenew = wasSilent ? prev.lastRenew : lastRenewal(node, now);
    this.materializeLease(nodeName, lastRenew);
    if (!wasSilent && kind !== 'node-not-ready') {
      // Its last status report stays as the last heartbeat.
      const beat = this.withHeartbeat(node);
      if (beat !== node) this.cluster.store.put(NODES, clone(beat));
    }
    const f: NodeFault = { fault: kind, since: wasSilent ? prev.since : now, lastRenew };
    if (kind === 'node-not-ready') {
      this.kubeletPostsStatus(node, 'not-ready');
      this.cluster.records.set(FAULTS_TABLE, nodeName, f);
      this.cluster.timers.add(monitorTick(now + 1), 'nodes.monitor', { node: nodeName });
      return;
    }
    // The controller saw the last renewal at its next pass, and marks the node once that is older than the grace period.
    f.unknownAt = prev?.unknownAt ?? monitorTick(monitorTick(lastRenew) + NODE_MONITOR_GRACE_MS + 1);
    this.cluster.records.set(FAULTS_TABLE, nodeName, f);
    this.cluster.timers.add(Math.max(f.unknownAt, now), 'nodes.monitor', { node: nodeName });
  }

  /** The kubelet runs again and reaches the API server: it posts a Ready status and its pods' statuses. */
  heal(nodeName: string): void {
    const node = this.getNode(nodeName);
    if (!node || !this.fault(nodeName)) return;
    this.cluster.records.delete(FAULTS_TABLE, nodeName);
    this.materializeLease(nodeName, this.cluster.now());
    this.kubeletPostsStatus(node, 'ready');
    this.resyncPods(nodeName);
    this.cluster.timers.add(monitorTick(this.cluster.now() + 1), 'nodes.monitor', { node: nodeName });
  }

  private kubeletPostsStatus(node: Node, state: 'ready' | 'not-ready'): void {
    const now = rfc3339(this.cluster.now());
    const next = clone(node);
    const ready = state === 'ready';
    const want: Record<string, Pick<Condition, 'status' | 'reason' | 'message'>> = {
      MemoryPressure: nodeUnderMemoryPressure(this.cluster, node.metadata.name!)
        ? { status: 'True', reason: 'KubeletHasInsufficientMemory', message: 'kubelet has insufficient memory available' }
        : { status: 'False', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' },
      DiskPressure: { status: 'False', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' },
      PIDPressure: { status: 'False', reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available' },
      Ready: ready ? { status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' } : { status: 'False', reason: 'KubeletNotReady', message: NOT_READY_MESSAGE },
    };
    const before = node.status.conditions.find((c) => c.type === 'Ready')?.status;
    next.status.conditions = next.status.conditions.map((c) => {
      const w = want[c.type];
      if (!w) return c;
      return { ...c, ...w, lastHeartbeatTime: now, lastTransitionTime: c.status === w.status ? c.lastTransitionTime : now };
    });
    this.cluster.store.put(NODES, next);
    const after = ready ? 'True' : 'False';
    if (before !== after) {
      const reason = ready ? 'NodeReady' : 'NodeNotReady';
      this.cluster.events.record(next, 'Normal', reason, `Node ${node.metadata.name} status is now: ${reason}`, { component: 'kubelet', host: node.metadata.name });
    }
  }

  /** After a restart the kubelet's status manager reposts its pods' readiness from their containers. */
  private resyncPods(nodeName: string): void {
    const now = rfc3339(this.cluster.now());
    for (const k of this.podsOn(nodeName)) {
      const pod = this.getPod(k);
      if (!pod || pod.metadata.deletionTimestamp || !pod.status?.containerStatuses?.length) continue;
      const allReady = pod.status.containerStatuses.every((c) => c.ready);
      const cond = pod.status.conditions?.find((c) => c.type === 'Ready');
      if (!cond || !allReady || cond.status === 'True') continue;
      const next = clone(pod);
      next.status!.conditions = next.status!.conditions!.map((c) => (c.type === 'Ready' ? { type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: now } : c));
      this.cluster.store.put(PODS, next);
    }
  }

  // ---- the node lifecycle controller ----

  /** One monitor pass over one node (monitorNodeHealth, and the tainting passes it triggers). */
  private monitor(nodeName: string): void {
    const node = this.getNode(nodeName);
    if (!node) return;
    const f = this.fault(nodeName);
    const now = this.cluster.now();
    let ready = node.status.conditions.find((c) => c.type === 'Ready')?.status ?? 'Unknown';
    if (f && f.fault !== 'node-not-ready') {
      if (f.unknownAt !== undefined && now < f.unknownAt) {
        this.cluster.timers.add(f.unknownAt, 'nodes.monitor', { node: nodeName });
        return;
      }
      if (ready !== 'Unknown') {
        this.markUnknown(node);
        ready = 'Unknown';
      }
    }
    const disrupted = this.masterDisruption();
    const current = this.getNode(nodeName)!;
    const taintKey = ready === 'Unknown' ? UNREACHABLE_TAINT : ready === 'False' ? NOT_READY_TAINT : undefined;
    const hadTaint = (current.spec.taints ?? []).some((t) => t.key === UNREACHABLE_TAINT || t.key === NOT_READY_TAINT);
    this.setControllerTaints(current, taintKey, !disrupted);
    if (taintKey && !hadTaint) this.markPodsNotReady(nodeName);
  }

  /**
   * handleDisruption: when every node is not Ready the controller assumes the control plane lost the network
   * ("Controller detected that all Nodes are not-Ready. Entering master disruption mode"), removes the
   * NoExecute taints and evicts nothing; once a node is Ready again it taints the others anew.
   */
  private masterDisruption(): boolean {
    const nodes = this.cluster.store.list(NODES) as Node[];
    const all = nodes.length > 0 && nodes.every((n) => n.status.conditions.find((c) => c.type === 'Ready')?.status !== 'True');
    const was = this.cluster.records.get<boolean>('meta', 'nodes.masterDisruption') ?? false;
    if (all === was) return all;
    if (all) {
      this.cluster.records.set('meta', 'nodes.masterDisruption', true);
      for (const n of nodes) {
        const key = (n.spec.taints ?? []).find((t) => t.key === UNREACHABLE_TAINT || t.key === NOT_READY_TAINT)?.key;
        this.setControllerTaints(n, key, false);
      }
    } else {
      this.cluster.records.delete('meta', 'nodes.masterDisruption');
      for (const n of nodes) {
        if (n.status.conditions.find((c) => c.type === 'Ready')?.status !== 'True') this.cluster.timers.add(this.cluster.now(), 'nodes.monitor', { node: n.metadata.name! });
      }
    }
    return all;
  }

  /** tryUpdateNodeHealth: the kubelet has not posted for the grace period. */
  private markUnknown(node: Node): void {
    const now = rfc3339(this.cluster.now());
    const next = clone(node);
    next.status.conditions = next.status.conditions.map((c) => ({
      ...c,
      status: 'Unknown',
      reason: 'NodeStatusUnknown',
      message: 'Kubelet stopped posting node status.',
      lastTransitionTime: c.status === 'Unknown' ? c.lastTransitionTime : now,
    }));
    this.cluster.store.put(NODES, next);
    this.cluster.events.record(next, 'Normal', 'NodeNotReady', `Node ${node.metadata.name} status is now: NodeNotReady`, { component: 'node-controller' });
  }

  /** The unreachable / not-ready taints (NoSchedule and NoExecute) that the controller owns, as the node's Ready says. */
  private setControllerTaints(node: Node, key: string | undefined, noExecute = true): void {
    const now = rfc3339(this.cluster.now());
    const owned = (t: Taint) => t.key === UNREACHABLE_TAINT || t.key === NOT_READY_TAINT;
    const taints = node.spec.taints ?? [];
    const keep = taints.filter((t) => !owned(t) || (t.key === key && (noExecute || t.effect !== 'NoExecute')));
    const want: Taint[] = key ? [{ key, effect: 'NoSchedule' }] : [];
    if (key && noExecute) want.push({ key, effect: 'NoExecute', timeAdded: now });
    const next = [...keep];
    for (const w of want) if (!next.some((t) => t.key === w.key && t.effect === w.effect)) next.push(w);
    if (JSON.stringify(next) === JSON.stringify(taints)) return;
    const n = clone(node);
    if (next.length) n.spec.taints = next;
    else delete n.spec.taints;
    this.cluster.store.put(NODES, n);
  }

  /** MarkPodsNotReady: the pods of a node that is not Ready are not Ready either. */
  private markPodsNotReady(nodeName: string): void {
    const now = rfc3339(this.cluster.now());
    for (const k of this.podsOn(nodeName)) {
      const pod = this.getPod(k);
      const cond = pod?.status?.conditions?.find((c) => c.type === 'Ready');
      if (!pod || !cond || cond.status === 'False') continue;
      const next = clone(pod);
      next.status!.conditions = next.status!.conditions!.map((c) => (c.type === 'Ready' ? { ...c, status: 'False', lastTransitionTime: now } : c));
      this.cluster.store.put(PODS, next);
      this.cluster.events.record(next, 'Warning', 'NodeNotReady', 'Node is not ready', { component: 'node-controller' });
    }
  }

  // ---- the taint eviction controller ----

  private processPod(k: string): void {
    const pod = this.getPod(k);
    if (!pod || !pod.spec.nodeName || pod.metadata.deletionTimestamp) return this.cancelEviction(k);
    const node = this.getNode(pod.spec.nodeName);
    if (!node) this.orphanLater(pod.spec.nodeName);
    const taints = noExecute(node?.spec.taints);
    if (!taints.length) return this.cancelEviction(k);
    const tolerations = (pod.spec.tolerations ?? []).filter((t) => !t.effect || t.effect === 'NoExecute');
    let seconds = Infinity;
    for (const taint of taints) {
      const used = tolerations.filter((t) => tolerates(t, taint));
      if (!used.length) {
        seconds = 0;
        break;
      }
      for (const t of used) if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null) seconds = Math.min(seconds, Math.max(0, t.tolerationSeconds));
    }
    if (seconds === Infinity) return this.cancelEviction(k);
    const now = this.cluster.now();
    const prev = this.cluster.records.get<ScheduledEviction>(EVICTIONS_TABLE, k);
    const since = prev && prev.uid === pod.metadata.uid ? prev.since : now;
    const at = since + seconds * 1000;
    if (at <= now) {
      this.cancelEviction(k);
      this.evict(pod);
      return;
    }
    if (prev && prev.uid === pod.metadata.uid && prev.at === at && this.cluster.timers.isPending(prev.timer)) return;
    if (prev) this.cluster.timers.cancel(prev.timer);
    const timer = this.cluster.timers.add(at, 'nodes.taintEvict', { key: k, uid: pod.metadata.uid });
    this.cluster.records.set(EVICTIONS_TABLE, k, { uid: pod.metadata.uid!, since, at, timer } satisfies ScheduledEviction);
  }

  private cancelEviction(k: string): void {
    const prev = this.cluster.records.get<ScheduledEviction>(EVICTIONS_TABLE, k);
    if (!prev) return;
    this.cluster.timers.cancel(prev.timer);
    this.cluster.records.delete(EVICTIONS_TABLE, k);
  }

  private onEvictionDue(k: string, uid: string): void {
    const prev = this.cluster.records.get<ScheduledEviction>(EVICTIONS_TABLE, k);
    if (!prev || prev.uid !== uid) return;
    this.processPod(k);
  }

  private evict(pod: Pod): void {
    const next = clone(pod);
    const now = rfc3339(this.cluster.now());
    const conds = (next.status ??= {}).conditions ?? [];
    next.status.conditions = [
      ...conds.filter((c) => c.type !== 'DisruptionTarget'),
      { type: 'DisruptionTarget', status: 'True', lastProbeTime: null, lastTransitionTime: now, reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint' },
    ];
    this.cluster.store.put(PODS, next);
    this.cluster.events.record(next, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${podKey(pod)}`, { component: 'taint-eviction-controller' });
    try {
      this.cluster.api.delete(PODS, pod.metadata.namespace, pod.metadata.name!, { preconditions: { uid: pod.metadata.uid } });
    } catch {
      // Gone meanwhile.
    }
  }

  // ---- Pod GC: pods of a Node that no longer exists ----

  /** Pod GC looks again after its quarantine: one pending check per missing node. */
  private orphanLater(nodeName: string): void {
    const seq = this.cluster.records.get<number>(ORPHANS_TABLE, nodeName);
    if (seq !== undefined && this.cluster.timers.isPending(seq)) return;
    this.cluster.records.set(ORPHANS_TABLE, nodeName, this.cluster.timers.add(this.cluster.now() + POD_GC_QUARANTINE_MS, 'nodes.podgc', { node: nodeName }));
  }

  private collectOrphans(nodeName: string): void {
    this.cluster.records.delete(ORPHANS_TABLE, nodeName);
    if (this.getNode(nodeName)) return;
    const now = rfc3339(this.cluster.now());
    for (const k of this.podsOn(nodeName)) {
      const pod = this.getPod(k);
      if (!pod) continue;
      const next = clone(pod);
      const conds = (next.status ??= {}).conditions ?? [];
      next.status.conditions = [
        ...conds.filter((c) => c.type !== 'DisruptionTarget'),
        { type: 'DisruptionTarget', status: 'True', lastProbeTime: null, lastTransitionTime: now, reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists' },
      ];
      if (!isTerminal(next)) next.status.phase = 'Failed';
      this.cluster.store.put(PODS, next);
      try {
        this.cluster.api.delete(PODS, pod.metadata.namespace, pod.metadata.name!, { gracePeriodSeconds: 0 });
      } catch {
        // Gone meanwhile.
      }
    }
    // The garbage collector removes the node's Lease (owned by the Node).
    const lease = this.cluster.store.get(LEASES, NODE_LEASE_NAMESPACE, nodeName);
    if (lease) this.cluster.store.remove(LEASES, lease);
  }

  // ---- Leases, renewed on read ----

  /** The renewTime a node's Lease shows now: the kubelet's last 10 s renewal, or the last one before it stopped. */
  private dueRenewal(nodeName: string): number | undefined {
    const node = this.getNode(nodeName);
    if (!node) return undefined;
    const f = this.fault(nodeName);
    if (f && f.fault !== 'node-not-ready') return f.lastRenew;
    return lastRenewal(node, this.cluster.now());
  }

  /** Writes a Lease's renewTime (at the kubelet's transitions: it stops, or starts again). */
  private materializeLease(nodeName: string, at: number | undefined): void {
    if (at === undefined) return;
    const lease = this.cluster.store.get(LEASES, NODE_LEASE_NAMESPACE, nodeName);
    if (!lease) return;
    const next = withRenewTime(lease, at);
    if (next !== lease) this.cluster.store.put(LEASES, next);
  }

  /** Reads through the API server (kubectl, the HTTP face) see each node Lease with its renewTime computed for now. */
  private wrapLeaseReads(): void {
    const api = this.cluster.api;
    const get = api.get.bind(api);
    const list = api.list.bind(api);
    const renewed = (o: KObject): KObject => {
      if (o.metadata.namespace !== NODE_LEASE_NAMESPACE) return o;
      const at = this.dueRenewal(o.metadata.name!);
      return at === undefined ? o : withRenewTime(o, at);
    };
    api.get = (info, namespace, name) => {
      const o = get(info, namespace, name);
      return info === LEASES ? renewed(o) : info === NODES ? this.withHeartbeat(o as Node) : o;
    };
    api.list = (info, namespace, opts) => {
      const r = list(info, namespace, opts);
      if (info === LEASES) return { ...r, items: r.items.map(renewed) };
      if (info === NODES) return { ...r, items: r.items.map((n) => this.withHeartbeat(n as Node)) };
      return r;
    };
  }

  /**
   * The kubelet reposts an unchanged node status every nodeStatusReportFrequency (5 min), which only moves the
   * conditions' lastHeartbeatTime: computed on read like the Lease, for a kubelet that is posting.
   */
  private withHeartbeat(node: Node): Node {
    const name = node.metadata.name!;
    const f = this.fault(name);
    if (f && f.fault !== 'node-not-ready') return node;
    const created = Date.parse(node.metadata.creationTimestamp ?? '') || 0;
    const now = this.cluster.now();
    const beat = rfc3339(created + Math.floor(Math.max(0, now - created) / NODE_STATUS_REPORT_MS) * NODE_STATUS_REPORT_MS);
    const conds = node.status?.conditions;
    if (!conds?.some((c) => c.lastHeartbeatTime && c.lastHeartbeatTime < beat)) return node;
    return { ...node, status: { ...node.status, conditions: conds.map((c) => (c.lastHeartbeatTime && c.lastHeartbeatTime < beat ? { ...c, lastHeartbeatTime: beat } : c)) } };
  }
}

/** The Lease with renewTime at `at`, or the same object when it already shows that (or a later) renewal. */
function withRenewTime(lease: KObject, at: number): KObject {
  const renewTime = rfc3339Micro(at);
  const spec = (lease.spec ?? {}) as { renewTime?: string };
  if ((spec.renewTime ?? '') >= renewTime) return lease;
  return { ...lease, spec: { ...spec, renewTime } };
}

function noExecute(taints: Taint[] | undefined): Taint[] {
  return (taints ?? []).filter((t) => t.effect === 'NoExecute');
}

function isTerminal(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}
