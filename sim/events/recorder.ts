import type { ApiServer } from '../apiserver/apiserver.ts';
import { EVENTS } from '../apiserver/resources.ts';
import type { ObjectStore } from '../apiserver/store.ts';
import type { KObject } from '../apiserver/types.ts';
import type { RecordStore } from '../state/records.ts';
import { rfc3339 } from '../util/time.ts';

export interface EventSource {
  component: string;
  host?: string;
}

/** How long an Event lives, as kube-apiserver's --event-ttl default. */
export const EVENT_TTL_MS = 60 * 60 * 1000;

/**
 * Records core/v1 Events as the client-go event recorder does: the same involved object, reason and message
 * within the aggregation window bump `count` and `lastTimestamp` of one Event instead of creating another.
 */
export class EventRecorder {
  private store: ObjectStore;
  private api: ApiServer;
  private records: RecordStore;
  private nowMs: () => number;
  private onCreated: (ev: KObject) => void;

  constructor(store: ObjectStore, api: ApiServer, records: RecordStore, nowMs: () => number, onCreated: (ev: KObject) => void) {
    this.store = store;
    this.api = api;
    this.records = records;
    this.nowMs = nowMs;
    this.onCreated = onCreated;
  }

  record(obj: KObject, type: 'Normal' | 'Warning', reason: string, message: string, source: EventSource, fieldPath?: string): void {
    const ns = obj.metadata.namespace || 'default';
    const now = this.nowMs();
    const ts = rfc3339(now);
    const involved = {
      kind: obj.kind,
      namespace: obj.metadata.namespace,
      name: obj.metadata.name,
      uid: obj.metadata.uid,
      apiVersion: obj.apiVersion,
      resourceVersion: obj.metadata.resourceVersion,
      ...(fieldPath ? { fieldPath } : {}),
    };
    if (!involved.namespace) delete involved.namespace;
    // Aggregate with an existing Event for the same object, reason, message and source.
    const aggKey = `${involved.uid}|${reason}|${message}|${source.component}|${source.host ?? ''}|${fieldPath ?? ''}`;
    const existingName = this.index.get(aggKey);
    const existing = existingName ? this.store.get(EVENTS, ns, existingName) : undefined;
    if (existing) {
      const next = { ...existing, count: ((existing.count as number) ?? 1) + 1, lastTimestamp: ts, metadata: { ...existing.metadata } };
      this.store.put(EVENTS, next as KObject);
      return;
    }
    const name = `${obj.metadata.name}.${this.nanoStamp(now)}`;
    const ev: KObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace: ns },
      involvedObject: involved,
      reason,
      message,
      source: source.host ? { component: source.component, host: source.host } : { component: source.component },
      firstTimestamp: ts,
      lastTimestamp: ts,
      count: 1,
      type,
      eventTime: null,
      reportingComponent: source.component,
      reportingInstance: source.host ?? '',
    };
    // Like client-go's recorder, an event that cannot be written is dropped; it never fails the caller.
    let created: KObject;
    try {
      created = this.api.create(EVENTS, ns, ev);
    } catch {
      return;
    }
    this.index.set(aggKey, name);
    this.onCreated(created);
  }

  /**
   * client-go names an Event after its object and the time in nanoseconds (hex), so they sort by time.
   * The last stamp is kept in the records: names never collide within a millisecond, even after a restore.
   */
  private nanoStamp(nowMs: number): string {
    const last = BigInt(this.records.get<string>('meta', 'events.lastNano') ?? '0');
    let stamp = BigInt(Math.floor(nowMs)) * 1_000_000n;
    if (stamp <= last) stamp = last + 1n;
    this.records.set('meta', 'events.lastNano', stamp.toString());
    return stamp.toString(16);
  }

  /** aggregation key → event name; rebuilt lazily from the store after a restore */
  private index = new Map<string, string>();

  rebuildIndex(): void {
    this.index.clear();
    for (const e of this.store.list(EVENTS)) {
      const inv = e.involvedObject as { uid?: string; fieldPath?: string };
      const src = e.source as { component?: string; host?: string };
      this.index.set(`${inv?.uid}|${e.reason}|${e.message}|${src?.component}|${src?.host ?? ''}|${inv?.fieldPath ?? ''}`, e.metadata.name!);
    }
  }
}
