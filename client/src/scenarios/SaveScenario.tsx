// "Save as scenario" (issue 8): the sandbox's objects and nodes become a scenario file with a task, hints and
// checks written here. The room writes the file (POST /s/<id>/api/scenario) and reports problems with their line;
// the file can be downloaded, or started as a new sandbox (POST /api/sandboxes {"scenarioYaml"}) to share its link.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { parse as parseYaml } from 'yaml';
import type { TeachProps } from '../teach/slots';
import { nameHeaders } from '../teach/presence';
import type { CreatedSandbox } from '../types';
import { answer } from './catalog';
import { Markdown } from './markdown';

type Kind = 'endpoints' | 'rollout' | 'pods' | 'http';
interface Field {
  key: string;
  label: string;
  number?: boolean;
  placeholder?: string;
}
/** The common check kinds and the fields the form asks for (sim/scenarios/FORMAT.md "Check kinds"). */
const KINDS: Record<Kind, { label: string; fields: Field[] }> = {
  endpoints: { label: 'Service has ready endpoints', fields: [{ key: 'service', label: 'Service' }, { key: 'namespace', label: 'Namespace', placeholder: 'default' }, { key: 'ready', label: 'Ready endpoints', number: true }] },
  rollout: { label: 'Deployment rolled out', fields: [{ key: 'deployment', label: 'Deployment' }, { key: 'namespace', label: 'Namespace', placeholder: 'default' }, { key: 'image', label: 'Image', placeholder: 'any' }] },
  pods: { label: 'Pods run without restarting', fields: [{ key: 'namespace', label: 'Namespace', placeholder: 'default' }, { key: 'selector', label: 'Selector', placeholder: 'app=web' }, { key: 'noRestartsForSeconds', label: 'No restarts for (s)', number: true, placeholder: '60' }] },
  http: {
    label: 'HTTP answers a status',
    fields: [
      { key: 'url', label: 'URL', placeholder: 'http://web/' },
      { key: 'status', label: 'Status', number: true, placeholder: '200' },
      { key: 'times', label: 'Times in a row', number: true, placeholder: '1' },
      { key: 'fromNamespace', label: 'From namespace', placeholder: 'outside the cluster' },
      { key: 'fromSelector', label: 'From pods', placeholder: 'app=client' },
    ],
  },
};

interface CheckDraft {
  kind: Kind;
  title: string;
  values: Record<string, string>;
}

interface Issue {
  line: number;
  path: string;
  message: string;
}

const num = (v: string): number | string => (/^\s*-?\d+(\.\d+)?\s*$/.test(v) ? Number(v) : v);

/** A check as the file writes it: `{title, <kind>: {...}}`, leaving out empty fields (the file's defaults apply). */
export function checkOf(d: CheckDraft): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const f of KINDS[d.kind].fields) {
    const v = (d.values[f.key] ?? '').trim();
    if (!v || f.key === 'fromNamespace' || f.key === 'fromSelector') continue;
    params[f.key] = f.number ? num(v) : v;
  }
  if (d.kind === 'http') {
    const ns = (d.values.fromNamespace ?? '').trim();
    const sel = (d.values.fromSelector ?? '').trim();
    params.from = ns || sel ? { namespace: ns || 'default', ...(sel ? { selector: sel } : {}) } : 'outside';
  }
  return { title: d.title.trim(), [d.kind]: params };
}

/** The raw YAML box: a list of checks (or one check) in the file's form. */
function rawChecks(text: string): { checks: Record<string, unknown>[]; error?: string } {
  if (!text.trim()) return { checks: [] };
  try {
    const v = parseYaml(text) as unknown;
    if (v === null || v === undefined) return { checks: [] };
    const list = Array.isArray(v) ? v : [v];
    if (list.some((c) => c === null || typeof c !== 'object' || Array.isArray(c))) return { checks: [], error: 'each check must be a map: title: …, <kind>: {…}' };
    return { checks: list as Record<string, unknown>[] };
  } catch (e) {
    return { checks: [], error: e instanceof Error ? e.message.split('\n')[0] : String(e) };
  }
}

async function saveRequest(id: string, token: string, body: unknown): Promise<{ yaml: string; issues: Issue[]; error?: string }> {
  const res = await fetch(`/s/${encodeURIComponent(id)}/api/scenario`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...nameHeaders() },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (res.ok) return { yaml: text, issues: [] };
  let parsed: { error?: string; issues?: Issue[]; yaml?: string } = {};
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { yaml: parsed.yaml ?? '', issues: parsed.issues ?? [], error: parsed.error ?? `HTTP ${res.status}` };
}

