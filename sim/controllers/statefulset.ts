import { findResource, PODS } from '../apiserver/resources.ts';
import type { StoreEvent } from '../apiserver/store.ts';
import type { KObject, Pod } from '../apiserver/types.ts';
import type { Cluster, Component } from '../cluster.ts';
import { clone, controllerRef, isPodAvailable, isPodReady, keyOf, ownerRefTo, podFromTemplate, splitKey, type PodTemplate } from './controller-utils.ts';
import { CONTROLLER_REVISIONS, currentRevision, truncateHistory } from './revisions.ts';

export const STATEFULSETS = findResource('apps', 'statefulsets')!;
const PVCS = findResource('', 'persistentvolumeclaims')!;
const SOURCE = { component: 'statefulset-controller' };
const REVISION_LABEL = 'controller-revision-hash';

interface StatefulSetSpec {
  replicas?: number;
  selector?: { matchLabels?: Record<string, string> };
  template?: PodTemplate;
  serviceName?: string;
  podManagementPolicy?: 'OrderedReady' | 'Parallel';
  updateStrategy?: { type?: string; rollingUpdate?: { partition?: number; maxUnavailable?: number | string } };
  revisionHistoryLimit?: number;
  minReadySeconds?: number;
  volumeClaimTemplates?: KObject[];
  ordinals?: { start?: number };
}

const isTerminal = (p: Pod) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
const runningAndReady = (p: Pod) => p.status?.phase === 'Running' && isPodReady(p);

/**
 * The StatefulSet controller: pods with stable names `<set>-<ordinal>` (and their claims
 * `<template>-<set>-<ordinal>`), created in order and each waiting for the one before to be Running and Ready
 * (OrderedReady) or all at once (Parallel), removed from the highest ordinal down, and updated from the
 * highest ordinal down to the partition, one at a time, by revision (ControllerRevisions).
 */
export class StatefulSetController implements Component {
  readonly name = 'statefulset-controller';
  private queue = new Set<string>();
  private cluster: Cluster;

  constructor(cluster: Cluster) {
    this.cluster = cluster;
  }

  onStoreEvent(ev: StoreEvent): void {
    const o = ev.object;
    if (ev.info === STATEFULSETS) {
      if (ev.type !== 'DELETED') this.queue.add(keyOf(o.metadata.namespace, o.metadata.name!));
    } else if (ev.info === PODS) {
      const ref = controllerRef(o) ?? (ev.old ? controllerRef(ev.old) : undefined);
      if (ref?.kind === 'StatefulSet') this.queue.add(keyOf(o.metadata.namespace, ref.name));
    }
  }

  restore(): void {
    for (const s of this.cluster.store.list(STATEFULSETS)) this.queue.add(keyOf(s.metadata.namespace, s.metadata.name!));
  }

  runQueue(): boolean {
    if (this.queue.size === 0) return false;
    const keys = [...this.queue].sort();
    this.queue.clear();
    for (const k of keys) {
      const [ns, name] = splitKey(k);
      const set = this.cluster.store.get(STATEFULSETS, ns, name);
      if (!set || set.metadata.deletionTimestamp) continue;
      try {
        this.sync(set);
      } catch (e) {
        if (!(e as { code?: number }).code) throw e;
      }
    }
    return true;
  }

  private podName(set: KObject, i: number): string {
    return `${set.metadata.name}-${i}`;
  }

