import { findByKind, findResource, type ResourceInfo } from '../apiserver/resources.ts';
import type { StoreEvent } from '../apiserver/store.ts';
import type { KObject, OwnerReference } from '../apiserver/types.ts';
import type { Cluster, Component } from '../cluster.ts';
import { clone, indexAdd, indexDelete } from './controller-utils.ts';

/** `group/resource|namespace|name`: where an object lives. */
type Ref = string;

function refOf(info: ResourceInfo, o: KObject): Ref {
  return `${info.group}/${info.resource}|${info.namespaced ? (o.metadata.namespace ?? '') : ''}|${o.metadata.name}`;
}

function parseRef(ref: Ref): { info: ResourceInfo; namespace: string | undefined; name: string } | undefined {
  const [gr, ns, name] = ref.split('|');
  const slash = gr.indexOf('/');
  const info = findResource(gr.slice(0, slash), gr.slice(slash + 1));
  if (!info) return undefined;
  return { info, namespace: ns || undefined, name };
}

/**
 * The garbage collector: objects whose owners are gone are deleted; an owner deleted in the foreground
 * (`foregroundDeletion` finalizer) goes once its blocking dependents are gone; an owner deleted with
 * `orphan` propagation first has its dependents released (their owner references to it removed).
 *
 * In memory it keeps owner uid → dependents (rebuilt on restore); its queue is empty at rest.
 */
export class GarbageCollector implements Component {
  readonly name = 'garbage-collector';
  /** owner uid → dependents' refs */
  private dependents = new Map<string, Set<Ref>>();
  /** dependents whose owners may be gone */
  private checkDependents = new Set<Ref>();
  /** owners being deleted with a finalizer this collector handles */
  private checkOwners = new Set<Ref>();
  private cluster: Cluster;

  constructor(cluster: Cluster) {
    this.cluster = cluster;
  }

  onStoreEvent(ev: StoreEvent): void {
    const { info, object: o, old } = ev;
    if (info.resource === 'events') return;
    const ref = refOf(info, o);
    const oldRefs = old?.metadata.ownerReferences;
    const newRefs = ev.type === 'DELETED' ? undefined : o.metadata.ownerReferences;
    if (oldRefs !== newRefs) {
      for (const r of oldRefs ?? []) indexDelete(this.dependents, r.uid, ref);
      for (const r of newRefs ?? []) indexAdd(this.dependents, r.uid, ref);
    }
    if (ev.type === 'ADDED' && newRefs?.length) this.checkDependents.add(ref);
    const uid = o.metadata.uid!;
    if (ev.type === 'DELETED') {
      // Its dependents lost an owner; its owners in the foreground may now go.
      for (const d of this.dependents.get(uid) ?? []) this.checkDependents.add(d);
      for (const r of oldRefs ?? []) this.queueOwner(o, r);
      return;
    }
    const fins = o.metadata.finalizers;
    if (o.metadata.deletionTimestamp && fins && (fins.includes('foregroundDeletion') || fins.includes('orphan'))) this.checkOwners.add(ref);
    // A dependent being deleted may unblock an owner waiting for it in the foreground.
    if (o.metadata.deletionTimestamp && !old?.metadata.deletionTimestamp) for (const r of newRefs ?? []) this.queueOwner(o, r);
  }

  private queueOwner(dep: KObject, r: OwnerReference): void {
    const info = ownerInfo(r);
    if (!info) return;
    this.checkOwners.add(`${info.group}/${info.resource}|${info.namespaced ? (dep.metadata.namespace ?? '') : ''}|${r.name}`);
  }

  restore(): void {
    this.dependents.clear();
    const { store } = this.cluster;
    for (const info of store.resourcesInUse()) {
      if (info.resource === 'events') continue;
      for (const o of store.list(info)) {
        const ref = refOf(info, o);
        for (const r of o.metadata.ownerReferences ?? []) indexAdd(this.dependents, r.uid, ref);
        const fins = o.metadata.finalizers;
        if (o.metadata.deletionTimestamp && fins && (fins.includes('foregroundDeletion') || fins.includes('orphan'))) this.checkOwners.add(ref);
      }
    }
  }

  runQueue(): boolean {
    if (this.checkDependents.size === 0 && this.checkOwners.size === 0) return false;
    const deps = [...this.checkDependents];
    this.checkDependents.clear();
    for (const d of deps) this.attemptToDelete(d);
    const owners = [...this.checkOwners];
    this.checkOwners.clear();
    for (const o of owners) this.processOwner(o);
    return true;
  }

  private lookup(ref: Ref): { info: ResourceInfo; obj: KObject } | undefined {
    const p = parseRef(ref);
    if (!p) return undefined;
    const obj = this.cluster.store.get(p.info, p.namespace, p.name);
    return obj ? { info: p.info, obj } : undefined;
  }

