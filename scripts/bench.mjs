#!/usr/bin/env node
// `npm run bench [-- <filter>]`: bundles test/bench/run.ts with every test/bench/*.bench.ts (esbuild, so
// any TypeScript the sim or worker code uses is fine), runs the bundle with Node 24 and prints one table.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { NODE, ROOT, childEnv } from './lib.mjs';

const benchDir = join(ROOT, 'test', 'bench');
const files = readdirSync(benchDir).filter((f) => f.endsWith('.bench.ts')).sort();
const entry = [
  `import { runBenches } from ${JSON.stringify(join(benchDir, 'run.ts'))};`,
  ...files.map((f, i) => `import * as m${i} from ${JSON.stringify(join(benchDir, f))};`),
  `const benches = [${files.map((f, i) => `{ file: ${JSON.stringify(f)}, mod: m${i} }`).join(', ')}];`,
  `process.exitCode = await runBenches(benches, process.argv[2]);`,
].join('\n');

const tmp = mkdtempSync(join(tmpdir(), 'kuberoom-bench-'));
const outfile = join(tmp, 'bench.mjs');
try {
  await esbuild.build({
    stdin: { contents: entry, resolveDir: ROOT, sourcefile: 'bench-entry.ts', loader: 'ts' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    outfile,
    sourcemap: 'inline',
    logLevel: 'warning',
    // Some bundled CommonJS packages call require(); give the ESM bundle one.
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  writeFileSync(join(tmp, 'package.json'), '{"type":"module"}\n');
  const r = spawnSync(NODE, ['--enable-source-maps', '--expose-gc', outfile, ...process.argv.slice(2)], {
    cwd: ROOT,
    env: childEnv(),
    stdio: 'inherit',
  });
  process.exitCode = r.status ?? 1;
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