  private sync(set: KObject): void {
    const { api, store } = this.cluster;
    const spec = set.spec as StatefulSetSpec;
    const ns = set.metadata.namespace!;
    const name = set.metadata.name!;
    const replicas = spec.replicas ?? 1;
    const start = spec.ordinals?.start ?? 0;
    const parallel = spec.podManagementPolicy === 'Parallel';
    const updateRev = currentRevision(this.cluster, set, spec.template, spec.selector?.matchLabels ?? {});
    const updateHash = updateRev.metadata.name!;
    const old = (set.status ?? {}) as Record<string, any>;
    const currentHash: string = old.currentRevision ?? updateHash;
    // The pods this set owns, by ordinal.
    // Pods are found by name (ordinals up to what the set had or wants), not by listing the namespace.
    const pods = new Map<number, Pod>();
    const upTo = start + Math.max(replicas, (old.replicas as number | undefined) ?? 0) + 1;
    for (let i = start; i <= upTo; i++) {
      const p = store.get(PODS, ns, this.podName(set, i)) as Pod | undefined;
      if (p && controllerRef(p)?.uid === set.metadata.uid) pods.set(i, p);
    }
    const want = new Set<number>();
    for (let i = start; i < start + replicas; i++) want.add(i);
    let blocked = false;
    // Failed pods are replaced; missing pods created (in order unless Parallel).
    for (let i = start; i < start + replicas && !blocked; i++) {
      const p = pods.get(i);
      if (p && isTerminal(p) && !p.metadata.deletionTimestamp) {
        api.delete(PODS, ns, p.metadata.name!, { preconditions: { uid: p.metadata.uid } });
        this.cluster.events.record(set, 'Normal', 'SuccessfulDelete', `delete Pod ${p.metadata.name} in StatefulSet ${name} successful`, SOURCE);
        if (!parallel) blocked = true;
        continue;
      }
      if (!p) {
        const revision = i < start + (spec.updateStrategy?.rollingUpdate?.partition ?? 0) && old.currentRevision ? currentHash : updateHash;
        this.createPod(set, i, revision);
        if (!parallel) blocked = true;
        continue;
      }
      if (!parallel && (p.metadata.deletionTimestamp || !runningAndReady(p))) blocked = true;
    }
    // Condemned pods (ordinal beyond replicas) go from the highest ordinal, one at a time unless Parallel.
    if (!blocked) {
      const condemned = [...pods.keys()].filter((i) => !want.has(i)).sort((a, b) => b - a);
      for (const i of condemned) {
        const p = pods.get(i)!;
        if (p.metadata.deletionTimestamp) {
          if (!parallel) {
            blocked = true;
            break;
          }
          continue;
        }
        api.delete(PODS, ns, p.metadata.name!, { preconditions: { uid: p.metadata.uid } });
        this.cluster.events.record(set, 'Normal', 'SuccessfulDelete', `delete Pod ${p.metadata.name} in StatefulSet ${name} successful`, SOURCE);
        if (!parallel) {
          blocked = true;
          break;
        }
      }
    }
    // Rolling update: from the highest ordinal down to the partition, one pod at a time.
    if (!blocked && (spec.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate') {
      const partition = spec.updateStrategy?.rollingUpdate?.partition ?? 0;
      const ordinals = [...want].sort((a, b) => b - a);
      const allReady = ordinals.every((i) => pods.get(i) && runningAndReady(pods.get(i)!) && !pods.get(i)!.metadata.deletionTimestamp);
      if (allReady) {
        for (const i of ordinals) {
          if (i < start + partition) break;
          const p = pods.get(i)!;
          if (p.metadata.labels?.[REVISION_LABEL] !== updateHash) {
            api.delete(PODS, ns, p.metadata.name!, { preconditions: { uid: p.metadata.uid } });
            this.cluster.events.record(set, 'Normal', 'SuccessfulDelete', `delete Pod ${p.metadata.name} in StatefulSet ${name} successful`, SOURCE);
            break;
          }
        }
      }
    }
    // Status.
    const live = [...pods.values()].map((p) => store.get(PODS, ns, p.metadata.name!) as Pod | undefined).filter((p): p is Pod => !!p);
    for (const i of want) if (!pods.has(i)) {
      const p = store.get(PODS, ns, this.podName(set, i)) as Pod | undefined;
      if (p && controllerRef(p)?.uid === set.metadata.uid) live.push(p);
    }
    const counted = live.filter((p) => !isTerminal(p));
    const now = this.cluster.now();
    const updated = counted.filter((p) => p.metadata.labels?.[REVISION_LABEL] === updateHash).length;
    const st: Record<string, unknown> = {
      observedGeneration: set.metadata.generation,
      replicas: counted.filter((p) => !p.metadata.deletionTimestamp).length,
      readyReplicas: counted.filter((p) => !p.metadata.deletionTimestamp && isPodReady(p)).length,
      currentReplicas: 0,
      updatedReplicas: updated,
      currentRevision: currentHash,
      updateRevision: updateHash,
      collisionCount: old.collisionCount ?? 0,
      availableReplicas: counted.filter((p) => !p.metadata.deletionTimestamp && isPodAvailable(p, spec.minReadySeconds ?? 0, now)).length,
    };
    // When every pod runs the update revision and is ready, the update revision becomes the current one.
    if (updated === replicas && st.readyReplicas === replicas && live.length === replicas) st.currentRevision = updateHash;
    st.currentReplicas = counted.filter((p) => !p.metadata.deletionTimestamp && p.metadata.labels?.[REVISION_LABEL] === st.currentRevision).length;
    if (!st.readyReplicas) delete st.readyReplicas;
    if (!st.currentReplicas) delete st.currentReplicas;
    if (!st.updatedReplicas) delete st.updatedReplicas;
    if (!st.availableReplicas) st.availableReplicas = 0;
    if (JSON.stringify(st) !== JSON.stringify(old)) api.update(STATEFULSETS, ns, name, { ...set, status: st }, { subresource: 'status' });
    const inUse = new Set<string>([String(st.currentRevision), updateHash]);
    truncateHistory(this.cluster, set, spec.revisionHistoryLimit ?? 10, inUse);
  }

  private createPod(set: KObject, i: number, revision: string): void {
    const { api, store } = this.cluster;
    const spec = set.spec as StatefulSetSpec;
    const ns = set.metadata.namespace!;
    const name = this.podName(set, i);
    let template = spec.template ?? {};
    const rev = store.get(CONTROLLER_REVISIONS, ns, revision);
    if (rev) template = clone(((rev.data as any)?.spec?.template ?? template) as PodTemplate);
    delete (template as any).$patch;
    const pod = podFromTemplate(set, template, { name });
    pod.metadata.labels = {
      ...(pod.metadata.labels ?? {}),
      [REVISION_LABEL]: revision,
      'statefulset.kubernetes.io/pod-name': name,
      'apps.kubernetes.io/pod-index': String(i),
    };
    pod.spec.hostname = name;
    if (spec.serviceName) pod.spec.subdomain = spec.serviceName;
    // Claims from the volume claim templates, created before the pod.
    for (const tpl of spec.volumeClaimTemplates ?? []) {
      const claim = `${tpl.metadata.name}-${name}`;
      const vols = ((pod.spec.volumes as unknown[]) ?? []).filter((v) => (v as { name: string }).name !== tpl.metadata.name);
      vols.push({ name: tpl.metadata.name, persistentVolumeClaim: { claimName: claim } });
      pod.spec.volumes = vols;
      if (!store.get(PVCS, ns, claim)) {
        const pvc: KObject = {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: { name: claim, namespace: ns, labels: { ...(tpl.metadata.labels ?? {}), ...(spec.selector?.matchLabels ?? {}) } },
          spec: clone(tpl.spec),
        };
        const policy = (set.spec as { persistentVolumeClaimRetentionPolicy?: { whenDeleted?: string } }).persistentVolumeClaimRetentionPolicy;
        if (policy?.whenDeleted === 'Delete') pvc.metadata.ownerReferences = [{ ...ownerRefTo(set), controller: false }];
        try {
          api.create(PVCS, ns, pvc);
          this.cluster.events.record(set, 'Normal', 'SuccessfulCreate', `create Claim ${claim} Pod ${name} in StatefulSet ${set.metadata.name} success`, SOURCE);
        } catch (e) {
          this.cluster.events.record(set, 'Warning', 'FailedCreate', `create Claim ${claim} for Pod ${name} in StatefulSet ${set.metadata.name} failed error: ${(e as Error).message}`, SOURCE);
          return;
        }
      }
    }
    try {
      api.create(PODS, ns, pod);
      this.cluster.events.record(set, 'Normal', 'SuccessfulCreate', `create Pod ${name} in StatefulSet ${set.metadata.name} successful`, SOURCE);
    } catch (e) {
      this.cluster.events.record(set, 'Warning', 'FailedCreate', `create Pod ${name} in StatefulSet ${set.metadata.name} failed error: ${(e as Error).message}`, SOURCE);
    }
  }
}
