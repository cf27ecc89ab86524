/**
 * The cluster network's bookkeeping: which Service holds which ClusterIP (and gives its IPs and NodePorts
 * back when it goes), which pod holds which pod IP, the EndpointSlices of each Service, the NetworkPolicies
 * of each namespace, and a simulated cloud load balancer that gives LoadBalancer Services an external IP.
 * kube-proxy (`http.ts`) and DNS (`../dns/resolve.ts`) read these indexes; they are in memory and rebuilt on
 * restore. LoadBalancer IPs are records (`net:lbips`).
 */
import { NODES, PODS, findResource } from '../apiserver/resources.ts';
import type { StoreEvent } from '../apiserver/store.ts';
import type { KObject, Node, Pod } from '../apiserver/types.ts';
import type { Service } from '../apiserver/registry/services.ts';
import type { Cluster, Component } from '../cluster.ts';
import { registerAllocatorRecords, ServiceAllocator } from './allocator.ts';
import { keyOf, SERVICES, splitKey } from './podindex.ts';

export const ENDPOINT_SLICES = findResource('discovery.k8s.io', 'endpointslices')!;
export const NETWORK_POLICIES = findResource('networking.k8s.io', 'networkpolicies')!;
const LB_TABLE = 'net:lbips';
/** The simulated cloud's pool of load-balancer addresses (like MetalLB on a kind cluster). */
const LB_POOL_BASE = '172.18.255.';
const LB_POOL = { first: 200, last: 250 };

const networks = new WeakMap<Cluster, Network>();

/** The network component of a cluster; one is built (and indexed) on the fly for a cluster without it. */
export function networkOf(cluster: Cluster): Network {
  let n = networks.get(cluster);
  if (!n) {
    n = new Network(cluster);
    n.restore();
  }
  return n;
}

function ipsOf(svc: KObject | undefined): string[] {
  const s = svc as Service | undefined;
  return (s?.spec?.clusterIPs ?? []).filter((ip) => ip && ip !== 'None');
}

function nodePortsOf(svc: KObject | undefined): number[] {
  const s = svc as Service | undefined;
  return [...(s?.spec?.ports ?? []).map((p) => p.nodePort ?? 0), s?.spec?.healthCheckNodePort ?? 0].filter((p) => p > 0);
}

export class Network implements Component {
  readonly name = 'network';
  private cluster: Cluster;
  private serviceByIP = new Map<string, string>();
  private podByIP = new Map<string, string>();
  private podByUidMap = new Map<string, string>();
  private serviceByNodePort = new Map<number, string>();
  private slicesByService = new Map<string, Set<string>>();
  private policiesByNs = new Map<string, Set<string>>();
  private lbQueue = new Set<string>();

  constructor(cluster: Cluster) {
    this.cluster = cluster;
    networks.set(cluster, this);
    registerAllocatorRecords(cluster.store, cluster.records);
  }

  restore(): void {
    for (const m of [this.serviceByIP, this.podByIP, this.podByUidMap, this.serviceByNodePort, this.slicesByService, this.policiesByNs]) m.clear();
    const { store } = this.cluster;
    for (const s of store.list(SERVICES)) this.indexService(undefined, s);
    for (const p of store.list(PODS)) this.indexPod(undefined, p as Pod);
    for (const s of store.list(ENDPOINT_SLICES)) this.indexSlice(undefined, s);
    for (const np of store.list(NETWORK_POLICIES)) this.indexPolicy(undefined, np);
  }

