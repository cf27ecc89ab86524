import { findResource, PODS } from '../apiserver/resources.ts';
import { matchesLabels, selectorFromSpec } from '../apiserver/selectors.ts';
import type { StoreEvent } from '../apiserver/store.ts';
import type { Condition, KObject, Pod } from '../apiserver/types.ts';
import type { Cluster, Component } from '../cluster.ts';
import { parseTime, rfc3339 } from '../util/time.ts';
import { canonicalJson, clone, computeHash, controllerRef, keyOf, ownerRefTo, scaledValue, splitKey, type PodTemplate } from './controller-utils.ts';
import { REPLICASETS, type ReplicaSetController, type ReplicaSetSpec } from './replicaset.ts';

export const DEPLOYMENTS = findResource('apps', 'deployments')!;

export const REVISION = 'deployment.kubernetes.io/revision';
const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
const DESIRED_REPLICAS = 'deployment.kubernetes.io/desired-replicas';
const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas';
const HASH_LABEL = 'pod-template-hash';
/** Deployment annotations that are not copied to its ReplicaSets. */
const SKIP_ANNOTATIONS = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION,
  REVISION_HISTORY,
  DESIRED_REPLICAS,
  MAX_REPLICAS,
  'deprecated.deployment.rollback.to',
]);

const SOURCE = { component: 'deployment-controller' };

interface DeploymentSpec {
  replicas?: number;
  selector?: ReplicaSetSpec['selector'];
  template?: PodTemplate;
  strategy?: { type?: string; rollingUpdate?: { maxSurge?: number | string; maxUnavailable?: number | string } };
  minReadySeconds?: number;
  revisionHistoryLimit?: number;
  paused?: boolean;
  progressDeadlineSeconds?: number;
}

interface DeploymentStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  conditions?: Condition[];
  collisionCount?: number;
}

interface RSStatus {
  replicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
}

const rsSpec = (rs: KObject) => rs.spec as ReplicaSetSpec;
const rsStatus = (rs: KObject) => (rs.status ?? {}) as RSStatus;
const replicasOf = (rs: KObject) => rsSpec(rs).replicas ?? 0;
const revisionOf = (o: KObject) => Number(o.metadata.annotations?.[REVISION] ?? 0) || 0;

/** Sorted oldest first (by creation time, then name), as controller.ReplicaSetsByCreationTimestamp. */
function byCreation(a: KObject, b: KObject): number {
  const ta = parseTime(a.metadata.creationTimestamp) ?? 0;
  const tb = parseTime(b.metadata.creationTimestamp) ?? 0;
  return ta - tb || (a.metadata.name! < b.metadata.name! ? -1 : a.metadata.name! > b.metadata.name! ? 1 : 0);
}

/** The template without the pod-template-hash label, canonical, for EqualIgnoreHash. */
const templateKeys = new WeakMap<object, string>();

function templateKey(t: PodTemplate | undefined): string {
  // Stored objects are immutable: a template's key is computed once.
  if (t && typeof t === 'object') {
    let k = templateKeys.get(t);
    if (k === undefined) {
      k = computeTemplateKey(t);
      templateKeys.set(t, k);
    }
    return k;
  }
  return computeTemplateKey(t);
}

function computeTemplateKey(t: PodTemplate | undefined): string {
  const c = clone(t ?? {}) as PodTemplate;
  if (c.metadata?.labels) {
    delete c.metadata.labels[HASH_LABEL];
    if (Object.keys(c.metadata.labels).length === 0) delete c.metadata.labels;
  }
  return canonicalJson(c);
}

