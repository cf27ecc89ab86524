import { findResource, NODES } from '../apiserver/resources.ts';
import type { Condition, KObject, Node } from '../apiserver/types.ts';
import type { Cluster } from '../cluster.ts';
import { rfc3339, rfc3339Micro } from '../util/time.ts';

export const KUBERNETES_VERSION = 'v1.32.0';

export const LEASES = findResource('coordination.k8s.io', 'leases')!;
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
/** kubelet's nodeLeaseDurationSeconds; it renews every quarter of it (10 s). */
export const LEASE_DURATION_S = 40;
export const LEASE_RENEW_MS = (LEASE_DURATION_S * 1000) / 4;

const ZONES = ['zone-a', 'zone-b', 'zone-c'];

/** The conditions a healthy kubelet posts. */
export function healthyConditions(now: string): Condition[] {
  return [
    { type: 'MemoryPressure', status: 'False', lastHeartbeatTime: now, lastTransitionTime: now, reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' },
    { type: 'DiskPressure', status: 'False', lastHeartbeatTime: now, lastTransitionTime: now, reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' },
    { type: 'PIDPressure', status: 'False', lastHeartbeatTime: now, lastTransitionTime: now, reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available' },
    { type: 'Ready', status: 'True', lastHeartbeatTime: now, lastTransitionTime: now, reason: 'KubeletReady', message: 'kubelet is posting ready status' },
  ];
}

/** The next free `node-N` name. */
export function nextNodeName(cluster: Cluster): string {
  for (let i = cluster.store.count(NODES) + 1; ; i++) {
    const name = `node-${i}`;
    if (!cluster.store.get(NODES, undefined, name)) return name;
  }
}

/** Adds a Ready worker node with the capacity of a small cloud VM (4 CPU, 16 GiB, 110 pods), and its Lease. */
export function addNode(cluster: Cluster, name: string): Node {
  const index = cluster.records.get<number>('meta', 'nodes.added') ?? cluster.store.count(NODES);
  cluster.records.set('meta', 'nodes.added', index + 1);
  const zone = ZONES[index % ZONES.length];
  const now = rfc3339(cluster.now());
  const internalIP = `10.0.${Math.floor((index + 2) / 250)}.${((index + 2) % 250) + 2}`;
  const node: Node = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: {
        'beta.kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'topology.kubernetes.io/region': 'kuberoom-1',
        'topology.kubernetes.io/zone': `kuberoom-1${zone.slice(-2)}`,
      },
      annotations: {
        'node.alpha.kubernetes.io/ttl': '0',
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
      },
    },
    spec: { podCIDR: `10.244.${index % 256}.0/24`, podCIDRs: [`10.244.${index % 256}.0/24`], providerID: `kuberoom://${name}` },
    status: {
      capacity: { cpu: '4', 'ephemeral-storage': '102350Mi', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', memory: '16365060Ki', pods: '110' },
      allocatable: { cpu: '4', 'ephemeral-storage': '102350Mi', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', memory: '16262660Ki', pods: '110' },
      conditions: healthyConditions(now),
      addresses: [
        { type: 'InternalIP', address: internalIP },
        { type: 'Hostname', address: name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        architecture: 'amd64',
        bootID: cluster.rng.uuid(),
        containerRuntimeVersion: 'containerd://1.7.24',
        kernelVersion: '6.8.0-1021-kuberoom',
        kubeProxyVersion: KUBERNETES_VERSION,
        kubeletVersion: KUBERNETES_VERSION,
        machineID: cluster.rng.hex(32),
        operatingSystem: 'linux',
        osImage: 'Ubuntu 24.04.1 LTS',
        systemUUID: cluster.rng.uuid(),
      },
    },
  };
  // The kubelet registers its node and writes its status: status comes with the create here.
  const created = cluster.api.create(NODES, undefined, node) as Node;
  const out = cluster.api.update(NODES, undefined, name, { ...created, status: node.status }, { subresource: 'status' }) as Node;
  // Then it creates its Lease in kube-node-lease (owned by the Node, so it goes with it).
  if (cluster.store.get(findResource('', 'namespaces')!, undefined, NODE_LEASE_NAMESPACE)) {
    const lease: KObject = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name, namespace: NODE_LEASE_NAMESPACE, ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name, uid: out.metadata.uid! }] },
      spec: { holderIdentity: name, leaseDurationSeconds: LEASE_DURATION_S, renewTime: rfc3339Micro(cluster.now()) },
    };
    if (!cluster.store.get(LEASES, NODE_LEASE_NAMESPACE, name)) cluster.api.create(LEASES, NODE_LEASE_NAMESPACE, lease);
  }
  return out;
}

/** When a node's kubelet renews its Lease: every 10 s from the moment the node registered. */
export function lastRenewal(node: Node, at: number): number {
  const created = Date.parse(node.metadata.creationTimestamp ?? '') || 0;
  if (at <= created) return created;
  return created + Math.floor((at - created) / LEASE_RENEW_MS) * LEASE_RENEW_MS;
}
