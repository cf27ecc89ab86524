import { describe, expect, it } from 'vitest';
import { EVENTS, NODES, PODS } from '../../sim/apiserver/resources.ts';
import type { KObject, Pod } from '../../sim/apiserver/types.ts';
import type { Cluster } from '../../sim/cluster.ts';
import { DAEMONSETS } from '../../sim/controllers/daemonset.ts';
import { CONTROLLER_REVISIONS } from '../../sim/controllers/revisions.ts';
import { STATEFULSETS } from '../../sim/controllers/statefulset.ts';
import { findResource } from '../../sim/apiserver/resources.ts';
import { newCluster } from './helpers.ts';

const PVCS = findResource('', 'persistentvolumeclaims')!;

function sts(name: string, replicas: number, extra: Record<string, unknown> = {}, image = 'nginx:1.27'): KObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name },
    spec: {
      replicas,
      serviceName: name,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'main', image }] } },
      ...extra,
    },
  };
}

const names = (c: Cluster, prefix: string) =>
  (c.store.list(PODS, 'default') as Pod[]).filter((p) => p.metadata.name!.startsWith(prefix) && !p.metadata.deletionTimestamp).map((p) => p.metadata.name!);
const ready = (p: Pod | undefined) => !!p?.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True');
const pod = (c: Cluster, name: string) => c.store.get(PODS, 'default', name) as Pod | undefined;

describe('StatefulSet controller', () => {
  it('starts pods in order, each after the one before is Running and Ready', () => {
    const c = newCluster();
    c.api.create(STATEFULSETS, 'default', sts('db', 3));
    c.settle();
    expect(names(c, 'db-')).toEqual(['db-0']);
    c.advance(1_000);
    const seen = names(c, 'db-');
    expect(seen.length).toBeLessThan(3);
    for (let i = 0; i < 60 && names(c, 'db-').length < 3; i++) {
      const now = names(c, 'db-');
      // Never a pod before its predecessor is ready.
      for (let k = 1; k < now.length; k++) expect(ready(pod(c, `db-${k - 1}`))).toBe(true);
      c.advance(1_000);
    }
    c.advance(30_000);
    expect(names(c, 'db-').sort()).toEqual(['db-0', 'db-1', 'db-2']);
    const p0 = pod(c, 'db-0')!;
    expect(p0.spec.hostname).toBe('db-0');
    expect(p0.spec.subdomain).toBe('db');
    expect(p0.metadata.labels).toMatchObject({ 'statefulset.kubernetes.io/pod-name': 'db-0', 'apps.kubernetes.io/pod-index': '0' });
    const set = c.store.get(STATEFULSETS, 'default', 'db')!;
    expect(set.status).toMatchObject({ replicas: 3, readyReplicas: 3, currentReplicas: 3, updatedReplicas: 3, availableReplicas: 3 });
    expect((set.status as any).currentRevision).toBe(p0.metadata.labels!['controller-revision-hash']);
    const revs = c.store.list(CONTROLLER_REVISIONS, 'default');
    expect(revs.map((r) => [r.metadata.name, r.revision])).toEqual([[(set.status as any).updateRevision, 1]]);
    const evs = c.store.list(EVENTS, 'default').filter((e) => (e.involvedObject as any).name === 'db').map((e) => e.message);
    expect(evs).toContain('create Pod db-0 in StatefulSet db successful');
  });

  it('scales down from the highest ordinal, one at a time', () => {
    const c = newCluster();
    c.api.create(STATEFULSETS, 'default', sts('db', 3));
    c.advance(60_000);
    c.api.patch(STATEFULSETS, 'default', 'db', 'merge', { spec: { replicas: 1 } });
    c.settle();
    expect(pod(c, 'db-2')!.metadata.deletionTimestamp).toBeTruthy();
    expect(pod(c, 'db-1')!.metadata.deletionTimestamp).toBeUndefined();
    c.advance(60_000);
    expect(names(c, 'db-')).toEqual(['db-0']);
  });

  it('creates claims from volumeClaimTemplates named <template>-<set>-<ordinal>', () => {
    const c = newCluster();
    c.api.create(
      STATEFULSETS,
      'default',
      sts('web', 2, {
        podManagementPolicy: 'Parallel',
        volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      }),
    );
    c.settle();
    expect(names(c, 'web-').sort()).toEqual(['web-0', 'web-1']);
    expect(c.store.list(PVCS, 'default').map((p) => p.metadata.name).sort()).toEqual(['www-web-0', 'www-web-1']);
    expect((pod(c, 'web-0')!.spec.volumes as any[]).find((v) => v.name === 'www')).toEqual({ name: 'www', persistentVolumeClaim: { claimName: 'www-web-0' } });
  });

  it('rolls out a new template from the highest ordinal down to the partition', () => {
    const c = newCluster();
    c.api.create(STATEFULSETS, 'default', sts('db', 3, { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } } }, 'nginx:1.26'));
    c.advance(90_000);
    c.api.patch(STATEFULSETS, 'default', 'db', 'strategic', { spec: { template: { spec: { containers: [{ name: 'main', image: 'nginx:1.27' }] } } } });
    c.settle();
    expect(pod(c, 'db-2')!.metadata.deletionTimestamp).toBeTruthy();
    c.advance(120_000);
    const img = (n: string) => pod(c, n)!.spec.containers[0].image;
    expect([img('db-0'), img('db-1'), img('db-2')]).toEqual(['nginx:1.26', 'nginx:1.27', 'nginx:1.27']);
    expect(c.store.list(CONTROLLER_REVISIONS, 'default')).toHaveLength(2);
    const st = c.store.get(STATEFULSETS, 'default', 'db')!.status as any;
    expect(st.updatedReplicas).toBe(2);
    expect(st.currentRevision).not.toBe(st.updateRevision);
  });
});

