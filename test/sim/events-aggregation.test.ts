// client-go's EventCorrelator and the API server's event TTL: identical Events are counted, more than ten
// similar ones with different messages within ten minutes are combined, and Events expire an hour after their
// last write.
import { describe, expect, it } from 'vitest';
import { EVENTS, findResource, PODS } from '../../sim/apiserver/resources.ts';

const CONFIGMAPS = findResource('', 'configmaps')!;
import type { KObject, Pod } from '../../sim/apiserver/types.ts';
import { restoreCluster } from '../../sim/bootstrap.ts';
import { Cluster } from '../../sim/cluster.ts';
import { DEPLOYMENTS } from '../../sim/controllers/deployment.ts';
import { newCluster } from './helpers.ts';

const SRC = { component: 'test-controller' };

function subject(c: Cluster, name = 'cfg'): KObject {
  return c.api.create(CONFIGMAPS, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: {} });
}

function eventsOf(c: Cluster, name: string): KObject[] {
  return (c.store.list(EVENTS) as KObject[]).filter((e) => (e.involvedObject as { name: string }).name === name);
}

describe('event correlation', () => {
  it('counts an identical event instead of writing another', () => {
    const c = newCluster();
    const cm = subject(c);
    c.events.record(cm, 'Warning', 'Broken', 'it broke', SRC);
    c.advance(30_000);
    c.events.record(cm, 'Warning', 'Broken', 'it broke', SRC);
    c.events.record(cm, 'Warning', 'Broken', 'it broke again', SRC);
    const evs = eventsOf(c, 'cfg');
    expect(evs).toHaveLength(2);
    const same = evs.find((e) => e.message === 'it broke')!;
    expect(same).toMatchObject({ count: 2, firstTimestamp: '2026-01-01T00:00:00Z', lastTimestamp: '2026-01-01T00:00:30Z' });
  });

  it('combines more than ten similar events with different messages into one', () => {
    const c = newCluster();
    const cm = subject(c);
    for (let i = 1; i <= 15; i++) c.events.record(cm, 'Normal', 'SuccessfulCreate', `Created pod: web-${i}`, SRC);
    const evs = eventsOf(c, 'cfg');
    expect(evs).toHaveLength(10);
    const combined = evs.filter((e) => String(e.message).startsWith('(combined from similar events): '));
    expect(combined).toHaveLength(1);
    expect(combined[0]).toMatchObject({ message: '(combined from similar events): Created pod: web-15', count: 6, reason: 'SuccessfulCreate' });
    // Another reason is not similar.
    c.events.record(cm, 'Normal', 'SuccessfulDelete', 'Deleted pod: web-1', SRC);
    expect(eventsOf(c, 'cfg')).toHaveLength(11);
    // Ten quiet minutes end the aggregation: the next one stands alone again.
    c.advance(11 * 60_000);
    c.events.record(cm, 'Normal', 'SuccessfulCreate', 'Created pod: web-16', SRC);
    expect(eventsOf(c, 'cfg').some((e) => e.message === 'Created pod: web-16' && e.count === 1)).toBe(true);
  });

  it('a ReplicaSet of 50 pods leaves 10 SuccessfulCreate events, the last one combined', () => {
    const c = newCluster();
    c.api.create(DEPLOYMENTS, 'default', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: { replicas: 50, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } } },
    });
    c.settle();
    const creates = (c.store.list(EVENTS) as KObject[]).filter((e) => e.reason === 'SuccessfulCreate');
    expect(creates).toHaveLength(10);
    expect(creates.reduce((s, e) => s + (e.count as number), 0)).toBe(50);
    expect(creates.filter((e) => String(e.message).startsWith('(combined from similar events): Created pod: web-'))).toHaveLength(1);
  });

  it('deletes events an hour after their last write (--event-ttl), counting from the last bump', () => {
    const c = newCluster();
    const cm = subject(c);
    c.events.record(cm, 'Normal', 'Once', 'once', SRC);
    c.events.record(cm, 'Normal', 'Often', 'often', SRC);
    c.advance(30 * 60_000);
    c.events.record(cm, 'Normal', 'Often', 'often', SRC);
    c.advance(31 * 60_000);
    expect(eventsOf(c, 'cfg').map((e) => e.reason)).toEqual(['Often']);
    c.advance(30 * 60_000);
    expect(eventsOf(c, 'cfg')).toHaveLength(0);
    // One sweep timer at a time, not one per event.
    expect([...c.records.table('timers').values()].filter((t) => (t as { type: string }).type === 'events.sweep').length).toBeLessThanOrEqual(1);
  });

  it('events written through the API expire too', () => {
    const c = newCluster();
    c.api.create(EVENTS, 'default', {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'manual' },
      involvedObject: { kind: 'Pod', name: 'x', namespace: 'default' },
      reason: 'Manual',
      message: 'by hand',
      type: 'Normal',
      source: { component: 'me' },
    });
    c.advance(62 * 60_000);
    expect(c.store.get(EVENTS, 'default', 'manual')).toBeUndefined();
  });

  it('a restored cluster correlates as the original would', () => {
    const a = newCluster('corr');
    const cm = subject(a);
    for (let i = 1; i <= 7; i++) a.events.record(cm, 'Normal', 'SuccessfulCreate', `Created pod: web-${i}`, SRC);
    a.events.record(cm, 'Warning', 'Broken', 'it broke', SRC);
    const b = restoreCluster(Cluster.restore(JSON.parse(JSON.stringify(a.snapshot()))));
    for (const c of [a, b]) {
      const obj = c.store.get(CONFIGMAPS, 'default', 'cfg')!;
      c.advance(1000);
      for (let i = 8; i <= 12; i++) c.events.record(obj, 'Normal', 'SuccessfulCreate', `Created pod: web-${i}`, SRC);
      c.events.record(obj, 'Warning', 'Broken', 'it broke', SRC);
      c.advance(2 * 60 * 60_000);
    }
    expect(b.snapshot()).toEqual(a.snapshot());
  });

  it('keeps a pod\'s kubelet events apart per container (field path)', () => {
    const c = newCluster();
    c.api.create(PODS, 'default', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'two' }, spec: { containers: [{ name: 'a', image: 'nginx:1.27' }, { name: 'b', image: 'nginx:1.27' }] } } as unknown as Pod);
    c.settle();
    c.advance(10_000);
    const pulled = eventsOf(c, 'two').filter((e) => e.reason === 'Started');
    expect(pulled.map((e) => (e.involvedObject as { fieldPath: string }).fieldPath).sort()).toEqual(['spec.containers{a}', 'spec.containers{b}']);
  });
});
