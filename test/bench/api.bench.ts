import { PODS } from '../../sim/apiserver/resources.ts';
import { createCluster } from '../../sim/bootstrap.ts';
import type { Cluster } from '../../sim/cluster.ts';
import { handleKubernetesRequest, type K8sContext } from '../../worker/k8s/handler.ts';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { Row } from './run.ts';

const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
const START = Date.parse('2026-01-01T00:00:00Z');

function podManifest(name: string) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: 'web', tier: 'frontend' } },
    spec: { containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80 }], resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
  };
}

function configMap(i: number) {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}` }, data: { 'app.properties': `color=blue\nindex=${i}\n` } };
}

function cluster(seed: string): Cluster {
  // No nodes: the pods stay Pending, so the figures are the API machinery's alone (no scheduler or kubelet work).
  return createCluster({ seed, startTime: START, nodes: 0 });
}

function context(c: Cluster): K8sContext {
  return { cluster: c, user: { name: 'bench', role: 'owner' }, commit: async () => c.settle() };
}

async function http(ctx: K8sContext, method: string, path: string, body?: unknown, contentType = 'application/json', accept = 'application/json'): Promise<Response> {
  const headers: Record<string, string> = { accept };
  if (body !== undefined) headers['content-type'] = contentType;
  const req = new Request(`https://k8s.bench${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const res = await handleKubernetesRequest(req, path.split('?')[0], ctx);
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res;
}

/** Runs `op` for `n` iterations and returns operations per second. */
async function throughput(n: number, op: (i: number) => unknown | Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await op(i);
  return n / ((performance.now() - t0) / 1000);
}

