/**
 * The contents of PersistentVolumes: a small file store per volume, kept in the record store so data
 * survives pod restarts, rescheduling and snapshots. The kubelet mounts a claim's volume by its PV name and
 * reads and writes files through this API; a volume reclaimed with policy Delete loses its files.
 *
 * Records: `vol:files` key "<pv>\u0000<path>" → content; `vol:index` key "<pv>" → sorted paths.
 */
import { findResource } from '../apiserver/resources.ts';
import type { KObject } from '../apiserver/types.ts';
import type { Cluster } from '../cluster.ts';

const FILES = 'vol:files';
const INDEX = 'vol:index';
const PVCS = findResource('', 'persistentvolumeclaims')!;
/** Per-file and per-volume limits, so one room cannot fill its storage through a volume. */
export const MAX_FILE_BYTES = 1024 * 1024;
export const MAX_FILES_PER_VOLUME = 1000;

function norm(path: string): string {
  const parts: string[] = [];
  for (const p of path.split('/')) {
    if (!p || p === '.') continue;
    if (p === '..') parts.pop();
    else parts.push(p);
  }
  return '/' + parts.join('/');
}

export function readFile(cluster: Cluster, pvName: string, path: string): string | undefined {
  return cluster.records.get<string>(FILES, `${pvName}\u0000${norm(path)}`);
}

/** Writes a file (paths are relative to the volume's root); throws an Error with the shell's words when full. */
export function writeFile(cluster: Cluster, pvName: string, path: string, content: string): void {
  const p = norm(path);
  if (p === '/') throw new Error('Is a directory');
  if (content.length > MAX_FILE_BYTES) throw new Error('No space left on device');
  const index = cluster.records.get<string[]>(INDEX, pvName) ?? [];
  if (!index.includes(p)) {
    if (index.length >= MAX_FILES_PER_VOLUME) throw new Error('No space left on device');
    cluster.records.set(INDEX, pvName, [...index, p].sort());
  }
  cluster.records.set(FILES, `${pvName}\u0000${p}`, content);
}

export function deleteFile(cluster: Cluster, pvName: string, path: string): boolean {
  const p = norm(path);
  const index = cluster.records.get<string[]>(INDEX, pvName) ?? [];
  if (!index.includes(p)) return false;
  cluster.records.set(INDEX, pvName, index.filter((x) => x !== p));
  cluster.records.delete(FILES, `${pvName}\u0000${p}`);
  return true;
}

/** Every file path in a volume, sorted. */
export function listFiles(cluster: Cluster, pvName: string): string[] {
  return [...(cluster.records.get<string[]>(INDEX, pvName) ?? [])];
}

/** Drops a volume's contents (the provisioner deleting the backing storage). */
export function deleteVolumeData(cluster: Cluster, pvName: string): void {
  for (const p of cluster.records.get<string[]>(INDEX, pvName) ?? []) cluster.records.delete(FILES, `${pvName}\u0000${p}`);
  cluster.records.delete(INDEX, pvName);
}

/** The PV a claim is bound to (what a pod's `persistentVolumeClaim` volume mounts), or undefined. */
export function volumeForClaim(cluster: Cluster, namespace: string, claimName: string): string | undefined {
  const pvc = cluster.store.get(PVCS, namespace, claimName) as (KObject & { spec?: { volumeName?: string }; status?: { phase?: string } }) | undefined;
  if (!pvc || pvc.status?.phase !== 'Bound') return undefined;
  return pvc.spec?.volumeName;
}
