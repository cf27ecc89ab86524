import * as Y from 'yjs';
import { NODES, PODS, findResource, type ResourceInfo } from '../../sim/apiserver/resources.ts';
import type { StoreEvent } from '../../sim/apiserver/store.ts';
import type { Node, Pod } from '../../sim/apiserver/types.ts';
import type { Cluster } from '../../sim/cluster.ts';
import { nodeSummary, podSummary, serviceEndpoints, serviceSummary, workloadSummary } from '../../sim/view/summary.ts';
import { podStatusReason } from '../../sim/apiserver/printers/pod.ts';
import type { ClockView } from './clock.ts';

const SERVICES = findResource('', 'services')!;
const ENDPOINT_SLICES = findResource('discovery.k8s.io', 'endpointslices')!;
const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
/** The workload kinds the map groups pods under (map `workloads`, key `Kind/namespace/name`). */
const WORKLOADS: ResourceInfo[] = [
  findResource('apps', 'deployments')!,
  findResource('apps', 'replicasets')!,
  findResource('apps', 'statefulsets')!,
  findResource('apps', 'daemonsets')!,
  findResource('batch', 'jobs')!,
];

/**
 * The cluster doc: a projection of the sim's state into a Y.Doc that only the server writes. Changes are
 * collected from store events and written in one transaction per flush (per tick or API write), and only
 * when a summary really changed, so the doc grows with visible change, not with cluster size.
 */
export class ClusterProjection {
  doc: Y.Doc;
  epoch: string;
  private dirtyPods = new Set<string>();
  private dirtyNodes = new Set<string>();
  private dirtyServices = new Set<string>();
  /** services ("ns/name") whose EndpointSlices changed */
  private dirtyEndpoints = new Set<string>();
  /** "Kind/ns/name" → its resource */
  private dirtyWorkloads = new Map<string, ResourceInfo>();
  /** the endpoint keys written per service, to delete the ones that went away */
  private endpointKeys = new Map<string, Set<string>>();
  private written = new Map<string, string>();
  private lastClock = '';
  private cluster: Cluster;

  constructor(cluster: Cluster, epoch: string) {
    this.cluster = cluster;
    this.epoch = epoch;
    this.doc = new Y.Doc({ gc: true });
    this.fill();
  }

  /** Everything from the sim's current state, in one transaction. */
  private fill(): void {
    for (const p of this.cluster.store.list(PODS)) this.dirtyPods.add(`${p.metadata.namespace}/${p.metadata.name}`);
    for (const n of this.cluster.store.list(NODES)) this.dirtyNodes.add(n.metadata.name!);
    for (const svc of this.cluster.store.list(SERVICES)) {
      const key = `${svc.metadata.namespace}/${svc.metadata.name}`;
      this.dirtyServices.add(key);
      this.dirtyEndpoints.add(key);
    }
    for (const info of WORKLOADS) for (const o of this.cluster.store.list(info)) this.dirtyWorkloads.set(`${info.kind}/${o.metadata.namespace}/${o.metadata.name}`, info);
    this.doc.transact(() => this.doc.getMap('meta').set('epoch', this.epoch));
    this.flush();
  }

  onStoreEvent(ev: StoreEvent): void {
    if (ev.info === PODS) this.dirtyPods.add(`${ev.object.metadata.namespace}/${ev.object.metadata.name}`);
    else if (ev.info === NODES) this.dirtyNodes.add(ev.object.metadata.name!);
    else if (ev.info === SERVICES) {
      const key = `${ev.object.metadata.namespace}/${ev.object.metadata.name}`;
      this.dirtyServices.add(key);
      this.dirtyEndpoints.add(key);
    } else if (ev.info === ENDPOINT_SLICES) {
      for (const o of [ev.object, ev.old]) {
        const svc = o?.metadata.labels?.[SERVICE_NAME_LABEL];
        if (svc) this.dirtyEndpoints.add(`${o!.metadata.namespace}/${svc}`);
      }
    } else if (WORKLOADS.includes(ev.info)) {
      this.dirtyWorkloads.set(`${ev.info.kind}/${ev.object.metadata.namespace}/${ev.object.metadata.name}`, ev.info);
    }
  }

