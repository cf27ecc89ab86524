import * as Y from 'yjs';
import { NODES, PODS } from '../../sim/apiserver/resources.ts';
import type { StoreEvent } from '../../sim/apiserver/store.ts';
import type { Node, Pod } from '../../sim/apiserver/types.ts';
import type { Cluster } from '../../sim/cluster.ts';
import { nodeSummary, podSummary } from '../../sim/view/summary.ts';
import { podStatusReason } from '../../sim/apiserver/printers/pod.ts';
import type { ClockView } from './clock.ts';

/**
 * The cluster doc: a projection of the sim's state into a Y.Doc that only the server writes. Changes are
 * collected from store events and written in one transaction per flush (per tick or API write), and only
 * when a summary really changed, so the doc grows with visible change, not with cluster size.
 */
export class ClusterProjection {
  doc: Y.Doc;
  epoch: string;
  private dirtyPods = new Set<string>();
  private dirtyNodes = new Set<string>();
  private written = new Map<string, string>();
  private lastClock = '';
  private cluster: Cluster;

  constructor(cluster: Cluster, epoch: string) {
    this.cluster = cluster;
    this.epoch = epoch;
    this.doc = new Y.Doc({ gc: true });
    this.fill();
  }

  /** Everything from the sim's current state, in one transaction. */
  private fill(): void {
    for (const p of this.cluster.store.list(PODS)) this.dirtyPods.add(`${p.metadata.namespace}/${p.metadata.name}`);
    for (const n of this.cluster.store.list(NODES)) this.dirtyNodes.add(n.metadata.name!);
    this.doc.transact(() => this.doc.getMap('meta').set('epoch', this.epoch));
    this.flush();
  }

  onStoreEvent(ev: StoreEvent): void {
    if (ev.info === PODS) this.dirtyPods.add(`${ev.object.metadata.namespace}/${ev.object.metadata.name}`);
    else if (ev.info === NODES) this.dirtyNodes.add(ev.object.metadata.name!);
  }

  setClock(view: ClockView): void {
    // The wall instant changes on every read; only a change of what clients extrapolate from is written.
    const key = JSON.stringify({ paused: view.paused, speed: view.speed, idle: view.idle });
    const meta = this.doc.getMap('meta');
    const current = meta.get('clock') as ClockView | undefined;
    if (key === this.lastClock && current) {
      // Still correct to extrapolate unless the virtual time drifted from where the clients think it is.
      const expected = Date.parse(current.now) + (view.paused || view.idle ? 0 : (view.wallAt - current.wallAt) * view.speed);
      if (Math.abs(expected - Date.parse(view.now)) < 1000) return;
    }
    this.lastClock = key;
    this.doc.transact(() => meta.set('clock', view));
  }

  /** Writes what changed since the last flush; true if the doc changed. */
  flush(): boolean {
    if (this.dirtyPods.size === 0 && this.dirtyNodes.size === 0) return false;
    let changed = false;
    const pods = this.doc.getMap('pods');
    const nodes = this.doc.getMap('nodes');
    this.doc.transact(() => {
      for (const key of this.dirtyPods) {
        const i = key.indexOf('/');
        const pod = this.cluster.store.get(PODS, key.slice(0, i), key.slice(i + 1)) as Pod | undefined;
        changed = this.put(pods, 'pod:' + key, key, pod && podSummary(pod, (p) => podStatusReason(p, this.cluster.now()))) || changed;
      }
      for (const name of this.dirtyNodes) {
        const node = this.cluster.store.get(NODES, undefined, name) as Node | undefined;
        changed = this.put(nodes, 'node:' + name, name, node && nodeSummary(node)) || changed;
      }
    });
    this.dirtyPods.clear();
    this.dirtyNodes.clear();
    return changed;
  }

  private put(map: Y.Map<unknown>, cacheKey: string, key: string, value: object | undefined): boolean {
    if (value === undefined) {
      if (!this.written.has(cacheKey)) return false;
      this.written.delete(cacheKey);
      map.delete(key);
      return true;
    }
    const json = JSON.stringify(value);
    if (this.written.get(cacheKey) === json) return false;
    this.written.set(cacheKey, json);
    map.set(key, value);
    return true;
  }
}
