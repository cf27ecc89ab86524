import type { RecordStore } from '../state/records.ts';
import { gone } from './errors.ts';
import { RESOURCES, storageTable, type ResourceInfo } from './resources.ts';
import type { KObject } from './types.ts';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: EventType;
  info: ResourceInfo;
  object: KObject;
  /** the object before a MODIFIED or DELETED event */
  old?: KObject;
  rv: number;
}

export type StoreListener = (ev: StoreEvent) => void;

/** How many past events a watch may resume from (kept between this and 1.5 times this); older resourceVersions
 * get `410 Gone`. A 5,000-pod rollout writes far more, but a watch that fell this far behind relists anyway. */
const WATCH_HISTORY = 3_000;

/**
 * The API objects, as etcd holds them for the real API server: one record each, a cluster-wide
 * resourceVersion counter, and a bounded in-memory history of changes for watches.
 * Stored objects are immutable: readers get the stored value and must copy before changing it.
 */
export class ObjectStore {
  private listeners: StoreListener[] = [];
  private history: StoreEvent[] = [];
  /** The oldest resourceVersion a watch can start from (history before it was dropped or not kept). */
  private historyStart: number;

  private records: RecordStore;

  constructor(records: RecordStore) {
    this.records = records;
    this.historyStart = this.currentRV();
  }

  currentRV(): number {
    return this.records.get<number>('meta', 'resourceVersion') ?? 1;
  }

  private nextRV(): number {
    const rv = this.currentRV() + 1;
    this.records.set('meta', 'resourceVersion', rv);
    return rv;
  }

  static key(namespace: string | undefined, name: string): string {
    return namespace ? `${namespace}/${name}` : name;
  }

  get(info: ResourceInfo, namespace: string | undefined, name: string): KObject | undefined {
    return this.records.get<KObject>(storageTable(info), ObjectStore.key(info.namespaced ? namespace : undefined, name));
  }

  /** Objects of a resource, in one namespace or all, sorted by key as etcd returns them. */
  list(info: ResourceInfo, namespace?: string): KObject[] {
    const table = this.records.table(storageTable(info));
    const out: KObject[] = [];
    if (namespace && info.namespaced) {
      const prefix = namespace + '/';
      for (const [k, v] of table) if (k.startsWith(prefix)) out.push(v as KObject);
    } else {
      for (const v of table.values()) out.push(v as KObject);
    }
    out.sort((a, b) => cmpKey(a, b));
    return out;
  }

  count(info: ResourceInfo): number {
    return this.records.table(storageTable(info)).size;
  }

  /** Writes an object (create or update), stamping a new resourceVersion; the object is owned by the store. */
  put(info: ResourceInfo, obj: KObject): KObject {
    const key = ObjectStore.key(info.namespaced ? obj.metadata.namespace : undefined, obj.metadata.name!);
    const table = storageTable(info);
    const old = this.records.get<KObject>(table, key);
    const rv = this.nextRV();
    obj.metadata.resourceVersion = String(rv);
    this.records.set(table, key, obj);
    this.emit({ type: old ? 'MODIFIED' : 'ADDED', info, object: obj, old, rv });
    return obj;
  }

  remove(info: ResourceInfo, obj: KObject): KObject {
    const key = ObjectStore.key(info.namespaced ? obj.metadata.namespace : undefined, obj.metadata.name!);
    const table = storageTable(info);
    const old = this.records.get<KObject>(table, key);
    if (!old) return obj;
    const rv = this.nextRV();
    this.records.delete(table, key);
    // A deleted object is reported with the resourceVersion of its deletion, as etcd3 watch does.
    const gone = { ...old, metadata: { ...old.metadata, resourceVersion: String(rv) } };
    this.emit({ type: 'DELETED', info, object: gone, old, rv });
    return gone;
  }

  subscribe(listener: StoreListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /** Events after `rv` (exclusive), or `410 Gone` when they are no longer kept. */
  eventsSince(rv: number): StoreEvent[] {
    if (rv < this.historyStart) throw gone(`too old resource version: ${rv} (${this.historyStart})`);
    // history is ordered by rv; find the first event past rv.
    let lo = 0;
    let hi = this.history.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.history[mid].rv <= rv) lo = mid + 1;
      else hi = mid;
    }
    return this.history.slice(lo);
  }

  private emit(ev: StoreEvent): void {
    this.history.push(ev);
    if (this.history.length > WATCH_HISTORY * 1.5) {
      const drop = this.history.length - WATCH_HISTORY;
      this.historyStart = this.history[drop - 1].rv;
      this.history = this.history.slice(drop);
    }
    for (const l of this.listeners.slice()) l(ev);
  }

  /** Every resource with at least one stored object (for namespace cleanup and the garbage collector). */
  resourcesInUse(): ResourceInfo[] {
    return RESOURCES.filter((r) => this.records.table(storageTable(r)).size > 0 && !(r.group === 'events.k8s.io'));
  }
}

function cmpKey(a: KObject, b: KObject): number {
  const an = a.metadata.namespace ?? '';
  const bn = b.metadata.namespace ?? '';
  if (an !== bn) return an < bn ? -1 : 1;
  const a2 = a.metadata.name!;
  const b2 = b.metadata.name!;
  return a2 < b2 ? -1 : a2 > b2 ? 1 : 0;
}
