// Nodes with the real kubectl: Pending pods and why (describe's FailedScheduling event), taints and
// tolerations, a node that goes down and its pods evicted after stepping the clock, faults over HTTP, and
// cordon / drain / uncordon. The sandbox's clock is paused and stepped by the test.
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

async function faults(body: unknown, token = sandbox.token): Promise<{ status: number; body: any }> {
  const res = await fetch(`${server.origin}/s/${sandbox.id}/api/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

async function podRow(name: string) {
  const t = parseTable((await ok(['get', 'pod', name])).stdout);
  const node = (await ok(['get', 'pod', name, '-o', 'jsonpath={.spec.nodeName}'])).stdout.trim();
  const row: Record<string, string> = { ...t.rows[0]!, NODE: node || '<none>' };
  return row;
}

async function nodeRows() {
  const t = parseTable((await ok(['get', 'nodes'])).stdout);
  return Object.fromEntries(t.rows.map((r) => [r.NAME, r]));
}

const step = (seconds: number) => clock(server.origin, sandbox, { action: 'step', seconds });

const podYaml = (name: string, extra = '', container = '') => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  labels:
    app: ${name}
spec:
${extra}  containers:
  - name: main
    image: nginx:1.27
${container}`;

beforeAll(async () => {
  server = await startServer();
  sandbox = await createSandbox(server.origin, { nodes: 3 });
  await clock(server.origin, sandbox, { action: 'pause' });
  kubectl = await kubectlEnv(server.origin, sandbox);
});

afterAll(async () => {
  await server?.stop();
});

describe('Pending pods', () => {
  it('a pod asking for more cpu than any node has stays Pending; describe shows FailedScheduling', async () => {
    await ok(['apply', '-f', '-'], podYaml('big', '', '    resources:\n      requests:\n        cpu: "5"\n'));
    await step(5);
    const row = await podRow('big');
    expect(row.STATUS).toBe('Pending');
    expect(row.NODE).toBe('<none>');
    const d = await ok(['describe', 'pod', 'big']);
    expect(d.stdout).toMatch(/Warning\s+FailedScheduling\s+.*default-scheduler\s+0\/3 nodes are available: 3 Insufficient cpu\. preemption: 0\/3 nodes are available: 3 No preemption victims found for incoming pod\./);
    await ok(['delete', 'pod', 'big', '--wait=false']);
  });

  it('a taint keeps a pod Pending until it is tolerated', async () => {
    const t = await ok(['taint', 'nodes', '--all', 'dedicated=gpu:NoSchedule']);
    expect(t.stdout).toMatch(/node\/node-1 tainted/);
    await ok(['apply', '-f', '-'], podYaml('picky'));
    await step(5);
    expect((await podRow('picky')).STATUS).toBe('Pending');
    const d = await ok(['describe', 'pod', 'picky']);
    expect(d.stdout).toMatch(/FailedScheduling.*0\/3 nodes are available: 3 node\(s\) had untolerated taint \{dedicated: gpu\}\. preemption: 0\/3 nodes are available: 3 Preemption is not helpful for scheduling\./);
    // The fix: a pod that tolerates the taint.
    await ok(['apply', '-f', '-'], podYaml('tolerant', '  tolerations:\n  - key: dedicated\n    operator: Equal\n    value: gpu\n    effect: NoSchedule\n'));
    await step(30);
    const row = await podRow('tolerant');
    expect(row.STATUS).toBe('Running');
    expect(row.READY).toBe('1/1');
    // Or remove the taint from a node: the pending pod goes there.
    await ok(['taint', 'nodes', 'node-1', 'dedicated=gpu:NoSchedule-']);
    await step(30);
    const picky = await podRow('picky');
    expect(picky.NODE).toBe('node-1');
    expect(picky.STATUS).toBe('Running');
    await ok(['taint', 'nodes', 'node-2', 'node-3', 'dedicated-']);
    await ok(['delete', 'pod', 'picky', 'tolerant', '--wait=false']);
    await step(60);
  });
});

describe('faults over HTTP', () => {
  it('refuses unknown faults and nodes with a clear 400, and view links with 403', async () => {
    const bad = await faults({ fault: 'explode' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/^unknown fault "explode": must be one of node-down, /);
    const missing = await faults({ fault: 'node-down', node: 'node-9' });
    expect(missing).toEqual({ status: 400, body: { error: 'node node-9 not found' } });
    expect((await faults('not json')).status).toBe(400);
    const view = sandbox.links!.view.split('#token=')[1]!;
    const denied = await faults({ fault: 'node-down', node: 'node-2' }, view);
    expect(denied.status).toBe(403);
    const res = await fetch(`${server.origin}/s/${sandbox.id}/api/faults`, { headers: { authorization: `Bearer ${view}` } });
    expect((await res.json()).faults).toEqual([]);
  });
});

describe('a node that goes down', () => {
  it('turns NotReady after the grace period, is tainted, and its pods are evicted 300 s later', async () => {
    await ok(['apply', '-f', '-'], podYaml('victim', '  nodeSelector:\n    kubernetes.io/hostname: node-2\n'));
    await step(30);
    expect((await podRow('victim')).STATUS).toBe('Running');
    const down = await faults({ fault: 'node-down', node: 'node-2' });
    expect(down.status).toBe(200);
    expect(down.body.faults).toMatchObject([{ fault: 'node-down', node: 'node-2' }]);
    const renewTime = async (n: string) => (await ok(['get', 'lease', '-n', 'kube-node-lease', n, '-o', 'jsonpath={.spec.renewTime}'])).stdout;
    const frozen = await renewTime('node-2');
    const alive = await renewTime('node-1');
    await step(20);
    expect((await nodeRows())['node-2']!.STATUS).toBe('Ready');
    // node-1's kubelet keeps renewing its Lease; node-2's stopped.
    expect(await renewTime('node-2')).toBe(frozen);
    expect(Date.parse(await renewTime('node-1'))).toBeGreaterThan(Date.parse(alive));
    await step(45);
    expect((await nodeRows())['node-2']!.STATUS).toBe('NotReady');
    const d = await ok(['describe', 'node', 'node-2']);
    expect(d.stdout).toMatch(/Taints:\s+node\.kubernetes\.io\/unreachable:NoExecute\n\s+node\.kubernetes\.io\/unreachable:NoSchedule/);
    expect(d.stdout).toMatch(/Ready\s+Unknown\s+.*NodeStatusUnknown\s+Kubelet stopped posting node status\./);
    // As on a real cluster, the node controller marks the pod's Ready condition False; kubectl's READY column
    // counts the containers the (silent) kubelet last reported, so it still says 1/1.
    const cond = await ok(['get', 'pod', 'victim', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']);
    expect(cond.stdout).toBe('False');
    expect((await ok(['describe', 'pod', 'victim'])).stdout).toMatch(/Warning\s+NodeNotReady\s+.*node-controller\s+Node is not ready/);
    await step(300);
    const ev = await ok(['get', 'events', '--field-selector', 'reason=TaintManagerEviction']);
    expect(ev.stdout).toMatch(/TaintManagerEviction\s+pod\/victim\s+Marking for deletion Pod default\/victim/);
    const after = await kubectl.run(['get', 'pod', 'victim']);
    // Terminating while the kubelet cannot confirm, or gone.
    if (after.code === 0) expect(parseTable(after.stdout).rows[0]!.STATUS).toBe('Terminating');
    else expect(after.stderr).toMatch(/not found/);
  });

  it('comes back with node-up: Ready, untainted', async () => {
    const up = await faults({ fault: 'node-up', node: 'node-2' });
    expect(up.body.faults).toEqual([]);
    await step(10);
    expect((await nodeRows())['node-2']!.STATUS).toBe('Ready');
    const d = await ok(['describe', 'node', 'node-2']);
    expect(d.stdout).toMatch(/Taints:\s+<none>/);
    await step(60);
  });

  it('add-node and remove-node change what kubectl get nodes lists', async () => {
    const added = await faults({ fault: 'add-node' });
    expect(added.body.nodes.map((n: { name: string }) => n.name)).toEqual(['node-1', 'node-2', 'node-3', 'node-4']);
    expect((await nodeRows())['node-4']!.STATUS).toBe('Ready');
    await faults({ fault: 'remove-node', node: 'node-4' });
    expect(Object.keys(await nodeRows())).toEqual(['node-1', 'node-2', 'node-3']);
  });
});

describe('cordon, drain, uncordon', () => {
  it('cordon marks the node SchedulingDisabled and new pods avoid it', async () => {
    const r = await ok(['cordon', 'node-3']);
    expect(r.stdout.trim()).toBe('node/node-3 cordoned');
    expect((await nodeRows())['node-3']!.STATUS).toBe('Ready,SchedulingDisabled');
    await ok(['apply', '-f', '-'], podYaml('avoid', '  nodeSelector:\n    kubernetes.io/hostname: node-3\n'));
    await step(5);
    const d = await ok(['describe', 'pod', 'avoid']);
    expect(d.stdout).toMatch(/0\/3 nodes are available: 1 node\(s\) were unschedulable, 2 node\(s\) didn't match Pod's node affinity\/selector\./);
    await ok(['delete', 'pod', 'avoid', '--wait=false']);
    await ok(['uncordon', 'node-3']);
  });

  it('drain refuses DaemonSet pods without --ignore-daemonsets, then evicts the rest', async () => {
    await ok(['apply', '-f', '-'], `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
  selector:
    matchLabels:
      app: agent
  template:
    metadata:
      labels:
        app: agent
    spec:
      containers:
      - name: agent
        image: busybox
        command: ["sleep", "infinity"]
`);
    await ok(['apply', '-f', '-'], podYaml('work', '  nodeName: node-3\n'));
    await step(30);
    const refused = await kubectl.run(['drain', 'node-3', '--force']);
    expect(refused.code, showRun(refused)).not.toBe(0);
    // The DaemonSet controller runs an agent pod on every node, node-3 included.
    expect(refused.stderr).toMatch(/cannot delete DaemonSet-managed Pods \(use --ignore-daemonsets to ignore\): default\/agent-[a-z0-9]+/);
    // kubectl drain cordons first, then refuses.
    expect(refused.stdout).toMatch(/node\/node-3 cordoned/);
    // Drain waits for the evicted pods to be gone: let virtual time pass while it waits.
    let done = false;
    const draining = kubectl.run(['drain', 'node-3', '--ignore-daemonsets', '--force', '--timeout=80s'], { timeoutMs: 90_000 }).finally(() => (done = true));
    for (let i = 0; i < 40 && !done; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      await step(40);
    }
    const r = await draining;
    expect(r.code, showRun(r)).toBe(0);
    expect(r.stdout).toMatch(/node\/node-3 already cordoned/);
    expect(r.stdout).toMatch(/evicting pod default\/work/);
    expect(r.stdout).toMatch(/pod\/work evicted/);
    expect(r.stdout).toMatch(/node\/node-3 drained/);
    // kubectl joins its drain warnings in map order, which varies from run to run.
    expect(r.stderr).toMatch(/^Warning: .+$/m);
    expect(r.stderr).toMatch(/deleting Pods that declare no controller: default\/work(;|$)/m);
    expect(r.stderr).toMatch(/ignoring DaemonSet-managed Pods: default\/agent-[a-z0-9]+(;|$)/m);
    expect((await kubectl.run(['get', 'pod', 'work'])).stderr).toMatch(/pods "work" not found/);
    expect((await nodeRows())['node-3']!.STATUS).toBe('Ready,SchedulingDisabled');
  });

  it('uncordon lets pods back', async () => {
    const r = await ok(['uncordon', 'node-3']);
    expect(r.stdout.trim()).toBe('node/node-3 uncordoned');
    expect((await nodeRows())['node-3']!.STATUS).toBe('Ready');
  });
});
