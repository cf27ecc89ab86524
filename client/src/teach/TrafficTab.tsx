// The "Traffic" tab: a stream of HTTP requests to a Service or an Ingress inside the simulated cluster
// (`POST /api/http`), and which pods answer, how evenly, and what fails.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { TeachProps } from './slots';

interface Target {
  key: string;
  label: string;
  url: string;
  headers?: Record<string, string>;
  /** ClusterIPs are reached from a node, ingress addresses from outside */
  fromNode: boolean;
  /** "namespace/name" of the Service, for its endpoints */
  service?: string;
}

interface HttpAnswer {
  status?: number;
  error?: string;
  code?: string;
  servedBy?: { pod: string; namespace: string; node?: string };
}

interface Tally {
  sent: number;
  done: number;
  ok: number;
  byPod: Map<string, { count: number; node?: string }>;
  failures: Map<string, number>;
}

const emptyTally = (): Tally => ({ sent: 0, done: 0, ok: 0, byPod: new Map(), failures: new Map() });
const INGRESS_ADDRESS = '172.18.255.199';
const MAX_RATE = 40;
const MAX_SECONDS = 120;

type K8sList = { items?: Record<string, any>[] };

async function k8s(id: string, token: string, path: string): Promise<K8sList> {
  const res = await fetch(`/s/${encodeURIComponent(id)}/k8s${path}`, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) return { items: [] };
  return (await res.json()) as K8sList;
}

async function loadTargets(id: string, token: string): Promise<Target[]> {
  const [svcs, ings] = await Promise.all([k8s(id, token, '/api/v1/services'), k8s(id, token, '/apis/networking.k8s.io/v1/ingresses')]);
  const out: Target[] = [];
  for (const s of svcs.items ?? []) {
    const ns = s.metadata?.namespace ?? 'default';
    const name = s.metadata?.name ?? '';
    const ip = s.spec?.clusterIP;
    if (!ip || ip === 'None' || (ns === 'default' && name === 'kubernetes') || ns === 'kube-system') continue;
    for (const p of (s.spec?.ports ?? []) as { port: number; name?: string; protocol?: string }[]) {
      if (p.protocol && p.protocol !== 'TCP') continue;
      out.push({ key: `svc/${ns}/${name}/${p.port}`, label: `Service ${ns}/${name} :${p.port}`, url: `http://${ip}:${p.port}/`, fromNode: true, service: `${ns}/${name}` });
    }
  }
  for (const i of ings.items ?? []) {
    const ns = i.metadata?.namespace ?? 'default';
    const name = i.metadata?.name ?? '';
    const address = i.status?.loadBalancer?.ingress?.[0]?.ip ?? INGRESS_ADDRESS;
    for (const rule of (i.spec?.rules ?? []) as { host?: string; http?: { paths?: { path?: string }[] } }[]) {
      for (const p of rule.http?.paths ?? [{ path: '/' }]) {
        const path = p.path || '/';
        const host = rule.host;
        out.push({
          key: `ing/${ns}/${name}/${host ?? '*'}${path}`,
          label: `Ingress ${ns}/${name} ${host ?? '*'}${path}`,
          url: `http://${address}${path}`,
          headers: host ? { host } : undefined,
          fromNode: false,
        });
      }
    }
  }
  return out;
}

function percent(n: number, of: number): string {
  return of ? `${Math.round((n / of) * 100)}%` : '0%';
}

