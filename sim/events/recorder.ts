import { EVENTS, NAMESPACES } from '../apiserver/resources.ts';
import type { ObjectStore, StoreEvent } from '../apiserver/store.ts';
import type { KObject } from '../apiserver/types.ts';
import type { RecordStore } from '../state/records.ts';
import type { TimerQueue } from '../state/timers.ts';
import type { Rng } from '../util/rng.ts';
import { parseTime, rfc3339 } from '../util/time.ts';

export interface EventSource {
  component: string;
  host?: string;
}

/** How long an Event lives, as kube-apiserver's --event-ttl default. */
export const EVENT_TTL_MS = 60 * 60 * 1000;
/**
 * etcd attaches one lease to all the keys written within a short window (the apiserver's lease reuse), so
 * Events expire in batches: here every Event whose TTL ends within the same minute goes at the minute's end.
 */
export const EVENT_TTL_BATCH_MS = 60 * 1000;
/** client-go's EventAggregator: this many similar Events with different messages... */
export const AGGREGATE_MAX_EVENTS = 10;
/** ...within this interval are combined into one. */
export const AGGREGATE_INTERVAL_MS = 600 * 1000;
export const COMBINED_PREFIX = '(combined from similar events): ';

/** The timer type of the Event TTL sweep (the cluster routes it to `sweep()`). */
export const EVENT_SWEEP_TIMER = 'events.sweep';

interface EventShape {
  involvedObject?: { kind?: string; namespace?: string; name?: string; uid?: string; apiVersion?: string; fieldPath?: string };
  source?: { component?: string; host?: string };
  reason?: string;
  message?: string;
  type?: string;
  lastTimestamp?: string | null;
  firstTimestamp?: string | null;
  eventTime?: string | null;
  count?: number;
}

/** The object an Event is about, as a key (its uid when it has one). */
function objectKey(ev: EventShape): string {
  const o = ev.involvedObject ?? {};
  return o.uid || `${o.kind}/${o.namespace ?? ''}/${o.name}`;
}

/** Of several candidates, the first by name (independent of the order the index learnt them in). */
function first(events: KObject[]): KObject | undefined {
  let best: KObject | undefined;
  for (const e of events) if (!best || e.metadata.name! < best.metadata.name!) best = e;
  return best;
}

/** When an Event was last written, as far as its fields tell (its TTL runs from there). */
function lastWritten(ev: KObject): number {
  const e = ev as KObject & EventShape;
  return Math.max(parseTime(e.lastTimestamp ?? undefined) ?? 0, parseTime(e.eventTime ?? undefined) ?? 0, parseTime(ev.metadata.creationTimestamp) ?? 0);
}

export function eventExpiry(ev: KObject): number {
  return Math.ceil((lastWritten(ev) + EVENT_TTL_MS) / EVENT_TTL_BATCH_MS) * EVENT_TTL_BATCH_MS;
}

/**
 * Records core/v1 Events as client-go's recorder and its EventCorrelator do:
 * - an Event identical to an earlier one (source, involved object, field path, type, reason, message) bumps that
 *   one's `count` and `lastTimestamp` instead of creating another;
 * - once `AGGREGATE_MAX_EVENTS` similar Events (same source, object, type, reason) with different messages came
 *   within `AGGREGATE_INTERVAL_MS`, the next ones go to a single Event whose message starts
 *   `(combined from similar events): ` (with the latest message) and whose count grows;
 * - the API server deletes an Event `EVENT_TTL_MS` after its last write (its etcd lease), in batches.
 * The correlator's memory is derived from the stored Events alone (an index rebuilt on restore), so a restored
 * cluster correlates exactly as the original would.
 */
export class EventRecorder {
  private store: ObjectStore;
  private rng: Rng;
  private records: RecordStore;
  private timers: TimerQueue;
  private nowMs: () => number;
  /** involved object key → its Events' names (`ns\u0000name` when not in the object's own namespace) */
  private byObject = new Map<string, string[]>();
  /** recent identical strings (timestamps, messages) shared instead of stored once per Event */
  private interned = new Map<string, string>();

