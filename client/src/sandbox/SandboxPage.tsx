import { useCallback, useMemo } from 'preact/hooks';
import { ClockBar, useVirtualNow } from './ClockBar';
import { ClusterBoard } from './ClusterBoard';
import { DetailPanel } from './DetailPanel';
import { EventsTimeline } from './EventsTimeline';
import { parseRefKey, refKey, type ObjectRef } from './model';
import { ResourceList } from './ResourceList';
import { TerminalPanel } from '../terminal/TerminalPanel';
import { TopBar } from './TopBar';
import { useClusterSync } from './useClusterSync';
import { TEACH_TABS, TeachSide } from '../teach/slots';
import { sharedFileSource } from '../teach/files';
import { useLock } from '../teach/lock';
import { setViewState, useViewState } from '../teach/view-state';
import type { ClockState, ClusterSnapshot } from '../types';

/** The workspace's views. `map`… belong to the cluster views (client/src/sandbox), the rest to client/src/teach. */
const SEE_TABS = [
  { key: 'map', label: 'Cluster' },
  { key: 'resources', label: 'Resources' },
  { key: 'events', label: 'Events' },
] as const;

/** The doc's summary of an object, if the doc carries its kind: the detail panel reloads when it changes. */
function summaryOf(cluster: ClusterSnapshot | null, ref: ObjectRef | null): unknown {
  if (!cluster || !ref) return null;
  const same = (o: { namespace?: string; name: string }) => o.name === ref.name && (o.namespace ?? '') === ref.namespace;
  switch (ref.kind) {
    case 'Pod':
      return cluster.pods.find(same) ?? null;
    case 'Node':
      return cluster.nodes.find((n) => n.name === ref.name) ?? null;
    case 'Service':
      return cluster.services?.find(same) ?? null;
    default:
      return cluster.workloads?.find((w) => w.kind === ref.kind && same(w)) ?? null;
  }
}

function EventsView({ id, token, clock, serverOffset, onSelect }: { id: string; token: string; clock: ClockState | null; serverOffset: number; onSelect: (r: ObjectRef) => void }) {
  const now = useVirtualNow(clock, serverOffset, 1000);
  return <EventsTimeline id={id} token={token} now={now} onSelect={onSelect} />;
}

export function SandboxPage({ id, token }: { id: string; token: string }) {
  const { view, retry } = useClusterSync(id, token);
  const { connection, session, cluster, serverOffset } = view;
  // `kubectl apply -f web.yaml` in the terminal reads the room's shared files.
  // A locked editor acts as a viewer: the clock's controls go as for a view-only link.
  const lock = useLock(session);
  const files = useMemo(() => sharedFileSource(id, token), [id, token]);
  const clock = cluster?.clock ?? session?.clock ?? null;
  // The tab lives in the shared view state: presence publishes it, following the instructor sets it.
  const { tab, selected } = useViewState();
  const setTab = (key: string) => setViewState({ tab: key });
  const teach = TEACH_TABS.find((t) => t.key === tab);
  const onSelect = useCallback((ref: ObjectRef) => setViewState({ selected: refKey(ref) }), []);
  const onClose = useCallback(() => setViewState({ selected: null }), []);
  const target = selected ? parseRefKey(selected) : null;
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
            <ClockBar id={id} token={token} clock={clock} serverOffset={serverOffset} role={session.role === 'edit' && lock ? 'view' : session.role} />
          )}
          <nav class="tabs" role="tablist" aria-label="Views">
            {/* A scenario's Task tab comes first: it is what a learner reads before anything else. */}
            {[...TEACH_TABS.filter((t) => t.key === 'task'), ...SEE_TABS, ...TEACH_TABS.filter((t) => t.key !== 'task')].map((t) => (
              <button
                type="button"
                role="tab"
                key={t.key}
                class="tab"
                aria-selected={tab === t.key}
                onClick={() => setTab(t.key)}
              >
                {t.label}
              </button>
            ))}
          </nav>
          <section role="tabpanel" class="tabpanel">
            {tab === 'map' && <ClusterBoard cluster={cluster} onSelect={onSelect} />}
            {tab === 'resources' && <ResourceList id={id} token={token} onSelect={onSelect} />}
            {tab === 'events' && <EventsView id={id} token={token} clock={clock} serverOffset={serverOffset} onSelect={onSelect} />}
            {teach && <teach.View id={id} token={token} session={session} cluster={cluster} />}
          </section>
          <TerminalPanel id={id} token={token} files={files} />
        </div>
        {target && (
          <DetailPanel key={selected} id={id} token={token} target={target} version={summaryOf(cluster, target)} onClose={onClose} />
        )}
        <aside class="side">
          <TeachSide id={id} token={token} session={session} cluster={cluster} />
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
