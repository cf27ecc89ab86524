#!/usr/bin/env node
// `npm test`: everything CI checks, with a section per step and one summary line at the end.
//   1. typecheck       tsc --noEmit on each tsconfig (worker, client, node)          ┐
//   2. client build    node client/build.mjs → dist/client                           │ in parallel,
//   3. worker bundle   wrangler deploy --dry-run --outdir <tmp>; prints gzipped size │ output shown
//   4. Deno            deno check worker/deno/main.ts (the Deno host), then the sim  │ per section
//                      project's tests run by vitest inside Deno                     ┘
//   5. vitest          vitest run (projects sim, worker, e2e, browser), streamed live
// Exits non-zero if any step fails; every step runs even if an earlier one failed.
// Extra arguments go to vitest (e.g. `npm test -- --project sim`).
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { BIN, NODE, ROOT, childEnv, run } from './lib.mjs';

const t0 = Date.now();
const results = []; // {name, ok, detail}
const secs = (ms) => `${(ms / 1000).toFixed(1)}s`;

function header(title) {
  const line = '═'.repeat(78);
  console.log(`\n${line}\n  ${title}\n${line}`);
}

function record(name, ok, detail, ms) {
  results.push({ name, ok, detail, ms });
  console.log(`\n→ ${name}: ${ok ? 'OK' : 'FAILED'}${detail ? ` (${detail})` : ''} in ${secs(ms)}`);
}

/** A step whose output is captured and printed as a whole section when it ends (so parallel steps don't interleave). */
async function quiet(name, fn) {
  const start = Date.now();
  let out = '';
  let ok = false;
  let detail = '';
  try {
    ({ ok, detail = '' } = await fn((s) => (out += s)));
  } catch (err) {
    out += `${err?.stack ?? err}\n`;
  }
  header(name);
  process.stdout.write(out.endsWith('\n') || out === '' ? out : `${out}\n`);
  record(name, ok, detail, Date.now() - start);
  return ok;
}

async function typecheck(log) {
  const configs = ['tsconfig.worker.json', 'tsconfig.client.json', 'tsconfig.node.json'];
  const failed = [];
  // worker-configuration.d.ts must match wrangler.toml (regenerate with `npm run types`).
  const types = await run(join(BIN, 'wrangler'), ['types', '--include-runtime=false', '--check'], { capture: true });
  log(`$ wrangler types --include-runtime=false --check\n${types.output}`);
  if (types.code !== 0) failed.push('worker-configuration.d.ts (run `npm run types`)');
  for (const cfg of configs) {
    const r = await run(join(BIN, 'tsc'), ['--noEmit', '--pretty', 'false', '-p', cfg], { capture: true });
    log(`$ tsc --noEmit -p ${cfg}\n${r.output}${r.code === 0 ? 'ok\n' : `exit ${r.code}\n`}`);
    if (r.code !== 0) failed.push(cfg);
  }
  return { ok: failed.length === 0, detail: failed.length ? `errors in ${failed.join(', ')}` : '' };
}

async function clientBuild(log) {
  const r = await run(NODE, [join(ROOT, 'client', 'build.mjs')], { capture: true });
  log(`$ node client/build.mjs\n${r.output}`);
  return { ok: r.code === 0, detail: r.code === 0 ? '' : `exit ${r.code}` };
}

function filesUnder(dir) {
  return readdirSync(dir, { recursive: true })
    .map((f) => join(dir, String(f)))
    .filter((p) => statSync(p).isFile());
}

