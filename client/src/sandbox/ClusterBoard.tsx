import type { ClusterSnapshot, NodeInfo, PodInfo } from '../types';
import { formatMemory, layoutBoard, nodeTone, podKey, podTone } from './model';

function PodItem({ pod }: { pod: PodInfo }) {
  const key = podKey(pod);
  return (
    <li
      class={`pod tone-${podTone(pod)}`}
      data-testid="pod"
      data-pod={key}
      data-status={pod.status}
      data-ready={pod.ready}
      title={[key, pod.ip && `IP ${pod.ip}`, pod.owner && `owned by ${pod.owner}`].filter(Boolean).join('\n')}
    >
      <span class="pod-name">
        {pod.name}
        {pod.namespace !== 'default' && <span class="pod-ns">{pod.namespace}</span>}
      </span>
      <span class="pod-facts">
        <span class="pod-status">{pod.status}</span>
        <span class="pod-ready" aria-label={`ready ${pod.ready}`}>
          {pod.ready}
        </span>
        <span class="pod-restarts" aria-label={`${pod.restarts} restarts`} title="restarts">
          ↻{pod.restarts}
        </span>
      </span>
    </li>
  );
}

function PodList({ pods, empty }: { pods: PodInfo[]; empty: string }) {
  if (pods.length === 0) return <p class="empty">{empty}</p>;
  return (
    <ul class="pods">
      {pods.map((pod) => (
        <PodItem key={podKey(pod)} pod={pod} />
      ))}
    </ul>
  );
}

function capacity(node: NodeInfo): string {
  return [
    node.roles !== '<none>' && node.roles,
    node.cpu && `${node.cpu} CPU`,
    node.memory && `${formatMemory(node.memory)} memory`,
    node.pods && `${node.pods} pods max`,
  ]
    .filter(Boolean)
    .join(' · ');
}

function NodeCard({ node, pods }: { node: NodeInfo; pods: PodInfo[] }) {
  const facts = capacity(node);
  return (
    <section class="card node" data-testid="node-card" data-node={node.name} aria-label={`node ${node.name}`}>
      <header class="card-head">
        <h2>{node.name}</h2>
        <span class={`badge tone-${nodeTone(node)}`}>{node.status}</span>
      </header>
      {facts && <p class="node-facts">{facts}</p>}
      {node.taints.length > 0 && <p class="node-facts">taints: {node.taints.join(', ')}</p>}
      <PodList pods={pods} empty="No pods" />
    </section>
  );
}

export function ClusterBoard({ cluster }: { cluster: ClusterSnapshot | null }) {
  if (!cluster) return <p class="placeholder">Connecting to the cluster…</p>;
  const board = layoutBoard(cluster);
  return (
    <div class="board">
      <section class="lane" data-testid="unscheduled" aria-label="Pending / unscheduled pods">
        <h2>Pending / unscheduled</h2>
        <PodList pods={board.unscheduled} empty="Every pod has a node." />
      </section>
      <div class="nodes">
        {board.nodes.length === 0 && <p class="placeholder">This cluster has no nodes.</p>}
        {board.nodes.map(({ node, pods }) => (
          <NodeCard key={node.name} node={node} pods={pods} />
        ))}
      </div>
    </div>
  );
}
