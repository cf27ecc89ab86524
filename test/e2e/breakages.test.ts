// The classic kubelet-side breakages with the real kubectl, on a paused clock stepped to Kubernetes' timings:
// what a learner sees in `get`, `describe`, `logs` and events, and the fix.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTable } from '../support/kubectl-output.ts';
import { clock, createSandbox, kubectlEnv, showRun, startServer, type KubectlEnv, type Sandbox, type Server } from '../support/server.ts';

let server: Server;
let sandbox: Sandbox;
let kubectl: KubectlEnv;

async function ok(args: string[], stdin?: string) {
  const r = await kubectl.run(args, { stdin });
  expect(r.code, `kubectl ${args.join(' ')}\n${showRun(r)}`).toBe(0);
  return r;
}

async function step(seconds: number) {
  await clock(server.origin, sandbox, { action: 'step', seconds });
}

async function row(name: string) {
  const r = await ok(['get', 'pod', name]);
  const t = parseTable(r.stdout);
  expect(t.rows, r.stdout).toHaveLength(1);
  return t.rows[0]!;
}

/** describe's text with runs of spaces collapsed, so assertions read like the screen. */
async function described(name: string) {
  return (await ok(['describe', 'pod', name])).stdout.replace(/[ \t]+/g, ' ');
}

beforeAll(async () => {
  server = await startServer();
  sandbox = await createSandbox(server.origin);
  await clock(server.origin, sandbox, { action: 'pause' });
  kubectl = await kubectlEnv(server.origin, sandbox);
});

afterAll(async () => {
  await server?.stop();
});

