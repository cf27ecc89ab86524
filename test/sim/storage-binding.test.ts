import { describe, expect, it } from 'vitest';
import { StatusError } from '../../sim/apiserver/errors.ts';
import { EVENTS, findResource, PODS } from '../../sim/apiserver/resources.ts';
import type { KObject, Pod } from '../../sim/apiserver/types.ts';
import { Cluster } from '../../sim/cluster.ts';
import { listFiles, readFile, volumeForClaim, writeFile } from '../../sim/storage/volumes.ts';
import { printTableRow } from './network-helpers.ts';
import { newCluster } from './helpers.ts';

const PVCS = findResource('', 'persistentvolumeclaims')!;
const PVS = findResource('', 'persistentvolumes')!;
const SCS = findResource('storage.k8s.io', 'storageclasses')!;

function claim(c: Cluster, name: string, spec: Record<string, unknown> = {}): KObject {
  const out = c.api.create(PVCS, 'default', { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...spec } });
  c.settle();
  return out;
}

function pvc(c: Cluster, name: string): KObject & { spec: Record<string, unknown>; status?: Record<string, unknown> } {
  return c.store.get(PVCS, 'default', name) as never;
}

function eventsOf(c: Cluster, name: string): string[] {
  return c.store
    .list(EVENTS, 'default')
    .filter((e) => (e.involvedObject as { name: string }).name === name)
    .sort((a, b) => Number(a.metadata.resourceVersion) - Number(b.metadata.resourceVersion))
    .map((e) => `${e.type} ${e.reason} ${e.message}`);
}

function usingPod(name: string, claimName: string): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'main', image: 'nginx' }], volumes: [{ name: 'data', persistentVolumeClaim: { claimName } }] } as Pod['spec'] };
}

describe('the default StorageClass', () => {
  it('is standard, marked default, and fills in a claim\'s class', () => {
    const c = newCluster();
    const sc = c.store.get(SCS, undefined, 'standard')!;
    expect(printTableRow(c, SCS, sc).slice(0, 5)).toEqual(['standard (default)', 'kuberoom.io/hostpath', 'Delete', 'Immediate', true]);
    expect(claim(c, 'data').spec).toMatchObject({ storageClassName: 'standard', volumeMode: 'Filesystem' });
  });
});

describe('a claim of the default class (Immediate)', () => {
  it('is Pending, then Bound to a provisioned volume a second later', () => {
    const c = newCluster();
    const created = claim(c, 'data', { resources: { requests: { storage: '2Gi' } } });
    expect(created.metadata.finalizers).toEqual(['kubernetes.io/pvc-protection']);
    expect(printTableRow(c, PVCS, pvc(c, 'data')).slice(0, 6)).toEqual(['data', 'Pending', '', '', '', 'standard']);
    c.advance(2000);
    const bound = pvc(c, 'data');
    const pvName = `pvc-${created.metadata.uid}`;
    expect(printTableRow(c, PVCS, bound).slice(0, 6)).toEqual(['data', 'Bound', pvName, '2Gi', 'RWO', 'standard']);
    expect(bound.metadata.annotations).toMatchObject({ 'pv.kubernetes.io/bind-completed': 'yes', 'pv.kubernetes.io/bound-by-controller': 'yes', 'volume.kubernetes.io/storage-provisioner': 'kuberoom.io/hostpath' });
    const pv = c.store.get(PVS, undefined, pvName)!;
    expect(printTableRow(c, PVS, pv).slice(0, 7)).toEqual([pvName, '2Gi', 'RWO', 'Delete', 'Bound', 'default/data', 'standard']);
    const ev = eventsOf(c, 'data');
    expect(ev[0]).toBe(
      "Normal ExternalProvisioning Waiting for a volume to be created either by the external provisioner 'kuberoom.io/hostpath' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.",
    );
    expect(ev).toContain('Normal Provisioning External provisioner is provisioning volume for claim "default/data"');
    expect(ev).toContain(`Normal ProvisioningSucceeded Successfully provisioned volume ${pvName}`);
  });

  it('keeps its data across pods; deleting it deletes the volume and its data (reclaim Delete)', () => {
    const c = newCluster();
    claim(c, 'data');
    c.advance(2000);
    const pvName = volumeForClaim(c, 'default', 'data')!;
    writeFile(c, pvName, '/notes.txt', 'hello\n');
    c.api.create(PODS, 'default', usingPod('p1', 'data'));
    c.settle();
    c.advance(30_000);
    // A claim in use is protected: deleting it leaves it Terminating until the pod goes.
    c.api.delete(PVCS, 'default', 'data');
    c.settle();
    expect(printTableRow(c, PVCS, pvc(c, 'data'))[1]).toBe('Terminating');
    expect(readFile(c, pvName, 'notes.txt')).toBe('hello\n');
    c.api.delete(PODS, 'default', 'p1');
    c.settle();
    c.advance(60_000);
    expect(pvc(c, 'data')).toBeUndefined();
    expect(c.store.get(PVS, undefined, pvName)).toBeUndefined();
    expect(listFiles(c, pvName)).toEqual([]);
  });
});

