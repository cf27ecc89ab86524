// The sandbox page's pure layout rules: how pods are grouped, ordered and coloured.
import { describe, expect, it } from 'vitest';
import {
  badConditions,
  formatMemory,
  hueOf,
  layoutBoard,
  layoutServices,
  layoutWorkloads,
  nodeTone,
  ownerFamily,
  parseRefKey,
  podTone,
  refKey,
  sameFields,
  sameItems,
  shortOwner,
  type Tone,
} from '../../client/src/sandbox/model.ts';
import { ClusterMirror } from '../../client/src/sandbox/mirror.ts';
import type { EndpointInfo, NodeInfo, PodInfo, ServiceInfo, WorkloadInfo } from '../../client/src/types.ts';

const node = (name: string, status = 'Ready'): NodeInfo => ({
  name,
  status,
  ready: status.startsWith('Ready'),
  roles: '<none>',
  cpu: '4',
  memory: '8Gi',
  pods: '110',
  taints: [],
  zone: '',
  createdAt: '',
});

function pod(name: string, fields: Partial<PodInfo> = {}): PodInfo {
  return {
    namespace: 'default',
    name,
    node: 'node-1',
    phase: 'Running',
    status: 'Running',
    ready: '1/1',
    readyBool: true,
    restarts: 0,
    ip: null,
    owner: null,
    createdAt: '',
    deleting: false,
    ...fields,
  };
}

describe('layoutBoard', () => {
  it('groups pods under their node in natural name order, unscheduled pods apart', () => {
    const board = layoutBoard({
      clock: null,
      nodes: [node('node-10'), node('node-2'), node('node-1')],
      pods: [
        pod('b', { node: 'node-2' }),
        pod('a', { node: 'node-2', namespace: 'kube-system' }),
        pod('pending', { node: null, phase: 'Pending', status: 'Pending' }),
        pod('web-10'),
        pod('web-9'),
      ],
    });
    expect(board.nodes.map((g) => [g.node.name, g.pods.map((p) => `${p.namespace}/${p.name}`)])).toEqual([
      ['node-1', ['default/web-9', 'default/web-10']],
      ['node-2', ['default/b', 'kube-system/a']],
      ['node-10', []],
    ]);
    expect(board.unscheduled.map((p) => p.name)).toEqual(['pending']);
  });

  it('keeps pods of a node that is gone on a card of their own', () => {
    const board = layoutBoard({ clock: null, nodes: [node('node-1')], pods: [pod('orphan', { node: 'node-9' })] });
    expect(board.nodes.map((g) => [g.node.name, g.node.status, g.pods.length])).toEqual([
      ['node-1', 'Ready', 0],
      ['node-9', 'Unknown', 1],
    ]);
  });
});

describe('tones', () => {
  it.each([
    ['running', {}, 'ok'],
    ['starting', { readyBool: false, ready: '0/1' }, 'wait'],
    ['creating', { phase: 'Pending', status: 'ContainerCreating', readyBool: false }, 'wait'],
    ['init', { phase: 'Pending', status: 'Init:0/1', readyBool: false }, 'wait'],
    ['crash', { status: 'CrashLoopBackOff', readyBool: false }, 'bad'],
    ['pull', { phase: 'Pending', status: 'ErrImagePull', readyBool: false }, 'bad'],
    ['failed', { phase: 'Failed', status: 'Error', readyBool: false }, 'bad'],
    ['done', { phase: 'Succeeded', status: 'Completed', readyBool: false }, 'done'],
    ['going', { status: 'Terminating', deleting: true }, 'off'],
  ] satisfies [string, Partial<PodInfo>, Tone][])('a %s pod %o is %s', (name, fields, tone) => {
    expect(podTone(pod(name, fields))).toBe(tone);
  });

  it('colours nodes by readiness', () => {
    expect(nodeTone(node('a'))).toBe('ok');
    expect(nodeTone(node('a', 'Ready,SchedulingDisabled'))).toBe('wait');
    expect(nodeTone(node('a', 'NotReady'))).toBe('bad');
    expect(nodeTone(node('a', 'Unknown'))).toBe('off');
  });
});

describe('formatMemory', () => {
  it.each([
    ['16262660Ki', '15.5 GiB'],
    ['8Gi', '8 GiB'],
    ['512Mi', '512 MiB'],
    ['2G', '1.9 GiB'],
    ['1073741824', '1 GiB'],
    ['lots', 'lots'],
  ])('%s → %s', (quantity, shown) => {
    expect(formatMemory(quantity)).toBe(shown);
  });
});

