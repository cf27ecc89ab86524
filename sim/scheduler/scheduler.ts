import { NODES, PODS } from '../apiserver/resources.ts';
import type { StoreEvent } from '../apiserver/store.ts';
import type { Condition, KObject, Node, Pod, Taint, Toleration } from '../apiserver/types.ts';
import type { Cluster, Component } from '../cluster.ts';
import { bytes, milliCpu } from '../util/quantity.ts';
import { rfc3339 } from '../util/time.ts';

/** How long an unschedulable pod waits before it is tried again without a cluster change (podMaxInUnschedulablePodsDuration). */
const UNSCHEDULABLE_RETRY_MS = 5 * 60 * 1000;

interface Requests {
  cpu: number; // millicores
  memory: number; // bytes
}

/** What the pods on a node ask for: real requests (for fit) and non-zero requests (for scoring). */
interface NodeUsage {
  cpu: number;
  memory: number;
  pods: number;
  nonZeroCpu: number;
  nonZeroMemory: number;
}

/** The scheduler counts a container without requests as 100m CPU and 200Mi memory when scoring. */
const DEFAULT_CPU_REQUEST = 100;
const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

function emptyUsage(): NodeUsage {
  return { cpu: 0, memory: 0, pods: 0, nonZeroCpu: 0, nonZeroMemory: 0 };
}

function addUsage(u: NodeUsage, r: Requests, sign: 1 | -1): void {
  u.cpu += sign * r.cpu;
  u.memory += sign * r.memory;
  u.pods += sign;
  u.nonZeroCpu += sign * (r.cpu || DEFAULT_CPU_REQUEST);
  u.nonZeroMemory += sign * (r.memory || DEFAULT_MEMORY_REQUEST);
}

/**
 * kube-scheduler's default profile, reduced to the plugins a learner meets: NodeUnschedulable, NodeName,
 * TaintToleration, NodeAffinity (nodeSelector), NodeResourcesFit and the pod count, scored by least allocation.
 */
export class Scheduler implements Component {
  readonly name = 'default-scheduler';
  private active = new Set<string>();
  private unschedulable = new Set<string>();
  /** The scheduler's cache: what the pods bound to each node ask for, kept up to date from pod events. */
  private usage = new Map<string, NodeUsage>();
  private counted = new Map<string, { node: string; req: Requests }>();

  readonly timers = {
    'scheduler.flushUnschedulable': () => this.moveAllToActive(),
  };

  private cluster: Cluster;

  constructor(cluster: Cluster) {
    this.cluster = cluster;
  }

  /** At rest every queue is empty, so a pod still waiting for a node is one that did not fit. */
  restore(): void {
    for (const pod of this.cluster.store.list(PODS) as Pod[]) {
      this.account(pod);
      if (this.wants(pod)) this.unschedulable.add(key(pod));
    }
  }

  /** Keeps the cache's count of a pod's requests on its node in step with the pod. */
  private account(pod: Pod | undefined, k = pod && key(pod)): void {
    if (!k) return;
    const before = this.counted.get(k);
    const node = pod && pod.spec.nodeName && !isTerminal(pod) ? pod.spec.nodeName : undefined;
    if (before && before.node === node) return;
    if (before) {
      addUsage(this.nodeUsage(before.node), before.req, -1);
      this.counted.delete(k);
    }
    if (node) {
      const req = podRequests(pod!);
      addUsage(this.nodeUsage(node), req, 1);
      this.counted.set(k, { node, req });
    }
  }

  private nodeUsage(node: string): NodeUsage {
    let u = this.usage.get(node);
    if (!u) this.usage.set(node, (u = emptyUsage()));
    return u;
  }

  onStoreEvent(ev: StoreEvent): void {
    if (ev.info === PODS) {
      const pod = ev.object as Pod;
      this.account(ev.type === 'DELETED' ? undefined : pod, key(pod));
      if (ev.type !== 'DELETED' && this.wants(pod)) this.active.add(key(pod));
      // A pod that went away or finished frees room: unschedulable pods get another chance.
      if (ev.type === 'DELETED' || (ev.old && (ev.old as Pod).spec.nodeName && isTerminal(pod))) this.moveAllToActive();
    } else if (ev.info === NODES) {
      this.moveAllToActive();
    }
  }

