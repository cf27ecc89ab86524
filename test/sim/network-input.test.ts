import { expect, it } from 'vitest';
import { StatusError } from '../../sim/apiserver/errors.ts';
import { findResource } from '../../sim/apiserver/resources.ts';
import { newCluster } from './helpers.ts';
const weird = [null, 'x', 5, true, [], {}, [null], ['x'], [{}], { a: null }, { a: 5 }, -1, 1e9, [1, 2]];
it('odd values in Services, volumes, classes, policies, ConfigMaps and Secrets get a 4xx, never a crash', () => {
  const c = newCluster();
  const targets: [string, string, string, string, (v: unknown) => Record<string, unknown>[]][] = [
    ['', 'services', 'v1', 'Service', (v) => ['type', 'ports', 'selector', 'clusterIP', 'clusterIPs', 'externalIPs', 'externalName', 'sessionAffinity', 'sessionAffinityConfig', 'internalTrafficPolicy', 'externalTrafficPolicy'].flatMap((k) => [{ spec: { [k]: v, ports: [{ port: 80 }] } }, { spec: { type: 'NodePort', ports: [{ port: 80, [k]: v }] } }, { spec: { [k]: v } }, { spec: v }])],
    ['', 'persistentvolumeclaims', 'v1', 'PersistentVolumeClaim', (v) => ['accessModes', 'resources', 'storageClassName', 'volumeName', 'volumeMode', 'selector'].flatMap((k) => [{ spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, [k]: v } }, { spec: v }])],
    ['', 'persistentvolumes', 'v1', 'PersistentVolume', (v) => ['accessModes', 'capacity', 'hostPath', 'claimRef', 'persistentVolumeReclaimPolicy', 'storageClassName'].flatMap((k) => [{ spec: { accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' }, hostPath: { path: '/x' }, [k]: v } }, { spec: v }])],
    ['storage.k8s.io', 'storageclasses', 'storage.k8s.io/v1', 'StorageClass', (v) => ['provisioner', 'reclaimPolicy', 'volumeBindingMode', 'parameters'].map((k) => ({ provisioner: 'x', [k]: v }))],
    ['networking.k8s.io', 'networkpolicies', 'networking.k8s.io/v1', 'NetworkPolicy', (v) => ['podSelector', 'policyTypes', 'ingress', 'egress'].flatMap((k) => [{ spec: { [k]: v } }, { spec: { ingress: [{ from: v, ports: v }] } }, { spec: { egress: [{ to: [{ ipBlock: v, podSelector: v }] }] } }, { spec: v }])],
    ['', 'configmaps', 'v1', 'ConfigMap', (v) => [{ data: v }, { binaryData: v }, { immutable: v }]],
    ['', 'secrets', 'v1', 'Secret', (v) => [{ data: v }, { stringData: v }, { type: v }]],
  ];
  let n = 0;
  for (const [group, resource, apiVersion, kind, make] of targets) {
    const info = findResource(group, resource)!;
    for (const v of weird) {
      for (const extra of make(v)) {
        const name = `x${n++}`;
        try {
          c.api.create(info, info.namespaced ? 'default' : undefined, { apiVersion, kind, metadata: { name }, ...extra });
          c.settle();
          c.advance(2000);
        } catch (e) {
          if (!(e instanceof StatusError) || e.code >= 500) throw new Error(`${kind} ${JSON.stringify(extra)}: ${(e as Error).stack}`);
        }
      }
    }
  }
  expect(n).toBeGreaterThan(100);
});

it('a value of the wrong JSON type is the API server\'s 400, and nothing is stored', () => {
  const c = newCluster();
  const SERVICES = findResource('', 'services')!;
  const before = c.store.count(SERVICES);
  let err: StatusError | undefined;
  try {
    c.api.create(SERVICES, 'default', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'bad' }, spec: { clusterIPs: 'x', ports: [{ port: 80 }] } });
  } catch (e) {
    err = e as StatusError;
  }
  expect(err?.code).toBe(400);
  expect(err?.message).toBe('Service in version "v1" cannot be handled as a Service: json: cannot unmarshal string into Go struct field ServiceSpec.spec.clusterIPs of type []string');
  expect(c.store.count(SERVICES)).toBe(before);
});