function workload(kind: string, name: string, fields: Partial<WorkloadInfo> = {}): WorkloadInfo {
  return { kind, namespace: 'default', name, owner: null, desired: 1, current: 1, ready: 1, updated: 1, revision: '', image: 'nginx', createdAt: '', deleting: false, ...fields };
}

describe('layoutWorkloads', () => {
  it("groups a Deployment's ReplicaSets under it, newest revision first; other workloads apart", () => {
    const layout = layoutWorkloads([
      workload('ReplicaSet', 'web-aaaaa', { owner: 'Deployment/web', revision: '1', desired: 0 }),
      workload('Deployment', 'web'),
      workload('ReplicaSet', 'web-bbbbb', { owner: 'Deployment/web', revision: '10' }),
      workload('ReplicaSet', 'web-ccccc', { owner: 'Deployment/web', revision: '2' }),
      workload('ReplicaSet', 'lonely'),
      workload('StatefulSet', 'db'),
      workload('ReplicaSet', 'api-ddddd', { owner: 'Deployment/api', namespace: 'other' }),
    ]);
    expect(layout.deployments.map((g) => [g.deployment.name, g.replicaSets.map((r) => r.revision)])).toEqual([['web', ['10', '2', '1']]]);
    // A ReplicaSet whose Deployment is not (or no longer) there stands alone; by kind, then namespace/name.
    expect(layout.others.map((w) => `${w.kind}/${w.name}`)).toEqual(['ReplicaSet/lonely', 'ReplicaSet/api-ddddd', 'StatefulSet/db']);
  });
});

describe('layoutServices', () => {
  it('puts each endpoint under its Service, ready ones first, and counts them', () => {
    const svc = (name: string): ServiceInfo => ({ namespace: 'default', name, type: 'ClusterIP', clusterIP: '10.96.0.9', ports: '80/TCP', selector: `app=${name}`, createdAt: '' });
    const ep = (service: string, pod: string, ready: boolean): EndpointInfo => ({ service, ip: `10.244.0.${pod.length}${pod}`, pod, node: 'node-1', ready, terminating: false });
    const groups = layoutServices([svc('web'), svc('api')], [ep('default/web', 'web-2', false), ep('default/web', 'web-10', true), ep('default/web', 'web-1', true), ep('default/gone', 'x', true)]);
    expect(groups.map((g) => [g.service.name, g.ready, g.notReady, g.endpoints.map((e) => e.pod)])).toEqual([
      ['api', 0, 0, []],
      ['web', 2, 1, ['web-1', 'web-10', 'web-2']],
    ]);
  });
});