  private wants(pod: Pod): boolean {
    return !pod.spec.nodeName && !pod.metadata.deletionTimestamp && (pod.spec.schedulerName ?? 'default-scheduler') === 'default-scheduler' && !isTerminal(pod);
  }

  /** One pending retry timer at a time, however many pods are waiting. */
  private retryLater(): void {
    const seq = this.cluster.records.get<number>('meta', 'scheduler.retryTimer');
    if (this.cluster.timers.isPending(seq)) return;
    this.cluster.records.set('meta', 'scheduler.retryTimer', this.cluster.timers.add(this.cluster.now() + UNSCHEDULABLE_RETRY_MS, 'scheduler.flushUnschedulable', null));
  }

  private moveAllToActive(): void {
    for (const k of this.unschedulable) this.active.add(k);
    this.unschedulable.clear();
  }

  runQueue(): boolean {
    if (this.active.size === 0) return false;
    // Schedule in queue order: priority first, then creation (as the scheduling queue sorts).
    const pods = [...this.active]
      .map((k) => this.cluster.store.get(PODS, k.split('/')[0], k.split('/')[1]) as Pod | undefined)
      .filter((p): p is Pod => !!p && this.wants(p));
    this.active.clear();
    pods.sort((a, b) => (b.spec.priority ?? 0) - (a.spec.priority ?? 0) || (a.metadata.creationTimestamp! < b.metadata.creationTimestamp! ? -1 : a.metadata.creationTimestamp! > b.metadata.creationTimestamp! ? 1 : 0));
    const nodes = this.cluster.store.list(NODES) as Node[];
    for (const pod of pods) this.scheduleOne(pod, nodes);
    return true;
  }

  private scheduleOne(pod: Pod, nodes: Node[]): void {
    const usage = this.usage;
    const reasons = new Map<string, number>();
    const feasible: { node: Node; score: number }[] = [];
    const req = podRequests(pod);
    for (const node of nodes) {
      const why = this.filter(pod, node, req, usage.get(node.metadata.name!));
      if (why.length) for (const w of why) reasons.set(w, (reasons.get(w) ?? 0) + 1);
      else feasible.push({ node, score: this.score(node, req, usage.get(node.metadata.name!)) });
    }
    if (feasible.length === 0) {
      this.unschedulable.add(key(pod));
      this.markUnschedulable(pod, nodes.length, reasons);
      this.retryLater();
      return;
    }
    // Highest score wins; ties are broken at random, as selectHost does.
    const best = Math.max(...feasible.map((f) => f.score));
    const top = feasible.filter((f) => f.score === best);
    const chosen = top[this.cluster.rng.int(0, top.length - 1)].node;
    this.bind(pod, chosen.metadata.name!);
  }

