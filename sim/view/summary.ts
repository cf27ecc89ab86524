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
  /** The node's conditions (Ready, MemoryPressure, ...) without their times. */
  conditions: NodeConditionSummary[];
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
    conditions: nodeConditions(node),
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

/** A node condition as `kubectl describe node` lists it, without its times (they change on every heartbeat). */
export interface NodeConditionSummary {
  type: string;
  status: string;
  reason: string;
}

/** The node's conditions, in the order the node reports them. */
export function nodeConditions(node: Node): NodeConditionSummary[] {
  return (node.status?.conditions ?? []).map((c) => ({ type: c.type, status: c.status, reason: c.reason ?? '' }));
}

/** A Service as the cluster map draws it; its endpoints are entries of their own (`EndpointSummary`). */
export interface ServiceSummary {
  namespace: string;
  name: string;
  /** ClusterIP, NodePort, LoadBalancer, ExternalName */
  type: string;
  clusterIP: string;
  /** kubectl's PORT(S) column: "80/TCP", "80:30080/TCP" */
  ports: string;
  /** "app=web,tier=front" ("" for none: endpoints managed by hand) */
  selector: string;
  createdAt: string;
}

/** One address of a Service's EndpointSlices: the pod behind it and whether it gets traffic. */
export interface EndpointSummary {
  /** "namespace/service" */
  service: string;
  ip: string;
  /** the pod's name (targetRef), null for an address without one */
  pod: string | null;
  node: string | null;
  ready: boolean;
  terminating: boolean;
}

/** A Deployment, ReplicaSet, StatefulSet, DaemonSet or Job, with what the map groups and counts. */
export interface WorkloadSummary {
  kind: string;
  namespace: string;
  name: string;
  /** "Kind/name" of the controlling owner (a ReplicaSet's Deployment), null for none */
  owner: string | null;
  /** the desired pods (spec.replicas; a DaemonSet's desiredNumberScheduled; a Job's parallelism) */
  desired: number;
  /** pods that exist (status.replicas / currentNumberScheduled / a Job's active) */
  current: number;
  ready: number;
  /** up-to-date pods (Deployment/StatefulSet updatedReplicas, DaemonSet updatedNumberScheduled); a Job's succeeded pods */
  updated: number;
  /** Deployment and ReplicaSet: the deployment.kubernetes.io/revision annotation ("" if none) */
  revision: string;
  /** the first container's image, what a rolling update changes */
  image: string;
  createdAt: string;
  deleting: boolean;
}

interface ServiceLike {
  metadata: { namespace?: string; name?: string; creationTimestamp?: string };
  spec?: { type?: string; clusterIP?: string; selector?: Record<string, string>; ports?: { port: number; nodePort?: number; protocol?: string }[] };
}

export function serviceSummary(svc: ServiceLike): ServiceSummary {
  const spec = svc.spec ?? {};
  const ports = (spec.ports ?? []).map((p) => `${p.port}${p.nodePort ? ':' + p.nodePort : ''}/${p.protocol ?? 'TCP'}`);
  const selector = Object.keys(spec.selector ?? {})
    .sort()
    .map((k) => `${k}=${spec.selector![k]}`);
  return {
    namespace: svc.metadata.namespace!,
    name: svc.metadata.name!,
    type: spec.type ?? 'ClusterIP',
    clusterIP: spec.clusterIP ?? '',
    ports: ports.length ? ports.join(',') : '<none>',
    selector: selector.join(','),
    createdAt: svc.metadata.creationTimestamp ?? '',
  };
}

interface SliceLike {
  endpoints?: {
    addresses?: string[];
    conditions?: { ready?: boolean | null; terminating?: boolean | null };
    nodeName?: string;
    targetRef?: { kind?: string; name?: string };
  }[];
}

/** The endpoints of one Service from its EndpointSlices, one per address (the first slice that has it wins). */
export function serviceEndpoints(service: string, slices: SliceLike[]): EndpointSummary[] {
  const out = new Map<string, EndpointSummary>();
  for (const slice of slices) {
    for (const e of slice.endpoints ?? []) {
      for (const ip of e.addresses ?? []) {
        if (out.has(ip)) continue;
        out.set(ip, {
          service,
          ip,
          pod: e.targetRef?.kind === 'Pod' ? (e.targetRef.name ?? null) : null,
          node: e.nodeName ?? null,
          // A nil ready condition means ready (discovery/v1).
          ready: e.conditions?.ready !== false,
          terminating: e.conditions?.terminating === true,
        });
      }
    }
  }
  return [...out.values()];
}

interface WorkloadLike {
  kind: string;
  metadata: { namespace?: string; name?: string; creationTimestamp?: string; deletionTimestamp?: string; annotations?: Record<string, string>; ownerReferences?: { kind: string; name: string; controller?: boolean }[] };
  spec?: { replicas?: number; parallelism?: number; template?: { spec?: { containers?: { image?: string }[] } } };
  status?: Record<string, number | undefined>;
}

const num = (v: unknown): number => (typeof v === 'number' ? v : 0);

export function workloadSummary(o: WorkloadLike): WorkloadSummary {
  const st = o.status ?? {};
  const spec = o.spec ?? {};
  const owner = o.metadata.ownerReferences?.find((r) => r.controller);
  let desired = spec.replicas ?? 1;
  let current = num(st.replicas);
  let ready = num(st.readyReplicas);
  let updated = num(st.updatedReplicas);
  if (o.kind === 'DaemonSet') {
    desired = num(st.desiredNumberScheduled);
    current = num(st.currentNumberScheduled);
    ready = num(st.numberReady);
    updated = num(st.updatedNumberScheduled);
  } else if (o.kind === 'Job') {
    desired = spec.parallelism ?? 1;
    current = num(st.active);
    ready = num(st.ready);
    updated = num(st.succeeded);
  } else if (o.kind === 'ReplicaSet') {
    updated = current;
  }
  return {
    kind: o.kind,
    namespace: o.metadata.namespace!,
    name: o.metadata.name!,
    owner: owner ? `${owner.kind}/${owner.name}` : null,
    desired,
    current,
    ready,
    updated,
    revision: o.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? '',
    image: spec.template?.spec?.containers?.[0]?.image ?? '',
    createdAt: o.metadata.creationTimestamp ?? '',
    deleting: !!o.metadata.deletionTimestamp,
  };
}
