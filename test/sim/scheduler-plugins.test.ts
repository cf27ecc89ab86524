import { describe, expect, it } from 'vitest';
import { EVENTS, findResource, NAMESPACES, NODES, PODS } from '../../sim/apiserver/resources.ts';
import type { Node, Pod } from '../../sim/apiserver/types.ts';
import type { Cluster } from '../../sim/cluster.ts';
import { createPod, getPod, newCluster, pod } from './helpers.ts';

function patchNode(c: Cluster, name: string, fn: (n: Node) => void): void {
  const n = JSON.parse(JSON.stringify(c.store.get(NODES, undefined, name))) as Node;
  fn(n);
  c.api.update(NODES, undefined, name, n);
  c.settle();
}

function label(c: Cluster, name: string, labels: Record<string, string>): void {
  patchNode(c, name, (n) => Object.assign((n.metadata.labels ??= {}), labels));
}

function nodeOf(c: Cluster, name: string, ns = 'default'): string | undefined {
  return getPod(c, name, ns)?.spec.nodeName;
}

/** The FailedScheduling message a pod got (and its PodScheduled condition shows). */
function failure(c: Cluster, name: string, ns = 'default'): string | undefined {
  const p = getPod(c, name, ns)!;
  const cond = p.status?.conditions?.find((x) => x.type === 'PodScheduled');
  const ev = c.store.list(EVENTS, ns).filter((e) => e.reason === 'FailedScheduling' && (e.involvedObject as { name: string }).name === name);
  if (cond?.status === 'False') expect(ev.map((e) => e.message)).toContain(cond.message);
  return cond?.status === 'False' ? cond.message : undefined;
}

function labeled(name: string, labels: Record<string, string>, spec: Partial<Pod['spec']> = {}): Pod {
  const p = pod(name, 'nginx', spec);
  p.metadata.labels = labels;
  return p;
}

const anti = (app: string, topologyKey = 'kubernetes.io/hostname') => ({
  podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app } }, topologyKey }] },
});

const requiredNodeAffinity = (...terms: object[]) => ({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } });

describe('NodeResourcesFit and the FailedScheduling message', () => {
  it('Pending for cpu, with the preemption verdict', () => {
    const c = newCluster();
    createPod(c, pod('big', 'nginx', { containers: [{ name: 'big', image: 'nginx', resources: { requests: { cpu: '5' } } }] }));
    expect(failure(c, 'big')).toBe('0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.');
  });

  it('an untolerated taint and memory, counts sorted as the scheduler prints them', () => {
    const c = newCluster();
    patchNode(c, 'node-1', (n) => (n.spec.taints = [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }]));
    createPod(c, pod('mem', 'nginx', { containers: [{ name: 'mem', image: 'nginx', resources: { requests: { memory: '20Gi' } } }] }));
    expect(failure(c, 'mem')).toBe(
      '0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient memory. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.',
    );
  });

  it('extended resources: a GPU no node has, and a limit without a request counts as the request', () => {
    const c = newCluster();
    createPod(c, pod('gpu', 'nginx', { containers: [{ name: 'gpu', image: 'nginx', resources: { limits: { 'nvidia.com/gpu': '1' } } }] }));
    expect(failure(c, 'gpu')).toBe('0/3 nodes are available: 3 Insufficient nvidia.com/gpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.');
    createPod(c, pod('lim', 'nginx', { containers: [{ name: 'lim', image: 'nginx', resources: { limits: { cpu: '3' } } }] }));
    createPod(c, pod('lim2', 'nginx', { containers: [{ name: 'lim2', image: 'nginx', resources: { limits: { cpu: '3' } } }] }));
    createPod(c, pod('lim3', 'nginx', { containers: [{ name: 'lim3', image: 'nginx', resources: { limits: { cpu: '3' } } }] }));
    createPod(c, pod('lim4', 'nginx', { containers: [{ name: 'lim4', image: 'nginx', resources: { limits: { cpu: '3' } } }] }));
    expect(failure(c, 'lim4')).toBe('0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.');
    createPod(c, pod('disk', 'nginx', { containers: [{ name: 'disk', image: 'nginx', resources: { requests: { 'ephemeral-storage': '200Gi' } } }] }));
    expect(failure(c, 'disk')).toBe('0/3 nodes are available: 3 Insufficient ephemeral-storage. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.');
  });

  it('preemptionPolicy Never says so', () => {
    const c = newCluster();
    createPod(c, pod('np', 'nginx', { preemptionPolicy: 'Never', containers: [{ name: 'np', image: 'nginx', resources: { requests: { cpu: '5' } } }] }));
    expect(failure(c, 'np')).toBe('0/3 nodes are available: 3 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.');
  });

  it('cordoned nodes: NodeUnschedulable', () => {
    const c = newCluster();
    for (const n of ['node-1', 'node-2', 'node-3']) patchNode(c, n, (x) => (x.spec.unschedulable = true));
    createPod(c, pod('p'));
    expect(failure(c, 'p')).toBe('0/3 nodes are available: 3 node(s) were unschedulable. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.');
    patchNode(c, 'node-2', (x) => delete x.spec.unschedulable);
    expect(nodeOf(c, 'p')).toBe('node-2');
  });
});

