import { NODES, PODS } from '../apiserver/resources.ts';
import type { Condition, Node, Pod, Taint } from '../apiserver/types.ts';
import type { Cluster } from '../cluster.ts';
import { bytes } from '../util/quantity.ts';
import { rfc3339 } from '../util/time.ts';
import { nodeUsage, podUsage } from './metrics.ts';

/**
 * The kubelet's eviction manager, for memory: every `EVICTION_MONITORING_MS` it compares the node's
 * `memory.available` (capacity minus the working set of everything on it) with the hard threshold
 * (`memory.available<100Mi`, the kubelet's default). Below it, the node reports `MemoryPressure` (the node
 * lifecycle controller taints it `node.kubernetes.io/memory-pressure:NoSchedule`) and the kubelet evicts one
 * pod per pass, ranked as the kubelet ranks them for memory: pods using more than they request first, then
 * lower priority, then by how far usage exceeds the request. The condition clears once the threshold has not
 * been met for the pressure transition period (5 min).
 * Only nodes where a container's memory can grow are watched (the demo image's MEMORY_GROWTH, `stress --vm`):
 * elsewhere usage is flat and far below capacity, and polling 500 idle nodes would cost for nothing.
 */
export const MEMORY_THRESHOLD_BYTES = 100 * 1024 * 1024;
export const MEMORY_THRESHOLD = '100Mi';
export const EVICTION_MONITORING_MS = 10_000;
export const PRESSURE_TRANSITION_MS = 5 * 60_000;
export const MEMORY_PRESSURE_TAINT = 'node.kubernetes.io/memory-pressure';

const TABLE = 'kubelet:eviction';
export const EVICTION_TIMER = 'kubelet.eviction';

interface NodeEvictionState {
  /** the pending monitor timer */
  timer?: number;
  /** the last time the threshold was met (while under pressure) */
  lastMet?: number;
  pressure?: boolean;
}

/** A byte count as resource.Quantity prints a BinarySI value: the largest binary suffix that divides it. */
export function formatBinary(n: number): string {
  if (n === 0) return '0';
  const suffixes = ['Ei', 'Pi', 'Ti', 'Gi', 'Mi', 'Ki'];
  for (let i = 0; i < suffixes.length; i++) {
    const unit = 1024 ** (6 - i);
    if (Math.abs(n) >= unit && n % unit === 0) return `${n / unit}${suffixes[i]}`;
  }
  return String(n);
}

/** Working-set bytes as cgroups count them: whole pages. */
function pages(n: number): number {
  return Math.round(n / 4096) * 4096;
}

export function nodeUnderMemoryPressure(cluster: Cluster, node: string): boolean {
  return !!cluster.records.get<NodeEvictionState>(TABLE, node)?.pressure;
}

export class EvictionManager {
  private cluster: Cluster;
  private evict: (pod: Pod, message: string) => void;

  constructor(cluster: Cluster, evict: (pod: Pod, message: string) => void) {
    this.cluster = cluster;
    this.evict = evict;
  }

  private state(node: string): NodeEvictionState {
    return this.cluster.records.get<NodeEvictionState>(TABLE, node) ?? {};
  }

  /** A container whose memory can grow started on `node`: make sure the manager watches it. */
  watch(node: string): void {
    const st = this.state(node);
    if (st.timer !== undefined && this.cluster.timers.isPending(st.timer)) return;
    const timer = this.cluster.timers.add(this.cluster.now() + EVICTION_MONITORING_MS, EVICTION_TIMER, { node });
    this.cluster.records.set(TABLE, node, { ...st, timer });
  }

  /** One synchronize pass of the eviction manager on a node. */
  synchronize(nodeName: string): void {
    const st: NodeEvictionState = { ...this.state(nodeName), timer: undefined };
    const node = this.cluster.store.get(NODES, undefined, nodeName) as Node | undefined;
    if (!node) {
      this.cluster.records.delete(TABLE, nodeName);
      return;
    }
    const now = this.cluster.now();
    const capacity = bytes(node.status.capacity?.memory ?? '0');
    const available = capacity - pages(nodeUsage(this.cluster, node).memory);
    const met = available < MEMORY_THRESHOLD_BYTES;
    if (met) {
      st.lastMet = now;
      if (!st.pressure) {
        st.pressure = true;
        this.setCondition(node, true);
      }
      this.cluster.events.record(node, 'Warning', 'EvictionThresholdMet', 'Attempting to reclaim memory', { component: 'kubelet', host: nodeName });
      const victim = this.rank(nodeName)[0];
      if (victim) this.evict(victim.pod, this.message(victim.pod, available));
    } else if (st.pressure && now - (st.lastMet ?? now) >= PRESSURE_TRANSITION_MS) {
      st.pressure = false;
      st.lastMet = undefined;
      this.setCondition(this.cluster.store.get(NODES, undefined, nodeName) as Node, false);
    }
    // Keep watching while under pressure or while something on the node can still grow.
    if (st.pressure || this.growing(nodeName)) st.timer = this.cluster.timers.add(now + EVICTION_MONITORING_MS, EVICTION_TIMER, { node: nodeName });
    if (st.timer === undefined && !st.pressure) this.cluster.records.delete(TABLE, nodeName);
    else this.cluster.records.set(TABLE, nodeName, st);
  }

