import { findResource, NAMESPACES, NODES, PODS } from '../apiserver/resources.ts';

import { matchesLabels, selectorFromSpec, type LabelSelector, type Requirement } from '../apiserver/selectors.ts';
import type { StoreEvent } from '../apiserver/store.ts';
import type { Condition, KObject, Node, Pod, Taint, Toleration } from '../apiserver/types.ts';
import type { Cluster, Component } from '../cluster.ts';
import { bytes, milliCpu, parseQuantity } from '../util/quantity.ts';
import { rfc3339 } from '../util/time.ts';
import { affinityOf, nodeMatchesRequired, resolveTerm, selectorOrNothing, termMatches, termSelects, toleratesAny, type ResolvedTerm } from './match.ts';

/** How long an unschedulable pod waits before it is tried again without a cluster change (podMaxInUnschedulablePodsDuration). */
const UNSCHEDULABLE_RETRY_MS = 5 * 60 * 1000;

const SERVICES = findResource('', 'services')!;
const PVCS = findResource('', 'persistentvolumeclaims')!;
const PVS = findResource('', 'persistentvolumes')!;
const STORAGE_CLASSES = findResource('storage.k8s.io', 'storageclasses')!;
const OWNER_RESOURCES: Record<string, ReturnType<typeof findResource>> = {
  ReplicaSet: findResource('apps', 'replicasets'),
  StatefulSet: findResource('apps', 'statefulsets'),
  ReplicationController: findResource('', 'replicationcontrollers'),
};

interface Requests {
  cpu: number; // millicores
  memory: number; // bytes
  /** ephemeral-storage, hugepages, extended resources (nvidia.com/gpu...), in base units */
  other?: Record<string, number>;
}

/** What the pods on a node ask for: real requests (for fit) and non-zero requests (for scoring). */
interface NodeUsage {
  cpu: number;
  memory: number;
  pods: number;
  nonZeroCpu: number;
  nonZeroMemory: number;
  other?: Record<string, number>;
}

/**
 * Bound pods with the same namespace and labels (a workload's replicas), counted per node: selectors of
 * affinity terms and spread constraints are matched once per group instead of once per pod.
 */
interface Group {
  ns: string;
  labels: Record<string, string> | undefined;
  size: number;
  /** node → pods of the group on it */
  perNode: Map<string, number>;
  /** the same without pods being deleted (what topology spread counts) */
  live: Map<string, number>;
}

/** The scheduler's cache entry for a pod bound to a node. */
interface BoundPod {
  ns: string;
  node: string;
  req: Requests;
  labels: Record<string, string> | undefined;
  labelsKey: string;
  ports: string[];
  deleting: boolean;
  hasAffinity: boolean;
  /** its required anti-affinity terms, resolved (for the incoming pods' filter) */
  antiTerms?: ResolvedTerm[];
  /** the terms that score incoming pods: required affinity (weight 1), preferred affinity (+w), preferred anti-affinity (-w) */
  scoreTerms?: ResolvedTerm[];
}

/** The scheduler counts a container without requests as 100m CPU and 200Mi memory when scoring. */
const DEFAULT_CPU_REQUEST = 100;
const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

/** Score plugin weights of the default profile (kube-scheduler 1.32). */
const WEIGHTS = { TaintToleration: 3, NodeAffinity: 2, NodeResourcesFit: 1, NodeResourcesBalancedAllocation: 1, InterPodAffinity: 2, PodTopologySpread: 2 };

/** Failure reasons as the plugins word them. */
export const REASONS = {
  unschedulable: 'node(s) were unschedulable',
  nodeName: "node(s) didn't match the requested node name",
  nodeAffinity: "node(s) didn't match Pod's node affinity/selector",
  nodePorts: "node(s) didn't have free ports for the requested pod ports",
  spread: "node(s) didn't match pod topology spread constraints",
  spreadLabel: "node(s) didn't match pod topology spread constraints (missing required label)",
  affinity: "node(s) didn't match pod affinity rules",
  antiAffinity: "node(s) didn't match pod anti-affinity rules",
  existingAntiAffinity: "node(s) didn't satisfy existing pods anti-affinity rules",
  taint: (t: Taint) => `node(s) had untolerated taint {${t.key}: ${t.value ?? ''}}`,
};

function emptyUsage(): NodeUsage {
  return { cpu: 0, memory: 0, pods: 0, nonZeroCpu: 0, nonZeroMemory: 0 };
}

function addUsage(u: NodeUsage, r: Requests, sign: 1 | -1): void {
  u.cpu += sign * r.cpu;
  u.memory += sign * r.memory;
  u.pods += sign;
  u.nonZeroCpu += sign * (r.cpu || DEFAULT_CPU_REQUEST);
  u.nonZeroMemory += sign * (r.memory || DEFAULT_MEMORY_REQUEST);
  if (r.other) {
    const o = (u.other ??= {});
    for (const [k, v] of Object.entries(r.other)) o[k] = (o[k] ?? 0) + sign * v;
  }
}

interface FilterResult {
  reasons: string[];
  /** UnschedulableAndUnresolvable: preemption cannot help on this node */
  unresolvable: boolean;
}

/** A spread constraint resolved for one scheduling cycle. */
interface Spread {
  key: string;
  maxSkew: number;
  minDomains: number;
  selector: LabelSelector | null;
  selfMatch: boolean;
  /** topology value → matching pods */
  counts: Map<string, number>;
  min: number;
}

/** What the plugins' PreFilter computes once per pod. */
interface Cycle {
  pod: Pod;
  req: Requests;
  ports: string[];
  hard: Spread[];
  /** existing pods' required anti-affinity: topology key → values the pod must avoid */
  forbidden: Map<string, Set<string>>;
  affinity: { term: ResolvedTerm; counts: Map<string, number> }[];
  affinityAnyMatch: boolean;
  affinitySelfMatch: boolean;
  anti: { term: ResolvedTerm; counts: Map<string, number> }[];
}

