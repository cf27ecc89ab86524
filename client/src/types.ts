/** Shapes shared with the server: see docs/ARCHITECTURE.md ("HTTP routes" and "The cluster Y.Doc"). */

export type Role = 'owner' | 'edit' | 'view';

export interface ClockState {
  /** Virtual time, ISO 8601. */
  now: string;
  paused: boolean;
  speed: number;
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
  status: string;
  roles?: string | string[];
  cpu?: string | number;
  memory?: string | number;
  pods?: string | number;
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
  ip?: string | null;
  owner?: string | null;
  createdAt?: string;
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
