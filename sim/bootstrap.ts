import { NAMESPACES, NODES } from './apiserver/resources.ts';
import type { Node } from './apiserver/types.ts';
import { Cluster, type ClusterOptions } from './cluster.ts';
import { Kubelet } from './kubelet/kubelet.ts';
import { NamespaceController } from './controllers/namespace.ts';
import { Scheduler } from './scheduler/scheduler.ts';

export const KUBERNETES_VERSION = 'v1.32.0';

export interface NewClusterOptions extends ClusterOptions {
  /** how many worker nodes (node-1 ... node-N); default 3 */
  nodes?: number;
}

/** Attaches the control plane and node agents to a cluster (new or restored). */
export function attachComponents(cluster: Cluster): Cluster {
  return cluster.use(new NamespaceController(cluster)).use(new Scheduler(cluster)).use(new Kubelet(cluster));
}

/** A new cluster as `kubeadm init` and N joined workers leave it: system namespaces and Ready nodes. */
export function createCluster(opts: NewClusterOptions): Cluster {
  const cluster = attachComponents(Cluster.empty(opts));
  for (const name of ['default', 'kube-node-lease', 'kube-public', 'kube-system']) {
    cluster.api.create(NAMESPACES, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }
  const count = opts.nodes ?? 3;
  for (let i = 1; i <= count; i++) addNode(cluster, `node-${i}`);
  cluster.settle();
  return cluster;
}

export function restoreCluster(cluster: Cluster): Cluster {
  return attachComponents(cluster).restored();
}

const ZONES = ['zone-a', 'zone-b', 'zone-c'];

/** Adds a Ready worker node with the capacity of a small cloud VM (4 CPU, 16 GiB, 110 pods). */
export function addNode(cluster: Cluster, name: string): Node {
  const index = cluster.store.count(NODES);
  const zone = ZONES[index % ZONES.length];
  const now = new Date(cluster.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
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
    spec: { podCIDR: `10.244.${index}.0/24`, podCIDRs: [`10.244.${index}.0/24`], providerID: `kuberoom://${name}` },
    status: {
      capacity: { cpu: '4', 'ephemeral-storage': '102350Mi', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', memory: '16365060Ki', pods: '110' },
      allocatable: { cpu: '4', 'ephemeral-storage': '102350Mi', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', memory: '16262660Ki', pods: '110' },
      conditions: [
        { type: 'MemoryPressure', status: 'False', lastHeartbeatTime: now, lastTransitionTime: now, reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' },
        { type: 'DiskPressure', status: 'False', lastHeartbeatTime: now, lastTransitionTime: now, reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' },
        { type: 'PIDPressure', status: 'False', lastHeartbeatTime: now, lastTransitionTime: now, reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available' },
        { type: 'Ready', status: 'True', lastHeartbeatTime: now, lastTransitionTime: now, reason: 'KubeletReady', message: 'kubelet is posting ready status' },
      ],
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
  return cluster.api.update(NODES, undefined, name, { ...created, status: node.status }, { subresource: 'status' }) as Node;
}