/**
 * kube-scheduler with the default profile's plugins: filters NodeUnschedulable, NodeName, TaintToleration,
 * NodeAffinity, NodePorts, NodeResourcesFit, PodTopologySpread, InterPodAffinity; scores TaintToleration,
 * NodeAffinity, NodeResourcesFit (LeastAllocated), NodeResourcesBalancedAllocation, InterPodAffinity and
 * PodTopologySpread (with the system default constraints), with the default weights; FailedScheduling
 * messages aggregated as the scheduler's FitError prints them, with the preemption post-filter's verdict.
 *
 * Cost per pod stays near O(nodes): the cache keeps each node's requested resources, and indexes of bound
 * pods by label, namespace and node, so affinity and spread count only the pods their selectors can match.
 */
export class Scheduler implements Component {
  readonly name = 'default-scheduler';
  private active = new Set<string>();
  private unschedulable = new Set<string>();
  /** The scheduler's cache: what the pods bound to each node ask for, kept up to date from pod events. */
  private usage = new Map<string, NodeUsage>();
  private counted = new Map<string, BoundPod>();
  private podsOnNode = new Map<string, Set<string>>();
  private groups = new Map<string, Group>();
  /** label `k\0v` → groups; namespace → groups */
  private byLabel = new Map<string, Set<string>>();
  private byNs = new Map<string, Set<string>>();
  private withAffinity = new Set<string>();

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

  // ---- the cache ----

  /** Keeps the cache's entry for a pod in step with the pod. */
  private account(pod: Pod | undefined, k = pod && key(pod)): void {
    if (!k) return;
    const before = this.counted.get(k);
    const node = pod && pod.spec.nodeName && !isTerminal(pod) ? pod.spec.nodeName : undefined;
    if (before && pod && before.node === node && before.deleting === !!pod.metadata.deletionTimestamp && before.labelsKey === JSON.stringify(pod.metadata.labels ?? {})) return;
    if (before) this.uncount(k, before);
    if (node) {
      const labels = pod!.metadata.labels;
      const a = affinityOf(pod!);
      const bp: BoundPod = {
        ns: pod!.metadata.namespace!,
        node,
        req: podRequests(pod!),
        labels,
        labelsKey: JSON.stringify(labels ?? {}),
        ports: hostPorts(pod!),
        deleting: !!pod!.metadata.deletionTimestamp,
        hasAffinity: !!(a.podAffinity || a.podAntiAffinity),
      };
      if (bp.hasAffinity) {
        bp.antiTerms = (a.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => resolveTerm(t, pod!));
        bp.scoreTerms = [
          ...(a.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => resolveTerm(t, pod!, 1)),
          ...(a.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => resolveTerm(w.podAffinityTerm, pod!, w.weight)),
          ...(a.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => resolveTerm(w.podAffinityTerm, pod!, -w.weight)),
        ];
      }
      addUsage(this.nodeUsage(node), bp.req, 1);
      this.counted.set(k, bp);
      addTo(this.podsOnNode, node, k);
      this.addToGroup(bp, 1);
      if (bp.hasAffinity) this.withAffinity.add(k);
    }
  }

  private uncount(k: string, bp: BoundPod): void {
    addUsage(this.nodeUsage(bp.node), bp.req, -1);
    this.counted.delete(k);
    removeFrom(this.podsOnNode, bp.node, k);
    this.addToGroup(bp, -1);
    this.withAffinity.delete(k);
  }

  private nodeUsage(node: string): NodeUsage {
    let u = this.usage.get(node);
    if (!u) this.usage.set(node, (u = emptyUsage()));
    return u;
  }

  private addToGroup(bp: BoundPod, sign: 1 | -1): void {
    const gk = `${bp.ns}\0${bp.labelsKey}`;
    let g = this.groups.get(gk);
    if (!g) {
      if (sign < 0) return;
      g = { ns: bp.ns, labels: bp.labels, size: 0, perNode: new Map(), live: new Map() };
      this.groups.set(gk, g);
      addTo(this.byNs, bp.ns, gk);
      for (const [lk, lv] of Object.entries(bp.labels ?? {})) addTo(this.byLabel, `${lk}\0${lv}`, gk);
    }
    g.size += sign;
    bump(g.perNode, bp.node, sign);
    if (!bp.deleting) bump(g.live, bp.node, sign);
    if (g.size === 0) {
      this.groups.delete(gk);
      removeFrom(this.byNs, bp.ns, gk);
      for (const [lk, lv] of Object.entries(bp.labels ?? {})) removeFrom(this.byLabel, `${lk}\0${lv}`, gk);
    }
  }

  /** The groups of bound pods a selector matches (namespace-filtered), found through the label index. */
  private candidates(sel: LabelSelector | null, inNs: (ns: string) => boolean, namespaces?: Set<string>): Group[] {
    if (!sel) return [];
    let best: Iterable<string> | undefined;
    let bestSize = Infinity;
    for (const r of sel) {
      if (r.op !== '=' && r.op !== 'in') continue;
      const sets = r.values.map((v) => this.byLabel.get(`${r.key}\0${v}`)).filter((x): x is Set<string> => !!x);
      const size = sets.reduce((n, x) => n + x.size, 0);
      if (size < bestSize) {
        bestSize = size;
        best = sets.length === 1 ? sets[0] : sets.flatMap((x) => [...x]);
      }
    }
    if (!best && namespaces) best = [...namespaces].flatMap((ns) => [...(this.byNs.get(ns) ?? [])]);
    const out: Group[] = [];
    for (const gk of best ?? this.groups.keys()) {
      const g = this.groups.get(gk);
      if (g && inNs(g.ns) && matchesLabels(sel, g.labels)) out.push(g);
    }
    return out;
  }

  // ---- the queue ----

