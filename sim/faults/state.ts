/**
 * Cluster-wide faults an instructor injects (image registries, cluster DNS), kept as records so snapshot and
 * restore carry them. The node faults live in sim/nodes/lifecycle.ts; the API over both is sim/nodes/faults.ts.
 */
import type { Cluster } from '../cluster.ts';

export const CLUSTER_FAULTS_TABLE = 'clusterFaults';

/** New pulls from these registries fail (DNS lookup of the registry times out); all registries when null. */
export interface ImagePullFailFault {
  fault: 'image-pull-fail';
  registries: string[] | null;
  since: number;
}

/** Pulls take `factor` times longer. */
export interface ImagePullSlowFault {
  fault: 'image-pull-slow';
  factor: number;
  since: number;
}

/** Cluster DNS answers nothing (as if every CoreDNS pod were gone). */
export interface DnsBreakFault {
  fault: 'dns-break';
  since: number;
}

export type ClusterFault = ImagePullFailFault | ImagePullSlowFault | DnsBreakFault;

/** A registry's canonical name as image references spell it (`index.docker.io` and `registry-1.docker.io` are docker.io). */
export function canonicalRegistry(registry: string): string {
  const r = registry.trim().toLowerCase().replace(/^https?:\/\//, '').replace(/\/+$/, '');
  return r === 'index.docker.io' || r === 'registry-1.docker.io' ? 'docker.io' : r;
}

export function clusterFault<T extends ClusterFault>(cluster: Cluster, fault: T['fault']): T | undefined {
  return cluster.records.get<T>(CLUSTER_FAULTS_TABLE, fault);
}

export function setClusterFault(cluster: Cluster, f: ClusterFault): void {
  cluster.records.set(CLUSTER_FAULTS_TABLE, f.fault, f);
}

export function healClusterFault(cluster: Cluster, fault: ClusterFault['fault']): boolean {
  return cluster.records.delete(CLUSTER_FAULTS_TABLE, fault);
}

export function clusterFaults(cluster: Cluster): ClusterFault[] {
  return [...cluster.records.table(CLUSTER_FAULTS_TABLE).values()] as ClusterFault[];
}

/** Whether new pulls from this registry (an image reference's registry, e.g. `docker.io`) fail. */
export function registryUnreachable(cluster: Cluster, registry: string): boolean {
  const f = clusterFault<ImagePullFailFault>(cluster, 'image-pull-fail');
  return !!f && (f.registries === null || f.registries.includes(canonicalRegistry(registry)));
}

/** How many times longer pulls take (1 without the fault). */
export function pullSlowFactor(cluster: Cluster): number {
  return clusterFault<ImagePullSlowFault>(cluster, 'image-pull-slow')?.factor ?? 1;
}

export function clusterDnsBroken(cluster: Cluster): boolean {
  return !!clusterFault(cluster, 'dns-break');
}