describe('owners and conditions', () => {
  it("colours a pod by its Deployment's name, across its ReplicaSets", () => {
    expect(ownerFamily('ReplicaSet/web-5d4f8b9c7')).toBe('web');
    expect(ownerFamily('ReplicaSet/web-7c9d6f8')).toBe('web');
    expect(ownerFamily('StatefulSet/db')).toBe('db');
    expect(ownerFamily('Job/backup-28914560')).toBe('backup');
    expect(ownerFamily(null)).toBe(null);
    expect(hueOf('web')).toBe(hueOf('web'));
    expect(hueOf('web')).not.toBe(hueOf('api'));
    expect(shortOwner('ReplicaSet/web-5d4f8b9c7')).toBe('rs/web-5d4f8b9c7');
  });

  it('flags a node whose Ready is not True or whose pressure conditions are not False', () => {
    const n = node('node-1');
    n.conditions = [
      { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory' },
      { type: 'DiskPressure', status: 'True', reason: 'KubeletHasDiskPressure' },
      { type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown' },
    ];
    expect(badConditions(n).map((c) => `${c.type}=${c.status}`)).toEqual(['DiskPressure=True', 'Ready=Unknown']);
    expect(badConditions(node('node-2'))).toEqual([]);
  });

  it('keys objects for the detail panel, cluster-scoped ones with an empty namespace', () => {
    expect(refKey({ kind: 'Node', namespace: '', name: 'node-1' })).toBe('Node//node-1');
    expect(parseRefKey('Pod/default/web-1')).toEqual({ kind: 'Pod', namespace: 'default', name: 'web-1' });
    expect(parseRefKey('Node//node-1')).toEqual({ kind: 'Node', namespace: '', name: 'node-1' });
    expect(parseRefKey('nonsense')).toBe(null);
  });

  it('tells an unchanged group of pods by identity', () => {
    const a = pod('a');
    const b = pod('b');
    expect(sameItems([a, b], [a, b])).toBe(true);
    expect(sameItems([a, b], [a, { ...b }])).toBe(false);
    expect(sameItems([a], [a, b])).toBe(false);
    // After a resync every entry is a new object: compared by fields, an unchanged pod is the same.
    expect(sameItems([a, b], [{ ...a }, { ...b }], sameFields)).toBe(true);
    expect(sameItems([a, b], [a, { ...b, restarts: 1 }], sameFields)).toBe(false);
    const n = node('node-1');
    expect(sameFields(n, { ...n, taints: [] })).toBe(true);
    expect(sameFields(n, { ...n, taints: ['a:NoSchedule'] })).toBe(false);
  });
});

describe('ClusterMirror: what the map shows of the doc', () => {
  const names = (pods: PodInfo[]) => pods.map((p) => p.name);

  it('draws the first view whole, then spreads a burst of pod changes over frames, oldest first', () => {
    const m = new ClusterMirror();
    m.note('nodes', 'node-1', node('node-1'));
    for (let i = 0; i < 10; i++) m.note('pods', `default/web-${i}`, pod(`web-${i}`));
    const first = m.take(3);
    expect(first.snapshot.pods).toHaveLength(10);
    expect(m.backlog).toBe(0);
    // Five pods change: three are shown in this frame, the other two in the next.
    for (let i = 0; i < 5; i++) m.note('pods', `default/web-${i}`, pod(`web-${i}`, { status: 'Terminating', deleting: true }));
    m.note('pods', 'default/web-9', undefined);
    const second = m.take(3);
    expect(second.sliced).toBe(3);
    expect(second.snapshot.pods.filter((p) => p.deleting).map((p) => p.name)).toEqual(['web-0', 'web-1', 'web-2']);
    expect(m.backlog).toBe(3);
    const third = m.take(3);
    expect(names(third.snapshot.pods)).not.toContain('web-9');
    expect(third.snapshot.pods.filter((p) => p.deleting)).toHaveLength(5);
    expect(m.backlog).toBe(0);
  });

  it('keeps unchanged objects and arrays, so memoised parts of the map skip their redraw', () => {
    const m = new ClusterMirror();
    const a = pod('a');
    const b = pod('b');
    m.note('pods', 'default/a', a);
    m.note('pods', 'default/b', b);
    m.note('nodes', 'node-1', node('node-1'));
    const first = m.take().snapshot;
    m.note('pods', 'default/b', { ...b, restarts: 1 });
    const next = m.take().snapshot;
    expect(next.pods[0]).toBe(a);
    expect(next.pods[1]).not.toBe(b);
    expect(next.nodes).toBe(first.nodes);
    // Nothing new: the very same snapshot.
    expect(m.take().snapshot).toBe(next);
    // A value equal to what is shown (or a change undone before it was drawn) changes nothing.
    m.note('pods', 'default/a', { ...a });
    m.note('pods', 'default/b', { ...b, restarts: 2 });
    m.note('pods', 'default/b', { ...b, restarts: 1 });
    expect(m.backlog).toBe(0);
    expect(m.take().snapshot).toBe(next);
  });

  it('adopts a fresh doc (new epoch) without touching what did not change', () => {
    const m = new ClusterMirror();
    const pods = ['a', 'b', 'c'].map((n) => pod(n));
    for (const p of pods) m.note('pods', `default/${p.name}`, p);
    m.note('nodes', 'node-1', node('node-1'));
    const before = m.take().snapshot;
    // The compacted doc holds copies of a and b, b changed, c is gone and d is new.
    m.adopt('pods', [
      ['default/a', { ...pods[0]! }],
      ['default/b', { ...pods[1]!, status: 'Terminating', deleting: true }],
      ['default/d', pod('d')],
    ]);
    m.adopt('nodes', [['node-1', node('node-1')]]);
    expect(m.backlog).toBe(3);
    const after = m.take().snapshot;
    expect(names(after.pods)).toEqual(['a', 'b', 'd']);
    expect(after.pods[0]).toBe(pods[0]);
    expect(after.pods[1]!.deleting).toBe(true);
    expect(after.nodes).toBe(before.nodes);
  });
});
