// The browser app's figures: the built client's size (gzipped), and in Chromium against a real server
// (wrangler dev) with a 500-pod Deployment on 10 nodes: the time to the first full draw of the cluster
// map, and the longest frame while those 500 pods go through a rolling update.
// Diagnostics (stderr): KUBEROOM_BENCH_DEBUG=1 lists the frames over 50 ms, the resyncs and, if the update did
// not finish, what the page and the server show; KUBEROOM_BENCH_TRACE=1 adds the longest renderer tasks from
// a Chromium trace; KUBEROOM_BENCH_PROFILE=file.cpuprofile writes a CPU profile of an unminified client.
// wrangler dev serves a copy of the tree, so that others' edits do not reload the worker mid-run.
// Run from the repository's root (npm run bench does): this file is bundled into a temporary directory,
// so paths come from the working directory, and playwright-core is loaded from the project's node_modules.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Row } from './run.ts';

const ROOT = process.cwd();
const BIN = join(ROOT, 'node_modules', '.bin');
const PODS = 500;
const NODES = 10;

const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
  ...process.env,
  PATH: `${BIN}:${process.env.PATH ?? '/usr/bin:/bin'}`,
  WRANGLER_SEND_METRICS: 'false',
  WRANGLER_SEND_ERROR_REPORTS: 'false',
  DO_NOT_TRACK: '1',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  NO_UPDATE_NOTIFIER: '1',
  CI: 'true',
  ...extra,
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function bundleSize(): Row[] {
  const built = spawnSync(join(BIN, 'node'), ['client/build.mjs'], { cwd: ROOT, env: env(), encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`client build failed:\n${built.stdout}\n${built.stderr}`);
  const assets = join(ROOT, 'dist', 'client', 'assets');
  let js = 0;
  let css = 0;
  for (const f of readdirSync(assets)) {
    const gz = gzipSync(readFileSync(join(assets, f)), { level: 9 }).length;
    if (f.endsWith('.js')) js += gz;
    else if (f.endsWith('.css')) css += gz;
  }
  const page = /sandbox\.html\s+JS ([\d.]+) KiB/.exec(built.stdout)?.[1];
  return [
    { name: 'client bundle, all JS + CSS, gzipped', value: (js + css) / 1024, unit: 'KiB', note: `budget 400 KiB; JS ${(js / 1024).toFixed(1)} KiB, CSS ${(css / 1024).toFixed(1)} KiB${page ? `; the sandbox page loads ${page} KiB of JS first` : ''}` },
  ];
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

/**
 * A copy of what wrangler dev serves (worker, sim, the built client, its config) in a temporary directory:
 * others editing the tree would otherwise make wrangler reload the worker mid-run (a new epoch, a resync).
 */
function snapshotTree(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kuberoom-bench-tree-'));
  for (const part of ['worker', 'sim', join('dist', 'client'), 'wrangler.toml', 'package.json', 'tsconfig.base.json', 'tsconfig.json', 'tsconfig.worker.json', 'worker-configuration.d.ts']) {
    try {
      cpSync(join(ROOT, part), join(dir, part), { recursive: true });
    } catch {
      // optional file
    }
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  const other = process.env.KUBEROOM_BENCH_CLIENT;
  if (process.env.KUBEROOM_BENCH_PROFILE || other) {
    // A readable client for the profile (the same build, not minified), or another client/ directory
    // (KUBEROOM_BENCH_CLIENT=dir, e.g. an older version from `git archive`) against this server.
    rmSync(join(dir, 'dist', 'client'), { recursive: true, force: true });
    cpSync(other ?? join(ROOT, 'client'), join(dir, 'client'), { recursive: true });
    const build = join(dir, 'client', 'build.mjs');
    if (process.env.KUBEROOM_BENCH_PROFILE) writeFileSync(build, readFileSync(build, 'utf8').replace('minify: true', 'minify: false'));
    const built = spawnSync(join(BIN, 'node'), [build], { cwd: dir, env: env(), encoding: 'utf8' });
    if (built.status !== 0) throw new Error(`client build failed:\n${built.stderr}`);
  }
  return dir;
}

async function startServer(): Promise<{ origin: string; stop: () => Promise<void>; log: () => string }> {
  const port = await freePort();
  const persist = mkdtempSync(join(tmpdir(), 'kuberoom-bench-state-'));
  const tree = snapshotTree();
  const args = ['dev', '--port', String(port), '--ip', '127.0.0.1', '--inspector-port', String(await freePort()), '--persist-to', persist, '--show-interactive-dev-session=false', '--live-reload=false'];
  // KUBEROOM_BENCH_DEBUG: wrangler's output goes to wrangler.log in the copy (printed when the update stalls).
  const log = process.env.KUBEROOM_BENCH_DEBUG === '1' ? openSync(join(tree, 'wrangler.log'), 'w') : 'ignore';
  const child: ChildProcess = spawn(join(BIN, 'wrangler'), args, { cwd: tree, detached: true, stdio: ['ignore', log, log], env: env({ WRANGLER_REGISTRY_PATH: mkdtempSync(join(tmpdir(), 'kuberoom-bench-reg-')) }) });
  const origin = `http://127.0.0.1:${port}`;
  const stop = async () => {
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      // gone already
    }
    await sleep(1500);
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // gone
    }
    rmSync(persist, { recursive: true, force: true });
    rmSync(tree, { recursive: true, force: true });
  };
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      if ((await fetch(`${origin}/`)).ok) return { origin, stop, log: () => (log === 'ignore' ? '' : readFileSync(join(tree, 'wrangler.log'), 'utf8')) };
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error('wrangler dev did not start');
    }
    await sleep(500);
  }
}

