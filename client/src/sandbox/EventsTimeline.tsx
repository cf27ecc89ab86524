// The cluster's events, newest first, live (a list, then a watch from its resourceVersion); warnings stand out.
import { useEffect, useState } from 'preact/hooks';
import type { Obj } from '../kubectl/util';
import type { OnSelect } from './ClusterBoard';
import { ago } from './DetailPanel';
import { apiClient, errorText, listAndWatch } from './k8s';
import { memo } from './memo';

const KEEP = 300;

interface EventItem {
  uid: string;
  type: string;
  reason: string;
  message: string;
  kind: string;
  namespace: string;
  name: string;
  count: number;
  /** virtual time of the last occurrence (ms) */
  last: number;
  from: string;
}

function item(e: Obj): EventItem {
  const obj = (e.involvedObject ?? e.regarding ?? {}) as Obj;
  return {
    uid: String(e.metadata?.uid ?? `${e.metadata?.namespace}/${e.metadata?.name}`),
    type: String(e.type ?? 'Normal'),
    reason: String(e.reason ?? ''),
    message: String(e.message ?? e.note ?? '').trim(),
    kind: String(obj.kind ?? ''),
    namespace: String(obj.namespace ?? e.metadata?.namespace ?? ''),
    name: String(obj.name ?? ''),
    count: Number(e.count ?? e.series?.count ?? 1),
    last: Date.parse(e.lastTimestamp || e.eventTime || e.metadata?.creationTimestamp || '') || 0,
    from: String(e.source?.component || e.reportingComponent || e.reportingController || ''),
  };
}

const EventRow = memo(function EventRow({ e, now }: { e: EventItem; now: number }) {
  return (
    <li class={`event${e.type === 'Warning' ? ' event-warning' : ''}`} data-testid="event" data-type={e.type} data-reason={e.reason}>
      <span class={`badge ${e.type === 'Warning' ? 'tone-bad' : ''}`}>{e.type}</span>
      <time class="event-age" dateTime={new Date(e.last).toISOString()} title={new Date(e.last).toISOString()}>
        {ago(now - e.last)} ago
      </time>
      <button type="button" class="linkish event-object" data-open={`${e.kind}/${e.namespace}/${e.name}`}>
        {e.kind.toLowerCase()}/{e.name}
      </button>
      <strong class="event-reason">{e.reason}</strong>
      {e.count > 1 && <span class="muted">×{e.count}</span>}
      <span class="event-message">{e.message}</span>
    </li>
  );
});

export function EventsTimeline({ id, token, now, onSelect }: { id: string; token: string; now: number; onSelect: OnSelect }) {
  const [items, setItems] = useState<EventItem[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [warningsOnly, setWarningsOnly] = useState(false);

  useEffect(() => {
    const api = apiClient(id, token);
    const ctl = new AbortController();
    const byUid = new Map<string, EventItem>();
    let frame = 0;
    const publish = () => {
      if (frame) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        const sorted = [...byUid.values()].sort((a, b) => b.last - a.last);
        for (const e of sorted.slice(KEEP)) byUid.delete(e.uid);
        setItems(sorted.slice(0, KEEP));
      });
    };
    const load = async () => {
      const list = await api.json('/api/v1/events', { query: { limit: 500 }, signal: ctl.signal });
      byUid.clear();
      for (const e of (list.items ?? []) as Obj[]) {
        const it = item(e);
        byUid.set(it.uid, it);
      }
      setError(null);
      publish();
      return String(list.metadata?.resourceVersion ?? '');
    };
    void listAndWatch(
      api,
      '/api/v1/events',
      () =>
        load().catch((e) => {
          if (!ctl.signal.aborted) setError(errorText(e));
          throw e;
        }),
      (ev) => {
        const it = item(ev.object);
        if (ev.type === 'DELETED') byUid.delete(it.uid);
        else byUid.set(it.uid, it);
        publish();
      },
      ctl.signal,
    );
    return () => {
      ctl.abort();
      cancelAnimationFrame(frame);
    };
  }, [id, token]);

  const shown = items && (warningsOnly ? items.filter((e) => e.type === 'Warning') : items);
  // Ages move with the sandbox clock, in steps of 5 s so that rows do not redraw every frame.
  const coarseNow = Math.floor(now / 5000) * 5000;
  return (
    <section class="card events" aria-labelledby="events-title" data-testid="events">
      <header class="card-head">
        <h2 id="events-title">Events</h2>
        <label>
          <input type="checkbox" checked={warningsOnly} onChange={(e) => setWarningsOnly(e.currentTarget.checked)} /> Warnings only
        </label>
      </header>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {!shown ? (
        !error && <p class="placeholder">Loading…</p>
      ) : shown.length === 0 ? (
        <p class="empty">No events.</p>
      ) : (
        <ol
          class="timeline"
          aria-label="events, newest first"
          onClick={(e) => {
            const key = (e.target as Element).closest?.('[data-open]')?.getAttribute('data-open');
            if (!key) return;
            const a = key.indexOf('/');
            const b = key.indexOf('/', a + 1);
            onSelect({ kind: key.slice(0, a), namespace: key.slice(a + 1, b), name: key.slice(b + 1) });
          }}
        >
          {shown.map((e) => (
            <EventRow key={e.uid} e={e} now={coarseNow} />
          ))}
        </ol>
      )}
    </section>
  );
}
