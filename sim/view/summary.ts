import type { Node, Pod } from '../apiserver/types.ts';

/** What a browser needs to draw a node: small, flat, and only changing when something visible changes. */
export interface NodeSummary {
  name: string;
  ready: boolean;
  status: string;
  roles: string;
  cpu: string;
  memory: string;
  pods: string;
  taints: string[];
  zone: string;
  createdAt: string;
}

export interface PodSummary {
  namespace: string;
  name: string;
  node: string | null;
  phase: string;
  status: string;
  ready: string;
  readyBool: boolean;
  restarts: number;
  ip: string | null;
  owner: string | null;
  createdAt: string;
  deleting: boolean;
}

export function nodeSummary(node: Node): NodeSummary {
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  // kubectl shows NotReady for a Ready condition that is False or Unknown.
  let status = ready?.status === 'True' ? 'Ready' : 'NotReady';
  if (node.spec?.unschedulable) status += ',SchedulingDisabled';
  const labels = node.metadata.labels ?? {};
  const roles = Object.keys(labels)
    .filter((k) => k.startsWith('node-role.kubernetes.io/'))
    .map((k) => k.slice('node-role.kubernetes.io/'.length))
    .sort();
  return {
    name: node.metadata.name!,
    ready: ready?.status === 'True',
    status,
    roles: roles.length ? roles.join(',') : '<none>',
    cpu: node.status?.allocatable?.cpu ?? '',
    memory: node.status?.allocatable?.memory ?? '',
    pods: node.status?.allocatable?.pods ?? '',
    taints: (node.spec?.taints ?? []).map((t) => `${t.key}${t.value ? '=' + t.value : ''}:${t.effect}`),
    zone: labels['topology.kubernetes.io/zone'] ?? '',
    createdAt: node.metadata.creationTimestamp ?? '',
  };
}

/**
 * A pod as `kubectl get pods` shows it. `statusReason` is the STATUS column's computation (the printers'
 * podStatusReason), passed in so this module stays free of table code.
 */
export function podSummary(pod: Pod, statusReason: (pod: Pod) => string): PodSummary {
  const statuses = pod.status?.containerStatuses ?? [];
  const total = pod.spec.containers.length;
  const readyCount = statuses.filter((s) => s.ready).length;
  const owner = pod.metadata.ownerReferences?.find((o) => o.controller) ?? pod.metadata.ownerReferences?.[0];
  return {
    namespace: pod.metadata.namespace!,
    name: pod.metadata.name!,
    node: pod.spec.nodeName ?? null,
    phase: pod.status?.phase ?? 'Pending',
    status: statusReason(pod),
    ready: `${readyCount}/${total}`,
    readyBool: total > 0 && readyCount === total,
    restarts: statuses.reduce((n, s) => n + (s.restartCount ?? 0), 0),
    ip: pod.status?.podIP ?? null,
    owner: owner ? `${owner.kind}/${owner.name}` : null,
    createdAt: pod.metadata.creationTimestamp ?? '',
    deleting: !!pod.metadata.deletionTimestamp,
  };
}
