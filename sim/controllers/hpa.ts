import { findByKind, findResource, PODS } from '../apiserver/resources.ts';
import { matchesLabels, selectorFromSpec } from '../apiserver/selectors.ts';
import type { StoreEvent } from '../apiserver/store.ts';
import type { Condition, KObject, Pod } from '../apiserver/types.ts';
import type { Cluster, Component } from '../cluster.ts';
import { podUsage } from '../kubelet/metrics.ts';
import { parseQuantity } from '../util/quantity.ts';
import { rfc3339 } from '../util/time.ts';
import { clone, isPodReady, keyOf, splitKey } from './controller-utils.ts';

export const HPAS = findResource('autoscaling', 'horizontalpodautoscalers')!;
const SOURCE = { component: 'horizontal-pod-autoscaler' };
const TABLE = 'hpa-controller';
/** The controller's sync period, its tolerance, and the default scale-down stabilization window. */
const SYNC_MS = 15_000;
const TOLERANCE = 0.1;
const DOWN_WINDOW_MS = 300_000;

interface MetricSpec {
  type: string;
  resource?: { name: string; target: { type: string; averageUtilization?: number; averageValue?: string } };
}

interface HpaSpec {
  scaleTargetRef: { apiVersion?: string; kind: string; name: string };
  minReplicas?: number;
  maxReplicas: number;
  metrics?: MetricSpec[];
  behavior?: { scaleDown?: { stabilizationWindowSeconds?: number }; scaleUp?: { stabilizationWindowSeconds?: number } };
}

interface HpaRecord {
  /** recent recommendations: [time, replicas] */
  recs: [number, number][];
  /** the next sync timer already set */
  next?: number;
}

/**
 * The HorizontalPodAutoscaler (autoscaling/v2) on simulated CPU and memory use: every 15 s it reads the
 * target's pods' use (what metrics-server would report), computes the replicas each Resource metric wants
 * (within a 10% tolerance), takes the largest, applies the 5-minute scale-down stabilization and the default
 * scale-up rate (4 pods or 100% per 15 s), clamps to min/max and scales the target.
 */
export class HorizontalPodAutoscalerController implements Component {
  readonly name = 'horizontal-pod-autoscaler';
  private queue = new Set<string>();
  private cluster: Cluster;

  readonly timers = {
    'hpa.sync': (d: { key: string; uid: string }) => {
      const [ns, name] = splitKey(d.key);
      const h = this.cluster.store.get(HPAS, ns, name);
      if (h && h.metadata.uid === d.uid) {
        const rec = this.record(h);
        this.cluster.records.set(TABLE, d.uid, { ...rec, next: undefined });
        this.sync(h);
      }
    },
  };

  constructor(cluster: Cluster) {
    this.cluster = cluster;
  }

  onStoreEvent(ev: StoreEvent): void {
    if (ev.info !== HPAS) return;
    if (ev.type === 'DELETED') this.cluster.records.delete(TABLE, ev.object.metadata.uid!);
    else if (ev.type === 'ADDED' || JSON.stringify(ev.old?.spec) !== JSON.stringify(ev.object.spec)) this.queue.add(keyOf(ev.object.metadata.namespace, ev.object.metadata.name!));
  }

  restore(): void {
    /* timers and records carry everything */
  }

  runQueue(): boolean {
    if (this.queue.size === 0) return false;
    const keys = [...this.queue].sort();
    this.queue.clear();
    for (const k of keys) {
      const [ns, name] = splitKey(k);
      const h = this.cluster.store.get(HPAS, ns, name);
      if (h) this.ensureTimer(h);
    }
    return true;
  }

  private record(h: KObject): HpaRecord {
    return this.cluster.records.get<HpaRecord>(TABLE, h.metadata.uid!) ?? { recs: [] };
  }

  private ensureTimer(h: KObject): void {
    const rec = this.record(h);
    if (rec.next !== undefined && rec.next > this.cluster.now()) return;
    const at = this.cluster.now() + SYNC_MS;
    this.cluster.records.set(TABLE, h.metadata.uid!, { ...rec, next: at });
    this.cluster.timers.add(at, 'hpa.sync', { key: keyOf(h.metadata.namespace, h.metadata.name!), uid: h.metadata.uid });
  }

