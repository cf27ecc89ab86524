import { PODS } from '../../sim/apiserver/resources.ts';
import type { Pod } from '../../sim/apiserver/types.ts';
import { createCluster } from '../../sim/bootstrap.ts';
import type { Row } from './run.ts';

/** Time to create 1,000 pods in the sim and run them all to Running and Ready, and the heap it takes. */
export async function run(): Promise<Row[]> {
  globalThis.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const c = createCluster({ seed: 'bench', startTime: Date.parse('2026-01-01T00:00:00Z'), nodes: 10 });
  for (let i = 0; i < 1000; i++) {
    c.api.create(PODS, 'default', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `web-${i}`, labels: { app: 'web' } },
      spec: { containers: [{ name: 'web', image: 'nginx:1.27', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
    });
    c.settle();
  }
  let running = 0;
  for (let s = 0; s < 600 && running < 1000; s += 5) {
    c.advance(5000);
    running = (c.store.list(PODS) as Pod[]).filter((p) => p.status?.phase === 'Running' && p.status.containerStatuses?.every((x) => x.ready)).length;
  }
  const wall = performance.now() - t0;
  const heap = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;
  if (running < 1000) throw new Error(`only ${running} of 1000 pods became Running`);
  return [
    { name: 'create and run 1,000 pods (10 nodes)', value: wall, unit: 'ms wall' },
    { name: 'heap after 1,000 running pods', value: heap, unit: 'MB', note: 'heapUsed growth, includes events' },
  ];
}
