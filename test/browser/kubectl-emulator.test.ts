// The terminal's kubectl emulator (client/src/kubectl) in Node against a real server, compared with the
// REAL kubectl against the same sandbox: the same stdout, stderr and exit code for each command. The
// sandbox's clock is paused, so the server's ages do not move; describe's event ages come from the local
// clock (as kubectl computes them), so the emulator is given the moment kubectl printed.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kubectl, type FileSource, type KubectlOptions } from '../../client/src/kubectl/kubectl.ts';
import { clock, createSandbox, kubectlEnv, showRun, startServer, type KubectlEnv, type Sandbox, type Server } from '../support/server.ts';
import { splitCommandLine } from '../../client/src/kubectl/args.ts';

let server: Server;
let sandbox: Sandbox;
let kubectl: KubectlEnv;
let emulator: Kubectl;
let options: KubectlOptions;
const files = new Map<string, string>();
const fileSource: FileSource = { read: async (name) => files.get(name) ?? null };

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function emulate(line: string, signal?: AbortSignal, now?: () => number): Promise<Result> {
  let stdout = '';
  let stderr = '';
  const k = now ? new Kubectl({ ...options, now }) : emulator;
  const code = await k.run(line, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), signal });
  return { code, stdout, stderr };
}

/**
 * Runs the command with the real kubectl, then with the emulator. Describe's ages come from the local
 * clock (kubectl computes them itself), so the emulator reads the time at which kubectl finished, when it
 * printed them; a comparison that still straddled a second boundary is retried.
 */
async function compare(line: string): Promise<{ real: Result; emu: Result }> {
  let last: { real: Result; emu: Result } | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const real = await kubectl.run(splitCommandLine(line));
    const printedAt = Date.now();
    const emu = await emulate(line, undefined, () => printedAt);
    last = { real, emu };
    if (real.stdout === emu.stdout && real.stderr === emu.stderr && real.code === emu.code) break;
  }
  return last!;
}

async function expectSame(line: string): Promise<Result> {
  const { real, emu } = await compare(line);
  expect(emu.stdout, `stdout of kubectl ${line}\nreal: ${showRun(real)}`).toBe(real.stdout);
  expect(emu.stderr, `stderr of kubectl ${line}`).toBe(real.stderr);
  expect(emu.code, `exit code of kubectl ${line}`).toBe(real.code);
  return real;
}

beforeAll(async () => {
  server = await startServer();
  sandbox = await createSandbox(server.origin);
  await clock(server.origin, sandbox, { action: 'pause' });
  kubectl = await kubectlEnv(server.origin, sandbox);
  // cluster-info prints the server URL of the kubeconfig (over http the token rides in its path).
  const serverUrl = /server: (\S+)/.exec(readFileSync(kubectl.kubeconfigPath, 'utf8'))![1]!;
  options = { base: `${server.origin}/s/${sandbox.id}/k8s`, token: sandbox.token, files: fileSource, serverUrl };
  emulator = new Kubectl(options);
});

afterAll(async () => {
  await server?.stop();
});

describe('an empty sandbox', () => {
  for (const line of ['get pods', 'get pods -A', 'get nodes', 'get ns', 'get events']) {
    it(`kubectl ${line}`, async () => {
      await expectSame(line);
    });
  }
});

describe('the emulator prints what kubectl prints', () => {
  it('kubectl run web --image=nginx', async () => {
    const r = await emulate('kubectl run web --image=nginx');
    expect(r).toEqual({ code: 0, stdout: 'pod/web created\n', stderr: '' });
    await clock(server.origin, sandbox, { action: 'step', seconds: 30 });
  });

  const commands = [
    'get nodes',
    'get nodes -o wide',
    'get pods',
    'get pods -o wide',
    'get pods -A',
    'get pod web -o yaml',
    'get pod web -o json',
    'get pods -o yaml',
    'get pods -o name',
    "get pods -o jsonpath='{.items[*].metadata.name}'",
    "get pods -o jsonpath='{range .items[*]}{.metadata.name}{\"\\t\"}{.status.phase}{\"\\n\"}{end}'",
    'get pods -o custom-columns=NAME:.metadata.name,NODE:.spec.nodeName,IP:.status.podIP',
    'get pods --show-labels',
    'get pods -l run=web',
    'get pods -l run=nothing',
    'get po,no',
    'get pod/web node/node-1',
    'get nodes --sort-by=.metadata.name --no-headers',
    'describe pod web',
    'describe pods',
    'describe node node-1',
    'describe no/node-2',
    'get ns',
    'get events',
    'get events -A',
    'get pod nope',
    'get pod web nope',
    'get pods nope -o yaml',
    'describe pod nope',
    'get nonsense',
    'get pods --bogus',
    'get',
    'api-resources',
    'cluster-info',
  ];
  for (const line of commands) {
    it(`kubectl ${line}`, async () => {
      await expectSame(line);
    });
  }

  it('a view of the missing pod error names the resource like kubectl', async () => {
    const r = await emulate('get pod missing');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('Error from server (NotFound): pods "missing" not found\n');
  });
});