const startFromYaml = (yaml: string): Promise<CreatedSandbox> =>
  fetch('/api/sandboxes', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ scenarioYaml: yaml }) }).then((r) => answer<CreatedSandbox>(r));

const newCheck = (kind: Kind = 'endpoints'): CheckDraft => ({ kind, title: '', values: {} });

export function SaveScenario(props: TeachProps) {
  const role = props.session?.role ?? null;
  const [name, setName] = useState('my-scenario');
  const [title, setTitle] = useState('');
  const [level, setLevel] = useState('easy');
  const [task, setTask] = useState('');
  const [hints, setHints] = useState<string[]>([]);
  const [checks, setChecks] = useState<CheckDraft[]>([newCheck()]);
  const [raw, setRaw] = useState('');
  const [result, setResult] = useState<{ yaml: string; issues: Issue[]; error?: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [started, setStarted] = useState<CreatedSandbox | null>(null);
  const [startError, setStartError] = useState('');
  const rawParsed = useMemo(() => rawChecks(raw), [raw]);
  const ok = !!result && !result.error && !!result.yaml;
  const download = useMemo(() => (ok ? URL.createObjectURL(new Blob([result!.yaml], { type: 'text/yaml' })) : ''), [ok, result]);
  useEffect(() => () => void (download && URL.revokeObjectURL(download)), [download]);

  if (role === 'view') return <p class="muted">A view-only link cannot save the sandbox as a scenario.</p>;

  const body = () => ({ name: name.trim(), title: title.trim(), level, task, hints: hints.map((h) => h.trim()).filter(Boolean), checks: [...checks.map(checkOf), ...rawParsed.checks] });
  const preview = async () => {
    setBusy(true);
    setStarted(null);
    setStartError('');
    try {
      setResult(await saveRequest(props.id, props.token, body()));
    } catch (e) {
      setResult({ yaml: '', issues: [], error: e instanceof Error ? e.message : String(e) });
    } finally {
      setBusy(false);
    }
  };
  const start = async () => {
    if (!ok) return;
    setBusy(true);
    setStartError('');
    try {
      setStarted(await startFromYaml(result!.yaml));
    } catch (e) {
      setStartError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  const setCheck = (i: number, c: CheckDraft) => setChecks(checks.map((x, j) => (j === i ? c : x)));
  const badLines = new Set((result?.issues ?? []).map((i) => i.line));

  return (
    <form
      class="save-scenario"
      data-testid="save-scenario"
      aria-label="Save as scenario"
      onSubmit={(e) => {
        e.preventDefault();
        void preview();
      }}
    >
      <p class="muted teach-small">
        The sandbox's objects and nodes, as they are now, become the starting cluster. Write what the learner must achieve, hints, and the checks that decide it.
      </p>
      <div style="display:flex;gap:8px;flex-wrap:wrap">
        <label>
          Name <input aria-label="Name" value={name} onInput={(e) => setName(e.currentTarget.value)} placeholder="my-scenario" required />
        </label>
        <label style="flex:1">
          Title <input aria-label="Title" style="width:100%" value={title} onInput={(e) => setTitle(e.currentTarget.value)} placeholder="A Service that reaches nothing" />
        </label>
        <label>
          Level{' '}
          <select aria-label="Level" value={level} onChange={(e) => setLevel(e.currentTarget.value)}>
            <option value="easy">easy</option>
            <option value="medium">medium</option>
            <option value="hard">hard</option>
          </select>
        </label>
      </div>
      <label style="display:block;margin-top:8px">
        Task (Markdown)
        <textarea aria-label="Task (Markdown)" rows={5} style="width:100%;font-family:var(--mono, monospace)" value={task} onInput={(e) => setTask(e.currentTarget.value)} placeholder="What the learner sees and must achieve (not the answer)." />
      </label>
      {task.trim() && <Markdown text={task} class="scenario-task-text" />}

      <fieldset>
        <legend>Hints</legend>
        {hints.map((h, i) => (
          <div key={i} style="display:flex;gap:6px;margin-bottom:4px">
            <input aria-label={`Hint ${i + 1}`} style="flex:1" value={h} onInput={(e) => setHints(hints.map((x, j) => (j === i ? e.currentTarget.value : x)))} />
            <button type="button" class="btn btn--small" aria-label={`Remove hint ${i + 1}`} onClick={() => setHints(hints.filter((_, j) => j !== i))}>
              Remove
            </button>
          </div>
        ))}
        <button type="button" class="btn btn--small" onClick={() => setHints([...hints, ''])}>
          Add a hint
        </button>
      </fieldset>

      <fieldset>
        <legend>Checks</legend>
        {checks.map((c, i) => (
          <div key={i} class="save-scenario-check" data-testid={`check-${i}`} style="border-bottom:1px solid #8884;padding:4px 0">
            <div style="display:flex;gap:6px;flex-wrap:wrap">
              <select aria-label={`Check ${i + 1} kind`} value={c.kind} onChange={(e) => setCheck(i, { ...c, kind: e.currentTarget.value as Kind })}>
                {(Object.keys(KINDS) as Kind[]).map((k) => (
                  <option key={k} value={k}>
                    {KINDS[k].label}
                  </option>
                ))}
              </select>
              <input aria-label={`Check ${i + 1} title`} style="flex:1" value={c.title} placeholder="What must hold, in words" onInput={(e) => setCheck(i, { ...c, title: e.currentTarget.value })} />
              <button type="button" class="btn btn--small" aria-label={`Remove check ${i + 1}`} onClick={() => setChecks(checks.filter((_, j) => j !== i))}>
                Remove
              </button>
            </div>
            <div style="display:flex;gap:6px;flex-wrap:wrap;margin-top:4px">
              {KINDS[c.kind].fields.map((f) => (
                <label key={f.key} class="teach-small">
                  {f.label}{' '}
                  <input
                    aria-label={`Check ${i + 1} ${f.label}`}
                    size={f.number ? 5 : 14}
                    inputMode={f.number ? 'numeric' : undefined}
                    value={c.values[f.key] ?? ''}
                    placeholder={f.placeholder}
                    onInput={(e) => setCheck(i, { ...c, values: { ...c.values, [f.key]: e.currentTarget.value } })}
                  />
                </label>
              ))}
            </div>
          </div>
        ))}
        <button type="button" class="btn btn--small" onClick={() => setChecks([...checks, newCheck()])}>
          Add a check
        </button>
        <label style="display:block;margin-top:8px">
          More checks as YAML (any kind: see the scenario format)
          <textarea
            aria-label="Checks as YAML"
            rows={4}
            style="width:100%;font-family:var(--mono, monospace)"
            value={raw}
            onInput={(e) => setRaw(e.currentTarget.value)}
            placeholder={'- title: The claim data is Bound\n  pvc: {claim: data, namespace: shop}'}
          />
        </label>
        {rawParsed.error && <p class="teach-why">Checks as YAML: {rawParsed.error}</p>}
      </fieldset>

      <div style="display:flex;gap:8px;margin-top:8px;flex-wrap:wrap">
        <button type="submit" class="btn btn--primary" disabled={busy || !!rawParsed.error}>
          Preview the file
        </button>
        {ok && (
          <a class="btn" href={download} download="scenario.yaml" data-testid="scenario-download">
            Download file
          </a>
        )}
        {ok && (
          <button type="button" class="btn" disabled={busy} onClick={() => void start()}>
            Start a sandbox from it
          </button>
        )}
      </div>
      {result?.error && (
        <div class="teach-why" role="alert" data-testid="scenario-save-errors">
          {result.issues.length ? (
            <ul>
              {result.issues.map((is, i) => (
                <li key={i}>
                  line {is.line}: {is.path ? `${is.path}: ` : ''}
                  {is.message}
                </li>
              ))}
            </ul>
          ) : (
            <p>{result.error}</p>
          )}
        </div>
      )}
      {startError && <p class="teach-why" role="alert">Could not start it: {startError}</p>}
      {started && (
        <p role="status" data-testid="scenario-started">
          A sandbox runs this scenario:{' '}
          <a href={started.links?.edit ?? started.url} target="_blank" rel="noopener" data-testid="scenario-started-link">
            {started.links?.edit ?? started.url}
          </a>{' '}
          (share this link; it opens on the Task tab).{' '}
          <a href={started.links?.owner ?? started.url} target="_blank" rel="noopener">
            Open it as its owner
          </a>
        </p>
      )}
      {result?.yaml && (
        <pre class="save-scenario-preview" data-testid="scenario-preview" aria-label="The scenario file" style="max-height:400px;overflow:auto;font-size:12px">
          {result.yaml.split('\n').map((l, i) => (
            <div key={i} data-line={i + 1} style={badLines.has(i + 1) ? 'background:#f003' : undefined}>
              <span class="muted" style="display:inline-block;width:3em;user-select:none">
                {i + 1}
              </span>
              {l}
            </div>
          ))}
        </pre>
      )}
    </form>
  );
}
