import { render } from 'preact';
import { useState } from 'preact/hooks';
import { createSandbox } from './api';

function Home() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const start = async () => {
    setBusy(true);
    setError(null);
    try {
      const { url } = await createSandbox();
      location.href = url;
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      setBusy(false);
    }
  };

  return (
    <main class="home">
      <h1 class="home-title">Kuberoom</h1>
      <p class="home-pitch">
        A Kubernetes cluster in a browser tab: point kubectl at it, share the link, and watch the pods come to
        life together.
      </p>
      <button type="button" class="btn btn--primary btn--large" onClick={start} disabled={busy}>
        {busy ? 'Creating…' : 'New sandbox'}
      </button>
      {error && (
        <p class="error" role="alert">
          Could not create a sandbox: {error}
        </p>
      )}
    </main>
  );
}

render(<Home />, document.getElementById('app')!);