describe('DaemonSet controller', () => {
  function ds(name: string, extra: Record<string, unknown> = {}, image = 'nginx:1.27'): KObject {
    return {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name },
      spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'main', image }], ...extra } } },
    };
  }

  it('runs one pod per node, pinned by node affinity, with the daemon tolerations', () => {
    const c = newCluster();
    c.api.create(DAEMONSETS, 'default', ds('agent'));
    c.advance(30_000);
    const ps = (c.store.list(PODS, 'default') as Pod[]).filter((p) => p.metadata.name!.startsWith('agent-'));
    expect(ps.map((p) => p.spec.nodeName).sort()).toEqual(['node-1', 'node-2', 'node-3']);
    const aff = (ps[0].spec.affinity as any).nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields[0];
    expect(aff).toEqual({ key: 'metadata.name', operator: 'In', values: [ps[0].spec.nodeName] });
    expect(ps[0].spec.tolerations!.map((t) => t.key)).toEqual(
      expect.arrayContaining(['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable', 'node.kubernetes.io/unschedulable', 'node.kubernetes.io/disk-pressure']),
    );
    expect(c.store.get(DAEMONSETS, 'default', 'agent')!.status).toMatchObject({ desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 3, numberAvailable: 3, updatedNumberScheduled: 3 });
  });

  it('follows nodeSelector and taints', () => {
    const c = newCluster();
    const n2 = c.store.get(NODES, undefined, 'node-2')!;
    c.api.update(NODES, undefined, 'node-2', { ...n2, spec: { ...(n2.spec as object), taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] } });
    c.api.create(DAEMONSETS, 'default', ds('agent'));
    c.advance(30_000);
    let on = (c.store.list(PODS, 'default') as Pod[]).filter((p) => !p.metadata.deletionTimestamp).map((p) => p.spec.nodeName).sort();
    expect(on).toEqual(['node-1', 'node-3']);
    const n1 = c.store.get(NODES, undefined, 'node-1')!;
    c.api.update(NODES, undefined, 'node-1', { ...n1, metadata: { ...n1.metadata, labels: { ...n1.metadata.labels, disk: 'ssd' } } });
    c.api.patch(DAEMONSETS, 'default', 'agent', 'strategic', { spec: { template: { spec: { nodeSelector: { disk: 'ssd' } } } } });
    c.advance(60_000);
    on = (c.store.list(PODS, 'default') as Pod[]).filter((p) => !p.metadata.deletionTimestamp).map((p) => p.spec.nodeName).sort();
    expect(on).toEqual(['node-1']);
  });

  it('rolls out a new image one node at a time (maxUnavailable 1)', () => {
    const c = newCluster();
    c.api.create(DAEMONSETS, 'default', ds('agent', {}, 'nginx:1.26'));
    c.advance(30_000);
    c.api.patch(DAEMONSETS, 'default', 'agent', 'strategic', { spec: { template: { spec: { containers: [{ name: 'main', image: 'nginx:1.27' }] } } } });
    c.settle();
    expect((c.store.list(PODS, 'default') as Pod[]).filter((p) => p.metadata.deletionTimestamp)).toHaveLength(1);
    c.advance(180_000);
    const imgs = (c.store.list(PODS, 'default') as Pod[]).filter((p) => !p.metadata.deletionTimestamp).map((p) => p.spec.containers[0].image);
    expect(imgs).toEqual(['nginx:1.27', 'nginx:1.27', 'nginx:1.27']);
  });
});

describe('restore and namespaces', () => {
  it('a restored cluster continues an ordered StatefulSet start the same way', async () => {
    const { restoreCluster } = await import('../../sim/bootstrap.ts');
    const { Cluster } = await import('../../sim/cluster.ts');
    const a = newCluster('sts-restore');
    a.api.create(STATEFULSETS, 'default', sts('db', 4));
    a.advance(2_500);
    const b = restoreCluster(Cluster.restore(a.snapshot()));
    a.advance(120_000);
    b.advance(120_000);
    const view = (c: Cluster) => JSON.stringify([c.store.get(STATEFULSETS, 'default', 'db')!.status, (c.store.list(PODS, 'default') as Pod[]).map((p) => [p.metadata.name, p.metadata.uid, p.status?.phase])]);
    expect(view(b)).toBe(view(a));
    expect(names(b, 'db-').sort()).toEqual(['db-0', 'db-1', 'db-2', 'db-3']);
  });

  it('deleting a namespace removes its workloads without the controllers fighting back', async () => {
    const { DEPLOYMENTS } = await import('../../sim/controllers/deployment.ts');
    const NAMESPACES = findResource('', 'namespaces')!;
    const c = newCluster();
    c.api.create(NAMESPACES, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } });
    c.api.create(DEPLOYMENTS, 'team', { ...sts('web', 3), kind: 'Deployment', spec: { ...(sts('web', 3).spec as object), serviceName: undefined } });
    c.api.create(STATEFULSETS, 'team', sts('db', 2));
    c.advance(60_000);
    expect(c.store.list(PODS, 'team').length).toBe(5);
    c.api.delete(NAMESPACES, undefined, 'team');
    c.advance(120_000);
    expect(c.store.list(PODS, 'team')).toHaveLength(0);
    expect(c.store.get(NAMESPACES, undefined, 'team')).toBeUndefined();
  });
});
