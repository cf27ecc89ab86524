// The live cluster map: workloads (Deployments with their ReplicaSets), Services with their endpoints, and
// the nodes with their pods. Drawn from the cluster doc; every item opens the detail panel (click, Enter).
// Redraws are cheap: pods and node cards are memoised on the doc's objects (unchanged entries keep their
// identity from one snapshot to the next, see mirror.ts), so a change redraws only what changed, and a
// changed pod flashes (map.css).
import { useEffect, useMemo, useRef } from 'preact/hooks';
import type { ClusterSnapshot, EndpointInfo, NodeInfo, PodInfo, WorkloadInfo } from '../types';
import './map.css';
import {
  badConditions,
  formatMemory,
  hueOf,
  layoutBoard,
  layoutServices,
  layoutWorkloads,
  nodeTone,
  ownerFamily,
  podKey,
  podTone,
  sameFields,
  sameItems,
  shortOwner,
  type DeploymentGroup,
  type ObjectRef,
  type ServiceGroup,
} from './model';
import { memo } from './memo';

export type OnSelect = (ref: ObjectRef) => void;

const reducedMotion = typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches;

/**
 * At most this many highlights start per second: when hundreds of pods change at once (a rolling update of
 * 500) the map stays smooth, and a handful of flashes still say "this is moving".
 */
const FLASHES_PER_SECOND = 30;
let flashWindow = 0;
let flashCount = 0;

function flashAllowed(): boolean {
  const now = performance.now();
  if (now - flashWindow > 1000) {
    flashWindow = now;
    flashCount = 0;
  }
  return ++flashCount <= FLASHES_PER_SECOND;
}

/** A brief highlight when something visible changed (not on the first draw). */
function useFlash<T extends HTMLElement>(signature: string) {
  const ref = useRef<T>(null);
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    if (reducedMotion || !ref.current?.animate || !flashAllowed()) return;
    ref.current.animate([{ boxShadow: '0 0 0 3px var(--flash)' }, { boxShadow: '0 0 0 0 transparent' }], { duration: 900, easing: 'ease-out' });
  }, [signature]);
  return ref;
}

/** The attributes that make an element open the detail panel (the board handles clicks in one place). */
const opens = (kind: string, namespace: string, name: string) => ({ 'data-open': `${kind}/${namespace}/${name}` });

/**
 * A pod's highlight when what it shows changed (not on its first draw): a CSS animation, restarted by
 * switching between two classes with the same keyframes, so no timers or Web Animations per pod. Decided
 * while rendering, so it costs nothing for a pod that did not redraw.
 */
function useFlashClass(signature: string): string {
  const state = useRef<{ signature: string; flashes: number } | null>(null);
  if (!state.current) state.current = { signature, flashes: 0 };
  else if (state.current.signature !== signature) {
    state.current.signature = signature;
    if (!reducedMotion && flashAllowed()) state.current.flashes++;
  }
  const n = state.current.flashes;
  return n === 0 ? '' : n % 2 ? ' flash-a' : ' flash-b';
}

/** True once the map's first view is drawn: pods that come later fade in (within the flash rate). */
let mapSettled = false;

/**
 * One pod: a list item carrying the pod's state as data attributes and a button that opens it. Kept small
 * (the facts in one line of text, highlights by CSS class): a 500-pod map is 500 of these.
 */

const PodItem = memo(function PodItem({ pod }: { pod: PodInfo }) {
  const key = podKey(pod);
  const flash = useFlashClass(`${pod.status}|${pod.ready}|${pod.restarts}|${pod.node}|${pod.deleting}`);
  const appear = useRef<string | null>(null);
  if (appear.current === null) appear.current = mapSettled && !reducedMotion && flashAllowed() ? ' appear' : '';
  const family = ownerFamily(pod.owner);
  const owner = pod.owner ? shortOwner(pod.owner) : '';
  return (
    <li class={`pod tone-${podTone(pod)}${appear.current}`} data-testid="pod" data-pod={key} data-status={pod.status} data-ready={pod.ready} data-owner={pod.owner ?? ''}>
      <button
        type="button"
        class={`pod-btn${flash}`}
        style={family ? `--owner:hsl(${hueOf(family)} 65% 50%)` : undefined}
        data-open={`Pod/${pod.namespace}/${pod.name}`}
        aria-label={`pod ${pod.name}${pod.namespace !== 'default' ? ` in ${pod.namespace}` : ''}: ${pod.status}, ready ${pod.ready}, ${pod.restarts} restarts${owner ? `, ${owner}` : ''}`}
        title={[key, pod.ip && `IP ${pod.ip}`, pod.owner && `owned by ${pod.owner}`, `phase ${pod.phase}`].filter(Boolean).join('\n')}
      >
        <b class="pod-name">{pod.namespace === 'default' ? pod.name : `${pod.name} · ${pod.namespace}`}</b>
        <span class="pod-status">{pod.status}</span>
        <span class="pod-facts">{`${pod.ready} ↻${pod.restarts}${owner ? ` ${owner}` : ''}`}</span>
      </button>
    </li>
  );
}, (a, b) => sameFields(a.pod, b.pod));

