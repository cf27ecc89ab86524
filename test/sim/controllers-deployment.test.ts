import { describe, expect, it } from 'vitest';
import { EVENTS, PODS } from '../../sim/apiserver/resources.ts';
import type { KObject, Pod } from '../../sim/apiserver/types.ts';
import { restoreCluster } from '../../sim/bootstrap.ts';
import { Cluster } from '../../sim/cluster.ts';
import { DEPLOYMENTS } from '../../sim/controllers/deployment.ts';
import { REPLICASETS } from '../../sim/controllers/replicaset.ts';
import { newCluster } from './helpers.ts';

function deployment(name: string, replicas: number, image = 'nginx:1.27', extra: Record<string, unknown> = {}): KObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'main', image }] } },
      ...extra,
    },
  };
}

const pods = (c: Cluster, ns = 'default') => c.store.list(PODS, ns) as Pod[];
const rsList = (c: Cluster, ns = 'default') => c.store.list(REPLICASETS, ns);
const dep = (c: Cluster, name: string) => c.store.get(DEPLOYMENTS, 'default', name)!;
const events = (c: Cluster, name: string) =>
  c.store
    .list(EVENTS, 'default')
    .filter((e) => (e.involvedObject as { name: string }).name === name)
    .map((e) => `${e.reason} ${e.message}`);
const ready = (p: Pod) => p.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True');

function setImage(c: Cluster, name: string, image: string): void {
  c.api.patch(DEPLOYMENTS, 'default', name, 'strategic', { spec: { template: { spec: { containers: [{ name: 'main', image }] } } } });
  c.settle();
}

