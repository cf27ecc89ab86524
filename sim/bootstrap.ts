import { NAMESPACES, NODES } from './apiserver/resources.ts';
import type { Node } from './apiserver/types.ts';
import { Cluster, type ClusterOptions } from './cluster.ts';
import { Kubelet } from './kubelet/kubelet.ts';
import { NamespaceController } from './controllers/namespace.ts';
import { GarbageCollector } from './controllers/garbage-collector.ts';
import { ReplicaSetController } from './controllers/replicaset.ts';
import { DeploymentController } from './controllers/deployment.ts';
import { JobController } from './controllers/job.ts';
import { CronJobController } from './controllers/cronjob.ts';
import { StatefulSetController } from './controllers/statefulset.ts';
import { DaemonSetController } from './controllers/daemonset.ts';
import { HorizontalPodAutoscalerController } from './controllers/hpa.ts';
import { Scheduler } from './scheduler/scheduler.ts';
import { NodeLifecycle } from './nodes/lifecycle.ts';
import { addNode } from './nodes/node.ts';
import { Network } from './network/network.ts';
import { createNetworkDefaults } from './network/defaults.ts';
import { EndpointsController } from './controllers/endpoints.ts';
import { EndpointSliceController } from './controllers/endpointslice.ts';
import { ServiceAccountController } from './controllers/serviceaccount.ts';
import { ResourceQuotaController } from './controllers/resourcequota.ts';
import { PersistentVolumeController } from './controllers/pv-binder.ts';
import { createStorageDefaults } from './storage/defaults.ts';
import { createIngressDefaults, IngressController } from './network/ingress.ts';
import { ScenarioMonitor } from './scenarios/monitor.ts';

export { KUBERNETES_VERSION } from './nodes/node.ts';

export interface NewClusterOptions extends ClusterOptions {
  /** how many worker nodes (node-1 ... node-N); default 3 */
  nodes?: number;
}

/** Attaches the control plane and node agents to a cluster (new or restored). */
export function attachComponents(cluster: Cluster): Cluster {
  return cluster.use(new NamespaceController(cluster)).use(new Scheduler(cluster)).use(new Kubelet(cluster)).use(new NodeLifecycle(cluster))
    .use(new GarbageCollector(cluster))
    .use(new ReplicaSetController(cluster))
    .use(new DeploymentController(cluster))
    .use(new JobController(cluster))
    .use(new CronJobController(cluster))
    .use(new StatefulSetController(cluster))
    .use(new DaemonSetController(cluster))
    .use(new HorizontalPodAutoscalerController(cluster))
    .use(new Network(cluster))
    .use(new EndpointsController(cluster))
    .use(new EndpointSliceController(cluster))
    .use(new ServiceAccountController(cluster))
    .use(new ResourceQuotaController(cluster))
    .use(new PersistentVolumeController(cluster))
    .use(new IngressController(cluster))
    .use(new ScenarioMonitor(cluster));
}

/** A new cluster as `kubeadm init` and N joined workers leave it: system namespaces and Ready nodes. */
export function createCluster(opts: NewClusterOptions): Cluster {
  const cluster = attachComponents(Cluster.empty(opts));
  for (const name of ['default', 'kube-node-lease', 'kube-public', 'kube-system']) {
    cluster.api.create(NAMESPACES, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }
  createNetworkDefaults(cluster);
  createStorageDefaults(cluster);
  createIngressDefaults(cluster);
  const count = opts.nodes ?? 3;
  for (let i = 1; i <= count; i++) addNode(cluster, `node-${i}`);
  cluster.settle();
  return cluster;
}

export function restoreCluster(cluster: Cluster): Cluster {
  return attachComponents(cluster).restored();
}

// addNode (a Ready worker node and its Lease) lives with the node lifecycle in sim/nodes.
export { addNode } from './nodes/node.ts';
