import { describe, expect, it } from 'vitest';
import { RESOURCEQUOTAS } from '../../sim/apiserver/admission/quota.ts';
import { StatusError } from '../../sim/apiserver/errors.ts';
import { EVENTS, findResource, PODS } from '../../sim/apiserver/resources.ts';
import type { KObject, Pod } from '../../sim/apiserver/types.ts';
import { restoreCluster } from '../../sim/bootstrap.ts';
import { Cluster } from '../../sim/cluster.ts';
import { newCluster, pod } from './helpers.ts';

const CONFIGMAPS = findResource('', 'configmaps')!;
const DEPLOYMENTS = findResource('apps', 'deployments')!;
const REPLICASETS = findResource('apps', 'replicasets')!;

function quota(name: string, hard: Record<string, string>): KObject {
  return { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name }, spec: { hard } } as KObject;
}

function cpuPod(name: string, request: string, limit?: string): Pod {
  const p = pod(name);
  p.spec.containers[0].resources = { requests: { cpu: request, memory: '64Mi' }, limits: { cpu: limit ?? request, memory: '64Mi' } };
  return p;
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

function status(c: Cluster, name: string, ns = 'default') {
  return c.store.get(RESOURCEQUOTAS, ns, name)!.status as { hard: Record<string, string>; used: Record<string, string> };
}

describe('ResourceQuota admission', () => {
  it('rejects a pod that would exceed requests.cpu with the real message, and keeps status.used current', () => {
    const c = newCluster();
    c.api.create(RESOURCEQUOTAS, 'default', quota('compute', { 'requests.cpu': '2', 'limits.cpu': '4', pods: '10' }));
    c.settle();
    expect(status(c, 'compute')).toEqual({ hard: { 'requests.cpu': '2', 'limits.cpu': '4', pods: '10' }, used: { 'limits.cpu': '0', pods: '0', 'requests.cpu': '0' } });
    c.api.create(PODS, 'default', cpuPod('a', '1'));
    c.api.create(PODS, 'default', cpuPod('b', '800m'));
    c.settle();
    expect(status(c, 'compute').used).toEqual({ 'limits.cpu': '1800m', pods: '2', 'requests.cpu': '1800m' });
    const e = rejection(() => c.api.create(PODS, 'default', cpuPod('x', '500m')));
    expect(e.code).toBe(403);
    expect(e.reason).toBe('Forbidden');
    expect(e.message).toBe('pods "x" is forbidden: exceeded quota: compute, requested: requests.cpu=500m, used: requests.cpu=1800m, limited: requests.cpu=2');
    expect(c.store.get(PODS, 'default', 'x')).toBeUndefined();
    // 200m still fits; then deleting a pod frees its share.
    c.api.create(PODS, 'default', cpuPod('y', '200m'));
    c.settle();
    expect(status(c, 'compute').used['requests.cpu']).toBe('2');
    c.api.delete(PODS, 'default', 'a', { gracePeriodSeconds: 0 });
    c.settle();
    expect(status(c, 'compute').used).toEqual({ 'limits.cpu': '1', pods: '2', 'requests.cpu': '1' });
    c.api.create(PODS, 'default', cpuPod('x', '500m'));
  });

  it('names every exceeded resource, sorted', () => {
    const c = newCluster();
    c.api.create(RESOURCEQUOTAS, 'default', quota('small', { 'requests.cpu': '100m', 'requests.memory': '32Mi', pods: '5' }));
    c.settle();
    const e = rejection(() => c.api.create(PODS, 'default', cpuPod('big', '250m')));
    expect(e.message).toBe('pods "big" is forbidden: exceeded quota: small, requested: requests.cpu=250m,requests.memory=64Mi, used: requests.cpu=0,requests.memory=0, limited: requests.cpu=100m,requests.memory=32Mi');
  });

  it('requires requests and limits when a quota covers cpu', () => {
    const c = newCluster();
    c.api.create(RESOURCEQUOTAS, 'default', quota('compute', { 'requests.cpu': '2', 'limits.cpu': '2' }));
    c.settle();
    const e = rejection(() => c.api.create(PODS, 'default', pod('x')));
    expect(e.code).toBe(403);
    expect(e.message).toBe('pods "x" is forbidden: failed quota: compute: must specify limits.cpu for: x; requests.cpu for: x');
    const two = pod('two');
    two.spec.containers = [
      { name: 'app', image: 'nginx', resources: { requests: { cpu: '100m' } } },
      { name: 'side', image: 'busybox' },
    ];
    expect(rejection(() => c.api.create(PODS, 'default', two)).message).toBe('pods "two" is forbidden: failed quota: compute: must specify limits.cpu for: app,side; requests.cpu for: side');
  });

  it('counts pods and objects: pods, configmaps, count/deployments.apps', () => {
    const c = newCluster();
    c.api.create(RESOURCEQUOTAS, 'default', quota('objects', { pods: '1', configmaps: '2', 'count/deployments.apps': '0' }));
    c.settle();
    // the namespace already holds kube-root-ca.crt
    expect(status(c, 'objects').used).toEqual({ configmaps: '1', 'count/deployments.apps': '0', pods: '0' });
    c.api.create(PODS, 'default', pod('one'));
    expect(rejection(() => c.api.create(PODS, 'default', pod('two'))).message).toBe('pods "two" is forbidden: exceeded quota: objects, requested: pods=1, used: pods=1, limited: pods=1');
    c.api.create(CONFIGMAPS, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm1' } } as KObject);
    expect(rejection(() => c.api.create(CONFIGMAPS, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm2' } } as KObject)).message).toBe(
      'configmaps "cm2" is forbidden: exceeded quota: objects, requested: configmaps=1, used: configmaps=2, limited: configmaps=2',
    );
    const dep = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } } } as KObject;
    expect(rejection(() => c.api.create(DEPLOYMENTS, 'default', dep)).message).toBe(
      'deployments.apps "web" is forbidden: exceeded quota: objects, requested: count/deployments.apps=1, used: count/deployments.apps=0, limited: count/deployments.apps=0',
    );
    c.settle();
    expect(status(c, 'objects').used).toEqual({ configmaps: '2', 'count/deployments.apps': '0', pods: '1' });
    // other namespaces are not limited
    c.api.create(PODS, 'kube-public', pod('free'));
  });

  it('a dry run is checked but counts nothing', () => {
    const c = newCluster();
    c.api.create(RESOURCEQUOTAS, 'default', quota('q', { pods: '1' }));
    c.settle();
    c.api.create(PODS, 'default', pod('dry'), { dryRun: true });
    c.settle();
    expect(status(c, 'q').used).toEqual({ pods: '0' });
    c.api.create(PODS, 'default', pod('real'));
    expect(rejection(() => c.api.create(PODS, 'default', pod('dry2'), { dryRun: true })).code).toBe(403);
  });

  it('pods that finished stop counting against pods', () => {
    const c = newCluster();
    c.api.create(RESOURCEQUOTAS, 'default', quota('q', { pods: '1', 'count/pods': '5' }));
    c.settle();
    const p = pod('job', 'busybox', { restartPolicy: 'Never' });
    p.spec.containers[0].command = ['true'];
    c.api.create(PODS, 'default', p);
    c.advance(120_000);
    expect((c.store.get(PODS, 'default', 'job') as Pod).status?.phase).toBe('Succeeded');
    expect(status(c, 'q').used).toEqual({ 'count/pods': '1', pods: '0' });
    c.api.create(PODS, 'default', pod('next'));
  });

  it('a ReplicaSet whose pods are rejected records FailedCreate with the message', () => {
    const c = newCluster();
    c.api.create(RESOURCEQUOTAS, 'default', quota('pods-max', { pods: '2' }));
    c.settle();
    const rs = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web' }, spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } } } as KObject;
    c.api.create(REPLICASETS, 'default', rs);
    c.settle();
    expect(c.store.list(PODS, 'default').length).toBe(2);
    const failed = c.store.list(EVENTS, 'default').filter((e) => e.reason === 'FailedCreate');
    // the controller retries when its pods change (each try is its own event: the pod names differ)
    expect(failed.length).toBeGreaterThanOrEqual(1);
    for (const ev of failed) {
      expect(ev.message).toMatch(/^Error creating: pods "web-[a-z0-9]{5}" is forbidden: exceeded quota: pods-max, requested: pods=1, used: pods=2, limited: pods=2$/);
      expect(ev.type).toBe('Warning');
    }
  });

  it('usage survives snapshot and restore and follows the same future', () => {
    const c = newCluster();
    c.api.create(RESOURCEQUOTAS, 'default', quota('q', { pods: '2' }));
    c.api.create(PODS, 'default', pod('a'));
    c.settle();
    const b = restoreCluster(Cluster.restore(JSON.parse(JSON.stringify(c.snapshot()))));
    b.api.create(PODS, 'default', pod('b'));
    expect(rejection(() => b.api.create(PODS, 'default', pod('c'))).message).toBe('pods "c" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2');
    b.settle();
    expect(status(b, 'q').used).toEqual({ pods: '2' });
    // the last quota gone: nothing is limited or tracked any more
    b.api.delete(RESOURCEQUOTAS, 'default', 'q');
    b.settle();
    b.api.create(PODS, 'default', pod('c'));
    expect(b.records.table('resourcequota.usage').size).toBe(0);
  });

  it('a quota created after objects exist counts them, and a raised limit is seen at once', () => {
    const c = newCluster();
    for (const n of ['a', 'b', 'c']) c.api.create(PODS, 'default', cpuPod(n, '300m'));
    c.settle();
    c.api.create(RESOURCEQUOTAS, 'default', quota('late', { 'requests.cpu': '1', pods: '3' }));
    c.settle();
    expect(status(c, 'late').used).toEqual({ pods: '3', 'requests.cpu': '900m' });
    expect(rejection(() => c.api.create(PODS, 'default', cpuPod('d', '100m'))).message).toBe('pods "d" is forbidden: exceeded quota: late, requested: pods=1, used: pods=3, limited: pods=3');
    const q = c.store.get(RESOURCEQUOTAS, 'default', 'late')!;
    c.api.update(RESOURCEQUOTAS, 'default', 'late', { ...q, spec: { hard: { 'requests.cpu': '1', pods: '4' } } } as KObject);
    c.api.create(PODS, 'default', cpuPod('d', '100m'));
    c.settle();
    expect(status(c, 'late')).toEqual({ hard: { 'requests.cpu': '1', pods: '4' }, used: { pods: '4', 'requests.cpu': '1' } });
  });

  it('checks a Service update that adds a NodePort, but not updates that add nothing', () => {
    const c = newCluster();
    const SERVICES = findResource('', 'services')!;
    c.api.create(RESOURCEQUOTAS, 'default', quota('svc', { services: '5', 'services.nodeports': '0' }));
    c.settle();
    c.api.create(SERVICES, 'default', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } } as KObject);
    const svc = c.store.get(SERVICES, 'default', 'web')!;
    c.api.update(SERVICES, 'default', 'web', { ...svc, metadata: { ...svc.metadata, labels: { tier: 'front' } } } as KObject);
    const labelled = c.store.get(SERVICES, 'default', 'web')!;
    const e = rejection(() => c.api.update(SERVICES, 'default', 'web', { ...labelled, spec: { ...(labelled.spec as object), type: 'NodePort' } } as KObject));
    expect(e.message).toBe('services "web" is forbidden: exceeded quota: svc, requested: services.nodeports=1, used: services.nodeports=0, limited: services.nodeports=0');
    expect((c.store.get(SERVICES, 'default', 'web')!.spec as { type?: string }).type).toBe('ClusterIP');
    c.settle();
    // the default namespace also holds the `kubernetes` Service
    expect(status(c, 'svc').used).toEqual({ services: '2', 'services.nodeports': '0' });
  });

  it('a quota with a malformed hard map limits nothing and breaks nothing', () => {
    const c = newCluster();
    c.api.create(RESOURCEQUOTAS, 'default', { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'junk' }, spec: { hard: 'lots' } } as unknown as KObject);
    c.api.create(RESOURCEQUOTAS, 'default', quota('words', { pods: 'many' }));
    c.settle();
    c.api.create(PODS, 'default', pod('fine'));
    c.settle();
    expect(status(c, 'junk')).toEqual({ hard: {}, used: {} });
    expect(status(c, 'words').used).toEqual({ pods: '1' });
  });

  it('a quota with scopes counts only the pods in its scopes', () => {
    const c = newCluster();
    c.api.create(RESOURCEQUOTAS, 'default', { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'best-effort' }, spec: { hard: { pods: '1' }, scopes: ['BestEffort'] } } as KObject);
    c.settle();
    c.api.create(PODS, 'default', pod('be1'));
    c.api.create(PODS, 'default', cpuPod('burstable', '100m'));
    expect(rejection(() => c.api.create(PODS, 'default', pod('be2'))).message).toBe('pods "be2" is forbidden: exceeded quota: best-effort, requested: pods=1, used: pods=1, limited: pods=1');
    c.api.create(PODS, 'default', cpuPod('burstable2', '100m'));
    c.settle();
    expect(status(c, 'best-effort').used).toEqual({ pods: '1' });
  });
});