  onStoreEvent(ev: StoreEvent): void {
    const now = ev.type === 'DELETED' ? undefined : ev.object;
    if (ev.info === SERVICES) {
      this.indexService(ev.old, now);
      // Allocations come back when a Service goes or stops using them.
      const owner = keyOf(ev.object);
      const keepIPs = new Set(ipsOf(now));
      const keepPorts = new Set(nodePortsOf(now));
      const alloc = new ServiceAllocator(this.cluster.store);
      alloc.release(owner, ipsOf(ev.old).filter((ip) => !keepIPs.has(ip)), nodePortsOf(ev.old).filter((p) => !keepPorts.has(p)));
      if (!now) {
        this.releaseLB(owner);
        this.cluster.records.delete('net:affinity', owner);
      }
      else if ((now as Service).spec.type === 'LoadBalancer' && !(now as Service).status?.loadBalancer?.ingress?.length) this.lbQueue.add(owner);
      else if ((now as Service).spec.type !== 'LoadBalancer' && (ev.old as Service | undefined)?.spec.type === 'LoadBalancer') this.lbQueue.add(owner);
    } else if (ev.info === PODS) this.indexPod(ev.old as Pod | undefined, now as Pod | undefined);
    else if (ev.info === ENDPOINT_SLICES) this.indexSlice(ev.old, now);
    else if (ev.info === NETWORK_POLICIES) this.indexPolicy(ev.old, now);
  }

  runQueue(): boolean {
    if (this.lbQueue.size === 0) return false;
    const keys = [...this.lbQueue];
    this.lbQueue.clear();
    for (const k of keys) this.syncLoadBalancer(k);
    return true;
  }

  private indexService(old: KObject | undefined, now: KObject | undefined): void {
    for (const ip of ipsOf(old)) if (this.serviceByIP.get(ip) === keyOf(old!)) this.serviceByIP.delete(ip);
    for (const p of nodePortsOf(old)) if (this.serviceByNodePort.get(p) === keyOf(old!)) this.serviceByNodePort.delete(p);
    for (const ip of ipsOf(now)) this.serviceByIP.set(ip, keyOf(now!));
    for (const p of nodePortsOf(now)) this.serviceByNodePort.set(p, keyOf(now!));
  }

  private indexPod(old: Pod | undefined, now: Pod | undefined): void {
    if (old && !now) this.podByUidMap.delete(old.metadata.uid!);
    if (now) this.podByUidMap.set(now.metadata.uid!, keyOf(now));
    const oldIP = old?.status?.podIP;
    if (oldIP && this.podByIP.get(oldIP) === keyOf(old!)) this.podByIP.delete(oldIP);
    const ip = now?.status?.podIP;
    if (ip && !now!.spec.hostNetwork) this.podByIP.set(ip, keyOf(now!));
  }

  private indexSlice(old: KObject | undefined, now: KObject | undefined): void {
    const svcOf = (s: KObject) => {
      const n = s.metadata.labels?.['kubernetes.io/service-name'];
      return n ? `${s.metadata.namespace}/${n}` : undefined;
    };
    if (old) {
      const k = svcOf(old);
      const set = k ? this.slicesByService.get(k) : undefined;
      if (set) {
        set.delete(old.metadata.name!);
        if (set.size === 0) this.slicesByService.delete(k!);
      }
    }
    if (now) {
      const k = svcOf(now);
      if (k) {
        let set = this.slicesByService.get(k);
        if (!set) this.slicesByService.set(k, (set = new Set()));
        set.add(now.metadata.name!);
      }
    }
  }

  private indexPolicy(old: KObject | undefined, now: KObject | undefined): void {
    if (old) this.policiesByNs.get(old.metadata.namespace!)?.delete(old.metadata.name!);
    if (now) {
      let set = this.policiesByNs.get(now.metadata.namespace!);
      if (!set) this.policiesByNs.set(now.metadata.namespace!, (set = new Set()));
      set.add(now.metadata.name!);
    }
  }

  serviceAt(ip: string): Service | undefined {
    const k = this.serviceByIP.get(ip);
    if (!k) return undefined;
    const [ns, name] = splitKey(k);
    return this.cluster.store.get(SERVICES, ns, name) as Service | undefined;
  }

  serviceAtNodePort(port: number): Service | undefined {
    const k = this.serviceByNodePort.get(port);
    if (!k) return undefined;
    const [ns, name] = splitKey(k);
    return this.cluster.store.get(SERVICES, ns, name) as Service | undefined;
  }

