import type { Cluster } from '../../sim/cluster.ts';
import type { OpenApiSource } from './openapi.ts';

export type Role = 'owner' | 'edit' | 'view';

/** What a pods/exec, pods/attach or pods/portforward upgrade addresses (for a host that serves them). */
export interface UpgradeTarget {
  subresource: 'exec' | 'attach' | 'portforward';
  namespace: string;
  name: string;
  query: URLSearchParams;
}

/** kubelet log options, as the pods/log subresource passes them on. */
export interface LogOptions {
  container?: string;
  previous?: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  timestamps?: boolean;
  limitBytes?: number;
}

export interface K8sContext {
  /** The simulated cluster: cluster.api (ApiServer), cluster.store, cluster.now(), cluster.settle(). */
  cluster: Cluster;
  user: { name: string; role: Role };
  /** Called after a write was applied to the sim and before the response leaves: settles the cluster, persists, broadcasts. */
  commit(): Promise<void>;
  /** Called when a watch (or a followed log) stream opens/closes, so the host keeps the clock ticking while it is open. */
  watchOpened?(): void;
  watchClosed?(): void;
  /** Upper bound of a request body in bytes (default 1 MiB). */
  maxBodyBytes?: number;
  /** The OpenAPI documents to serve (default: the built-in minimal ones). */
  openapi?: OpenApiSource;
  /** Serves a protocol upgrade (WebSocket exec/attach/port-forward); without it such requests get a 400. */
  upgrade?(req: Request, target: UpgradeTarget): Promise<Response>;
  /**
   * Reads container logs; default: the kubelet attached to the cluster (`cluster.kubelet.podLogs` or
   * `cluster.kubelet.logs`). Throws the API server's Status errors (e.g. 400 "is waiting to start").
   */
  logs?(namespace: string, pod: string, opts: LogOptions): string;
  /** How often (real ms) a followed log stream looks for new lines; default 1000. */
  logPollMs?: number;
}
