// Simulated resource use (what metrics-server reports and `kubectl top` prints): computed on read from the
// containers' processes, deterministic, and never a write to the cluster's state.
import { describe, expect, it } from 'vitest';
import type { Node, Pod } from '../../sim/apiserver/types.ts';
import { NODES } from '../../sim/apiserver/resources.ts';
import { nodeUsage, podUsage } from '../../sim/kubelet/metrics.ts';
import { createPod, getPod, newCluster } from './helpers.ts';

const MI = 1024 * 1024;

function onePod(name: string, container: Record<string, unknown>): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name, ...container }], nodeName: 'node-1' } } as unknown as Pod;
}

describe('resource usage', () => {
  it('follows the processes: an idle server, a stress process, a demo app whose memory grows', () => {
    const c = newCluster();
    createPod(c, onePod('web', { image: 'nginx:1.27' }));
    createPod(c, onePod('burn', { image: 'polinux/stress', command: ['stress', '--cpu', '2'] }));
    createPod(c, onePod('grow', { image: 'kuberoom/demo', env: [{ name: 'MEMORY_GROWTH', value: '1Mi' }] }));
    createPod(c, onePod('typo', { image: 'ngnix' }));
    c.advance(10_000);
    const web = podUsage(c, getPod(c, 'web')!)!;
    expect(web[0].usage.cpu).toBeLessThan(5e6);
    expect(web[0].usage.memory).toBeGreaterThan(3 * MI);
    expect(podUsage(c, getPod(c, 'burn')!)![0].usage.cpu).toBe(2e9);
    const before = podUsage(c, getPod(c, 'grow')!)![0].usage.memory;
    c.advance(60_000);
    const after = podUsage(c, getPod(c, 'grow')!)![0].usage.memory;
    expect(after - before).toBeGreaterThan(50 * MI);
    // A pod with no running container has no sample.
    expect(podUsage(c, getPod(c, 'typo')!)).toBeUndefined();
    // The node's use includes its pods'.
    const node = c.store.get(NODES, undefined, 'node-1') as Node;
    expect(nodeUsage(c, node).cpu).toBeGreaterThan(2e9);
  });

  it('reading it changes nothing in the cluster and gives the same answer twice', () => {
    const c = newCluster();
    createPod(c, onePod('web', { image: 'nginx:1.27' }));
    c.advance(10_000);
    const snap = JSON.stringify(c.snapshot());
    const a = podUsage(c, getPod(c, 'web')!);
    const b = podUsage(c, getPod(c, 'web')!);
    expect(a).toEqual(b);
    expect(JSON.stringify(c.snapshot())).toBe(snap);
  });
});
