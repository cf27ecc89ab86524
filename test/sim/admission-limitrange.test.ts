import { describe, expect, it } from 'vitest';
import { LIMITRANGES } from '../../sim/apiserver/admission/limitrange.ts';
import { RESOURCEQUOTAS } from '../../sim/apiserver/admission/quota.ts';
import { StatusError } from '../../sim/apiserver/errors.ts';
import { PODS } from '../../sim/apiserver/resources.ts';
import type { KObject, Pod } from '../../sim/apiserver/types.ts';
import { newCluster, pod } from './helpers.ts';

function limitRange(name: string, limits: unknown[]): KObject {
  return { apiVersion: 'v1', kind: 'LimitRange', metadata: { name }, spec: { limits } } as KObject;
}

function rejection(fn: () => unknown): StatusError {
  try {
    fn();
  } catch (e) {
    if (e instanceof StatusError) return e;
    throw e;
  }
  throw new Error('expected a rejection');
}

function withResources(name: string, requests?: Record<string, string>, limits?: Record<string, string>): Pod {
  const p = pod(name);
  p.spec.containers[0].resources = { ...(requests ? { requests } : {}), ...(limits ? { limits } : {}) };
  return p;
}

describe('LimitRange admission', () => {
  it('fills in default requests and limits and says so in an annotation', () => {
    const c = newCluster();
    c.api.create(LIMITRANGES, 'default', limitRange('defaults', [{ type: 'Container', default: { cpu: '500m', memory: '256Mi' }, defaultRequest: { cpu: '100m', memory: '128Mi' } }]));
    const p = c.api.create(PODS, 'default', pod('web')) as Pod;
    expect(p.spec.containers[0].resources).toEqual({ limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '100m', memory: '128Mi' } });
    expect(p.metadata.annotations?.['kubernetes.io/limit-ranger']).toBe('LimitRanger plugin set: cpu, memory request for container web; cpu, memory limit for container web');
    // values the pod states are kept; only the missing ones are filled
    const q = c.api.create(PODS, 'default', withResources('own', { cpu: '200m' })) as Pod;
    expect(q.spec.containers[0].resources).toEqual({ limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '200m', memory: '128Mi' } });
    expect(q.metadata.annotations?.['kubernetes.io/limit-ranger']).toBe('LimitRanger plugin set: memory request for container own; cpu, memory limit for container own');
    // other namespaces are untouched
    const free = c.api.create(PODS, 'kube-public', pod('free')) as Pod;
    expect(free.spec.containers[0].resources).toEqual({});
    expect(free.metadata.annotations?.['kubernetes.io/limit-ranger']).toBeUndefined();
  });

  it('defaults the request from max when only max is given (as the API defaults a LimitRange)', () => {
    const c = newCluster();
    c.api.create(LIMITRANGES, 'default', limitRange('cap', [{ type: 'Container', max: { cpu: '1' } }]));
    const p = c.api.create(PODS, 'default', pod('web')) as Pod;
    expect(p.spec.containers[0].resources).toEqual({ limits: { cpu: '1' }, requests: { cpu: '1' } });
  });

  it('rejects a container below min with the real message, listing every violation', () => {
    const c = newCluster();
    c.api.create(LIMITRANGES, 'default', limitRange('bounds', [{ type: 'Container', min: { cpu: '100m', memory: '64Mi' }, max: { cpu: '1', memory: '1Gi' } }]));
    const e = rejection(() => c.api.create(PODS, 'default', withResources('x', { cpu: '50m', memory: '32Mi' }, { cpu: '2', memory: '512Mi' })));
    expect(e.code).toBe(403);
    expect(e.reason).toBe('Forbidden');
    expect(e.message).toBe('pods "x" is forbidden: [minimum cpu usage per Container is 100m, but request is 50m, minimum memory usage per Container is 64Mi, but request is 32Mi, maximum cpu usage per Container is 1, but limit is 2]');
    expect(c.store.get(PODS, 'default', 'x')).toBeUndefined();
    const one = rejection(() => c.api.create(PODS, 'default', withResources('y', { cpu: '200m', memory: '2Gi' }, { cpu: '500m', memory: '2Gi' })));
    expect(one.message).toBe('pods "y" is forbidden: maximum memory usage per Container is 1Gi, but limit is 2Gi');
    c.api.create(PODS, 'default', withResources('ok', { cpu: '100m', memory: '64Mi' }, { cpu: '1', memory: '1Gi' }));
  });

  it('enforces maxLimitRequestRatio', () => {
    const c = newCluster();
    c.api.create(LIMITRANGES, 'default', limitRange('ratio', [{ type: 'Container', maxLimitRequestRatio: { cpu: '2' } }]));
    expect(rejection(() => c.api.create(PODS, 'default', withResources('x', { cpu: '100m' }, { cpu: '400m' }))).message).toBe(
      'pods "x" is forbidden: cpu max limit to request ratio per Container is 2, but provided ratio is 4.000000',
    );
    expect(rejection(() => c.api.create(PODS, 'default', pod('bare'))).message).toBe(
      'pods "bare" is forbidden: cpu max limit to request ratio per Container is 2, but no request is specified or request is 0',
    );
    c.api.create(PODS, 'default', withResources('ok', { cpu: '100m' }, { cpu: '200m' }));
  });

  it('enforces Pod-wide max over the sum of containers', () => {
    const c = newCluster();
    c.api.create(LIMITRANGES, 'default', limitRange('pod', [{ type: 'Pod', max: { cpu: '1' } }]));
    const p = withResources('x', { cpu: '600m' }, { cpu: '600m' });
    p.spec.containers.push({ name: 'side', image: 'busybox', resources: { requests: { cpu: '600m' }, limits: { cpu: '600m' } } });
    expect(rejection(() => c.api.create(PODS, 'default', p)).message).toBe('pods "x" is forbidden: maximum cpu usage per Pod is 1, but limit is 1200m');
  });

  it('defaults before the quota counts, so a defaulted pod passes the quota that wants values', () => {
    const c = newCluster();
    c.api.create(RESOURCEQUOTAS, 'default', { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'compute' }, spec: { hard: { 'requests.cpu': '1', 'limits.cpu': '2' } } } as KObject);
    c.settle();
    expect(rejection(() => c.api.create(PODS, 'default', pod('x'))).message).toBe('pods "x" is forbidden: failed quota: compute: must specify limits.cpu for: x; requests.cpu for: x');
    c.api.create(LIMITRANGES, 'default', limitRange('defaults', [{ type: 'Container', default: { cpu: '500m' }, defaultRequest: { cpu: '250m' } }]));
    c.api.create(PODS, 'default', pod('x'));
    c.settle();
    expect((c.store.get(RESOURCEQUOTAS, 'default', 'compute')!.status as { used: Record<string, string> }).used).toEqual({ 'limits.cpu': '500m', 'requests.cpu': '250m' });
  });

  it('a malformed pod still gets a 422 from validation, not a crash', () => {
    const c = newCluster();
    c.api.create(LIMITRANGES, 'default', limitRange('defaults', [{ type: 'Container', default: { cpu: '500m' } }]));
    const bad = pod('bad') as unknown as { spec: { containers: unknown[] } };
    bad.spec.containers[0] = { name: 'bad', image: 'nginx', resources: { limits: 'lots' } };
    const e = rejection(() => c.api.create(PODS, 'default', bad as unknown as KObject));
    expect(e.code).toBe(422);
    const junk = rejection(() => c.api.create(PODS, 'default', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'junk' }, spec: { containers: 'x' } } as unknown as KObject));
    expect(junk.code).toBeLessThan(500);
  });
});
