// The kubelet's container processes and probes, on the virtual clock with Kubernetes' default timings:
// the kubernetes.io liveness-exec example, failing readiness, refused connections, OOMKilled, config errors.
import { describe, expect, it } from 'vitest';
import { EVENTS, findResource, PODS } from '../../sim/apiserver/resources.ts';
import type { Pod } from '../../sim/apiserver/types.ts';
import { podStatusReason } from '../../sim/apiserver/printers/pod.ts';
import { restoreCluster } from '../../sim/bootstrap.ts';
import { Cluster } from '../../sim/cluster.ts';
import { applyFault } from '../../sim/nodes/faults.ts';
import { createPod, getPod, newCluster, START } from './helpers.ts';

function eventsFor(c: Cluster, name: string) {
  return c.store
    .list(EVENTS, 'default')
    .filter((e) => (e.involvedObject as { name: string }).name === name)
    .sort((a, b) => Number(a.metadata.resourceVersion) - Number(b.metadata.resourceVersion))
    .map((e) => `${e.type} ${e.reason} ${e.message}`);
}

function eventCount(c: Cluster, name: string, reason: string): number {
  return c.store
    .list(EVENTS, 'default')
    .filter((e) => (e.involvedObject as { name: string }).name === name && e.reason === reason)
    .reduce((n, e) => n + ((e.count as number) ?? 1), 0);
}

const status = (c: Cluster, name: string) => getPod(c, name)!.status!.containerStatuses![0];
const printed = (c: Cluster, name: string) => podStatusReason(getPod(c, name)!, c.now());
/** When the container's current process started (virtual ms). */
const startedAt = (c: Cluster, name: string) => Date.parse(status(c, name).state.running!.startedAt!);

function livenessExec(): Pod {
  // https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'liveness-exec', labels: { test: 'liveness' } },
    spec: {
      containers: [
        {
          name: 'liveness',
          image: 'registry.k8s.io/busybox:1.27.2',
          args: ['/bin/sh', '-c', 'touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600'],
          livenessProbe: { exec: { command: ['cat', '/tmp/healthy'] }, initialDelaySeconds: 5, periodSeconds: 5 },
        },
      ],
    },
  };
}

function onePod(name: string, container: Record<string, unknown>, extra: Record<string, unknown> = {}): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name, ...container }], ...extra } } as Pod;
}

describe('the liveness-exec example', () => {
  it('is healthy for 30 s, then fails its probe 3 times, is killed at the grace period and restarted', () => {
    const c = newCluster();
    // registry.k8s.io/busybox is not in the catalogue: use docker.io's busybox with the same args.
    const p = livenessExec();
    p.spec.containers[0].image = 'busybox:1.27.2';
    createPod(c, p);
    c.advance(3_000);
    expect(status(c, 'liveness-exec').state.running).toBeDefined();
    const t0 = startedAt(c, 'liveness-exec');
    c.advanceTo(t0 + 29_000);
    expect(eventsFor(c, 'liveness-exec').filter((e) => e.includes('Unhealthy'))).toEqual([]);
    expect(status(c, 'liveness-exec').ready).toBe(true);
    // Probes at +30, +35, +40 fail; the third kills the container.
    c.advanceTo(t0 + 36_000);
    expect(eventsFor(c, 'liveness-exec')).toContain("Warning Unhealthy Liveness probe failed: cat: can't open '/tmp/healthy': No such file or directory");
    expect(eventsFor(c, 'liveness-exec')).not.toContain('Normal Killing Container liveness failed liveness probe, will be restarted');
    c.advanceTo(t0 + 41_000);
    expect(eventCount(c, 'liveness-exec', 'Unhealthy')).toBe(3);
    expect(eventsFor(c, 'liveness-exec')).toContain('Normal Killing Container liveness failed liveness probe, will be restarted');
    // sh as PID 1 ignores SIGTERM: it dies at the 30 s grace period with 137, then restarts.
    c.advanceTo(t0 + 69_000);
    expect(status(c, 'liveness-exec').restartCount).toBe(0);
    c.advanceTo(t0 + 75_000);
    const s = status(c, 'liveness-exec');
    expect(s.restartCount).toBe(1);
    expect(s.lastState.terminated).toMatchObject({ exitCode: 137, reason: 'Error' });
    expect(s.state.running).toBeDefined();
    expect(printed(c, 'liveness-exec')).toBe('Running');
    // The new container has a fresh filesystem: the script touched /tmp/healthy again, so probes pass.
    const t1 = startedAt(c, 'liveness-exec');
    c.advanceTo(t1 + 20_000);
    expect(eventCount(c, 'liveness-exec', 'Unhealthy')).toBe(3);
  });

  it('restored from a snapshot taken mid-probe-cycle continues the same future', () => {
    const a = newCluster('restore');
    const p = livenessExec();
    p.spec.containers[0].image = 'busybox';
    createPod(a, p);
    a.advance(33_500);
    const b = restoreCluster(Cluster.restore(JSON.parse(JSON.stringify(a.snapshot()))));
    expect(b.snapshot()).toEqual(a.snapshot());
    for (const c of [a, b]) c.advance(120_000);
    expect(b.snapshot()).toEqual(a.snapshot());
    expect(status(b, 'liveness-exec').restartCount).toBeGreaterThanOrEqual(1);
    expect(eventsFor(b, 'liveness-exec')).toEqual(eventsFor(a, 'liveness-exec'));
  });
});

