import { NODES, PODS } from '../apiserver/resources.ts';
import type { Node, Pod } from '../apiserver/types.ts';
import type { Cluster } from '../cluster.ts';
import { rfc3339 } from '../util/time.ts';
import type { Kubelet } from '../kubelet/kubelet.ts';
import { canonicalRegistry, clusterFault, clusterFaults, healClusterFault, setClusterFault, type ImagePullFailFault } from '../faults/state.ts';
import { FAULTS_TABLE, kubeletRunning, nodeLifecycleOf, type NodeFault } from './lifecycle.ts';
import { addNode, nextNodeName } from './node.ts';

export { kubeletRunning };

/** What a fault takes besides its name: a pod (`ns/name`), a container, a registry, a factor. */
export type FaultParam = 'pod' | 'container' | 'registry' | 'factor';

/** The faults an instructor (or a test) can inject, and how each is healed. */
export const FAULTS: { fault: string; node: 'required' | 'optional' | 'none'; params?: FaultParam[]; description: string }[] = [
  { fault: 'node-down', node: 'required', description: "the node's kubelet stops: NotReady (Unknown) after the grace period, pods evicted after 300 s; heal with node-up" },
  { fault: 'node-partition', node: 'required', description: 'the kubelet keeps running but cannot reach the API server: the same for the control plane; heal with node-up' },
  { fault: 'node-not-ready', node: 'required', description: "the kubelet reports Ready=False (container runtime network down): not-ready taints; heal with node-up" },
  { fault: 'node-up', node: 'required', description: "heals the node's fault: the kubelet posts Ready again and the taints go" },
  { fault: 'add-node', node: 'optional', description: 'a new worker node joins (node-N unless a name is given)' },
  { fault: 'remove-node', node: 'required', description: 'the Node is deleted (as a cloud provider does for a lost VM); Pod GC deletes its pods' },
  { fault: 'kill-container', node: 'none', params: ['pod', 'container'], description: "the container's process dies as after kill -9 (exit code 137, reason Error); the kubelet restarts it per the pod's restartPolicy, with back-off" },
  { fault: 'kill-pod', node: 'none', params: ['pod'], description: 'the pod is deleted at once (grace period 0), as a crash of its node would; its controller makes a new one' },
  { fault: 'image-pull-fail', node: 'none', params: ['registry'], description: 'new image pulls (from that registry, or all) fail: ErrImagePull, ImagePullBackOff; images already on a node still start; heal with image-pull-ok' },
  { fault: 'image-pull-slow', node: 'none', params: ['factor'], description: 'image pulls take factor times longer; heal with image-pull-ok' },
  { fault: 'image-pull-ok', node: 'none', description: 'heals image-pull-fail and image-pull-slow: registries answer again at their usual speed' },
  { fault: 'dns-break', node: 'none', description: 'cluster DNS stops answering (as if the CoreDNS pods were gone): lookups from pods time out, requests by IP still work; heal with dns-ok' },
  { fault: 'dns-ok', node: 'none', description: 'heals dns-break: cluster DNS answers again' },
  { fault: 'heal-all', node: 'none', description: 'heals every fault (nodes, image pulls, DNS)' },
];

export class FaultError extends Error {}

export interface FaultState {
  /** node faults carry their node; image-pull-fail its registries (none: all); image-pull-slow its factor */
  faults: { fault: string; node?: string; registries?: string[]; factor?: number; since: string }[];
  nodes: { name: string; ready: string; kubelet: 'running' | 'stopped' | 'partitioned' | 'not-ready' }[];
}

export interface FaultRequest {
  fault?: unknown;
  node?: unknown;
  pod?: unknown;
  container?: unknown;
  registry?: unknown;
  factor?: unknown;
}

const MAX_SLOW_FACTOR = 100;
const REGISTRY = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:\d{1,5})?$/;

const MAX_NODES = 500;
const NODE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Applies one fault; throws FaultError (a 400 for HTTP) for unknown faults, missing or unknown nodes. */
export function applyFault(cluster: Cluster, req: FaultRequest): FaultState {
  if (!req || typeof req !== 'object' || Array.isArray(req)) throw new FaultError('the body must be a JSON object, e.g. {"fault":"node-down","node":"node-2"}');
  const fault = req.fault;
  const spec = FAULTS.find((f) => f.fault === fault);
  if (typeof fault !== 'string' || !spec) throw new FaultError(`unknown fault ${JSON.stringify(fault ?? null)}: must be one of ${FAULTS.map((f) => f.fault).join(', ')}`);
  if (req.node !== undefined && typeof req.node !== 'string') throw new FaultError('node must be a string');
  const nodeName = req.node as string | undefined;
  if (spec.node === 'required' && !nodeName) throw new FaultError(`fault ${fault} needs a node, e.g. {"fault":"${fault}","node":"node-2"}`);
  const lifecycle = nodeLifecycleOf(cluster);
  if (spec.node === 'none' && fault !== 'heal-all') {
    applyClusterFault(cluster, fault, req);
  } else if (fault === 'add-node') {
    if (cluster.store.count(NODES) >= MAX_NODES) throw new FaultError(`a sandbox has at most ${MAX_NODES} nodes`);
    const name = nodeName ?? nextNodeName(cluster);
    if (name.length > 63 || !NODE_NAME.test(name)) throw new FaultError(`invalid node name ${JSON.stringify(name)}: must be a lowercase RFC 1123 label`);
    if (cluster.store.get(NODES, undefined, name)) throw new FaultError(`node ${name} already exists`);
    addNode(cluster, name);
  } else if (fault === 'heal-all') {
    for (const name of [...cluster.records.table(FAULTS_TABLE).keys()]) lifecycle.heal(name);
    for (const f of clusterFaults(cluster)) healClusterFault(cluster, f.fault);
  } else {
    const node = cluster.store.get(NODES, undefined, nodeName!) as Node | undefined;
    if (!node) throw new FaultError(`node ${nodeName} not found`);
    if (fault === 'remove-node') cluster.api.delete(NODES, undefined, nodeName!);
    else if (fault === 'node-up') lifecycle.heal(nodeName!);
    else lifecycle.injectFault(nodeName!, fault as NodeFault['fault']);
  }
  cluster.settle();
  return faultState(cluster);
}

