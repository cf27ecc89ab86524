import { notFound } from '../../sim/apiserver/errors.ts';
import { PODS } from '../../sim/apiserver/resources.ts';
import { matchesLabels, parseLabelSelector } from '../../sim/apiserver/selectors.ts';
import type { Pod } from '../../sim/apiserver/types.ts';
import { formatUsage, METRICS_WINDOW_MS, nodesOf, nodeUsage, podUsage } from '../../sim/kubelet/metrics.ts';
import { rfc3339 } from '../../sim/util/time.ts';
import type { K8sContext } from './context.ts';
import { methodNotAllowed, objectResponse } from './responses.ts';

/**
 * The resource metrics API (`metrics.k8s.io/v1beta1`, served by metrics-server on a real cluster) from the
 * simulated usage, so `kubectl top nodes` and `kubectl top pods` work. Read-only: nodes and pods, get and list.
 */
export const METRICS_GROUP = 'metrics.k8s.io';
const VERSION = 'v1beta1';
const GV = `${METRICS_GROUP}/${VERSION}`;

const RESOURCES = [
  { name: 'nodes', singularName: '', namespaced: false, kind: 'NodeMetrics', verbs: ['get', 'list'] },
  { name: 'pods', singularName: '', namespaced: true, kind: 'PodMetrics', verbs: ['get', 'list'] },
];

/** The group's entry in `/apis` (legacy APIGroupList). */
export function metricsApiGroup(): Record<string, unknown> {
  const v = { groupVersion: GV, version: VERSION };
  return { name: METRICS_GROUP, versions: [v], preferredVersion: v };
}

/** The group's entry in `/apis` aggregated discovery (APIGroupDiscoveryList item). */
export function metricsGroupDiscovery(): Record<string, unknown> {
  return {
    metadata: { name: METRICS_GROUP, creationTimestamp: null },
    versions: [
      {
        version: VERSION,
        resources: RESOURCES.map((r) => ({ resource: r.name, responseKind: { group: METRICS_GROUP, version: VERSION, kind: r.kind }, scope: r.namespaced ? 'Namespaced' : 'Cluster', singularResource: r.name.replace(/s$/, ''), verbs: r.verbs })),
        freshness: 'Current',
      },
    ],
  };
}

function window(): string {
  return `${(METRICS_WINDOW_MS / 1000).toFixed(3).replace(/\.?0+$/, '')}s`;
}

/** Serves a request under /apis/metrics.k8s.io, or returns undefined for any other path. */
export function serveMetrics(req: Request, apiPath: string, ctx: K8sContext, query: URLSearchParams): Response | undefined {
  const path = apiPath.split('?')[0].replace(/\/+$/, '');
  const prefix = `/apis/${METRICS_GROUP}`;
  if (path !== prefix && !path.startsWith(prefix + '/')) return undefined;
  const method = req.method.toUpperCase();
  if (method !== 'GET' && method !== 'HEAD') throw methodNotAllowed();
  const cluster = ctx.cluster;
  const now = cluster.now();
  const ts = rfc3339(now - (now % METRICS_WINDOW_MS));
  const rest = path.slice(prefix.length).split('/').filter(Boolean);
  if (rest.length === 0) return objectResponse({ kind: 'APIGroup', apiVersion: 'v1', ...metricsApiGroup() }, 200);
  if (rest[0] !== VERSION) return undefined;
  if (rest.length === 1) return objectResponse({ kind: 'APIResourceList', apiVersion: 'v1', groupVersion: GV, resources: RESOURCES }, 200);
  const selector = parseLabelSelector(query.get('labelSelector'));
  const nodeItem = (name: string) => {
    const node = nodesOf(cluster).find((n) => n.metadata.name === name)!;
    return { metadata: { name, creationTimestamp: rfc3339(now), labels: node.metadata.labels ?? {} }, timestamp: ts, window: window(), usage: formatUsage(nodeUsage(cluster, node)) };
  };
  const podItem = (pod: Pod) => {
    const usage = podUsage(cluster, pod);
    if (!usage) return undefined;
    return {
      metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace, creationTimestamp: rfc3339(now), labels: pod.metadata.labels ?? {} },
      timestamp: ts,
      window: window(),
      containers: usage.map((c) => ({ name: c.name, usage: formatUsage(c.usage) })),
    };
  };
  const list = (kind: string, items: unknown[]) => objectResponse({ kind, apiVersion: GV, metadata: {}, items }, 200);
  if (rest[1] === 'nodes') {
    if (rest.length === 2) return list('NodeMetricsList', nodesOf(cluster).filter((n) => matchesLabels(selector, n.metadata.labels)).map((n) => nodeItem(n.metadata.name!)));
    if (rest.length === 3) {
      if (!nodesOf(cluster).some((n) => n.metadata.name === rest[2])) throw notFound('nodemetrics.metrics.k8s.io', rest[2], METRICS_GROUP);
      return objectResponse({ kind: 'NodeMetrics', apiVersion: GV, ...nodeItem(rest[2]) }, 200);
    }
    return undefined;
  }
  let namespace: string | undefined;
  let i = 1;
  if (rest[1] === 'namespaces' && rest.length >= 4) {
    namespace = rest[2];
    i = 3;
  }
  if (rest[i] !== 'pods') return undefined;
  const name = rest[i + 1];
  if (name === undefined) {
    const pods = (cluster.store.list(PODS, namespace) as Pod[]).filter((p) => matchesLabels(selector, p.metadata.labels));
    return list('PodMetricsList', pods.map(podItem).filter(Boolean));
  }
  const pod = cluster.store.get(PODS, namespace ?? 'default', name) as Pod | undefined;
  const item = pod && podItem(pod);
  if (!item) throw notFound('podmetrics.metrics.k8s.io', name, METRICS_GROUP);
  return objectResponse({ kind: 'PodMetrics', apiVersion: GV, ...item }, 200);
}