describe('readiness', () => {
  it('a failing httpGet readiness probe leaves the pod Running 0/1 with Unhealthy events', () => {
    const c = newCluster();
    createPod(c, onePod('web', { image: 'nginx:1.27', readinessProbe: { httpGet: { path: '/healthz', port: 80 } } }));
    c.advance(15_000);
    const pod = getPod(c, 'web')!;
    expect(pod.status!.phase).toBe('Running');
    expect(status(c, 'web').ready).toBe(false);
    expect(pod.status!.conditions!.find((x) => x.type === 'Ready')).toMatchObject({ status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [web]' });
    expect(eventsFor(c, 'web')).toContain('Warning Unhealthy Readiness probe failed: HTTP probe failed with statuscode: 404');
    // Readiness failures never restart the container.
    c.advance(120_000);
    expect(status(c, 'web').restartCount).toBe(0);
  });

  it('the demo image answers /ready with 503 until READY_DELAY has passed, then the pod turns Ready', () => {
    const c = newCluster();
    createPod(
      c,
      onePod('demo', {
        image: 'kuberoom/demo:1.0',
        env: [{ name: 'READY_DELAY', value: '30s' }],
        readinessProbe: { httpGet: { path: '/ready', port: 8080 }, periodSeconds: 5 },
      }),
    );
    c.advance(20_000);
    expect(status(c, 'demo').ready).toBe(false);
    expect(eventsFor(c, 'demo')).toContain('Warning Unhealthy Readiness probe failed: HTTP probe failed with statuscode: 503');
    c.advance(20_000);
    expect(status(c, 'demo').ready).toBe(true);
    expect(getPod(c, 'demo')!.status!.conditions!.find((x) => x.type === 'Ready')!.status).toBe('True');
  });

  it('a tcpSocket probe passes once the server listens', () => {
    const c = newCluster();
    createPod(c, onePod('redis', { image: 'redis:7', readinessProbe: { tcpSocket: { port: 6379 }, periodSeconds: 2 } }));
    c.advance(10_000);
    expect(status(c, 'redis').ready).toBe(true);
    expect(eventsFor(c, 'redis').filter((e) => e.includes('Unhealthy'))).toEqual([]);
  });
});

describe('liveness', () => {
  it('an httpGet probe to a port nothing listens on is refused, and the container restarts', () => {
    const c = newCluster();
    createPod(c, onePod('app', { image: 'busybox', command: ['sleep', '3600'], livenessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 10 } }, { terminationGracePeriodSeconds: 5 }));
    c.advance(40_000);
    const ip = getPod(c, 'app')!.status!.podIP!;
    expect(eventsFor(c, 'app')).toContain(`Warning Unhealthy Liveness probe failed: Get "http://${ip}:8080/healthz": dial tcp ${ip}:8080: connect: connection refused`);
    expect(eventsFor(c, 'app')).toContain('Normal Killing Container app failed liveness probe, will be restarted');
    c.advance(10_000);
    expect(status(c, 'app').restartCount).toBe(1);
    expect(status(c, 'app').lastState.terminated).toMatchObject({ exitCode: 137, reason: 'Error' });
  });

  it('a startup probe holds liveness back and kills a container that never starts', () => {
    const c = newCluster();
    createPod(
      c,
      onePod('slow', {
        image: 'kuberoom/demo',
        env: [{ name: 'START_DELAY', value: '10m' }],
        startupProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 10, failureThreshold: 3 },
        livenessProbe: { httpGet: { path: '/healthz', port: 8080 } },
      }),
    );
    c.advance(25_000);
    expect(status(c, 'slow').started).toBe(false);
    c.advance(10_000);
    const events = eventsFor(c, 'slow');
    expect(events.some((e) => /^Warning Unhealthy Startup probe failed: Get "http:\/\/[\d.]+:8080\/healthz": dial tcp [\d.]+:8080: connect: connection refused$/.test(e))).toBe(true);
    expect(events).toContain('Normal Killing Container slow failed startup probe, will be restarted');
    expect(events.some((e) => e.includes('Liveness probe failed'))).toBe(false);
  });
});

