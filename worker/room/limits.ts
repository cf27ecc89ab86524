import { StatusError } from '../../sim/apiserver/errors.ts';
import { EVENTS, PODS, RESOURCES, type ResourceInfo } from '../../sim/apiserver/resources.ts';
import type { Cluster } from '../../sim/cluster.ts';

/** Per-sandbox limits. Each has a clear error; none keys on the client's IP address. */
export const LIMITS = {
  /** API objects in the sandbox (Events excluded: they expire on their own). */
  objects: 5000,
  pods: 2000,
  /** request body of any HTTP request */
  bodyBytes: 1024 * 1024,
  /** one WebSocket message */
  messageBytes: 1024 * 1024,
  /** sockets connected at once (people) */
  sockets: 250,
  /** API requests per token: sustained rate per second and burst */
  apiRate: 100,
  apiBurst: 400,
  /** WebSocket messages per socket: sustained rate per second and burst */
  messageRate: 200,
  messageBurst: 600,
} as const;

/** The name the sandbox's implicit quota goes by in error messages. */
export const QUOTA_NAME = 'kuberoom-sandbox';

function objectCount(cluster: Cluster): number {
  let n = 0;
  for (const info of RESOURCES) if (info !== EVENTS) n += cluster.store.count(info);
  return n;
}

/**
 * The quota check a create must pass, with the words of the ResourceQuota admission plugin:
 * `pods "web" is forbidden: exceeded quota: kuberoom-sandbox, requested: pods=1, used: pods=2000, limited: pods=2000`.
 */
export function checkQuota(cluster: Cluster, info: ResourceInfo, body: unknown, limits: { objects: number; pods: number } = LIMITS): void {
  if (info === EVENTS) return;
  const meta = (body as { metadata?: { name?: unknown; generateName?: unknown } } | null)?.metadata;
  const name = typeof meta?.name === 'string' ? meta.name : typeof meta?.generateName === 'string' ? meta.generateName : '';
  const qualified = info.group ? `${info.resource}.${info.group}` : info.resource;
  const refuse = (resource: string, used: number, limited: number) =>
    new StatusError(
      403,
      'Forbidden',
      `${qualified} "${name}" is forbidden: exceeded quota: ${QUOTA_NAME}, requested: ${resource}=1, used: ${resource}=${used}, limited: ${resource}=${limited}`,
      { name: name || undefined, kind: info.resource },
    );
  if (info === PODS) {
    const pods = cluster.store.count(PODS);
    if (pods >= limits.pods) throw refuse('pods', pods, limits.pods);
  }
  const objects = objectCount(cluster);
  if (objects >= limits.objects) throw refuse('count/objects', objects, limits.objects);
}

/** A token bucket: `rate` per second sustained, `burst` at once. Wall time comes from the caller. */
export class TokenBucket {
  private tokens: number;
  private at: number;
  private rate: number;
  private burst: number;

  constructor(rate: number, burst: number, now: number) {
    this.rate = rate;
    this.burst = burst;
    this.tokens = burst;
    this.at = now;
  }

  /** Takes one token; 0 when allowed, else the seconds to wait before the next one. */
  take(now: number): number {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) / 1000) * this.rate);
    this.at = Math.max(this.at, now);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - this.tokens) / this.rate));
  }
}

/** Buckets by key (a token, a socket), forgotten once full again so the map stays small. */
export class RateLimiter<K> {
  private buckets = new Map<K, TokenBucket>();
  private rate: number;
  private burst: number;

  constructor(rate: number, burst: number) {
    this.rate = rate;
    this.burst = burst;
  }

  take(key: K, now: number): number {
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size > 10_000) this.buckets.clear();
      b = new TokenBucket(this.rate, this.burst, now);
      this.buckets.set(key, b);
    }
    return b.take(now);
  }

  forget(key: K): void {
    this.buckets.delete(key);
  }
}
