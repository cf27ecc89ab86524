import { NODES } from '../apiserver/resources.ts';
import type { Node } from '../apiserver/types.ts';
import type { Cluster } from '../cluster.ts';
import { rfc3339 } from '../util/time.ts';
import { FAULTS_TABLE, kubeletRunning, nodeLifecycleOf, type NodeFault } from './lifecycle.ts';
import { addNode, nextNodeName } from './node.ts';

export { kubeletRunning };

/** The faults an instructor (or a test) can inject, and how each is healed. */
export const FAULTS: { fault: string; node: 'required' | 'optional' | 'none'; description: string }[] = [
  { fault: 'node-down', node: 'required', description: "the node's kubelet stops: NotReady (Unknown) after the grace period, pods evicted after 300 s; heal with node-up" },
  { fault: 'node-partition', node: 'required', description: 'the kubelet keeps running but cannot reach the API server: the same for the control plane; heal with node-up' },
  { fault: 'node-not-ready', node: 'required', description: "the kubelet reports Ready=False (container runtime network down): not-ready taints; heal with node-up" },
  { fault: 'node-up', node: 'required', description: "heals the node's fault: the kubelet posts Ready again and the taints go" },
  { fault: 'add-node', node: 'optional', description: 'a new worker node joins (node-N unless a name is given)' },
  { fault: 'remove-node', node: 'required', description: 'the Node is deleted (as a cloud provider does for a lost VM); Pod GC deletes its pods' },
  { fault: 'heal-all', node: 'none', description: 'heals every node fault' },
];

export class FaultError extends Error {}

export interface FaultState {
  faults: { fault: string; node: string; since: string }[];
  nodes: { name: string; ready: string; kubelet: 'running' | 'stopped' | 'partitioned' | 'not-ready' }[];
}

export interface FaultRequest {
  fault?: unknown;
  node?: unknown;
}

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
  if (fault === 'add-node') {
    if (cluster.store.count(NODES) >= MAX_NODES) throw new FaultError(`a sandbox has at most ${MAX_NODES} nodes`);
    const name = nodeName ?? nextNodeName(cluster);
    if (name.length > 63 || !NODE_NAME.test(name)) throw new FaultError(`invalid node name ${JSON.stringify(name)}: must be a lowercase RFC 1123 label`);
    if (cluster.store.get(NODES, undefined, name)) throw new FaultError(`node ${name} already exists`);
    addNode(cluster, name);
  } else if (fault === 'heal-all') {
    for (const name of [...cluster.records.table(FAULTS_TABLE).keys()]) lifecycle.heal(name);
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
  faults.sort((a, b) => (a.node < b.node ? -1 : 1));
  const nodes = (cluster.store.list(NODES) as Node[]).map((n) => {
    const f = cluster.records.get<NodeFault>(FAULTS_TABLE, n.metadata.name!);
    const kubelet = !f ? 'running' : f.fault === 'node-down' ? 'stopped' : f.fault === 'node-partition' ? 'partitioned' : 'not-ready';
    return { name: n.metadata.name!, ready: n.status.conditions.find((c) => c.type === 'Ready')?.status ?? 'Unknown', kubelet } as FaultState['nodes'][number];
  });
  return { faults, nodes };
}