describe('ReplicaSet and Deployment controllers', () => {
  it('creates a ReplicaSet named after the template hash, its pods, and reports them ready', () => {
    const c = newCluster();
    c.api.create(DEPLOYMENTS, 'default', deployment('web', 3));
    c.settle();
    const [rs] = rsList(c);
    expect(rs.metadata.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{6,10}$/);
    const hash = rs.metadata.labels!['pod-template-hash'];
    expect(rs.metadata.name).toBe(`web-${hash}`);
    expect(rs.metadata.annotations!['deployment.kubernetes.io/revision']).toBe('1');
    expect(rs.metadata.ownerReferences![0]).toMatchObject({ kind: 'Deployment', name: 'web', controller: true, blockOwnerDeletion: true });
    const ps = pods(c);
    expect(ps).toHaveLength(3);
    for (const p of ps) {
      expect(p.metadata.name).toMatch(new RegExp(`^web-${hash}-[bcdfghjklmnpqrstvwxz2456789]{5}$`));
      expect(p.metadata.ownerReferences![0]).toMatchObject({ kind: 'ReplicaSet', name: rs.metadata.name, controller: true });
    }
    expect(events(c, 'web')).toEqual([`ScalingReplicaSet Scaled up replica set ${rs.metadata.name} from 0 to 3`]);
    expect(events(c, rs.metadata.name!).filter((e) => e.startsWith('SuccessfulCreate Created pod: web-'))).toHaveLength(3);
    c.advance(30_000);
    expect(pods(c).every(ready)).toBe(true);
    const d = dep(c, 'web');
    expect(d.status).toMatchObject({ replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3, observedGeneration: 1 });
    const conds = ((d.status as any).conditions as { type: string; reason: string; message: string }[]).map((x) => [x.type, x.reason, x.message]);
    expect(conds).toEqual([
      ['Available', 'MinimumReplicasAvailable', 'Deployment has minimum availability.'],
      ['Progressing', 'NewReplicaSetAvailable', `ReplicaSet "${rs.metadata.name}" has successfully progressed.`],
    ]);
    expect(d.metadata.annotations!['deployment.kubernetes.io/revision']).toBe('1');
  });

  it('applies Deployment defaults and refuses a selector that does not match or changes', () => {
    const c = newCluster();
    const d = c.api.create(DEPLOYMENTS, 'default', { ...deployment('web', 1), spec: { ...(deployment('web', 1).spec as object), replicas: undefined } });
    expect(d.spec).toMatchObject({ replicas: 1, revisionHistoryLimit: 10, progressDeadlineSeconds: 600, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } } });
    expect((d.spec as any).template.spec).toMatchObject({ restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', terminationGracePeriodSeconds: 30 });
    const bad = deployment('bad', 1);
    (bad.spec as any).template.metadata.labels = { app: 'other' };
    expect(() => c.api.create(DEPLOYMENTS, 'default', bad)).toThrow(/spec.template.metadata.labels: Invalid value: .*`selector` does not match template `labels`/);
    expect(() => c.api.patch(DEPLOYMENTS, 'default', 'web', 'merge', { spec: { selector: { matchLabels: { app: 'x' } }, template: { metadata: { labels: { app: 'x' } } } } })).toThrow(
      /Deployment(\.apps)? "web" is invalid: spec.selector: Invalid value: .*field is immutable/,
    );
  });

  it('scales up and down, deleting unready pods first', () => {
    const c = newCluster();
    c.api.create(DEPLOYMENTS, 'default', deployment('web', 2));
    c.advance(30_000);
    const before = pods(c).map((p) => p.metadata.name);
    c.api.patch(DEPLOYMENTS, 'default', 'web', 'merge', { spec: { replicas: 4 } });
    c.settle();
    const [rs] = rsList(c);
    expect((rs.spec as any).replicas).toBe(4);
    expect(pods(c)).toHaveLength(4);
    // The two new pods are not ready yet (or ready for less time): they go first when scaling back down.
    const fresh = pods(c).map((p) => p.metadata.name).filter((n) => !before.includes(n));
    expect(fresh).toHaveLength(2);
    c.api.patch(DEPLOYMENTS, 'default', 'web', 'merge', { spec: { replicas: 2 } });
    c.settle();
    const deleting = pods(c).filter((p) => p.metadata.deletionTimestamp || !c.store.get(PODS, 'default', p.metadata.name!)).map((p) => p.metadata.name);
    const gone = fresh.filter((n) => !c.store.get(PODS, 'default', n!) || c.store.get(PODS, 'default', n!)!.metadata.deletionTimestamp);
    expect(gone.sort()).toEqual([...fresh].sort());
    expect(deleting.every((n) => fresh.includes(n))).toBe(true);
    expect(events(c, 'web')).toContain(`ScalingReplicaSet Scaled down replica set ${rs.metadata.name} from 4 to 2`);
    c.advance(60_000);
    expect(pods(c)).toHaveLength(2);
  });

  it('replaces a deleted pod and adopts a matching orphan', () => {
    const c = newCluster();
    c.api.create(REPLICASETS, 'default', {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'fe' },
      spec: { replicas: 2, selector: { matchLabels: { tier: 'fe' } }, template: { metadata: { labels: { tier: 'fe' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    });
    c.advance(20_000);
    const victim = pods(c)[0].metadata.name!;
    c.api.delete(PODS, 'default', victim);
    c.settle();
    expect(pods(c).filter((p) => !p.metadata.deletionTimestamp)).toHaveLength(2);
    c.advance(60_000);
    c.api.patch(REPLICASETS, 'default', 'fe', 'merge', { spec: { replicas: 3 } });
    c.api.delete(PODS, 'default', pods(c)[0].metadata.name!);
    // An orphan with matching labels is adopted instead of creating a pod.
    c.api.create(PODS, 'default', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'stray', labels: { tier: 'fe' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
    c.settle();
    const stray = c.store.get(PODS, 'default', 'stray')!;
    expect(stray.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'ReplicaSet', name: 'fe', controller: true });
    c.advance(60_000);
    expect(pods(c)).toHaveLength(3);
    expect(c.store.get(REPLICASETS, 'default', 'fe')!.status).toMatchObject({ replicas: 3, readyReplicas: 3, availableReplicas: 3, fullyLabeledReplicas: 3 });
  });

  it('releases a pod whose labels no longer match, and replaces it', () => {
    const c = newCluster();
    c.api.create(REPLICASETS, 'default', {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'fe' },
      spec: { replicas: 2, selector: { matchLabels: { tier: 'fe' } }, template: { metadata: { labels: { tier: 'fe' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    });
    c.advance(20_000);
    const target = pods(c)[0].metadata.name!;
    // What a learner does to take a pod out for debugging: relabel it.
    c.api.patch(PODS, 'default', target, 'merge', { metadata: { labels: { tier: 'debug' } } });
    c.settle();
    expect(c.store.get(PODS, 'default', target)!.metadata.ownerReferences).toBeUndefined();
    const owned = pods(c).filter((p) => p.metadata.ownerReferences?.[0]?.name === 'fe');
    expect(owned).toHaveLength(2);
    expect(pods(c)).toHaveLength(3);
  });

  it('rolls out step by step within maxSurge and maxUnavailable', () => {
    const c = newCluster();
    c.api.create(DEPLOYMENTS, 'default', deployment('web', 4, 'nginx:1.26'));
    c.advance(30_000);
    const oldRS = rsList(c)[0].metadata.name!;
    setImage(c, 'web', 'nginx:1.27');
    const newRS = rsList(c).find((r) => r.metadata.name !== oldRS)!.metadata.name!;
    expect(newRS).not.toBe(oldRS);
    const sizes = () => Object.fromEntries(rsList(c).map((r) => [r.metadata.name, (r.spec as any).replicas]));
    // 4 replicas, 25%: maxSurge 1, maxUnavailable 1 → new up to 1 (5 in all), old down to 3 (3 available
    // kept), then new up to 2 (5 in all again), all in the same instant.
    expect(sizes()).toEqual({ [oldRS]: 3, [newRS]: 2 });
    const steps: string[] = [];
    let prev = '';
    for (let i = 0; i < 60 && sizes()[oldRS] !== 0; i++) {
      const live = pods(c).filter((p) => !p.metadata.deletionTimestamp);
      const available = live.filter(ready).length;
      expect(live.length).toBeLessThanOrEqual(5);
      expect(available).toBeGreaterThanOrEqual(3);
      const s = JSON.stringify(sizes());
      if (s !== prev) steps.push(s);
      prev = s;
      c.advance(1_000);
    }
    expect(sizes()).toEqual({ [oldRS]: 0, [newRS]: 4 });
    c.advance(60_000);
    const d = dep(c, 'web');
    expect(d.metadata.annotations!['deployment.kubernetes.io/revision']).toBe('2');
    expect(d.status).toMatchObject({ replicas: 4, updatedReplicas: 4, availableReplicas: 4 });
    expect(events(c, 'web')).toEqual(
      expect.arrayContaining([
        `ScalingReplicaSet Scaled up replica set ${newRS} from 0 to 1`,
        `ScalingReplicaSet Scaled down replica set ${oldRS} from 4 to 3`,
        `ScalingReplicaSet Scaled down replica set ${oldRS} from 1 to 0`,
      ]),
    );
    expect(pods(c).every((p) => p.metadata.name!.startsWith(newRS))).toBe(true);
  });

  it('rolls back to an earlier revision by template, reusing its ReplicaSet', () => {
    const c = newCluster();
    c.api.create(DEPLOYMENTS, 'default', deployment('web', 2, 'nginx:1.26'));
    c.advance(30_000);
    const first = rsList(c)[0].metadata.name!;
    setImage(c, 'web', 'nginx:1.27');
    c.advance(60_000);
    // What `kubectl rollout undo` sends: a JSON patch of the template from revision 1's ReplicaSet.
    const rs1 = c.store.get(REPLICASETS, 'default', first)!;
    const tpl = JSON.parse(JSON.stringify((rs1.spec as any).template));
    delete tpl.metadata.labels['pod-template-hash'];
    c.api.patch(DEPLOYMENTS, 'default', 'web', 'json', [{ op: 'replace', path: '/spec/template', value: tpl }]);
    c.settle();
    c.advance(60_000);
    const after = c.store.get(REPLICASETS, 'default', first)!;
    expect((after.spec as any).replicas).toBe(2);
    expect(after.metadata.annotations!['deployment.kubernetes.io/revision']).toBe('3');
    expect(after.metadata.annotations!['deployment.kubernetes.io/revision-history']).toBe('1');
    expect(rsList(c)).toHaveLength(2);
    expect(dep(c, 'web').metadata.annotations!['deployment.kubernetes.io/revision']).toBe('3');
  });

  it('uses Recreate: old pods gone before new ones start', () => {
    const c = newCluster();
    c.api.create(DEPLOYMENTS, 'default', deployment('web', 2, 'nginx:1.26', { strategy: { type: 'Recreate' } }));
    c.advance(30_000);
    setImage(c, 'web', 'nginx:1.27');
    expect(rsList(c)).toHaveLength(1);
    expect(pods(c).every((p) => p.metadata.deletionTimestamp)).toBe(true);
    c.advance(60_000);
    expect(rsList(c)).toHaveLength(2);
    expect(pods(c).filter((p) => (p.spec.containers[0].image === 'nginx:1.27') && ready(p))).toHaveLength(2);
  });

  it('times out progressing on a bad image after progressDeadlineSeconds', () => {
    const c = newCluster();
    c.api.create(DEPLOYMENTS, 'default', deployment('web', 2));
    c.advance(30_000);
    setImage(c, 'web', 'ngnix:1.27');
    const newRS = rsList(c).find((r) => (r.spec as any).template.spec.containers[0].image === 'ngnix:1.27')!.metadata.name;
    c.advance(500_000);
    let prog = ((dep(c, "web").status as any).conditions as any[]).find((x) => x.type === 'Progressing');
    expect(prog.reason).toBe('ReplicaSetUpdated');
    c.advance(200_000);
    prog = ((dep(c, "web").status as any).conditions as any[]).find((x) => x.type === 'Progressing');
    expect([prog.status, prog.reason, prog.message]).toEqual(['False', 'ProgressDeadlineExceeded', `ReplicaSet "${newRS}" has timed out progressing.`]);
    // The old pods still serve.
    expect(dep(c, 'web').status).toMatchObject({ availableReplicas: 2 });
  });

  it('pauses and resumes', () => {
    const c = newCluster();
    c.api.create(DEPLOYMENTS, 'default', deployment('web', 2));
    c.advance(30_000);
    c.api.patch(DEPLOYMENTS, 'default', 'web', 'merge', { spec: { paused: true } });
    setImage(c, 'web', 'nginx:1.25');
    expect(rsList(c)).toHaveLength(1);
    let prog = ((dep(c, "web").status as any).conditions as any[]).find((x) => x.type === 'Progressing');
    expect([prog.status, prog.reason, prog.message]).toEqual(['Unknown', 'DeploymentPaused', 'Deployment is paused']);
    c.api.patch(DEPLOYMENTS, 'default', 'web', 'merge', { spec: { paused: false } });
    c.settle();
    expect(rsList(c)).toHaveLength(2);
    c.advance(60_000);
    prog = ((dep(c, "web").status as any).conditions as any[]).find((x) => x.type === 'Progressing');
    expect(prog.reason).toBe('NewReplicaSetAvailable');
  });

  it('restored in the middle of a rolling update continues the same future', () => {
    const a = newCluster('restore');
    a.api.create(DEPLOYMENTS, 'default', deployment('web', 6, 'nginx:1.26'));
    a.advance(30_000);
    setImage(a, 'web', 'nginx:1.27');
    a.advance(1_500);
    const b = restoreCluster(Cluster.restore(a.snapshot()));
    a.advance(120_000);
    b.advance(120_000);
    // What a user sees of the workload (resourceVersions aside: components outside this test may renew leases
    // on restore): the same ReplicaSets, pods, statuses and events, with the same generated names.
    const view = (c: Cluster) => {
      const strip = (o: KObject) => ({ ...o, metadata: { ...o.metadata, resourceVersion: undefined, managedFields: undefined } });
      return JSON.stringify({
        d: strip(dep(c, 'web')),
        rs: rsList(c).map(strip),
        pods: pods(c).map(strip),
        events: c.store.list(EVENTS, 'default').map((e) => `${e.metadata.name} ${e.reason} ${e.message} ${e.count}`),
      });
    };
    expect(view(b)).toBe(view(a));
    expect(dep(b, 'web').status).toMatchObject({ replicas: 6, updatedReplicas: 6, availableReplicas: 6 });
  });
});

describe('garbage collector', () => {
  it('background deletion removes the ReplicaSets and pods of a deleted Deployment', () => {
    const c = newCluster();
    c.api.create(DEPLOYMENTS, 'default', deployment('web', 3));
    c.advance(30_000);
    c.api.delete(DEPLOYMENTS, 'default', 'web', { propagationPolicy: 'Background' });
    c.settle();
    expect(rsList(c)).toHaveLength(0);
    expect(pods(c).every((p) => p.metadata.deletionTimestamp)).toBe(true);
    c.advance(60_000);
    expect(pods(c)).toHaveLength(0);
  });

  it('foreground deletion keeps the owner until its dependents are gone', () => {
    const c = newCluster();
    c.api.create(DEPLOYMENTS, 'default', deployment('web', 2));
    c.advance(30_000);
    c.api.delete(DEPLOYMENTS, 'default', 'web', { propagationPolicy: 'Foreground' });
    c.settle();
    const d = dep(c, 'web');
    expect(d.metadata.deletionTimestamp).toBeTruthy();
    expect(d.metadata.finalizers).toEqual(['foregroundDeletion']);
    expect(rsList(c)[0].metadata.finalizers).toEqual(['foregroundDeletion']);
    expect(pods(c).every((p) => p.metadata.deletionTimestamp)).toBe(true);
    c.advance(60_000);
    expect(pods(c)).toHaveLength(0);
    expect(rsList(c)).toHaveLength(0);
    expect(c.store.get(DEPLOYMENTS, 'default', 'web')).toBeUndefined();
  });

  it('orphan deletion leaves the dependents without the owner reference', () => {
    const c = newCluster();
    c.api.create(DEPLOYMENTS, 'default', deployment('web', 2));
    c.advance(30_000);
    c.api.delete(DEPLOYMENTS, 'default', 'web', { propagationPolicy: 'Orphan' });
    c.settle();
    expect(c.store.get(DEPLOYMENTS, 'default', 'web')).toBeUndefined();
    const [rs] = rsList(c);
    expect(rs.metadata.ownerReferences).toBeUndefined();
    expect(pods(c).filter((p) => !p.metadata.deletionTimestamp)).toHaveLength(2);
  });
});
