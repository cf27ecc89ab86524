import { findResource, NODES, PODS } from '../apiserver/resources.ts';
import type { StoreEvent } from '../apiserver/store.ts';
import type { KObject, Node, Pod, Toleration } from '../apiserver/types.ts';
import type { Cluster, Component } from '../cluster.ts';
import { clone, controllerRef, generateNamePrefix, indexAdd, indexDelete, isPodAvailable, isPodReady, keyOf, podFromTemplate, scaledValue, splitKey, type PodTemplate } from './controller-utils.ts';
import { currentRevision, truncateHistory } from './revisions.ts';

export const DAEMONSETS = findResource('apps', 'daemonsets')!;
const SOURCE = { component: 'daemonset-controller' };
const REVISION_LABEL = 'controller-revision-hash';

interface DaemonSetSpec {
  selector?: { matchLabels?: Record<string, string> };
  template?: PodTemplate;
  updateStrategy?: { type?: string; rollingUpdate?: { maxUnavailable?: number | string; maxSurge?: number | string } };
  minReadySeconds?: number;
  revisionHistoryLimit?: number;
}

/** The tolerations the DaemonSet controller adds to its pods (util.AddOrUpdateDaemonPodTolerations). */
function daemonTolerations(spec: Pod['spec']): Toleration[] {
  const t: Toleration[] = [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
  ];
  if (spec.hostNetwork) t.push({ key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' });
  return t;
}

function tolerates(tols: Toleration[], taint: { key: string; value?: string; effect: string }): boolean {
  return tols.some((t) => {
    if (t.effect && t.effect !== taint.effect) return false;
    if (t.operator === 'Exists') return !t.key || t.key === taint.key;
    return t.key === taint.key && (t.value ?? '') === (taint.value ?? '');
  });
}

/**
 * The DaemonSet controller: one pod on every node the template's node selector, required node affinity and
 * taints allow (pinned to its node with node affinity on `metadata.name`, with the tolerations daemon pods
 * get), pods removed from nodes that no longer qualify, and rolling updates by revision within
 * maxUnavailable.
 */
export class DaemonSetController implements Component {
  readonly name = 'daemonset-controller';
  private queue = new Set<string>();
  /** daemon set uid → its pods' keys */
  private owned = new Map<string, Set<string>>();
  private cluster: Cluster;

  constructor(cluster: Cluster) {
    this.cluster = cluster;
  }

  onStoreEvent(ev: StoreEvent): void {
    const o = ev.object;
    if (ev.info === DAEMONSETS) {
      if (ev.type !== 'DELETED') this.queue.add(keyOf(o.metadata.namespace, o.metadata.name!));
    } else if (ev.info === PODS) {
      const key = keyOf(o.metadata.namespace, o.metadata.name!);
      const oldRef = ev.old ? controllerRef(ev.old) : undefined;
      if (oldRef?.kind === 'DaemonSet') indexDelete(this.owned, oldRef.uid, key);
      const ref = ev.type === 'DELETED' ? undefined : controllerRef(o);
      if (ref?.kind === 'DaemonSet') indexAdd(this.owned, ref.uid, key);
      const r = ref ?? oldRef;
      if (r?.kind === 'DaemonSet') this.queue.add(keyOf(o.metadata.namespace, r.name));
    } else if (ev.info === NODES) {
      // A node added, removed, relabelled or (un)tainted: every daemon set looks again.
      const changed = ev.type !== 'MODIFIED' || JSON.stringify(ev.old?.metadata.labels) !== JSON.stringify(o.metadata.labels) || JSON.stringify((ev.old as Node | undefined)?.spec?.taints) !== JSON.stringify((o as Node).spec?.taints);
      if (changed) for (const ds of this.cluster.store.list(DAEMONSETS)) this.queue.add(keyOf(ds.metadata.namespace, ds.metadata.name!));
    }
  }

  restore(): void {
    this.owned.clear();
    for (const p of this.cluster.store.list(PODS)) {
      const ref = controllerRef(p);
      if (ref?.kind === 'DaemonSet') indexAdd(this.owned, ref.uid, keyOf(p.metadata.namespace, p.metadata.name!));
    }
    for (const ds of this.cluster.store.list(DAEMONSETS)) this.queue.add(keyOf(ds.metadata.namespace, ds.metadata.name!));
  }

  runQueue(): boolean {
    if (this.queue.size === 0) return false;
    const keys = [...this.queue].sort();
    this.queue.clear();
    for (const k of keys) {
      const [ns, name] = splitKey(k);
      const ds = this.cluster.store.get(DAEMONSETS, ns, name);
      if (!ds || ds.metadata.deletionTimestamp) continue;
      try {
        this.sync(ds);
      } catch (e) {
        if (!(e as { code?: number }).code) throw e;
      }
    }
    return true;
  }

  /** Whether the daemon pod should run on the node (nodeSelector, required node affinity, taints). */
  private eligible(spec: DaemonSetSpec, node: Node): boolean {
    const ps = spec.template?.spec;
    const labels = node.metadata.labels ?? {};
    for (const [k, v] of Object.entries((ps?.nodeSelector as Record<string, string>) ?? {})) if (labels[k] !== v) return false;
    const terms = (ps?.affinity as any)?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms as any[] | undefined;
    if (terms?.length && !terms.some((t) => termMatches(t, node))) return false;
    const tols = [...((ps?.tolerations as Toleration[]) ?? []), ...daemonTolerations((ps ?? {}) as Pod['spec'])];
    for (const taint of node.spec?.taints ?? []) {
      if ((taint.effect === 'NoSchedule' || taint.effect === 'NoExecute') && !tolerates(tols, taint)) return false;
    }
    return true;
  }

  private sync(ds: KObject): void {
    const { api, store } = this.cluster;
    const spec = ds.spec as DaemonSetSpec;
    const ns = ds.metadata.namespace!;
    const name = ds.metadata.name!;
    const rev = currentRevision(this.cluster, ds, spec.template, spec.selector?.matchLabels ?? {});
    const hash = rev.metadata.labels?.[REVISION_LABEL] ?? rev.metadata.name!;
    const nodes = store.list(NODES) as Node[];
    const byNode = new Map<string, Pod[]>();
    for (const key of this.owned.get(ds.metadata.uid!) ?? []) {
      const p = store.get(PODS, ...splitKey(key)) as Pod | undefined;
      if (!p) continue;
      const node = nodeOf(p);
      if (!node) continue;
      let l = byNode.get(node);
      if (!l) byNode.set(node, (l = []));
      l.push(p);
    }
    const now = this.cluster.now();
    let desired = 0;
    let misscheduled = 0;
    const nodeNames = new Set(nodes.map((n) => n.metadata.name!));
    // Pods on nodes that are gone or no longer qualify are deleted.
    for (const [node, pods] of byNode) {
      const n = nodes.find((x) => x.metadata.name === node);
      if (nodeNames.has(node) && n && this.eligible(spec, n)) continue;
      for (const p of pods) {
        if (p.metadata.deletionTimestamp) continue;
        if (p.spec.nodeName) misscheduled++;
        this.deletePod(ds, p);
      }
    }
    // Rolling update budget: unavailable pods count against maxUnavailable.
    const rolling = (spec.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
    const eligibleNodes = nodes.filter((n) => this.eligible(spec, n));
    desired = eligibleNodes.length;
    const maxUnavailable = Math.max(scaledValue(spec.updateStrategy?.rollingUpdate?.maxUnavailable ?? 1, desired, true), 0);
    let unavailable = 0;
    for (const n of eligibleNodes) {
      const pods = (byNode.get(n.metadata.name!) ?? []).filter((p) => !p.metadata.deletionTimestamp);
      if (!pods.some((p) => isPodAvailable(p, spec.minReadySeconds ?? 0, now))) unavailable++;
    }
    for (const n of eligibleNodes) {
      const all = byNode.get(n.metadata.name!) ?? [];
      const pods = all.filter((p) => !p.metadata.deletionTimestamp);
      const failed = pods.filter((p) => p.status?.phase === 'Failed');
      for (const p of failed) this.deletePod(ds, p);
      const live = pods.filter((p) => p.status?.phase !== 'Failed');
      if (live.length === 0) {
        // Wait for a terminating pod to go before starting the next one on the node.
        if (all.some((p) => p.metadata.deletionTimestamp)) continue;
        this.createPod(ds, n, hash);
        continue;
      }
      // More than one: keep the oldest.
      for (const p of live.slice(1)) this.deletePod(ds, p);
      const p = live[0];
      if (rolling && p.metadata.labels?.[REVISION_LABEL] !== hash) {
        const available = isPodAvailable(p, spec.minReadySeconds ?? 0, now);
        if (!available) this.deletePod(ds, p);
        else if (unavailable < maxUnavailable) {
          unavailable++;
          this.deletePod(ds, p);
        }
      }
    }
    // Status.
    let current = 0;
    let ready = 0;
    let available = 0;
    let updated = 0;
    for (const n of eligibleNodes) {
      const pods = [...(this.owned.get(ds.metadata.uid!) ?? [])]
        .map((k) => store.get(PODS, ...splitKey(k)) as Pod | undefined)
        .filter((p): p is Pod => !!p && nodeOf(p) === n.metadata.name && !p.metadata.deletionTimestamp);
      if (!pods.length) continue;
      current++;
      if (pods.some(isPodReady)) ready++;
      if (pods.some((p) => isPodAvailable(p, spec.minReadySeconds ?? 0, now))) available++;
      if (pods.some((p) => p.metadata.labels?.[REVISION_LABEL] === hash)) updated++;
    }
    const old = (ds.status ?? {}) as Record<string, unknown>;
    const st: Record<string, unknown> = {
      currentNumberScheduled: current,
      numberMisscheduled: misscheduled,
      desiredNumberScheduled: desired,
      numberReady: ready,
      observedGeneration: ds.metadata.generation,
      updatedNumberScheduled: updated,
      numberAvailable: available,
      numberUnavailable: desired - available,
    };
    if (!st.numberAvailable) delete st.numberAvailable;
    if (!st.numberUnavailable) delete st.numberUnavailable;
    if (!st.updatedNumberScheduled) delete st.updatedNumberScheduled;
    if (JSON.stringify(st) !== JSON.stringify(old)) api.update(DAEMONSETS, ns, name, { ...ds, status: st }, { subresource: 'status' });
    truncateHistory(this.cluster, ds, spec.revisionHistoryLimit ?? 10, new Set([rev.metadata.name!]));
  }

  private createPod(ds: KObject, node: Node, hash: string): void {
    const spec = ds.spec as DaemonSetSpec;
    const pod = podFromTemplate(ds, spec.template ?? {}, { generateName: generateNamePrefix(ds.metadata.name!) });
    pod.metadata.labels = { ...(pod.metadata.labels ?? {}), [REVISION_LABEL]: hash, 'pod-template-generation': String(ds.metadata.generation ?? 1) };
    // Pinned to its node through node affinity, as the controller does since scheduling moved to the scheduler.
    const affinity = clone((pod.spec.affinity as Record<string, any>) ?? {});
    affinity.nodeAffinity = {
      ...(affinity.nodeAffinity ?? {}),
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [node.metadata.name!] }] }],
      },
    };
    pod.spec.affinity = affinity;
    const tols = [...((pod.spec.tolerations as Toleration[]) ?? [])];
    for (const t of daemonTolerations(pod.spec)) if (!tols.some((x) => x.key === t.key && x.effect === t.effect)) tols.push(t);
    pod.spec.tolerations = tols;
    try {
      const created = this.cluster.api.create(PODS, ds.metadata.namespace, pod);
      this.cluster.events.record(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`, SOURCE);
    } catch (e) {
      this.cluster.events.record(ds, 'Warning', 'FailedCreate', `Error creating: ${(e as Error).message}`, SOURCE);
    }
  }

  private deletePod(ds: KObject, p: Pod): void {
    try {
      this.cluster.api.delete(PODS, p.metadata.namespace, p.metadata.name!, { preconditions: { uid: p.metadata.uid } });
      this.cluster.events.record(ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`, SOURCE);
    } catch {
      /* gone already */
    }
  }
}