  podByUid(uid: string): Pod | undefined {
    const k = this.podByUidMap.get(uid);
    if (!k) return undefined;
    const [ns, name] = splitKey(k);
    const p = this.cluster.store.get(PODS, ns, name) as Pod | undefined;
    return p?.metadata.uid === uid ? p : undefined;
  }

  podAt(ip: string): Pod | undefined {
    const k = this.podByIP.get(ip);
    if (!k) return undefined;
    const [ns, name] = splitKey(k);
    return this.cluster.store.get(PODS, ns, name) as Pod | undefined;
  }

  /** The node whose InternalIP (or load-balancer address) this is. */
  nodeAt(ip: string): Node | undefined {
    for (const n of this.cluster.store.list(NODES) as Node[]) if (n.status?.addresses?.some((a) => a.address === ip)) return n;
    return undefined;
  }

  /** The Service a load-balancer address belongs to. */
  serviceAtLoadBalancer(ip: string): Service | undefined {
    const k = this.cluster.records.get<string>(LB_TABLE, ip);
    if (!k) return undefined;
    const [ns, name] = splitKey(k);
    const svc = this.cluster.store.get(SERVICES, ns, name) as Service | undefined;
    return svc?.status?.loadBalancer?.ingress?.some((i) => i.ip === ip) ? svc : undefined;
  }

  slicesOf(ns: string, svc: string): KObject[] {
    const out: KObject[] = [];
    for (const n of this.slicesByService.get(`${ns}/${svc}`) ?? []) {
      const s = this.cluster.store.get(ENDPOINT_SLICES, ns, n);
      if (s) out.push(s);
    }
    return out.sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1));
  }

  policiesIn(ns: string): KObject[] {
    const out: KObject[] = [];
    for (const n of this.policiesByNs.get(ns) ?? []) {
      const p = this.cluster.store.get(NETWORK_POLICIES, ns, n);
      if (p) out.push(p);
    }
    return out;
  }

  private releaseLB(owner: string): void {
    for (let h = LB_POOL.first; h <= LB_POOL.last; h++) {
      const ip = LB_POOL_BASE + h;
      if (this.cluster.records.get(LB_TABLE, ip) === owner) this.cluster.records.delete(LB_TABLE, ip);
    }
  }

  /** The simulated cloud controller: an external IP for a LoadBalancer Service, dropped when it changes type. */
  private syncLoadBalancer(key: string): void {
    const [ns, name] = splitKey(key);
    const svc = this.cluster.store.get(SERVICES, ns, name) as Service | undefined;
    if (!svc) return;
    if (svc.spec.type !== 'LoadBalancer') {
      this.releaseLB(key);
      if (svc.status?.loadBalancer?.ingress?.length) {
        this.cluster.api.update(SERVICES, ns, name, { ...svc, status: { ...svc.status, loadBalancer: {} } }, { subresource: 'status' });
      }
      return;
    }
    if (svc.status?.loadBalancer?.ingress?.length) return;
    let ip: string | undefined;
    for (let h = LB_POOL.first; h <= LB_POOL.last && !ip; h++) {
      const cand = LB_POOL_BASE + h;
      const holder = this.cluster.records.get<string>(LB_TABLE, cand);
      if (!holder || holder === key) ip = cand;
      else {
        const [hn, hname] = splitKey(holder);
        const other = this.cluster.store.get(SERVICES, hn, hname) as Service | undefined;
        if (!other || other.spec.type !== 'LoadBalancer') ip = cand;
      }
    }
    const source = { component: 'service-controller' };
    this.cluster.events.record(svc, 'Normal', 'EnsuringLoadBalancer', 'Ensuring load balancer', source);
    if (!ip) return; // the pool is used up: the Service stays <pending>, as with a cloud out of addresses
    this.cluster.records.set(LB_TABLE, ip, key);
    const next = { ...svc, status: { ...(svc.status ?? {}), loadBalancer: { ingress: [{ ip, ipMode: 'VIP' }] } } };
    this.cluster.api.update(SERVICES, ns, name, next, { subresource: 'status' });
    this.cluster.events.record(svc, 'Normal', 'EnsuredLoadBalancer', 'Ensured load balancer', source);
  }
}
