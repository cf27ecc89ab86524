/**
 * NetworkPolicy enforcement as a policy-enforcing CNI (Calico, Cilium) applies it: a pod selected by a policy
 * with Ingress (Egress) in its policyTypes accepts (sends) only the traffic some rule of those policies allows;
 * a pod no policy selects is open. Rules match peers by podSelector (in the policy's namespace),
 * namespaceSelector, both together, or ipBlock (cidr minus except), and ports by number, range (endPort) or
 * the destination pod's named container port. Blocked traffic is dropped: the client times out.
 */
import { NAMESPACES } from '../apiserver/resources.ts';
import { matchesLabels, selectorFromSpec, type LabelSelectorSpec } from '../apiserver/selectors.ts';
import type { KObject, Pod } from '../apiserver/types.ts';
import type { Cluster } from '../cluster.ts';
import { cidrContains, parseCidr } from './ip.ts';
import { networkOf } from './network.ts';

export interface Peer {
  ip: string;
  /** the pod behind the address, when it is one */
  pod?: Pod;
}

interface PolicyPort {
  protocol?: string;
  port?: number | string;
  endPort?: number;
}

interface PolicyPeer {
  podSelector?: LabelSelectorSpec;
  namespaceSelector?: LabelSelectorSpec;
  ipBlock?: { cidr: string; except?: string[] };
}

interface PolicyRule {
  ports?: PolicyPort[];
  from?: PolicyPeer[];
  to?: PolicyPeer[];
}

interface PolicySpec {
  podSelector?: LabelSelectorSpec;
  policyTypes?: string[];
  ingress?: PolicyRule[];
  egress?: PolicyRule[];
}

function selects(sel: LabelSelectorSpec | undefined, labels: Record<string, string> | undefined): boolean {
  try {
    return matchesLabels(selectorFromSpec(sel ?? {}), labels);
  } catch {
    return false;
  }
}

function policyTypes(np: KObject): string[] {
  const spec = np.spec as PolicySpec;
  if (spec.policyTypes?.length) return spec.policyTypes;
  return spec.egress?.length ? ['Ingress', 'Egress'] : ['Ingress'];
}

function namedPort(pod: Pod | undefined, name: string, protocol: string): number | undefined {
  for (const c of pod?.spec.containers ?? []) for (const p of c.ports ?? []) if (p.name === name && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
  return undefined;
}

function portMatches(ports: PolicyPort[] | undefined, port: number, protocol: string, dst: Peer): boolean {
  if (!ports || ports.length === 0) return true;
  return ports.some((p) => {
    if ((p.protocol ?? 'TCP') !== protocol) return false;
    if (p.port === undefined) return true;
    if (typeof p.port === 'string') return namedPort(dst.pod, p.port, protocol) === port;
    return port >= p.port && port <= (p.endPort ?? p.port);
  });
}

function peerMatches(cluster: Cluster, peers: PolicyPeer[] | undefined, policyNs: string, peer: Peer): boolean {
  if (!peers || peers.length === 0) return true;
  return peers.some((pp) => {
    if (pp.ipBlock) {
      const cidr = parseCidr(pp.ipBlock.cidr);
      if (!cidr || !cidrContains(cidr, peer.ip)) return false;
      return !(pp.ipBlock.except ?? []).some((e) => {
        const ex = parseCidr(e);
        return !!ex && cidrContains(ex, peer.ip);
      });
    }
    if (!peer.pod) return false;
    const podNs = peer.pod.metadata.namespace!;
    if (pp.namespaceSelector) {
      const ns = cluster.store.get(NAMESPACES, undefined, podNs);
      const nsLabels = ns?.metadata.labels ?? { 'kubernetes.io/metadata.name': podNs };
      if (!selects(pp.namespaceSelector, nsLabels)) return false;
    } else if (podNs !== policyNs) return false;
    return pp.podSelector ? selects(pp.podSelector, peer.pod.metadata.labels) : true;
  });
}

/** The policies of a namespace that select a pod for a direction. */
function applicable(cluster: Cluster, pod: Pod, direction: 'Ingress' | 'Egress'): KObject[] {
  return networkOf(cluster)
    .policiesIn(pod.metadata.namespace!)
    .filter((np) => policyTypes(np).includes(direction) && selects((np.spec as PolicySpec).podSelector, pod.metadata.labels));
}

/** Whether `src` may open a connection to `dst` on port/protocol (the pod's port, after kube-proxy's DNAT). */
export function policyAllows(cluster: Cluster, src: Peer, dst: Peer, port: number, protocol = 'TCP'): boolean {
  if (src.pod && !src.pod.spec.hostNetwork) {
    const egress = applicable(cluster, src.pod, 'Egress');
    if (egress.length && !egress.some((np) => ((np.spec as PolicySpec).egress ?? []).some((r) => portMatches(r.ports, port, protocol, dst) && peerMatches(cluster, r.to, np.metadata.namespace!, dst)))) {
      return false;
    }
  }
  if (dst.pod && !dst.pod.spec.hostNetwork) {
    const ingress = applicable(cluster, dst.pod, 'Ingress');
    if (ingress.length && !ingress.some((np) => ((np.spec as PolicySpec).ingress ?? []).some((r) => portMatches(r.ports, port, protocol, dst) && peerMatches(cluster, r.from, np.metadata.namespace!, src)))) {
      return false;
    }
  }
  return true;
}
