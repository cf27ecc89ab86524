// Volumes with the real kubectl: a ConfigMap mounted as files that follow a change (while env does not), a
// missing ConfigMap's FailedMount, and a PVC whose data outlives the pod that wrote it.
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

async function podStatus(name: string): Promise<string> {
  const t = parseTable((await ok(['get', 'pod', name])).stdout);
  return t.rows[0]!.STATUS!;
}

const configPod = `apiVersion: v1
kind: ConfigMap
metadata:
  name: app-config
data:
  color: blue
---
apiVersion: v1
kind: Pod
metadata:
  name: app
spec:
  containers:
  - name: app
    image: busybox:1.36
    command: ["sleep", "3600"]
    env:
    - name: COLOR
      valueFrom:
        configMapKeyRef:
          name: app-config
          key: color
    volumeMounts:
    - name: config
      mountPath: /etc/config
  volumes:
  - name: config
    configMap:
      name: app-config
`;

const claimPod = (name: string) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
  containers:
  - name: main
    image: busybox:1.36
    command: ["sleep", "3600"]
    volumeMounts:
    - name: data
      mountPath: /data
  volumes:
  - name: data
    persistentVolumeClaim:
      claimName: data
`;

beforeAll(async () => {
  server = await startServer();
  sandbox = await createSandbox(server.origin);
  await clock(server.origin, sandbox, { action: 'pause' });
  kubectl = await kubectlEnv(server.origin, sandbox);
});

afterAll(async () => {
  await server?.stop();
});

describe('configMap volumes', () => {
  it('a mounted ConfigMap shows its keys as files; a change reaches the file after the kubelet sync, not env', async () => {
    await ok(['apply', '-f', '-'], configPod);
    await step(20);
    expect(await podStatus('app')).toBe('Running');
    expect((await ok(['exec', 'app', '--', 'ls', '/etc/config'])).stdout).toBe('color\n');
    expect((await ok(['exec', 'app', '--', 'cat', '/etc/config/color'])).stdout).toBe('blue');
    await ok(['patch', 'configmap', 'app-config', '-p', '{"data":{"color":"green"}}']);
    await step(2);
    expect((await ok(['exec', 'app', '--', 'cat', '/etc/config/color'])).stdout).toBe('blue');
    await step(90);
    expect((await ok(['exec', 'app', '--', 'cat', '/etc/config/color'])).stdout).toBe('green');
    expect((await ok(['exec', 'app', '--', 'env'])).stdout).toContain('COLOR=blue\n');
  });

  it('a missing ConfigMap leaves the pod ContainerCreating with a FailedMount event', async () => {
    await ok(['apply', '-f', '-'], configPod.split('---\n')[1]!.replace('name: app\n', 'name: lost\n').replace(/name: app-config/g, 'name: x'));
    await step(20);
    expect(await podStatus('lost')).toBe('ContainerCreating');
    const d = await ok(['describe', 'pod', 'lost']);
    expect(d.stdout).toMatch(/Warning\s+FailedMount\s+.*MountVolume\.SetUp failed for volume "config" : configmap "x" not found/);
  });
});

describe('persistentVolumeClaim volumes', () => {
  it('a bound claim keeps what one pod wrote for the next pod', async () => {
    await ok(['apply', '-f', '-'], `apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
spec:
  accessModes: ["ReadWriteOnce"]
  resources:
    requests:
      storage: 1Gi
`);
    await step(5);
    const pvc = parseTable((await ok(['get', 'pvc', 'data'])).stdout);
    expect(pvc.rows[0]!.STATUS).toBe('Bound');
    await ok(['apply', '-f', '-'], claimPod('writer'));
    await step(20);
    expect(await podStatus('writer')).toBe('Running');
    await ok(['exec', 'writer', '--', 'sh', '-c', 'echo hello > /data/file']);
    await ok(['delete', 'pod', 'writer', '--wait=false']);
    await step(40);
    const gone = await kubectl.run(['get', 'pod', 'writer']);
    expect(gone.stderr).toContain('pods "writer" not found');
    await ok(['apply', '-f', '-'], claimPod('reader'));
    await step(20);
    expect((await ok(['exec', 'reader', '--', 'cat', '/data/file'])).stdout).toBe('hello\n');
  });
});

describe('ServiceAccount token volumes', () => {
  it('every pod gets kube-api-access-* mounted at the service account directory, unless it opts out', async () => {
    await ok(['run', 'sa-pod', '--image=busybox:1.36', '--', 'sleep', '3600']);
    await ok(['apply', '-f', '-'], `apiVersion: v1
kind: Pod
metadata:
  name: no-token
spec:
  automountServiceAccountToken: false
  containers:
  - name: main
    image: busybox:1.36
    command: ["sleep", "3600"]
`);
    await step(20);
    expect(await podStatus('sa-pod')).toBe('Running');
    const dir = '/var/run/secrets/kubernetes.io/serviceaccount';
    expect((await ok(['exec', 'sa-pod', '--', 'ls', dir])).stdout.split(/\s+/).filter(Boolean).sort()).toEqual(['ca.crt', 'namespace', 'token']);
    expect((await ok(['exec', 'sa-pod', '--', 'cat', `${dir}/namespace`])).stdout).toBe('default');
    expect((await ok(['exec', 'sa-pod', '--', 'cat', `${dir}/ca.crt`])).stdout).toContain('-----BEGIN CERTIFICATE-----');
    const volumeName = (await ok(['get', 'pod', 'sa-pod', '-o', 'jsonpath={.spec.volumes[0].name}'])).stdout;
    expect(volumeName).toMatch(/^kube-api-access-[a-z0-9]{5}$/);
    const described = (await ok(['describe', 'pod', 'sa-pod'])).stdout;
    expect(described).toContain(`${dir} from ${volumeName} (ro)`);
    expect(described).toMatch(/Type:\s+Projected \(a volume that contains injected data from multiple sources\)\n\s+TokenExpirationSeconds:\s+3607\n\s+ConfigMapName:\s+kube-root-ca.crt\n\s+ConfigMapOptional:\s+<nil>\n\s+DownwardAPI:\s+true\n/);
    expect((await ok(['get', 'pod', 'no-token', '-o', 'jsonpath={.spec.volumes}'])).stdout).toBe('');
    const r = await kubectl.run(['exec', 'no-token', '--', 'ls', dir]);
    expect(r.code).not.toBe(0);
    expect(r.stderr + r.stdout).toContain('No such file or directory');
  });
});