  private sync(h: KObject): void {
    try {
      this.reconcile(h);
    } finally {
      const latest = this.cluster.store.get(HPAS, h.metadata.namespace, h.metadata.name!);
      if (latest && latest.metadata.uid === h.metadata.uid && !latest.metadata.deletionTimestamp) this.ensureTimer(latest);
    }
  }

  private reconcile(h: KObject): void {
    const { store, api } = this.cluster;
    const spec = h.spec as HpaSpec;
    const ns = h.metadata.namespace!;
    const now = this.cluster.now();
    const ts = rfc3339(now);
    const old = (h.status ?? {}) as Record<string, any>;
    const conds: Condition[] = [];
    const cond = (type: string, status: Condition['status'], reason: string, message: string) => {
      const prev = (old.conditions as Condition[] | undefined)?.find((c) => c.type === type);
      conds.push({ type, status, lastTransitionTime: prev && prev.status === status ? prev.lastTransitionTime : ts, reason, message });
    };
    const ref = spec.scaleTargetRef;
    const info = findByKind(ref.apiVersion ?? 'apps/v1', ref.kind);
    const target = info ? store.get(info, ns, ref.name) : undefined;
    const writeStatus = (st: Record<string, any>) => {
      st.conditions = conds;
      if (JSON.stringify(st) !== JSON.stringify(old)) api.update(HPAS, ns, h.metadata.name!, { ...h, status: st }, { subresource: 'status' });
    };
    if (!info || !target) {
      const what = info ? `${info.resource}${info.group ? '.' + info.group : ''} "${ref.name}" not found` : `no matches for kind "${ref.kind}" in group "${(ref.apiVersion ?? '').split('/')[0]}"`;
      const msg = `the HPA controller was unable to get the target's current scale: ${what}`;
      cond('AbleToScale', 'False', 'FailedGetScale', msg);
      this.cluster.events.record(h, 'Warning', 'FailedGetScale', what, SOURCE);
      writeStatus({ currentReplicas: old.currentReplicas ?? 0, desiredReplicas: old.desiredReplicas ?? 0 });
      return;
    }
    const tspec = target.spec as { replicas?: number; selector?: { matchLabels?: Record<string, string> } };
    const current = tspec.replicas ?? 1;
    const min = spec.minReplicas ?? 1;
    const st: Record<string, any> = { currentReplicas: current, desiredReplicas: current };
    if (old.lastScaleTime) st.lastScaleTime = old.lastScaleTime;
    if (current === 0 && min > 0) {
      cond('AbleToScale', 'True', 'SucceededGetScale', 'the HPA controller was able to get the target\'s current scale');
      cond('ScalingActive', 'False', 'ScalingDisabled', 'scaling is disabled since the replica count of the target is zero');
      writeStatus(st);
      return;
    }
    const sel = selectorFromSpec(tspec.selector);
    const pods = (store.list(PODS, ns) as Pod[]).filter((p) => matchesLabels(sel, p.metadata.labels) && !p.metadata.deletionTimestamp && p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded');
    let desired = 0;
    let reason = '';
    const currentMetrics: unknown[] = [];
    let error: string | undefined;
    for (const m of spec.metrics ?? []) {
      if (m.type !== 'Resource' || !m.resource) continue;
      const res = m.resource.name;
      if (res !== 'cpu' && res !== 'memory') continue;
      let usage = 0;
      let request = 0;
      let counted = 0;
      for (const p of pods) {
        if (!isPodReady(p)) continue;
        const u = podUsage(this.cluster, p);
        if (!u) continue;
        let req = 0;
        for (const c of p.spec.containers) {
          const q = c.resources?.requests?.[res];
          if (q === undefined) {
            if (m.resource.target.type === 'Utilization') error = `failed to get ${res} utilization: missing request for ${res} in container ${c.name} of Pod ${p.metadata.name}`;
            continue;
          }
          req += parseQuantity(q) ?? 0;
        }
        usage += u.reduce((s, x) => s + (res === 'cpu' ? x.usage.cpu / 1e9 : x.usage.memory), 0);
        request += req;
        counted++;
      }
      if (error) break;
      if (counted === 0) {
        error = `failed to get ${res} utilization: did not receive metrics for targeted pods (pods might be unready)`;
        break;
      }
      let ratio: number;
      const avgValue = usage / counted;
      if (m.resource.target.type === 'Utilization') {
        const util = Math.round((usage * 100) / request);
        ratio = util / (m.resource.target.averageUtilization ?? 80);
        currentMetrics.push({ type: 'Resource', resource: { name: res, current: { averageUtilization: util, averageValue: formatQuantity(res, avgValue) } } });
      } else {
        ratio = avgValue / (parseQuantity(m.resource.target.averageValue ?? '0') || 1);
        currentMetrics.push({ type: 'Resource', resource: { name: res, current: { averageValue: formatQuantity(res, avgValue) } } });
      }
      const want = Math.abs(ratio - 1) <= TOLERANCE ? current : Math.ceil(ratio * counted);
      if (want > desired) {
        desired = want;
        reason = `${res} resource${m.resource.target.type === 'Utilization' ? ' utilization (percentage of request)' : ''}`;
      }
    }
    cond('AbleToScale', 'True', 'SucceededGetScale', 'the HPA controller was able to get the target\'s current scale');
    if (error) {
      cond('ScalingActive', 'False', 'FailedGetResourceMetric', `the HPA was unable to compute the replica count: ${error}`);
      this.cluster.events.record(h, 'Warning', 'FailedGetResourceMetric', error, SOURCE);
      if (currentMetrics.length) st.currentMetrics = currentMetrics;
      writeStatus(st);
      return;
    }
    // Stabilization (scale down: the highest recommendation of the last five minutes), then rate and bounds.
    const rec = this.record(h);
    const window = (spec.behavior?.scaleDown?.stabilizationWindowSeconds ?? DOWN_WINDOW_MS / 1000) * 1000;
    // A new autoscaler starts with the current size as its first recommendation (as the controller does).
    const seeded: [number, number][] = rec.recs.length ? rec.recs : [[now, current]];
    const recs = [...seeded.filter(([t]) => t > now - window), [now, desired] as [number, number]];
    this.cluster.records.set(TABLE, h.metadata.uid!, { ...this.record(h), recs });
    let stabilized = desired;
    if (desired < current) stabilized = Math.min(current, Math.max(...recs.map(([, r]) => r)));
    const upLimit = Math.max(current + 4, current * 2);
    let final = Math.min(stabilized, upLimit);
    let limited: [string, string] | undefined;
    if (final > spec.maxReplicas) {
      final = spec.maxReplicas;
      limited = ['TooManyReplicas', 'the desired replica count is more than the maximum replica count'];
    } else if (final < min) {
      final = min;
      limited = ['TooFewReplicas', 'the desired replica count is less than the minimum replica count'];
    }
    cond('ScalingActive', 'True', 'ValidMetricFound', `the HPA was able to successfully calculate a replica count from ${reason}`);
    cond('ScalingLimited', limited ? 'True' : 'False', limited ? limited[0] : 'DesiredWithinRange', limited ? limited[1] : 'the desired count is within the acceptable range');
    st.desiredReplicas = final;
    st.currentMetrics = currentMetrics;
    if (final !== current) {
      const next = clone(target);
      (next.spec as { replicas?: number }).replicas = final;
      api.update(info, ns, ref.name, next);
      st.lastScaleTime = ts;
      const why = final > current ? `${reason} above target` : 'All metrics below target';
      this.cluster.events.record(h, 'Normal', 'SuccessfulRescale', `New size: ${final}; reason: ${why}`, SOURCE);
      conds[0] = { ...conds[0], reason: 'SucceededRescale', message: `the HPA controller was able to update the target scale to ${final}` };
    } else {
      conds[0] = { ...conds[0], reason: 'ReadyForNewScale', message: 'recommended size matches current size' };
    }
    writeStatus(st);
  }
}

function formatQuantity(res: string, v: number): string {
  if (res === 'cpu') return `${Math.round(v * 1000)}m`;
  return String(Math.round(v));
}