function PodList({ pods, empty }: { pods: PodInfo[]; empty: string }) {
  if (pods.length === 0) return <p class="empty">{empty}</p>;
  return (
    <ul class="pods">
      {pods.map((pod) => (
        <PodItem key={podKey(pod)} pod={pod} />
      ))}
    </ul>
  );
}

function capacity(node: NodeInfo): string {
  return [
    node.roles !== '<none>' && node.roles,
    node.cpu && `${node.cpu} CPU`,
    node.memory && `${formatMemory(node.memory)} memory`,
    node.pods && `${node.pods} pods max`,
  ]
    .filter(Boolean)
    .join(' · ');
}

function NodeCardView({ node, pods }: { node: NodeInfo; pods: PodInfo[] }) {
  const facts = capacity(node);
  const bad = badConditions(node);
  const ref = useFlash<HTMLElement>(`${node.status}|${node.taints.join()}|${bad.map((c) => c.type + c.status).join()}`);
  const running = pods.filter((p) => p.phase === 'Running').length;
  return (
    <section ref={ref} class="card node" data-testid="node-card" data-node={node.name} aria-label={`node ${node.name}`}>
      <header class="card-head">
        <h2>
          <button type="button" class="linkish" {...opens('Node', '', node.name)}>
            {node.name}
          </button>
        </h2>
        <span class={`badge tone-${nodeTone(node)}`}>{node.status}</span>
      </header>
      {facts && <p class="node-facts">{facts}</p>}
      <p class="node-facts" data-testid="node-pods">
        {pods.length === 1 ? '1 pod' : `${pods.length} pods`}
        {pods.length !== running && `, ${running} running`}
      </p>
      {bad.length > 0 && (
        <ul class="chips" aria-label="conditions">
          {bad.map((c) => (
            <li key={c.type} class="chip tone-bad" data-testid="condition" title={c.reason}>
              {c.type}={c.status}
            </li>
          ))}
        </ul>
      )}
      {node.taints.length > 0 && (
        <ul class="chips" aria-label="taints">
          {node.taints.map((t) => (
            <li key={t} class="chip chip-taint" data-testid="taint">
              {t}
            </li>
          ))}
        </ul>
      )}
      <PodList pods={pods} empty="No pods" />
    </section>
  );
}

/** Redraws only when the node or one of its pods changed (by identity). */
const NodeCard = memo(NodeCardView, (a, b) => sameFields(a.node, b.node) && sameItems(a.pods, b.pods, sameFields));

function Counts({ ready, desired, label = 'ready' }: { ready: number; desired: number; label?: string }) {
  const tone = ready >= desired ? 'ok' : ready === 0 && desired > 0 ? 'bad' : 'wait';
  return (
    <span class={`badge tone-${tone}`} aria-label={`${ready} of ${desired} ${label}`}>
      {ready}/{desired}
    </span>
  );
}

function Meter({ ready, current, desired }: { ready: number; current: number; desired: number }) {
  const max = Math.max(desired, current, 1);
  return (
    <span class="meter" aria-hidden="true">
      <span class="meter-current" style={{ width: `${(100 * current) / max}%` }} />
      <span class="meter-ready" style={{ width: `${(100 * ready) / max}%` }} />
    </span>
  );
}

function ReplicaSetRow({ rs }: { rs: WorkloadInfo }) {
  const ref = useFlash<HTMLLIElement>(`${rs.desired}|${rs.current}|${rs.ready}`);
  return (
    <li ref={ref} class={`rs${rs.desired === 0 && rs.current === 0 ? ' rs-old' : ''}`} data-testid="replicaset" data-name={rs.name}>
      <button type="button" class="row-btn" {...opens('ReplicaSet', rs.namespace, rs.name)}>
        <span class="rs-rev">rev {rs.revision || '?'}</span>
        <span class="rs-name">{rs.name}</span>
        <span class="rs-counts" data-testid="rs-counts">
          {rs.ready}/{rs.desired} ready
        </span>
        <Meter ready={rs.ready} current={rs.current} desired={rs.desired} />
      </button>
    </li>
  );
}

