/**
 * What a Service's endpoints are, computed from its selector and its pods' readiness, as the Endpoints and
 * EndpointSlice controllers both compute them (pkg/controller/endpoint, endpointslice/reconciler).
 */
import { NODES } from '../apiserver/resources.ts';
import type { Node, Pod } from '../apiserver/types.ts';
import type { Service, ServicePort } from '../apiserver/registry/services.ts';
import type { ObjectStore } from '../apiserver/store.ts';

export interface EndpointPort {
  name: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

export interface DesiredEndpoint {
  ip: string;
  pod: Pod;
  nodeName?: string;
  zone?: string;
  hostname?: string;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
}

export interface EndpointGroup {
  /** a stable key of the resolved ports (pods whose named ports resolve differently land in other groups) */
  key: string;
  ports: EndpointPort[];
  endpoints: DesiredEndpoint[];
}

export function podReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** A Service port's targetPort on one pod: a number, or the containerPort named so (undefined when none is). */
export function resolveTargetPort(pod: Pod, sp: ServicePort): number | undefined {
  const t = sp.targetPort ?? sp.port;
  if (typeof t === 'number') return t;
  if (/^\d+$/.test(t)) return Number(t);
  for (const c of pod.spec.containers ?? []) {
    for (const p of c.ports ?? []) if (p.name === t && (p.protocol ?? 'TCP') === (sp.protocol ?? 'TCP')) return p.containerPort;
  }
  return undefined;
}

/** Whether a pod belongs in a Service's endpoints at all (has an IP, has not finished). */
export function podEligible(pod: Pod): boolean {
  if (!pod.status?.podIP) return false;
  return pod.status.phase !== 'Succeeded' && pod.status.phase !== 'Failed';
}

export function desiredGroups(store: ObjectStore, svc: Service, pods: Pod[]): EndpointGroup[] {
  const groups = new Map<string, EndpointGroup>();
  const zones = new Map<string, string | undefined>();
  const zoneOf = (node: string | undefined) => {
    if (!node) return undefined;
    if (!zones.has(node)) zones.set(node, (store.get(NODES, undefined, node) as Node | undefined)?.metadata.labels?.['topology.kubernetes.io/zone']);
    return zones.get(node);
  };
  for (const pod of pods) {
    if (!podEligible(pod)) continue;
    const ports: EndpointPort[] = [];
    for (const sp of svc.spec.ports ?? []) {
      const port = resolveTargetPort(pod, sp);
      if (port === undefined) continue;
      const ep: EndpointPort = { name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP' };
      if (sp.appProtocol) ep.appProtocol = sp.appProtocol;
      ports.push(ep);
    }
    if ((svc.spec.ports ?? []).length > 0 && ports.length === 0) continue;
    const key = JSON.stringify(ports);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { key, ports, endpoints: [] }));
    const terminating = !!pod.metadata.deletionTimestamp;
    const ready = podReady(pod);
    const e: DesiredEndpoint = {
      ip: pod.status!.podIP!,
      pod,
      nodeName: pod.spec.nodeName,
      zone: zoneOf(pod.spec.nodeName),
      ready: svc.spec.publishNotReadyAddresses ? true : ready && !terminating,
      serving: svc.spec.publishNotReadyAddresses ? true : ready,
      terminating,
    };
    const hostname = pod.spec.hostname as string | undefined;
    if (hostname && pod.spec.subdomain === svc.metadata.name && svc.metadata.namespace === pod.metadata.namespace) e.hostname = hostname;
    g.endpoints.push(e);
  }
  return [...groups.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