describe('a pre-made PersistentVolume', () => {
  function makePV(c: Cluster, name: string, size: string, policy = 'Retain', cls = 'manual') {
    c.api.create(PVS, undefined, { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name }, spec: { capacity: { storage: size }, accessModes: ['ReadWriteOnce'], persistentVolumeReclaimPolicy: policy, storageClassName: cls, hostPath: { path: `/mnt/${name}` } } });
    c.settle();
  }

  it('is Available, binds the smallest fitting claim, and is Released (Retain) when the claim goes', () => {
    const c = newCluster();
    makePV(c, 'big', '10Gi');
    makePV(c, 'small', '1Gi');
    expect(printTableRow(c, PVS, c.store.get(PVS, undefined, 'small')!)[4]).toBe('Available');
    claim(c, 'mine', { storageClassName: 'manual', resources: { requests: { storage: '500Mi' } } });
    expect(printTableRow(c, PVCS, pvc(c, 'mine')).slice(0, 5)).toEqual(['mine', 'Bound', 'small', '1Gi', 'RWO']);
    c.api.delete(PVCS, 'default', 'mine');
    c.settle();
    const pv = c.store.get(PVS, undefined, 'small')!;
    expect(printTableRow(c, PVS, pv).slice(3, 6)).toEqual(['Retain', 'Released', 'default/mine']);
    // A new claim does not get a Released volume.
    claim(c, 'again', { storageClassName: 'manual', resources: { requests: { storage: '500Mi' } } });
    expect(pvc(c, 'again').spec.volumeName).toBe('big');
  });

  it('leaves a claim Pending when nothing fits and no class can provision', () => {
    const c = newCluster();
    claim(c, 'orphan', { storageClassName: '' });
    expect(pvc(c, 'orphan').status).toEqual({ phase: 'Pending' });
    expect(eventsOf(c, 'orphan')).toContain('Normal FailedBinding no persistent volumes available for this claim and no storage class is set');
    claim(c, 'noclass', { storageClassName: 'fast' });
    expect(eventsOf(c, 'noclass')).toContain('Warning ProvisioningFailed storageclass.storage.k8s.io "fast" not found');
  });
});

describe('WaitForFirstConsumer', () => {
  it('waits for a pod using the claim to be scheduled, then provisions on its node', () => {
    const c = newCluster();
    c.api.create(SCS, undefined, { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'local' }, provisioner: 'rancher.io/local-path', volumeBindingMode: 'WaitForFirstConsumer' });
    claim(c, 'wait', { storageClassName: 'local' });
    c.advance(5000);
    expect(pvc(c, 'wait').status).toEqual({ phase: 'Pending' });
    expect(eventsOf(c, 'wait')).toContain('Normal WaitForFirstConsumer waiting for first consumer to be created before binding');
    c.api.create(PODS, 'default', usingPod('user', 'wait'));
    c.settle();
    c.advance(5000);
    const node = (c.store.get(PODS, 'default', 'user') as Pod).spec.nodeName;
    expect(node).toBeTruthy();
    const bound = pvc(c, 'wait');
    expect(bound.status?.phase).toBe('Bound');
    expect(bound.metadata.annotations?.['volume.kubernetes.io/selected-node']).toBe(node);
    const pv = c.store.get(PVS, undefined, bound.spec.volumeName as string)!;
    expect(JSON.stringify(pv.spec)).toContain(`"values":["${node}"]`);
  });
});

describe('validation', () => {
  it('rejects claims without access modes or size, and spec changes', () => {
    const c = newCluster();
    const err = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return (e as StatusError).message;
      }
      return '';
    };
    expect(err(() => claim(c, 'x', { accessModes: [] }))).toBe('PersistentVolumeClaim "x" is invalid: spec.accessModes: Required value: at least 1 access mode is required');
    expect(err(() => claim(c, 'x', { resources: {} }))).toBe('PersistentVolumeClaim "x" is invalid: spec.resources[storage]: Required value');
    claim(c, 'ok');
    const made = pvc(c, 'ok');
    expect(err(() => c.api.update(PVCS, 'default', 'ok', { ...made, spec: { ...(made.spec as object), accessModes: ['ReadWriteMany'] } }))).toBe(
      'PersistentVolumeClaim "ok" is invalid: spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims',
    );
  });
});

describe('a namespace being deleted', () => {
  it('goes with its Services, claims, volumes, ServiceAccount and CA ConfigMap, none of which come back', () => {
    const c = newCluster();
    const NAMESPACES = findResource('', 'namespaces')!;
    const SERVICES = findResource('', 'services')!;
    const SAS = findResource('', 'serviceaccounts')!;
    c.api.create(NAMESPACES, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
    c.settle();
    expect(c.store.get(SAS, 'shop', 'default')).toBeDefined();
    expect(c.store.get(findResource('', 'configmaps')!, 'shop', 'kube-root-ca.crt')!.data).toHaveProperty('ca.crt');
    c.api.create(SERVICES, 'shop', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } });
    c.api.create(PVCS, 'shop', { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } });
    c.api.create(PODS, 'shop', { ...usingPod('user', 'data'), metadata: { name: 'user', namespace: 'shop' } });
    c.settle();
    c.advance(30_000);
    const pv = (c.store.get(PVCS, 'shop', 'data') as KObject & { spec: { volumeName: string } }).spec.volumeName;
    expect(pv).toBeTruthy();
    c.api.delete(NAMESPACES, undefined, 'shop');
    c.settle();
    c.advance(120_000);
    expect(c.store.get(NAMESPACES, undefined, 'shop')).toBeUndefined();
    for (const info of c.store.resourcesInUse()) if (info.namespaced) expect(c.store.list(info, 'shop'), info.resource).toEqual([]);
    expect(c.store.get(PVS, undefined, pv)).toBeUndefined();
  });
});

