// Shared by the project's scripts: paths, and the environment for child processes (Node 24 from
// node_modules/.bin first on PATH — the system node may be 20, and wrangler needs >= 22.12 — and no telemetry).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const BIN = join(ROOT, 'node_modules', '.bin');
export const NODE = existsSync(join(BIN, 'node')) ? join(BIN, 'node') : process.execPath;

export function childEnv(extra = {}) {
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
    ...extra,
  };
}

/** Runs a command; resolves with {code, output} (output only when capture is set, else it streams). */
export function run(cmd, args, { capture = false, env = childEnv(), cwd = ROOT } = {}) {
  return new Promise((res) => {
    const child = spawn(cmd, args, { cwd, env, stdio: capture ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'inherit', 'inherit'] });
    let output = '';
    if (capture) {
      child.stdout.on('data', (d) => (output += d));
      child.stderr.on('data', (d) => (output += d));
    }
    child.on('error', (err) => res({ code: 127, output: output + String(err) + '\n' }));
    child.on('close', (code, signal) => res({ code: code ?? (signal ? 128 : 1), output }));
  });
}