  /** The owner an owner reference names, if it exists with that uid. */
  private ownerOf(dep: KObject, r: OwnerReference): KObject | undefined {
    const info = ownerInfo(r);
    if (!info) return undefined;
    const o = this.cluster.store.get(info, info.namespaced ? dep.metadata.namespace : undefined, r.name);
    return o && o.metadata.uid === r.uid ? o : undefined;
  }

  /** garbagecollector.attemptToDeleteItem, for one dependent. */
  private attemptToDelete(ref: Ref): void {
    const found = this.lookup(ref);
    if (!found) return;
    const { info, obj } = found;
    const refs = obj.metadata.ownerReferences ?? [];
    if (refs.length === 0) return;
    const solid: OwnerReference[] = [];
    const dangling: OwnerReference[] = [];
    const waiting: OwnerReference[] = [];
    for (const r of refs) {
      // An owner of a kind this server does not serve cannot be looked up: like the real collector, leave it.
      if (!ownerInfo(r)) {
        solid.push(r);
        continue;
      }
      const owner = this.ownerOf(obj, r);
      if (!owner) dangling.push(r);
      else if (owner.metadata.deletionTimestamp && owner.metadata.finalizers?.includes('foregroundDeletion')) waiting.push(r);
      else solid.push(r);
    }
    const { api } = this.cluster;
    const ns = obj.metadata.namespace;
    const name = obj.metadata.name!;
    if (solid.length > 0) {
      if (dangling.length === 0 && waiting.length === 0) return;
      // Some owner still stands: drop the references to the gone (or foreground-deleting) ones.
      const drop = new Set([...dangling, ...waiting].map((r) => r.uid));
      const next = clone(obj);
      next.metadata.ownerReferences = refs.filter((r) => !drop.has(r.uid));
      this.write(() => api.update(info, ns, name, next));
      return;
    }
    if (obj.metadata.deletionTimestamp) return;
    if (waiting.length > 0 && (this.dependents.get(obj.metadata.uid!)?.size ?? 0) > 0) {
      // The owner waits for its dependents, and this one has its own: delete it in the foreground too.
      this.write(() => api.delete(info, ns, name, { propagationPolicy: 'Foreground', preconditions: { uid: obj.metadata.uid } }));
      return;
    }
    const policy = obj.metadata.finalizers?.includes('orphan') ? 'Orphan' : obj.metadata.finalizers?.includes('foregroundDeletion') ? 'Foreground' : 'Background';
    this.write(() => api.delete(info, ns, name, { propagationPolicy: policy, preconditions: { uid: obj.metadata.uid } }));
  }

  /** An owner with the `orphan` or `foregroundDeletion` finalizer. */
  private processOwner(ref: Ref): void {
    const found = this.lookup(ref);
    if (!found) return;
    const { info, obj } = found;
    if (!obj.metadata.deletionTimestamp) return;
    const fins = obj.metadata.finalizers ?? [];
    const uid = obj.metadata.uid!;
    const deps = [...(this.dependents.get(uid) ?? [])];
    const { api } = this.cluster;
    if (fins.includes('orphan')) {
      for (const d of deps) {
        const dep = this.lookup(d);
        if (!dep) continue;
        const next = clone(dep.obj);
        next.metadata.ownerReferences = (next.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid);
        if (next.metadata.ownerReferences.length === 0) delete next.metadata.ownerReferences;
        this.write(() => api.update(dep.info, dep.obj.metadata.namespace, dep.obj.metadata.name!, next));
      }
      this.removeFinalizer(info, obj, 'orphan');
      return;
    }
    if (fins.includes('foregroundDeletion')) {
      let blocking = 0;
      for (const d of deps) {
        const dep = this.lookup(d);
        if (!dep) continue;
        const r = dep.obj.metadata.ownerReferences?.find((x) => x.uid === uid);
        if (!r) continue;
        if (r.blockOwnerDeletion) blocking++;
        if (!dep.obj.metadata.deletionTimestamp) this.checkDependents.add(d);
      }
      if (blocking === 0) this.removeFinalizer(info, obj, 'foregroundDeletion');
    }
  }

  private removeFinalizer(info: ResourceInfo, obj: KObject, finalizer: string): void {
    const latest = this.cluster.store.get(info, obj.metadata.namespace, obj.metadata.name!);
    if (!latest || latest.metadata.uid !== obj.metadata.uid) return;
    const next = clone(latest);
    next.metadata.finalizers = (next.metadata.finalizers ?? []).filter((f) => f !== finalizer);
    if (next.metadata.finalizers.length === 0) delete next.metadata.finalizers;
    this.write(() => this.cluster.api.update(info, obj.metadata.namespace, obj.metadata.name!, next));
  }

  /** A write that lost a race (the object changed or went) is retried by the events it caused. */
  private write(fn: () => unknown): void {
    try {
      fn();
    } catch {
      /* the next store event requeues */
    }
  }
}

function ownerInfo(r: OwnerReference): ResourceInfo | undefined {
  return findByKind(r.apiVersion, r.kind);
}
