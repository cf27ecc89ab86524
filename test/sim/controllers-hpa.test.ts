import { describe, expect, it } from 'vitest';
import { EVENTS } from '../../sim/apiserver/resources.ts';
import type { KObject } from '../../sim/apiserver/types.ts';
import type { Cluster } from '../../sim/cluster.ts';
import { DEPLOYMENTS } from '../../sim/controllers/deployment.ts';
import { HPAS } from '../../sim/controllers/hpa.ts';
import { newCluster } from './helpers.ts';

function deployment(name: string, replicas: number, container: Record<string, unknown>): KObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'main', ...container }] } } },
  };
}

function hpa(name: string, min: number, max: number, cpu: number): KObject {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
      minReplicas: min,
      maxReplicas: max,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: cpu } } }],
    },
  };
}

const replicas = (c: Cluster, name: string) => (c.store.get(DEPLOYMENTS, 'default', name)!.spec as any).replicas;
const events = (c: Cluster, name: string) =>
  c.store
    .list(EVENTS, 'default')
    .filter((e) => (e.involvedObject as { name: string; kind: string }).name === name && (e.involvedObject as { kind: string }).kind === 'HorizontalPodAutoscaler')
    .map((e) => `${e.reason} ${e.message}`);

describe('HorizontalPodAutoscaler', () => {
  it('validates min and max', () => {
    const c = newCluster();
    expect(() => c.api.create(HPAS, 'default', hpa('x', 5, 2, 50))).toThrow(/spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`/);
  });

  it('scales a busy Deployment up, within maxReplicas, at the default rate', () => {
    const c = newCluster();
    c.api.create(DEPLOYMENTS, 'default', deployment('burn', 1, { image: 'polinux/stress', command: ['stress', '--cpu', '1'], resources: { requests: { cpu: '500m' } } }));
    c.advance(30_000);
    c.api.create(HPAS, 'default', hpa('burn', 1, 5, 50));
    c.advance(15_000);
    // 1 core of 500m requested: 200% against 50% → 4 replicas.
    expect(replicas(c, 'burn')).toBe(4);
    expect(events(c, 'burn')).toEqual(['SuccessfulRescale New size: 4; reason: cpu resource utilization (percentage of request) above target']);
    c.advance(60_000);
    expect(replicas(c, 'burn')).toBe(5);
    const st = c.store.get(HPAS, 'default', 'burn')!.status as any;
    expect(st).toMatchObject({ currentReplicas: 5, desiredReplicas: 5 });
    expect(st.currentMetrics[0].resource.current.averageUtilization).toBe(200);
    expect(st.conditions.find((x: any) => x.type === 'ScalingLimited')).toMatchObject({ status: 'True', reason: 'TooManyReplicas' });
  });

  it('scales an idle Deployment down only after the 5-minute stabilization window', () => {
    const c = newCluster();
    c.api.create(DEPLOYMENTS, 'default', deployment('idle', 4, { image: 'nginx', resources: { requests: { cpu: '100m' } } }));
    c.advance(30_000);
    c.api.create(HPAS, 'default', hpa('idle', 1, 10, 50));
    c.advance(240_000);
    expect(replicas(c, 'idle')).toBe(4);
    c.advance(120_000);
    expect(replicas(c, 'idle')).toBe(1);
    expect(events(c, 'idle')).toContain('SuccessfulRescale New size: 1; reason: All metrics below target');
  });

  it('reports a missing cpu request', () => {
    const c = newCluster();
    c.api.create(DEPLOYMENTS, 'default', deployment('noreq', 1, { image: 'nginx' }));
    c.advance(30_000);
    c.api.create(HPAS, 'default', hpa('noreq', 1, 3, 50));
    c.advance(15_000);
    const st = c.store.get(HPAS, 'default', 'noreq')!.status as any;
    const active = st.conditions.find((x: any) => x.type === 'ScalingActive');
    expect([active.status, active.reason]).toEqual(['False', 'FailedGetResourceMetric']);
    expect(active.message).toMatch(/^the HPA was unable to compute the replica count: failed to get cpu utilization: missing request for cpu in container main of Pod noreq-/);
  });
});
