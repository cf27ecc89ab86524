// Test helpers that drive a real Kuberoom server: `wrangler dev` (workerd) on a free port, the real
// kubectl against it, and the sandbox's HTTP API.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { KUBECTL, NODE, ROOT, WRANGLER, childEnv, tmpRoot } from './paths.ts';

export interface ServerOptions {
  /** Which host serves Kuberoom: `wrangler dev` (workerd, the default) or the Deno host (`npm run start:deno`). */
  host?: 'wrangler' | 'deno';
  /** Reuse this persistence directory (for restart tests); default: a fresh temporary one. */
  persistTo?: string;
  /** Port to listen on; default: a free one. */
  port?: number;
  /** How long to wait for `GET /` to answer (ms). */
  startTimeoutMs?: number;
  /** Print wrangler's output as it comes (also: KUBEROOM_TEST_VERBOSE=1). */
  verbose?: boolean;
}

export interface StopOptions {
  /** SIGTERM (default) asks wrangler to shut down; SIGKILL kills the whole process group at once. */
  signal?: 'SIGTERM' | 'SIGKILL';
  /** Delete the persistence directory afterwards (default: only a directory startServer made itself, also
   *  when a restarted server reused it; pass false to keep it for a restart). */
  removePersistDir?: boolean;
}

export interface Server {
  /** The host serving it (start another on the same `persistTo` with the same host to restart). */
  host: 'wrangler' | 'deno';
  origin: string;
  port: number;
  persistTo: string;
  /** wrangler's stdout+stderr so far (for failure messages). */
  output(): string;
  stop(opts?: StopOptions): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}

function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((res) => {
    const t = setTimeout(() => res(false), ms);
    child.once('exit', () => {
      clearTimeout(t);
      res(true);
    });
  });
}

/** True while some process of the group still exists. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

const live = new Set<Server>();
/** Persistence dirs startServer made itself: removed by the last stop() on them (unless told otherwise). */
const madeDirs = new Set<string>();
/** Temporary dirs of kubectlEnv (kubeconfig, discovery caches). */
const kubectlDirs = new Set<string>();
process.once('exit', () => {
  // Last resort if a test forgot to stop its server: never leave workerd behind.
  for (const s of live) void s.stop({ signal: 'SIGKILL' });
  for (const d of kubectlDirs) rmSync(d, { recursive: true, force: true });
});

let defaultHost: 'wrangler' | 'deno' = 'wrangler';

/**
 * Makes `host` the default of startServer in this test file: a test file that calls it and then imports
 * another test file runs that file's tests, unchanged, against this host (test/e2e/deno-*.test.ts).
 */
export function useHost(host: 'wrangler' | 'deno'): void {
  defaultHost = host;
}

/**
 * Starts `wrangler dev` (or, with `host: 'deno'`, the Deno host through scripts/start-deno.mjs, the data
 * directory being `persistTo`) on a free port and waits until `GET /` answers.
 */
