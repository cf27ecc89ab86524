// "Connect with kubectl": this role's kubeconfig and the two commands to use it.
import { kubeconfigPath } from '../api';
import { CopyButton } from '../CopyButton';
import type { Role } from '../types';

const ROLE_TEXT: Record<Role, string> = {
  owner: 'the instructor’s: it can do everything',
  edit: 'an editor’s: it can change the cluster (not while it is locked)',
  view: 'view-only: get, describe and logs work, changes get 403 Forbidden',
};

export function ConnectBox({ id, token, role }: { id: string; token: string; role: Role | null }) {
  const path = kubeconfigPath(id, token);
  const url = new URL(path, location.origin).href;
  const download = `curl -o kuberoom.yaml '${url}'`;
  const use = 'export KUBECONFIG=$PWD/kuberoom.yaml; kubectl get nodes';
  return (
    <section class="card panel" aria-labelledby="connect-title" data-testid="connect-box">
      <header class="card-head">
        <h2 id="connect-title">Connect with kubectl</h2>
      </header>
      {role && <p class="muted">This kubeconfig is {ROLE_TEXT[role]}.</p>}
      <p>
        <a class="btn btn--primary" href={path} download="kuberoom.yaml">
          Download kubeconfig
        </a>
      </p>
      <ol class="teach-steps">
        <li>
          <pre class="code" tabIndex={0} aria-label="download the kubeconfig">
            <code>{download}</code>
          </pre>
          <CopyButton text={download} />
        </li>
        <li>
          <pre class="code" tabIndex={0} aria-label="use it">
            <code>{use}</code>
          </pre>
          <CopyButton text={use} />
        </li>
      </ol>
    </section>
  );
}
