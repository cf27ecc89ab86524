import type { ClusterSnapshot, NodeInfo, PodInfo } from '../types';

/** How a pod or node is coloured: ok green, wait amber, bad red, off grey, done muted. */
export type Tone = 'ok' | 'wait' | 'bad' | 'off' | 'done';

const FAILING_STATUS = /err|fail|backoff|crash|oomkilled|evicted|unknown|invalid/i;

export function podTone(pod: PodInfo): Tone {
  if (pod.deleting) return 'off';
  if (pod.phase === 'Failed' || FAILING_STATUS.test(pod.status)) return 'bad';
  if (pod.phase === 'Succeeded' || pod.status === 'Completed') return 'done';
  if (pod.phase === 'Running' && pod.readyBool) return 'ok';
  return 'wait';
}

export function nodeTone(node: NodeInfo): Tone {
  if (node.status === 'Unknown') return 'off';
  if (!node.ready) return 'bad';
  return node.status.includes('SchedulingDisabled') ? 'wait' : 'ok';
}

const QUANTITY_UNITS: Record<string, number> = {
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};

/** A memory quantity ("16262660Ki") in binary units a person reads at a glance ("15.5 GiB"); as is if odd. */
export function formatMemory(quantity: string): string {
  const match = /^(\d+(?:\.\d+)?)(k|M|G|T|Ki|Mi|Gi|Ti)?$/.exec(quantity);
  if (!match) return quantity;
  const bytes = Number(match[1]) * QUANTITY_UNITS[match[2] ?? ''];
  const [value, unit] = bytes >= 2 ** 30 ? [bytes / 2 ** 30, 'GiB'] : [bytes / 2 ** 20, 'MiB'];
  return `${Number(value.toFixed(1))} ${unit}`;
}

export const podKey = (pod: PodInfo): string => `${pod.namespace}/${pod.name}`;

const byName = new Intl.Collator('en', { numeric: true }).compare;
const byPodKey = (a: PodInfo, b: PodInfo) => byName(podKey(a), podKey(b));

export interface NodeGroup {
  node: NodeInfo;
  pods: PodInfo[];
}

export interface Board {
  nodes: NodeGroup[];
  unscheduled: PodInfo[];
}

const missingNode = (name: string): NodeInfo => ({
  name,
  ready: false,
  status: 'Unknown',
  roles: '<none>',
  cpu: '',
  memory: '',
  pods: '',
  taints: [],
  zone: '',
  createdAt: '',
});

/**
 * Pods grouped under their node, nodes and pods in natural name order (node-2 before node-10).
 * A pod bound to a node that is not in the doc (deleted) gets a card for that node, status Unknown.
 */
export function layoutBoard({ nodes, pods }: ClusterSnapshot): Board {
  const groups = new Map<string, NodeGroup>(nodes.map((node) => [node.name, { node, pods: [] }]));
  const unscheduled: PodInfo[] = [];
  for (const pod of pods) {
    if (pod.node == null) {
      unscheduled.push(pod);
      continue;
    }
    let group = groups.get(pod.node);
    if (!group) {
      group = { node: missingNode(pod.node), pods: [] };
      groups.set(pod.node, group);
    }
    group.pods.push(pod);
  }
  for (const group of groups.values()) group.pods.sort(byPodKey);
  return {
    nodes: [...groups.values()].sort((a, b) => byName(a.node.name, b.node.name)),
    unscheduled: unscheduled.sort(byPodKey),
  };
}