describe('TaintToleration', () => {
  it('a NoSchedule taint keeps pods off until they tolerate it (tolerations may be added to a pending pod)', () => {
    const c = newCluster();
    for (const n of ['node-1', 'node-2', 'node-3']) patchNode(c, n, (x) => (x.spec.taints = [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }]));
    createPod(c, pod('t'));
    expect(failure(c, 't')).toBe('0/3 nodes are available: 3 node(s) had untolerated taint {dedicated: gpu}. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.');
    const p = JSON.parse(JSON.stringify(getPod(c, 't'))) as Pod;
    p.spec.tolerations = [...(p.spec.tolerations ?? []), { key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }];
    c.api.update(PODS, 'default', 't', p);
    c.settle();
    expect(nodeOf(c, 't')).toBeDefined();
  });

  it('PreferNoSchedule taints are avoided when another node fits', () => {
    const c = newCluster();
    for (const n of ['node-1', 'node-2']) patchNode(c, n, (x) => (x.spec.taints = [{ key: 'spot', effect: 'PreferNoSchedule' }]));
    for (let i = 0; i < 3; i++) createPod(c, pod(`p${i}`));
    expect([0, 1, 2].map((i) => nodeOf(c, `p${i}`))).toEqual(['node-3', 'node-3', 'node-3']);
    createPod(c, pod('tol', 'nginx', { tolerations: [{ key: 'spot', operator: 'Exists', effect: 'PreferNoSchedule' }] }));
    expect(nodeOf(c, 'tol')).not.toBe('node-3');
  });
});

