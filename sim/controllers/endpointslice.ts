/**
 * The EndpointSlice controller: for each Service with a selector, EndpointSlices (at most 100 endpoints
 * each) labelled `kubernetes.io/service-name` and `endpointslice.kubernetes.io/managed-by`, owned by the
 * Service, whose endpoints carry the ready/serving/terminating conditions kube-proxy and `kubectl describe
 * svc` read. Slices are updated in place (names stay) and only written when they change.
 */
import { StatusError } from '../apiserver/errors.ts';
import { findResource } from '../apiserver/resources.ts';
import type { StoreEvent } from '../apiserver/store.ts';
import type { KObject } from '../apiserver/types.ts';
import type { Service } from '../apiserver/registry/services.ts';
import type { Cluster, Component } from '../cluster.ts';
import { desiredGroups, type DesiredEndpoint, type EndpointPort } from '../network/endpoints.ts';
import { keyOf, PodServiceIndex, SERVICES, splitKey } from '../network/podindex.ts';

export const ENDPOINT_SLICES = findResource('discovery.k8s.io', 'endpointslices')!;
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const CONTROLLER_NAME = 'endpointslice-controller.k8s.io';
export const MAX_ENDPOINTS_PER_SLICE = 100;

function endpointOf(e: DesiredEndpoint): Record<string, unknown> {
  const out: Record<string, unknown> = {
    addresses: [e.ip],
    conditions: { ready: e.ready, serving: e.serving, terminating: e.terminating },
  };
  if (e.hostname) out.hostname = e.hostname;
  if (e.nodeName) out.nodeName = e.nodeName;
  out.targetRef = { kind: 'Pod', namespace: e.pod.metadata.namespace, name: e.pod.metadata.name, uid: e.pod.metadata.uid };
  if (e.zone) out.zone = e.zone;
  return out;
}

function portsKey(ports: unknown): string {
  return JSON.stringify(ports ?? []);
}

export class EndpointSliceController implements Component {
  readonly name = 'endpointslice-controller';
  private queue = new Set<string>();
  private index: PodServiceIndex;
  /** service key → names of the slices this controller manages for it */
  private slices = new Map<string, Set<string>>();
  private cluster: Cluster;

  constructor(cluster: Cluster) {
    this.cluster = cluster;
    this.index = new PodServiceIndex(cluster.store);
  }

  restore(): void {
    this.index.rebuild();
    this.slices.clear();
    for (const s of this.cluster.store.list(ENDPOINT_SLICES)) this.track(s, true);
  }

  private track(slice: KObject, present: boolean): string | undefined {
    const labels = slice.metadata.labels ?? {};
    const svc = labels[SERVICE_NAME_LABEL];
    if (!svc || labels[MANAGED_BY_LABEL] !== CONTROLLER_NAME) return undefined;
    const key = `${slice.metadata.namespace}/${svc}`;
    let set = this.slices.get(key);
    if (present) {
      if (!set) this.slices.set(key, (set = new Set()));
      set.add(slice.metadata.name!);
    } else if (set) {
      set.delete(slice.metadata.name!);
      if (set.size === 0) this.slices.delete(key);
    }
    return key;
  }

  onStoreEvent(ev: StoreEvent): void {
    for (const k of this.index.onEvent(ev)) this.queue.add(k);
    if (ev.info === ENDPOINT_SLICES) {
      if (ev.old) this.track(ev.old, false);
      const k = this.track(ev.object, ev.type !== 'DELETED');
      // A slice changed by someone else is put back as the controller wants it.
      if (k) this.queue.add(k);
    }
  }

  runQueue(): boolean {
    if (this.queue.size === 0) return false;
    const keys = [...this.queue];
    this.queue.clear();
    for (const k of keys) {
      try {
        this.sync(k);
      } catch (e) {
        if (!(e instanceof StatusError)) throw e;
      }
    }
    return true;
  }

  /** The slices the controller manages for a Service (stored objects). */
  slicesOf(ns: string, svc: string): KObject[] {
    const out: KObject[] = [];
    for (const n of this.slices.get(`${ns}/${svc}`) ?? []) {
      const s = this.cluster.store.get(ENDPOINT_SLICES, ns, n);
      if (s) out.push(s);
    }
    return out.sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1));
  }

  private sync(key: string): void {
    const { store, api } = this.cluster;
    const [ns, name] = splitKey(key);
    const svc = store.get(SERVICES, ns, name) as Service | undefined;
    const existing = this.slicesOf(ns, name);
    if (!svc || !svc.spec.selector || Object.keys(svc.spec.selector).length === 0 || svc.spec.type === 'ExternalName') {
      // The garbage collector removes a deleted Service's slices (they are owned by it); do it here too.
      for (const s of existing) if (!s.metadata.deletionTimestamp) api.delete(ENDPOINT_SLICES, ns, s.metadata.name!);
      return;
    }
    if (svc.metadata.deletionTimestamp) return;
    const groups = desiredGroups(store, svc, this.index.podsFor(ns, svc.spec.selector));
    const chunks: { ports: EndpointPort[]; endpoints: Record<string, unknown>[] }[] = [];
    for (const g of groups) {
      for (let i = 0; i < g.endpoints.length; i += MAX_ENDPOINTS_PER_SLICE) {
        chunks.push({ ports: g.ports, endpoints: g.endpoints.slice(i, i + MAX_ENDPOINTS_PER_SLICE).map(endpointOf) });
      }
    }
    // A Service with no endpoints still gets one (empty) slice, as the controller keeps a placeholder.
    if (chunks.length === 0) chunks.push({ ports: [], endpoints: [] });
    const labels: Record<string, string> = { ...(svc.metadata.labels ?? {}), [MANAGED_BY_LABEL]: CONTROLLER_NAME, [SERVICE_NAME_LABEL]: name };
    if (svc.spec.clusterIP === 'None') labels['service.kubernetes.io/headless'] = '';
    const owner = { apiVersion: 'v1', kind: 'Service', name, uid: svc.metadata.uid!, controller: true, blockOwnerDeletion: true };
    const free = [...existing];
    for (const chunk of chunks) {
      const pk = portsKey(chunk.ports);
      let i = free.findIndex((s) => portsKey(s.ports) === pk);
      if (i < 0) i = free.length ? 0 : -1;
      const cur = i >= 0 ? free.splice(i, 1)[0] : undefined;
      const body = {
        addressType: 'IPv4',
        endpoints: chunk.endpoints,
        ports: chunk.ports.map((p) => ({ ...p })),
      };
      if (!cur) {
        api.create(ENDPOINT_SLICES, ns, {
          apiVersion: 'discovery.k8s.io/v1',
          kind: 'EndpointSlice',
          metadata: { generateName: `${name}-`, namespace: ns, labels, ownerReferences: [owner] },
          ...body,
        });
        continue;
      }
      const same =
        JSON.stringify(cur.endpoints ?? []) === JSON.stringify(body.endpoints) &&
        portsKey(cur.ports) === portsKey(body.ports) &&
        JSON.stringify(cur.metadata.labels ?? {}) === JSON.stringify(labels) &&
        JSON.stringify(cur.metadata.ownerReferences ?? []) === JSON.stringify([owner]);
      if (same) continue;
      api.update(ENDPOINT_SLICES, ns, cur.metadata.name!, { ...cur, metadata: { ...cur.metadata, labels, ownerReferences: [owner] }, ...body });
    }
    for (const s of free) if (!s.metadata.deletionTimestamp) api.delete(ENDPOINT_SLICES, ns, s.metadata.name!);
  }
}