/** maxSurge and maxUnavailable resolved against the replicas (deploymentutil.ResolveFenceposts). */
export function resolveFenceposts(spec: DeploymentSpec): [number, number] {
  const desired = spec.replicas ?? 1;
  const ru = spec.strategy?.rollingUpdate ?? {};
  const surge = scaledValue(ru.maxSurge ?? '25%', desired, true);
  let unavailable = scaledValue(ru.maxUnavailable ?? '25%', desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return [surge, unavailable];
}

function isRolling(spec: DeploymentSpec): boolean {
  return (spec.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
}

function maxSurge(spec: DeploymentSpec): number {
  return isRolling(spec) ? resolveFenceposts(spec)[0] : 0;
}

function maxUnavailable(spec: DeploymentSpec): number {
  const replicas = spec.replicas ?? 1;
  if (!isRolling(spec) || replicas === 0) return 0;
  return Math.min(resolveFenceposts(spec)[1], replicas);
}

/**
 * The Deployment controller: one ReplicaSet per template revision (named after a hash of the template),
 * rolled out with RollingUpdate (maxSurge/maxUnavailable) or Recreate, scaled proportionally, paused and
 * resumed, with the Available and Progressing conditions and the progress deadline on the virtual clock.
 */
export class DeploymentController implements Component {
  readonly name = 'deployment-controller';
  private queue = new Set<string>();
  private cluster: Cluster;

  readonly timers = {
    'deployment.resync': (d: { key: string }) => this.queue.add(d.key),
  };

  constructor(cluster: Cluster) {
    this.cluster = cluster;
  }

  onStoreEvent(ev: StoreEvent): void {
    const o = ev.object;
    if (ev.info === DEPLOYMENTS) {
      const key = keyOf(o.metadata.namespace, o.metadata.name!);
      if (ev.type !== 'DELETED') this.queue.add(key);
      else this.cluster.records.delete('deployment-controller', key);
    } else if (ev.info === REPLICASETS) {
      const ref = controllerRef(o) ?? (ev.old ? controllerRef(ev.old) : undefined);
      if (ref) {
        if (ref.kind === 'Deployment') this.queue.add(keyOf(o.metadata.namespace, ref.name));
      } else if (ev.type !== 'DELETED') {
        for (const d of this.cluster.store.list(DEPLOYMENTS, o.metadata.namespace)) if (this.selects(d, o)) this.queue.add(keyOf(o.metadata.namespace, d.metadata.name!));
      }
    } else if (ev.info === PODS && ev.type === 'DELETED') {
      // Recreate waits for the old pods to be gone.
      const ref = controllerRef(o);
      if (ref?.kind !== 'ReplicaSet') return;
      const rs = this.cluster.store.get(REPLICASETS, o.metadata.namespace, ref.name);
      const dref = rs ? controllerRef(rs) : undefined;
      if (dref?.kind === 'Deployment') this.queue.add(keyOf(o.metadata.namespace, dref.name));
    }
  }

  restore(): void {
    for (const d of this.cluster.store.list(DEPLOYMENTS)) this.queue.add(keyOf(d.metadata.namespace, d.metadata.name!));
  }

  runQueue(): boolean {
    if (this.queue.size === 0) return false;
    const keys = [...this.queue].sort();
    this.queue.clear();
    for (const k of keys) {
      const [ns, name] = splitKey(k);
      const d = this.cluster.store.get(DEPLOYMENTS, ns, name);
      if (!d) continue;
      try {
        this.sync(d);
      } catch (e) {
        // A write lost a race with another writer; the events it caused bring the deployment back.
        if (!(e as { code?: number }).code) throw e;
      }
    }
    return true;
  }

  private selects(d: KObject, o: KObject): boolean {
    try {
      const sel = selectorFromSpec((d.spec as DeploymentSpec).selector);
      return sel.length > 0 && matchesLabels(sel, o.metadata.labels);
    } catch {
      return false;
    }
  }

  /** The deployment's ReplicaSets: those it controls, plus orphans its selector matches (adopted). */
  private claimReplicaSets(d: KObject): KObject[] {
    const out: KObject[] = [];
    const uid = d.metadata.uid!;
    for (const rs of this.cluster.store.list(REPLICASETS, d.metadata.namespace)) {
      const ref = controllerRef(rs);
      if (ref) {
        if (ref.uid === uid) {
          if (this.selects(d, rs)) out.push(rs);
          else if (!d.metadata.deletionTimestamp) {
            const next = clone(rs);
            next.metadata.ownerReferences = (next.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid);
            this.cluster.api.update(REPLICASETS, rs.metadata.namespace, rs.metadata.name!, next);
          }
        }
        continue;
      }
      if (d.metadata.deletionTimestamp || rs.metadata.deletionTimestamp || !this.selects(d, rs)) continue;
      const next = clone(rs);
      next.metadata.ownerReferences = [...(next.metadata.ownerReferences ?? []), ownerRefTo(d)];
      out.push(this.cluster.api.update(REPLICASETS, rs.metadata.namespace, rs.metadata.name!, next));
    }
    return out;
  }

  private sync(d: KObject): void {
    const spec = d.spec as DeploymentSpec;
    if (d.metadata.deletionTimestamp) return;
    let sel;
    try {
      sel = selectorFromSpec(spec.selector);
    } catch {
      return;
    }
    if (sel.length === 0) {
      this.cluster.events.record(d, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.', SOURCE);
      return;
    }
    const rsList = this.claimReplicaSets(d);
    d = this.checkPausedConditions(d);
    if (spec.paused) return this.syncScaleOnly(d, rsList);
    if (this.isScalingEvent(d, rsList)) return this.syncScaleOnly(d, rsList);
    if (spec.strategy?.type === 'Recreate') return this.rolloutRecreate(d, rsList);
    return this.rolloutRolling(d, rsList);
  }

  // --- conditions --------------------------------------------------------------------------------------------

  private checkPausedConditions(d: KObject): KObject {
    const spec = d.spec as DeploymentSpec;
    const status = (d.status ?? {}) as DeploymentStatus;
    if (spec.progressDeadlineSeconds === undefined || spec.progressDeadlineSeconds === null) return d;
    const cond = status.conditions?.find((c) => c.type === 'Progressing');
    if (cond?.reason === 'ProgressDeadlineExceeded') return d;
    const pausedCondExists = cond?.reason === 'DeploymentPaused';
    let next: Condition | undefined;
    if (spec.paused && !pausedCondExists) next = this.condition('Progressing', 'Unknown', 'DeploymentPaused', 'Deployment is paused');
    else if (!spec.paused && pausedCondExists) next = this.condition('Progressing', 'Unknown', 'DeploymentResumed', 'Deployment is resumed');
    if (!next) return d;
    const st = clone(status);
    setCondition(st, next);
    return this.writeStatus(d, st);
  }

  private condition(type: string, status: Condition['status'], reason: string, message: string): Condition {
    const now = rfc3339(this.cluster.now());
    return { type, status, lastUpdateTime: now, lastTransitionTime: now, reason, message };
  }

  // --- ReplicaSets and revisions ------------------------------------------------------------------------------

  /** Finds (or, when asked, creates) the new ReplicaSet, syncing its revision; returns [new, old]. */
  private getAllReplicaSets(d: KObject, rsList: KObject[], create: boolean): [KObject | undefined, KObject[], KObject] {
    const spec = d.spec as DeploymentSpec;
    const sorted = [...rsList].sort(byCreation);
    const want = templateKey(spec.template);
    let newRS = sorted.find((rs) => templateKey(rsSpec(rs).template) === want);
    const oldRSs = sorted.filter((rs) => rs !== newRS);
    let maxOld = 0;
    for (const rs of oldRSs) maxOld = Math.max(maxOld, revisionOf(rs));
    const newRevision = String(maxOld + 1);
    const { api } = this.cluster;
    if (newRS) {
      const next = clone(newRS);
      const changed = this.setNewRSAnnotations(d, next, newRevision, true);
      if (changed) newRS = api.update(REPLICASETS, next.metadata.namespace, next.metadata.name!, next);
      d = this.setDeploymentRevision(d, newRS.metadata.annotations?.[REVISION] ?? newRevision);
      const status = (d.status ?? {}) as DeploymentStatus;
      if (spec.progressDeadlineSeconds !== undefined && !status.conditions?.some((c) => c.type === 'Progressing')) {
        const st = clone(status);
        setCondition(st, this.condition('Progressing', 'True', 'FoundNewReplicaSet', `Found new replica set "${newRS.metadata.name}"`));
        d = this.writeStatus(d, st);
      }
      return [newRS, oldRSs, d];
    }
    if (!create) return [undefined, oldRSs, d];
    // A new ReplicaSet for this template: named after the template's hash.
    const status = (d.status ?? {}) as DeploymentStatus;
    const hash = computeHash(spec.template, status.collisionCount);
    const template = clone(spec.template ?? {}) as PodTemplate;
    template.metadata ??= {};
    template.metadata.labels = { ...(template.metadata.labels ?? {}), [HASH_LABEL]: hash };
    const selector = clone(spec.selector ?? {});
    selector.matchLabels = { ...(selector.matchLabels ?? {}), [HASH_LABEL]: hash };
    const rs: KObject = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${d.metadata.name}-${hash}`,
        namespace: d.metadata.namespace,
        labels: { ...(template.metadata.labels ?? {}) },
        ownerReferences: [ownerRefTo(d)],
      },
      spec: { replicas: 0, minReadySeconds: spec.minReadySeconds ?? 0, selector, template },
    };
    this.setNewRSAnnotations(d, rs, newRevision, false);
    const newReplicas = this.newRSNewReplicas(d, oldRSs, rs);
    (rs.spec as ReplicaSetSpec).replicas = newReplicas;
    let created: KObject;
    try {
      created = api.create(REPLICASETS, d.metadata.namespace, rs);
    } catch (e) {
      if ((e as { code?: number }).code === 409) {
        // A ReplicaSet of that name with another template: bump the collision count and try again.
        const existing = this.cluster.store.get(REPLICASETS, d.metadata.namespace, rs.metadata.name!);
        if (existing && templateKey(rsSpec(existing).template) !== want) {
          const st = clone(status);
          st.collisionCount = (st.collisionCount ?? 0) + 1;
          this.writeStatus(d, st);
        }
        return [undefined, oldRSs, d];
      }
      const msg = `Failed to create new replica set "${rs.metadata.name}": ${(e as Error).message}`;
      this.cluster.events.record(d, 'Warning', 'ReplicaSetCreateError', msg, SOURCE);
      throw e;
    }
    if (newReplicas > 0) this.cluster.events.record(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata.name} from 0 to ${newReplicas}`, SOURCE);
    d = this.setDeploymentRevision(d, newRevision);
    if (spec.progressDeadlineSeconds !== undefined) {
      const st = clone((d.status ?? {}) as DeploymentStatus);
      setCondition(st, this.condition('Progressing', 'True', 'NewReplicaSetCreated', `Created new replica set "${created.metadata.name}"`), true);
      d = this.writeStatus(d, st);
    }
    return [created, oldRSs, d];
  }

  /** SetNewReplicaSetAnnotations: revision (with history), the deployment's annotations, replicas bounds. */
  private setNewRSAnnotations(d: KObject, rs: KObject, newRevision: string, exists: boolean): boolean {
    const before = JSON.stringify(rs.metadata.annotations ?? {});
    const ann = (rs.metadata.annotations ??= {});
    for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) if (!SKIP_ANNOTATIONS.has(k)) ann[k] = v;
    const old = ann[REVISION];
    const oldN = Number(old ?? 0) || 0;
    if (oldN < Number(newRevision)) {
      ann[REVISION] = newRevision;
      if (exists && old) ann[REVISION_HISTORY] = ann[REVISION_HISTORY] ? `${ann[REVISION_HISTORY]},${old}` : old;
    }
    const spec = d.spec as DeploymentSpec;
    ann[DESIRED_REPLICAS] = String(spec.replicas ?? 1);
    ann[MAX_REPLICAS] = String((spec.replicas ?? 1) + maxSurge(spec));
    return JSON.stringify(ann) !== before;
  }

  private setDeploymentRevision(d: KObject, revision: string): KObject {
    if (d.metadata.annotations?.[REVISION] === revision) return d;
    const next = clone(d);
    next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [REVISION]: revision };
    return this.cluster.api.update(DEPLOYMENTS, d.metadata.namespace, d.metadata.name!, next);
  }

  /** NewRSNewReplicas: how big the new ReplicaSet may be now. */
  private newRSNewReplicas(d: KObject, oldRSs: KObject[], newRS: KObject): number {
    const spec = d.spec as DeploymentSpec;
    const replicas = spec.replicas ?? 1;
    if (!isRolling(spec)) return replicas;
    const cur = replicasOf(newRS);
    if (cur >= replicas) return cur;
    const surge = maxSurge(spec);
    let current = cur;
    for (const rs of oldRSs) current += replicasOf(rs);
    const maxTotal = replicas + surge;
    if (current >= maxTotal) return cur;
    const up = Math.min(maxTotal - current, replicas - cur);
    return cur + up;
  }

  /** Scales a ReplicaSet (and its replica annotations), with the ScalingReplicaSet event. */
  private scaleReplicaSet(d: KObject, rs: KObject, newScale: number): [boolean, KObject] {
    const spec = d.spec as DeploymentSpec;
    const sizeChanged = replicasOf(rs) !== newScale;
    const ann = rs.metadata.annotations ?? {};
    const desired = String(spec.replicas ?? 1);
    const max = String((spec.replicas ?? 1) + maxSurge(spec));
    if (!sizeChanged && ann[DESIRED_REPLICAS] === desired && ann[MAX_REPLICAS] === max) return [false, rs];
    const oldScale = replicasOf(rs);
    const next = clone(rs);
    (next.spec as ReplicaSetSpec).replicas = newScale;
    next.metadata.annotations = { ...ann, [DESIRED_REPLICAS]: desired, [MAX_REPLICAS]: max };
    const updated = this.cluster.api.update(REPLICASETS, rs.metadata.namespace, rs.metadata.name!, next);
    if (sizeChanged) {
      const op = oldScale < newScale ? 'up' : 'down';
      this.cluster.events.record(d, 'Normal', 'ScalingReplicaSet', `Scaled ${op} replica set ${rs.metadata.name} from ${oldScale} to ${newScale}`, SOURCE);
    }
    return [sizeChanged, updated];
  }

  // --- scaling ---------------------------------------------------------------------------------------------------

  private isScalingEvent(d: KObject, rsList: KObject[]): boolean {
    const [newRS, oldRSs] = this.getAllReplicaSets(d, rsList, false);
    const want = String((d.spec as DeploymentSpec).replicas ?? 1);
    for (const rs of [newRS, ...oldRSs]) {
      if (!rs || replicasOf(rs) === 0) continue;
      const desired = rs.metadata.annotations?.[DESIRED_REPLICAS];
      if (desired !== undefined && desired !== want) return true;
    }
    return false;
  }

  private syncScaleOnly(d: KObject, rsList: KObject[]): void {
    let newRS: KObject | undefined;
    let oldRSs: KObject[];
    [newRS, oldRSs, d] = this.getAllReplicaSets(d, rsList, false);
    this.scale(d, newRS, oldRSs);
    const spec = d.spec as DeploymentSpec;
    const fresh = this.freshList(d);
    [newRS, oldRSs] = this.split(d, fresh);
    if (spec.paused && !newRS) this.cleanup(d, oldRSs);
    this.syncDeploymentStatus(d, newRS, fresh);
  }

  private freshList(d: KObject): KObject[] {
    const uid = d.metadata.uid!;
    return this.cluster.store.list(REPLICASETS, d.metadata.namespace).filter((rs) => controllerRef(rs)?.uid === uid);
  }

  private split(d: KObject, list: KObject[]): [KObject | undefined, KObject[]] {
    const want = templateKey((d.spec as DeploymentSpec).template);
    const sorted = [...list].sort(byCreation);
    const newRS = sorted.find((rs) => templateKey(rsSpec(rs).template) === want);
    return [newRS, sorted.filter((rs) => rs !== newRS)];
  }

  /** deploymentController.scale: replicas changed while not rolling out (or paused): scale proportionally. */
  private scale(d: KObject, newRS: KObject | undefined, oldRSs: KObject[]): void {
    const spec = d.spec as DeploymentSpec;
    const replicas = spec.replicas ?? 1;
    const all = [newRS, ...oldRSs].filter((x): x is KObject => !!x);
    const active = all.filter((rs) => replicasOf(rs) > 0);
    if (active.length <= 1) {
      const target = active[0] ?? newRS ?? [...oldRSs].sort(byCreation).reverse()[0];
      if (target) this.scaleReplicaSet(d, target, replicas);
      return;
    }
    if (newRS && replicasOf(newRS) === replicas && (rsStatus(newRS).availableReplicas ?? 0) === replicas) {
      for (const rs of oldRSs) if (replicasOf(rs) > 0) this.scaleReplicaSet(d, rs, 0);
      return;
    }
    if (!isRolling(spec)) return;
    let allReplicas = 0;
    for (const rs of active) allReplicas += replicasOf(rs);
    const allowed = replicas > 0 ? replicas + maxSurge(spec) : 0;
    const toAdd = allowed - allReplicas;
    // Larger first; newer first among equals when scaling up, older first when scaling down.
    const ordered = [...active].sort((a, b) => replicasOf(b) - replicasOf(a) || (toAdd > 0 ? byCreation(b, a) : byCreation(a, b)));
    const sizes = new Map<KObject, number>();
    let added = 0;
    if (toAdd !== 0) {
      for (const rs of ordered) {
        const annotated = Number(rs.metadata.annotations?.[MAX_REPLICAS] ?? 0) || ((d.status as DeploymentStatus | undefined)?.replicas ?? 0);
        let fraction: number;
        if (replicas === 0) fraction = -replicasOf(rs);
        else if (annotated === 0) fraction = toAdd > 0 ? toAdd : 0;
        else fraction = Math.round((replicasOf(rs) * allowed) / annotated) - replicasOf(rs);
        const left = toAdd - added;
        const prop = toAdd > 0 ? Math.min(fraction, left) : Math.max(fraction, left);
        sizes.set(rs, replicasOf(rs) + prop);
        added += prop;
      }
      if (ordered.length && added !== toAdd) {
        const first = ordered[0];
        sizes.set(first, Math.max(0, (sizes.get(first) ?? replicasOf(first)) + (toAdd - added)));
      }
    }
    for (const rs of all) this.scaleReplicaSet(d, rs, sizes.get(rs) ?? replicasOf(rs));
  }

  // --- strategies ------------------------------------------------------------------------------------------------

  private rolloutRolling(d: KObject, rsList: KObject[]): void {
    let newRS: KObject | undefined;
    let oldRSs: KObject[];
    [newRS, oldRSs, d] = this.getAllReplicaSets(d, rsList, true);
    if (!newRS) return this.syncRolloutStatus(d, undefined, this.freshList(d));
    const spec = d.spec as DeploymentSpec;
    const replicas = spec.replicas ?? 1;
    // Scale up the new ReplicaSet as far as maxSurge allows.
    if (replicasOf(newRS) !== replicas) {
      const size = replicasOf(newRS) > replicas ? replicas : this.newRSNewReplicas(d, oldRSs, newRS);
      const [scaled] = this.scaleReplicaSet(d, newRS, size);
      if (scaled) return this.syncRolloutStatus(d, ...this.splitFresh(d));
    }
    // Scale down old ReplicaSets as far as maxUnavailable allows.
    if (this.reconcileOldReplicaSets(d, newRS, oldRSs)) return this.syncRolloutStatus(d, ...this.splitFresh(d));
    const [n, list] = this.splitFresh(d);
    const status = this.calculateStatus(d, n, list);
    if (deploymentComplete(d, status)) this.cleanup(d, list.filter((rs) => rs !== n));
    this.syncRolloutStatus(d, n, list);
  }

  private splitFresh(d: KObject): [KObject | undefined, KObject[]] {
    const list = this.freshList(d);
    return [this.split(d, list)[0], list];
  }

  private reconcileOldReplicaSets(d: KObject, newRS: KObject, oldRSs: KObject[]): boolean {
    const spec = d.spec as DeploymentSpec;
    const replicas = spec.replicas ?? 1;
    let oldCount = 0;
    for (const rs of oldRSs) oldCount += replicasOf(rs);
    if (oldCount === 0) return false;
    const all = [newRS, ...oldRSs];
    let allCount = 0;
    for (const rs of all) allCount += replicasOf(rs);
    const minAvailable = replicas - maxUnavailable(spec);
    const newUnavailable = replicasOf(newRS) - (rsStatus(newRS).availableReplicas ?? 0);
    const maxScaledDown = allCount - minAvailable - newUnavailable;
    if (maxScaledDown <= 0) return false;
    // First the old ReplicaSets' unhealthy pods, which count for nothing.
    let cleaned = 0;
    const olds = oldRSs.filter((rs) => replicasOf(rs) > 0).sort(byCreation);
    const after: KObject[] = [];
    for (const rs of olds) {
      let cur = rs;
      if (cleaned < maxScaledDown) {
        const unhealthy = replicasOf(rs) - (rsStatus(rs).availableReplicas ?? 0);
        if (unhealthy > 0) {
          const down = Math.min(maxScaledDown - cleaned, unhealthy);
          cur = this.scaleReplicaSet(d, rs, replicasOf(rs) - down)[1];
          cleaned += down;
        }
      }
      after.push(cur);
    }
    // Then available pods, keeping minAvailable.
    let available = rsStatus(newRS).availableReplicas ?? 0;
    for (const rs of oldRSs) available += rsStatus(rs).availableReplicas ?? 0;
    let scaledDown = 0;
    if (available > minAvailable) {
      const total = Math.min(available - minAvailable, maxScaledDown - cleaned);
      for (const rs of after) {
        if (scaledDown >= total) break;
        if (replicasOf(rs) === 0) continue;
        const down = Math.min(replicasOf(rs), total - scaledDown);
        this.scaleReplicaSet(d, rs, replicasOf(rs) - down);
        scaledDown += down;
      }
    }
    return cleaned + scaledDown > 0;
  }

  private rolloutRecreate(d: KObject, rsList: KObject[]): void {
    let newRS: KObject | undefined;
    let oldRSs: KObject[];
    [newRS, oldRSs, d] = this.getAllReplicaSets(d, rsList, false);
    let scaled = false;
    for (const rs of oldRSs) if (replicasOf(rs) > 0) scaled = this.scaleReplicaSet(d, rs, 0)[0] || scaled;
    if (scaled) return this.syncRolloutStatus(d, ...this.splitFresh(d));
    const rsc = (this.cluster as Cluster & { replicaSets?: ReplicaSetController }).replicaSets;
    for (const rs of oldRSs) {
      if ((rsStatus(rs).replicas ?? 0) > 0) return this.syncRolloutStatus(d, newRS, this.freshList(d));
      for (const key of rsc?.podsOf(rs.metadata.uid!) ?? []) {
        const [ns, name] = splitKey(key);
        const p = this.cluster.store.get(PODS, ns, name) as Pod | undefined;
        if (p && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed') return this.syncRolloutStatus(d, newRS, this.freshList(d));
      }
    }
    if (!newRS) [newRS, oldRSs, d] = this.getAllReplicaSets(d, this.freshList(d), true);
    if (newRS) this.scaleReplicaSet(d, newRS, (d.spec as DeploymentSpec).replicas ?? 1);
    const [n, list] = this.splitFresh(d);
    if (deploymentComplete(d, this.calculateStatus(d, n, list))) this.cleanup(d, list.filter((rs) => rs !== n));
    this.syncRolloutStatus(d, n, list);
  }

  /** Old ReplicaSets beyond revisionHistoryLimit that run nothing are deleted, oldest revision first. */
  private cleanup(d: KObject, oldRSs: KObject[]): void {
    const limit = (d.spec as DeploymentSpec).revisionHistoryLimit;
    if (limit === undefined || limit === null) return;
    const clean = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp);
    const diff = clean.length - limit;
    if (diff <= 0) return;
    clean.sort((a, b) => revisionOf(a) - revisionOf(b) || byCreation(a, b));
    let removed = 0;
    for (const rs of clean) {
      if (removed >= diff) break;
      if ((rsStatus(rs).replicas ?? 0) !== 0 || replicasOf(rs) !== 0 || (rsStatus(rs).observedGeneration ?? 0) < (rs.metadata.generation ?? 0)) continue;
      this.cluster.api.delete(REPLICASETS, rs.metadata.namespace, rs.metadata.name!, { propagationPolicy: 'Background' });
      removed++;
    }
  }

  // --- status ----------------------------------------------------------------------------------------------------

  private calculateStatus(d: KObject, newRS: KObject | undefined, all: KObject[]): DeploymentStatus {
    const spec = d.spec as DeploymentSpec;
    const old = (d.status ?? {}) as DeploymentStatus;
    let replicas = 0;
    let ready = 0;
    let available = 0;
    for (const rs of all) {
      const s = rsStatus(rs);
      replicas += s.replicas ?? 0;
      ready += s.readyReplicas ?? 0;
      available += s.availableReplicas ?? 0;
    }
    const updated = newRS ? (rsStatus(newRS).replicas ?? 0) : 0;
    const want = spec.replicas ?? 1;
    const st: DeploymentStatus = { observedGeneration: d.metadata.generation };
    if (replicas) st.replicas = replicas;
    if (updated) st.updatedReplicas = updated;
    if (ready) st.readyReplicas = ready;
    if (available) st.availableReplicas = available;
    if (want - available > 0) st.unavailableReplicas = want - available;
    st.conditions = clone(old.conditions ?? []);
    if (old.collisionCount !== undefined) st.collisionCount = old.collisionCount;
    if (available >= want - maxUnavailable(spec)) {
      setCondition(st, this.condition('Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.'));
    } else {
      setCondition(st, this.condition('Available', 'False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.'));
    }
    if (!st.conditions.length) delete st.conditions;
    return st;
  }

  private syncDeploymentStatus(d: KObject, newRS: KObject | undefined, all: KObject[]): void {
    d = this.cluster.store.get(DEPLOYMENTS, d.metadata.namespace, d.metadata.name!) ?? d;
    this.writeStatus(d, this.calculateStatus(d, newRS, all));
  }

  private syncRolloutStatus(d: KObject, newRS: KObject | undefined, all: KObject[]): void {
    d = this.cluster.store.get(DEPLOYMENTS, d.metadata.namespace, d.metadata.name!) ?? d;
    const spec = d.spec as DeploymentSpec;
    const st = this.calculateStatus(d, newRS, all);
    const deadline = spec.progressDeadlineSeconds;
    if (deadline === undefined || deadline === null) {
      st.conditions = (st.conditions ?? []).filter((c) => c.type !== 'Progressing');
      if (!st.conditions.length) delete st.conditions;
      this.writeStatus(d, st);
      return;
    }
    const cur = st.conditions?.find((c) => c.type === 'Progressing');
    const complete = st.replicas === st.updatedReplicas && cur?.reason === 'NewReplicaSetAvailable';
    if (!spec.paused && !complete) {
      const name = newRS?.metadata.name;
      if (deploymentComplete(d, st)) {
        setCondition(st, this.condition('Progressing', 'True', 'NewReplicaSetAvailable', name ? `ReplicaSet "${name}" has successfully progressed.` : `Deployment "${d.metadata.name}" has successfully progressed.`));
      } else if (deploymentProgressing(d, st)) {
        const c = this.condition('Progressing', 'True', 'ReplicaSetUpdated', name ? `ReplicaSet "${name}" is progressing.` : `Deployment "${d.metadata.name}" is progressing.`);
        if (cur && cur.status === 'True') c.lastTransitionTime = cur.lastTransitionTime;
        st.conditions = (st.conditions ?? []).filter((x) => x.type !== 'Progressing');
        setCondition(st, c);
      } else if (this.timedOut(d, st)) {
        setCondition(st, this.condition('Progressing', 'False', 'ProgressDeadlineExceeded', name ? `ReplicaSet "${name}" has timed out progressing.` : `Deployment "${d.metadata.name}" has timed out progressing.`));
      }
    }
    d = this.writeStatus(d, st);
    // Come back when the deadline passes, unless the rollout is complete or already timed out.
    const c = st.conditions?.find((x) => x.type === 'Progressing');
    if (c && !spec.paused && c.reason !== 'NewReplicaSetAvailable' && c.reason !== 'ProgressDeadlineExceeded' && !deploymentComplete(d, st)) {
      const from = parseTime(c.lastUpdateTime) ?? this.cluster.now();
      const at = from + deadline * 1000 + 1000;
      const key = keyOf(d.metadata.namespace, d.metadata.name!);
      const rec = `${key}@${at}`;
      if (this.cluster.records.get('deployment-controller', key) !== rec) {
        this.cluster.records.set('deployment-controller', key, rec);
        this.cluster.timers.add(Math.max(at, this.cluster.now()), 'deployment.resync', { key });
      }
    }
  }

  private timedOut(d: KObject, st: DeploymentStatus): boolean {
    const deadline = (d.spec as DeploymentSpec).progressDeadlineSeconds;
    if (deadline === undefined || deadline === null) return false;
    const c = st.conditions?.find((x) => x.type === 'Progressing');
    if (!c) return false;
    if (c.reason === 'NewReplicaSetAvailable') return false;
    if (c.reason === 'ProgressDeadlineExceeded') return true;
    const from = parseTime(c.lastUpdateTime) ?? this.cluster.now();
    return from + deadline * 1000 < this.cluster.now();
  }

  private writeStatus(d: KObject, st: DeploymentStatus): KObject {
    const latest = this.cluster.store.get(DEPLOYMENTS, d.metadata.namespace, d.metadata.name!) ?? d;
    if (canonicalJson(latest.status ?? {}) === canonicalJson(st)) return latest;
    return this.cluster.api.update(DEPLOYMENTS, d.metadata.namespace, d.metadata.name!, { ...latest, status: st }, { subresource: 'status' });
  }
}

