/** The default StorageClass of a new cluster: `standard`, served by the simulated provisioner. */
import { findResource } from '../apiserver/resources.ts';
import { DEFAULT_CLASS_ANNOTATION } from '../apiserver/registry/storage.ts';
import type { Cluster } from '../cluster.ts';
import { DEFAULT_CLASS_NAME, PROVISIONER } from './provisioner.ts';

const STORAGE_CLASSES = findResource('storage.k8s.io', 'storageclasses')!;

export function createStorageDefaults(cluster: Cluster): void {
  cluster.api.create(STORAGE_CLASSES, undefined, {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: DEFAULT_CLASS_NAME, annotations: { [DEFAULT_CLASS_ANNOTATION]: 'true' } },
    provisioner: PROVISIONER,
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'Immediate',
    allowVolumeExpansion: true,
  });
}