export function faultState(cluster: Cluster): FaultState {
  const faults: FaultState['faults'] = [];
  for (const [node, f] of cluster.records.table(FAULTS_TABLE)) {
    faults.push({ fault: (f as NodeFault).fault, node, since: rfc3339((f as NodeFault).since) });
  }
  faults.sort((a, b) => (a.node! < b.node! ? -1 : 1));
  const order = ['image-pull-fail', 'image-pull-slow', 'dns-break'];
  for (const f of clusterFaults(cluster).sort((a, b) => order.indexOf(a.fault) - order.indexOf(b.fault))) {
    faults.push({
      fault: f.fault,
      ...(f.fault === 'image-pull-fail' && f.registries ? { registries: [...f.registries] } : {}),
      ...(f.fault === 'image-pull-slow' ? { factor: f.factor } : {}),
      since: rfc3339(f.since),
    });
  }
  const nodes = (cluster.store.list(NODES) as Node[]).map((n) => {
    const f = cluster.records.get<NodeFault>(FAULTS_TABLE, n.metadata.name!);
    const kubelet = !f ? 'running' : f.fault === 'node-down' ? 'stopped' : f.fault === 'node-partition' ? 'partitioned' : 'not-ready';
    return { name: n.metadata.name!, ready: n.status.conditions.find((c) => c.type === 'Ready')?.status ?? 'Unknown', kubelet } as FaultState['nodes'][number];
  });
  return { faults, nodes };
}

/** The faults that are not a node's: a container or pod killed, image registries, cluster DNS. */
function applyClusterFault(cluster: Cluster, fault: string, req: FaultRequest): void {
  const now = cluster.now();
  if (fault === 'kill-container' || fault === 'kill-pod') {
    const pod = podOf(cluster, req.pod, fault);
    if (fault === 'kill-pod') {
      cluster.api.delete(PODS, pod.metadata.namespace, pod.metadata.name!, { gracePeriodSeconds: 0 });
      return;
    }
    if (req.container !== undefined && typeof req.container !== 'string') throw new FaultError('container must be a string');
    const name = (req.container as string | undefined) || pod.spec.containers[0].name;
    const all = [...(pod.spec.initContainers ?? []), ...pod.spec.containers].map((c) => c.name);
    if (!all.includes(name)) throw new FaultError(`container ${name} is not valid for pod ${pod.metadata.name}`);
    const kubelet = (cluster as Cluster & { kubelet?: Kubelet }).kubelet;
    const why = kubelet ? kubelet.killContainer(pod.metadata.uid!, name) : 'there is no kubelet';
    if (why) throw new FaultError(`cannot kill container ${name} of pod ${pod.metadata.namespace}/${pod.metadata.name}: ${why}`);
    return;
  }
  if (fault === 'image-pull-fail') {
    if (req.registry !== undefined && req.registry !== null && typeof req.registry !== 'string') throw new FaultError('registry must be a string, e.g. "docker.io"');
    const registry = req.registry ? canonicalRegistry(req.registry as string) : undefined;
    if (registry !== undefined && (registry.length > 253 || !REGISTRY.test(registry))) throw new FaultError(`invalid registry ${JSON.stringify(req.registry)}: a host name such as docker.io, ghcr.io or registry.k8s.io`);
    const prev = clusterFault<ImagePullFailFault>(cluster, 'image-pull-fail');
    // Faults add up: another registry joins the list; no registry means all of them.
    const registries = registry === undefined || prev?.registries === null ? null : [...new Set([...(prev?.registries ?? []), registry])].sort();
    setClusterFault(cluster, { fault: 'image-pull-fail', registries, since: prev?.since ?? now });
  } else if (fault === 'image-pull-slow') {
    const factor = req.factor ?? 10;
    if (typeof factor !== 'number' || !Number.isFinite(factor) || factor < 1 || factor > MAX_SLOW_FACTOR) throw new FaultError(`factor must be a number from 1 to ${MAX_SLOW_FACTOR}, e.g. {"fault":"image-pull-slow","factor":10}`);
    setClusterFault(cluster, { fault: 'image-pull-slow', factor, since: now });
  } else if (fault === 'image-pull-ok') {
    healClusterFault(cluster, 'image-pull-fail');
    healClusterFault(cluster, 'image-pull-slow');
  } else if (fault === 'dns-break') {
    if (!clusterFault(cluster, 'dns-break')) setClusterFault(cluster, { fault: 'dns-break', since: now });
  } else if (fault === 'dns-ok') {
    healClusterFault(cluster, 'dns-break');
  }
}

function podOf(cluster: Cluster, ref: unknown, fault: string): Pod {
  if (typeof ref !== 'string' || !ref) throw new FaultError(`fault ${fault} needs a pod, e.g. {"fault":"${fault}","pod":"default/web"}`);
  const i = ref.indexOf('/');
  const [ns, name] = i >= 0 ? [ref.slice(0, i), ref.slice(i + 1)] : ['default', ref];
  const pod = ns && name ? (cluster.store.get(PODS, ns, name) as Pod | undefined) : undefined;
  if (!pod) throw new FaultError(`pod ${ns}/${name} not found`);
  return pod;
}