/** SetDeploymentCondition: same status and reason changes nothing; same status keeps lastTransitionTime. */
function setCondition(st: DeploymentStatus, c: Condition, force = false): void {
  const list = (st.conditions ??= []);
  const cur = list.find((x) => x.type === c.type);
  if (cur && cur.status === c.status && cur.reason === c.reason && !force) return;
  if (cur && cur.status === c.status) c.lastTransitionTime = cur.lastTransitionTime;
  st.conditions = [...list.filter((x) => x.type !== c.type), c];
}

function deploymentComplete(d: KObject, st: DeploymentStatus): boolean {
  const want = (d.spec as DeploymentSpec).replicas ?? 1;
  return (st.updatedReplicas ?? 0) === want && (st.replicas ?? 0) === want && (st.availableReplicas ?? 0) === want && (st.observedGeneration ?? 0) >= (d.metadata.generation ?? 0);
}

function deploymentProgressing(d: KObject, st: DeploymentStatus): boolean {
  const old = (d.status ?? {}) as DeploymentStatus;
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (st.replicas ?? 0) - (st.updatedReplicas ?? 0);
  return (
    (st.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) ||
    newOld < oldOld ||
    (st.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
    (st.availableReplicas ?? 0) > (old.availableReplicas ?? 0)
  );
}
