/**
 * Service ClusterIP and NodePort allocation, as kube-apiserver's bitmap allocators do it: a dynamic
 * allocation picks a random free value in the upper band of the range (the lower band is kept for values
 * users ask for), no value is handed out twice, and a value comes back when its Service goes.
 *
 * The allocations live in the record store (table `net:clusterips` ip → "ns/name", `net:nodeports`
 * "port" → "ns/name"). An entry whose Service no longer holds the value (a dry run, a failed write) counts as
 * free, as the allocators' repair loop would find it.
 */
import { findResource } from '../apiserver/resources.ts';
import type { ObjectStore } from '../apiserver/store.ts';
import type { KObject } from '../apiserver/types.ts';
import type { RecordStore } from '../state/records.ts';
import type { Rng } from '../util/rng.ts';
import { intToIp, ipToInt, parseCidr } from './ip.ts';

export const SERVICE_CIDR = '10.96.0.0/12';
export const NODE_PORT_MIN = 30000;
export const NODE_PORT_MAX = 32767;
export const CLUSTER_IP_TABLE = 'net:clusterips';
export const NODE_PORT_TABLE = 'net:nodeports';

const SERVICES = findResource('', 'services')!;
const RANGE = parseCidr(SERVICE_CIDR)!;

/** The records behind each object store, registered by the network component (strategies see only the store). */
const recordsByStore = new WeakMap<ObjectStore, RecordStore>();

export function registerAllocatorRecords(store: ObjectStore, records: RecordStore): void {
  recordsByStore.set(store, records);
}

interface ServiceLike extends KObject {
  spec?: { clusterIP?: string; clusterIPs?: string[]; ports?: { nodePort?: number }[]; healthCheckNodePort?: number };
}

export class ServiceAllocator {
  private store: ObjectStore;
  private records: RecordStore | undefined;

  constructor(store: ObjectStore) {
    this.store = store;
    this.records = recordsByStore.get(store);
  }

  private owner(table: string, key: string): string | undefined {
    if (this.records) return this.records.get<string>(table, key);
    // No component attached (bare API server): find the holder among the stored Services.
    for (const s of this.store.list(SERVICES) as ServiceLike[]) {
      const holds = table === CLUSTER_IP_TABLE ? (s.spec?.clusterIPs ?? []).includes(key) : [...(s.spec?.ports ?? []).map((p) => p.nodePort), s.spec?.healthCheckNodePort].some((p) => String(p) === key);
      if (holds) return `${s.metadata.namespace}/${s.metadata.name}`;
    }
    return undefined;
  }

  /** Who holds an IP or port now ("ns/name"), ignoring stale entries. */
  holder(table: string, key: string, self?: string): string | undefined {
    const owner = this.owner(table, key);
    if (!owner || owner === self) return owner;
    const i = owner.indexOf('/');
    const svc = this.store.get(SERVICES, owner.slice(0, i), owner.slice(i + 1)) as ServiceLike | undefined;
    if (!svc) return undefined;
    const holds = table === CLUSTER_IP_TABLE ? (svc.spec?.clusterIPs ?? [svc.spec?.clusterIP]).includes(key) : [...(svc.spec?.ports ?? []).map((p) => p.nodePort), svc.spec?.healthCheckNodePort].some((p) => String(p) === key);
    return holds ? owner : undefined;
  }

  private take(table: string, key: string, owner: string): void {
    this.records?.set(table, key, owner);
  }

  /** A specific IP: undefined when taken, else an error message (or '' when fine). */
  claimIP(ip: string, owner: string): string | undefined {
    const n = ipToInt(ip);
    if (n === undefined || n <= RANGE.base || n >= RANGE.base + RANGE.size - 1) {
      return `failed to allocate IP ${ip}: the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${SERVICE_CIDR}`;
    }
    const h = this.holder(CLUSTER_IP_TABLE, ip, owner);
    if (h && h !== owner) return `failed to allocate IP ${ip}: provided IP is already allocated`;
    this.take(CLUSTER_IP_TABLE, ip, owner);
    return '';
  }

  allocateIP(owner: string, rng: Rng): string {
    const size = RANGE.size;
    const lowBand = Math.min(Math.max(16, Math.floor(size / 16)), 256);
    const bands: [number, number][] = [
      [lowBand, size - 2],
      [1, lowBand - 1],
    ];
    for (const [lo, hi] of bands) {
      const count = hi - lo + 1;
      const start = rng.int(0, count - 1);
      for (let i = 0; i < count; i++) {
        const ip = intToIp(RANGE.base + lo + ((start + i) % count));
        if (!this.holder(CLUSTER_IP_TABLE, ip, owner)) {
          this.take(CLUSTER_IP_TABLE, ip, owner);
          return ip;
        }
      }
    }
    throw new Error('range is full');
  }

  claimNodePort(port: number, owner: string): string {
    if (port < NODE_PORT_MIN || port > NODE_PORT_MAX) {
      return `provided port is not in the valid range. The range of valid ports is ${NODE_PORT_MIN}-${NODE_PORT_MAX}`;
    }
    const h = this.holder(NODE_PORT_TABLE, String(port), owner);
    if (h && h !== owner) return 'provided port is already allocated';
    this.take(NODE_PORT_TABLE, String(port), owner);
    return '';
  }

  allocateNodePort(owner: string, rng: Rng, exclude: Set<number>): number | undefined {
    const size = NODE_PORT_MAX - NODE_PORT_MIN + 1;
    const lowBand = Math.min(Math.max(16, Math.floor(size / 16)), 128);
    const bands: [number, number][] = [
      [lowBand, size - 1],
      [0, lowBand - 1],
    ];
    for (const [lo, hi] of bands) {
      const count = hi - lo + 1;
      const start = rng.int(0, count - 1);
      for (let i = 0; i < count; i++) {
        const port = NODE_PORT_MIN + lo + ((start + i) % count);
        if (exclude.has(port)) continue;
        if (!this.holder(NODE_PORT_TABLE, String(port), owner)) {
          this.take(NODE_PORT_TABLE, String(port), owner);
          return port;
        }
      }
    }
    return undefined;
  }

  /** Gives back IPs and ports a Service held (and no longer holds, or it is gone). */
  release(owner: string, ips: string[], ports: number[]): void {
    if (!this.records) return;
    for (const ip of ips) if (this.records.get(CLUSTER_IP_TABLE, ip) === owner) this.records.delete(CLUSTER_IP_TABLE, ip);
    for (const p of ports) if (this.records.get(NODE_PORT_TABLE, String(p)) === owner) this.records.delete(NODE_PORT_TABLE, String(p));
  }
}
