// The scheduler's VolumeBinding plugin: a pod waits, with kube-scheduler's FailedScheduling message, while a
// claim it mounts is missing or (Immediate binding) unbound, and is scheduled as soon as the claim binds.
import { describe, expect, it } from 'vitest';
import { EVENTS, findResource } from '../../sim/apiserver/resources.ts';
import type { KObject, Pod } from '../../sim/apiserver/types.ts';
import type { Cluster } from '../../sim/cluster.ts';
import { createPod, getPod, newCluster } from './helpers.ts';

const PVCS = findResource('', 'persistentvolumeclaims')!;
const PVS = findResource('', 'persistentvolumes')!;
const SCS = findResource('storage.k8s.io', 'storageclasses')!;
const NOT_HELPFUL = 'preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.';

function claim(c: Cluster, name: string, spec: Record<string, unknown> = {}): void {
  c.api.create(PVCS, 'default', { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...spec } });
  c.settle();
}

function usingClaim(name: string, claimName = 'data'): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'main', image: 'nginx:1.27' }], volumes: [{ name: 'data', persistentVolumeClaim: { claimName } }] } } as unknown as Pod;
}

function failedScheduling(c: Cluster, pod: string): string[] {
  return (c.store.list(EVENTS, 'default') as KObject[])
    .filter((e) => (e.involvedObject as { name: string }).name === pod && e.reason === 'FailedScheduling')
    .map((e) => e.message as string);
}

describe('scheduling pods that mount claims', () => {
  it('a missing claim keeps the pod Pending; creating it lets the pod run', () => {
    const c = newCluster();
    createPod(c, usingClaim('app'));
    c.advance(1000);
    const msg = `0/3 nodes are available: persistentvolumeclaim "data" not found. ${NOT_HELPFUL}`;
    expect(failedScheduling(c, 'app')).toEqual([msg]);
    expect(getPod(c, 'app')!.status!.conditions).toContainEqual(expect.objectContaining({ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: msg }));
    // The default class binds at once (Immediate): the claim's binding re-queues the pod, no 5-minute wait.
    claim(c, 'data');
    c.advance(10_000);
    const pod = getPod(c, 'app')!;
    expect(pod.spec.nodeName).toMatch(/^node-\d$/);
    expect(pod.status!.phase).toBe('Running');
  });

  it('an unbound claim of an Immediate class keeps the pod Pending until a volume binds it', () => {
    const c = newCluster();
    claim(c, 'data', { storageClassName: '' });
    createPod(c, usingClaim('app'));
    c.advance(5000);
    expect(failedScheduling(c, 'app')).toEqual([`0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. ${NOT_HELPFUL}`]);
    expect(getPod(c, 'app')!.spec.nodeName).toBeUndefined();
    c.api.create(PVS, undefined, {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: 'disk' },
      spec: { capacity: { storage: '5Gi' }, accessModes: ['ReadWriteOnce'], storageClassName: '', hostPath: { path: '/mnt/disk' } },
    });
    c.settle();
    c.advance(10_000);
    expect((c.store.get(PVCS, 'default', 'data') as KObject & { status: { phase: string } }).status.phase).toBe('Bound');
    expect(getPod(c, 'app')!.status!.phase).toBe('Running');
  });

  it('a WaitForFirstConsumer claim does not hold the pod back: it binds on the node the pod was given', () => {
    const c = newCluster();
    c.api.create(SCS, undefined, { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'local' }, provisioner: 'kuberoom.io/hostpath', volumeBindingMode: 'WaitForFirstConsumer' });
    claim(c, 'data', { storageClassName: 'local' });
    createPod(c, usingClaim('app'));
    c.advance(10_000);
    expect(failedScheduling(c, 'app')).toEqual([]);
    const pod = getPod(c, 'app')!;
    const pvc = c.store.get(PVCS, 'default', 'data') as KObject & { status: { phase: string } };
    expect(pvc.metadata.annotations?.['volume.kubernetes.io/selected-node']).toBe(pod.spec.nodeName);
    expect(pvc.status.phase).toBe('Bound');
    expect(pod.status!.phase).toBe('Running');
  });

  it('a claim being provisioned when the pod arrives: one FailedScheduling, then the pod runs', () => {
    const c = newCluster();
    c.api.create(PVCS, 'default', { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } });
    createPod(c, usingClaim('app'));
    c.advance(10_000);
    expect(failedScheduling(c, 'app')).toEqual([`0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. ${NOT_HELPFUL}`]);
    expect(getPod(c, 'app')!.status!.phase).toBe('Running');
  });
});
