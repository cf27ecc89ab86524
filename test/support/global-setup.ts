// Vitest global setup for the projects that serve the client (e2e, browser, worker): build
// dist/client with client/build.mjs. `npm test` builds it once beforehand and sets KUBEROOM_CLIENT_BUILT=1;
// run on its own (`vitest run --project e2e`) it builds here, so the served client is never stale.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
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

export default function setup(): void {
  ensureClientBuilt();
}
