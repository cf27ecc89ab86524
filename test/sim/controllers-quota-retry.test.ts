import { expect, it } from 'vitest';
import { findResource } from '../../sim/apiserver/resources.ts';
import { newCluster } from './helpers.ts';
it('a ReplicaSet held back by a quota retries with back-off, and a large one does not spin', () => {
  const c = newCluster();
  const RQ = findResource('', 'resourcequotas')!;
  const RS = findResource('apps', 'replicasets')!;
  c.api.create(RQ, 'default', { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q' }, spec: { hard: { pods: '2' } } });
  c.settle();
  const rs = (name: string, replicas: number) => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name }, spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } });
  c.api.create(RS, 'default', rs('big', 600));
  c.settle();
  c.advance(60_000);
  expect(c.store.list(findResource('', 'pods')!, 'default').length).toBe(2);
  c.api.patch(RQ, 'default', 'q', 'merge', { spec: { hard: { pods: '5' } } });
  c.advance(600_000);
  expect(c.store.list(findResource('', 'pods')!, 'default').length).toBe(5);
});
