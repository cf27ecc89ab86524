import { kubeconfigPath } from '../api';
import { CopyButton } from '../CopyButton';

export function KubectlBox({ id, token }: { id: string; token: string }) {
  const path = kubeconfigPath(id, token);
  const commands = [
    `curl -o kuberoom.yaml '${new URL(path, location.origin).href}'`,
    'kubectl --kubeconfig kuberoom.yaml get pods -A',
  ].join('\n');
  return (
    <section class="card panel" aria-labelledby="kubectl-title" data-testid="kubectl-box">
      <header class="card-head">
        <h2 id="kubectl-title">Connect with kubectl</h2>
      </header>
      <p>
        <a class="btn btn--primary" href={path} download="kuberoom.yaml">
          Download kubeconfig
        </a>
      </p>
      <p>or from a terminal:</p>
      <pre class="code" tabIndex={0} aria-label="kubectl commands">
        <code>{commands}</code>
      </pre>
      <p class="actions">
        <CopyButton text={commands} label="Copy commands" />
      </p>
    </section>
  );
}
