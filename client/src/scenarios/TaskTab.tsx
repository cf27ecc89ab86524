// The "Task" tab of a sandbox started from a scenario: the task, hints one at a time, and the checks turning
// green as they pass (client/src/scenarios/checks-store.ts keeps them fresh).
import { useState } from 'preact/hooks';
import type { CheckView, ChecksView } from './api';
import { useChecks } from './checks-store';
import { Markdown, inline } from './markdown';

export function ChecksList({ checks }: { checks: CheckView[] }) {
  return (
    <ul class="scenario-checks" data-testid="scenario-checks">
      {checks.map((c) => (
        <li key={c.id} class={`scenario-check ${c.passed ? 'is-passed' : 'is-failing'}`} data-check={c.id} data-passed={String(c.passed)}>
          <span class={`badge ${c.passed ? 'tone-ok' : 'tone-bad'}`} aria-hidden="true">
            {c.passed ? '✓' : '✗'}
          </span>
          <div>
            <div class="scenario-check-title">
              {c.title}
              <span class="visually-hidden">{c.passed ? ' (passes)' : ' (fails)'}</span>
            </div>
            {!c.passed && c.why && <p class="scenario-why">{inline(c.why)}</p>}
          </div>
        </li>
      ))}
    </ul>
  );
}

export function Progress({ view }: { view: ChecksView }) {
  if (!view.scenario) return null;
  return view.solved ? (
    <p class="scenario-solved" role="status" data-testid="scenario-solved">
      Solved: every check passes.
    </p>
  ) : (
    <p class="scenario-progress" role="status" data-testid="scenario-progress">
      {view.passed ?? 0} of {view.total ?? 0} checks pass
    </p>
  );
}

/** Hints shown so far, by scenario: they stay shown when the tab is left and opened again. */
const hintsShown = new Map<string, number>();

export function TaskTab() {
  const { view, error } = useChecks();
  const [, rerender] = useState(0);
  const key = view?.scenario?.name ?? '';
  const shown = hintsShown.get(key) ?? 0;
  const setShown = (n: number) => {
    hintsShown.set(key, n);
    rerender(n);
  };
  if (!view) return <p class="muted">Loading the task…</p>;
  const s = view.scenario;
  if (!s) return <p class="muted">This sandbox was not started from a scenario.</p>;
  const hints = s.hints ?? [];
  return (
    <div class="scenario-task" data-testid="scenario-task">
      <header class="scenario-task-head">
        <span class={`badge scenario-level scenario-level--${s.level}`}>{s.level}</span>
        <h2>{s.title}</h2>
      </header>
      <Markdown text={s.task} class="scenario-task-text" />
      <section aria-label="Hints" class="scenario-hints">
        {hints.slice(0, shown).map((h, i) => (
          <div key={i} class="scenario-hint">
            <span class="muted teach-small">Hint {i + 1}</span>
            <Markdown text={h} />
          </div>
        ))}
        {shown < hints.length && (
          <button type="button" class="btn btn--small" onClick={() => setShown(shown + 1)}>
            Show a hint ({shown + 1} of {hints.length})
          </button>
        )}
      </section>
      <section aria-label="Checks" class="scenario-checks-box">
        <h3 class="teach-h">Checks</h3>
        <Progress view={view} />
        <ChecksList checks={view.checks ?? []} />
        {error && <p class="teach-why">Could not refresh the checks: {error}</p>}
      </section>
    </div>
  );
}