  constructor(store: ObjectStore, rng: Rng, records: RecordStore, timers: TimerQueue, nowMs: () => number) {
    this.store = store;
    this.rng = rng;
    this.records = records;
    this.timers = timers;
    this.nowMs = nowMs;
    store.subscribe((ev) => this.onStoreEvent(ev));
  }

  private intern(s: string): string {
    const hit = this.interned.get(s);
    if (hit !== undefined) return hit;
    if (this.interned.size >= 512) this.interned.clear();
    this.interned.set(s, s);
    return s;
  }

  record(obj: KObject, type: 'Normal' | 'Warning', reason: string, message: string, source: EventSource, fieldPath?: string): void {
    const ns = obj.metadata.namespace || 'default';
    const now = this.nowMs();
    const ts = this.intern(rfc3339(now));
    message = this.intern(message);
    const involved: NonNullable<EventShape['involvedObject']> & { resourceVersion?: string } = {
      kind: obj.kind,
      namespace: obj.metadata.namespace,
      name: obj.metadata.name,
      uid: obj.metadata.uid,
      apiVersion: obj.apiVersion,
      resourceVersion: obj.metadata.resourceVersion,
      ...(fieldPath ? { fieldPath: this.intern(fieldPath) } : {}),
    };
    if (!involved.namespace) delete involved.namespace;
    const probe: EventShape = { involvedObject: involved, source, type, reason, message };
    const similar = this.similar(ns, probe);

    // The aggregator: distinct messages of similar Events in the interval, this one included.
    const since = now - AGGREGATE_INTERVAL_MS;
    const combined = first(similar.filter((e) => String(e.message).startsWith(COMBINED_PREFIX) && lastWritten(e) >= since));
    if (combined) return this.bump(combined, ts, involved, COMBINED_PREFIX + message);
    const messages = new Set<string>([message]);
    for (const e of similar) if (lastWritten(e) >= since) messages.add(e.message as string);
    if (messages.size >= AGGREGATE_MAX_EVENTS) {
      this.create(ns, obj, { ...probe, involvedObject: involved, message: COMBINED_PREFIX + message }, source, ts, now);
      return;
    }
    // The logger: an identical Event is counted, not repeated.
    const same = first(similar.filter((e) => e.message === message && (e.involvedObject as EventShape['involvedObject'])?.fieldPath === fieldPath));
    if (same) return this.bump(same, ts, involved);
    this.create(ns, obj, probe, source, ts, now);
  }

  /** Stored Events about the same object from the same source with the same type and reason. */
  private similar(ns: string, p: EventShape): KObject[] {
    const names = this.byObject.get(objectKey(p));
    if (!names) return [];
    const out: KObject[] = [];
    for (const entry of names) {
      const cut = entry.indexOf('\u0000');
      const e = (cut < 0 ? this.store.get(EVENTS, ns, entry) : this.store.get(EVENTS, entry.slice(0, cut), entry.slice(cut + 1))) as (KObject & EventShape) | undefined;
      if (!e || e.reason !== p.reason || e.type !== p.type) continue;
      if ((e.source?.component ?? '') !== (p.source?.component ?? '') || (e.source?.host ?? '') !== (p.source?.host ?? '')) continue;
      out.push(e);
    }
    return out;
  }

  private bump(existing: KObject, ts: string, involved: object, message?: string): void {
    const next = {
      ...existing,
      count: ((existing.count as number) ?? 1) + 1,
      lastTimestamp: ts,
      ...(message !== undefined ? { message, involvedObject: involved } : {}),
      metadata: { ...existing.metadata },
    };
    this.store.put(EVENTS, next as KObject);
  }

