// The instructor panel: clock, faults, lock, checkpoints, links with QR codes, activity feed. Everyone sees
// it; only who may act can press its buttons, and a disabled control says why.
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { WebsocketProvider } from 'y-websocket';
import { postClock } from '../api';
import { CopyButton } from '../CopyButton';
import { watchClusterProvider } from '../sync';
import type { ClockAction, ClusterSnapshot, Role, Session, ShareLinks } from '../types';
import { useLock, type LockInfo } from './lock';
import { qrSvg } from './qr';
import { roomCall, type ActivityItem, type Checkpoint, type FaultInfo, type FaultState } from './room-api';

const SPEEDS = [0.5, 1, 2, 5, 10, 100];
const STEPS = [10, 30, 60, 300];

interface Props {
  id: string;
  token: string;
  session: Session | null;
  cluster: ClusterSnapshot | null;
}

/** Who may press what: null when allowed, else the reason to show. */
function reasons(role: Role | null, lock: LockInfo | null) {
  const ownerOnly = role === 'owner' ? null : role === 'view' ? 'View-only link: only the instructor can do this.' : 'Only the instructor (owner link) can do this.';
  const writer = role === 'owner' ? null : role === 'edit' ? (lock ? 'The cluster is locked by the instructor.' : null) : 'View-only link: you cannot change the cluster.';
  return { ownerOnly, writer };
}

function Why({ why }: { why: string | null }) {
  return why ? <p class="teach-why">{why}</p> : null;
}

function useAction() {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const run = async (what: () => Promise<string | void>) => {
    setBusy(true);
    setMessage(null);
    try {
      const text = await what();
      if (text) setMessage({ ok: true, text });
    } catch (e) {
      setMessage({ ok: false, text: (e as Error).message });
    } finally {
      setBusy(false);
    }
  };
  const view = message && (
    <p class={message.ok ? 'ok' : 'error'} role="status">
      {message.text}
    </p>
  );
  return { busy, run, view };
}

function ClockBlock({ id, token, cluster, session, why }: Props & { why: string | null }) {
  const clock = cluster?.clock ?? session?.clock ?? null;
  const [step, setStep] = useState(30);
  const { busy, run, view } = useAction();
  const send = (a: ClockAction) => run(async () => void (await postClock(id, token, a)));
  const off = busy || !!why || !clock;
  return (
    <div class="teach-block" data-testid="teach-clock">
      <h3 class="teach-h">Clock</h3>
      <div class="teach-row">
        <button type="button" class="btn" disabled={off} title={why ?? undefined} onClick={() => send({ action: clock?.paused ? 'resume' : 'pause' })}>
          {clock?.paused ? 'Resume clock' : 'Pause clock'}
        </button>
        <select aria-label="Step by" value={step} disabled={!!why} onChange={(e) => setStep(Number(e.currentTarget.value))}>
          {STEPS.map((s) => (
            <option key={s} value={s}>
              {s < 60 ? `${s} s` : `${s / 60} min`}
            </option>
          ))}
        </select>
        <button type="button" class="btn" disabled={off} title={why ?? undefined} onClick={() => send({ action: 'step', seconds: step })}>
          Step
        </button>
        <label class="teach-inline">
          Speed
          <select value={clock?.speed ?? 1} disabled={off} title={why ?? undefined} onChange={(e) => send({ action: 'speed', factor: Number(e.currentTarget.value) })}>
            {SPEEDS.map((s) => (
              <option key={s} value={s}>
                ×{s}
              </option>
            ))}
          </select>
        </label>
      </div>
      <Why why={why} />
      {view}
    </div>
  );
}

/** What a fault in the list acts on, for the list of active faults. */
function faultTarget(f: FaultState['faults'][number]): string {
  if (f.node) return ` on ${f.node}`;
  if (f.fault === 'image-pull-fail') return f.registries ? ` for ${f.registries.join(', ')}` : ' for all registries';
  if (f.fault === 'image-pull-slow') return ` ×${f.factor}`;
  return '';
}

