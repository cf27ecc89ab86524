// The walking skeleton's acceptance: the real kubectl against a running Kuberoom server (wrangler dev),
// asserting what a learner sees in the terminal. The sandbox's clock is paused and stepped by the test, so
// nothing here depends on timing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseTable } from '../support/kubectl-output.ts';
import {
  clock,
  createSandbox,
  kubectlEnv,
  showRun,
  startServer,
  type KubectlEnv,
  type Sandbox,
  type Server,
} from '../support/server.ts';

const NODES = ['node-1', 'node-2', 'node-3'];

let server: Server;
let sandbox: Sandbox;
let kubectl: KubectlEnv;

/** Runs kubectl and expects exit 0. */
async function ok(args: string[], stdin?: string) {
  const r = await kubectl.run(args, { stdin });
  expect(r.code, `kubectl ${args.join(' ')}\n${showRun(r)}`).toBe(0);
  return r;
}

async function getPodRow(name: string) {
  const r = await ok(['get', 'pod', name]);
  const t = parseTable(r.stdout);
  expect(t.header, r.stdout).toEqual(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
  expect(t.rows, r.stdout).toHaveLength(1);
  return t.rows[0]!;
}

const podManifest = (name: string, extra = '') => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  labels:
    app: ${name}
spec:
  containers:
  - name: main
    image: nginx:1.27
    ports:
    - containerPort: 80
${extra}`;

beforeAll(async () => {
  server = await startServer();
  sandbox = await createSandbox(server.origin);
  expect(sandbox.id).toBeTruthy();
  expect(sandbox.token).toBeTruthy();
  await clock(server.origin, sandbox, { action: 'pause' });
  kubectl = await kubectlEnv(server.origin, sandbox);
});

afterAll(async () => {
  await server?.stop();
});

describe('kubectl against a fresh sandbox', () => {
  it('kubectl get nodes lists three Ready nodes', async () => {
    const r = await ok(['get', 'nodes']);
    const t = parseTable(r.stdout);
    expect(t.header).toEqual(['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION']);
    expect(t.rows.map((row) => row.NAME).sort()).toEqual(NODES);
    for (const row of t.rows) {
      expect(row.STATUS, r.stdout).toBe('Ready');
      expect(row.VERSION, r.stdout).toMatch(/^v1\.\d+\.\d+/);
      expect(row.AGE, r.stdout).toMatch(/^\d+[smhd]/);
    }
  });

  it('kubectl get pods -A prints the all-namespaces table', async () => {
    const r = await ok(['get', 'pods', '-A']);
    if (r.stdout.trim() === '') {
      expect(r.stderr).toMatch(/No resources found/);
      return;
    }
    const t = parseTable(r.stdout);
    expect(t.header).toEqual(['NAMESPACE', 'NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
    for (const row of t.rows) {
      expect(row.NAMESPACE, r.stdout).toMatch(/^[a-z0-9-]+$/);
      expect(row.READY, r.stdout).toMatch(/^\d+\/\d+$/);
    }
  });

  it('kubectl get pods in an empty namespace says so', async () => {
    const r = await ok(['get', 'pods']);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim()).toBe('No resources found in default namespace.');
  });
});

describe('a pod from kubectl run', () => {
  it('kubectl run web --image=nginx creates it', async () => {
    const r = await ok(['run', 'web', '--image=nginx']);
    expect(r.stdout.trim()).toBe('pod/web created');
  });

  it('is Pending while the clock is paused', async () => {
    const row = await getPodRow('web');
    expect(row.NAME).toBe('web');
    // As in a real cluster: the phase is Pending; kubectl's STATUS column shows it, or, once the pod is
    // bound to a node, the waiting container's reason (ContainerCreating).
    expect(['Pending', 'ContainerCreating']).toContain(row.STATUS);
    expect(row.READY).toBe('0/1');
    const phase = await ok(['get', 'pod', 'web', '-o', 'jsonpath={.status.phase}']);
    expect(phase.stdout).toBe('Pending');
  });

  it('is Running and ready 30 s later', async () => {
    await clock(server.origin, sandbox, { action: 'step', seconds: 30 });
    const row = await getPodRow('web');
    expect(row.STATUS).toBe('Running');
    expect(row.READY).toBe('1/1');
    expect(row.RESTARTS).toBe('0');
  });

  it('kubectl get pod web -o yaml shows the whole object', async () => {
    const r = await ok(['get', 'pod', 'web', '-o', 'yaml']);
    const pod = parse(r.stdout);
    expect(pod.apiVersion).toBe('v1');
    expect(pod.kind).toBe('Pod');
    expect(pod.metadata.name).toBe('web');
    expect(pod.metadata.namespace).toBe('default');
    expect(typeof pod.metadata.uid).toBe('string');
    expect(pod.metadata.uid.length).toBeGreaterThan(0);
    expect(pod.metadata.resourceVersion).toMatch(/^\d+$/);
    expect(Number.isNaN(Date.parse(pod.metadata.creationTimestamp))).toBe(false);
    expect(pod.metadata.labels).toEqual({ run: 'web' });
    expect(pod.spec.containers[0].name).toBe('web');
    expect(pod.spec.containers[0].image).toBe('nginx');
    expect(NODES).toContain(pod.spec.nodeName);
    expect(pod.status.phase).toBe('Running');
  });
});

describe('kubectl apply', () => {
  it('creates a pod from a manifest file, then reports it unchanged', async () => {
    kubectl.writeFile('pod.yaml', podManifest('hello'));
    const first = await ok(['apply', '-f', 'pod.yaml']);
    expect(first.stdout.trim()).toBe('pod/hello created');
    const again = await ok(['apply', '-f', 'pod.yaml']);
    expect(again.stdout.trim()).toBe('pod/hello unchanged');
  });

  it('applies from stdin', async () => {
    const r = await ok(['apply', '-f', '-'], podManifest('from-stdin'));
    expect(r.stdout.trim()).toBe('pod/from-stdin created');
  });

  it('configures a changed manifest', async () => {
    kubectl.writeFile('pod2.yaml', podManifest('hello').replace('app: hello', 'app: hello\n    tier: web'));
    const r = await ok(['apply', '-f', 'pod2.yaml']);
    expect(r.stdout.trim()).toBe('pod/hello configured');
    const got = parse((await ok(['get', 'pod', 'hello', '-o', 'yaml'])).stdout);
    expect(got.metadata.labels).toEqual({ app: 'hello', tier: 'web' });
  });
});

describe('kubectl delete', () => {
  it('deletes the pod once graceful termination ends', async () => {
    // Like a learner's terminal: `kubectl delete` prints, then waits for the pod to be gone. The clock is
    // paused, so step it while kubectl waits.
    let done = false;
    const pending = kubectl.run(['delete', 'pod', 'web'], { timeoutMs: 90_000 }).finally(() => (done = true));
    // Wait until the deletion has begun (the pod is terminating, or already gone), then let time pass.
    for (;;) {
      const ts = await kubectl.run(['get', 'pod', 'web', '-o', 'jsonpath={.metadata.deletionTimestamp}']);
      if (done || ts.code !== 0 || ts.stdout.trim() !== '') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    await clock(server.origin, sandbox, { action: 'step', seconds: 60 });
    const r = await pending;
    expect(r.code, showRun(r)).toBe(0);
    expect(r.stdout.trim()).toMatch(/^pod "web" deleted\b/);
  });

  it('then kubectl get pod web is NotFound', async () => {
    const r = await kubectl.run(['get', 'pod', 'web']);
    expect(r.code, showRun(r)).not.toBe(0);
    expect(r.stderr.trim()).toBe('Error from server (NotFound): pods "web" not found');
  });
});

describe('invalid objects', () => {
  it('a name with capitals is refused by apply with the field named', async () => {
    kubectl.writeFile('bad.yaml', podManifest('Bad'));
    const r = await kubectl.run(['apply', '-f', 'bad.yaml']);
    expect(r.code, showRun(r)).not.toBe(0);
    // kubectl words it from the Status's details: "The <Kind> "<name>" is invalid: <field>: <problem>".
    expect(r.stderr).toMatch(/^The Pod "Bad" is invalid: metadata\.name: Invalid value: "Bad": a lowercase RFC 1123 subdomain/m);
  });

  it('a container without an image is refused by create with the field named', async () => {
    kubectl.writeFile(
      'noimage.yaml',
      `apiVersion: v1
kind: Pod
metadata:
  name: noimage
spec:
  containers:
  - name: main
`,
    );
    const r = await kubectl.run(['create', '-f', 'noimage.yaml']);
    expect(r.code, showRun(r)).not.toBe(0);
    expect(r.stderr).toMatch(/^The Pod "noimage" is invalid: spec\.containers\[0\]\.image: Required value/m);
  });

  it('a manifest that is not YAML is refused', async () => {
    kubectl.writeFile('garbage.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: [unclosed\n');
    const r = await kubectl.run(['apply', '-f', 'garbage.yaml']);
    expect(r.code, showRun(r)).not.toBe(0);
    expect(r.stderr).toMatch(/error/i);
  });

  it('the sandbox keeps working afterwards', async () => {
    const r = await ok(['get', 'pods']);
    const t = parseTable(r.stdout);
    expect(t.header).toEqual(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
    expect(t.rows.map((row) => row.NAME).sort()).toEqual(['from-stdin', 'hello']);
    const missing = await kubectl.run(['get', 'pod', 'Bad']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/pods "Bad" not found/);
  });
});
