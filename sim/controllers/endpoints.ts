/**
 * The Endpoints controller: one Endpoints object per Service with a selector, its subsets built from the
 * selected pods (ready ones in `addresses`, not-ready ones in `notReadyAddresses`, terminating ones left out
 * unless `publishNotReadyAddresses`), kept up to date from pod and Service events.
 */
import { StatusError } from '../apiserver/errors.ts';
import { findResource } from '../apiserver/resources.ts';
import type { StoreEvent } from '../apiserver/store.ts';
import type { KObject } from '../apiserver/types.ts';
import type { Service } from '../apiserver/registry/services.ts';
import type { Cluster, Component } from '../cluster.ts';
import { desiredGroups, type DesiredEndpoint } from '../network/endpoints.ts';
import { keyOf, PodServiceIndex, SERVICES, splitKey } from '../network/podindex.ts';
import { ipToInt } from '../network/ip.ts';

export const ENDPOINTS = findResource('', 'endpoints')!;

function address(e: DesiredEndpoint): Record<string, unknown> {
  const a: Record<string, unknown> = { ip: e.ip };
  if (e.hostname) a.hostname = e.hostname;
  if (e.nodeName) a.nodeName = e.nodeName;
  a.targetRef = { kind: 'Pod', namespace: e.pod.metadata.namespace, name: e.pod.metadata.name, uid: e.pod.metadata.uid };
  return a;
}

const byIP = (a: DesiredEndpoint, b: DesiredEndpoint) => (ipToInt(a.ip) ?? 0) - (ipToInt(b.ip) ?? 0);

export class EndpointsController implements Component {
  readonly name = 'endpoints-controller';
  private queue = new Set<string>();
  /** Services deleted since the last run (their Endpoints are removed; Endpoints without a Service are users'). */
  private deleted = new Set<string>();
  private index: PodServiceIndex;
  private cluster: Cluster;

  constructor(cluster: Cluster) {
    this.cluster = cluster;
    this.index = new PodServiceIndex(cluster.store);
  }

  restore(): void {
    this.index.rebuild();
  }

  onStoreEvent(ev: StoreEvent): void {
    for (const k of this.index.onEvent(ev)) this.queue.add(k);
    if (ev.info === SERVICES && ev.type === 'DELETED') this.deleted.add(keyOf(ev.object));
    // Someone changed or deleted the Endpoints of a Service: put them back.
    if (ev.info === ENDPOINTS && this.cluster.store.get(SERVICES, ev.object.metadata.namespace, ev.object.metadata.name!)) this.queue.add(keyOf(ev.object));
  }

  runQueue(): boolean {
    if (this.queue.size === 0) return false;
    const keys = [...this.queue];
    this.queue.clear();
    for (const k of keys) this.sync(k);
    this.deleted.clear();
    return true;
  }

  private sync(key: string): void {
    const { store, api } = this.cluster;
    const [ns, name] = splitKey(key);
    const svc = store.get(SERVICES, ns, name) as Service | undefined;
    const current = store.get(ENDPOINTS, ns, name);
    try {
      if (!svc) {
        // The Service went: its Endpoints go with it.
        if (current && !current.metadata.deletionTimestamp && this.deleted.has(key)) api.delete(ENDPOINTS, ns, name);
        return;
      }
      // Services without a selector have Endpoints their users write.
      if (!svc.spec.selector || Object.keys(svc.spec.selector).length === 0 || svc.spec.type === 'ExternalName') return;
      if (svc.metadata.deletionTimestamp) return;
      const groups = desiredGroups(store, svc, this.index.podsFor(ns, svc.spec.selector));
      const subsets: Record<string, unknown>[] = [];
      for (const g of groups) {
        const ready = g.endpoints.filter((e) => e.ready).sort(byIP);
        const notReady = g.endpoints.filter((e) => !e.ready && !e.terminating).sort(byIP);
        if (!ready.length && !notReady.length) continue;
        const ss: Record<string, unknown> = {};
        if (ready.length) ss.addresses = ready.map(address);
        if (notReady.length) ss.notReadyAddresses = notReady.map(address);
        if (g.ports.length) ss.ports = g.ports.map((p) => (p.name ? { name: p.name, port: p.port, protocol: p.protocol } : { port: p.port, protocol: p.protocol }));
        subsets.push(ss);
      }
      const labels: Record<string, string> = { ...(svc.metadata.labels ?? {}) };
      if (svc.spec.clusterIP === 'None') labels['service.kubernetes.io/headless'] = '';
      const desired: KObject = {
        apiVersion: 'v1',
        kind: 'Endpoints',
        metadata: { name, namespace: ns, ...(Object.keys(labels).length ? { labels } : {}) },
        ...(subsets.length ? { subsets } : {}),
      };
      if (!current) {
        api.create(ENDPOINTS, ns, desired);
        return;
      }
      const same = JSON.stringify(current.subsets ?? null) === JSON.stringify(desired.subsets ?? null) && JSON.stringify(current.metadata.labels ?? {}) === JSON.stringify(labels);
      if (same) return;
      const next = { ...current, metadata: { ...current.metadata, labels: Object.keys(labels).length ? labels : undefined } } as KObject;
      if (!next.metadata.labels) delete next.metadata.labels;
      if (desired.subsets) next.subsets = desired.subsets;
      else delete next.subsets;
      api.update(ENDPOINTS, ns, name, next);
    } catch (e) {
      // A namespace being deleted refuses new objects; the object went meanwhile: nothing to do.
      if (!(e instanceof StatusError)) throw e;
    }
  }
}