async function call(origin: string, token: string, method: string, path: string, body?: unknown, type = 'application/json'): Promise<any> {
  for (let attempt = 1; ; attempt++) {
    const res = await fetch(origin + path, { method, headers: { authorization: `Bearer ${token}`, 'content-type': type }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    // wrangler dev reloads the worker when a source file changes (others may be editing the tree): try again.
    if (res.status === 503 && /restarted/.test(text) && attempt < 5) {
      await sleep(2000);
      continue;
    }
    // A retried create may have been done by the first attempt.
    if (res.status === 409 && attempt > 1) return null;
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
  }
}

/** Installed before the page's own scripts: frame deltas (rAF) and long tasks, from `window.__bench.start()`. */
const PROBE = `
(() => {
  const b = { maxFrame: 0, maxTask: 0, frames: 0, on: false, drawnAt: 0, startedAt: 0 };
  window.__bench = b;
  b.start = () => { b.maxFrame = 0; b.maxTask = 0; b.frames = 0; b.on = true; b.startedAt = performance.now(); };
  try {
    new PerformanceObserver((list) => { for (const e of list.getEntries()) if (b.on && e.startTime >= b.startedAt) b.maxTask = Math.max(b.maxTask, e.duration); })
      .observe({ type: 'longtask', buffered: false });
  } catch {}
  // Resyncs (a new epoch after the server compacted the doc) show as the connection badge leaving "live".
  b.resyncs = 0;
  let wasLive = false;
  new MutationObserver(() => {
    const state = document.querySelector('[data-testid="connection"]')?.getAttribute('data-state');
    if (b.on && wasLive && state !== 'live') b.resyncs++;
    wasLive = state === 'live';
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-state'], childList: true });
  let last = 0;
  // The frames over 50 ms (start, length) and when the page left "live", for KUBEROOM_BENCH_DEBUG=1.
  b.long = [];
  b.resyncAt = [];
  new MutationObserver(() => {
    const state = document.querySelector('[data-testid="connection"]')?.getAttribute('data-state');
    if (b.on && state !== 'live') b.resyncAt.push(Math.round(performance.now() - b.startedAt));
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-state'] });
  const tick = (t) => {
    if (!b.drawnAt && document.querySelectorAll('[data-testid="pod"]').length >= ${PODS}) b.drawnAt = performance.now();
    if (b.on && last) { b.maxFrame = Math.max(b.maxFrame, t - last); b.frames++; if (t - last > 50) b.long.push([Math.round(last - b.startedAt), Math.round(t - last)]); }
    last = t;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();
`;

/** KUBEROOM_BENCH_TRACE=1: the renderer's longest tasks from a trace, each with what took its time. */
function longTasks(trace: { traceEvents: { name: string; ph: string; ts: number; dur?: number; pid: number; tid: number; args?: any }[] }): string {
  const events = trace.traceEvents;
  const main = events.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  if (!main) return 'no renderer main thread in the trace';
  const mine = events.filter((e) => e.pid === main.pid && e.tid === main.tid && e.ph === 'X' && e.dur !== undefined).sort((a, b) => a.ts - b.ts);
  const tasks = mine.filter((e) => e.name === 'RunTask' && e.dur! > 50_000);
  const total = new Map<string, number>();
  const lines: string[] = [];
  for (const task of tasks) {
    const inner = new Map<string, number>();
    for (const e of mine) {
      if (e === task || e.ts < task.ts || e.ts + e.dur! > task.ts + task.dur!) continue;
      inner.set(e.name, (inner.get(e.name) ?? 0) + e.dur!);
      total.set(e.name, (total.get(e.name) ?? 0) + e.dur!);
    }
    const top = [...inner].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([n, d]) => `${n} ${(d / 1000).toFixed(0)}`).join(', ');
    lines.push(`task ${(task.dur! / 1000).toFixed(0)} ms: ${top}`);
  }
  const sum = [...total].sort((a, b) => b[1] - a[1]).slice(0, 15).map(([n, d]) => `${n} ${(d / 1000).toFixed(0)}`).join(', ');
  return `${tasks.length} renderer tasks over 50 ms; in them (ms, nested events counted in each level): ${sum}\n${lines.sort((a, b) => Number(b.split(' ')[1]) - Number(a.split(' ')[1])).slice(0, 25).join('\n')}`;
}

async function browserFigures(): Promise<Row[]> {
  const require = createRequire(join(ROOT, 'package.json'));
  const { chromium } = require('playwright-core') as typeof import('playwright-core');
  const server = await startServer();
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--disable-component-update', '--no-first-run'],
  });
  try {
    const created = await (await fetch(`${server.origin}/api/sandboxes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ nodes: NODES }) })).json();
    const { id, token } = created as { id: string; token: string };
    const base = `/s/${id}`;
    await call(server.origin, token, 'POST', `${base}/api/clock`, { action: 'pause' });
    const labels = { app: 'web' };
    await call(server.origin, token, 'POST', `${base}/k8s/apis/apps/v1/namespaces/default/deployments`, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: { replicas: PODS, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } },
    });
    await call(server.origin, token, 'POST', `${base}/k8s/api/v1/namespaces/default/services`, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: labels, ports: [{ port: 80 }] } });
    for (let i = 0; i < 6; i++) await call(server.origin, token, 'POST', `${base}/api/clock`, { action: 'step', seconds: 10 });

    // KUBEROOM_BENCH_REDUCED_MOTION=1: the same with prefers-reduced-motion (no highlights, no appear animations).
    const reduced = process.env.KUBEROOM_BENCH_REDUCED_MOTION === '1';
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, reducedMotion: reduced ? 'reduce' : 'no-preference' });
    await context.addInitScript(PROBE);
    const page = await context.newPage();
    const pageErrors: string[] = [];
    // KUBEROOM_BENCH_DEBUG: the cluster doc's socket frames received (count, bytes, last at).
    const frames = { n: 0, bytes: 0, last: 0 };
    page.on('websocket', (ws) => {
      if (!ws.url().includes('/sync')) return;
      ws.on('framereceived', (f) => {
        frames.n++;
        frames.bytes += typeof f.payload === 'string' ? f.payload.length : f.payload.byteLength;
        frames.last = Date.now();
      });
    });
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') pageErrors.push(m.text());
    });
    await page.goto(`${server.origin}${base}#token=${token}`);
    await page.waitForFunction(() => (window as any).__bench.drawnAt > 0, undefined, { timeout: 60_000, polling: 100 });
    const firstDraw = await page.evaluate(() => (window as any).__bench.drawnAt as number);
    const loadAtDraw = loadavg()[0]!;
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="pod"][data-status="Running"]').length >= n, PODS, { timeout: 60_000 });
    await sleep(1000);

    // The rolling update: a new image, then the clock stepped while the page draws what changes.
    const debug = process.env.KUBEROOM_BENCH_DEBUG === '1';
    const trace = process.env.KUBEROOM_BENCH_TRACE === '1';
    if (trace) await browser.startTracing(page, { categories: ['devtools.timeline', 'v8', 'disabled-by-default-devtools.timeline'] });
    // KUBEROOM_BENCH_PROFILE=file.cpuprofile: a CPU profile of the page during the update (open it in DevTools).
    const profileTo = process.env.KUBEROOM_BENCH_PROFILE;
    const cdp = profileTo ? await context.newCDPSession(page) : null;
    if (cdp) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
      await cdp.send('Profiler.start');
    }
    const epochBefore = debug ? (await call(server.origin, token, 'GET', `${base}/api/session`))?.epoch : '';
    await page.evaluate(() => (window as any).__bench.start());
    await call(server.origin, token, 'PATCH', `${base}/k8s/apis/apps/v1/namespaces/default/deployments/web`, { spec: { template: { spec: { containers: [{ name: 'web', image: 'httpd' }] } } } }, 'application/strategic-merge-patch+json');
    const t0 = Date.now();
    let done = false;
    for (let i = 0; i < 150 && !done; i++) {
      await call(server.origin, token, 'POST', `${base}/api/clock`, { action: 'step', seconds: 2 });
      await sleep(150);
      done = await page.evaluate((n) => {
        // Done when the new ReplicaSet (revision 2) has all its pods ready and the old pods are gone.
        const rows = [...document.querySelectorAll('[data-testid="deployment"][data-name="web"] [data-testid="replicaset"]')];
        const rs = rows.find((r) => r.querySelector('.rs-rev')?.textContent === 'rev 2');
        const counts = rs?.querySelector('[data-testid="rs-counts"]')?.textContent ?? '';
        return counts.startsWith(`${n}/${n}`) && document.querySelectorAll('[data-testid="pod"]').length === n;
      }, PODS);
    }
    const seconds = (Date.now() - t0) / 1000;
    await sleep(500);
    const m = await page.evaluate(() => {
      const b = (window as any).__bench;
      return { maxFrame: b.maxFrame as number, maxTask: b.maxTask as number, frames: b.frames as number, resyncs: b.resyncs as number, long: b.long as number[][], resyncAt: b.resyncAt as number[] };
    });
    if (debug && pageErrors.length) console.error(`page errors: ${pageErrors.slice(0, 10).join('\n')}`);
    if (debug && !done) {
      await sleep(5000);
      const state = await page.evaluate(() => ({
        pods: document.querySelectorAll('[data-testid="pod"]').length,
        rs: [...document.querySelectorAll('[data-testid="deployment"][data-name="web"] [data-testid="replicaset"]')].map((r) => `${r.querySelector('.rs-rev')?.textContent}: ${r.querySelector('[data-testid="rs-counts"]')?.textContent}`),
      }));
      const deployment = await call(server.origin, token, 'GET', `${base}/k8s/apis/apps/v1/namespaces/default/deployments/web`);
      console.error(`not finished: the page shows ${JSON.stringify(state)}; the Deployment's status ${JSON.stringify(deployment?.status)}`);
      console.error(`wrangler's log (last lines):\n${server.log().split('\n').filter((l) => l.trim() && !/ 200 OK /.test(l)).slice(-25).join('\n')}`);
      console.error(`the doc's epoch: ${epochBefore} when the update started, ${(await call(server.origin, token, 'GET', `${base}/api/session`))?.epoch} now`);
      console.error(`sync frames received: ${frames.n} (${frames.bytes} bytes), the last ${Date.now() - frames.last} ms ago`);
      const fresh = await context.newPage();
      await fresh.goto(`${server.origin}${base}#token=${token}`);
      await fresh.waitForFunction(() => (window as any).__bench.drawnAt > 0, undefined, { timeout: 60_000, polling: 100 });
      await sleep(3000);
      console.error(`a fresh page shows ${await fresh.evaluate(() => JSON.stringify({ pods: document.querySelectorAll('[data-testid="pod"]').length, rs: [...document.querySelectorAll('[data-testid="rs-counts"]')].map((e) => e.textContent) }))}`);
    }
    if (cdp) writeFileSync(profileTo!, JSON.stringify((await cdp.send('Profiler.stop')).profile));
    if (debug) {
      if (trace) console.error(longTasks(JSON.parse((await browser.stopTracing()).toString('utf8'))));
      console.error(`\nframes over 50 ms [start ms, length ms]: ${JSON.stringify(m.long)}\nleft "live" at (ms): ${JSON.stringify(m.resyncAt)}`);
    }
    await context.close();
    return [
      { name: `first draw of a ${PODS}-pod sandbox`, value: firstDraw, unit: 'ms', note: `navigation start to all ${PODS} pods on the map (${NODES} nodes); budget 1000 ms; load average ${loadAtDraw.toFixed(1)}` },
      { name: `longest frame, ${PODS}-pod rolling update`, value: m.maxFrame, unit: 'ms', note: `rAF delta over ${m.frames} frames in ${seconds.toFixed(0)} s${done ? '' : ' (update not finished)'}; budget 50 ms${reduced ? '; reduced motion' : ''}; load average ${loadavg()[0]!.toFixed(1)} (2 cores)` },
      { name: `longest task, ${PODS}-pod rolling update`, value: m.maxTask, unit: 'ms', note: `PerformanceObserver longtask (0: none over 50 ms); the page resynced ${m.resyncs} time(s) (doc compacted: new epoch)` },
    ];
  } finally {
    await browser.close();
    await server.stop();
  }
}

export async function run(): Promise<Row[]> {
  return [...bundleSize(), ...(await browserFigures())];
}