describe('NodeAffinity', () => {
  it('nodeSelector and required terms with every operator, and matchFields metadata.name', () => {
    const c = newCluster();
    label(c, 'node-1', { disk: 'hdd', cores: '2' });
    label(c, 'node-2', { disk: 'ssd', cores: '8' });
    label(c, 'node-3', { cores: '16', gpu: 'yes' });
    const place = (name: string, ...terms: object[]) => {
      createPod(c, pod(name, 'nginx', { affinity: requiredNodeAffinity(...terms) }));
      return nodeOf(c, name);
    };
    expect(place('in', { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] })).toBe('node-2');
    expect(place('notin', { matchExpressions: [{ key: 'disk', operator: 'NotIn', values: ['ssd', 'hdd'] }] })).toBe('node-3');
    expect(place('exists', { matchExpressions: [{ key: 'gpu', operator: 'Exists' }] })).toBe('node-3');
    expect(place('dne', { matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['4'] }, { key: 'gpu', operator: 'DoesNotExist' }] })).toBe('node-2');
    expect(place('lt', { matchExpressions: [{ key: 'cores', operator: 'Lt', values: ['4'] }] })).toBe('node-1');
    expect(place('fields', { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-3'] }] })).toBe('node-3');
    expect(place('nofield', { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-9'] }] })).toBeUndefined();
    expect(failure(c, 'nofield')).toBe("0/3 nodes are available: 3 node(s) didn't satisfy plugin(s) [NodeAffinity]. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.");
    expect(place('conflict', { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-1'] }, { key: 'metadata.name', operator: 'In', values: ['node-2'] }] })).toBeUndefined();
    expect(failure(c, 'conflict')).toBe('0/3 nodes are available: pod affinity terms conflict. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.');
    // Terms are ORed.
    expect(place('or', { matchExpressions: [{ key: 'disk', operator: 'In', values: ['nvme'] }] }, { matchExpressions: [{ key: 'cores', operator: 'In', values: ['2'] }] })).toBe('node-1');
    expect(place('none', { matchExpressions: [{ key: 'disk', operator: 'In', values: ['nvme'] }] })).toBeUndefined();
    expect(failure(c, 'none')).toBe("0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.");
    createPod(c, pod('sel', 'nginx', { nodeSelector: { disk: 'hdd' } }));
    expect(nodeOf(c, 'sel')).toBe('node-1');
  });

  it('preferred terms pull pods to the nodes they match', () => {
    const c = newCluster();
    label(c, 'node-3', { tier: 'fast' });
    for (let i = 0; i < 3; i++) {
      createPod(c, pod(`pref${i}`, 'nginx', { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, preference: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['fast'] }] } }] } } }));
      expect(nodeOf(c, `pref${i}`)).toBe('node-3');
    }
  });
});

describe('InterPodAffinity', () => {
  it('required anti-affinity on hostname: one per node, the fourth Pending', () => {
    const c = newCluster();
    for (let i = 0; i < 4; i++) createPod(c, labeled(`web${i}`, { app: 'web' }, { affinity: anti('web') }));
    expect(new Set([0, 1, 2].map((i) => nodeOf(c, `web${i}`))).size).toBe(3);
    expect(failure(c, 'web3')).toBe("0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.");
  });

  it("existing pods' anti-affinity keeps matching pods away", () => {
    const c = newCluster();
    createPod(c, labeled('loner', { app: 'loner' }, { nodeName: 'node-1', affinity: anti('noisy') }));
    createPod(c, labeled('noisy', { app: 'noisy' }, { affinity: requiredNodeAffinity({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-1'] }] }) }));
    expect(failure(c, 'noisy')).toBe(
      "0/3 nodes are available: 1 node(s) didn't satisfy existing pods anti-affinity rules, 2 node(s) didn't satisfy plugin(s) [NodeAffinity]. preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.",
    );
  });

  it('required affinity: with the pods it selects; the first of a self-selecting group goes anywhere', () => {
    const c = newCluster();
    createPod(c, labeled('cache', { app: 'cache' }, { nodeName: 'node-2' }));
    const follow = { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'cache' } }, topologyKey: 'kubernetes.io/hostname' }] } };
    for (let i = 0; i < 3; i++) createPod(c, labeled(`app${i}`, { app: 'front' }, { affinity: follow }));
    expect([0, 1, 2].map((i) => nodeOf(c, `app${i}`))).toEqual(['node-2', 'node-2', 'node-2']);
    const ghost = { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'ghost' } }, topologyKey: 'kubernetes.io/hostname' }] } };
    createPod(c, labeled('orphan', { app: 'other' }, { affinity: ghost }));
    expect(failure(c, 'orphan')).toBe("0/3 nodes are available: 3 node(s) didn't match pod affinity rules. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.");
    createPod(c, labeled('first', { app: 'ghost' }, { affinity: ghost }));
    expect(nodeOf(c, 'first')).toBeDefined();
  });

  it('zone anti-affinity, and namespaces / namespaceSelector decide which pods count', () => {
    const c = newCluster();
    c.api.create(NAMESPACES, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other', labels: { team: 'x' } } });
    createPod(c, labeled('db', { app: 'db' }, { nodeName: 'node-1' }), 'other');
    // Same namespace only by default: the pod in `other` does not count.
    createPod(c, labeled('a', { app: 'a' }, { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'db' } }, topologyKey: 'topology.kubernetes.io/zone' }] } }, nodeSelector: { 'kubernetes.io/hostname': 'node-1' } }));
    expect(nodeOf(c, 'a')).toBe('node-1');
    createPod(c, labeled('b', { app: 'b' }, { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'db' } }, namespaces: ['other'], topologyKey: 'topology.kubernetes.io/zone' }] } } }));
    expect(nodeOf(c, 'b')).not.toBe('node-1');
    createPod(c, labeled('c', { app: 'c' }, { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'db' } }, namespaceSelector: { matchLabels: { team: 'x' } }, topologyKey: 'topology.kubernetes.io/zone' }] } } }));
    expect(nodeOf(c, 'c')).toBe('node-1');
    createPod(c, labeled('d', { app: 'd' }, { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'db' } }, namespaceSelector: {}, topologyKey: 'kubernetes.io/hostname' }] } } }));
    expect(nodeOf(c, 'd')).toBe('node-1');
  });

  it('preferred anti-affinity spreads, preferred affinity gathers', () => {
    const c = newCluster();
    const spread = { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { labelSelector: { matchLabels: { app: 's' } }, topologyKey: 'kubernetes.io/hostname' } }] } };
    for (let i = 0; i < 3; i++) createPod(c, labeled(`s${i}`, { app: 's' }, { affinity: spread }));
    expect(new Set([0, 1, 2].map((i) => nodeOf(c, `s${i}`))).size).toBe(3);
    createPod(c, labeled('anchor', { app: 'g' }, { nodeName: 'node-3' }));
    const gather = { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { labelSelector: { matchLabels: { app: 'g' } }, topologyKey: 'kubernetes.io/hostname' } }] } };
    for (let i = 0; i < 2; i++) createPod(c, labeled(`g${i}`, { app: 'x' }, { affinity: gather }));
    expect([nodeOf(c, 'g0'), nodeOf(c, 'g1')]).toEqual(['node-3', 'node-3']);
  });
});

