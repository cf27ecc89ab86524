// The instructor's pod, image and DNS faults over HTTP (`POST /s/<id>/api/faults`), seen with the real kubectl:
// a killed container's RESTARTS and last state, ErrImagePull / ImagePullBackOff with containerd's error in
// describe, and nslookup timing out from `kubectl exec` while cluster DNS is broken. The clock is paused and stepped.
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

async function faults(body: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${server.origin}/s/${sandbox.id}/api/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${sandbox.token}` },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

const step = (seconds: number) => clock(server.origin, sandbox, { action: 'step', seconds });

async function podRow(name: string): Promise<Record<string, string>> {
  return parseTable((await ok(['get', 'pod', name])).stdout).rows[0]!;
}

const podYaml = (name: string, image: string, command = '') => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  labels:
    app: ${name}
spec:
  nodeName: node-2
  containers:
  - name: main
    image: ${image}
${command}`;

beforeAll(async () => {
  server = await startServer();
  sandbox = await createSandbox(server.origin, { nodes: 3 });
  await clock(server.origin, sandbox, { action: 'pause' });
  kubectl = await kubectlEnv(server.origin, sandbox);
  await ok(['apply', '-f', '-'], podYaml('web', 'nginx:1.27'));
  await ok(['apply', '-f', '-'], podYaml('client', 'busybox:1.36', '    command: ["sleep", "3600"]\n'));
  await ok(['expose', 'pod', 'web', '--port', '80']);
  await step(30);
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

describe('faults over HTTP', () => {
  it('GET lists the new faults; bad requests get a 400 with the reason', async () => {
    const res = await fetch(`${server.origin}/s/${sandbox.id}/api/faults`, { headers: { authorization: `Bearer ${sandbox.token}` } });
    const names = ((await res.json()).available as { fault: string }[]).map((f) => f.fault);
    expect(names).toEqual(expect.arrayContaining(['kill-container', 'kill-pod', 'image-pull-fail', 'image-pull-slow', 'image-pull-ok', 'dns-break', 'dns-ok']));
    expect(await faults({ fault: 'kill-container', pod: 'default/nope' })).toEqual({ status: 400, body: { error: 'pod default/nope not found' } });
    expect(await faults({ fault: 'image-pull-slow', factor: 'fast' })).toMatchObject({ status: 400, body: { error: expect.stringMatching(/^factor must be a number/) } });
  });

  it('kill-container: RESTARTS goes to 1 and describe shows the last state Terminated, Error, exit code 137', async () => {
    expect((await podRow('web')).RESTARTS).toBe('0');
    expect(await faults({ fault: 'kill-container', pod: 'default/web', container: 'main' })).toMatchObject({ status: 200 });
    await step(5);
    const row = await podRow('web');
    expect(row.STATUS).toBe('Running');
    expect(row.RESTARTS).toMatch(/^1 \(\d+s ago\)$/);
    const d = (await ok(['describe', 'pod', 'web'])).stdout;
    expect(d).toMatch(/Last State:\s+Terminated\n\s+Reason:\s+Error\n\s+Exit Code:\s+137\n/);
    expect(d).toMatch(/Restart Count:\s+1\n/);
  });

  it('image-pull-fail: a new image gets ErrImagePull / ImagePullBackOff with the registry error in describe; image-pull-ok heals', async () => {
    expect((await faults({ fault: 'image-pull-fail', registry: 'docker.io' })).body.faults).toEqual([{ fault: 'image-pull-fail', registries: ['docker.io'], since: expect.any(String) }]);
    await ok(['apply', '-f', '-'], podYaml('cache', 'redis:7.4'));
    await step(12);
    expect(['ErrImagePull', 'ImagePullBackOff']).toContain((await podRow('cache')).STATUS);
    const d = (await ok(['describe', 'pod', 'cache'])).stdout;
    expect(d).toContain(
      'Failed to pull image "redis:7.4": failed to pull and unpack image "docker.io/library/redis:7.4": failed to resolve reference "docker.io/library/redis:7.4": failed to do request: Head "https://registry-1.docker.io/v2/library/redis/manifests/7.4": dial tcp: lookup registry-1.docker.io: i/o timeout',
    );
    expect(d).toMatch(/Warning\s+Failed\s+.*kubelet\s+Error: ErrImagePull/);
    expect(d).toMatch(/Normal\s+BackOff\s+.*kubelet\s+Back-off pulling image "redis:7.4"/);
    // An image already on the node still starts.
    await ok(['run', 'again', '--image', 'nginx:1.27', '--overrides', '{"spec":{"nodeName":"node-2"}}']);
    await step(5);
    expect((await podRow('again')).STATUS).toBe('Running');
    expect((await faults({ fault: 'image-pull-ok' })).body.faults).toEqual([]);
    await step(40);
    expect((await podRow('cache')).STATUS).toBe('Running');
  });

  it('dns-break: nslookup and wget by name time out from kubectl exec, wget by IP works; dns-ok heals', async () => {
    await faults({ fault: 'dns-break' });
    const ns = await kubectl.run(['exec', 'client', '--', 'nslookup', 'web']);
    expect(ns.code, showRun(ns)).toBe(1);
    expect(ns.stdout).toBe(';; connection timed out; no servers could be reached\n\n');
    const w = await kubectl.run(['exec', 'client', '--', 'wget', '-qO-', 'http://web']);
    expect(w.code).toBe(1);
    expect(w.stderr).toContain("wget: bad address 'web'");
    const ip = (await ok(['get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}'])).stdout.trim();
    expect((await ok(['exec', 'client', '--', 'wget', '-qO-', `http://${ip}`])).stdout).toContain('Welcome to nginx!');
    await faults({ fault: 'dns-ok' });
    expect((await ok(['exec', 'client', '--', 'nslookup', 'web'])).stdout).toContain(`Name:\tweb.default.svc.cluster.local\nAddress: ${ip}\n`);
  });
});