describe('the demo image', () => {
  it('MEMORY_GROWTH past the memory limit is OOMKilled with exit code 137', () => {
    const c = newCluster();
    createPod(
      c,
      onePod('hog', {
        image: 'kuberoom/demo',
        env: [{ name: 'MEMORY_GROWTH', value: '10Mi' }],
        resources: { limits: { memory: '64Mi' } },
      }),
    );
    c.advance(60_000);
    const s = status(c, 'hog');
    expect(s.lastState.terminated).toMatchObject({ exitCode: 137, reason: 'OOMKilled' });
    expect(s.restartCount).toBeGreaterThanOrEqual(1);
  });

  it('an OOMKilled container that restart policy Never keeps shows OOMKilled', () => {
    const c = newCluster();
    createPod(c, onePod('oom', { image: 'kuberoom/demo', env: [{ name: 'MEMORY_GROWTH', value: '50Mi' }], resources: { limits: { memory: '100Mi' } } }, { restartPolicy: 'Never' }));
    c.advance(30_000);
    expect(status(c, 'oom').state.terminated).toMatchObject({ exitCode: 137, reason: 'OOMKilled' });
    expect(printed(c, 'oom')).toBe('OOMKilled');
    expect(getPod(c, 'oom')!.status!.phase).toBe('Failed');
  });

  it('CRASH_AFTER and EXIT_CODE crash it into CrashLoopBackOff with Last State Error', () => {
    const c = newCluster();
    createPod(c, onePod('crashy', { image: 'kuberoom/demo', env: [{ name: 'CRASH_AFTER', value: '5s' }, { name: 'EXIT_CODE', value: '3' }] }));
    c.advance(30_000);
    const s = status(c, 'crashy');
    expect(s.lastState.terminated).toMatchObject({ exitCode: 3, reason: 'Error' });
    expect(eventsFor(c, 'crashy').some((e) => e.startsWith('Warning BackOff Back-off restarting failed container crashy in pod crashy_default('))).toBe(true);
  });

  it('LOG_LINES writes request-log lines; the stress image is OOMKilled when --vm-bytes exceeds the limit', () => {
    const c = newCluster();
    createPod(c, onePod('chatty', { image: 'kuberoom/demo', env: [{ name: 'LOG_LINES', value: '6' }] }));
    createPod(c, onePod('stress', { image: 'polinux/stress', command: ['stress'], args: ['--vm', '1', '--vm-bytes', '250M', '--vm-hang', '1'], resources: { limits: { memory: '100Mi' }, requests: { memory: '50Mi' } } }));
    c.advance(65_000);
    const kubelet = (c as unknown as { kubelet: { podLogs(ns: string, n: string, o: object): string } }).kubelet;
    const lines = kubelet.podLogs('default', 'chatty', {}).trim().split('\n');
    expect(lines[0]).toBe('kuberoom/demo: starting');
    expect(lines.filter((l) => l.includes('"GET / HTTP/1.1" 200')).length).toBeGreaterThanOrEqual(5);
    expect(status(c, 'stress').lastState.terminated).toMatchObject({ exitCode: 137, reason: 'OOMKilled' });
  });
});

