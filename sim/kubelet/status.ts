import type { Condition, ContainerStatus, Pod, PodStatus } from '../apiserver/types.ts';

/**
 * The pod status the kubelet reports, computed from its containers' statuses as kubelet's
 * generateAPIPodStatus does: phase, the four conditions and their reasons.
 */
export function computePodStatus(pod: Pod, prev: PodStatus, containerStatuses: ContainerStatus[], now: string, sandboxReady: boolean): PodStatus {
  const status: PodStatus = { ...prev, containerStatuses };
  const initStatuses = prev.initContainerStatuses ?? [];
  const inits = pod.spec.initContainers ?? [];
  status.phase = podPhase(pod, containerStatuses, sandboxReady, initStatuses);
  const sidecars = new Set(inits.filter((c) => c.restartPolicy === 'Always').map((c) => c.name));
  const readiness = [...initStatuses.filter((s) => sidecars.has(s.name)), ...containerStatuses];
  const notReady = readiness.filter((c) => !c.ready).map((c) => c.name);
  const allReady = notReady.length === 0 && containerStatuses.length > 0;
  const terminal = status.phase === 'Succeeded' || status.phase === 'Failed';
  const readyReason = terminal ? 'PodCompleted' : 'ContainersNotReady';
  const readyMessage = terminal ? undefined : `containers with unready status: [${notReady.join(' ')}]`;
  const incomplete = inits
    .filter((c) => {
      const s = initStatuses.find((x) => x.name === c.name);
      if (!s) return true;
      if (sidecars.has(c.name)) return !(s.state.running && s.started);
      return !(s.state.terminated && s.state.terminated.exitCode === 0);
    })
    .map((c) => c.name);
  const initialized = incomplete.length === 0 || (terminal && status.phase === 'Succeeded');
  const conds: Condition[] = [
    cond('PodReadyToStartContainers', sandboxReady && !terminal ? 'True' : 'False'),
    initialized
      ? cond('Initialized', 'True', terminal && inits.length ? 'PodCompleted' : undefined)
      : cond('Initialized', 'False', 'ContainersNotInitialized', `containers with incomplete status: [${incomplete.join(' ')}]`),
    allReady && !terminal ? cond('Ready', 'True') : cond('Ready', 'False', readyReason, readyMessage),
    allReady && !terminal ? cond('ContainersReady', 'True') : cond('ContainersReady', 'False', readyReason, readyMessage),
  ];
  const scheduled = (prev.conditions ?? []).find((c) => c.type === 'PodScheduled');
  if (scheduled) conds.push(scheduled);
  status.conditions = conds.map((c) => keepTransition(c, prev.conditions ?? [], now));
  return status;
}

function cond(type: string, status: 'True' | 'False', reason?: string, message?: string): Condition {
  const c: Condition = { type, status, lastProbeTime: null, lastTransitionTime: null };
  if (reason) c.reason = reason;
  if (message) c.message = message;
  return c;
}

function keepTransition(c: Condition, prev: Condition[], now: string): Condition {
  if (c.type === 'PodScheduled') return c;
  const old = prev.find((p) => p.type === c.type);
  return { ...c, lastTransitionTime: old && old.status === c.status ? old.lastTransitionTime : now };
}

/** kubelet's getPhase for regular containers. */
export function podPhase(pod: Pod, statuses: ContainerStatus[], sandboxReady: boolean, initStatuses: ContainerStatus[] = []): string {
  if (!sandboxReady) return 'Pending';
  const rp = pod.spec.restartPolicy ?? 'Always';
  let pendingInit = 0;
  let failedInit = 0;
  for (const c of pod.spec.initContainers ?? []) {
    const s = initStatuses.find((x) => x.name === c.name);
    if (c.restartPolicy === 'Always') {
      if (!(s?.state.running && s.started)) pendingInit++;
      continue;
    }
    if (s?.state.terminated) {
      if (s.state.terminated.exitCode !== 0) failedInit++;
    } else if (s?.state.waiting && s.lastState.terminated && s.lastState.terminated.exitCode !== 0) failedInit++;
    else pendingInit++;
  }
  if (failedInit > 0 && rp === 'Never') return 'Failed';
  if (failedInit > 0 || pendingInit > 0) {
    // A pod whose regular containers already run (a sidecar restarting) stays Running.
    if (!statuses.some((c) => c.state.running || c.lastState.terminated)) return 'Pending';
  }
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  let unknown = 0;
  for (const c of statuses) {
    if (c.state.running) running++;
    else if (c.state.terminated) {
      stopped++;
      if (c.state.terminated.exitCode === 0) succeeded++;
    } else if (c.state.waiting) {
      if (c.lastState.terminated) stopped++;
      else waiting++;
    } else unknown++;
  }
  const n = pod.spec.containers.length;
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (unknown > 0) return 'Pending';
  if (stopped === n) {
    if (rp === 'Always') return 'Running';
    if (rp === 'OnFailure') return succeeded === n ? 'Succeeded' : 'Running';
    return succeeded === n ? 'Succeeded' : 'Failed';
  }
  return 'Pending';
}
