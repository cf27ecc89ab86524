// The detail panel of one object: its YAML and `kubectl describe` (both printed by the in-page kubectl
// emulator, so they read exactly as kubectl's), its events, and for a pod its logs (container picker, follow).
import { useEffect, useRef, useState } from 'preact/hooks';
import { isObj, type Obj } from '../kubectl/util';
import { apiClient, errorText, kubectlText, resourceOfKind, kubectlType } from './k8s';
import type { ObjectRef } from './model';

type Tab = 'describe' | 'yaml' | 'events' | 'logs';

interface Props {
  id: string;
  token: string;
  target: ObjectRef;
  /** Changes whenever the doc's summary of the object changed: the open tab reloads. */
  version: unknown;
  onClose: () => void;
}

const LOG_LIMIT = 200_000;

/** Loads `load()` now and again when `deps` change (at most every 400 ms); keeps the last text meanwhile. */
function useLoaded(load: (signal: AbortSignal) => Promise<string>, deps: unknown[], enabled = true): { text: string | null; error: string | null; reload: () => void } {
  const [text, setText] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [n, setN] = useState(0);
  useEffect(() => {
    if (!enabled) return;
    const ctl = new AbortController();
    const timer = setTimeout(() => {
      load(ctl.signal)
        .then((t) => {
          if (ctl.signal.aborted) return;
          setText(t);
          setError(null);
        })
        .catch((e) => {
          if (!ctl.signal.aborted) setError(errorText(e));
        });
    }, text === null ? 0 : 400);
    return () => {
      clearTimeout(timer);
      ctl.abort();
    };
  }, [...deps, n, enabled]);
  return { text, error, reload: () => setN((x) => x + 1) };
}

function kubectlTab(id: string, token: string, target: ObjectRef, args: (type: string) => string[]) {
  return async (signal: AbortSignal) => {
    const r = await resourceOfKind(apiClient(id, token), target.kind);
    if (!r) throw new Error(`the server does not serve ${target.kind}`);
    const ns = r.namespaced ? ['-n', target.namespace] : [];
    const res = await kubectlText(id, token, [...args(kubectlType(r)), ...ns], signal);
    if (res.code !== 0) throw new Error(res.err.trim() || `kubectl exited with ${res.code}`);
    return res.out;
  };
}

function TextView({ text, error, label, testid }: { text: string | null; error: string | null; label: string; testid: string }) {
  if (error) return <p class="error" role="alert">{error}</p>;
  if (text === null) return <p class="placeholder">Loading…</p>;
  return (
    <pre class="code detail-text" tabIndex={0} aria-label={label} data-testid={testid}>
      {text}
    </pre>
  );
}

interface EventRow {
  type: string;
  reason: string;
  age: string;
  from: string;
  message: string;
  count: number;
  last: number;
}

function eventRows(items: Obj[], now: number): EventRow[] {
  return items
    .map((e) => {
      const last = Date.parse(e.lastTimestamp || e.eventTime || e.metadata?.creationTimestamp || '') || 0;
      const source = isObj(e.source) ? e.source : {};
      return {
        type: String(e.type ?? ''),
        reason: String(e.reason ?? ''),
        last,
        age: last ? ago(now - last) : '<unknown>',
        from: String(source.component || e.reportingComponent || ''),
        message: String(e.message ?? '').trim(),
        count: Number(e.count ?? 1),
      };
    })
    .sort((a, b) => b.last - a.last);
}

