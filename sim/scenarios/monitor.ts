/**
 * The scenario monitor: watches the Deployments a scenario's "no downtime" checks name and keeps, in the
 * cluster's records (so snapshot/restore and persistence keep them), the fewest available replicas seen since
 * the learner arrived and when. It samples on every change to a watched Deployment, as an informer would.
 */
import type { StoreEvent } from '../apiserver/store.ts';
import type { KObject } from '../apiserver/types.ts';
import type { Cluster, Component } from '../cluster.ts';
import { rfc3339 } from '../util/time.ts';

/** key `namespace/name` → DowntimeRecord */
export const WATCH_TABLE = 'scenario:availability';
/** key `current` → the running scenario's name, start time and checks */
export const SCENARIO_TABLE = 'scenario:meta';

export interface AvailabilityRecord {
  namespace: string;
  name: string;
  /** when watching started (ms, virtual) */
  since: number;
  /** the fewest available replicas seen, and when */
  min: number;
  minAt: number;
  /** the last sample */
  last: number;
  /** how many times availability dropped below `threshold` */
  drops: number;
  threshold: number;
}

const attached = new WeakSet<Cluster>();

export class ScenarioMonitor implements Component {
  readonly name = 'scenario-monitor';
  private cluster: Cluster;

  constructor(cluster: Cluster) {
    this.cluster = cluster;
    attached.add(cluster);
  }

  onStoreEvent(ev: StoreEvent): void {
    if (ev.info.group !== 'apps' || ev.info.resource !== 'deployments') return;
    const obj: KObject = ev.object;
    const key = `${obj.metadata.namespace}/${obj.metadata.name}`;
    const rec = this.cluster.records.get<AvailabilityRecord>(WATCH_TABLE, key);
    if (!rec) return;
    const deleted = ev.type === 'DELETED';
    const available = deleted ? 0 : Number((obj.status as any)?.availableReplicas ?? 0);
    if (available === rec.last && available >= rec.min) return;
    const next: AvailabilityRecord = { ...rec, last: available };
    if (available < rec.min) {
      next.min = available;
      next.minAt = this.cluster.now();
    }
    if (available < rec.threshold && rec.last >= rec.threshold) next.drops = rec.drops + 1;
    this.cluster.records.set(WATCH_TABLE, key, next);
  }
}

/** Attaches the monitor unless the cluster has one (bootstrap's attachComponents adds it to every cluster). */
export function ensureMonitor(cluster: Cluster): void {
  if (!attached.has(cluster)) cluster.use(new ScenarioMonitor(cluster));
}

/** Starts (or restarts) watching a Deployment's availability from now on. */
export function watchAvailability(cluster: Cluster, namespace: string, name: string, threshold: number, available: number): void {
  const now = cluster.now();
  cluster.records.set(WATCH_TABLE, `${namespace}/${name}`, { namespace, name, since: now, min: available, minAt: now, last: available, drops: 0, threshold } satisfies AvailabilityRecord);
}

export function availabilityOf(cluster: Cluster, namespace: string, name: string): AvailabilityRecord | undefined {
  return cluster.records.get<AvailabilityRecord>(WATCH_TABLE, `${namespace}/${name}`);
}

export function describeAt(ms: number): string {
  return rfc3339(ms);
}
