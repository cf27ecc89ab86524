// Where things are, and the environment every child process gets: Node 24 from node_modules/.bin
// first on PATH (the system node is 20; wrangler needs >= 22.12), and no telemetry or update prompts.
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = join(ROOT, 'node_modules', '.bin');
export const NODE = join(BIN, 'node');
export const WRANGLER = join(BIN, 'wrangler');
export const KUBECTL = process.env.KUBECTL ?? '/usr/bin/kubectl';
export const CLIENT_DIST = join(ROOT, 'dist', 'client');

export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PATH: `${BIN}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    WRANGLER_SEND_METRICS: 'false',
    WRANGLER_SEND_ERROR_REPORTS: 'false',
    WRANGLER_NO_SKILLS_UPDATE_PROMPTS: 'true',
    DO_NOT_TRACK: '1',
    // No network: don't try to download the Request.cf placeholder.
    CLOUDFLARE_CF_FETCH_ENABLED: 'false',
    NO_UPDATE_NOTIFIER: '1',
    FORCE_COLOR: '0',
    NO_COLOR: '1',
    ...extra,
  };
}

/** Where tests put temporary files: the run's own root (made and removed by the global setup), else the OS's. */
export function tmpRoot(): string {
  const dir = process.env.KUBEROOM_TEST_TMP;
  if (!dir) return tmpdir();
  mkdirSync(dir, { recursive: true });
  return dir;
}
