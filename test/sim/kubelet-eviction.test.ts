// Node-pressure eviction: a container whose memory keeps growing (no limit) drives its node below the kubelet's
// memory.available<100Mi hard threshold; the node reports MemoryPressure and is tainted, the kubelet evicts
// the pod that uses most beyond its request, and its ReplicaSet replaces it.
import { describe, expect, it } from 'vitest';
import { EVENTS, NODES, PODS } from '../../sim/apiserver/resources.ts';
import type { KObject, Node, Pod } from '../../sim/apiserver/types.ts';
import { restoreCluster } from '../../sim/bootstrap.ts';
import { Cluster } from '../../sim/cluster.ts';
import { DEPLOYMENTS } from '../../sim/controllers/deployment.ts';
import { formatBinary } from '../../sim/kubelet/eviction.ts';
import { createPod, getPod, newCluster } from './helpers.ts';

function grower(name: string, node: string, growth = '400Mi'): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { nodeName: node, containers: [{ name: 'app', image: 'kuberoom/demo', env: [{ name: 'MEMORY_GROWTH', value: growth }] }] },
  } as unknown as Pod;
}

function events(c: Cluster, kind: string, name: string): KObject[] {
  return (c.store.list(EVENTS) as KObject[]).filter((e) => (e.involvedObject as { kind: string; name: string }).kind === kind && (e.involvedObject as { name: string }).name === name);
}

function node(c: Cluster, name: string): Node {
  return c.store.get(NODES, undefined, name) as Node;
}

describe('node-pressure eviction', () => {
  it('evicts the pod that grows without a limit, with the kubelet\'s reason, message, condition, taint and events', () => {
    const c = newCluster();
    createPod(c, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'steady' }, spec: { nodeName: 'node-1', containers: [{ name: 'web', image: 'nginx:1.27', resources: { requests: { memory: '64Mi' } } }] } } as unknown as Pod);
    createPod(c, grower('hog', 'node-1'));
    c.advance(20_000);
    expect(getPod(c, 'hog')!.status!.phase).toBe('Running');
    expect(node(c, 'node-1').status.conditions.find((x) => x.type === 'MemoryPressure')!.status).toBe('False');
    // 16 GiB node, ~0.7 GiB system, 400 MiB/s: the threshold is met within a minute.
    c.advance(60_000);
    const hog = getPod(c, 'hog')!;
    expect(hog.status!.phase).toBe('Failed');
    expect(hog.status!.reason).toBe('Evicted');
    expect(hog.status!.message).toMatch(
      /^The node was low on resource: memory\. Threshold quantity: 100Mi, available: -?\d+Ki\. Container app was using \d+Ki, request is 0, has larger consumption of memory\. $/,
    );
    expect(hog.status!.conditions!.find((x) => x.type === 'DisruptionTarget')).toMatchObject({ status: 'True', reason: 'TerminationByKubelet' });
    expect(hog.status!.containerStatuses![0].ready).toBe(false);
    // The steady pod uses less than it requests: it stays.
    expect(getPod(c, 'steady')!.status!.phase).toBe('Running');
    const n = node(c, 'node-1');
    expect(n.status.conditions.find((x) => x.type === 'MemoryPressure')).toMatchObject({ status: 'True', reason: 'KubeletHasInsufficientMemory', message: 'kubelet has insufficient memory available' });
    expect(n.spec.taints).toContainEqual({ key: 'node.kubernetes.io/memory-pressure', effect: 'NoSchedule' });
    const nodeEvents = events(c, 'Node', 'node-1');
    expect(nodeEvents.find((e) => e.reason === 'EvictionThresholdMet')).toMatchObject({ type: 'Warning', message: 'Attempting to reclaim memory' });
    expect(nodeEvents.find((e) => e.reason === 'NodeHasInsufficientMemory')?.message).toBe('Node node-1 status is now: NodeHasInsufficientMemory');
    const evicted = events(c, 'Pod', 'hog').find((e) => e.reason === 'Evicted')!;
    expect(evicted).toMatchObject({ type: 'Warning', message: hog.status!.message, source: { component: 'kubelet', host: 'node-1' } });

    // Five minutes without meeting the threshold: the condition and the taint go.
    c.advance(6 * 60_000);
    const healed = node(c, 'node-1');
    expect(healed.status.conditions.find((x) => x.type === 'MemoryPressure')).toMatchObject({ status: 'False', reason: 'KubeletHasSufficientMemory' });
    expect(healed.spec.taints ?? []).not.toContainEqual({ key: 'node.kubernetes.io/memory-pressure', effect: 'NoSchedule' });
    expect(events(c, 'Node', 'node-1').some((e) => e.message === 'Node node-1 status is now: NodeHasSufficientMemory')).toBe(true);
  });

  it('the ReplicaSet replaces an evicted pod; the tainted node gets no new pods', () => {
    const c = newCluster();
    c.api.create(DEPLOYMENTS, 'default', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'leak' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'leak' } },
        template: { metadata: { labels: { app: 'leak' } }, spec: { containers: [{ name: 'app', image: 'kuberoom/demo', env: [{ name: 'MEMORY_GROWTH', value: '400Mi' }] }] } },
      },
    });
    c.settle();
    c.advance(70_000);
    const pods = c.store.list(PODS) as Pod[];
    const evicted = pods.filter((p) => p.status?.reason === 'Evicted');
    expect(evicted).toHaveLength(1);
    const replacement = pods.find((p) => p.status?.phase !== 'Failed')!;
    expect(replacement).toBeDefined();
    expect(replacement.spec.nodeName).not.toBe(evicted[0].spec.nodeName);
  });

  it('a stress process holding more than the node has is evicted within a monitoring period', () => {
    const c = newCluster();
    createPod(c, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'stress' }, spec: { nodeName: 'node-3', containers: [{ name: 'stress', image: 'polinux/stress', command: ['stress', '--vm', '1', '--vm-bytes', '16G'] }] } } as unknown as Pod);
    c.advance(15_000);
    const p = getPod(c, 'stress')!;
    expect(p.status!.reason).toBe('Evicted');
    expect(p.status!.message).toContain('Container stress was using 16Gi, request is 0, has larger consumption of memory. ');
  });

  it('prints quantities as resource.Quantity does for bytes', () => {
    expect(formatBinary(100 * 1024 * 1024)).toBe('100Mi');
    expect(formatBinary(123 * 4096)).toBe('492Ki');
    expect(formatBinary(0)).toBe('0');
    expect(formatBinary(1500)).toBe('1500');
  });

  it('a snapshot taken before the eviction continues to the same future', () => {
    const a = newCluster('evict');
    createPod(a, grower('hog', 'node-2', '300Mi'));
    a.advance(30_000);
    const b = restoreCluster(Cluster.restore(JSON.parse(JSON.stringify(a.snapshot()))));
    a.advance(90_000);
    b.advance(90_000);
    expect(getPod(a, 'hog')!.status!.reason).toBe('Evicted');
    expect(b.snapshot()).toEqual(a.snapshot());
  });
});