  setClock(view: ClockView): void {
    // The wall instant changes on every read; only a change of what clients extrapolate from is written.
    const key = JSON.stringify({ paused: view.paused, speed: view.speed, idle: view.idle });
    const meta = this.doc.getMap('meta');
    const current = meta.get('clock') as ClockView | undefined;
    if (key === this.lastClock && current) {
      // Still correct to extrapolate unless the virtual time drifted from where the clients think it is.
      const expected = Date.parse(current.now) + (view.paused || view.idle ? 0 : (view.wallAt - current.wallAt) * view.speed);
      if (Math.abs(expected - Date.parse(view.now)) < 1000) return;
    }
    this.lastClock = key;
    this.doc.transact(() => meta.set('clock', view));
  }

  /** Writes what changed since the last flush; true if the doc changed. */
  flush(): boolean {
    if (this.dirtyPods.size + this.dirtyNodes.size + this.dirtyServices.size + this.dirtyEndpoints.size + this.dirtyWorkloads.size === 0) return false;
    let changed = false;
    const pods = this.doc.getMap('pods');
    const nodes = this.doc.getMap('nodes');
    const services = this.doc.getMap('services');
    const endpoints = this.doc.getMap('endpoints');
    const workloads = this.doc.getMap('workloads');
    const store = this.cluster.store;
    this.doc.transact(() => {
      for (const key of this.dirtyPods) {
        const i = key.indexOf('/');
        const pod = this.cluster.store.get(PODS, key.slice(0, i), key.slice(i + 1)) as Pod | undefined;
        changed = this.put(pods, 'pod:' + key, key, pod && podSummary(pod, (p) => podStatusReason(p, this.cluster.now()))) || changed;
      }
      for (const name of this.dirtyNodes) {
        const node = this.cluster.store.get(NODES, undefined, name) as Node | undefined;
        changed = this.put(nodes, 'node:' + name, name, node && nodeSummary(node)) || changed;
      }
      for (const key of this.dirtyServices) {
        const [ns, name] = split(key);
        const svc = store.get(SERVICES, ns, name);
        changed = this.put(services, 'svc:' + key, key, svc && serviceSummary(svc as Parameters<typeof serviceSummary>[0])) || changed;
      }
      for (const key of this.dirtyEndpoints) changed = this.writeEndpoints(endpoints, key) || changed;
      for (const [key, info] of this.dirtyWorkloads) {
        const [ns, name] = split(key.slice(info.kind.length + 1));
        const o = store.get(info, ns, name);
        changed = this.put(workloads, 'wl:' + key, key, o && workloadSummary({ ...o, kind: info.kind } as Parameters<typeof workloadSummary>[0])) || changed;
      }
    });
    this.dirtyPods.clear();
    this.dirtyNodes.clear();
    this.dirtyServices.clear();
    this.dirtyEndpoints.clear();
    this.dirtyWorkloads.clear();
    return changed;
  }

  /** A service's endpoints from its EndpointSlices: one entry per address (key `ns/service/ip`), only the changed ones written. */
  private writeEndpoints(map: Y.Map<unknown>, service: string): boolean {
    const [ns, name] = split(service);
    const exists = this.cluster.store.get(SERVICES, ns, name) !== undefined;
    const slices = exists ? this.cluster.store.list(ENDPOINT_SLICES, ns).filter((s) => s.metadata.labels?.[SERVICE_NAME_LABEL] === name) : [];
    const before = this.endpointKeys.get(service) ?? new Set<string>();
    const now = new Set<string>();
    let changed = false;
    for (const e of serviceEndpoints(service, slices as Parameters<typeof serviceEndpoints>[1])) {
      const key = `${service}/${e.ip}`;
      now.add(key);
      changed = this.put(map, 'ep:' + key, key, e) || changed;
    }
    for (const key of before) if (!now.has(key)) changed = this.put(map, 'ep:' + key, key, undefined) || changed;
    if (now.size) this.endpointKeys.set(service, now);
    else this.endpointKeys.delete(service);
    return changed;
  }

  private put(map: Y.Map<unknown>, cacheKey: string, key: string, value: object | undefined): boolean {
    if (value === undefined) {
      if (!this.written.has(cacheKey)) return false;
      this.written.delete(cacheKey);
      map.delete(key);
      return true;
    }
    const json = JSON.stringify(value);
    if (this.written.get(cacheKey) === json) return false;
    this.written.set(cacheKey, json);
    map.set(key, value);
    return true;
  }
}

function split(key: string): [string, string] {
  const i = key.indexOf('/');
  return [key.slice(0, i), key.slice(i + 1)];
}
