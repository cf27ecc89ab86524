/**
 * In-memory indexes the Service controllers share: pods by namespace and label pair, Services by namespace
 * and selector pair. A pod event names the Services it may affect without scanning every Service; a Service
 * finds its pods through its rarest selector pair. Rebuilt from the store on restore.
 */
import { findResource, PODS } from '../apiserver/resources.ts';
import type { ObjectStore, StoreEvent } from '../apiserver/store.ts';
import type { KObject, Pod } from '../apiserver/types.ts';
import type { Service } from '../apiserver/registry/services.ts';

export const SERVICES = findResource('', 'services')!;

type Index = Map<string, Set<string>>;

function add(ix: Index, key: string, v: string): void {
  let s = ix.get(key);
  if (!s) ix.set(key, (s = new Set()));
  s.add(v);
}

function del(ix: Index, key: string, v: string): void {
  const s = ix.get(key);
  if (!s) return;
  s.delete(v);
  if (s.size === 0) ix.delete(key);
}

export function keyOf(o: KObject): string {
  return `${o.metadata.namespace}/${o.metadata.name}`;
}

export function splitKey(k: string): [string, string] {
  const i = k.indexOf('/');
  return [k.slice(0, i), k.slice(i + 1)];
}

function pairs(ns: string, labels: Record<string, string> | undefined): string[] {
  return Object.entries(labels ?? {}).map(([k, v]) => `${ns}\u0000${k}=${v}`);
}

export function selectorMatches(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector) return false;
  for (const [k, v] of Object.entries(selector)) if (labels?.[k] !== v) return false;
  return true;
}

export class PodServiceIndex {
  private podsByPair: Index = new Map();
  private podsByNs: Index = new Map();
  private svcsByPair: Index = new Map();
  private svcsByNs: Index = new Map();
  private store: ObjectStore;

  constructor(store: ObjectStore) {
    this.store = store;
  }

  rebuild(): void {
    for (const ix of [this.podsByPair, this.podsByNs, this.svcsByPair, this.svcsByNs]) ix.clear();
    for (const p of this.store.list(PODS)) this.addPod(p);
    for (const s of this.store.list(SERVICES)) this.addService(s as Service);
  }

  private addPod(p: KObject): void {
    const k = keyOf(p);
    add(this.podsByNs, p.metadata.namespace!, k);
    for (const pr of pairs(p.metadata.namespace!, p.metadata.labels)) add(this.podsByPair, pr, k);
  }

  private removePod(p: KObject): void {
    const k = keyOf(p);
    del(this.podsByNs, p.metadata.namespace!, k);
    for (const pr of pairs(p.metadata.namespace!, p.metadata.labels)) del(this.podsByPair, pr, k);
  }

  private addService(s: Service): void {
    const k = keyOf(s);
    add(this.svcsByNs, s.metadata.namespace!, k);
    const sel = s.spec?.selector;
    if (sel && Object.keys(sel).length) add(this.svcsByPair, pairs(s.metadata.namespace!, sel)[0], k);
  }

  private removeService(s: Service): void {
    const k = keyOf(s);
    del(this.svcsByNs, s.metadata.namespace!, k);
    const sel = s.spec?.selector;
    if (sel && Object.keys(sel).length) del(this.svcsByPair, pairs(s.metadata.namespace!, sel)[0], k);
  }

  /** Updates the index; returns the keys of Services whose endpoints this event may change. */
  onEvent(ev: StoreEvent): string[] {
    if (ev.info === PODS) {
      if (ev.old) this.removePod(ev.old);
      if (ev.type !== 'DELETED') this.addPod(ev.object);
      const out = new Set<string>();
      for (const p of [ev.old, ev.type === 'DELETED' ? undefined : ev.object]) {
        if (!p) continue;
        for (const pr of pairs(p.metadata.namespace!, p.metadata.labels)) for (const s of this.svcsByPair.get(pr) ?? []) out.add(s);
      }
      return [...out];
    }
    if (ev.info === SERVICES) {
      if (ev.old) this.removeService(ev.old as Service);
      if (ev.type !== 'DELETED') this.addService(ev.object as Service);
      return [keyOf(ev.object)];
    }
    return [];
  }

  /** Pods (stored objects) a selector picks in a namespace, through the index. */
  podsFor(ns: string, selector: Record<string, string> | undefined): Pod[] {
    if (!selector || Object.keys(selector).length === 0) return [];
    let smallest: Set<string> | undefined;
    for (const pr of pairs(ns, selector)) {
      const s = this.podsByPair.get(pr);
      if (!s) return [];
      if (!smallest || s.size < smallest.size) smallest = s;
    }
    const out: Pod[] = [];
    for (const k of smallest ?? []) {
      const [n, name] = splitKey(k);
      const p = this.store.get(PODS, n, name) as Pod | undefined;
      if (p && selectorMatches(selector, p.metadata.labels)) out.push(p);
    }
    out.sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1));
    return out;
  }

  servicesIn(ns: string): string[] {
    return [...(this.svcsByNs.get(ns) ?? [])];
  }

  podsIn(ns: string): string[] {
    return [...(this.podsByNs.get(ns) ?? [])];
  }
}