async function workerBundle(log) {
  const outdir = mkdtempSync(join(tmpdir(), 'kuberoom-bundle-'));
  try {
    const r = await run(join(BIN, 'wrangler'), ['deploy', '--dry-run', '--outdir', outdir], { capture: true });
    log(`$ wrangler deploy --dry-run --outdir ${outdir}\n${r.output}`);
    if (r.code !== 0) return { ok: false, detail: `wrangler exit ${r.code}` };
    const code = filesUnder(outdir).filter((p) => /\.(m?js|wasm)$/.test(p));
    if (code.length === 0) return { ok: false, detail: 'no bundle written' };
    let raw = 0;
    let gz = 0;
    for (const p of code) {
      const buf = readFileSync(p);
      raw += buf.length;
      gz += gzipSync(buf, { level: 9 }).length;
    }
    const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
    log(`worker bundle: ${code.length} file(s), ${kib(raw)}, gzipped ${kib(gz)}\n`);
    return { ok: true, detail: `${kib(gz)} gzipped` };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** The Deno host's side: its type check, and the sim's test suite run by vitest inside Deno. */
async function deno(log) {
  const bin = join(BIN, 'deno');
  const env = childEnv({ DENO_NO_UPDATE_CHECK: '1' });
  const check = await run(bin, ['check', 'worker/deno/main.ts'], { capture: true, env });
  log(`$ deno check worker/deno/main.ts\n${check.output}${check.code === 0 ? 'ok\n' : `exit ${check.code}\n`}`);
  // Two workers: this runs beside the other steps on a 2-core box.
  const args = ['run', '-A', 'node_modules/vitest/vitest.mjs', 'run', '--project', 'sim', '--maxWorkers=2'];
  const sim = await run(bin, args, { capture: true, env: childEnv({ DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' }) });
  log(`$ deno ${args.join(' ')}\n${sim.output}`);
  const counts = /Tests\s+(.*)\n/.exec(sim.output)?.[1]?.trim() ?? '';
  const failed = [check.code !== 0 && 'deno check', sim.code !== 0 && 'sim tests under Deno'].filter(Boolean);
  return { ok: failed.length === 0, detail: failed.length ? `failed: ${failed.join(', ')}` : counts ? `sim: ${counts}` : '' };
}

// ── 1–4: typecheck ∥ (client build → bundle) ∥ Deno ──────────────────────────────────────────────
console.log(`Kuberoom tests (node ${process.version}, ${new Date().toISOString()})`);
let clientOk = false;
await Promise.all([
  quiet('1. typecheck (tsc --noEmit)', typecheck),
  (async () => {
    clientOk = await quiet('2. client build (client/build.mjs)', clientBuild);
    await quiet('3. worker bundle (wrangler deploy --dry-run)', workerBundle);
  })(),
  quiet('4. Deno (deno check worker/deno; sim tests under Deno)', deno),
]);

let counts;
// ── 5: vitest ─────────────────────────────────────────────────────────────────────────────────────
header('5. vitest (projects sim, worker, e2e, browser)');
{
  const start = Date.now();
  // A JSON report beside the live one gives the counts for the closing line.
  const reportDir = mkdtempSync(join(tmpdir(), 'kuberoom-vitest-'));
  const report = join(reportDir, 'report.json');
  const args = ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)];
  console.log(`$ vitest ${args.join(' ')}`);
  // The client was just built: the e2e/browser global setup need not build it again.
  const env = childEnv(clientOk ? { KUBEROOM_CLIENT_BUILT: '1' } : {});
  const r = await run(join(BIN, 'vitest'), args, { env });
  try {
    const j = JSON.parse(readFileSync(report, 'utf8'));
    counts = { passed: j.numPassedTests, failed: j.numFailedTests, skipped: j.numPendingTests + j.numTodoTests };
  } catch {
    // no report: vitest did not get as far as running tests
  }
  rmSync(reportDir, { recursive: true, force: true });
  record('5. vitest', r.code === 0, r.code === 0 ? '' : `exit ${r.code}`, Date.now() - start);
}

// ── summary ───────────────────────────────────────────────────────────────────────────────────────
header('Summary');
for (const r of results) console.log(`  ${r.ok ? 'PASS' : 'FAIL'}  ${r.name}${r.detail ? ` — ${r.detail}` : ''} (${secs(r.ms)})`);
const failed = results.filter((r) => !r.ok);
console.log(
  failed.length === 0
    ? `\nnpm test: PASSED — ${results.length} steps in ${secs(Date.now() - t0)}`
    : `\nnpm test: FAILED — ${failed.map((r) => r.name).join(', ')} (${secs(Date.now() - t0)})`,
);
// The plain closing line CI reads: "N passed, N failed".
if (counts) console.log(`tests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
process.exit(failed.length === 0 ? 0 : 1);
