// The bench runner frame. Each `test/bench/*.bench.ts` exports `async function run(): Promise<Row[]>`;
// this prints all their rows as one table. `npm run bench [-- <filter>]` (scripts/bench.mjs) bundles this
// file together with the bench modules using esbuild and runs the result with Node 24, so the modules may
// import sim/ and worker/ code however those are written. A filter keeps only the modules whose file name
// contains it. Numbers belong here, not in tests.

export interface Row {
  name: string;
  value: number;
  unit: string;
  note?: string;
}

export interface BenchModule {
  run(): Promise<Row[]>;
}

export interface LoadedBench {
  file: string;
  mod: Partial<BenchModule>;
}

function fmt(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 1 : abs >= 1 ? 2 : 4;
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

export function formatTable(rows: Array<Row & { bench: string }>): string {
  const head = ['bench', 'name', 'value', 'unit', 'note'];
  const cells = rows.map((r) => [r.bench, r.name, fmt(r.value), r.unit, r.note ?? '']);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    c.map((s, i) => (i === 2 ? s.padStart(widths[i]!) : s.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

/** Runs the given bench modules one after another and prints one table. Returns the process exit code. */
export async function runBenches(benches: LoadedBench[], filter?: string): Promise<number> {
  const chosen = filter ? benches.filter((b) => b.file.includes(filter)) : benches;
  if (chosen.length === 0) {
    console.error(filter ? `no bench file matches "${filter}"` : 'no test/bench/*.bench.ts files');
    return 1;
  }
  const all: Array<Row & { bench: string }> = [];
  let failures = 0;
  for (const { file, mod } of chosen) {
    const bench = file.replace(/\.bench\.ts$/, '');
    if (typeof mod.run !== 'function') {
      console.error(`${file}: does not export async function run()`);
      failures++;
      continue;
    }
    const t0 = performance.now();
    process.stderr.write(`running ${file}…`);
    try {
      const rows = await mod.run();
      for (const r of rows) all.push({ bench, ...r });
      process.stderr.write(` ${rows.length} rows in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    } catch (err) {
      process.stderr.write(' failed\n');
      console.error(err);
      failures++;
    }
  }
  console.log(
    `\nKuberoom benches — node ${process.version}, ${process.platform}/${process.arch}, ${new Date().toISOString()}\n`,
  );
  console.log(formatTable(all));
  return failures === 0 ? 0 : 1;
}
