/** The pod row of `kubectl get pods`: READY, STATUS and RESTARTS computed as pkg/printers' printPod does. */
import { parseTime } from '../../util/time.ts';
import type { ContainerStatus, Pod } from '../types.ts';
import { AGE_COLUMN, col, NAME_COLUMN, since, type Obj, type TableColumnDefinition } from './format.ts';

export const POD_COLUMNS: TableColumnDefinition[] = [
  NAME_COLUMN,
  col('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
  col('Status', 'string', 'The aggregate status of the containers in this pod.'),
  col('Restarts', 'string', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
  AGE_COLUMN,
  col('IP', 'string', 'podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.', { wide: true }),
  col('Node', 'string', 'NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by the scheduler defined in schedulerName.', { wide: true }),
  col('Nominated Node', 'string', 'nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods.', { wide: true }),
  col('Readiness Gates', 'string', 'If specified, all readiness gates will be evaluated for pod readiness.', { wide: true }),
];

/** The node lifecycle controller's reason for pods on a lost node. */
const NODE_UNREACHABLE_REASON = 'NodeLost';

export interface PodSummary {
  /** READY: "1/2" */
  ready: string;
  readyContainers: number;
  totalContainers: number;
  /** STATUS as kubectl prints it */
  status: string;
  /** total restarts counted in the RESTARTS column */
  restarts: number;
  /** RESTARTS: "2 (5m ago)" */
  restartsText: string;
  /** when a container last terminated before restarting (ms), if known */
  lastRestartMs?: number;
}

function isRestartableInit(c: Obj | undefined): boolean {
  return c?.restartPolicy === 'Always';
}

function conditionTrue(pod: Pod, type: string): boolean {
  for (const c of pod.status?.conditions ?? []) if (c.type === type) return c.status === 'True';
  return false;
}

function hasCondition(pod: Pod, type: string): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');
}

function finishedAt(s: ContainerStatus): number | undefined {
  return parseTime(s.lastState?.terminated?.finishedAt);
}

/** READY, STATUS and RESTARTS of a pod, exactly as `kubectl get pods` computes them. */
export function podSummary(pod: Pod, nowMs: number): PodSummary {
  const spec = pod.spec ?? ({ containers: [] } as unknown as Pod['spec']);
  const status = pod.status ?? {};
  let restarts = 0;
  let sidecarRestarts = 0;
  let totalContainers = (spec.containers ?? []).length;
  let readyContainers = 0;
  let lastRestart: number | undefined;
  let lastSidecarRestart: number | undefined;
  const phase = status.phase ?? '';
  let reason = status.reason || phase;

  for (const c of status.conditions ?? []) {
    if (c.type === 'PodScheduled' && c.reason === 'SchedulingGated') reason = 'SchedulingGated';
  }

  const inits = new Map<string, Obj>();
  for (const c of (spec.initContainers ?? []) as Obj[]) {
    inits.set(c.name, c);
    if (isRestartableInit(c)) totalContainers++;
  }

  let initializing = false;
  const initStatuses = status.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const c = initStatuses[i];
    restarts += c.restartCount ?? 0;
    const fin = finishedAt(c);
    if (fin !== undefined && (lastRestart === undefined || fin > lastRestart)) lastRestart = fin;
    const sidecar = isRestartableInit(inits.get(c.name));
    if (sidecar) {
      sidecarRestarts += c.restartCount ?? 0;
      if (fin !== undefined && (lastSidecarRestart === undefined || fin > lastSidecarRestart)) lastSidecarRestart = fin;
    }
    const term = c.state?.terminated;
    const wait = c.state?.waiting;
    if (term && term.exitCode === 0) continue;
    if (sidecar && c.started) {
      if (c.ready) readyContainers++;
      continue;
    }
    if (term) {
      if (!term.reason) reason = term.signal ? `Init:Signal:${term.signal}` : `Init:ExitCode:${term.exitCode}`;
      else reason = 'Init:' + term.reason;
    } else if (wait && wait.reason && wait.reason !== 'PodInitializing') {
      reason = 'Init:' + wait.reason;
    } else {
      reason = `Init:${i}/${(spec.initContainers ?? []).length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || conditionTrue(pod, 'Initialized')) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses = status.containerStatuses ?? [];
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i];
      restarts += c.restartCount ?? 0;
      const fin = finishedAt(c);
      if (fin !== undefined && (lastRestart === undefined || fin > lastRestart)) lastRestart = fin;
      const wait = c.state?.waiting;
      const term = c.state?.terminated;
      if (wait && wait.reason) reason = wait.reason;
      else if (term && term.reason) reason = term.reason;
      else if (term && !term.reason) reason = term.signal ? `Signal:${term.signal}` : `ExitCode:${term.exitCode}`;
      else if (c.ready && c.state?.running) {
        hasRunning = true;
        readyContainers++;
      }
    }
    // A pod whose finished containers say Completed but one still runs is Running (or NotReady).
    if (reason === 'Completed' && hasRunning) reason = hasCondition(pod, 'Ready') ? 'Running' : 'NotReady';
  }

  if (pod.metadata.deletionTimestamp && status.reason === NODE_UNREACHABLE_REASON) reason = 'Unknown';
  else if (pod.metadata.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed') reason = 'Terminating';

  let restartsText = String(restarts);
  if (restarts !== 0 && lastRestart !== undefined) restartsText = `${restarts} (${since(new Date(lastRestart).toISOString(), nowMs)} ago)`;

  return {
    ready: `${readyContainers}/${totalContainers}`,
    readyContainers,
    totalContainers,
    status: reason,
    restarts,
    restartsText,
    lastRestartMs: lastRestart,
  };
}

/** The STATUS column of `kubectl get pods` (Running, Pending, ContainerCreating, CrashLoopBackOff, Init:0/1, ...). */
export function podStatusReason(pod: Pod, nowMs: number): string {
  return podSummary(pod, nowMs).status;
}

export function printPod(pod: Pod, nowMs: number): unknown[] {
  const s = podSummary(pod, nowMs);
  const ip = pod.status?.podIPs?.[0]?.ip || '<none>';
  const node = pod.spec?.nodeName || '<none>';
  const nominated = pod.status?.nominatedNodeName || '<none>';
  let gates = '<none>';
  const readinessGates = (pod.spec?.readinessGates as { conditionType: string }[] | undefined) ?? [];
  if (readinessGates.length) {
    let trueCount = 0;
    for (const g of readinessGates) {
      const c = (pod.status?.conditions ?? []).find((x) => x.type === g.conditionType);
      if (c?.status === 'True') trueCount++;
    }
    gates = `${trueCount}/${readinessGates.length}`;
  }
  return [pod.metadata.name, s.ready, s.status, s.restartsText, since(pod.metadata.creationTimestamp, nowMs), ip, node, nominated, gates];
}

/** Row conditions the API server attaches to finished pods. */
export function podRowConditions(pod: Pod): Obj[] | undefined {
  if (pod.status?.phase === 'Succeeded') return [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }];
  if (pod.status?.phase === 'Failed') return [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }];
  return undefined;
}
