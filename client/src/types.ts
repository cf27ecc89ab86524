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
}

export type ClockAction =
  | { action: 'pause' }
  | { action: 'resume' }
  | { action: 'step'; seconds: number }
  | { action: 'speed'; factor: number };