export async function startServer(opts: ServerOptions = {}): Promise<Server> {
  const persistTo = opts.persistTo ?? mkdtempSync(join(tmpRoot(), 'kuberoom-state-'));
  if (opts.persistTo === undefined) madeDirs.add(persistTo);
  const port = opts.port ?? (await freePort());
  const registry = mkdtempSync(join(tmpRoot(), 'kuberoom-registry-'));
  const verbose = opts.verbose ?? process.env.KUBEROOM_TEST_VERBOSE === '1';
  const origin = `http://127.0.0.1:${port}`;
  const deno = (opts.host ?? defaultHost) === 'deno';
  const name = deno ? 'deno' : 'wrangler';

  const child = deno
    ? spawn(NODE, [join(ROOT, 'scripts', 'start-deno.mjs')], {
        cwd: ROOT,
        // Own process group: stop() signals the script and deno together.
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: childEnv({ PORT: String(port), HOST: '127.0.0.1', KUBEROOM_DATA: persistTo, KUBEROOM_CLIENT_BUILT: '1' }),
      })
    : spawn(
        WRANGLER,
        [
          'dev',
          '--port', String(port),
          '--ip', '127.0.0.1',
          '--inspector-port', String(await freePort()),
          '--persist-to', persistTo,
          '--show-interactive-dev-session=false',
          '--live-reload=false',
        ],
        {
          cwd: ROOT,
          // Own process group: stop() signals wrangler, esbuild and workerd together.
          detached: true,
          stdio: ['ignore', 'pipe', 'pipe'],
          env: childEnv({ WRANGLER_REGISTRY_PATH: registry, CI: 'true' }),
        },
      );
  let out = '';
  const onData = (chunk: Buffer) => {
    const s = chunk.toString();
    out += s;
    if (out.length > 200_000) out = out.slice(-100_000);
    if (verbose) process.stderr.write(`[${name}:${port}] ${s}`);
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });

  let stopped: Promise<void> | undefined;
  const server: Server = {
    host: deno ? 'deno' : 'wrangler',
    origin,
    port,
    persistTo,
    output: () => out,
    stop(stopOpts: StopOptions = {}) {
      stopped ??= (async () => {
        live.delete(server);
        const signal = stopOpts.signal ?? 'SIGTERM';
        if (!exited) {
          killGroup(child, signal);
          if (!(await waitExit(child, 15_000))) killGroup(child, 'SIGKILL');
          await waitExit(child, 5_000);
        }
        // wrangler may exit before workerd does: wait for the whole group to be gone, so that a restart
        // on the same persistence directory never races the old process.
        const pgid = child.pid!;
        for (let i = 0; i < 100 && groupAlive(pgid); i++) {
          if (i === 50) killGroup(child, 'SIGKILL');
          await sleep(100);
        }
        rmSync(registry, { recursive: true, force: true });
        if (stopOpts.removePersistDir ?? madeDirs.has(persistTo)) {
          rmSync(persistTo, { recursive: true, force: true });
          madeDirs.delete(persistTo);
        }
      })();
      return stopped;
    },
  };
  live.add(server);

  const deadline = Date.now() + (opts.startTimeoutMs ?? 120_000);
  for (;;) {
    if (exited) {
      await server.stop();
      throw new Error(`${deno ? 'the Deno host' : 'wrangler dev'} exited before answering (exit ${child.exitCode}):\n${out}`);
    }
    try {
      const res = await fetch(`${origin}/`, { signal: AbortSignal.timeout(5_000) });
      await res.arrayBuffer();
      return server;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await server.stop({ signal: 'SIGKILL' });
      throw new Error(`${deno ? 'the Deno host' : 'wrangler dev'} did not answer GET ${origin}/ in time:\n${out}`);
    }
    await sleep(250);
  }
}

// ---------------------------------------------------------------------------------------------------
// The sandbox HTTP API

export interface Sandbox {
  id: string;
  url: string;
  kubeconfigUrl: string;
  token: string;
  role: string;
  links?: Record<string, string>;
  [k: string]: unknown;
}

async function json<T>(res: Response, what: string): Promise<T> {
  const text = await res.text();
  if (!res.ok) throw new Error(`${what}: HTTP ${res.status} ${res.statusText}\n${text}`);
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Error(`${what}: HTTP ${res.status}, body is not JSON:\n${text}`);
  }
}