describe('PodTopologySpread', () => {
  const constraint = (extra: object = {}) => [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'sp' } }, ...extra }];

  it('DoNotSchedule keeps the skew within maxSkew', () => {
    const c = newCluster();
    for (let i = 0; i < 6; i++) createPod(c, labeled(`sp${i}`, { app: 'sp' }, { topologySpreadConstraints: constraint() }));
    const counts = new Map<string, number>();
    for (let i = 0; i < 6; i++) counts.set(nodeOf(c, `sp${i}`)!, (counts.get(nodeOf(c, `sp${i}`)!) ?? 0) + 1);
    expect([...counts.values()]).toEqual([2, 2, 2]);
  });

  it('reports the constraint, and a node without the topology label', () => {
    const c = newCluster();
    createPod(c, labeled('x1', { app: 'sp' }, { nodeName: 'node-1' }));
    createPod(c, labeled('x2', { app: 'sp' }, { nodeName: 'node-1' }));
    for (const n of ['node-2', 'node-3']) patchNode(c, n, (x) => (x.spec.unschedulable = true));
    createPod(c, labeled('skewed', { app: 'sp' }, { topologySpreadConstraints: constraint() }));
    expect(failure(c, 'skewed')).toBe(
      "0/3 nodes are available: 1 node(s) didn't match pod topology spread constraints, 2 node(s) were unschedulable. preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.",
    );
    createPod(c, labeled('rack', { app: 'sp' }, { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'rack', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'sp' } } }] }));
    expect(failure(c, 'rack')).toBe(
      "0/3 nodes are available: 1 node(s) didn't match pod topology spread constraints (missing required label), 2 node(s) were unschedulable. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
    );
  });

  it('ScheduleAnyway prefers the emptier domain', () => {
    const c = newCluster();
    createPod(c, labeled('y1', { app: 'sp' }, { nodeName: 'node-1' }));
    createPod(c, labeled('y2', { app: 'sp' }, { nodeName: 'node-2' }));
    // node-3 is the busiest (LeastAllocated alone would avoid it) but has none of the selected pods.
    createPod(c, pod('busy', 'nginx', { nodeName: 'node-3', containers: [{ name: 'busy', image: 'nginx', resources: { requests: { cpu: '2', memory: '8Gi' } } }] }));
    createPod(c, labeled('soft', { app: 'sp' }, { topologySpreadConstraints: constraint({ whenUnsatisfiable: 'ScheduleAnyway' }) }));
    expect(nodeOf(c, 'soft')).toBe('node-3');
  });

  it('system default constraints spread the pods a Service selects', () => {
    const heavy = (name: string) => pod(name, 'nginx', { nodeName: 'node-3', containers: [{ name, image: 'nginx', resources: { requests: { cpu: '2', memory: '8Gi' } } }] });
    // Without a Service, LeastAllocated keeps the third pod off the busy node-3...
    const plain = newCluster();
    createPod(plain, heavy('busy'));
    for (let i = 0; i < 3; i++) createPod(plain, labeled(`w${i}`, { app: 'svc' }));
    expect([0, 1, 2].map((i) => nodeOf(plain, `w${i}`))).not.toContain('node-3');
    // ...with one, the default spread (hostname maxSkew 3, zone maxSkew 5, ScheduleAnyway) outweighs it.
    const c = newCluster();
    createPod(c, heavy('busy'));
    c.api.create(findResource('', 'services')!, 'default', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'svc' }, ports: [{ port: 80 }] } });
    for (let i = 0; i < 3; i++) createPod(c, labeled(`w${i}`, { app: 'svc' }));
    expect(new Set([0, 1, 2].map((i) => nodeOf(c, `w${i}`)))).toEqual(new Set(['node-1', 'node-2', 'node-3']));
  });
});