/** A short age: 5s, 3m, 2h, 4d. */
export function ago(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

function EventsTab({ id, token, target, version }: Omit<Props, 'onClose'>) {
  const [rows, setRows] = useState<EventRow[] | null>(null);
  const { error } = useLoaded(
    async (signal) => {
      const api = apiClient(id, token);
      const fields = [`involvedObject.kind=${target.kind}`, `involvedObject.name=${target.name}`];
      if (target.namespace) fields.push(`involvedObject.namespace=${target.namespace}`);
      const path = target.namespace ? `/api/v1/namespaces/${encodeURIComponent(target.namespace)}/events` : '/api/v1/events';
      const list = await api.json(path, { query: { fieldSelector: fields.join(',') }, signal });
      setRows(eventRows((list.items ?? []) as Obj[], Date.now()));
      return '';
    },
    [target.kind, target.namespace, target.name, version],
  );
  if (error) return <p class="error" role="alert">{error}</p>;
  if (!rows) return <p class="placeholder">Loading…</p>;
  if (rows.length === 0) return <p class="empty" data-testid="detail-events">No events.</p>;
  return (
    <div class="table-wrap">
      <table class="ktable" data-testid="detail-events">
        <thead>
          <tr>
            <th>Type</th>
            <th>Reason</th>
            <th>Age</th>
            <th>From</th>
            <th>Message</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={i} class={r.type === 'Warning' ? 'row-warning' : undefined}>
              <td>{r.type}</td>
              <td>{r.reason}</td>
              <td>
                {r.age}
                {r.count > 1 && ` (x${r.count})`}
              </td>
              <td>{r.from}</td>
              <td class="wrap">{r.message}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function LogsTab({ id, token, target }: { id: string; token: string; target: ObjectRef }) {
  const [containers, setContainers] = useState<string[]>([]);
  const [container, setContainer] = useState<string>('');
  const [follow, setFollow] = useState(true);
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [run, setRun] = useState(0);
  const pre = useRef<HTMLPreElement>(null);

  useEffect(() => {
    const ctl = new AbortController();
    apiClient(id, token)
      .json(`/api/v1/namespaces/${encodeURIComponent(target.namespace)}/pods/${encodeURIComponent(target.name)}`, { signal: ctl.signal })
      .then((pod) => {
        const names = [...((pod.spec?.initContainers ?? []) as Obj[]), ...((pod.spec?.containers ?? []) as Obj[])].map((c) => String(c.name));
        const main = ((pod.spec?.containers ?? []) as Obj[]).map((c) => String(c.name));
        const annotated = pod.metadata?.annotations?.['kubectl.kubernetes.io/default-container'];
        setContainers(names);
        setContainer((c) => c || (annotated && main.includes(annotated) ? annotated : main[0] ?? ''));
      })
      .catch((e) => !ctl.signal.aborted && setError(errorText(e)));
    return () => ctl.abort();
  }, [id, token, target.namespace, target.name]);

  useEffect(() => {
    if (!container) return;
    const ctl = new AbortController();
    setText('');
    setError(null);
    (async () => {
      const res = await apiClient(id, token).raw(`/api/v1/namespaces/${encodeURIComponent(target.namespace)}/pods/${encodeURIComponent(target.name)}/log`, {
        query: { container, follow: follow ? 'true' : undefined, tailLines: '1000' },
        accept: '*/*',
        signal: ctl.signal,
      });
      const reader = res.body?.getReader();
      if (!reader) return;
      const decoder = new TextDecoder();
      for (;;) {
        const { value, done } = await reader.read();
        if (done || ctl.signal.aborted) break;
        const chunk = decoder.decode(value, { stream: true });
        setText((t) => {
          const next = t + chunk;
          return next.length > LOG_LIMIT ? next.slice(next.length - LOG_LIMIT) : next;
        });
      }
    })().catch((e) => !ctl.signal.aborted && setError(errorText(e)));
    return () => ctl.abort();
  }, [id, token, target.namespace, target.name, container, follow, run]);

  useEffect(() => {
    const el = pre.current;
    if (el && follow) el.scrollTop = el.scrollHeight;
  }, [text, follow]);

  return (
    <div class="logs">
      <div class="logs-bar">
        <label>
          Container{' '}
          <select value={container} onChange={(e) => setContainer(e.currentTarget.value)} data-testid="log-container">
            {containers.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
        <label>
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.currentTarget.checked)} /> Follow
        </label>
        <button type="button" class="btn btn--small" onClick={() => setRun((n) => n + 1)}>
          Reload
        </button>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <pre ref={pre} class="code detail-text logs-text" tabIndex={0} aria-label="logs" data-testid="detail-logs" aria-live="off">
        {text || (error ? '' : '(no output yet)')}
      </pre>
    </div>
  );
}

export function DetailPanel({ id, token, target, version, onClose }: Props) {
  const isPod = target.kind === 'Pod';
  const [tab, setTab] = useState<Tab>('describe');
  const panel = useRef<HTMLDivElement>(null);
  const tabs: { key: Tab; label: string }[] = [
    { key: 'describe', label: 'Describe' },
    { key: 'yaml', label: 'YAML' },
    { key: 'events', label: 'Events' },
    ...(isPod ? [{ key: 'logs' as Tab, label: 'Logs' }] : []),
  ];
  useEffect(() => {
    if (!isPod && tab === 'logs') setTab('describe');
  }, [isPod, tab]);

  // Focus moves into the panel when it opens, and back to where it was when it closes; Escape closes it.
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    panel.current?.focus();
    return () => before?.isConnected && before.focus();
  }, []);

  const deps = [target.kind, target.namespace, target.name, version];
  const describe = useLoaded(kubectlTab(id, token, target, (type) => ['describe', type, target.name]), deps, tab === 'describe');
  const yaml = useLoaded(kubectlTab(id, token, target, (type) => ['get', type, target.name, '-o', 'yaml']), deps, tab === 'yaml');

  const title = `${target.kind.toLowerCase()}/${target.name}`;
  return (
    <div
      ref={panel}
      class="detail"
      role="dialog"
      aria-modal="false"
      aria-label={`Details of ${title}`}
      data-testid="detail"
      data-kind={target.kind}
      data-name={target.name}
      tabIndex={-1}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          onClose();
        }
      }}
    >
      <header class="detail-head">
        <h2>
          <span class="kind">{target.kind}</span> {target.name}
          {target.namespace && <span class="pod-ns">{target.namespace}</span>}
        </h2>
        <button type="button" class="btn btn--small" onClick={onClose} aria-label="Close details">
          ✕
        </button>
      </header>
      <nav class="tabs" role="tablist" aria-label="Detail views">
        {tabs.map((t) => (
          <button key={t.key} type="button" role="tab" class="tab" aria-selected={tab === t.key} onClick={() => setTab(t.key)} data-testid={`detail-tab-${t.key}`}>
            {t.label}
          </button>
        ))}
      </nav>
      <div class="detail-body" role="tabpanel">
        {tab === 'describe' && <TextView text={describe.text} error={describe.error} label="kubectl describe" testid="detail-describe" />}
        {tab === 'yaml' && <TextView text={yaml.text} error={yaml.error} label="YAML" testid="detail-yaml" />}
        {tab === 'events' && <EventsTab id={id} token={token} target={target} version={version} />}
        {tab === 'logs' && isPod && <LogsTab id={id} token={token} target={target} />}
      </div>
    </div>
  );
}
