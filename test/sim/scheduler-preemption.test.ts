// DefaultPreemption: a higher-priority pod that does not fit evicts the fewest lower-priority pods it needs
// (Preempted event, DisruptionTarget condition, graceful deletion), is nominated to that node and runs there
// once they are gone.
import { describe, expect, it } from 'vitest';
import { EVENTS, PODS } from '../../sim/apiserver/resources.ts';
import type { KObject, Pod } from '../../sim/apiserver/types.ts';
import type { Cluster } from '../../sim/cluster.ts';
import { getPod, newCluster } from './helpers.ts';

function podWith(name: string, cpu: string, priority: number, extra: Record<string, unknown> = {}): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { priority, containers: [{ name: 'app', image: 'nginx:1.27', resources: { requests: { cpu } } }], ...extra } } as unknown as Pod;
}

function eventsOf(c: Cluster, name: string, reason: string): string[] {
  return (c.store.list(EVENTS, 'default') as KObject[])
    .filter((e) => (e.involvedObject as { name: string }).name === name && e.reason === reason)
    .map((e) => e.message as string);
}

describe('preemption', () => {
  it('a higher-priority pod preempts the fewest lower-priority pods it needs and runs in their place', () => {
    const c = newCluster('preempt', 1);
    c.api.create(PODS, 'default', podWith('low-a', '1800m', 0));
    c.api.create(PODS, 'default', podWith('low-b', '1800m', 0));
    c.settle();
    c.advance(5000);
    const high = c.api.create(PODS, 'default', podWith('high', '1000m', 1000)) as Pod;
    c.settle();
    // One victim is enough: the other is reprieved.
    const a = getPod(c, 'low-a')!;
    const b = getPod(c, 'low-b')!;
    const [victim, spared] = b.metadata.deletionTimestamp ? [b, a] : [a, b];
    expect(spared.metadata.deletionTimestamp).toBeUndefined();
    expect(victim.metadata.deletionTimestamp).toBeDefined();
    expect(victim.status!.conditions).toContainEqual(
      expect.objectContaining({ type: 'DisruptionTarget', status: 'True', reason: 'PreemptionByScheduler', message: 'default-scheduler: preempting to accommodate a higher priority pod' }),
    );
    expect(eventsOf(c, victim.metadata.name!, 'Preempted')).toEqual([`Preempted by pod ${high.metadata.uid} on node node-1`]);
    const waiting = getPod(c, 'high')!;
    expect(waiting.status!.nominatedNodeName).toBe('node-1');
    expect(waiting.spec.nodeName).toBeUndefined();
    expect(eventsOf(c, 'high', 'FailedScheduling')).toContain('0/1 nodes are available: 1 Insufficient cpu.');
    // Once the victim has stopped, the preemptor is scheduled on the nominated node.
    c.advance(35_000);
    expect(getPod(c, victim.metadata.name!)).toBeUndefined();
    expect(getPod(c, 'high')!.spec.nodeName).toBe('node-1');
    expect(getPod(c, 'high')!.status!.phase).toBe('Running');
    expect(getPod(c, spared.metadata.name!)!.status!.phase).toBe('Running');
  });

  it('pods of equal or higher priority are never victims; preemptionPolicy Never does not preempt', () => {
    const c = newCluster('preempt2', 1);
    c.api.create(PODS, 'default', podWith('peer', '3500m', 500));
    c.settle();
    c.advance(5000);
    c.api.create(PODS, 'default', podWith('same', '1000m', 500));
    c.api.create(PODS, 'default', podWith('polite', '1000m', 1000, { preemptionPolicy: 'Never' }));
    c.settle();
    expect(getPod(c, 'peer')!.metadata.deletionTimestamp).toBeUndefined();
    expect(eventsOf(c, 'same', 'FailedScheduling')).toContain(
      '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.',
    );
    expect(eventsOf(c, 'polite', 'FailedScheduling')).toContain('0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.');
  });
});