/** Median of `rounds` runs of `op`, in ms. */
async function medianMs(rounds: number, op: () => unknown | Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    await op();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

/** API throughput: creates, patches and Table lists, in the sim's ApiServer and through the HTTP face in Node. */
export async function run(): Promise<Row[]> {
  const rows: Row[] = [];
  const N = 1000;

  // In the sim: ApiServer calls.
  const sim = cluster('api-bench-sim');
  const simCreate = await throughput(N, (i) => {
    sim.api.create(PODS, 'default', podManifest(`p-${i}`));
    sim.settle();
  });
  rows.push({ name: 'create pod (sim ApiServer)', value: simCreate, unit: 'ops/s', note: `${N} pods` });
  const simPatch = await throughput(N, (i) => {
    sim.api.patch(PODS, 'default', `p-${i % 100}`, 'merge', { metadata: { labels: { round: String(i) } } });
    sim.settle();
  });
  rows.push({ name: 'merge patch pod labels (sim ApiServer)', value: simPatch, unit: 'ops/s', note: `${N} patches over 100 pods` });
  const simList = await medianMs(20, () => sim.api.list(PODS, 'default', {}));
  rows.push({ name: 'list 1,000 pods (sim ApiServer)', value: simList, unit: 'ms per list', note: 'median of 20' });

  // Over HTTP: handleKubernetesRequest with real Request objects (JSON bodies, Status errors, Table rendering).
  const hc = cluster('api-bench-http');
  const ctx = context(hc);
  const httpCreate = await throughput(N, (i) => http(ctx, 'POST', '/api/v1/namespaces/default/pods', podManifest(`p-${i}`)).then((r) => r.arrayBuffer()));
  rows.push({ name: 'create pod (HTTP, handleKubernetesRequest)', value: httpCreate, unit: 'ops/s', note: `${N} pods` });
  const httpPatch = await throughput(N, (i) =>
    http(ctx, 'PATCH', `/api/v1/namespaces/default/pods/p-${i % 100}`, { metadata: { labels: { round: String(i) } } }, 'application/strategic-merge-patch+json').then((r) => r.arrayBuffer()),
  );
  rows.push({ name: 'strategic patch pod labels (HTTP)', value: httpPatch, unit: 'ops/s', note: `${N} patches over 100 pods` });
  const httpCm = await throughput(N, (i) => http(ctx, 'POST', '/api/v1/namespaces/default/configmaps', configMap(i)).then((r) => r.arrayBuffer()));
  rows.push({ name: 'create configmap (HTTP)', value: httpCm, unit: 'ops/s', note: `${N} configmaps` });
  let tableRows = 0;
  const tableMs = await medianMs(10, async () => {
    const res = await http(ctx, 'GET', '/api/v1/namespaces/default/pods?limit=5000', undefined, undefined, TABLE);
    tableRows = ((await res.json()) as { rows: unknown[] }).rows.length;
  });
  if (tableRows !== N) throw new Error(`Table had ${tableRows} rows, expected ${N}`);
  rows.push({ name: 'list 1,000 pods as a Table (HTTP)', value: tableMs, unit: 'ms per list', note: 'kubectl get pods Accept, median of 10' });
  const jsonMs = await medianMs(10, async () => {
    const res = await http(ctx, 'GET', '/api/v1/namespaces/default/pods?limit=5000');
    await res.arrayBuffer();
  });
  rows.push({ name: 'list 1,000 pods as JSON (HTTP)', value: jsonMs, unit: 'ms per list', note: 'median of 10' });
  try {
    rows.push(...(await overWranglerDev()));
  } catch (e) {
    rows.push({ name: 'wrangler dev rows', value: NaN, unit: '-', note: `failed: ${(e as Error).message.slice(0, 80)}` });
  }
  return rows;
}

/**
 * The same operations through `wrangler dev` (workerd, the Worker, the Durable Object, its SQLite writes), one
 * request at a time from Node's fetch: what one kubectl user can get out of a local sandbox.
 */
async function overWranglerDev(): Promise<Row[]> {
  const N = 200;
  // `npm run bench` runs from the repository's root; the bench bundle lives elsewhere, so paths come from cwd.
  const root = process.cwd();
  const wrangler = join(root, 'node_modules', '.bin', 'wrangler');
  if (!existsSync(wrangler) || !existsSync(join(root, 'dist', 'client'))) {
    return [{ name: 'wrangler dev rows', value: NaN, unit: '-', note: 'skipped: needs node_modules/.bin/wrangler and a built client (npm run build)' }];
  }
  const server = await startWrangler(root, wrangler);
  try {
    const created = await (await fetch(`${server.origin}/api/sandboxes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ nodes: 1 }) })).json() as { id: string; token: string };
    const auth = { authorization: `Bearer ${created.token}`, 'content-type': 'application/json' };
    await (await fetch(`${server.origin}/s/${created.id}/api/clock`, { method: 'POST', headers: auth, body: JSON.stringify({ action: 'pause' }) })).arrayBuffer();
    const kc = await (await fetch(`${server.origin}/s/${created.id}/kubeconfig?token=${encodeURIComponent(created.token)}`)).text();
    const base = String(parse(kc).clusters[0].cluster.server);
    const send = async (method: string, path: string, body?: unknown, contentType = 'application/json', accept = 'application/json') => {
      const res = await fetch(base + path, { method, headers: { accept, ...(body === undefined ? {} : { 'content-type': contentType }) }, body: body === undefined ? undefined : JSON.stringify(body) });
      const buf = await res.arrayBuffer();
      if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${new TextDecoder().decode(buf).slice(0, 300)}`);
      return buf;
    };
    const create = await throughput(N, (i) => send('POST', '/api/v1/namespaces/default/pods', podManifest(`p-${i}`)));
    const patch = await throughput(N, (i) => send('PATCH', `/api/v1/namespaces/default/pods/p-${i % 50}`, { metadata: { labels: { round: String(i) } } }, 'application/strategic-merge-patch+json'));
    const table = await medianMs(5, () => send('GET', '/api/v1/namespaces/default/pods?limit=500', undefined, undefined, TABLE));
    return [
      { name: 'create pod (wrangler dev)', value: create, unit: 'ops/s', note: `${N} sequential requests` },
      { name: 'strategic patch pod labels (wrangler dev)', value: patch, unit: 'ops/s', note: `${N} sequential requests` },
      { name: `list ${N} pods as a Table (wrangler dev)`, value: table, unit: 'ms per list', note: 'median of 5' },
    ];
  } finally {
    await server.stop();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** `wrangler dev` on a free port with throw-away state, in its own process group (stopped as a whole). */
async function startWrangler(root: string, wrangler: string): Promise<{ origin: string; stop(): Promise<void> }> {
  const port = await freePort();
  const state = mkdtempSync(join(tmpdir(), 'kuberoom-bench-state-'));
  const registry = mkdtempSync(join(tmpdir(), 'kuberoom-bench-registry-'));
  const child = spawn(wrangler, ['dev', '--port', String(port), '--ip', '127.0.0.1', '--inspector-port', String(await freePort()), '--persist-to', state, '--show-interactive-dev-session=false', '--live-reload=false'], {
    cwd: root,
    detached: true,
    stdio: 'ignore',
    env: { ...process.env, PATH: `${join(root, 'node_modules', '.bin')}:${process.env.PATH ?? ''}`, CI: 'true', WRANGLER_SEND_METRICS: 'false', WRANGLER_REGISTRY_PATH: registry, CLOUDFLARE_CF_FETCH_ENABLED: 'false' },
  });
  const origin = `http://127.0.0.1:${port}`;
  const stop = async () => {
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      // already gone
    }
    await new Promise((r) => setTimeout(r, 1000));
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
    rmSync(state, { recursive: true, force: true });
    rmSync(registry, { recursive: true, force: true });
  };
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      await (await fetch(`${origin}/`, { signal: AbortSignal.timeout(5000) })).arrayBuffer();
      return { origin, stop };
    } catch {
      if (Date.now() > deadline || child.exitCode !== null) {
        await stop();
        throw new Error('wrangler dev did not start');
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
