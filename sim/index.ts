/** Kuberoom's Kubernetes simulation core: plain TypeScript, no host APIs. */
export { Cluster, type ClusterSnapshot, type Component } from './cluster.ts';
export { createCluster, restoreCluster, attachComponents, addNode, KUBERNETES_VERSION } from './bootstrap.ts';
export { ApiServer } from './apiserver/apiserver.ts';
export { StatusError } from './apiserver/errors.ts';
export { RESOURCES, findResource, PODS, NODES, NAMESPACES } from './apiserver/resources.ts';
export type { KObject, Pod, Node } from './apiserver/types.ts';
export { RecordStore } from './state/records.ts';
