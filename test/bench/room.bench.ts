// The room's figures, in process (Node, no network): change-to-all-clients latency with 100 clients, cluster
// doc bytes per pod, doc size after a simulated hour of churn against a fresh doc, and the restore time of a
// 1,000-pod sandbox from its stored records.
import * as Y from 'yjs';
import { PODS } from '../../sim/apiserver/resources.ts';
import { Room } from '../../worker/room/room.ts';
import { podBody, roomFetch, TestHost } from '../worker/room-host.ts';
import type { Row } from './run.ts';

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

async function latency(): Promise<Row[]> {
  const host = new TestHost();
  const room = Room.create(host, { id: 'lat', nodes: 5 });
  room.limits.apiBurst = 1e9;
  room.resetLimiters();
  const owner = room.tokens().owner;
  const clients = Array.from({ length: 100 }, () => host.connect(room, owner));
  const samples: number[] = [];
  for (let i = 0; i < 200; i++) {
    host.wall += 500;
    const key = `default/lat-${i}`;
    const t0 = performance.now();
    await roomFetch(room, 'POST', '/k8s/api/v1/namespaces/default/pods', owner, podBody(`lat-${i}`));
    if (!clients.every((c) => c.doc.getMap('pods').has(key))) throw new Error('a client missed the change');
    samples.push(performance.now() - t0);
    if (i % 10 === 0) room.alarm();
  }
  return [
    { name: 'API write to all 100 clients, p50', value: pct(samples, 50), unit: 'ms', note: 'in process: room + 100 client docs applying the update' },
    { name: 'API write to all 100 clients, p99', value: pct(samples, 99), unit: 'ms' },
  ];
}

async function thousandPods(): Promise<Row[]> {
  const host = new TestHost();
  const room = Room.create(host, { id: 'big', nodes: 10 });
  for (let i = 0; i < 1000; i++) room.cluster.api.create(PODS, 'default', podBody(`web-${i}`));
  for (let s = 0; s < 24; s++) {
    host.wall += 5_000;
    room.alarm();
  }
  const running = room.clusterDoc.getMap('pods').size;
  const docBytes = Y.encodeStateAsUpdate(room.clusterDoc).byteLength;
  room.rebuildDoc();
  const freshBytes = Y.encodeStateAsUpdate(room.clusterDoc).byteLength;
  const stored = host.storage.clone();
  const t0 = performance.now();
  const again = Room.load(new TestHost(stored, host.wall));
  const restoreMs = performance.now() - t0;
  if (!again || again.clusterDoc.getMap('pods').size !== running) throw new Error('restore lost pods');
  return [
    { name: 'cluster doc bytes per pod (1,000 pods, fresh doc)', value: freshBytes / running, unit: 'B/pod', note: `${freshBytes} B in all; ${docBytes} B before the rebuild` },
    { name: 'restore a 1,000-pod sandbox from storage', value: restoreMs, unit: 'ms', note: `${stored.records.size} records, to a synced-ready doc` },
  ];
}

async function churn(): Promise<Row[]> {
  const run = async (compact: boolean) => {
    const host = new TestHost();
    const room = Room.create(host, { id: 'churn', nodes: 5 });
    if (!compact) room.docBound = { factor: Infinity, floor: Infinity };
    const owner = room.tokens().owner;
    const epochs = new Set([room.epoch]);
    // One simulated hour: every 30 s, 5 pods created and 5 older ones deleted (about 50 live).
    for (let i = 0; i < 120; i++) {
      for (let j = 5 * i; j < 5 * i + 5; j++) {
        await roomFetch(room, 'POST', '/k8s/api/v1/namespaces/default/pods', owner, podBody(`c-${j}`));
        if (j >= 50) await roomFetch(room, 'DELETE', `/k8s/api/v1/namespaces/default/pods/c-${j - 50}?gracePeriodSeconds=0`, owner);
      }
      host.wall += 30_000;
      room.alarm();
      epochs.add(room.epoch);
    }
    const size = Y.encodeStateAsUpdate(room.clusterDoc).byteLength;
    room.rebuildDoc();
    return { size, fresh: Y.encodeStateAsUpdate(room.clusterDoc).byteLength, rebuilds: epochs.size - 1 };
  };
  const without = await run(false);
  const withC = await run(true);
  return [
    { name: 'cluster doc after 1 h of churn, no compaction', value: without.size / 1024, unit: 'KiB', note: `fresh doc of the same state: ${(without.fresh / 1024).toFixed(1)} KiB (${(without.size / without.fresh).toFixed(1)}x)` },
    { name: 'cluster doc after 1 h of churn, compacted at 4x', value: withC.size / 1024, unit: 'KiB', note: `fresh: ${(withC.fresh / 1024).toFixed(1)} KiB (${(withC.size / withC.fresh).toFixed(1)}x); ${withC.rebuilds} rebuilds (bound: 4x fresh, at least 64 KiB)` },
  ];
}

export async function run(): Promise<Row[]> {
  return [...(await latency()), ...(await thousandPods()), ...(await churn())];
}
