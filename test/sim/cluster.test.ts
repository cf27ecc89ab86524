import { describe, expect, it } from 'vitest';
import { EVENTS, NAMESPACES, NODES, PODS } from '../../sim/apiserver/resources.ts';
import { StatusError } from '../../sim/apiserver/errors.ts';
import type { Node, Pod } from '../../sim/apiserver/types.ts';
import { restoreCluster } from '../../sim/bootstrap.ts';
import { Cluster } from '../../sim/cluster.ts';
import { createPod, getPod, newCluster, pod, START } from './helpers.ts';

function eventsFor(c: Cluster, name: string) {
  return c.store
    .list(EVENTS, 'default')
    .filter((e) => (e.involvedObject as { name: string }).name === name)
    .sort((a, b) => Number(a.metadata.resourceVersion) - Number(b.metadata.resourceVersion))
    .map((e) => `${e.type} ${e.reason} ${e.message}`);
}

describe('a new cluster', () => {
  it('has the system namespaces and three Ready nodes named node-1..3', () => {
    const c = newCluster();
    expect(c.store.list(NAMESPACES).map((n) => n.metadata.name)).toEqual(['default', 'kube-node-lease', 'kube-public', 'kube-system']);
    const nodes = c.store.list(NODES) as Node[];
    expect(nodes.map((n) => n.metadata.name)).toEqual(['node-1', 'node-2', 'node-3']);
    for (const n of nodes) {
      expect(n.status.conditions.find((x) => x.type === 'Ready')?.status).toBe('True');
      expect(n.status.allocatable.pods).toBe('110');
      expect(n.metadata.labels?.['kubernetes.io/hostname']).toBe(n.metadata.name);
      expect(n.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('stamps uid, resourceVersion and creationTimestamp from the virtual clock', () => {
    const c = newCluster();
    c.advance(5000);
    const p = createPod(c, pod('web'));
    expect(p.metadata.creationTimestamp).toBe('2026-01-01T00:00:05Z');
    expect(Number(p.metadata.resourceVersion)).toBeGreaterThan(1);
    expect(p.metadata.uid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('a pod', () => {
  it('goes Pending, is scheduled, pulls its image and becomes Running and Ready', () => {
    const c = newCluster();
    createPod(c, pod('web'));
    let p = getPod(c, 'web')!;
    expect(p.spec.nodeName).toMatch(/^node-[123]$/);
    expect(p.status?.phase).toBe('Pending');
    expect(p.status?.containerStatuses?.[0].state.waiting?.reason).toBe('ContainerCreating');
    expect(p.status?.podIP).toMatch(/^10\.244\.\d+\.\d+$/);
    c.advance(30_000);
    p = getPod(c, 'web')!;
    expect(p.status?.phase).toBe('Running');
    expect(p.status?.containerStatuses?.[0].ready).toBe(true);
    expect(p.status?.conditions?.find((x) => x.type === 'Ready')?.status).toBe('True');
    const events = eventsFor(c, 'web');
    expect(events[0]).toBe(`Normal Scheduled Successfully assigned default/web to ${p.spec.nodeName}`);
    expect(events).toContain('Normal Pulling Pulling image "nginx"');
    expect(events.some((e) => /^Normal Pulled Successfully pulled image "nginx" in [\d.]+s \([\d.]+s including waiting\)\. Image size: \d+ bytes\.$/.test(e))).toBe(true);
    expect(events).toContain('Normal Created Created container: web');
    expect(events).toContain('Normal Started Started container web');
  });

  it('with an image that does not exist ends in ImagePullBackOff with the registry error', () => {
    const c = newCluster();
    createPod(c, pod('typo', 'ngnix'));
    c.advance(30_000);
    const s = getPod(c, 'typo')!.status!.containerStatuses![0];
    expect(s.state.waiting?.reason).toBe('ImagePullBackOff');
    const events = eventsFor(c, 'typo');
    expect(events.some((e) => e.startsWith('Warning Failed Failed to pull image "ngnix": failed to pull and unpack image "docker.io/library/ngnix:latest"'))).toBe(true);
    expect(events).toContain('Normal BackOff Back-off pulling image "ngnix"');
  });

  it('whose process exits is restarted with back-off: CrashLoopBackOff, restarts 10s, 20s, 40s apart', () => {
    const c = newCluster();
    createPod(c, pod('crash', 'busybox'));
    c.advance(5_000);
    let s = getPod(c, 'crash')!.status!.containerStatuses![0];
    expect(s.state.waiting?.reason).toBe('CrashLoopBackOff');
    expect(s.lastState.terminated?.reason).toBe('Completed');
    const before = s.restartCount;
    c.advance(10_000);
    s = getPod(c, 'crash')!.status!.containerStatuses![0];
    expect(s.restartCount).toBe(before + 1);
    expect(s.state.waiting?.message).toMatch(/^back-off 20s restarting failed container=crash pod=crash_default\(/);
    expect(getPod(c, 'crash')!.status!.phase).toBe('Running');
  });

  it('that does not fit stays Pending with the FailedScheduling message', () => {
    const c = newCluster();
    const big = pod('big');
    big.spec.containers[0].resources = { requests: { cpu: '64' } };
    createPod(c, big);
    const p = getPod(c, 'big')!;
    expect(p.spec.nodeName).toBeUndefined();
    const msg = '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.';
    expect(p.status?.conditions?.find((x) => x.type === 'PodScheduled')).toMatchObject({ status: 'False', reason: 'Unschedulable', message: msg });
    expect(eventsFor(c, 'big')).toEqual([`Warning FailedScheduling ${msg}`]);
  });

  it('is deleted gracefully: Terminating, its container stopped, then gone', () => {
    const c = newCluster();
    createPod(c, pod('web'));
    c.advance(30_000);
    c.api.delete(PODS, 'default', 'web');
    c.settle();
    expect(getPod(c, 'web')?.metadata.deletionTimestamp).toBe('2026-01-01T00:01:00Z');
    c.advance(2_000);
    expect(getPod(c, 'web')).toBeUndefined();
    expect(eventsFor(c, 'web')).toContain('Normal Killing Stopping container web');
  });

  it('is rejected with the API server message when invalid', () => {
    const c = newCluster();
    const bad = pod('Bad');
    try {
      c.api.create(PODS, 'default', bad);
      expect.unreachable();
    } catch (e) {
      const s = (e as StatusError).toStatus();
      expect(s.code).toBe(422);
      expect(s.reason).toBe('Invalid');
      // The pod's name and its container's name (also "Bad") are both reported, as the real API server does.
      expect(s.message).toMatch(/^Pod "Bad" is invalid: \[metadata.name: Invalid value: "Bad": a lowercase RFC 1123 subdomain must consist of/);
      expect(s.message).toContain('spec.containers[0].name: Invalid value: "Bad": a lowercase RFC 1123 label must consist of');
    }
    const noImage = pod('noimage');
    delete noImage.spec.containers[0].image;
    expect(() => c.api.create(PODS, 'default', noImage)).toThrow('Pod "noimage" is invalid: spec.containers[0].image: Required value');
    expect(c.store.count(PODS)).toBe(0);
  });
});

describe('snapshot and restore', () => {
  function scenario(c: Cluster) {
    createPod(c, pod('web'));
    createPod(c, pod('crash', 'busybox'));
    createPod(c, pod('typo', 'ngnix'));
  }

  it('restores to the same state, and the restored cluster continues exactly as the original', () => {
    const a = newCluster('seed-1');
    scenario(a);
    a.advance(17_000);
    const snap = JSON.parse(JSON.stringify(a.snapshot()));
    const b = restoreCluster(Cluster.restore(snap));
    expect(b.snapshot()).toEqual(a.snapshot());
    for (const c of [a, b]) {
      c.advance(95_000);
      createPod(c, pod('late'));
      c.advance(40_000);
      c.api.delete(PODS, 'default', 'web');
      c.advance(600_000);
    }
    expect(b.snapshot()).toEqual(a.snapshot());
    expect(getPod(b, 'crash')!.status!.containerStatuses![0].restartCount).toBeGreaterThan(4);
  });

  it('the same seed and inputs give the same cluster; another seed another', () => {
    const run = (seed: string) => {
      const c = newCluster(seed);
      scenario(c);
      c.advance(60_000);
      return c.snapshot();
    };
    expect(run('x')).toEqual(run('x'));
    expect(run('x')).not.toEqual(run('y'));
  });

  it('holds plain data only', () => {
    const c = newCluster();
    scenario(c);
    c.advance(20_000);
    const snap = c.snapshot();
    expect(JSON.parse(JSON.stringify(snap))).toEqual(snap);
    expect(snap.records.meta.now).toBe(START + 20_000);
  });
});

describe('namespaces', () => {
  it('a deleted namespace is emptied, then goes', () => {
    const c = newCluster();
    c.api.create(NAMESPACES, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
    createPod(c, pod('web'), 'shop');
    c.advance(30_000);
    c.api.delete(NAMESPACES, undefined, 'shop');
    c.settle();
    expect(c.store.get(NAMESPACES, undefined, 'shop')?.status).toMatchObject({ phase: 'Terminating' });
    expect(() => c.api.create(PODS, 'shop', pod('more'))).toThrow('unable to create new content in namespace shop because it is being terminated');
    c.advance(5_000);
    expect(c.store.get(NAMESPACES, undefined, 'shop')).toBeUndefined();
    expect(c.store.list(PODS, 'shop')).toEqual([]);
  });
});