  private activePods(nodeName: string): Pod[] {
    return (this.cluster.store.list(PODS) as Pod[]).filter(
      (p) => p.spec.nodeName === nodeName && p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded' && !p.metadata.deletionTimestamp,
    );
  }

  private growing(nodeName: string): boolean {
    const k = (this.cluster as Cluster & { kubelet?: { memoryCanGrow(pod: Pod): boolean } }).kubelet;
    return this.activePods(nodeName).some((p) => k?.memoryCanGrow(p));
  }

  /** rankMemoryPressure: exceeding requests first, then priority (low first), then usage above requests. */
  private rank(nodeName: string): { pod: Pod; exceeds: boolean; priority: number; over: number }[] {
    const out: { pod: Pod; exceeds: boolean; priority: number; over: number }[] = [];
    for (const pod of this.activePods(nodeName)) {
      const usage = podUsage(this.cluster, pod);
      if (!usage) continue;
      const used = usage.reduce((s, c) => s + pages(c.usage.memory), 0);
      const requested = pod.spec.containers.reduce((s, c) => s + bytes(c.resources?.requests?.memory ?? '0'), 0);
      out.push({ pod, exceeds: used > requested, priority: (pod.spec.priority as number | undefined) ?? 0, over: used - requested });
    }
    out.sort((a, b) => Number(b.exceeds) - Number(a.exceeds) || a.priority - b.priority || b.over - a.over || (a.pod.metadata.name! < b.pod.metadata.name! ? -1 : 1));
    return out;
  }

  /** evictionMessage: the starved resource, the threshold, and the containers using more than they request. */
  private message(pod: Pod, available: number): string {
    let msg = `The node was low on resource: memory. Threshold quantity: ${MEMORY_THRESHOLD}, available: ${formatBinary(pages(available))}. `;
    for (const c of podUsage(this.cluster, pod) ?? []) {
      const spec = pod.spec.containers.find((s) => s.name === c.name);
      if (!spec) continue;
      const used = pages(c.usage.memory);
      const req = spec.resources?.requests?.memory;
      if (used > bytes(req ?? '0')) msg += `Container ${c.name} was using ${formatBinary(used)}, request is ${req ?? '0'}, has larger consumption of memory. `;
    }
    return msg;
  }

  /** The kubelet's MemoryPressure condition, with the lifecycle controller's matching NoSchedule taint. */
  private setCondition(node: Node, pressure: boolean): void {
    const now = rfc3339(this.cluster.now());
    const want: Pick<Condition, 'status' | 'reason' | 'message'> = pressure
      ? { status: 'True', reason: 'KubeletHasInsufficientMemory', message: 'kubelet has insufficient memory available' }
      : { status: 'False', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' };
    const taints: Taint[] = (node.spec.taints ?? []).filter((t) => t.key !== MEMORY_PRESSURE_TAINT);
    if (pressure) taints.push({ key: MEMORY_PRESSURE_TAINT, effect: 'NoSchedule' });
    const next = {
      ...node,
      metadata: { ...node.metadata },
      spec: { ...node.spec, taints },
      status: {
        ...node.status,
        conditions: node.status.conditions.map((c) => (c.type === 'MemoryPressure' ? { ...c, ...want, lastHeartbeatTime: now, lastTransitionTime: now } : c)),
      },
    } as Node;
    if (!taints.length) delete next.spec.taints;
    this.cluster.store.put(NODES, next);
    const reason = pressure ? 'NodeHasInsufficientMemory' : 'NodeHasSufficientMemory';
    this.cluster.events.record(next, 'Normal', reason, `Node ${node.metadata.name} status is now: ${reason}`, { component: 'kubelet', host: node.metadata.name });
  }
}
