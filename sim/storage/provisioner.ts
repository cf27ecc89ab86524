/**
 * The simulated dynamic provisioner behind the default StorageClass (and any class naming it): it makes a
 * PersistentVolume for a claim, as an external provisioner (local-path, a CSI driver) would, and deletes it
 * (with its data) when the claim goes and the reclaim policy is Delete.
 */
import type { KObject } from '../apiserver/types.ts';
import type { PVCSpec, PVSpec } from '../apiserver/registry/storage.ts';

export const PROVISIONER = 'kuberoom.io/hostpath';
export const DEFAULT_CLASS_NAME = 'standard';

/** Provisioners this sim runs; claims of classes naming another one wait, as with a provisioner not installed. */
export const SIMULATED_PROVISIONERS = new Set([PROVISIONER, 'rancher.io/local-path', 'k8s.io/minikube-hostpath']);

/** The PV the provisioner creates for a claim: named pvc-<claim uid>, sized as asked, pinned to a node if one was selected. */
export function provisionedVolume(claim: KObject, sc: KObject, selectedNode: string | undefined): KObject {
  const spec = claim.spec as PVCSpec;
  const name = `pvc-${claim.metadata.uid}`;
  const pvSpec: PVSpec = {
    accessModes: [...(spec.accessModes ?? [])],
    capacity: { storage: spec.resources?.requests?.storage ?? '1Gi' },
    claimRef: { kind: 'PersistentVolumeClaim', namespace: claim.metadata.namespace, name: claim.metadata.name, uid: claim.metadata.uid, apiVersion: 'v1', resourceVersion: claim.metadata.resourceVersion },
    hostPath: { path: `/var/local-path-provisioner/${name}_${claim.metadata.namespace}_${claim.metadata.name}`, type: 'DirectoryOrCreate' },
    persistentVolumeReclaimPolicy: String(sc.reclaimPolicy ?? 'Delete'),
    storageClassName: sc.metadata.name,
    volumeMode: spec.volumeMode ?? 'Filesystem',
  };
  if (selectedNode) {
    pvSpec.nodeAffinity = { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [selectedNode] }] }] } };
  }
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name, annotations: { 'pv.kubernetes.io/provisioned-by': String(sc.provisioner) } },
    spec: pvSpec,
  };
}
