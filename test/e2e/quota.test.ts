// ResourceQuota and LimitRange admission through the real kubectl: a quota that rejects pods with the
// API server's words, `kubectl describe quota` showing Used/Hard, a ReplicaSet's FailedCreate, and a
// LimitRange whose defaults appear in `kubectl get pod -o yaml`. The clock is paused and stepped.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { clock, createSandbox, kubectlEnv, showRun, startServer, type KubectlEnv, type Sandbox, type Server } from '../support/server.ts';

let server: Server;
let sandbox: Sandbox;
let kubectl: KubectlEnv;

async function ok(args: string[], stdin?: string) {
  const r = await kubectl.run(args, { stdin });
  expect(r.code, `kubectl ${args.join(' ')}\n${showRun(r)}`).toBe(0);
  return r;
}

async function fails(args: string[], stdin?: string) {
  const r = await kubectl.run(args, { stdin });
  expect(r.code, `kubectl ${args.join(' ')}\n${showRun(r)}`).not.toBe(0);
  return r;
}

const cpuPod = (name: string, request: string, limit: string) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
  containers:
  - name: main
    image: nginx:1.27
    resources:
      requests:
        cpu: ${request}
      limits:
        cpu: ${limit}
`;

/** `kubectl describe quota` rows under `Resource Used Hard`, as [resource, used, hard]. */
function quotaRows(out: string): string[][] {
  const lines = out.split('\n');
  const at = lines.findIndex((l) => /^Resource\s+Used\s+Hard\s*$/.test(l));
  expect(at, out).toBeGreaterThan(0);
  return lines.slice(at + 2).filter((l) => l.trim()).map((l) => l.trim().split(/\s+/));
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

describe('ResourceQuota with the real kubectl', () => {
  it('kubectl create quota, a pod rejected with the message, describe quota shows Used/Hard', async () => {
    await ok(['create', 'namespace', 'team']);
    const created = await ok(['-n', 'team', 'create', 'quota', 'compute', '--hard=requests.cpu=1,limits.cpu=2,pods=3']);
    expect(created.stdout.trim()).toBe('resourcequota/compute created');
    await clock(server.origin, sandbox, { action: 'step', seconds: 1 });

    const bare = await fails(['-n', 'team', 'run', 'bare', '--image=nginx']);
    expect(bare.stderr.trim()).toBe('Error from server (Forbidden): pods "bare" is forbidden: failed quota: compute: must specify limits.cpu for: bare; requests.cpu for: bare');

    await ok(['-n', 'team', 'create', '-f', '-'], cpuPod('first', '800m', '1'));
    const big = await fails(['-n', 'team', 'create', '-f', '-'], cpuPod('big', '500m', '500m'));
    expect(big.stderr).toContain('Error from server (Forbidden): error when creating "STDIN": pods "big" is forbidden: exceeded quota: compute, requested: requests.cpu=500m, used: requests.cpu=800m, limited: requests.cpu=1');
    const none = await kubectl.run(['-n', 'team', 'get', 'pod', 'big']);
    expect(none.stderr).toContain('pods "big" not found');

    await clock(server.origin, sandbox, { action: 'step', seconds: 1 });
    const d = await ok(['-n', 'team', 'describe', 'quota', 'compute']);
    expect(d.stdout).toMatch(/^Name:\s+compute$/m);
    expect(d.stdout).toMatch(/^Namespace:\s+team$/m);
    expect(quotaRows(d.stdout)).toEqual([
      ['limits.cpu', '1', '2'],
      ['pods', '1', '3'],
      ['requests.cpu', '800m', '1'],
    ]);
    const g = await ok(['-n', 'team', 'get', 'quota']);
    expect(g.stdout).toContain('pods: 1/3, requests.cpu: 800m/1');
    expect(g.stdout).toContain('limits.cpu: 1/2');
  });

  it('a ReplicaSet held back by the quota reports FailedCreate', async () => {
    await ok(['create', 'namespace', 'small']);
    await ok(['-n', 'small', 'create', 'quota', 'two-pods', '--hard=pods=2']);
    await clock(server.origin, sandbox, { action: 'step', seconds: 1 });
    await ok(['-n', 'small', 'create', 'deployment', 'web', '--image=nginx', '--replicas=3']);
    await clock(server.origin, sandbox, { action: 'step', seconds: 5 });
    const pods = await ok(['-n', 'small', 'get', 'pods', '-o', 'name']);
    expect(pods.stdout.trim().split('\n')).toHaveLength(2);
    const ev = await ok(['-n', 'small', 'get', 'events', '--field-selector', 'reason=FailedCreate', '-o', 'jsonpath={.items[*].message}']);
    expect(ev.stdout).toMatch(/Error creating: pods "web-[a-z0-9]+-[a-z0-9]{5}" is forbidden: exceeded quota: two-pods, requested: pods=1, used: pods=2, limited: pods=2/);
  });
});

describe('LimitRange with the real kubectl', () => {
  it('fills in requests and limits, seen in get pod -o yaml', async () => {
    await ok(['create', 'namespace', 'limited']);
    await ok(['-n', 'limited', 'apply', '-f', '-'], `apiVersion: v1
kind: LimitRange
metadata:
  name: defaults
spec:
  limits:
  - type: Container
    default:
      cpu: 500m
      memory: 256Mi
    defaultRequest:
      cpu: 100m
      memory: 128Mi
    max:
      cpu: "1"
`);
    await ok(['-n', 'limited', 'run', 'web', '--image=nginx']);
    const y = parse((await ok(['-n', 'limited', 'get', 'pod', 'web', '-o', 'yaml'])).stdout);
    expect(y.spec.containers[0].resources).toEqual({ limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '100m', memory: '128Mi' } });
    expect(y.metadata.annotations['kubernetes.io/limit-ranger']).toBe('LimitRanger plugin set: cpu, memory request for container web; cpu, memory limit for container web');

    const over = await fails(['-n', 'limited', 'create', '-f', '-'], cpuPod('greedy', '1', '2'));
    expect(over.stderr).toContain('pods "greedy" is forbidden: maximum cpu usage per Container is 1, but limit is 2');
  });
});