function FaultsBlock({ id, token, cluster, why }: Props & { why: string | null }) {
  const [state, setState] = useState<FaultState | null>(null);
  const [fault, setFault] = useState('node-down');
  const [node, setNode] = useState('');
  const [pod, setPod] = useState('');
  const [container, setContainer] = useState('');
  const [registry, setRegistry] = useState('');
  const [factor, setFactor] = useState('10');
  const { busy, run, view } = useAction();
  const load = () => roomCall<FaultState>(id, token, '/api/faults').then(setState, () => undefined);
  useEffect(() => {
    void load();
    const t = setInterval(load, 5000);
    return () => clearInterval(t);
  }, [id, token]);
  const available: FaultInfo[] = state?.available ?? [];
  const spec = available.find((f) => f.fault === fault);
  const params = spec?.params ?? [];
  const nodes = cluster?.nodes.map((n) => n.name) ?? [];
  const pods = (cluster?.pods ?? []).filter((p) => !p.deleting).map((p) => `${p.namespace}/${p.name}`).sort();
  const chosenNode = node || nodes[0] || '';
  const chosenPod = pod || pods[0] || '';
  const inject = () =>
    run(async () => {
      const body: Record<string, string | number> = { fault };
      if (spec?.node === 'required' && chosenNode) body.node = chosenNode;
      if (params.includes('pod')) body.pod = chosenPod;
      if (params.includes('container') && container.trim()) body.container = container.trim();
      if (params.includes('registry') && registry.trim()) body.registry = registry.trim();
      if (params.includes('factor')) body.factor = Number(factor);
      const next = await roomCall<FaultState>(id, token, '/api/faults', 'POST', body);
      setState((s) => ({ ...next, available: s?.available }));
      const on = body.node ?? body.pod ?? body.registry;
      return `${fault}${on ? ` on ${on}` : ''}: done`;
    });
  const needsNode = spec?.node === 'required';
  return (
    <div class="teach-block" data-testid="teach-faults">
      <h3 class="teach-h">Faults</h3>
      <div class="teach-row">
        <select aria-label="Fault" value={fault} disabled={!!why} onChange={(e) => setFault(e.currentTarget.value)}>
          {available.map((f) => (
            <option key={f.fault} value={f.fault} title={f.description}>
              {f.fault}
            </option>
          ))}
        </select>
        {needsNode && (
          <select aria-label="Node" value={chosenNode} disabled={!!why} onChange={(e) => setNode(e.currentTarget.value)}>
            {nodes.map((n) => (
              <option key={n}>{n}</option>
            ))}
          </select>
        )}
        {params.includes('pod') && (
          <select aria-label="Pod" value={chosenPod} disabled={!!why} onChange={(e) => setPod(e.currentTarget.value)}>
            {pods.map((n) => (
              <option key={n}>{n}</option>
            ))}
          </select>
        )}
        {params.includes('container') && (
          <input aria-label="Container" placeholder="container (first)" size={12} value={container} disabled={!!why} onInput={(e) => setContainer(e.currentTarget.value)} />
        )}
        {params.includes('registry') && (
          <input aria-label="Registry" placeholder="all registries" size={12} value={registry} disabled={!!why} onInput={(e) => setRegistry(e.currentTarget.value)} />
        )}
        {params.includes('factor') && (
          <input aria-label="Factor" type="number" min={1} max={100} style={{ width: '4.5em' }} value={factor} disabled={!!why} onInput={(e) => setFactor(e.currentTarget.value)} />
        )}
        <button type="button" class="btn" disabled={busy || !!why || (params.includes('pod') && !chosenPod)} title={why ?? undefined} onClick={inject}>
          Inject
        </button>
      </div>
      <p class="muted teach-small">{spec?.description}</p>
      <Why why={why} />
      {view}
      {state && state.faults.length > 0 && (
        <ul class="teach-list">
          {state.faults.map((f) => (
            <li key={`${f.fault}/${f.node ?? ''}`}>
              <code>{f.fault}</code>
              {faultTarget(f)} since {f.since.slice(11, 19)}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function LockBlock({ id, token, lock, why }: { id: string; token: string; lock: LockInfo | null; why: string | null }) {
  const { busy, run, view } = useAction();
  const toggle = () =>
    run(async () => {
      const res = await roomCall<{ locked: LockInfo | null }>(id, token, '/api/lock', lock ? 'DELETE' : 'POST', lock ? undefined : {});
      return res.locked ? 'Locked: editors can only watch.' : 'Unlocked.';
    });
  return (
    <div class="teach-block" data-testid="teach-lock">
      <h3 class="teach-h">Lock</h3>
      <div class="teach-row">
        <span class={`badge ${lock ? 'tone-wait' : 'tone-ok'}`} data-testid="lock-state">
          {lock ? 'locked' : 'unlocked'}
        </span>
        <button type="button" class="btn" disabled={busy || !!why} title={why ?? undefined} onClick={toggle} data-testid="lock-toggle">
          {lock ? 'Unlock the cluster' : 'Lock the cluster'}
        </button>
      </div>
      <Why why={why} />
      {view}
    </div>
  );
}

function CheckpointsBlock({ id, token, why }: { id: string; token: string; why: string | null }) {
  const [items, setItems] = useState<Checkpoint[]>([]);
  const [name, setName] = useState('');
  const { busy, run, view } = useAction();
  const load = () => roomCall<{ items: Checkpoint[] }>(id, token, '/api/checkpoints').then((r) => setItems(r.items ?? []), () => undefined);
  useEffect(() => {
    if (!why) void load();
  }, [id, token, why]);
  const save = (e: Event) => {
    e.preventDefault();
    const n = name.trim();
    if (!n) return;
    void run(async () => {
      await roomCall(id, token, '/api/checkpoints', 'POST', { name: n });
      setName('');
      await load();
      return `Saved "${n}".`;
    });
  };
  const act = (n: string, restore: boolean) =>
    run(async () => {
      await roomCall(id, token, `/api/checkpoints/${encodeURIComponent(n)}${restore ? '/restore' : ''}`, restore ? 'POST' : 'DELETE');
      await load();
      return restore ? `Restored "${n}".` : `Deleted "${n}".`;
    });
  return (
    <div class="teach-block" data-testid="teach-checkpoints">
      <h3 class="teach-h">Checkpoints</h3>
      <form class="invite-row" onSubmit={save}>
        <input class="link-field" aria-label="Checkpoint name" placeholder="before the upgrade" maxLength={64} value={name} disabled={!!why} title={why ?? undefined} onInput={(e) => setName(e.currentTarget.value)} />
        <button type="submit" class="btn btn--small" disabled={busy || !!why} title={why ?? undefined}>
          Save
        </button>
      </form>
      <Why why={why} />
      {view}
      <ul class="teach-list">
        {items.map((c) => (
          <li key={c.name}>
            <span>{c.name}</span> <span class="muted teach-small">{new Date(c.savedAt).toLocaleTimeString()}</span>
            <button type="button" class="btn btn--small" disabled={busy} onClick={() => act(c.name, true)}>
              Restore
            </button>
            <button type="button" class="btn btn--small" disabled={busy} onClick={() => act(c.name, false)}>
              Delete
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

const LINKS: { key: keyof ShareLinks; label: string }[] = [
  { key: 'edit', label: 'Edit link' },
  { key: 'view', label: 'View-only link' },
  { key: 'owner', label: 'Instructor link (keep it to yourself)' },
];

function LinksBlock({ links }: { links: ShareLinks | undefined }) {
  const [qr, setQr] = useState<keyof ShareLinks | null>(null);
  const svg = useMemo(() => (qr && links ? qrSvg(links[qr]) : ''), [qr, links]);
  if (!links) return (
    <div class="teach-block">
      <h3 class="teach-h">Links</h3>
      <p class="teach-why">Only the instructor sees the invitation links.</p>
    </div>
  );
  return (
    <div class="teach-block" data-testid="teach-links">
      <h3 class="teach-h">Links</h3>
      <ul class="teach-list">
        {LINKS.map(({ key, label }) => (
          <li key={key}>
            <div>{label}</div>
            <div class="invite-row">
              <input class="link-field" readOnly value={links[key]} aria-label={label} onFocus={(e) => e.currentTarget.select()} />
              <CopyButton text={links[key]} />
              <button type="button" class="btn btn--small" aria-pressed={qr === key} onClick={() => setQr(qr === key ? null : key)}>
                QR
              </button>
            </div>
          </li>
        ))}
      </ul>
      {qr && <div class="teach-qr" role="img" aria-label={`QR code of the ${qr} link`} dangerouslySetInnerHTML={{ __html: svg }} />}
    </div>
  );
}

function ActivityBlock({ id, token }: { id: string; token: string }) {
  const [items, setItems] = useState<ActivityItem[]>([]);
  useEffect(() => {
    let cancelled = false;
    roomCall<{ items: ActivityItem[] }>(id, token, '/api/activity').then((r) => !cancelled && setItems(r.items ?? []), () => undefined);
    let detach: (() => void) | null = null;
    const unwatch = watchClusterProvider((provider: WebsocketProvider | null) => {
      detach?.();
      detach = null;
      if (!provider) return;
      const feed = provider.doc.getArray<ActivityItem>('activity');
      const read = () => {
        if (feed.length) setItems(feed.toArray());
      };
      feed.observe(read);
      read();
      detach = () => feed.unobserve(read);
    });
    return () => {
      cancelled = true;
      detach?.();
      unwatch();
    };
  }, [id, token]);
  const shown = items.slice(-20).reverse();
  return (
    <div class="teach-block" data-testid="teach-activity">
      <h3 class="teach-h">Activity</h3>
      {shown.length === 0 && <p class="muted">Nothing changed yet.</p>}
      <ol class="teach-feed" aria-live="polite">
        {shown.map((a, i) => (
          <li key={`${String(a.at)}-${i}`}>
            <time class="muted teach-small">{(a.simTime ?? new Date(a.at).toISOString()).slice(11, 19)}</time> {a.text}
          </li>
        ))}
      </ol>
    </div>
  );
}

export function InstructorPanel(props: Props) {
  const { id, token, session } = props;
  const role = session?.role ?? null;
  const lock = useLock(session);
  const { ownerOnly, writer } = reasons(role, lock);
  return (
    <section class="card panel teach-panel" aria-labelledby="instructor-title" data-testid="instructor-panel">
      <header class="card-head">
        <h2 id="instructor-title">{role === 'owner' ? 'Instructor panel' : 'Instructor panel (read-only)'}</h2>
      </header>
      <ClockBlock {...props} why={writer} />
      <FaultsBlock {...props} why={writer} />
      <LockBlock id={id} token={token} lock={lock} why={ownerOnly} />
      <CheckpointsBlock id={id} token={token} why={ownerOnly} />
      <LinksBlock links={session?.links} />
      <ActivityBlock id={id} token={token} />
    </section>
  );
}
