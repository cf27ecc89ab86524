import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { createSandbox } from './api';
import { byLevel, listScenarios, startScenario, type ScenarioSummary } from './scenarios/catalog';

/** `/?scenario=<name>`: the page starts that scenario's sandbox and goes to its owner link. */
const linked = new URLSearchParams(location.search).get('scenario');

function Home() {
  const [busy, setBusy] = useState<string | null>(linked);
  const [error, setError] = useState<string | null>(null);
  const [library, setLibrary] = useState<ScenarioSummary[] | null>(null);
  const [libraryError, setLibraryError] = useState<string | null>(null);

  const go = async (what: string, make: () => Promise<{ url: string }>) => {
    setBusy(what);
    setError(null);
    try {
      const { url } = await make();
      if (what && what === linked) location.replace(url);
      else location.href = url;
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      setBusy(null);
    }
  };
  const start = () => go('', createSandbox);
  const startFrom = (name: string) => go(name, () => startScenario(name));

  useEffect(() => {
    if (linked) void startFrom(linked);
    listScenarios().then((items) => setLibrary(byLevel(items)), (e: Error) => setLibraryError(e.message));
  }, []);

  return (
    <main class="home">
      <h1 class="home-title">Kuberoom</h1>
      <p class="home-pitch">
        A Kubernetes cluster in a browser tab: point kubectl at it, share the link, and watch the pods come to
        life together.
      </p>
      <button type="button" class="btn btn--primary btn--large" onClick={start} disabled={busy !== null}>
        {busy === '' ? 'Creating…' : 'New sandbox'}
      </button>
      {busy && (
        <p class="muted" role="status">
          Starting the scenario “{busy}”…
        </p>
      )}
      {error && (
        <p class="error" role="alert">
          Could not create a sandbox: {error}
        </p>
      )}
      <section class="scenario-library" aria-labelledby="library-title">
        <h2 id="library-title">Broken clusters to fix</h2>
        <p class="muted">
          Each scenario starts a sandbox with something wrong in it, a task and checks that turn green as you fix it. To
          teach a class, start one, share its edit link: every learner makes their own copy, and your page lists
          them all with their checks.
        </p>
        {libraryError && <p class="error">Could not load the scenarios: {libraryError}</p>}
        {!library && !libraryError && <p class="muted">Loading the scenarios…</p>}
        <ul class="scenario-cards">
          {library?.map((s) => (
            <li key={s.name} class="scenario-card" data-testid={`scenario-${s.name}`}>
              <div class="scenario-card-head">
                <span class={`badge scenario-level scenario-level--${s.level}`}>{s.level}</span>
                <h3>{s.title}</h3>
              </div>
              <p>{s.summary}</p>
              <p class="scenario-topics">
                {s.topics.map((t) => (
                  <span key={t} class="scenario-topic">
                    {t}
                  </span>
                ))}
                <span class="muted teach-small">
                  {s.checks} check{s.checks === 1 ? '' : 's'}
                </span>
              </p>
              <div class="scenario-card-actions">
                <button type="button" class="btn btn--primary" disabled={busy !== null} onClick={() => startFrom(s.name)} aria-label={`Start ${s.title}`}>
                  {busy === s.name ? 'Starting…' : 'Start'}
                </button>
                <a class="muted teach-small" href={`/?scenario=${encodeURIComponent(s.name)}`} title="A link that starts this scenario for whoever opens it">
                  scenario link
                </a>
              </div>
            </li>
          ))}
        </ul>
      </section>
    </main>
  );
}

render(<Home />, document.getElementById('app')!);