describe('classic breakages', () => {
  it('CrashLoopBackOff from a bad command: Last State Terminated, Reason Error, Exit Code 1, and the BackOff event', async () => {
    await ok(['run', 'crash', '--image=busybox:1.36', '--restart=Always', '--', 'sh', '-c', 'echo "connecting to db..."; echo "fatal: DB_HOST not set" >&2; exit 1']);
    await step(40);
    const r = await row('crash');
    expect(r.STATUS).toBe('CrashLoopBackOff');
    expect(Number(r.RESTARTS.split(' ')[0])).toBeGreaterThanOrEqual(2);
    const d = await described('crash');
    expect(d).toMatch(/State: Waiting\n Reason: CrashLoopBackOff/);
    expect(d).toMatch(/Last State: Terminated\n Reason: Error\n Exit Code: 1/);
    expect(d).toMatch(/Warning BackOff .* Back-off restarting failed container crash in pod crash_default\(/);
    const logs = await ok(['logs', 'crash']);
    expect(logs.stdout).toBe('connecting to db...\nfatal: DB_HOST not set\n');
  });

  it('ImagePullBackOff from a typo, with the registry error in the events', async () => {
    await ok(['run', 'typo', '--image=ngnix:1.27']);
    await step(30);
    expect((await row('typo')).STATUS).toBe('ImagePullBackOff');
    const d = await described('typo');
    expect(d).toContain('Failed to pull image "ngnix:1.27": failed to pull and unpack image "docker.io/library/ngnix:1.27"');
    expect(d).toMatch(/Normal BackOff .* Back-off pulling image "ngnix:1.27"/);
    // The fix: the right image.
    await ok(['set', 'image', 'pod/typo', 'typo=nginx:1.27']);
    await step(40);
    expect((await row('typo')).STATUS).toBe('Running');
  });

  it('OOMKilled when memory use passes the limit: STATUS OOMKilled, Reason OOMKilled, Exit Code 137', async () => {
    await ok(
      ['apply', '-f', '-'],
      `apiVersion: v1
kind: Pod
metadata:
  name: memory-demo
spec:
  restartPolicy: Never
  containers:
  - name: memory-demo-ctr
    image: polinux/stress
    resources:
      requests:
        memory: "50Mi"
      limits:
        memory: "100Mi"
    command: ["stress"]
    args: ["--vm", "1", "--vm-bytes", "250M", "--vm-hang", "1"]
`,
    );
    await step(20);
    expect((await row('memory-demo')).STATUS).toBe('OOMKilled');
    const d = await described('memory-demo');
    expect(d).toMatch(/State: Terminated\n Reason: OOMKilled\n Exit Code: 137/);
  });

  it('failing readiness: Running but 0/1, an Unhealthy event, Ready False', async () => {
    await ok(
      ['apply', '-f', '-'],
      `apiVersion: v1
kind: Pod
metadata:
  name: not-ready
spec:
  containers:
  - name: app
    image: kuberoom/demo:1.0
    env:
    - name: READY_DELAY
      value: "10m"
    readinessProbe:
      httpGet:
        path: /ready
        port: 8080
      periodSeconds: 5
`,
    );
    await step(30);
    const r = await row('not-ready');
    expect(r.READY).toBe('0/1');
    expect(r.STATUS).toBe('Running');
    const d = await described('not-ready');
    expect(d).toMatch(/Warning Unhealthy .* Readiness probe failed: HTTP probe failed with statuscode: 503/);
    expect(d).toMatch(/ Ready False/);
    expect(d).toContain('Restart Count: 0');
  });

  it('failing liveness with restarts: the kubernetes.io liveness-exec example', async () => {
    await ok(
      ['apply', '-f', '-'],
      `apiVersion: v1
kind: Pod
metadata:
  labels:
    test: liveness
  name: liveness-exec
spec:
  containers:
  - name: liveness
    image: busybox:1.27.2
    args:
    - /bin/sh
    - -c
    - touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600
    livenessProbe:
      exec:
        command:
        - cat
        - /tmp/healthy
      initialDelaySeconds: 5
      periodSeconds: 5
`,
    );
    await step(25);
    expect((await described('liveness-exec'))).not.toContain('Unhealthy');
    await step(20);
    let d = await described('liveness-exec');
    expect(d).toMatch(/Warning Unhealthy .* Liveness probe failed: cat: can't open '\/tmp\/healthy': No such file or directory/);
    expect(d).toMatch(/Normal Killing .* Container liveness failed liveness probe, will be restarted/);
    await step(40);
    const r = await row('liveness-exec');
    expect(r.STATUS).toBe('Running');
    expect(r.RESTARTS.split(' ')[0]).toBe('1');
    d = await described('liveness-exec');
    expect(d).toMatch(/Last State: Terminated\n Reason: Error\n Exit Code: 137/);
  });

  it('CreateContainerConfigError for a missing ConfigMap key, fixed by adding the key', async () => {
    await ok(['create', 'configmap', 'app-config', '--from-literal=color=blue']);
    await ok(
      ['apply', '-f', '-'],
      `apiVersion: v1
kind: Pod
metadata:
  name: needs-config
spec:
  containers:
  - name: app
    image: busybox:1.36
    command: ["sh", "-c", "echo level=$LOG_LEVEL; sleep 3600"]
    env:
    - name: LOG_LEVEL
      valueFrom:
        configMapKeyRef:
          name: app-config
          key: log_level
`,
    );
    await step(10);
    expect((await row('needs-config')).STATUS).toBe('CreateContainerConfigError');
    const d = await described('needs-config');
    expect(d).toMatch(/Warning Failed .* Error: couldn't find key log_level in ConfigMap default\/app-config/);
    await ok(['patch', 'configmap', 'app-config', '-p', '{"data":{"log_level":"debug"}}']);
    await step(40);
    expect((await row('needs-config')).STATUS).toBe('Running');
    expect((await ok(['logs', 'needs-config'])).stdout).toBe('level=debug\n');
  });

  it('CreateContainerConfigError for a missing Secret, fixed by creating it', async () => {
    await ok(
      ['apply', '-f', '-'],
      `apiVersion: v1
kind: Pod
metadata:
  name: needs-secret
spec:
  containers:
  - name: app
    image: busybox:1.36
    command: ["sh", "-c", "echo connecting as $DB_USER; sleep 3600"]
    env:
    - name: DB_USER
      valueFrom:
        secretKeyRef:
          name: db-credentials
          key: username
`,
    );
    await step(10);
    expect((await row('needs-secret')).STATUS).toBe('CreateContainerConfigError');
    const d = await described('needs-secret');
    expect(d).toMatch(/Warning Failed .* Error: secret "db-credentials" not found/);
    await ok(['create', 'secret', 'generic', 'db-credentials', '--from-literal=username=admin']);
    await step(40);
    expect((await row('needs-secret')).STATUS).toBe('Running');
    expect((await ok(['logs', 'needs-secret'])).stdout).toBe('connecting as admin\n');
  });
});
