// `npm start` as the README promises it: it says where Kuberoom runs, serves the home page and the API there,
// and Ctrl-C (SIGINT to the terminal's process group) or a plain `kill` stops everything, workerd included.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { NODE, ROOT, childEnv, tmpRoot } from '../support/paths.ts';
import { createSandbox, freePort } from '../support/server.ts';

interface Started {
  child: ChildProcess;
  port: number;
  output: () => string;
  exited: Promise<number | null>;
}

const started: Started[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const s of started.splice(0)) {
    try {
      process.kill(-s.child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(cond: () => boolean, what: string, ms = 120_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function npmStart(): Promise<Started> {
  const port = await freePort();
  const state = mkdtempSync(join(tmpRoot(), 'kuberoom-start-'));
  dirs.push(state);
  // As `npm start -- --persist-to <dir>` runs it, in a process group of its own like a terminal's job.
  const child = spawn(NODE, [join(ROOT, 'scripts', 'start.mjs'), '--persist-to', state], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    // The client is built by the global setup; rebuilding it here would pull dist/client from under the
    // other test files' servers.
    env: childEnv({ PORT: String(port), KUBEROOM_CLIENT_BUILT: '1', CI: 'true' }),
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  const s = { child, port, output: () => out, exited };
  started.push(s);
  const line = `Kuberoom is running at http://127.0.0.1:${port}/`;
  await waitFor(() => out.includes(line) || child.exitCode !== null, `"${line}"`);
  expect(out, out).toContain(line);
  return s;
}

describe('npm start', () => {
  it('serves Kuberoom where it says, and Ctrl-C stops it all', async () => {
    const s = await npmStart();
    const origin = `http://127.0.0.1:${s.port}`;
    const home = await fetch(`${origin}/`);
    expect(home.status).toBe(200);
    expect(home.headers.get('content-type')).toMatch(/text\/html/);
    await home.arrayBuffer();
    const sandbox = await createSandbox(origin);
    expect(sandbox.url).toMatch(new RegExp(`^${origin}/s/${sandbox.id}#token=`));

    process.kill(-s.child.pid!, 'SIGINT');
    await waitFor(() => !groupAlive(s.child.pid!), 'every process of npm start to exit', 30_000);
    await expect(fetch(`${origin}/`)).rejects.toThrow();
  });

  it('a kill of the start script alone also stops wrangler and workerd', async () => {
    const s = await npmStart();
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    await waitFor(() => !groupAlive(s.child.pid!), 'wrangler and workerd to exit', 30_000);
    await expect(fetch(`http://127.0.0.1:${s.port}/`)).rejects.toThrow();
  });

  it('refuses a port that is already taken, saying so', async () => {
    const s = await npmStart();
    const second = spawn(NODE, [join(ROOT, 'scripts', 'start.mjs')], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: childEnv({ PORT: String(s.port), KUBEROOM_CLIENT_BUILT: '1' }),
    });
    let out = '';
    second.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    second.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((res) => second.once('exit', res));
    expect(code).not.toBe(0);
    expect(out).toContain(`Port ${s.port} on 127.0.0.1 is already in use`);
  });
});