describe('NodePorts', () => {
  it('a hostPort is taken once per node', () => {
    const c = newCluster();
    const hp = (name: string) => pod(name, 'nginx', { containers: [{ name, image: 'nginx', ports: [{ containerPort: 80, hostPort: 8080 }] }] });
    for (let i = 0; i < 4; i++) createPod(c, hp(`hp${i}`));
    expect(new Set([0, 1, 2].map((i) => nodeOf(c, `hp${i}`))).size).toBe(3);
    expect(failure(c, 'hp3')).toBe("0/3 nodes are available: 3 node(s) didn't have free ports for the requested pod ports. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.");
    c.api.delete(PODS, 'default', 'hp0', { gracePeriodSeconds: 0 });
    c.settle();
    expect(nodeOf(c, 'hp3')).toBeDefined();
  });
});

describe('scale', () => {
  it('schedules onto 150 nodes (sampling 100 feasible nodes per pod), spreading pods', () => {
    const c = newCluster('big', 150);
    for (let i = 0; i < 100; i++) c.api.create(PODS, 'default', labeled(`p${i}`, { app: 'p' }));
    c.settle();
    const nodes = new Set((c.store.list(PODS) as Pod[]).map((p) => p.spec.nodeName));
    expect(nodes.has(undefined)).toBe(false);
    expect(nodes.size).toBeGreaterThan(90);
  }, 30_000);
});

describe('restore', () => {
  it('a snapshot with pending pods and affinity continues the same future', async () => {
    const { restoreCluster } = await import('../../sim/bootstrap.ts');
    const { Cluster } = await import('../../sim/cluster.ts');
    const c = newCluster('restore-sched');
    for (let i = 0; i < 4; i++) createPod(c, labeled(`web${i}`, { app: 'web' }, { affinity: anti('web') }));
    createPod(c, labeled('sp', { app: 'sp' }, { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } } }] }));
    c.advance(20_000);
    const copy = restoreCluster(Cluster.restore(c.snapshot()));
    for (const x of [c, copy]) {
      x.api.delete(PODS, 'default', 'web0');
      x.settle();
      for (let i = 0; i < 3; i++) createPod(x, labeled(`more${i}`, { app: 'web' }));
      x.advance(120_000);
    }
    expect(copy.snapshot()).toEqual(c.snapshot());
    expect(nodeOf(copy, 'web3')).toBeDefined();
  });
});
