/**
 * Cluster DNS as CoreDNS's kubernetes plugin answers it (cluster domain `cluster.local`):
 * - `<svc>.<ns>.svc.cluster.local`: the ClusterIP; for a headless Service the IPs of its ready endpoints;
 *   for an ExternalName Service a CNAME to its external name.
 * - `<hostname>.<svc>.<ns>.svc.cluster.local`: a pod with that hostname and subdomain behind a headless
 *   Service (StatefulSet members: `web-0.nginx.default.svc.cluster.local`); endpoints without a hostname
 *   answer as `<a-b-c-d>.<svc>.<ns>.svc.cluster.local`.
 * - `<a-b-c-d>.<ns>.pod.cluster.local`: that IP (the "pods insecure" mode).
 * A pod's resolv.conf searches `<ns>.svc.cluster.local svc.cluster.local cluster.local` with ndots:5, so
 * `web`, `web.default` and `web.default.svc` all find the Service.
 *
 * The resolver is the kube-dns Service in kube-system (10.96.0.10). When pods back it (CoreDNS) and none is
 * ready, or a NetworkPolicy stops the pod's DNS traffic, lookups time out as they would on a real cluster
 * (nslookup: ";; connection timed out; no servers could be reached"). A cluster without CoreDNS pods is
 * answered by the sim's built-in resolver at the same address. The dns-break fault (sim/faults/state.ts)
 * makes every cluster lookup time out until dns-ok.
 */
import { findResource, NAMESPACES, PODS } from '../apiserver/resources.ts';
import type { KObject, Pod } from '../apiserver/types.ts';
import type { Service } from '../apiserver/registry/services.ts';
import type { Cluster } from '../cluster.ts';
import { isIPv4 } from '../network/ip.ts';
import { networkOf } from '../network/network.ts';
import { policyAllows } from '../network/policy.ts';
import { clusterDnsBroken } from '../faults/state.ts';

export const CLUSTER_DOMAIN = 'cluster.local';
export const DNS_SERVICE_IP = '10.96.0.10';
const SERVICES = findResource('', 'services')!;

export type ResolveResult =
  | { ips: string[]; name: string; cname?: string }
  | { error: 'NXDOMAIN' | 'TIMEOUT'; name?: string };

export interface ResolveOptions {
  /** the asking pod: its DNS policy and the NetworkPolicies on its DNS traffic apply */
  fromPod?: Pod;
}

/** The search list of a pod in a namespace (resolv.conf `search`). */
export function searchPath(namespace: string): string[] {
  return [`${namespace}.svc.${CLUSTER_DOMAIN}`, `svc.${CLUSTER_DOMAIN}`, CLUSTER_DOMAIN];
}

/** The names tried for a query, in order (ndots:5: fewer dots than 5 tries the search list first). */
export function candidates(name: string, namespace: string): string[] {
  if (name.endsWith('.')) return [name.slice(0, -1)];
  const dots = name.split('.').length - 1;
  const searched = searchPath(namespace).map((d) => `${name}.${d}`);
  return dots >= 5 ? [name, ...searched] : [...searched, name];
}

export function resolve(cluster: Cluster, name: string, fromNamespace: string, opts: ResolveOptions = {}): ResolveResult {
  const q = name.trim().toLowerCase();
  if (!q) return { error: 'NXDOMAIN' };
  if (isIPv4(q)) return { ips: [q], name: q };
  const pod = opts.fromPod;
  const policy = (pod?.spec.dnsPolicy as string | undefined) ?? 'ClusterFirst';
  const clusterDNS = !(policy === 'Default' || (policy === 'None' && !((pod?.spec.dnsConfig as { nameservers?: string[] } | undefined)?.nameservers ?? []).includes(DNS_SERVICE_IP)));
  if (clusterDNS && !dnsServerReachable(cluster, pod)) return { error: 'TIMEOUT' };
  const tries = clusterDNS ? candidates(q, fromNamespace) : [q.replace(/\.$/, '')];
  for (const fqdn of tries) {
    if (!clusterDNS && fqdn.endsWith(`.${CLUSTER_DOMAIN}`)) continue;
    const r = lookup(cluster, fqdn);
    if (r) return clusterDNS ? chaseCname(cluster, r) : r;
  }
  return { error: 'NXDOMAIN' };
}

/**
 * CoreDNS answers an ExternalName whose target is inside the cluster domain with the CNAME and the target's
 * records (it follows in-zone CNAMEs itself); an outside target is left to the client's upstream.
 */
function chaseCname(cluster: Cluster, r: ResolveResult): ResolveResult {
  if (!('ips' in r)) return r;
  let cur: ResolveResult | undefined = r;
  for (let depth = 0; depth < 8 && cur && 'ips' in cur && cur.cname && !cur.ips.length; depth++) {
    const target = cur.cname.replace(/\.$/, '').toLowerCase();
    if (!target.endsWith(`.${CLUSTER_DOMAIN}`)) break;
    const next = lookup(cluster, target);
    if (!next || !('ips' in next)) break;
    if (!next.cname) return { ips: next.ips, name: r.name, cname: target };
    cur = next;
  }
  return r;
}

