import type { ClusterSnapshot, NodeInfo, PodInfo } from '../types';

/** How a pod or node is coloured: ok green, wait amber, bad red, off grey, done muted. */
export type Tone = 'ok' | 'wait' | 'bad' | 'off' | 'done';

const FAILING_STATUS = /err|fail|backoff|crash|oomkilled|evicted|unknown|invalid/i;

export function podTone(pod: PodInfo): Tone {
  if (pod.status === 'Terminating') return 'off';
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
      group = { node: { name: pod.node, ready: false, status: 'Unknown' }, pods: [] };
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