describe('writes', () => {
  it('label, annotate and their refusals', async () => {
    expect(await emulate('label pod web tier=frontend')).toEqual({ code: 0, stdout: 'pod/web labeled\n', stderr: '' });
    await expectSame('label pod web tier=backend');
    expect(await emulate('label pod web tier=backend --overwrite')).toEqual({ code: 0, stdout: 'pod/web labeled\n', stderr: '' });
    expect(await emulate('annotate pod web note=hello')).toEqual({ code: 0, stdout: 'pod/web annotated\n', stderr: '' });
    await expectSame('get pods --show-labels');
    await expectSame('describe pod web');
  });

  it('create namespace and configmap, then get them', async () => {
    expect(await emulate('create namespace team')).toEqual({ code: 0, stdout: 'namespace/team created\n', stderr: '' });
    expect(await emulate('create configmap settings --from-literal=mode=fast -n team')).toEqual({
      code: 0,
      stdout: 'configmap/settings created\n',
      stderr: '',
    });
    await expectSame('get cm -n team');
    await expectSame('get configmap settings -n team -o yaml');
    await expectSame('create namespace team');
  });

  it('apply -f from the shared files', async () => {
    files.set(
      'hello.yaml',
      'apiVersion: v1\nkind: Pod\nmetadata:\n  name: hello\n  labels:\n    app: hello\nspec:\n  containers:\n  - name: main\n    image: nginx:1.27\n',
    );
    expect(await emulate('apply -f hello.yaml')).toEqual({ code: 0, stdout: 'pod/hello created\n', stderr: '' });
    expect(await emulate('apply -f hello.yaml')).toEqual({ code: 0, stdout: 'pod/hello unchanged\n', stderr: '' });
    expect((await emulate('apply -f missing.yaml')).stderr).toBe('error: the path "missing.yaml" does not exist\n');
    await clock(server.origin, sandbox, { action: 'step', seconds: 30 });
    await expectSame('get pods -o wide');
  });

  it('logs', async () => {
    await expectSame('logs web');
    await expectSame('logs web --tail=2');
    await expectSame('logs nope');
  });

  it('delete prints, then waits until the pod is gone', async () => {
    const pending = emulate('delete pod hello');
    // The pod terminates gracefully on the virtual clock: step it while the emulator waits.
    for (let i = 0; i < 50; i++) {
      const ts = await kubectl.run(['get', 'pod', 'hello', '-o', 'jsonpath={.metadata.deletionTimestamp}']);
      if (ts.code !== 0 || ts.stdout !== '') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await clock(server.origin, sandbox, { action: 'step', seconds: 60 });
    const r = await pending;
    expect(r).toEqual({ code: 0, stdout: 'pod "hello" deleted\n', stderr: '' });
    await expectSame('get pod hello');
  });

  it('get -w streams rows until aborted (Ctrl-C)', async () => {
    const ac = new AbortController();
    let stdout = '';
    const running = emulator.run('get pods -w', { stdout: (s) => (stdout += s), stderr: () => {}, signal: ac.signal });
    await expect.poll(() => stdout, { timeout: 10_000 }).toMatch(/^NAME\s+READY\s+STATUS/);
    expect((await emulate('run late --image=nginx')).stdout).toBe('pod/late created\n');
    await expect.poll(() => stdout, { timeout: 10_000 }).toMatch(/\nlate\s+0\/1\s+Pending/);
    ac.abort();
    expect(await running).toBe(0);
  });
});

describe('deployments', () => {
  it('create, get, describe, scale, set image and rollout status', async () => {
    expect(await emulate('create deployment shop --image=nginx --replicas=2')).toEqual({
      code: 0,
      stdout: 'deployment.apps/shop created\n',
      stderr: '',
    });
    await clock(server.origin, sandbox, { action: 'step', seconds: 30 });
    await expectSame('get deploy,rs -o wide');
    await expectSame('describe deployment shop');
    await expectSame('rollout status deployment/shop');
    expect(await emulate('scale deploy shop --replicas=3')).toEqual({ code: 0, stdout: 'deployment.apps/shop scaled\n', stderr: '' });
    expect(await emulate('set image deployment/shop nginx=nginx:1.27')).toEqual({
      code: 0,
      stdout: 'deployment.apps/shop image updated\n',
      stderr: '',
    });
    await expectSame('get deploy shop -o yaml');
    await clock(server.origin, sandbox, { action: 'step', seconds: 120 });
    await expectSame('rollout status deploy shop');
    await expectSame('describe deploy shop');
    await expectSame('get pods -l app=shop -o wide');
  });

  it('expose, then describe the Service with its endpoints', async () => {
    expect(await emulate('expose deployment shop --port=80')).toEqual({ code: 0, stdout: 'service/shop exposed\n', stderr: '' });
    await clock(server.origin, sandbox, { action: 'step', seconds: 5 });
    await expectSame('get svc shop -o yaml');
    await expectSame('describe svc shop');
    await expectSame('describe service kubernetes');
    await expectSame('get svc,endpointslices -o wide');
    // The real kubectl's own expose makes the same object.
    const real = await kubectl.run(['expose', 'deployment', 'shop', '--port=80', '--name=shop2']);
    expect(real.stdout).toBe('service/shop2 exposed\n');
    const ours = (await emulate('get svc shop -o jsonpath={.spec}')).stdout;
    const theirs = (await emulate('get svc shop2 -o jsonpath={.spec}')).stdout;
    const strip = (spec: string) => JSON.stringify({ ...JSON.parse(spec), clusterIP: '', clusterIPs: [] });
    expect(strip(ours)).toBe(strip(theirs));
  });
});

describe('completion', () => {
  it('completes commands, kinds and names', async () => {
    expect((await emulator.complete('kubectl desc')).candidates).toEqual(['describe']);
    expect((await emulator.complete('kubectl get depl')).candidates).toContain('deployments');
    expect((await emulator.complete('kubectl get po')).candidates).toContain('pods');
    expect((await emulator.complete('kubectl describe pod w')).candidates).toEqual(['web']);
    expect((await emulator.complete('kubectl get nodes node-')).candidates).toEqual(['node-1', 'node-2', 'node-3']);
  });
});
