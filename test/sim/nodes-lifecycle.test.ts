import { describe, expect, it } from 'vitest';
import { EVENTS, NODES, PODS } from '../../sim/apiserver/resources.ts';
import type { KObject, Node, Pod } from '../../sim/apiserver/types.ts';
import { restoreCluster } from '../../sim/bootstrap.ts';
import { Cluster } from '../../sim/cluster.ts';
import { applyFault, FaultError, faultState, kubeletRunning } from '../../sim/nodes/faults.ts';
import { LEASES } from '../../sim/nodes/node.ts';
import { createPod, getPod, newCluster, pod, START } from './helpers.ts';

function node(c: Cluster, name: string): Node {
  return c.store.get(NODES, undefined, name) as Node;
}

function ready(c: Cluster, name: string) {
  return node(c, name).status.conditions.find((x) => x.type === 'Ready')!;
}

function taints(c: Cluster, name: string): string[] {
  return (node(c, name).spec.taints ?? []).map((t) => `${t.key}:${t.effect}`).sort();
}

function events(c: Cluster, reason: string): KObject[] {
  return c.store.list(EVENTS).filter((e) => e.reason === reason);
}

/** A cluster with pod `web` running on node-2 (pinned by nodeName). */
function withPodOnNode2(seed = 'nodes'): Cluster {
  const c = newCluster(seed);
  createPod(c, pod('web', 'nginx', { nodeName: 'node-2' }));
  c.advance(10_000);
  expect(getPod(c, 'web')!.status!.phase).toBe('Running');
  return c;
}

describe('node heartbeats', () => {
  it('every node has a Lease in kube-node-lease, renewed every 10 s while its kubelet runs', () => {
    const c = newCluster();
    c.advance(95_000);
    const lease = c.api.get(LEASES, 'kube-node-lease', 'node-1') as KObject & { spec: Record<string, unknown> };
    expect(lease.spec.holderIdentity).toBe('node-1');
    expect(lease.spec.leaseDurationSeconds).toBe(40);
    expect(lease.spec.renewTime).toBe(new Date(START + 90_000).toISOString().replace('Z', '000Z'));
    expect(lease.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'Node', name: 'node-1' });
    expect(c.api.list(LEASES, 'kube-node-lease').items.map((l) => l.metadata.name)).toEqual(['node-1', 'node-2', 'node-3']);
  });

  it("the node's conditions show a heartbeat every 5 min (nodeStatusReportFrequency), frozen when the kubelet stops", () => {
    const c = newCluster();
    c.advance(11 * 60_000);
    const beat = (n: string) => (c.api.get(NODES, undefined, n) as Node).status.conditions.map((x) => x.lastHeartbeatTime);
    expect(beat('node-1')).toEqual(Array(4).fill('2026-01-01T00:10:00Z'));
    expect(c.api.list(NODES, undefined).items.map((n) => (n as Node).status.conditions[3].lastHeartbeatTime)).toEqual(Array(3).fill('2026-01-01T00:10:00Z'));
    applyFault(c, { fault: 'node-down', node: 'node-2' });
    c.advance(20 * 60_000);
    expect(beat('node-1')).toEqual(Array(4).fill('2026-01-01T00:30:00Z'));
    expect(beat('node-2')).toEqual(Array(4).fill('2026-01-01T00:10:00Z'));
  });

  it('an idle cluster writes nothing while time passes', () => {
    const c = newCluster('idle', 20);
    c.advance(1000);
    const rv = c.store.currentRV();
    c.advance(3600_000);
    expect(c.store.currentRV()).toBe(rv);
    expect(c.timers.size).toBe(0);
  });
});

