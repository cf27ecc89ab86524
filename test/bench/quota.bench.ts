// ResourceQuota admission and the quota controller: pod creates per second in a namespace under a quota,
// with few and with many pods already there (the cost should not grow with the namespace's size).
import { RESOURCEQUOTAS } from '../../sim/apiserver/admission/quota.ts';
import { PODS } from '../../sim/apiserver/resources.ts';
import type { KObject } from '../../sim/apiserver/types.ts';
import { createCluster } from '../../sim/bootstrap.ts';
import type { Row } from './run.ts';

const START = Date.parse('2026-01-01T00:00:00Z');

function pod(name: string): KObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'web', image: 'nginx', resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '10m', memory: '16Mi' } } }] } } as KObject;
}

function rate(existing: number, withQuota: boolean): number {
  // No nodes: pods stay Pending, so the figure is the API machinery's and the quota's alone.
  const c = createCluster({ seed: 'quota-bench', startTime: START, nodes: 0 });
  if (withQuota) {
    c.api.create(RESOURCEQUOTAS, 'default', { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'compute' }, spec: { hard: { pods: '100000', 'requests.cpu': '10000', 'limits.memory': '10000Gi' } } } as KObject);
  }
  for (let i = 0; i < existing; i++) c.api.create(PODS, 'default', pod(`old-${i}`));
  c.settle();
  const n = 2000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    c.api.create(PODS, 'default', pod(`new-${i}`));
    c.settle();
  }
  return n / ((performance.now() - t0) / 1000);
}

export async function run(): Promise<Row[]> {
  rate(100, true); // warm-up
  return [
    { name: 'pod create + settle, no quota, 100 pods in the namespace', value: Math.round(rate(100, false)), unit: 'ops/s' },
    { name: 'pod create + settle, under a quota, 100 pods in the namespace', value: Math.round(rate(100, true)), unit: 'ops/s' },
    { name: 'pod create + settle, under a quota, 10,000 pods in the namespace', value: Math.round(rate(10_000, true)), unit: 'ops/s', note: 'should match the 100-pod row' },
  ];
}
