// The sandbox page's pure layout rules: how pods are grouped, ordered and coloured.
import { describe, expect, it } from 'vitest';
import { formatMemory, layoutBoard, nodeTone, podTone, type Tone } from '../../client/src/sandbox/model.ts';
import type { NodeInfo, PodInfo } from '../../client/src/types.ts';

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
