import { PODS } from '../../sim/apiserver/resources.ts';
import type { Pod } from '../../sim/apiserver/types.ts';
import { createCluster } from '../../sim/bootstrap.ts';
import type { Cluster } from '../../sim/cluster.ts';

export const START = Date.parse('2026-01-01T00:00:00Z');

export function newCluster(seed = 'test', nodes = 3): Cluster {
  return createCluster({ seed, startTime: START, nodes });
}

export function pod(name: string, image = 'nginx', extra: Partial<Pod['spec']> = {}): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name, image }], ...extra } };
}

export function createPod(c: Cluster, p: Pod, ns = 'default'): Pod {
  const out = c.api.create(PODS, ns, p) as Pod;
  c.settle();
  return out;
}

export function getPod(c: Cluster, name: string, ns = 'default'): Pod | undefined {
  return c.store.get(PODS, ns, name) as Pod | undefined;
}