/** The node a daemon pod is for: its node, or the one its node affinity pins it to. */
function nodeOf(p: Pod): string | undefined {
  if (p.spec.nodeName) return p.spec.nodeName;
  const terms = (p.spec.affinity as any)?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms as any[] | undefined;
  for (const t of terms ?? []) for (const f of t.matchFields ?? []) if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
  return undefined;
}

function termMatches(term: any, node: Node): boolean {
  const labels = node.metadata.labels ?? {};
  for (const r of term.matchExpressions ?? []) {
    const v = labels[r.key];
    switch (r.operator) {
      case 'In':
        if (v === undefined || !(r.values ?? []).includes(v)) return false;
        break;
      case 'NotIn':
        if (v !== undefined && (r.values ?? []).includes(v)) return false;
        break;
      case 'Exists':
        if (v === undefined) return false;
        break;
      case 'DoesNotExist':
        if (v !== undefined) return false;
        break;
      case 'Gt':
      case 'Lt':
        if (v === undefined || !(r.operator === 'Gt' ? Number(v) > Number(r.values?.[0]) : Number(v) < Number(r.values?.[0]))) return false;
        break;
      default:
        return false;
    }
  }
  for (const f of term.matchFields ?? []) {
    if (f.key !== 'metadata.name') return false;
    const has = (f.values ?? []).includes(node.metadata.name);
    if (f.operator === 'In' ? !has : f.operator === 'NotIn' ? has : true) return false;
  }
  return (term.matchExpressions ?? []).length + (term.matchFields ?? []).length > 0;
}