describe('container config', () => {
  it('a missing ConfigMap, then a missing key, give CreateContainerConfigError; creating them starts the container', () => {
    const c = newCluster();
    const CM = findResource('', 'configmaps')!;
    createPod(
      c,
      onePod('cfg', { image: 'busybox', command: ['sh', '-c', 'echo "level=$LOG_LEVEL"; sleep 3600'], env: [{ name: 'LOG_LEVEL', valueFrom: { configMapKeyRef: { name: 'app-config', key: 'log_level' } } }] }),
    );
    c.advance(5_000);
    expect(status(c, 'cfg').state.waiting).toEqual({ reason: 'CreateContainerConfigError', message: 'configmap "app-config" not found' });
    expect(printed(c, 'cfg')).toBe('CreateContainerConfigError');
    expect(eventsFor(c, 'cfg')).toContain('Warning Failed Error: configmap "app-config" not found');
    c.api.create(CM, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app-config' }, data: { other: 'x' } });
    c.advance(30_000);
    expect(status(c, 'cfg').state.waiting).toEqual({ reason: 'CreateContainerConfigError', message: "couldn't find key log_level in ConfigMap default/app-config" });
    c.api.update(CM, 'default', 'app-config', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app-config' }, data: { log_level: 'debug' } });
    c.advance(120_000);
    expect(status(c, 'cfg').state.running).toBeDefined();
    const kubelet = (c as unknown as { kubelet: { podLogs(ns: string, n: string, o: object): string } }).kubelet;
    expect(kubelet.podLogs('default', 'cfg', {})).toBe('level=debug\n');
  });

  it('a missing Secret key names the Secret', () => {
    const c = newCluster();
    c.api.create(findResource('', 'secrets')!, 'default', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db' }, data: { user: 'YWRtaW4=' } });
    createPod(c, onePod('sec', { image: 'nginx', env: [{ name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } }] }));
    c.advance(5_000);
    expect(status(c, 'sec').state.waiting?.message).toBe("couldn't find key password in Secret default/db");
  });
});

describe('commands', () => {
  it('a command that is not in the image fails with StartError 128 and backs off', () => {
    const c = newCluster();
    createPod(c, onePod('bad', { image: 'nginx:1.27', command: ['ngnix', '-g', 'daemon off;'] }));
    c.advance(20_000);
    const s = status(c, 'bad');
    expect(s.lastState.terminated).toMatchObject({ exitCode: 128, reason: 'StartError' });
    expect(s.lastState.terminated!.message).toBe('failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "ngnix": executable file not found in $PATH: unknown');
    expect(s.state.waiting?.reason).toBe('CrashLoopBackOff');
  });

  it('a script that exits 1 crashes into CrashLoopBackOff with Last State Error, exit code 1, and its output in the logs', () => {
    const c = newCluster();
    createPod(c, onePod('crash', { image: 'busybox:1.36', command: ['sh', '-c', 'echo starting; echo "config missing" >&2; exit 1'] }));
    c.advance(5_000);
    const s = status(c, 'crash');
    expect(s.lastState.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
    expect(s.state.waiting?.reason).toBe('CrashLoopBackOff');
    expect(printed(c, 'crash')).toBe('CrashLoopBackOff');
    const kubelet = (c as unknown as { kubelet: { podLogs(ns: string, n: string, o: object): string } }).kubelet;
    expect(kubelet.podLogs('default', 'crash', {})).toBe('starting\nconfig missing\n');
  });

  it('args on an image with an entrypoint script run as a command (kubectl run web --image=nginx -- sh -c ...)', () => {
    const c = newCluster();
    createPod(c, onePod('web', { image: 'nginx:1.27', args: ['sh', '-c', 'echo "from args"; sleep 3600'] }));
    createPod(c, onePod('echo', { image: 'hashicorp/http-echo', args: ['-text=hello', '-listen=:8081'], readinessProbe: { tcpSocket: { port: 8081 } } }));
    c.advance(15_000);
    const kubelet = (c as unknown as { kubelet: { podLogs(ns: string, n: string, o: object): string } }).kubelet;
    expect(kubelet.podLogs('default', 'web', {})).toBe('from args\n');
    expect(status(c, 'echo').ready).toBe(true);
  });

  it('a loop writes a log line every period of its sleep', () => {
    const c = newCluster();
    createPod(c, onePod('counter', { image: 'busybox:1.36', args: ['/bin/sh', '-c', 'i=0; while true; do echo "$i: $(date)"; i=$((i+1)); sleep 1; done'] }));
    c.advance(2_000);
    createPod(c, onePod('ticker', { image: 'busybox:1.36', command: ['sh', '-c', 'while true; do echo "tick $HOSTNAME"; sleep 10; done'] }));
    c.advance(35_000);
    const kubelet = (c as unknown as { kubelet: { podLogs(ns: string, n: string, o: object): string } }).kubelet;
    const lines = kubelet.podLogs('default', 'ticker', {}).trim().split('\n');
    expect(lines.length).toBe(4);
    expect(lines[0]).toBe('tick ticker');
    expect(status(c, 'ticker').restartCount).toBe(0);
  });

  it('restartPolicy Never and OnFailure end in Failed (Error) and Succeeded (Completed)', () => {
    const c = newCluster();
    createPod(c, onePod('fails', { image: 'busybox', command: ['sh', '-c', 'exit 2'] }, { restartPolicy: 'Never' }));
    createPod(c, onePod('works', { image: 'busybox', command: ['sh', '-c', 'echo done'] }, { restartPolicy: 'OnFailure' }));
    c.advance(10_000);
    expect(getPod(c, 'fails')!.status!.phase).toBe('Failed');
    expect(printed(c, 'fails')).toBe('Error');
    expect(status(c, 'fails').state.terminated).toMatchObject({ exitCode: 2, reason: 'Error' });
    expect(getPod(c, 'works')!.status!.phase).toBe('Succeeded');
    expect(printed(c, 'works')).toBe('Completed');
    expect(status(c, 'works').restartCount).toBe(0);
  });

  it('a preStop hook runs before SIGTERM and delays the stop by its sleep', () => {
    const c = newCluster();
    createPod(c, onePod('drain', { image: 'nginx:1.27', lifecycle: { preStop: { exec: { command: ['sh', '-c', 'echo draining > /tmp/drain; sleep 5'] } } } }));
    createPod(c, onePod('bad-hook', { image: 'nginx:1.27', lifecycle: { preStop: { exec: { command: ['sh', '-c', 'exit 1'] } } } }));
    c.advance(5_000);
    c.api.delete(PODS, 'default', 'drain');
    c.api.delete(PODS, 'default', 'bad-hook');
    c.advance(4_000);
    expect(getPod(c, 'drain')?.metadata.deletionTimestamp).toBeDefined();
    c.advance(2_000);
    expect(getPod(c, 'drain')).toBeUndefined();
    expect(eventsFor(c, 'bad-hook').some((e) => e.startsWith('Warning FailedPreStopHook Exec lifecycle hook ([sh -c exit 1]) for Container "bad-hook" in Pod "bad-hook_default('))).toBe(true);
  });

  it('deleting a pod whose shell ignores SIGTERM takes the grace period', () => {
    const c = newCluster();
    createPod(c, onePod('sleeper', { image: 'busybox', command: ['sleep', '3600'] }));
    c.advance(5_000);
    c.api.delete(PODS, 'default', 'sleeper');
    c.advance(29_000);
    expect(getPod(c, 'sleeper')).toBeDefined();
    c.advance(2_000);
    expect(getPod(c, 'sleeper')).toBeUndefined();
    void START;
  });
});

describe('a node whose kubelet is down', () => {
  it('posts no pod status: the node controller\'s Ready=False stands while the containers keep restarting unseen', () => {
    const c = newCluster('down');
    const p = livenessExec();
    p.spec.containers[0].image = 'busybox';
    p.spec.nodeName = 'node-2';
    createPod(c, p);
    c.advance(10_000);
    expect(status(c, 'liveness-exec').ready).toBe(true);
    applyFault(c, { fault: 'node-down', node: 'node-2' });
    c.advance(120_000);
    const pod = getPod(c, 'liveness-exec')!;
    expect(pod.status!.conditions!.find((x) => x.type === 'Ready')!.status).toBe('False');
    expect(status(c, 'liveness-exec').restartCount).toBe(0);
    expect(eventsFor(c, 'liveness-exec').some((e) => e.includes('Unhealthy'))).toBe(false);
  });
});