export function TrafficTab({ id, token, cluster }: TeachProps) {
  const [targets, setTargets] = useState<Target[]>([]);
  const [targetKey, setTargetKey] = useState('');
  const [rate, setRate] = useState(10);
  const [seconds, setSeconds] = useState(10);
  const [running, setRunning] = useState(false);
  const [tally, setTally] = useState<Tally>(emptyTally);
  const [error, setError] = useState<string | null>(null);
  const stop = useRef<(() => void) | null>(null);

  const reload = () => loadTargets(id, token).then(setTargets, (e: Error) => setError(e.message));
  useEffect(() => {
    void reload();
    return () => stop.current?.();
  }, [id, token]);
  const target = targets.find((t) => t.key === targetKey) ?? targets[0];
  const node = cluster?.nodes.find((n) => n.ready)?.name ?? cluster?.nodes[0]?.name;

  const start = () => {
    if (!target) return;
    stop.current?.();
    const t = emptyTally();
    setTally({ ...t });
    setError(null);
    setRunning(true);
    const total = Math.max(1, Math.round(rate * seconds));
    let frame = 0;
    const draw = () => {
      if (!frame) frame = requestAnimationFrame(() => {
        frame = 0;
        setTally({ ...t, byPod: new Map(t.byPod), failures: new Map(t.failures) });
      });
    };
    const send = async () => {
      t.sent++;
      let answer: HttpAnswer;
      try {
        const res = await fetch(`/s/${encodeURIComponent(id)}/api/http`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ url: target.url, headers: target.headers, ...(target.fromNode && node ? { fromNode: node } : {}) }),
        });
        const body = (await res.json().catch(() => ({}))) as HttpAnswer & { error?: string };
        answer = res.ok ? body : { error: body.error ?? `HTTP ${res.status}` };
      } catch (e) {
        answer = { error: `the request did not reach the sandbox: ${(e as Error).message}` };
      }
      t.done++;
      if (answer.servedBy && !answer.error && (answer.status ?? 0) < 400) {
        t.ok++;
        const k = answer.servedBy.pod;
        const e = t.byPod.get(k) ?? { count: 0, node: answer.servedBy.node };
        e.count++;
        t.byPod.set(k, e);
      } else {
        const why = answer.error ?? `HTTP ${answer.status ?? '?'}`;
        t.failures.set(why, (t.failures.get(why) ?? 0) + 1);
        if (answer.servedBy) {
          const k = answer.servedBy.pod;
          if (!t.byPod.has(k)) t.byPod.set(k, { count: 0, node: answer.servedBy.node });
        }
      }
      draw();
      if (t.done >= total) finish();
    };
    const timer = setInterval(() => {
      if (t.sent >= total) return clearInterval(timer);
      void send();
    }, 1000 / rate);
    const finish = () => {
      clearInterval(timer);
      setRunning(false);
      stop.current = null;
    };
    stop.current = finish;
  };

  // The Service's endpoints as the cluster doc has them: ready pods that got nothing show as empty bars.
  const endpoints = target?.service ? (cluster?.endpoints ?? []).filter((e) => e.service === target.service && e.pod) : [];
  const readiness = new Map(endpoints.map((e) => [e.pod!, e.ready ? (e.terminating ? 'terminating' : 'ready') : 'not ready']));
  const rows = new Map(tally.byPod);
  for (const e of endpoints) if (!rows.has(e.pod!)) rows.set(e.pod!, { count: 0, node: e.node ?? undefined });
  const pods = [...rows.entries()].sort((a, b) => a[0].localeCompare(b[0]));
  const max = Math.max(1, ...pods.map(([, v]) => v.count));
  const counts = pods.map(([, v]) => v.count).filter((c) => c > 0);
  const spread = counts.length > 1 ? `${percent(Math.min(...counts), tally.ok)} – ${percent(Math.max(...counts), tally.ok)} per pod` : null;

  return (
    <div class="teach-traffic" data-testid="traffic-tab">
      <form
        class="teach-traffic__form"
        onSubmit={(e) => {
          e.preventDefault();
          if (running) stop.current?.();
          else start();
        }}
      >
        <label>
          Target
          <select value={target?.key ?? ''} onChange={(e) => setTargetKey(e.currentTarget.value)} data-testid="traffic-target">
            {targets.length === 0 && <option value="">no Services or Ingresses yet</option>}
            {targets.map((t) => (
              <option key={t.key} value={t.key}>
                {t.label}
              </option>
            ))}
          </select>
        </label>
        <button type="button" class="btn btn--small" onClick={reload}>
          Refresh
        </button>
        <label>
          Requests per second
          <input type="number" min={1} max={MAX_RATE} value={rate} onInput={(e) => setRate(Math.min(MAX_RATE, Math.max(1, Number(e.currentTarget.value) || 1)))} />
        </label>
        <label>
          Seconds
          <input type="number" min={1} max={MAX_SECONDS} value={seconds} onInput={(e) => setSeconds(Math.min(MAX_SECONDS, Math.max(1, Number(e.currentTarget.value) || 1)))} />
        </label>
        <button type="submit" class="btn btn--primary" disabled={!target} data-testid="traffic-start">
          {running ? 'Stop' : 'Send'}
        </button>
      </form>
      {target && <p class="muted">{target.fromNode ? `GET ${target.url} from node ${node ?? '?'}` : `GET ${target.url}${target.headers?.host ? ` (Host: ${target.headers.host})` : ''} from outside the cluster`}</p>}
      {error && <p class="error">{error}</p>}
      {target?.service && (
        <p class="muted" data-testid="traffic-endpoints">
          Endpoints of {target.service}: {endpoints.filter((e) => e.ready).length} ready
          {endpoints.some((e) => !e.ready) && <>, {endpoints.filter((e) => !e.ready).length} not ready</>}
        </p>
      )}
      <p data-testid="traffic-summary" aria-live="polite">
        {tally.done} of {tally.sent} answered · {tally.ok} ok · {tally.done - tally.ok} failed
        {spread && <> · spread {spread}</>}
      </p>
      <ul class="teach-bars" aria-label="Answers per pod" data-testid="traffic-pods">
        {pods.map(([pod, v]) => (
          <li key={pod} data-pod={pod} data-count={v.count} data-endpoint={readiness.get(pod) ?? 'none'}>
            <span class="teach-bars__name" title={v.node ? `on ${v.node}` : undefined}>
              {pod}
              {readiness.get(pod) && readiness.get(pod) !== 'ready' && <span class="badge tone-wait"> {readiness.get(pod)}</span>}
            </span>
            <span class="teach-bars__bar" style={{ width: `${(v.count / max) * 100}%` }} />
            <span class="teach-bars__count">
              {v.count} ({percent(v.count, tally.ok)})
            </span>
          </li>
        ))}
      </ul>
      {tally.failures.size > 0 && (
        <div class="teach-failures" data-testid="traffic-failures">
          <h3 class="teach-h">Failures</h3>
          <ul>
            {[...tally.failures.entries()].map(([why, n]) => (
              <li key={why}>
                <strong>{n}×</strong> <code>{why}</code>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
