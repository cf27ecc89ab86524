// Vitest global setup for the projects that serve the client (e2e, browser, worker): build
// dist/client with client/build.mjs. `npm test` builds it once beforehand and sets KUBEROOM_CLIENT_BUILT=1;
// run on its own (`vitest run --project e2e`) it builds here, so the served client is never stale.
// It also makes the run's temporary root (servers' state, kubectl files) and removes it at the end.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLIENT_DIST, NODE, ROOT, childEnv } from './paths.ts';

const KEY = Symbol.for('kuberoom.clientBuilt');

export function ensureClientBuilt(): void {
  const g = globalThis as Record<symbol, unknown>;
  if (g[KEY]) return;
  g[KEY] = true;
  if (process.env.KUBEROOM_CLIENT_BUILT === '1' && existsSync(CLIENT_DIST)) return;
  const script = join(ROOT, 'client', 'build.mjs');
  if (!existsSync(script)) {
    if (existsSync(CLIENT_DIST)) return;
    // No client yet: an empty assets folder lets the Worker start (the API still works).
    console.warn('[global-setup] client/build.mjs missing; serving an empty dist/client');
    mkdirSync(CLIENT_DIST, { recursive: true });
    return;
  }
  const res = spawnSync(NODE, [script], { cwd: ROOT, env: childEnv(), encoding: 'utf8' });
  if (res.status !== 0) {
    throw new Error(`client build failed (exit ${res.status}):\n${res.stdout}\n${res.stderr}`);
  }
  process.env.KUBEROOM_CLIENT_BUILT = '1';
}

const TMP_KEY = Symbol.for('kuberoom.testTmp');

/**
 * One temporary root per test run for the servers' state and kubectl's files (see tmpRoot() in paths.ts),
 * removed when the run ends, even for files whose tests never cleaned up (a killed worker runs no hooks).
 */
function claimTmpRoot(): () => void {
  const g = globalThis as Record<symbol, { dir: string; users: number } | undefined>;
  if (!g[TMP_KEY]) {
    const dir = mkdtempSync(join(tmpdir(), 'kuberoom-tests-'));
    g[TMP_KEY] = { dir, users: 0 };
    process.env.KUBEROOM_TEST_TMP = dir;
  }
  const root = g[TMP_KEY]!;
  root.users++;
  return () => {
    if (--root.users > 0) return;
    rmSync(root.dir, { recursive: true, force: true });
    g[TMP_KEY] = undefined;
    delete process.env.KUBEROOM_TEST_TMP;
  };
}

export default function setup(): () => void {
  ensureClientBuilt();
  return claimTmpRoot();
}