const DeploymentCard = memo(
  function DeploymentCard({ group }: { group: DeploymentGroup }) {
    const d = group.deployment;
    const ref = useFlash<HTMLElement>(`${d.desired}|${d.ready}|${d.updated}|${d.image}`);
    const family = ownerFamily(`Deployment/${d.name}`)!;
    return (
      <section
        ref={ref}
        class="card workload"
        style={`--owner:hsl(${hueOf(family)} 65% 50%)`}
        data-testid="deployment"
        data-name={d.name}
        aria-label={`deployment ${d.name}`}
      >
        <header class="card-head">
          <h3>
            <button type="button" class="linkish" {...opens('Deployment', d.namespace, d.name)}>
              <span class="kind">deploy</span> {d.name}
            </button>
            {d.namespace !== 'default' && <span class="pod-ns">{d.namespace}</span>}
          </h3>
          <Counts ready={d.ready} desired={d.desired} />
        </header>
        <p class="node-facts">
          {d.image} · {d.updated} up to date
        </p>
        <ul class="rs-list">
          {group.replicaSets.map((rs) => (
            <ReplicaSetRow key={rs.name} rs={rs} />
          ))}
        </ul>
      </section>
    );
  },
  (a, b) => sameFields(a.group.deployment, b.group.deployment) && sameItems(a.group.replicaSets, b.group.replicaSets, sameFields),
);

const KIND_SHORT: Record<string, string> = { ReplicaSet: 'rs', StatefulSet: 'sts', DaemonSet: 'ds', Job: 'job' };

const WorkloadCard = memo(function WorkloadCard({ w }: { w: WorkloadInfo }) {
  const ref = useFlash<HTMLElement>(`${w.desired}|${w.ready}|${w.current}`);
  return (
    <section ref={ref} class="card workload" data-testid="workload" data-kind={w.kind} data-name={w.name} aria-label={`${w.kind} ${w.name}`}>
      <header class="card-head">
        <h3>
          <button type="button" class="linkish" {...opens(w.kind, w.namespace, w.name)}>
            <span class="kind">{KIND_SHORT[w.kind] ?? w.kind}</span> {w.name}
          </button>
          {w.namespace !== 'default' && <span class="pod-ns">{w.namespace}</span>}
        </h3>
        {w.kind === 'Job' ? (
          <span class="badge">{w.updated} succeeded</span>
        ) : (
          <Counts ready={w.ready} desired={w.desired} />
        )}
      </header>
      <p class="node-facts">{w.image}</p>
    </section>
  );
});

/** One address of a Service: a named chip, or a bare square when there are many (memoised: 500 of them). */
const EndpointItem = memo(
  function EndpointItem({ e, namespace, dense }: { e: EndpointInfo; namespace: string; dense: boolean }) {
    return (
      <li
        class={`endpoint tone-${e.terminating ? 'off' : e.ready ? 'ok' : 'wait'}`}
        data-testid="endpoint"
        data-ip={e.ip}
        data-pod={e.pod ?? ''}
        data-ready={String(e.ready)}
        title={`${e.ip}${e.pod ? ` → pod ${e.pod}` : ''}${e.node ? ` on ${e.node}` : ''}: ${e.ready ? 'ready' : 'not ready'}${e.terminating ? ', terminating' : ''}`}
      >
        {dense ? null : e.pod ? (
          <button type="button" class="chip-btn" {...opens('Pod', namespace, e.pod)}>
            {e.pod}
          </button>
        ) : (
          e.ip
        )}
      </li>
    );
  },
  (a, b) => a.dense === b.dense && a.namespace === b.namespace && sameFields(a.e, b.e),
);

const ServiceCard = memo(
  function ServiceCard({ group }: { group: ServiceGroup }) {
    const s = group.service;
    const ref = useFlash<HTMLElement>(`${group.ready}|${group.notReady}`);
    const many = group.endpoints.length > 24;
    return (
      <section ref={ref} class="card service" data-testid="service" data-name={s.name} data-namespace={s.namespace} aria-label={`service ${s.name}`}>
        <header class="card-head">
          <h3>
            <button type="button" class="linkish" {...opens('Service', s.namespace, s.name)}>
              <span class="kind">svc</span> {s.name}
            </button>
            {s.namespace !== 'default' && <span class="pod-ns">{s.namespace}</span>}
          </h3>
          <span class="badge" data-testid="endpoint-counts">
            {group.ready} ready{group.notReady > 0 && ` · ${group.notReady} not ready`}
          </span>
        </header>
        <p class="node-facts">
          {s.type} {s.clusterIP} · {s.ports}
          {s.selector && ` · ${s.selector}`}
        </p>
        {group.endpoints.length === 0 ? (
          <p class="empty">No endpoints</p>
        ) : (
          <ul
            class={many ? 'endpoints endpoints-dense' : 'endpoints'}
            aria-label={many ? `endpoints: ${group.ready} ready, ${group.notReady} not ready (one square each)` : 'endpoints'}
          >
            {group.endpoints.map((e) => (
              <EndpointItem key={e.ip} e={e} namespace={s.namespace} dense={many} />
            ))}
          </ul>
        )}
      </section>
    );
  },
  (a, b) => sameFields(a.group.service, b.group.service) && sameItems(a.group.endpoints, b.group.endpoints, sameFields),
);