/** POST /api/sandboxes → the created sandbox (201). */
export async function createSandbox(origin: string, body: Record<string, unknown> = {}): Promise<Sandbox> {
  const res = await fetch(`${origin}/api/sandboxes`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return json<Sandbox>(res, 'POST /api/sandboxes');
}

export type ClockBody =
  | { action: 'pause' | 'resume' }
  | { action: 'step'; seconds: number }
  | { action: 'speed'; factor: number };

/** POST /s/<id>/api/clock with the sandbox's (owner) token → the clock state. */
export async function clock(
  origin: string,
  sandbox: Pick<Sandbox, 'id' | 'token'>,
  body: ClockBody,
): Promise<Record<string, unknown>> {
  const res = await fetch(`${origin}/s/${sandbox.id}/api/clock`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${sandbox.token}` },
    body: JSON.stringify(body),
  });
  return json(res, `POST /s/${sandbox.id}/api/clock ${JSON.stringify(body)}`);
}

/** GET /s/<id>/kubeconfig?token=T → the kubeconfig YAML. */
export async function kubeconfig(origin: string, sandbox: Pick<Sandbox, 'id' | 'token'>, token = sandbox.token): Promise<string> {
  const res = await fetch(`${origin}/s/${sandbox.id}/kubeconfig?token=${encodeURIComponent(token)}`);
  const text = await res.text();
  if (!res.ok) throw new Error(`GET /s/${sandbox.id}/kubeconfig: HTTP ${res.status}\n${text}`);
  return text;
}

// ---------------------------------------------------------------------------------------------------
// The real kubectl

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Written to kubectl's stdin (e.g. for `apply -f -`). */
  stdin?: string;
  /** Kill kubectl after this many ms (default 60 s); the result then has code 124. */
  timeoutMs?: number;
  /** Working directory (for relative `-f` paths); default: the kubectl env's own tmp dir. */
  cwd?: string;
}

export interface KubectlEnv {
  /** The tmp dir holding the kubeconfig; also the default cwd, handy for writing manifests. */
  dir: string;
  kubeconfigPath: string;
  run(args: string[], opts?: RunOptions): Promise<RunResult>;
  /** Writes a file into `dir` and returns its path. */
  writeFile(name: string, content: string): string;
}

/** Fetches the sandbox's kubeconfig into a fresh tmp dir and returns a kubectl runner for it. */
export async function kubectlEnv(
  origin: string,
  sandbox: Pick<Sandbox, 'id' | 'token'>,
  token = sandbox.token,
): Promise<KubectlEnv> {
  const dir = mkdtempSync(join(tmpRoot(), 'kuberoom-kubectl-'));
  kubectlDirs.add(dir);
  const kubeconfigPath = join(dir, 'kubeconfig');
  writeFileSync(kubeconfigPath, await kubeconfig(origin, sandbox, token));
  const home = join(dir, 'home');
  return {
    dir,
    kubeconfigPath,
    writeFile(name, content) {
      const p = join(dir, name);
      writeFileSync(p, content);
      return p;
    },
    run(args, opts = {}) {
      // A fresh discovery cache for every command: what kubectl sends must not depend on an earlier one.
      const cacheDir = mkdtempSync(join(dir, 'cache-'));
      return runProcess(
        KUBECTL,
        ['--kubeconfig', kubeconfigPath, '--cache-dir', cacheDir, ...args],
        {
          cwd: opts.cwd ?? dir,
          stdin: opts.stdin,
          timeoutMs: opts.timeoutMs ?? 60_000,
          // No ~/.kube of the user's, no KUBECONFIG from the environment.
          env: { ...childEnv({ HOME: home }), KUBECONFIG: kubeconfigPath },
        },
      );
    },
  };
}

function runProcess(
  cmd: string,
  args: string[],
  opts: { cwd: string; stdin?: string; timeoutMs: number; env: NodeJS.ProcessEnv },
): Promise<RunResult> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) stderr += `\n[kubectl killed after ${opts.timeoutMs} ms]`;
      resolveRun({ code: timedOut ? 124 : (code ?? (signal ? 128 : 1)), stdout, stderr });
    });
    child.stdin.on('error', () => {
      // kubectl may exit without reading stdin.
    });
    child.stdin.end(opts.stdin ?? '');
  });
}

/** Formats a kubectl result for assertion messages. */
export function showRun(r: RunResult): string {
  return `exit ${r.code}\n--- stdout\n${r.stdout}--- stderr\n${r.stderr}`;
}