describe('a node whose kubelet stops', () => {
  it('turns Unknown after the 50 s grace period, is tainted unreachable, and its pods turn Ready=False', () => {
    const c = withPodOnNode2();
    // Lease renewed at START+10 s; the kubelet stops at START+13 s.
    c.advanceTo(START + 13_000);
    applyFault(c, { fault: 'node-down', node: 'node-2' });
    expect(kubeletRunning(c, 'node-2')).toBe(false);
    expect(kubeletRunning(c, 'node-1')).toBe(true);
    // The controller saw the renewal at its 10 s pass; Unknown at the first pass past 10 s + 50 s.
    c.advanceTo(START + 60_000);
    expect(ready(c, 'node-2').status).toBe('True');
    expect(taints(c, 'node-2')).toEqual([]);
    c.advanceTo(START + 65_000);
    const r = ready(c, 'node-2');
    expect(r).toMatchObject({ status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' });
    for (const cond of node(c, 'node-2').status.conditions) expect(cond.status).toBe('Unknown');
    expect(taints(c, 'node-2')).toEqual(['node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unreachable:NoSchedule']);
    expect(node(c, 'node-2').spec.taints!.find((t) => t.effect === 'NoExecute')!.timeAdded).toBe('2026-01-01T00:01:05Z');
    expect(events(c, 'NodeNotReady').map((e) => e.message)).toContain('Node node-2 status is now: NodeNotReady');
    const p = getPod(c, 'web')!;
    expect(p.status!.conditions!.find((x) => x.type === 'Ready')!.status).toBe('False');
    expect(events(c, 'NodeNotReady').some((e) => (e.involvedObject as { name: string }).name === 'web' && e.message === 'Node is not ready')).toBe(true);
    // The Lease stays at the last renewal.
    const lease = c.api.get(LEASES, 'kube-node-lease', 'node-2') as KObject & { spec: { renewTime: string } };
    expect(lease.spec.renewTime).toBe('2026-01-01T00:00:10.000000Z');
    expect(faultState(c).nodes.find((n) => n.name === 'node-2')).toEqual({ name: 'node-2', ready: 'Unknown', kubelet: 'stopped' });
  });

  it('evicts its pods 300 s after the taint (their default toleration), with TaintManagerEviction', () => {
    const c = withPodOnNode2();
    c.advanceTo(START + 13_000);
    applyFault(c, { fault: 'node-down', node: 'node-2' });
    c.advanceTo(START + 65_000 + 299_000);
    expect(getPod(c, 'web')!.metadata.deletionTimestamp).toBeUndefined();
    c.advanceTo(START + 65_000 + 300_000);
    const ev = events(c, 'TaintManagerEviction');
    expect(ev.map((e) => e.message)).toEqual(['Marking for deletion Pod default/web']);
    expect((ev[0].source as { component: string }).component).toBe('taint-eviction-controller');
  });

  it('evicts at once a pod that does not tolerate the taint, and never one that tolerates it forever', () => {
    const c = newCluster('tol');
    createPod(c, pod('forever', 'nginx', { nodeName: 'node-2', tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' }] }));
    createPod(c, pod('short', 'nginx', { nodeName: 'node-2', tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 10 }] }));
    c.advance(5_000);
    applyFault(c, { fault: 'node-down', node: 'node-2' });
    c.advance(70_000);
    const tainted = Date.parse(node(c, 'node-2').spec.taints!.find((t) => t.effect === 'NoExecute')!.timeAdded!);
    c.advanceTo(tainted + 10_000);
    expect(events(c, 'TaintManagerEviction').map((e) => e.message)).toEqual(['Marking for deletion Pod default/short']);
    c.advance(3600_000);
    expect(getPod(c, 'forever')).toBeDefined();
    expect(getPod(c, 'forever')!.metadata.deletionTimestamp).toBeUndefined();
    // A user's NoExecute taint evicts pods that do not tolerate it at once.
    const n1 = JSON.parse(JSON.stringify(node(c, 'node-1'))) as Node;
    createPod(c, pod('victim', 'nginx', { nodeName: 'node-1' }));
    n1.spec.taints = [{ key: 'maintenance', value: 'now', effect: 'NoExecute' }];
    c.api.update(NODES, undefined, 'node-1', n1);
    c.settle();
    expect(events(c, 'TaintManagerEviction').map((e) => e.message)).toContain('Marking for deletion Pod default/victim');
    const victim = getPod(c, 'victim');
    if (victim) expect(victim.status!.conditions!.find((x) => x.type === 'DisruptionTarget')).toMatchObject({ reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint' });
  });

  it('comes back with node-up: Ready again, taints removed, pods Ready, no eviction', () => {
    const c = withPodOnNode2();
    c.advanceTo(START + 13_000);
    applyFault(c, { fault: 'node-down', node: 'node-2' });
    c.advanceTo(START + 100_000);
    expect(ready(c, 'node-2').status).toBe('Unknown');
    applyFault(c, { fault: 'node-up', node: 'node-2' });
    expect(ready(c, 'node-2')).toMatchObject({ status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' });
    c.advance(5_000);
    expect(taints(c, 'node-2')).toEqual([]);
    expect(getPod(c, 'web')!.status!.conditions!.find((x) => x.type === 'Ready')!.status).toBe('True');
    c.advance(600_000);
    expect(events(c, 'TaintManagerEviction')).toEqual([]);
    expect(faultState(c).faults).toEqual([]);
    const lease = c.api.get(LEASES, 'kube-node-lease', 'node-2') as KObject & { spec: { renewTime: string } };
    expect(Date.parse(lease.spec.renewTime)).toBe(START + 700_000);
  });

  it('node-partition is the same as down for the control plane', () => {
    const c = withPodOnNode2();
    c.advanceTo(START + 13_000);
    applyFault(c, { fault: 'node-partition', node: 'node-2' });
    expect(kubeletRunning(c, 'node-2')).toBe(false);
    c.advanceTo(START + 65_000);
    expect(ready(c, 'node-2').status).toBe('Unknown');
    expect(faultState(c).faults).toEqual([{ fault: 'node-partition', node: 'node-2', since: '2026-01-01T00:00:13Z' }]);
  });

  it('node-not-ready: Ready=False from the kubelet and the not-ready taints', () => {
    const c = withPodOnNode2();
    applyFault(c, { fault: 'node-not-ready', node: 'node-2' });
    expect(ready(c, 'node-2')).toMatchObject({ status: 'False', reason: 'KubeletNotReady' });
    c.advance(5_000);
    expect(taints(c, 'node-2')).toEqual(['node.kubernetes.io/not-ready:NoExecute', 'node.kubernetes.io/not-ready:NoSchedule']);
    expect(kubeletRunning(c, 'node-2')).toBe(true);
    applyFault(c, { fault: 'heal-all' });
    c.advance(5_000);
    expect(taints(c, 'node-2')).toEqual([]);
    expect(ready(c, 'node-2').status).toBe('True');
  });

  it('a snapshot taken while the node is down continues the same future', () => {
    const c = withPodOnNode2('restore');
    c.advanceTo(START + 13_000);
    applyFault(c, { fault: 'node-down', node: 'node-2' });
    c.advanceTo(START + 40_000);
    const copy = restoreCluster(Cluster.restore(c.snapshot()));
    for (const x of [c, copy]) x.advanceTo(START + 400_000);
    expect(copy.snapshot()).toEqual(c.snapshot());
    expect(events(copy, 'TaintManagerEviction').map((e) => e.message)).toEqual(['Marking for deletion Pod default/web']);
  });
});

describe('faults', () => {
  it('add-node and remove-node: a new Ready node; the pods of a removed node are deleted by Pod GC', () => {
    const c = withPodOnNode2();
    const st = applyFault(c, { fault: 'add-node' });
    expect(st.nodes.map((n) => n.name)).toEqual(['node-1', 'node-2', 'node-3', 'node-4']);
    expect(ready(c, 'node-4').status).toBe('True');
    expect(c.store.get(LEASES, 'kube-node-lease', 'node-4')).toBeDefined();
    applyFault(c, { fault: 'remove-node', node: 'node-2' });
    expect(c.store.get(NODES, undefined, 'node-2')).toBeUndefined();
    c.advance(39_000);
    expect(getPod(c, 'web')).toBeDefined();
    c.advance(1_000);
    expect(getPod(c, 'web')).toBeUndefined();
    expect(c.store.get(LEASES, 'kube-node-lease', 'node-2')).toBeUndefined();
    // The next added node does not reuse the removed node's addresses.
    applyFault(c, { fault: 'add-node', node: 'extra' });
    const ips = (c.store.list(NODES) as Node[]).map((n) => n.status.addresses[0].address);
    expect(new Set(ips).size).toBe(ips.length);
  });

  it('bad requests are clear errors and change nothing', () => {
    const c = newCluster();
    const rv = c.store.currentRV();
    expect(() => applyFault(c, { fault: 'explode' })).toThrow(FaultError);
    expect(() => applyFault(c, { fault: 'explode' })).toThrow(/unknown fault "explode": must be one of node-down, node-partition/);
    expect(() => applyFault(c, { fault: 'node-down', node: 'node-9' })).toThrow('node node-9 not found');
    expect(() => applyFault(c, { fault: 'node-down' })).toThrow(/needs a node/);
    expect(() => applyFault(c, { fault: 'add-node', node: 'Bad_Name' })).toThrow(/invalid node name/);
    expect(() => applyFault(c, { fault: 'add-node', node: 'node-1' })).toThrow('node node-1 already exists');
    expect(() => applyFault(c, [] as never)).toThrow(/JSON object/);
    expect(c.store.currentRV()).toBe(rv);
  });

  it('a pod still scheduled to a down node stays off it: the unreachable taint keeps the scheduler away', () => {
    const c = newCluster('sched');
    applyFault(c, { fault: 'node-down', node: 'node-1' });
    c.advance(70_000);
    for (let i = 0; i < 6; i++) createPod(c, pod(`p${i}`));
    const nodes = (c.store.list(PODS) as Pod[]).map((p) => p.spec.nodeName);
    expect(nodes).not.toContain('node-1');
  });
});

describe('Pod GC', () => {
  it('deletes a pod bound to a node that does not exist, after the 40 s quarantine', () => {
    const c = newCluster('orphan');
    createPod(c, pod('lost', 'nginx', { nodeName: 'node-99' }));
    c.advance(39_000);
    expect(getPod(c, 'lost')).toBeDefined();
    c.advance(1_000);
    expect(getPod(c, 'lost')).toBeUndefined();
  });
});

describe('master disruption', () => {
  it('when every node is down nothing is evicted; when one comes back the others are tainted NoExecute anew', () => {
    const c = withPodOnNode2('disruption');
    for (const n of ['node-1', 'node-2', 'node-3']) applyFault(c, { fault: 'node-down', node: n });
    c.advance(70_000);
    for (const n of ['node-1', 'node-2', 'node-3']) {
      expect(ready(c, n).status).toBe('Unknown');
      expect(taints(c, n)).toEqual(['node.kubernetes.io/unreachable:NoSchedule']);
    }
    c.advance(600_000);
    expect(events(c, 'TaintManagerEviction')).toEqual([]);
    applyFault(c, { fault: 'node-up', node: 'node-1' });
    c.advance(5_000);
    expect(taints(c, 'node-1')).toEqual([]);
    expect(taints(c, 'node-2')).toEqual(['node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unreachable:NoSchedule']);
    c.advance(300_000);
    expect(events(c, 'TaintManagerEviction').map((e) => e.message)).toEqual(['Marking for deletion Pod default/web']);
  });
});