const NONE: never[] = [];

/**
 * The same array as last time if it holds the same items: every snapshot has new arrays, but the doc's
 * unchanged entries keep their identity, so a part of the doc that did not change keeps its layout.
 */
function useStable<T>(items: T[]): T[] {
  const last = useRef(items);
  if (!sameItems(last.current, items)) last.current = items;
  return last.current;
}

/** Memoised layouts: recomputed only when their part of the doc changed. */
function useLayouts(cluster: ClusterSnapshot) {
  const nodes = useStable(cluster.nodes);
  const pods = useStable(cluster.pods);
  const workloadList = useStable(cluster.workloads ?? NONE);
  const serviceList = useStable(cluster.services ?? NONE);
  const endpoints = useStable(cluster.endpoints ?? NONE);
  const board = useMemo(() => layoutBoard({ clock: null, nodes, pods }), [nodes, pods]);
  const workloads = useMemo(() => layoutWorkloads(workloadList), [workloadList]);
  const services = useMemo(() => layoutServices(serviceList, endpoints), [serviceList, endpoints]);
  return { board, workloads, services };
}

/** Opens the detail panel for the element carrying `data-open` under the event's target. */
function openFrom(target: EventTarget | null, onSelect: OnSelect): boolean {
  const el = (target as Element | null)?.closest?.('[data-open]');
  const key = el?.getAttribute('data-open');
  if (!key) return false;
  const a = key.indexOf('/');
  const b = key.indexOf('/', a + 1);
  onSelect({ kind: key.slice(0, a), namespace: key.slice(a + 1, b), name: key.slice(b + 1) });
  return true;
}

export function ClusterBoard({ cluster, onSelect }: { cluster: ClusterSnapshot | null; onSelect?: OnSelect }) {
  if (!cluster) return <p class="placeholder">Connecting to the cluster…</p>;
  return <ClusterMap cluster={cluster} onSelect={onSelect} />;
}

function ClusterMap({ cluster, onSelect }: { cluster: ClusterSnapshot; onSelect?: OnSelect }) {
  const { board, workloads, services } = useLayouts(cluster);
  useEffect(() => {
    mapSettled = true;
    return () => {
      mapSettled = false;
    };
  }, []);
  const select = onSelect ?? (() => {});
  const hasWorkloads = workloads.deployments.length + workloads.others.length > 0;
  return (
    <div class="board" data-testid="cluster-map" onClick={(e) => openFrom(e.target, select)}>
      {hasWorkloads && (
        <section class="map-section" aria-labelledby="map-workloads">
          <h2 id="map-workloads" class="section-title">
            Workloads
          </h2>
          <div class="workloads">
            {workloads.deployments.map((g) => (
              <DeploymentCard key={`${g.deployment.namespace}/${g.deployment.name}`} group={g} />
            ))}
            {workloads.others.map((w) => (
              <WorkloadCard key={`${w.kind}/${w.namespace}/${w.name}`} w={w} />
            ))}
          </div>
        </section>
      )}
      {services.length > 0 && (
        <section class="map-section" aria-labelledby="map-services">
          <h2 id="map-services" class="section-title">
            Services
          </h2>
          <div class="workloads">
            {services.map((g) => (
              <ServiceCard key={`${g.service.namespace}/${g.service.name}`} group={g} />
            ))}
          </div>
        </section>
      )}
      <section class="map-section" aria-labelledby="map-nodes">
        <h2 id="map-nodes" class="section-title">
          Nodes
        </h2>
        <section class="lane" data-testid="unscheduled" aria-label="Pending / unscheduled pods">
          <h2>Pending / unscheduled</h2>
          <PodList pods={board.unscheduled} empty="Every pod has a node." />
        </section>
        <div class="nodes">
          {board.nodes.length === 0 && <p class="placeholder">This cluster has no nodes.</p>}
          {board.nodes.map(({ node, pods }) => (
            <NodeCard key={node.name} node={node} pods={pods} />
          ))}
        </div>
      </section>
    </div>
  );
}
