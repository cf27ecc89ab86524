/** ControllerRevisions, as StatefulSets and DaemonSets keep their template history. */
import { findResource } from '../apiserver/resources.ts';
import type { KObject } from '../apiserver/types.ts';
import type { Cluster } from '../cluster.ts';
import { canonicalJson, computeHash, controllerRef, ownerRefTo } from './controller-utils.ts';

export const CONTROLLER_REVISIONS = findResource('apps', 'controllerrevisions')!;

/** The revisions a controller owns, oldest revision first. */
export function revisionsOf(cluster: Cluster, owner: KObject): KObject[] {
  const uid = owner.metadata.uid!;
  return cluster.store
    .list(CONTROLLER_REVISIONS, owner.metadata.namespace)
    .filter((r) => controllerRef(r)?.uid === uid)
    .sort((a, b) => ((a.revision as number) ?? 0) - ((b.revision as number) ?? 0));
}

/**
 * The revision for the owner's current template: an existing one with the same data (moved to the newest
 * revision number if it is not the newest), or a new one named `<owner>-<hash>`.
 */
export function currentRevision(cluster: Cluster, owner: KObject, template: unknown, labels: Record<string, string>): KObject {
  const data = { spec: { template: { ...(template as object), $patch: 'replace' } } };
  const key = canonicalJson(data);
  const revs = revisionsOf(cluster, owner);
  const max = revs.reduce((m, r) => Math.max(m, (r.revision as number) ?? 0), 0);
  const same = revs.find((r) => canonicalJson(r.data) === key);
  if (same) {
    if (((same.revision as number) ?? 0) < max) {
      return cluster.api.update(CONTROLLER_REVISIONS, same.metadata.namespace, same.metadata.name!, { ...same, revision: max + 1 });
    }
    return same;
  }
  const collisionCount = ((owner.status as { collisionCount?: number } | undefined)?.collisionCount ?? 0) || undefined;
  const hash = computeHash(data, collisionCount);
  const rev: KObject = {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: { name: `${owner.metadata.name}-${hash}`, namespace: owner.metadata.namespace, labels: { ...labels, 'controller-revision-hash': hash }, ownerReferences: [ownerRefTo(owner)] },
    data,
    revision: max + 1,
  };
  return cluster.api.create(CONTROLLER_REVISIONS, owner.metadata.namespace, rev);
}

/** Old revisions beyond the history limit that no pod uses are deleted, oldest first. */
export function truncateHistory(cluster: Cluster, owner: KObject, limit: number, inUse: Set<string>): void {
  const revs = revisionsOf(cluster, owner).filter((r) => !inUse.has(r.metadata.name!));
  for (let i = 0; i < revs.length - limit; i++) {
    try {
      cluster.api.delete(CONTROLLER_REVISIONS, revs[i].metadata.namespace, revs[i].metadata.name!);
    } catch {
      /* gone */
    }
  }
}
