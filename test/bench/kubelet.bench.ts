import { PODS } from '../../sim/apiserver/resources.ts';
import { createCluster } from '../../sim/bootstrap.ts';
import type { Row } from './run.ts';

/**
 * The kubelet's steady-state cost: pods with readiness and liveness probes (one timer per probe period)
 * and shell loops writing a log line every second, simulated for ten virtual minutes.
 */
export async function run(): Promise<Row[]> {
  const c = createCluster({ seed: 'bench-kubelet', startTime: Date.parse('2026-01-01T00:00:00Z'), nodes: 20 });
  const probed = 1000;
  const loops = 100;
  for (let i = 0; i < probed; i++) {
    c.api.create(PODS, 'default', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `web-${i}` },
      spec: {
        containers: [
          {
            name: 'web',
            image: 'kuberoom/demo:1.0',
            resources: { requests: { cpu: '10m', memory: '16Mi' } },
            readinessProbe: { httpGet: { path: '/ready', port: 8080 }, periodSeconds: 5 },
            livenessProbe: { httpGet: { path: '/healthz', port: 8080 } },
          },
        ],
      },
    });
  }
  for (let i = 0; i < loops; i++) {
    c.api.create(PODS, 'default', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `loop-${i}` },
      spec: { containers: [{ name: 'loop', image: 'busybox:1.36', resources: { requests: { cpu: '10m' } }, command: ['sh', '-c', 'i=0; while true; do echo "tick $i"; i=$((i+1)); sleep 1; done'] }] },
    });
  }
  c.settle();
  c.advance(60_000);
  globalThis.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const virtualMs = 600_000;
  c.advance(virtualMs);
  const wall = performance.now() - t0;
  globalThis.gc?.();
  const heap = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;
  return [
    { name: `10 virtual min: ${probed} pods with 2 probes + ${loops} shell loops (1 line/s)`, value: wall, unit: 'ms wall' },
    { name: 'virtual seconds per wall second (probes and loops steady)', value: virtualMs / 1000 / (wall / 1000), unit: 'x' },
    { name: 'heap growth over those 10 minutes', value: heap, unit: 'MB', note: 'retained after gc: logs (capped per run), events, timers' },
  ];
}