  private filter(pod: Pod, node: Node, req: Requests, used = emptyUsage()): string[] {
    const why: string[] = [];
    if (pod.spec.nodeName && pod.spec.nodeName !== node.metadata.name) return ["node(s) didn't match the requested node name"];
    if (node.spec.unschedulable && !tolerates(pod.spec.tolerations, { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' })) {
      return ['node(s) were unschedulable'];
    }
    const selector = pod.spec.nodeSelector ?? {};
    const labels = node.metadata.labels ?? {};
    if (Object.entries(selector).some(([k, v]) => labels[k] !== v)) return ["node(s) didn't match Pod's node affinity/selector"];
    for (const taint of node.spec.taints ?? []) {
      if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') continue;
      if (!tolerates(pod.spec.tolerations, taint)) {
        return [`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`.replace(': }', '}')];
      }
    }
    const alloc = node.status.allocatable;
    if (used.pods + 1 > Number(alloc.pods ?? 110)) why.push('Too many pods');
    if (req.cpu > 0 && used.cpu + req.cpu > milliCpu(alloc.cpu)) why.push('Insufficient cpu');
    if (req.memory > 0 && used.memory + req.memory > bytes(alloc.memory)) why.push('Insufficient memory');
    return why;
  }

  /** NodeResourcesFit with the LeastAllocated strategy (cpu and memory weighted equally), 0-100. */
  private score(node: Node, req: Requests, used = emptyUsage()): number {
    const cpuCap = milliCpu(node.status.allocatable.cpu);
    const memCap = bytes(node.status.allocatable.memory);
    const cpu = used.nonZeroCpu + (req.cpu || DEFAULT_CPU_REQUEST);
    const mem = used.nonZeroMemory + (req.memory || DEFAULT_MEMORY_REQUEST);
    const free = (cap: number, u: number) => (cap <= 0 || u > cap ? 0 : Math.floor(((cap - u) * 100) / cap));
    return Math.floor((free(cpuCap, cpu) + free(memCap, mem)) / 2);
  }

  /** What the pods/binding subresource does: sets spec.nodeName and the PodScheduled condition in one write. */
  private bind(pod: Pod, nodeName: string): void {
    const bound = JSON.parse(JSON.stringify(pod)) as Pod;
    bound.spec.nodeName = nodeName;
    setCondition(bound, { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: rfc3339(this.cluster.now()) });
    this.cluster.store.put(PODS, bound);
    this.cluster.events.record(bound, 'Normal', 'Scheduled', `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${nodeName}`, {
      component: 'default-scheduler',
    });
  }

  private markUnschedulable(pod: Pod, nodeCount: number, reasons: Map<string, number>): void {
    const parts = [...reasons.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([r, n]) => `${n} ${r}`);
    const preemption = `preemption: 0/${nodeCount} nodes are available: ${nodeCount} No preemption victims found for incoming pod.`;
    const message = nodeCount === 0 ? `no nodes available to schedule pods` : `0/${nodeCount} nodes are available: ${parts.join(', ')}. ${preemption}`;
    const next = JSON.parse(JSON.stringify(pod)) as Pod;
    const changed = setCondition(next, { type: 'PodScheduled', status: 'False', lastProbeTime: null, lastTransitionTime: rfc3339(this.cluster.now()), reason: 'Unschedulable', message });
    if (changed) this.cluster.store.put(PODS, next);
    this.cluster.events.record(pod, 'Warning', 'FailedScheduling', message, { component: 'default-scheduler' });
  }
}

function key(pod: KObject): string {
  return `${pod.metadata.namespace}/${pod.metadata.name}`;
}

export function isTerminal(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

/** A pod's effective requests: the larger of the sum of its containers and its biggest init container. */
export function podRequests(pod: Pod): Requests {
  let cpu = 0;
  let memory = 0;
  for (const c of pod.spec.containers) {
    cpu += milliCpu(c.resources?.requests?.cpu);
    memory += bytes(c.resources?.requests?.memory);
  }
  for (const c of pod.spec.initContainers ?? []) {
    cpu = Math.max(cpu, milliCpu(c.resources?.requests?.cpu));
    memory = Math.max(memory, bytes(c.resources?.requests?.memory));
  }
  return { cpu, memory };
}

export function tolerates(tolerations: Toleration[] | undefined, taint: Pick<Taint, 'key' | 'value' | 'effect'>): boolean {
  return (tolerations ?? []).some((t) => {
    if (t.effect && t.effect !== taint.effect) return false;
    if (t.operator === 'Exists') return !t.key || t.key === taint.key;
    return t.key === taint.key && (t.value ?? '') === (taint.value ?? '');
  });
}

/** Sets a condition, keeping lastTransitionTime when the status did not change; true if anything changed. */
export function setCondition(pod: { status?: { conditions?: Condition[] } }, cond: Condition): boolean {
  const status = (pod.status ??= {});
  const list = (status.conditions ??= []);
  const i = list.findIndex((c) => c.type === cond.type);
  if (i < 0) {
    list.push(cond);
    return true;
  }
  const old = list[i];
  if (old.status === cond.status && old.reason === cond.reason && old.message === cond.message) return false;
  list[i] = { ...cond, lastTransitionTime: old.status === cond.status ? old.lastTransitionTime : cond.lastTransitionTime };
  return true;
}
