// Init containers and sidecars as `kubectl get pods` shows them: Init:0/2, Init:1/2, PodInitializing, Running,
// Init:CrashLoopBackOff, Init:Error; sidecars (restartable init containers) run beside the app.
import { describe, expect, it } from 'vitest';
import { podStatusReason } from '../../sim/apiserver/printers/pod.ts';
import type { Pod } from '../../sim/apiserver/types.ts';
import type { Cluster } from '../../sim/cluster.ts';
import { createPod, getPod, newCluster } from './helpers.ts';

const printed = (c: Cluster, name: string) => podStatusReason(getPod(c, name)!, c.now());

function withInits(name: string, inits: Record<string, unknown>[], extra: Record<string, unknown> = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { initContainers: inits, containers: [{ name: 'app', image: 'nginx:1.27' }], ...extra },
  } as unknown as Pod;
}

describe('init containers', () => {
  it('run one after the other: Init:0/2, Init:1/2, then the app starts and the pod is Running', () => {
    const c = newCluster();
    createPod(
      c,
      withInits('myapp', [
        { name: 'init-myservice', image: 'busybox:1.28', command: ['sh', '-c', 'echo waiting for myservice; sleep 10'] },
        { name: 'init-mydb', image: 'busybox:1.28', command: ['sh', '-c', 'sleep 20'] },
      ]),
    );
    c.advance(3_000);
    expect(printed(c, 'myapp')).toBe('Init:0/2');
    let pod = getPod(c, 'myapp')!;
    expect(pod.status!.phase).toBe('Pending');
    expect(pod.status!.conditions!.find((x) => x.type === 'Initialized')).toMatchObject({ status: 'False', reason: 'ContainersNotInitialized', message: 'containers with incomplete status: [init-myservice init-mydb]' });
    expect(pod.status!.containerStatuses![0].state.waiting?.reason).toBe('PodInitializing');
    c.advance(10_000);
    expect(printed(c, 'myapp')).toBe('Init:1/2');
    c.advance(22_000);
    pod = getPod(c, 'myapp')!;
    expect(printed(c, 'myapp')).toBe('Running');
    expect(pod.status!.initContainerStatuses!.map((s) => s.state.terminated?.reason)).toEqual(['Completed', 'Completed']);
    expect(pod.status!.conditions!.find((x) => x.type === 'Initialized')!.status).toBe('True');
    const kubelet = (c as unknown as { kubelet: { podLogs(ns: string, n: string, o: object): string } }).kubelet;
    expect(kubelet.podLogs('default', 'myapp', { container: 'init-myservice' })).toBe('waiting for myservice\n');
  });

  it('a failing init container backs off: Init:Error, then Init:CrashLoopBackOff; the app never starts', () => {
    const c = newCluster();
    createPod(c, withInits('broken', [{ name: 'migrate', image: 'busybox', command: ['sh', '-c', 'echo migration failed; exit 1'] }]));
    c.advance(30_000);
    expect(printed(c, 'broken')).toBe('Init:CrashLoopBackOff');
    const pod = getPod(c, 'broken')!;
    expect(pod.status!.phase).toBe('Pending');
    expect(pod.status!.initContainerStatuses![0].lastState.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
    expect(pod.status!.containerStatuses![0].state.waiting?.reason).toBe('PodInitializing');
  });

  it('with restartPolicy Never a failed init container fails the pod: Init:Error', () => {
    const c = newCluster();
    createPod(c, withInits('once', [{ name: 'check', image: 'busybox', command: ['sh', '-c', 'exit 3'] }], { restartPolicy: 'Never' }));
    c.advance(10_000);
    expect(getPod(c, 'once')!.status!.phase).toBe('Failed');
    expect(printed(c, 'once')).toBe('Init:Error');
  });

  it('a sidecar (restartPolicy Always) starts before the app and keeps running beside it: 2/2 Ready', () => {
    const c = newCluster();
    createPod(
      c,
      withInits('with-sidecar', [
        { name: 'log-shipper', image: 'busybox', restartPolicy: 'Always', command: ['sh', '-c', 'while true; do echo shipping; sleep 5; done'] },
        { name: 'setup', image: 'busybox', command: ['sh', '-c', 'touch /tmp/ready'] },
      ]),
    );
    c.advance(20_000);
    const pod = getPod(c, 'with-sidecar')!;
    expect(printed(c, 'with-sidecar')).toBe('Running');
    expect(pod.status!.initContainerStatuses!.find((s) => s.name === 'log-shipper')!.state.running).toBeDefined();
    expect(pod.status!.initContainerStatuses!.find((s) => s.name === 'setup')!.state.terminated?.reason).toBe('Completed');
    expect(pod.status!.conditions!.find((x) => x.type === 'Ready')!.status).toBe('True');
  });
});