  private create(ns: string, obj: KObject, p: EventShape, source: EventSource, ts: string, now: number): void {
    // Like client-go's recorder, an event that cannot be written (its namespace is gone) is dropped; it never
    // fails the caller. Written as the API server would store it (uid, creationTimestamp, resourceVersion),
    // without a request's decoding and copying: thousands of Events then share their constant parts.
    if (!this.store.get(NAMESPACES, undefined, ns)) return;
    const name = `${obj.metadata.name}.${this.nanoStamp(now)}`;
    const ev: KObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace: ns, uid: this.rng.uuid(), creationTimestamp: ts, resourceVersion: '' },
      involvedObject: p.involvedObject,
      reason: p.reason,
      message: p.message,
      source: this.sourceOf(source),
      firstTimestamp: ts,
      lastTimestamp: ts,
      count: 1,
      type: p.type,
      eventTime: null,
      reportingComponent: source.component,
      reportingInstance: source.host ?? '',
    };
    this.store.put(EVENTS, ev);
  }

  /** Stored objects are immutable, so Events from the same source share one `source` object. */
  private sources = new Map<string, { component: string; host?: string }>();

  private sourceOf(source: EventSource): { component: string; host?: string } {
    const k = `${source.component}\u0000${source.host ?? ''}`;
    let s = this.sources.get(k);
    if (!s) {
      if (this.sources.size >= 2048) this.sources.clear();
      s = source.host ? { component: source.component, host: source.host } : { component: source.component };
      this.sources.set(k, s);
    }
    return s;
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

  /** Keeps the index and the TTL sweep up to date with every Event written (by the recorder or the API). */
  private onStoreEvent(ev: StoreEvent): void {
    if (ev.info.resource !== 'events') return;
    const e = ev.object;
    const key = this.indexKey(e);
    if (ev.type === 'DELETED') {
      const names = this.byObject.get(key);
      const i = names ? names.indexOf(this.indexName(e)) : -1;
      if (names && i >= 0) {
        names.splice(i, 1);
        if (names.length === 0) this.byObject.delete(key);
      }
      return;
    }
    if (ev.type === 'ADDED') this.index(e);
    else if (ev.old && this.indexKey(ev.old) !== key) {
      // The involved object changed (an API update): move it.
      this.onStoreEvent({ ...ev, type: 'DELETED', object: ev.old });
      this.index(e);
    }
    this.sweepBy(eventExpiry(e));
  }

  private indexKey(e: KObject): string {
    return objectKey(e as KObject & EventShape);
  }

  /** Events of one object may live in several namespaces only when written through the API; keep them apart. */
  private indexName(e: KObject): string {
    const ns = e.metadata.namespace ?? '';
    const inv = (e as KObject & EventShape).involvedObject;
    return (inv?.namespace || 'default') === ns ? e.metadata.name! : `${ns}\u0000${e.metadata.name}`;
  }

  private index(e: KObject): void {
    const key = this.indexKey(e);
    const names = this.byObject.get(key);
    const name = this.indexName(e);
    if (names) names.push(name);
    else this.byObject.set(key, [name]);
  }

  /** Makes sure a sweep runs no later than `at`. */
  private sweepBy(at: number): void {
    const cur = this.records.get<{ seq: number; at: number }>('meta', 'events.sweep');
    if (cur && cur.at <= at && this.timers.isPending(cur.seq)) return;
    if (cur) this.timers.cancel(cur.seq);
    this.records.set('meta', 'events.sweep', { seq: this.timers.add(at, EVENT_SWEEP_TIMER, {}), at });
  }

  /** The TTL sweep: deletes every Event whose time is up, then plans the next sweep. */
  sweep(): void {
    this.records.delete('meta', 'events.sweep');
    const now = this.nowMs();
    let next = Infinity;
    for (const e of this.store.list(EVENTS)) {
      const at = eventExpiry(e);
      if (at <= now) this.store.remove(EVENTS, e);
      else next = Math.min(next, at);
    }
    if (next < Infinity) this.sweepBy(next);
  }

  /** Rebuilds the index from the stored Events (after a restore), in store order. */
  rebuildIndex(): void {
    this.byObject.clear();
    const all = this.store.list(EVENTS);
    for (const e of all) this.index(e);
    // A snapshot from before the sweep existed: plan one.
    if (all.length && !this.records.get('meta', 'events.sweep')) {
      let next = Infinity;
      for (const e of all) next = Math.min(next, eventExpiry(e));
      this.sweepBy(next);
    }
  }
}
