import { ClockBar } from './ClockBar';
import { ClusterBoard } from './ClusterBoard';
import { KubectlBox } from './KubectlBox';
import { ShareBox } from './ShareBox';
import { TerminalPanel } from '../terminal/TerminalPanel';
import { TopBar } from './TopBar';
import { useClusterSync } from './useClusterSync';

export function SandboxPage({ id, token }: { id: string; token: string }) {
  const { view, retry } = useClusterSync(id, token);
  const { connection, session, cluster, serverOffset } = view;
  const clock = cluster?.clock ?? session?.clock ?? null;
  return (
    <>
      <TopBar id={id} role={session?.role ?? null} connection={connection} />
      {connection.kind === 'failed' && (
        <div class="banner" role="alert">
          <span>{connection.message}</span>
          <button type="button" class="btn" onClick={retry}>
            Try again
          </button>
        </div>
      )}
      <main class="sandbox">
        <div class="cluster">
          {clock && session && (
            <ClockBar id={id} token={token} clock={clock} serverOffset={serverOffset} role={session.role} />
          )}
          <ClusterBoard cluster={cluster} />
          <TerminalPanel id={id} token={token} />
        </div>
        <aside class="side">
          <KubectlBox id={id} token={token} />
          {session?.links && <ShareBox links={session.links} />}
        </aside>
      </main>
    </>
  );
}

/** Shown when the page was opened without its token (e.g. the `#token=` part was cut off). */
export function MissingToken({ id }: { id: string }) {
  return (
    <main class="notice">
      <h1>This link needs its token</h1>
      <p>
        Sandbox <code>{id}</code> is only reachable with the full link, including the part after
        <code>#token=</code>. Ask whoever shared it for the complete link, or{' '}
        <a href="/">start a new sandbox</a>.
      </p>
    </main>
  );
}