  onStoreEvent(ev: StoreEvent): void {
    if (ev.info === PODS) {
      const pod = ev.object as Pod;
      this.account(ev.type === 'DELETED' ? undefined : pod, key(pod));
      if (ev.type !== 'DELETED' && this.wants(pod)) this.active.add(key(pod));
      // A pod that went away or finished frees room: unschedulable pods get another chance.
      if (ev.type === 'DELETED' || (ev.old && (ev.old as Pod).spec.nodeName && isTerminal(pod))) this.moveAllToActive();
    } else if (ev.info === NODES || ev.info === PVCS || ev.info === PVS || ev.info === STORAGE_CLASSES) {
      // A node, or a claim, volume or class a waiting pod may need, changed: waiting pods get another chance.
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
    const byName = new Map(nodes.map((n) => [n.metadata.name!, n]));
    for (const pod of pods) this.scheduleOne(pod, nodes, byName);
    return true;
  }

  // ---- one scheduling cycle ----

  private scheduleOne(pod: Pod, allNodes: Node[], byName: Map<string, Node>): void {
    const total = allNodes.length;
    const statuses = new Map<string, FilterResult>();
    // NodeAffinity's PreFilter: required terms that all name nodes (matchFields metadata.name In) narrow the nodes.
    const named = nodeNamesFromAffinity(pod);
    if (named && named.size === 0) {
      this.failScheduling(pod, total, [], 'pod affinity terms conflict');
      return;
    }
    // VolumeBinding's PreFilter: every claim must exist, and a claim of an Immediate class must already be bound.
    const volumes = this.volumePreFilter(pod);
    if (volumes) {
      this.failScheduling(pod, total, [], volumes);
      return;
    }
    let nodes = allNodes;
    if (named) {
      nodes = [...named].sort().map((nm) => byName.get(nm)).filter((nd): nd is Node => !!nd);
      for (const nd of allNodes) if (!named.has(nd.metadata.name!)) statuses.set(nd.metadata.name!, { reasons: ["node(s) didn't satisfy plugin(s) [NodeAffinity]"], unresolvable: true });
    }
    const cycle = this.preFilter(pod, allNodes, byName);
    const feasible: Node[] = [];
    // percentageOfNodesToScore (adaptive): in big clusters the scheduler stops once it found enough feasible nodes.
    const n = nodes.length;
    const want = n < 100 ? n : Math.max(100, Math.floor((n * Math.max(5, 50 - Math.floor(n / 125))) / 100));
    const rotate = !named && n >= 100;
    const start = rotate ? (this.cluster.records.get<number>('meta', 'scheduler.nextStart') ?? 0) % n : 0;
    let processed = 0;
    for (; processed < n && feasible.length < want; processed++) {
      const node = nodes[(start + processed) % n];
      const r = this.filter(cycle, node, byName);
      if (r) statuses.set(node.metadata.name!, r);
      else feasible.push(node);
    }
    if (rotate) this.cluster.records.set('meta', 'scheduler.nextStart', (start + processed) % n);
    if (feasible.length === 0) {
      const all = [...statuses.values()];
      // DefaultPreemption (the PostFilter): lower-priority pods may make room for this one.
      const verdict = this.preempt(pod, cycle, statuses, byName);
      this.failScheduling(pod, total, all, undefined, verdict);
      return;
    }
    const chosen = feasible.length === 1 ? feasible[0] : this.pickBest(cycle, feasible, allNodes, byName);
    this.bind(pod, chosen.metadata.name!);
  }

  /** The VolumeBinding plugin's PreFilter verdict (UnschedulableAndUnresolvable), or undefined when the pod's claims allow scheduling. */
  private volumePreFilter(pod: Pod): string | undefined {
    const ns = pod.metadata.namespace!;
    let unboundImmediate = false;
    for (const v of (pod.spec.volumes ?? []) as { persistentVolumeClaim?: { claimName: string } }[]) {
      const name = v.persistentVolumeClaim?.claimName;
      if (name === undefined) continue;
      const claim = this.cluster.store.get(PVCS, ns, name) as (KObject & { spec?: { volumeName?: string; storageClassName?: string }; status?: { phase?: string } }) | undefined;
      if (!claim) return `persistentvolumeclaim "${name}" not found`;
      if (claim.status?.phase === 'Lost') return `persistentvolumeclaim "${name}" bound to non-existent persistentvolume "${claim.spec?.volumeName ?? ''}"`;
      if (claim.metadata.deletionTimestamp) return `persistentvolumeclaim "${name}" is being deleted`;
      if (claim.status?.phase === 'Bound') continue;
      // A claim waits for its first consumer only when its class says so; no class (or an unknown one) binds at once.
      const className = claim.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? claim.spec?.storageClassName ?? '';
      const sc = className ? (this.cluster.store.get(STORAGE_CLASSES, undefined, className) as (KObject & { volumeBindingMode?: string }) | undefined) : undefined;
      if (sc?.volumeBindingMode !== 'WaitForFirstConsumer') unboundImmediate = true;
    }
    return unboundImmediate ? 'pod has unbound immediate PersistentVolumeClaims' : undefined;
  }

  private failScheduling(pod: Pod, nodeCount: number, statuses: FilterResult[], preFilterMsg?: string, postFilter?: PostFilterVerdict): void {
    this.unschedulable.add(key(pod));
    this.markUnschedulable(pod, nodeCount, statuses, preFilterMsg, postFilter);
    this.retryLater();
  }

  // ---- preemption ----

  private priorityOf(k: string): number {
    const i = k.indexOf('/');
    const p = this.cluster.store.get(PODS, k.slice(0, i), k.slice(i + 1)) as Pod | undefined;
    return (p?.spec.priority as number | undefined) ?? 0;
  }

  /**
   * DefaultPreemption: on each node where only resources were short, the fewest lower-priority pods whose
   * removal lets the pod fit (the most important ones reprieved first); the node whose victims matter least wins.
   * The victims are deleted (gracefully, with a DisruptionTarget condition and a Preempted event) and the pod is
   * nominated to the node; it is scheduled there once they are gone.
   */
  private preempt(pod: Pod, cycle: Cycle, statuses: Map<string, FilterResult>, byName: Map<string, Node>): PostFilterVerdict {
    if (pod.spec.preemptionPolicy === 'Never') return { kind: 'never' };
    const prio = (pod.spec.priority as number | undefined) ?? 0;
    // PodEligibleToPreemptOthers: not while lower-priority victims are still terminating on its nominated node.
    const nominated = pod.status?.nominatedNodeName;
    if (nominated) {
      for (const k of this.podsOnNode.get(nominated) ?? []) {
        const bp = this.counted.get(k);
        if (bp?.deleting && this.priorityOf(k) < prio) return { kind: 'terminating' };
      }
    }
    const resourceShort = (r: FilterResult) => !r.unresolvable && r.reasons.every((x) => x === 'Too many pods' || x.startsWith('Insufficient '));
    let best: { node: string; victims: string[]; top: number; sum: number } | undefined;
    for (const [name, r] of statuses) {
      if (!resourceShort(r)) continue;
      const node = byName.get(name);
      if (!node) continue;
      const lower = [...(this.podsOnNode.get(name) ?? [])]
        .filter((k) => !this.counted.get(k)!.deleting)
        .map((k) => ({ k, prio: this.priorityOf(k), req: this.counted.get(k)!.req }))
        .filter((v) => v.prio < prio);
      if (!lower.length) continue;
      const used = { ...(this.usage.get(name) ?? emptyUsage()) };
      used.other = { ...(used.other ?? {}) };
      for (const v of lower) addUsage(used, v.req, -1);
      if (!fits(cycle.req, used, node)) continue;
      // Reprieve the most important first (higher priority, then the longer running: lexical key order here).
      lower.sort((a, b) => b.prio - a.prio || (a.k < b.k ? -1 : 1));
      const victims: typeof lower = [];
      for (const v of lower) {
        addUsage(used, v.req, 1);
        if (!fits(cycle.req, used, node)) {
          addUsage(used, v.req, -1);
          victims.push(v);
        }
      }
      const top = Math.max(...victims.map((v) => v.prio));
      const sum = victims.reduce((n, v) => n + v.prio, 0);
      if (!best || top < best.top || (top === best.top && (sum < best.sum || (sum === best.sum && victims.length < best.victims.length)))) {
        best = { node: name, victims: victims.map((v) => v.k), top, sum };
      }
    }
    if (!best) return { kind: 'none' };
    const now = rfc3339(this.cluster.now());
    for (const k of best.victims) {
      const i = k.indexOf('/');
      const victim = this.cluster.store.get(PODS, k.slice(0, i), k.slice(i + 1)) as Pod | undefined;
      if (!victim) continue;
      const marked = { ...victim, metadata: { ...victim.metadata }, status: { ...victim.status, conditions: [...(victim.status?.conditions ?? [])] } } as Pod;
      setCondition(marked, { type: 'DisruptionTarget', status: 'True', lastProbeTime: null, lastTransitionTime: now, reason: 'PreemptionByScheduler', message: `${pod.spec.schedulerName ?? 'default-scheduler'}: preempting to accommodate a higher priority pod` });
      const stored = this.cluster.store.put(PODS, marked);
      try {
        this.cluster.api.delete(PODS, victim.metadata.namespace, victim.metadata.name!, { preconditions: { uid: victim.metadata.uid } });
      } catch {
        continue;
      }
      this.cluster.events.record(stored, 'Normal', 'Preempted', `Preempted by pod ${pod.metadata.uid} on node ${best.node}`, { component: 'default-scheduler' });
    }
    const current = this.cluster.store.get(PODS, pod.metadata.namespace, pod.metadata.name!) as Pod | undefined;
    if (current) this.cluster.store.put(PODS, { ...current, metadata: { ...current.metadata }, status: { ...current.status, nominatedNodeName: best.node } } as Pod);
    return { kind: 'nominated', node: best.node };
  }

  private preFilter(pod: Pod, nodes: Node[], byName: Map<string, Node>): Cycle {
    const ns = pod.metadata.namespace!;
    const cycle: Cycle = { pod, req: podRequests(pod), ports: hostPorts(pod), hard: [], forbidden: new Map(), affinity: [], affinityAnyMatch: false, affinitySelfMatch: true, anti: [] };
    // PodTopologySpread: matching pods per domain, over the nodes the pod could go to by node affinity.
    const hardSpecs = spreadConstraints(pod).filter((c) => (c.whenUnsatisfiable ?? 'DoNotSchedule') === 'DoNotSchedule');
    if (hardSpecs.length) {
      const eligible = nodes.filter((nd) => this.spreadEligible(pod, nd, hardSpecs));
      for (const c of hardSpecs) {
        const selector = spreadSelector(c, pod);
        const counts = new Map<string, number>();
        for (const nd of eligible) counts.set(nd.metadata.labels![c.topologyKey], counts.get(nd.metadata.labels![c.topologyKey]) ?? 0);
        for (const g of this.candidates(selector, (x) => x === ns, new Set([ns]))) {
          for (const [node, cnt] of g.live) {
            const nd = byName.get(node);
            if (!cnt || !nd || !this.spreadEligible(pod, nd, hardSpecs)) continue;
            const v = nd.metadata.labels![c.topologyKey];
            counts.set(v, (counts.get(v) ?? 0) + cnt);
          }
        }
        const minDomains = c.minDomains ?? 1;
        let min = counts.size ? Math.min(...counts.values()) : 0;
        if (counts.size < minDomains) min = 0;
        cycle.hard.push({ key: c.topologyKey, maxSkew: c.maxSkew, minDomains, selector, selfMatch: !!selector && matchesLabels(selector, pod.metadata.labels), counts, min });
      }
    }
    // InterPodAffinity.
    const nsLabels = (name: string) => (this.cluster.store.get(NAMESPACES, undefined, name) as KObject | undefined)?.metadata.labels;
    const me = { namespace: ns, labels: pod.metadata.labels };
    for (const k of this.withAffinity) {
      const bp = this.counted.get(k)!;
      if (!bp.antiTerms?.length) continue;
      const nd = byName.get(bp.node);
      if (!nd) continue;
      for (const t of bp.antiTerms) {
        const v = nd.metadata.labels?.[t.topologyKey];
        if (v === undefined || !termSelects(t, me, nsLabels)) continue;
        let s = cycle.forbidden.get(t.topologyKey);
        if (!s) cycle.forbidden.set(t.topologyKey, (s = new Set()));
        s.add(v);
      }
    }
    const a = affinityOf(pod);
    for (const term of a.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []) {
      const t = resolveTerm(term, pod);
      const counts = this.termCounts(t, byName, nsLabels);
      if (counts.size) cycle.affinityAnyMatch = true;
      if (!termSelects(t, me, nsLabels)) cycle.affinitySelfMatch = false;
      cycle.affinity.push({ term: t, counts });
    }
    for (const term of a.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []) {
      const t = resolveTerm(term, pod);
      cycle.anti.push({ term: t, counts: this.termCounts(t, byName, nsLabels) });
    }
    return cycle;
  }

  /** Pods a term selects, counted per value of its topology key. */
  private termCounts(t: ResolvedTerm, byName: Map<string, Node>, nsLabels: (ns: string) => Record<string, string> | undefined): Map<string, number> {
    const counts = new Map<string, number>();
    const inNs = (ns: string) => t.allNamespaces || t.namespaces.has(ns) || (t.namespaceSelector !== null && matchesLabels(t.namespaceSelector, nsLabels(ns)));
    const nsList = t.allNamespaces || t.namespaceSelector ? undefined : t.namespaces;
    for (const g of this.candidates(t.selector, inNs, nsList)) {
      for (const [node, cnt] of g.perNode) {
        const v = byName.get(node)?.metadata.labels?.[t.topologyKey];
        if (v !== undefined && cnt) counts.set(v, (counts.get(v) ?? 0) + cnt);
      }
    }
    return counts;
  }

  private spreadEligible(pod: Pod, node: Node, specs: SpreadSpec[]): boolean {
    if (!specs.every((c) => node.metadata.labels?.[c.topologyKey] !== undefined)) return false;
    if (specs.some((c) => (c.nodeAffinityPolicy ?? 'Honor') === 'Honor') && !nodeMatchesRequired(pod, node)) return false;
    if (specs.some((c) => c.nodeTaintsPolicy === 'Honor') && untoleratedTaint(node, pod.spec.tolerations)) return false;
    return true;
  }

  private filter(c: Cycle, node: Node, byName: Map<string, Node>): FilterResult | undefined {
    const pod = c.pod;
    const name = node.metadata.name!;
    const labels = node.metadata.labels ?? {};
    // NodeUnschedulable
    if (node.spec.unschedulable && !toleratesAny(pod.spec.tolerations, { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' })) return { reasons: [REASONS.unschedulable], unresolvable: true };
    // NodeName
    if (pod.spec.nodeName && pod.spec.nodeName !== name) return { reasons: [REASONS.nodeName], unresolvable: true };
    // TaintToleration
    const taint = untoleratedTaint(node, pod.spec.tolerations);
    if (taint) return { reasons: [REASONS.taint(taint)], unresolvable: true };
    // NodeAffinity
    if (!nodeMatchesRequired(pod, node)) return { reasons: [REASONS.nodeAffinity], unresolvable: true };
    // NodePorts
    if (c.ports.length && this.portsConflict(c.ports, name)) return { reasons: [REASONS.nodePorts], unresolvable: false };
    // NodeResourcesFit
    const used = this.usage.get(name) ?? emptyUsage();
    const alloc = allocatable(node);
    const why: string[] = [];
    if (used.pods + 1 > alloc.pods) why.push('Too many pods');
    if (c.req.cpu > 0 && used.cpu + c.req.cpu > alloc.cpu) why.push('Insufficient cpu');
    if (c.req.memory > 0 && used.memory + c.req.memory > alloc.memory) why.push('Insufficient memory');
    for (const [res, q] of Object.entries(c.req.other ?? {})) {
      if (q > 0 && (used.other?.[res] ?? 0) + q > (parseQuantity(node.status.allocatable[res]) ?? 0)) why.push(`Insufficient ${res}`);
    }
    if (why.length) return { reasons: why, unresolvable: false };
    // PodTopologySpread
    for (const s of c.hard) {
      const v = labels[s.key];
      if (v === undefined) return { reasons: [REASONS.spreadLabel], unresolvable: true };
      if ((s.counts.get(v) ?? 0) + (s.selfMatch ? 1 : 0) - s.min > s.maxSkew) return { reasons: [REASONS.spread], unresolvable: false };
    }
    // InterPodAffinity
    if (c.affinity.length) {
      // The first pod of a group that selects itself may go anywhere its terms' topology keys exist.
      const firstOfGroup = !c.affinityAnyMatch && c.affinitySelfMatch;
      for (const a of c.affinity) {
        const v = labels[a.term.topologyKey];
        if (v === undefined || (!firstOfGroup && !(a.counts.get(v) ?? 0))) return { reasons: [REASONS.affinity], unresolvable: true };
      }
    }
    for (const a of c.anti) {
      const v = labels[a.term.topologyKey];
      if (v !== undefined && (a.counts.get(v) ?? 0) > 0) return { reasons: [REASONS.antiAffinity], unresolvable: false };
    }
    for (const [k, values] of c.forbidden) {
      const v = labels[k];
      if (v !== undefined && values.has(v)) return { reasons: [REASONS.existingAntiAffinity], unresolvable: false };
    }
    void byName;
    return undefined;
  }

  private portsConflict(ports: string[], node: string): boolean {
    for (const k of this.podsOnNode.get(node) ?? []) {
      const bp = this.counted.get(k)!;
      for (const used of bp.ports) for (const want of ports) if (portConflict(used, want)) return true;
    }
    return false;
  }

  // ---- scoring ----

  private pickBest(c: Cycle, feasible: Node[], allNodes: Node[], byName: Map<string, Node>): Node {
    const pod = c.pod;
    const total = new Array<number>(feasible.length).fill(0);
    const addPlugin = (weight: number, raw: number[]) => raw.forEach((s, i) => (total[i] += s * weight));

    // TaintToleration: fewer untolerated PreferNoSchedule taints is better.
    const prefer = (pod.spec.tolerations ?? []).filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
    const taintCounts = feasible.map((n) => (n.spec.taints ?? []).filter((t) => t.effect === 'PreferNoSchedule' && !prefer.some((tol) => toleratesAny([tol], t))).length);
    addPlugin(WEIGHTS.TaintToleration, normalize(taintCounts, true));

    // NodeAffinity: the weights of the preferred terms a node matches.
    const preferred = affinityOf(pod).nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
    if (preferred.length) addPlugin(WEIGHTS.NodeAffinity, normalize(feasible.map((n) => preferred.reduce((s, p) => s + (p.weight && termMatches(p.preference, n) ? p.weight : 0), 0)), false));

    // NodeResourcesFit (LeastAllocated) and NodeResourcesBalancedAllocation.
    addPlugin(WEIGHTS.NodeResourcesFit, feasible.map((n) => leastAllocated(n, c.req, this.usage.get(n.metadata.name!))));
    addPlugin(WEIGHTS.NodeResourcesBalancedAllocation, feasible.map((n) => balanced(n, c.req, this.usage.get(n.metadata.name!))));

    // InterPodAffinity (preferred terms both ways, and existing pods' required affinity with weight 1).
    const ipa = this.interPodScores(pod, feasible, byName);
    if (ipa) addPlugin(WEIGHTS.InterPodAffinity, ipa);

    // PodTopologySpread (ScheduleAnyway constraints, or the system defaults).
    const pts = this.spreadScores(pod, feasible, allNodes, byName);
    if (pts) addPlugin(WEIGHTS.PodTopologySpread, pts);

    // Highest score wins; ties are broken at random, as selectHost does.
    const best = Math.max(...total);
    const top = feasible.filter((_, i) => total[i] === best);
    return top.length === 1 ? top[0] : top[this.cluster.rng.int(0, top.length - 1)];
  }

  private interPodScores(pod: Pod, feasible: Node[], byName: Map<string, Node>): number[] | undefined {
    const nsLabels = (name: string) => (this.cluster.store.get(NAMESPACES, undefined, name) as KObject | undefined)?.metadata.labels;
    const a = affinityOf(pod);
    const topo = new Map<string, Map<string, number>>();
    const add = (k: string, v: string | undefined, w: number) => {
      if (v === undefined || !w) return;
      let m = topo.get(k);
      if (!m) topo.set(k, (m = new Map()));
      m.set(v, (m.get(v) ?? 0) + w);
    };
    const me = { namespace: pod.metadata.namespace!, labels: pod.metadata.labels };
    const terms: [ResolvedTerm, number][] = [
      ...(a.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w): [ResolvedTerm, number] => [resolveTerm(w.podAffinityTerm, pod), w.weight]),
      ...(a.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w): [ResolvedTerm, number] => [resolveTerm(w.podAffinityTerm, pod), -w.weight]),
    ];
    for (const [t, w] of terms) {
      const inNs = (ns: string) => t.allNamespaces || t.namespaces.has(ns) || (t.namespaceSelector !== null && matchesLabels(t.namespaceSelector, nsLabels(ns)));
      for (const g of this.candidates(t.selector, inNs, t.allNamespaces || t.namespaceSelector ? undefined : t.namespaces)) {
        for (const [node, cnt] of g.perNode) add(t.topologyKey, byName.get(node)?.metadata.labels?.[t.topologyKey], w * cnt);
      }
    }
    for (const k of this.withAffinity) {
      const bp = this.counted.get(k)!;
      const labels = byName.get(bp.node)?.metadata.labels;
      if (!labels) continue;
      for (const t of bp.scoreTerms ?? []) if (termSelects(t, me, nsLabels)) add(t.topologyKey, labels[t.topologyKey], t.weight);
    }
    if (topo.size === 0) return undefined;
    const raw = feasible.map((n) => {
      let s = 0;
      for (const [k, m] of topo) {
        const v = n.metadata.labels?.[k];
        if (v !== undefined) s += m.get(v) ?? 0;
      }
      return s;
    });
    const max = Math.max(...raw);
    const min = Math.min(...raw);
    return raw.map((s) => (max - min > 0 ? Math.floor((100 * (s - min)) / (max - min)) : 0));
  }

  private spreadScores(pod: Pod, feasible: Node[], allNodes: Node[], byName: Map<string, Node>): number[] | undefined {
    let specs = spreadConstraints(pod).filter((c) => c.whenUnsatisfiable === 'ScheduleAnyway');
    let systemDefaulted = false;
    if (!(pod.spec.topologySpreadConstraints as unknown[] | undefined)?.length) {
      const selector = this.defaultSelector(pod);
      if (!selector) return undefined;
      systemDefaulted = true;
      specs = [
        { maxSkew: 3, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: null, selectorOverride: selector },
        { maxSkew: 5, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: null, selectorOverride: selector },
      ];
    }
    if (!specs.length) return undefined;
    const ns = pod.metadata.namespace!;
    const requireAll = !systemDefaulted;
    const hasKeys = (n: Node) => specs.every((c) => n.metadata.labels?.[c.topologyKey] !== undefined);
    const ignored = new Set(feasible.filter((n) => requireAll && !hasKeys(n)).map((n) => n.metadata.name!));
    const scored = feasible.filter((n) => !ignored.has(n.metadata.name!));
    const rows = specs.map((c) => {
      const selector = c.selectorOverride ?? spreadSelector(c, pod);
      const isHost = c.topologyKey === 'kubernetes.io/hostname';
      const domains = new Map<string, number>();
      for (const n of scored) {
        const v = n.metadata.labels?.[c.topologyKey];
        if (v !== undefined && !isHost && !domains.has(v)) domains.set(v, 0);
      }
      const size = isHost ? scored.length : domains.size;
      const perNode = new Map<string, number>();
      for (const g of this.candidates(selector, (x) => x === ns, new Set([ns]))) {
        for (const [node, cnt] of g.live) {
          const nd = byName.get(node);
          if (!nd || !cnt) continue;
          if (isHost) {
            perNode.set(node, (perNode.get(node) ?? 0) + cnt);
            continue;
          }
          if ((c.nodeAffinityPolicy ?? 'Honor') === 'Honor' && !nodeMatchesRequired(pod, nd)) continue;
          if (requireAll && !hasKeys(nd)) continue;
          const v = nd.metadata.labels?.[c.topologyKey];
          if (v !== undefined && domains.has(v)) domains.set(v, domains.get(v)! + cnt);
        }
      }
      return { c, isHost, domains, perNode, weight: Math.log(size + 2) };
    });
    void allNodes;
    const raw = feasible.map((n) => {
      if (ignored.has(n.metadata.name!)) return undefined;
      let s = 0;
      for (const r of rows) {
        const v = n.metadata.labels?.[r.c.topologyKey];
        if (v === undefined) continue;
        const cnt = r.isHost ? (r.perNode.get(n.metadata.name!) ?? 0) : (r.domains.get(v) ?? 0);
        s += cnt * r.weight + (r.c.maxSkew - 1);
      }
      return Math.round(s);
    });
    const valid = raw.filter((s): s is number => s !== undefined);
    const max = valid.length ? Math.max(...valid) : 0;
    const min = valid.length ? Math.min(...valid) : 0;
    return raw.map((s) => (s === undefined ? 0 : max === 0 ? 100 : Math.floor((100 * (max + min - s)) / max)));
  }

  /** The selector of the pod's Services, ReplicaSet, StatefulSet or ReplicationController (for the default spread). */
  private defaultSelector(pod: Pod): LabelSelector | undefined {
    const ns = pod.metadata.namespace!;
    const reqs: Requirement[] = [];
    for (const svc of this.cluster.store.list(SERVICES, ns)) {
      const sel = (svc.spec as { selector?: Record<string, string> } | undefined)?.selector;
      if (!sel || !Object.keys(sel).length) continue;
      if (Object.entries(sel).every(([k, v]) => pod.metadata.labels?.[k] === v)) for (const [k, v] of Object.entries(sel)) reqs.push({ key: k, op: '=', values: [v] });
    }
    for (const ref of pod.metadata.ownerReferences ?? []) {
      const info = OWNER_RESOURCES[ref.kind];
      if (!ref.controller || !info) continue;
      const owner = this.cluster.store.get(info, ns, ref.name);
      const spec = owner?.spec as { selector?: unknown } | undefined;
      if (!spec?.selector) continue;
      try {
        if (ref.kind === 'ReplicationController') for (const [k, v] of Object.entries(spec.selector as Record<string, string>)) reqs.push({ key: k, op: '=', values: [v] });
        else reqs.push(...selectorFromSpec(spec.selector as Parameters<typeof selectorFromSpec>[0]));
      } catch {
        // An invalid selector adds nothing.
      }
    }
    return reqs.length ? reqs : undefined;
  }

  // ---- results ----

  /** What the pods/binding subresource does: sets spec.nodeName and the PodScheduled condition in one write. */
  private bind(pod: Pod, nodeName: string): void {
    // Shares what it does not change with the stored pod (stored objects are immutable).
    const bound = { ...pod, metadata: { ...pod.metadata }, spec: { ...pod.spec, nodeName }, status: { ...pod.status, conditions: [...(pod.status?.conditions ?? [])] } } as Pod;
    setCondition(bound, { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: rfc3339(this.cluster.now()) });
    this.cluster.store.put(PODS, bound);
    this.cluster.events.record(bound, 'Normal', 'Scheduled', `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${nodeName}`, {
      component: 'default-scheduler',
    });
  }

  private markUnschedulable(pod: Pod, nodeCount: number, statuses: FilterResult[], preFilterMsg?: string, postFilter?: PostFilterVerdict): void {
    const message = nodeCount === 0 ? 'no nodes available to schedule pods' : fitErrorMessage(pod, nodeCount, statuses, preFilterMsg, postFilter);
    pod = (this.cluster.store.get(PODS, pod.metadata.namespace, pod.metadata.name!) as Pod | undefined) ?? pod;
    const next = { ...pod, metadata: { ...pod.metadata }, status: { ...pod.status, conditions: [...(pod.status?.conditions ?? [])] } } as Pod;
    const changed = setCondition(next, { type: 'PodScheduled', status: 'False', lastProbeTime: null, lastTransitionTime: rfc3339(this.cluster.now()), reason: 'Unschedulable', message });
    if (changed) this.cluster.store.put(PODS, next);
    this.cluster.events.record(pod, 'Warning', 'FailedScheduling', message, { component: 'default-scheduler' });
  }
}

/** FitError.Error(): the reasons histogram, then the preemption post-filter's own verdict. */
/** What the preemption post-filter concluded, when it ran. */
type PostFilterVerdict = { kind: 'never' } | { kind: 'terminating' } | { kind: 'none' } | { kind: 'nominated'; node: string };

/** NodeResourcesFit with the given usage. */
function fits(req: Requests, used: NodeUsage, node: Node): boolean {
  const alloc = allocatable(node);
  if (used.pods + 1 > alloc.pods) return false;
  if (req.cpu > 0 && used.cpu + req.cpu > alloc.cpu) return false;
  if (req.memory > 0 && used.memory + req.memory > alloc.memory) return false;
  for (const [res, q] of Object.entries(req.other ?? {})) {
    if (q > 0 && (used.other?.[res] ?? 0) + q > (parseQuantity(node.status.allocatable[res]) ?? 0)) return false;
  }
  return true;
}

export function fitErrorMessage(pod: Pod, nodeCount: number, statuses: FilterResult[], preFilterMsg?: string, postFilter?: PostFilterVerdict): string {
  const histogram = (reasons: string[]) => {
    const counts = new Map<string, number>();
    for (const r of reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
    return [...counts.entries()].map(([r, n]) => `${n} ${r}`).sort();
  };
  // A PreFilter rejection gives every node the same unresolvable status, and the message is the plugin's own.
  if (preFilterMsg) statuses = new Array<FilterResult>(nodeCount).fill({ reasons: [], unresolvable: true });
  const msg = `0/${nodeCount} nodes are available: ${preFilterMsg ?? histogram(statuses.flatMap((s) => s.reasons)).join(', ')}.`;
  if (pod.spec.preemptionPolicy === 'Never') return `${msg} preemption: not eligible due to preemptionPolicy=Never.`;
  // A successful preemption adds nothing: the pod waits, nominated, for its victims to go.
  if (postFilter?.kind === 'nominated') return msg;
  if (postFilter?.kind === 'terminating') return `${msg} preemption: not eligible due to a terminating pod on the nominated node.`;
  const verdicts = statuses.map((s) => (s.unresolvable ? 'Preemption is not helpful for scheduling' : 'No preemption victims found for incoming pod'));
  return `${msg} preemption: 0/${nodeCount} nodes are available: ${histogram(verdicts).join(', ')}.`;
}

interface SpreadSpec {
  maxSkew: number;
  topologyKey: string;
  whenUnsatisfiable?: string;
  labelSelector?: Parameters<typeof selectorOrNothing>[0];
  minDomains?: number;
  nodeAffinityPolicy?: string;
  nodeTaintsPolicy?: string;
  matchLabelKeys?: string[];
  selectorOverride?: LabelSelector;
}

/** The node names the required node affinity allows, when every term names nodes; undefined when any term does not. */
function nodeNamesFromAffinity(pod: Pod): Set<string> | undefined {
  const terms = affinityOf(pod).nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (!terms?.length) return undefined;
  let names: Set<string> | undefined;
  for (const t of terms) {
    let termNames: Set<string> | undefined;
    for (const r of t.matchFields ?? []) {
      if (r.key !== 'metadata.name' || r.operator !== 'In') continue;
      const vs = new Set(r.values ?? []);
      termNames = termNames ? new Set([...termNames].filter((x) => vs.has(x))) : vs;
    }
    if (!termNames) return undefined;
    names = new Set([...(names ?? []), ...termNames]);
  }
  return names;
}

function spreadConstraints(pod: Pod): SpreadSpec[] {
  return ((pod.spec.topologySpreadConstraints as SpreadSpec[] | undefined) ?? []).filter((c) => c && typeof c.topologyKey === 'string');
}

function spreadSelector(c: SpreadSpec, pod: Pod): LabelSelector | null {
  const sel = selectorOrNothing(c.labelSelector);
  if (!sel || !c.matchLabelKeys?.length) return sel;
  const labels = pod.metadata.labels ?? {};
  return [...sel, ...c.matchLabelKeys.filter((k) => k in labels).map((k) => ({ key: k, op: 'in' as const, values: [labels[k]] }))];
}

function untoleratedTaint(node: Node, tolerations: Toleration[] | undefined): Taint | undefined {
  for (const taint of node.spec.taints ?? []) {
    if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') continue;
    if (!toleratesAny(tolerations, taint)) return taint;
  }
  return undefined;
}

/** A node's allocatable cpu (millicores), memory (bytes) and pods, parsed once per stored node object. */
const parsedAllocatable = new WeakMap<Node, { cpu: number; memory: number; pods: number }>();
function allocatable(node: Node): { cpu: number; memory: number; pods: number } {
  let a = parsedAllocatable.get(node);
  if (!a) {
    const raw = node.status.allocatable;
    a = { cpu: milliCpu(raw.cpu), memory: bytes(raw.memory), pods: Number(raw.pods ?? 110) };
    parsedAllocatable.set(node, a);
  }
  return a;
}

/** DefaultNormalizeScore: scale to 0-100 by the maximum (reversed: fewer is better). */
function normalize(raw: number[], reverse: boolean): number[] {
  const max = Math.max(0, ...raw);
  if (max === 0) return raw.map(() => (reverse ? 100 : 0));
  return raw.map((s) => {
    const v = Math.floor((100 * s) / max);
    return reverse ? 100 - v : v;
  });
}

/** NodeResourcesFit with the LeastAllocated strategy (cpu and memory weighted equally), 0-100. */
function leastAllocated(node: Node, req: Requests, used = emptyUsage()): number {
  const { cpu: cpuCap, memory: memCap } = allocatable(node);
  const cpu = used.nonZeroCpu + (req.cpu || DEFAULT_CPU_REQUEST);
  const mem = used.nonZeroMemory + (req.memory || DEFAULT_MEMORY_REQUEST);
  const free = (cap: number, u: number) => (cap <= 0 || u > cap ? 0 : Math.floor(((cap - u) * 100) / cap));
  return Math.floor((free(cpuCap, cpu) + free(memCap, mem)) / 2);
}

/** NodeResourcesBalancedAllocation: how evenly cpu and memory would be used, 0-100. */
function balanced(node: Node, req: Requests, used = emptyUsage()): number {
  const { cpu: cpuCap, memory: memCap } = allocatable(node);
  const frac = (u: number, cap: number) => (cap <= 0 ? 0 : Math.min(1, u / cap));
  const f1 = frac(used.cpu + req.cpu, cpuCap);
  const f2 = frac(used.memory + req.memory, memCap);
  const std = Math.abs(f1 - f2) / 2;
  return Math.floor((1 - std) * 100);
}

/** `protocol/hostIP/port` of each container port with a hostPort. */
function hostPorts(pod: Pod): string[] {
  const out: string[] = [];
  for (const c of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) {
    for (const p of c.ports ?? []) if (p.hostPort && p.hostPort > 0) out.push(`${p.protocol ?? 'TCP'}/${(p as { hostIP?: string }).hostIP || '0.0.0.0'}/${p.hostPort}`);
  }
  return out;
}

function portConflict(a: string, b: string): boolean {
  const [pa, ia, na] = a.split('/');
  const [pb, ib, nb] = b.split('/');
  return pa === pb && na === nb && (ia === ib || ia === '0.0.0.0' || ib === '0.0.0.0');
}

function bump(m: Map<string, number>, k: string, by: number): void {
  const n = (m.get(k) ?? 0) + by;
  if (n) m.set(k, n);
  else m.delete(k);
}

function addTo(m: Map<string, Set<string>>, k: string, v: string): void {
  let s = m.get(k);
  if (!s) m.set(k, (s = new Set()));
  s.add(v);
}

function removeFrom(m: Map<string, Set<string>>, k: string, v: string): void {
  const s = m.get(k);
  if (!s) return;
  s.delete(v);
  if (s.size === 0) m.delete(k);
}

function key(pod: KObject): string {
  return `${pod.metadata.namespace}/${pod.metadata.name}`;
}

export function isTerminal(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

/**
 * A pod's effective requests: the larger of the sum of its containers and its biggest init container, per
 * resource. A resource with a limit but no request requests its limit (as the API server defaults it).
 */
export function podRequests(pod: Pod): Requests {
  const sum: Record<string, number> = {};
  const value = (c: Pod['spec']['containers'][number], res: string) => {
    const q = c.resources?.requests?.[res] ?? c.resources?.limits?.[res];
    return res === 'cpu' ? milliCpu(q) : res === 'memory' ? bytes(q) : (parseQuantity(q) ?? 0);
  };
  const names = (c: Pod['spec']['containers'][number]) => new Set([...Object.keys(c.resources?.requests ?? {}), ...Object.keys(c.resources?.limits ?? {})]);
  for (const c of pod.spec.containers) for (const res of names(c)) sum[res] = (sum[res] ?? 0) + value(c, res);
  for (const c of pod.spec.initContainers ?? []) for (const res of names(c)) sum[res] = Math.max(sum[res] ?? 0, value(c, res));
  const { cpu = 0, memory = 0, ...rest } = sum;
  const other = Object.fromEntries(Object.entries(rest).filter(([, v]) => v > 0));
  return Object.keys(other).length ? { cpu, memory, other } : { cpu, memory };
}

export function tolerates(tolerations: Toleration[] | undefined, taint: Pick<Taint, 'key' | 'value' | 'effect'>): boolean {
  return toleratesAny(tolerations, taint);
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
