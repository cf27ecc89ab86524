// The side box of a scenario sandbox: progress of its checks, "Make my own copy" for a learner, and for the owner
// (an instructor running a session) every learner's copy, live, with its checks and links to open it.
import { useEffect, useState } from 'preact/hooks';
import type { Role } from '../types';
import { fetchChecks, forkSandbox, linkParts, listForks, type ChecksView, type ForkEntry } from './api';
import { useChecks } from './checks-store';
import { Progress } from './TaskTab';

/** How often the instructor's page reads the forks and their checks. */
export const FORKS_POLL_MS = 4000;

function CopyBlock({ id, token, role }: { id: string; token: string; role: Role | null }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const why = role === 'view' ? 'A view-only link cannot make a copy: ask the instructor for the edit link.' : null;
  const copy = async () => {
    setBusy(true);
    setError(null);
    try {
      const fork = await forkSandbox(id, token);
      location.href = fork.url;
    } catch (e) {
      setError((e as Error).message);
      setBusy(false);
    }
  };
  return (
    <div class="teach-block">
      <p class="teach-small muted">Work on a sandbox of your own: the instructor sees your copy and how far you got.</p>
      <button type="button" class="btn btn--primary" disabled={busy || !!why} title={why ?? undefined} onClick={copy} data-testid="make-copy">
        {busy ? 'Copying…' : 'Make my own copy'}
      </button>
      {why && <p class="teach-why">{why}</p>}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

interface ForkRow {
  fork: ForkEntry;
  checks?: ChecksView;
  error?: string;
}

function ForksBlock({ id, token }: { id: string; token: string }) {
  const [rows, setRows] = useState<ForkRow[]>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const known = new Map<string, ForkRow>();
    const tick = async () => {
      try {
        const forks = await listForks(id, token);
        const next = await Promise.all(
          forks.map(async (fork): Promise<ForkRow> => {
            const parts = linkParts(fork.links.view);
            if (!parts) return { fork, error: 'bad link' };
            try {
              return { fork, checks: await fetchChecks(parts.id, parts.token) };
            } catch (e) {
              return { fork, checks: known.get(fork.id)?.checks, error: (e as Error).message };
            }
          }),
        );
        if (stopped) return;
        for (const r of next) known.set(r.fork.id, r);
        setRows(next);
        setError(null);
      } catch (e) {
        if (!stopped) setError((e as Error).message);
      }
      if (!stopped) timer = setTimeout(tick, FORKS_POLL_MS);
    };
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [id, token]);
  const solved = rows.filter((r) => r.checks?.solved).length;
  return (
    <div class="teach-block" data-testid="session-forks">
      <h3 class="teach-h">Learners' copies</h3>
      {rows.length === 0 ? (
        <p class="muted teach-small">Teaching a class? Share the edit link: each learner presses “Make my own copy”, and their copies show here.</p>
      ) : (
        <p class="teach-small" role="status">
          {solved} of {rows.length} solved
        </p>
      )}
      {error && <p class="teach-why">Could not read the copies: {error}</p>}
      <ul class="session-forks">
        {rows.map(({ fork, checks, error: e }) => (
          <li key={fork.id} class="session-fork" data-fork={fork.id} data-solved={String(!!checks?.solved)}>
            <div class="session-fork-head">
              <strong>{fork.name ?? 'someone'}</strong>
              <span class="muted teach-small"> {new Date(fork.at).toLocaleTimeString()}</span>
            </div>
            {checks?.people && (
              <div class="muted teach-small session-fork-people">
                {checks.people.length ? `here now: ${checks.people.map((p) => p.name).join(', ')}` : 'nobody here now'}
              </div>
            )}
            <div class="session-fork-state">
              {checks?.scenario ? (
                checks.solved ? (
                  <span class="badge tone-ok">solved</span>
                ) : (
                  <span class="badge tone-wait">
                    {checks.passed ?? 0} of {checks.total ?? 0} checks
                  </span>
                )
              ) : (
                <span class="badge tone-off">{e ? 'unreachable' : '…'}</span>
              )}
              <a class="btn btn--small" href={fork.links.view} target="_blank" rel="noopener">
                Watch
              </a>
              <a class="btn btn--small" href={fork.links.edit} target="_blank" rel="noopener">
                Help (edit)
              </a>
            </div>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function SessionBox({ id, token, role }: { id: string; token: string; role: Role | null }) {
  const { view } = useChecks();
  if (!view?.scenario) return null;
  return (
    <section class="card panel scenario-box" aria-labelledby="scenario-box-title" data-testid="scenario-box">
      <header class="card-head">
        <h2 id="scenario-box-title">{view.scenario.title}</h2>
      </header>
      <div class="teach-block">
        <Progress view={view} />
      </div>
      {role && role !== 'owner' && <CopyBlock id={id} token={token} role={role} />}
      {role === 'owner' && <ForksBlock id={id} token={token} />}
    </section>
  );
}
