/** Shapes shared with the server: see docs/ARCHITECTURE.md ("HTTP routes" and "The cluster Y.Doc"). */

export type Role = 'owner' | 'edit' | 'view';

/**
 * The cluster clock as of the server's wall instant `wallAt`. The server rewrites it only when what
 * clients extrapolate from changes: while neither paused nor idle, virtual time moves on from `now`
 * by `speed` virtual ms per wall ms since `wallAt`.
 */
export interface ClockState {
  /** Virtual time at `wallAt`, ISO 8601. */
  now: string;
  /** Server wall time (ms since the epoch) at which `now` was read. */
  wallAt: number;
  paused: boolean;
  speed: number;
  /** The clock stands still because nobody uses the room. */
  idle: boolean;
}

export interface ShareLinks {
  owner: string;
  edit: string;
  view: string;
}

export interface Session {
  id: string;
  role: Role;
  epoch: string;
  clock: ClockState;
  /** Only present for the owner. */
  links?: ShareLinks;
}

export interface CreatedSandbox {
  id: string;
  url: string;
  kubeconfigUrl: string;
  token: string;
  role: Role;
  links: ShareLinks;
}

export interface NodeInfo {
  name: string;
  ready: boolean;
  /** kubectl's STATUS column: Ready, NotReady, Unknown, maybe with ",SchedulingDisabled". */
  status: string;
  /** kubectl's ROLES column ("<none>" for none). */
  roles: string;
  /** Allocatable cpu, memory and pods, as quantities ("" when unknown). */
  cpu: string;
  memory: string;
  pods: string;
  /** "key=value:Effect" */
  taints: string[];
  zone: string;
  createdAt: string;
  /** Conditions without their times; absent from docs written before they were projected. */
  conditions?: NodeCondition[];
}

export interface NodeCondition {
  type: string;
  status: string;
  reason: string;
}

/** A Service (doc map `services`, key `namespace/name`). */
export interface ServiceInfo {
  namespace: string;
  name: string;
  type: string;
  clusterIP: string;
  /** kubectl's PORT(S): "80/TCP,443/TCP" */
  ports: string;
  /** "app=web" ("" when the Service has no selector) */
  selector: string;
  createdAt: string;
}

/** One address of a Service's EndpointSlices (doc map `endpoints`, key `namespace/service/ip`). */
export interface EndpointInfo {
  /** "namespace/service" */
  service: string;
  ip: string;
  pod: string | null;
  node: string | null;
  ready: boolean;
  terminating: boolean;
}

/** A Deployment, ReplicaSet, StatefulSet, DaemonSet or Job (doc map `workloads`, key `Kind/namespace/name`). */
export interface WorkloadInfo {
  kind: string;
  namespace: string;
  name: string;
  /** "Kind/name" of its controller (a ReplicaSet's Deployment) */
  owner: string | null;
  desired: number;
  current: number;
  ready: number;
  updated: number;
  /** deployment.kubernetes.io/revision ("" if none) */
  revision: string;
  image: string;
  createdAt: string;
  deleting: boolean;
}

export interface PodInfo {
  namespace: string;
  name: string;
  node: string | null;
  phase: string;
  /** kubectl's STATUS column: Running, Pending, ContainerCreating, CrashLoopBackOff, Terminating... */
  status: string;
  /** "ready containers/containers", e.g. "1/1". */
  ready: string;
  readyBool: boolean;
  restarts: number;
  ip: string | null;
  /** "Kind/name" of the controlling owner. */
  owner: string | null;
  createdAt: string;
  /** Has a deletionTimestamp. */
  deleting: boolean;
}

/** A plain-data copy of the cluster doc, what the UI draws. */
export interface ClusterSnapshot {
  clock: ClockState | null;
  nodes: NodeInfo[];
  pods: PodInfo[];
  /** Absent (empty) in docs of servers that do not project them. */
  services?: ServiceInfo[];
  endpoints?: EndpointInfo[];
  workloads?: WorkloadInfo[];
}

export type ClockAction =
  | { action: 'pause' }
  | { action: 'resume' }
  | { action: 'step'; seconds: number }
  | { action: 'speed'; factor: number };
