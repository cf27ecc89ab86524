/**
 * The ResourceQuota controller of kube-controller-manager, and the usage the ResourceQuota admission plugin
 * reads. For each namespace that has a quota it keeps a running total of what the namespace's objects count
 * (`pods`, `requests.cpu`, `count/deployments.apps`, ...) in the records (table `resourcequota.usage`),
 * changed by the delta of every store event in that namespace: cost grows with what changes. A namespace's
 * total is built by one scan when its first quota appears and dropped with its last quota. Each quota's
 * `status.hard` (its spec) and `status.used` (the total, for the resources it limits) are written after changes.
 */
import { limitRanger } from '../apiserver/admission/limitrange.ts';
import { formatUsage, hardOf, quotaAdmission, RESOURCEQUOTAS, scopesOf, usageOf, usedFor, type Usage } from '../apiserver/admission/quota.ts';
import { StatusError } from '../apiserver/errors.ts';
import type { StoreEvent } from '../apiserver/store.ts';
import type { KObject } from '../apiserver/types.ts';
import type { Cluster, Component } from '../cluster.ts';

const TABLE = 'resourcequota.usage';

export class ResourceQuotaController implements Component {
  readonly name = 'resourcequota-controller';
  private cluster: Cluster;
  /** Namespaces whose quotas' status may be stale. */
  private queue = new Set<string>();

  constructor(cluster: Cluster) {
    this.cluster = cluster;
    const api = cluster.api;
    if (!api.admission.includes(limitRanger)) api.admission.push(limitRanger);
    api.admission.push(quotaAdmission({ usage: (ns) => cluster.records.get<Usage>(TABLE, ns) }));
  }

  restore(): void {
    for (const ns of this.cluster.records.table(TABLE).keys()) this.queue.add(ns);
  }

  onStoreEvent(ev: StoreEvent): void {
    const ns = ev.object.metadata.namespace;
    if (!ns || !ev.info.namespaced || ev.info.resource === 'events') return;
    const { records } = this.cluster;
    const current = records.get<Usage>(TABLE, ns);
    if (ev.info === RESOURCEQUOTAS) {
      if (!current) {
        if (ev.type !== 'DELETED') {
          records.set(TABLE, ns, this.scan(ns));
          this.queue.add(ns);
        }
        return;
      }
      if (ev.type === 'DELETED' && this.cluster.store.list(RESOURCEQUOTAS, ns).length === 0) {
        records.delete(TABLE, ns);
        return;
      }
      this.queue.add(ns);
    }
    if (!current) return;
    const before = ev.old ? usageOf(ev.info, ev.old) : {};
    const after = ev.type === 'DELETED' ? {} : usageOf(ev.info, ev.object);
    let next: Usage | undefined;
    for (const k of new Set([...Object.keys(before), ...Object.keys(after)])) {
      const d = (after[k] ?? 0) - (before[k] ?? 0);
      if (d === 0) continue;
      next ??= { ...current };
      next[k] = (next[k] ?? 0) + d;
      if (next[k] === 0) delete next[k];
    }
    if (next) {
      records.set(TABLE, ns, next);
      this.queue.add(ns);
    }
  }

  runQueue(): boolean {
    if (this.queue.size === 0) return false;
    const names = [...this.queue].sort();
    this.queue.clear();
    for (const ns of names) this.sync(ns);
    return true;
  }

  /** What a namespace's objects count now (once, when its first quota appears). */
  private scan(ns: string): Usage {
    const total: Usage = {};
    const { store } = this.cluster;
    for (const info of store.resourcesInUse()) {
      if (!info.namespaced || info.resource === 'events') continue;
      for (const o of store.list(info, ns)) {
        for (const [k, v] of Object.entries(usageOf(info, o))) total[k] = (total[k] ?? 0) + v;
      }
    }
    for (const k of Object.keys(total)) if (total[k] === 0) delete total[k];
    return total;
  }

  private sync(ns: string): void {
    const { store, api, records } = this.cluster;
    const usage = records.get<Usage>(TABLE, ns);
    if (!usage) return;
    for (const quota of store.list(RESOURCEQUOTAS, ns)) {
      if (quota.metadata.deletionTimestamp) continue;
      const hard = { ...hardOf(quota) };
      const used: Record<string, string> = {};
      const scopes = scopesOf(quota);
      for (const n of Object.keys(hard).sort()) used[n] = formatUsage(n, usedFor(usage, n, scopes));
      const status = { hard, used };
      if (JSON.stringify(status) === JSON.stringify(quota.status ?? null)) continue;
      try {
        api.update(RESOURCEQUOTAS, ns, quota.metadata.name!, { ...quota, status } as KObject, { subresource: 'status' });
      } catch (e) {
        if (!(e instanceof StatusError)) throw e;
      }
    }
  }
}
