// The kill-container and kill-pod faults: a container's process dies as after kill -9, the kubelet restarts it.
import { describe, expect, it } from 'vitest';
import { EVENTS } from '../../sim/apiserver/resources.ts';
import type { ContainerStatus, KObject, Pod } from '../../sim/apiserver/types.ts';
import { restoreCluster } from '../../sim/bootstrap.ts';
import { Cluster } from '../../sim/cluster.ts';
import { applyFault, FaultError } from '../../sim/nodes/faults.ts';
import { createPod, getPod, newCluster, pod } from './helpers.ts';

function status(c: Cluster, name: string, container = name): ContainerStatus {
  return getPod(c, name)!.status!.containerStatuses!.find((s) => s.name === container)!;
}

function eventsOf(c: Cluster, name: string): string[] {
  return (c.store.list(EVENTS) as (KObject & { involvedObject: { name: string }; reason: string; message: string; count?: number })[])
    .filter((e) => e.involvedObject.name === name)
    .map((e) => `${e.reason}: ${e.message}${(e.count ?? 1) > 1 ? ` (x${e.count})` : ''}`);
}

function running(seed = 'kill', extra: Partial<Pod['spec']> = {}): Cluster {
  const c = newCluster(seed);
  createPod(c, pod('web', 'nginx:1.27', extra));
  c.advance(10_000);
  expect(status(c, 'web').state.running).toBeDefined();
  return c;
}

describe('kill-container', () => {
  it('the process exits 137 (Error); the kubelet starts it again at once: restartCount 1, lastState terminated', () => {
    const c = running();
    const before = status(c, 'web');
    applyFault(c, { fault: 'kill-container', pod: 'default/web' });
    const s = status(c, 'web');
    expect(s.restartCount).toBe(1);
    expect(s.lastState?.terminated).toMatchObject({ exitCode: 137, reason: 'Error', startedAt: before.state.running!.startedAt, containerID: before.containerID });
    expect(s.state.running).toBeDefined();
    expect(s.containerID).not.toBe(before.containerID);
    // The image is on the node (IfNotPresent): the kubelet creates and starts the container again.
    expect(eventsOf(c, 'web')).toEqual(expect.arrayContaining(['Pulled: Container image "nginx:1.27" already present on machine', 'Created: Created container: web (x2)', 'Started: Started container web (x2)']));
    expect(getPod(c, 'web')!.status!.phase).toBe('Running');
  });

  it('killed again soon after: CrashLoopBackOff with the back-off, then it runs again with restartCount 2', () => {
    const c = running();
    applyFault(c, { fault: 'kill-container', pod: 'web', container: 'web' });
    c.advance(2_000);
    applyFault(c, { fault: 'kill-container', pod: 'default/web' });
    let s = status(c, 'web');
    expect(s.restartCount).toBe(2);
    expect(s.state.waiting).toMatchObject({ reason: 'CrashLoopBackOff' });
    expect(s.state.waiting!.message).toMatch(/^back-off 10s restarting failed container=web pod=web_default\(/);
    expect(eventsOf(c, 'web').some((e) => e.startsWith('BackOff: Back-off restarting failed container web in pod web_default('))).toBe(true);
    c.advance(11_000);
    s = status(c, 'web');
    expect(s.state.running).toBeDefined();
    expect(s.restartCount).toBe(2);
  });

  it('restartPolicy Never: the pod fails with the container terminated 137', () => {
    const c = running('never', { restartPolicy: 'Never' });
    applyFault(c, { fault: 'kill-container', pod: 'default/web' });
    const p = getPod(c, 'web')!;
    expect(p.status!.phase).toBe('Failed');
    expect(p.status!.containerStatuses![0]).toMatchObject({ restartCount: 0, state: { terminated: { exitCode: 137, reason: 'Error' } } });
  });

  it('is refused with a reason for a missing pod, an unknown or stopped container', () => {
    const c = running();
    expect(() => applyFault(c, { fault: 'kill-container' })).toThrow(new FaultError('fault kill-container needs a pod, e.g. {"fault":"kill-container","pod":"default/web"}'));
    expect(() => applyFault(c, { fault: 'kill-container', pod: 'default/nope' })).toThrow('pod default/nope not found');
    expect(() => applyFault(c, { fault: 'kill-container', pod: 'default/web', container: 'side' })).toThrow('container side is not valid for pod web');
    createPod(c, pod('once', 'busybox:1.36', { restartPolicy: 'Never' }));
    c.advance(20_000);
    expect(() => applyFault(c, { fault: 'kill-container', pod: 'once' })).toThrow('cannot kill container once of pod default/once: container once of pod once is not running');
  });

  it('the same future after snapshot and restore in the middle of the back-off', () => {
    const a = running('snap');
    applyFault(a, { fault: 'kill-container', pod: 'default/web' });
    a.advance(1_000);
    applyFault(a, { fault: 'kill-container', pod: 'default/web' });
    a.advance(3_000);
    const b = restoreCluster(Cluster.restore(JSON.parse(JSON.stringify(a.snapshot()))));
    for (const c of [a, b]) {
      c.advance(20_000);
      applyFault(c, { fault: 'kill-container', pod: 'default/web' });
      c.advance(60_000);
    }
    expect(b.snapshot()).toEqual(a.snapshot());
    expect(status(b, 'web').restartCount).toBe(3);
  });
});

describe('kill-pod', () => {
  it('deletes the pod at once (grace period 0)', () => {
    const c = running();
    applyFault(c, { fault: 'kill-pod', pod: 'default/web' });
    expect(getPod(c, 'web')).toBeUndefined();
    expect(() => applyFault(c, { fault: 'kill-pod', pod: 'default/web' })).toThrow('pod default/web not found');
  });
});