/** Whether the pod's DNS queries reach a serving resolver (kube-dns endpoints, NetworkPolicies on port 53). */
function dnsServerReachable(cluster: Cluster, pod: Pod | undefined): boolean {
  // The dns-break fault: nothing answers on the kube-dns Service, as if every CoreDNS pod were gone.
  if (clusterDnsBroken(cluster)) return false;
  const net = networkOf(cluster);
  const svc = cluster.store.get(SERVICES, 'kube-system', 'kube-dns') as Service | undefined;
  if (!svc) return false;
  const backends: { ip: string; pod?: Pod; ready: boolean }[] = [];
  for (const slice of net.slicesOf('kube-system', 'kube-dns')) {
    for (const e of (slice.endpoints ?? []) as { addresses: string[]; conditions?: { ready?: boolean }; targetRef?: { name?: string } }[]) {
      const p = e.targetRef?.name ? (cluster.store.get(PODS, 'kube-system', e.targetRef.name) as Pod | undefined) : undefined;
      backends.push({ ip: e.addresses[0], pod: p, ready: e.conditions?.ready !== false });
    }
  }
  const ready = backends.filter((b) => b.ready);
  if (backends.length > 0 && ready.length === 0) return false;
  if (!pod) return true;
  // No CoreDNS pods: the built-in resolver stands in for a pod labelled as CoreDNS's are.
  const targets = ready.length
    ? ready
    : [{ ip: DNS_SERVICE_IP, pod: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'coredns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } }, spec: { containers: [{ name: 'coredns', ports: [{ name: 'dns', containerPort: 53, protocol: 'UDP' }, { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' }] }] } } as Pod, ready: true }];
  const src = { ip: pod.status?.podIP ?? '', pod };
  return targets.some((t) => policyAllows(cluster, src, { ip: t.ip, pod: t.pod }, 53, 'UDP'));
}

function lookup(cluster: Cluster, fqdn: string): ResolveResult | undefined {
  const suffix = `.${CLUSTER_DOMAIN}`;
  if (!fqdn.endsWith(suffix)) return undefined;
  const parts = fqdn.slice(0, -suffix.length).split('.');
  const net = networkOf(cluster);
  if (parts.length === 3 && parts[2] === 'svc') {
    const [svcName, ns] = parts;
    const svc = cluster.store.get(SERVICES, ns, svcName) as Service | undefined;
    if (!svc) return undefined;
    if (svc.spec.type === 'ExternalName') return { ips: [], name: fqdn, cname: svc.spec.externalName };
    if (svc.spec.clusterIP === 'None') {
      const ips = headlessEndpoints(net.slicesOf(ns, svcName), !!svc.spec.publishNotReadyAddresses).map((e) => e.ip);
      return ips.length ? { ips, name: fqdn } : undefined;
    }
    return svc.spec.clusterIP ? { ips: [svc.spec.clusterIP], name: fqdn } : undefined;
  }
  if (parts.length === 4 && parts[3] === 'svc') {
    const [host, svcName, ns] = parts;
    const svc = cluster.store.get(SERVICES, ns, svcName) as Service | undefined;
    if (!svc || svc.spec.clusterIP !== 'None') return undefined;
    for (const e of headlessEndpoints(net.slicesOf(ns, svcName), !!svc.spec.publishNotReadyAddresses)) {
      if (e.hostname === host || (!e.hostname && e.ip.replace(/\./g, '-') === host)) return { ips: [e.ip], name: fqdn };
    }
    return undefined;
  }
  if (parts.length === 3 && parts[2] === 'pod') {
    const ip = parts[0].replace(/-/g, '.');
    if (isIPv4(ip) && cluster.store.get(NAMESPACES, undefined, parts[1])) return { ips: [ip], name: fqdn };
  }
  return undefined;
}

function headlessEndpoints(slices: KObject[], publishNotReady: boolean): { ip: string; hostname?: string }[] {
  const out: { ip: string; hostname?: string }[] = [];
  for (const s of slices) {
    for (const e of (s.endpoints ?? []) as { addresses: string[]; hostname?: string; conditions?: { ready?: boolean } }[]) {
      if (!publishNotReady && e.conditions?.ready === false) continue;
      out.push({ ip: e.addresses[0], hostname: e.hostname });
    }
  }
  return out;
}

/**
 * What busybox's `nslookup <name>` prints in a pod (busybox 1.36):
 *   Server:		10.96.0.10
 *   Address:	10.96.0.10:53
 *
 *   Name:	web.default.svc.cluster.local
 *   Address: 10.96.12.5
 * and `** server can't find web: NXDOMAIN` when nothing answers, or
 * `;; connection timed out; no servers could be reached` when the resolver cannot be reached.
 */
export function nslookupText(cluster: Cluster, name: string, fromNamespace: string, opts: ResolveOptions = {}): { stdout: string; exitCode: number } {
  const r = resolve(cluster, name, fromNamespace, opts);
  const header = `Server:\t\t${DNS_SERVICE_IP}\nAddress:\t${DNS_SERVICE_IP}:53\n\n`;
  if ('error' in r) {
    if (r.error === 'TIMEOUT') return { stdout: ';; connection timed out; no servers could be reached\n\n', exitCode: 1 };
    return { stdout: `${header}** server can't find ${name}: NXDOMAIN\n\n`, exitCode: 1 };
  }
  if (r.cname) {
    const target = r.ips.map((ip) => `Name:\t${r.cname}\nAddress: ${ip}\n`).join('');
    return { stdout: `${header}${r.name}\tcanonical name = ${r.cname}\n${target}\n`, exitCode: 0 };
  }
  return { stdout: `${header}${r.ips.map((ip) => `Name:\t${r.name}\nAddress: ${ip}\n`).join('')}\n`, exitCode: 0 };
}
