import { EVENTS, PODS } from '../../sim/apiserver/resources.ts';
import { createCluster } from '../../sim/bootstrap.ts';
import { DEPLOYMENTS } from '../../sim/controllers/deployment.ts';
import type { Row } from './run.ts';

const REPLICAS = 5000;
const NODES = 500;

/**
 * A 5,000-pod Deployment across 500 nodes: wall time until every pod is Ready (the Deployment reports 5,000
 * available), pods per second, virtual seconds per wall second once steady, and the heap it all takes.
 */
export async function run(): Promise<Row[]> {
  globalThis.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const c = createCluster({ seed: 'bench-workloads', startTime: Date.parse('2026-01-01T00:00:00Z'), nodes: NODES });
  const t0 = performance.now();
  c.api.create(DEPLOYMENTS, 'default', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: {
      replicas: REPLICAS,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'web', image: 'nginx:1.27', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
      },
    },
  });
  c.settle();
  c.records.drainChanges();
  let available = 0;
  let virtual = 0;
  for (; virtual < 600 && available < REPLICAS; virtual += 5) {
    c.advance(5000);
    // The room persists the records a tick changed and forgets the change set: do the same.
    c.records.drainChanges();
    available = ((c.store.get(DEPLOYMENTS, 'default', 'web')!.status as { availableReplicas?: number })?.availableReplicas) ?? 0;
  }
  const wall = performance.now() - t0;
  if (available < REPLICAS) throw new Error(`only ${available} of ${REPLICAS} pods became available`);
  const pods = c.store.count(PODS);
  // Steady state: 5,000 ready pods, ten virtual minutes.
  const t1 = performance.now();
  for (let i = 0; i < 60; i++) {
    c.advance(10_000);
    c.records.drainChanges();
  }
  const steadyWall = performance.now() - t1;
  globalThis.gc?.();
  const heap = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;
  const events = c.store.count(EVENTS);
  return [
    { name: `Deployment of ${REPLICAS} pods on ${NODES} nodes to all-Ready`, value: wall, unit: 'ms wall', note: `${virtual} virtual s, ${pods} pods` },
    { name: 'pods to Ready per wall second', value: (REPLICAS / wall) * 1000, unit: 'pods/s' },
    { name: `virtual seconds per wall second, ${REPLICAS} pods steady`, value: 600 / (steadyWall / 1000), unit: 'x' },
    { name: `heap with ${REPLICAS} running pods`, value: heap, unit: 'MB', note: `heapUsed growth after gc, includes ${events} events` },
  ];
}
