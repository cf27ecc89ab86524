import { NAMESPACES } from '../apiserver/resources.ts';
import type { StoreEvent } from '../apiserver/store.ts';
import type { Cluster, Component } from '../cluster.ts';

/**
 * The namespace controller: a namespace being deleted is emptied (every namespaced object deleted), then its
 * `kubernetes` finalizer is removed and it goes.
 */
export class NamespaceController implements Component {
  readonly name = 'namespace-controller';
  private queue = new Set<string>();

  private cluster: Cluster;

  constructor(cluster: Cluster) {
    this.cluster = cluster;
  }

  onStoreEvent(ev: StoreEvent): void {
    if (ev.info === NAMESPACES && ev.type !== 'DELETED' && ev.object.metadata.deletionTimestamp) {
      this.queue.add(ev.object.metadata.name!);
    } else if (ev.type === 'DELETED' && ev.info.namespaced && ev.object.metadata.namespace) {
      const ns = this.cluster.store.get(NAMESPACES, undefined, ev.object.metadata.namespace);
      if (ns?.metadata.deletionTimestamp) this.queue.add(ns.metadata.name!);
    }
  }

  restore(): void {
    for (const ns of this.cluster.store.list(NAMESPACES)) if (ns.metadata.deletionTimestamp) this.queue.add(ns.metadata.name!);
  }

  runQueue(): boolean {
    if (this.queue.size === 0) return false;
    const names = [...this.queue];
    this.queue.clear();
    for (const name of names) this.sync(name);
    return true;
  }

  private sync(name: string): void {
    const { store, api } = this.cluster;
    const ns = store.get(NAMESPACES, undefined, name);
    if (!ns?.metadata.deletionTimestamp) return;
    let remaining = 0;
    for (const info of store.resourcesInUse()) {
      if (!info.namespaced) continue;
      for (const obj of store.list(info, name)) {
        remaining++;
        if (!obj.metadata.deletionTimestamp) api.delete(info, name, obj.metadata.name!, { propagationPolicy: 'Background' });
      }
    }
    if (remaining > 0) return;
    store.remove(NAMESPACES, ns);
  }
}
