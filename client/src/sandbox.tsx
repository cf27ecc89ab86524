import { render } from 'preact';
import { MissingToken, SandboxPage } from './sandbox/SandboxPage';
import { fragmentToken, sandboxIdFromPath, takeToken } from './token';

function App() {
  const id = sandboxIdFromPath(location.pathname);
  if (!id) {
    return (
      <main class="notice">
        <h1>No sandbox here</h1>
        <p>
          Sandbox links look like <code>/s/&lt;id&gt;#token=…</code>. <a href="/">Start a new sandbox</a>.
        </p>
      </main>
    );
  }
  const token = takeToken(id);
  return token ? <SandboxPage id={id} token={token} /> : <MissingToken id={id} />;
}

// Opening another link of this sandbox in the same tab only changes the fragment: start over with its token.
addEventListener('hashchange', () => {
  if (fragmentToken()) location.reload();
});

render(<App />, document.getElementById('app')!);
