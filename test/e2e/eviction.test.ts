// Node-pressure eviction seen with the real kubectl: a Deployment whose container keeps allocating memory and
// has no limit fills its node; `get pods` shows Evicted next to the replacement, `describe node` shows
// MemoryPressure, its taint and EvictionThresholdMet, `describe pod` the kubelet's reason and message.
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

const squeeze = (s: string) => s.replace(/[ \t]+/g, ' ');

beforeAll(async () => {
  server = await startServer();
  sandbox = await createSandbox(server.origin);
  await clock(server.origin, sandbox, { action: 'pause' });
  kubectl = await kubectlEnv(server.origin, sandbox);
});

afterAll(async () => {
  await server?.stop();
});

describe('node-pressure eviction', () => {
  it('a leaking pod without a memory limit is Evicted and replaced; the node reports MemoryPressure', async () => {
    await ok(
      ['apply', '-f', '-'],
      `apiVersion: apps/v1
kind: Deployment
metadata:
  name: leak
spec:
  replicas: 1
  selector:
    matchLabels: {app: leak}
  template:
    metadata:
      labels: {app: leak}
    spec:
      containers:
      - name: app
        image: kuberoom/demo
        env:
        - {name: MEMORY_GROWTH, value: 400Mi}
`,
    );
    // 16 GiB nodes, 400 MiB more every second: the kubelet's 100Mi threshold is met within a minute.
    for (let i = 0; i < 6; i++) await step(10);
    const pods = parseTable((await ok(['get', 'pods'])).stdout).rows;
    const evicted = pods.filter((p) => p.STATUS === 'Evicted');
    expect(evicted, JSON.stringify(pods)).toHaveLength(1);
    expect(evicted[0]!.READY).toBe('0/1');
    expect(pods.filter((p) => p.STATUS !== 'Evicted')).toHaveLength(1);

    const name = evicted[0]!.NAME!;
    const nodeOf = async (pod: string) => (await ok(['get', 'pod', pod, '-o', 'jsonpath={.spec.nodeName}'])).stdout;
    const node = await nodeOf(name);
    expect(node).toMatch(/^node-\d$/);
    const pod = squeeze((await ok(['describe', 'pod', name])).stdout);
    expect(pod).toContain('Status: Failed');
    expect(pod).toContain('Reason: Evicted');
    expect(pod).toMatch(/Message: The node was low on resource: memory\. Threshold quantity: 100Mi, available: -?\d+Ki\. Container app was using \d+Ki, request is 0, has larger consumption of memory\./);
    expect(pod).toMatch(/Warning Evicted .* kubelet +The node was low on resource: memory\./);

    const described = squeeze((await ok(['describe', 'node', node])).stdout);
    expect(described).toContain('Taints: node.kubernetes.io/memory-pressure:NoSchedule');
    expect(described).toMatch(/MemoryPressure True .* KubeletHasInsufficientMemory kubelet has insufficient memory available/);
    expect(described).toMatch(/Warning EvictionThresholdMet .* Attempting to reclaim memory/);
    expect(described).toMatch(/Normal NodeHasInsufficientMemory .* Node \S+ status is now: NodeHasInsufficientMemory/);

    // The replacement went to another node: the tainted one takes no new pods.
    const replacement = pods.find((p) => p.STATUS !== 'Evicted')!;
    expect(await nodeOf(replacement.NAME!)).not.toBe(node);

    const events = (await ok(['get', 'events', '--field-selector', 'reason=Evicted'])).stdout;
    expect(events).toContain(`pod/${name}`);
  });
});
