// Bundles the browser app into dist/client: index.html (home), sandbox.html (served for /s/<id>) and
// content-hashed JS/CSS under dist/client/assets/. Run from anywhere: `node client/build.mjs`.
import { build } from 'esbuild';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'dist', 'client');
const ASSETS = join(OUT, 'assets');
const PUBLIC_PATH = '/assets/';
const STYLES = 'client/src/styles.css';

/** One HTML page per entry point. */
const PAGES = [
  { entry: 'home', html: 'index.html', title: 'Kuberoom — a multiplayer Kubernetes sandbox' },
  { entry: 'sandbox', html: 'sandbox.html', title: 'Kuberoom sandbox' },
];

const FAVICON =
  "data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'>" +
  "<rect width='32' height='32' rx='7' fill='%232f5fd0'/>" +
  "<circle cx='16' cy='16' r='7' fill='none' stroke='white' stroke-width='3'/></svg>";

const escapeHtml = (text) => text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

function page({ title, css, js, preload, extraCss = [] }) {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="${FAVICON}">
<link rel="stylesheet" href="${css}">
${extraCss.map((href) => `<link rel="stylesheet" href="${href}">`).join('\n')}
${preload.map((href) => `<link rel="modulepreload" href="${href}">`).join('\n')}
<script type="module" src="${js}"></script>
</head>
<body>
<div id="app"></div>
<noscript>Kuberoom needs JavaScript.</noscript>
</body>
</html>
`;
}

const publicUrl = (file) => PUBLIC_PATH + relative(ASSETS, join(ROOT, file)).split('\\').join('/');

/** The JS chunks an output imports, transitively (to preload them). */
function chunksOf(outputs, file, seen = new Set()) {
  for (const { path, kind } of outputs[file].imports) {
    if (kind === 'import-statement' && !seen.has(path)) {
      seen.add(path);
      chunksOf(outputs, path, seen);
    }
  }
  return seen;
}

const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
const gzippedSize = async (file) => gzipSync(await readFile(join(ROOT, file)), { level: 9 }).length;

await rm(OUT, { recursive: true, force: true });
await mkdir(ASSETS, { recursive: true });

const result = await build({
  absWorkingDir: ROOT,
  entryPoints: [STYLES, ...PAGES.map(({ entry }) => `client/src/${entry}.tsx`)],
  outdir: ASSETS,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  sourcemap: false,
  jsx: 'automatic',
  jsxImportSource: 'preact',
  entryNames: '[name]-[hash]',
  chunkNames: 'chunk-[hash]',
  assetNames: '[name]-[hash]',
  publicPath: PUBLIC_PATH,
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
});

const outputs = result.metafile.outputs;
const entryOutput = (entryPoint) => Object.keys(outputs).find((file) => outputs[file].entryPoint === entryPoint);
const css = publicUrl(entryOutput(STYLES));
for (const { entry, html, title } of PAGES) {
  const jsFile = entryOutput(`client/src/${entry}.tsx`);
  const chunks = [...chunksOf(outputs, jsFile)];
  const doc = page({
    title,
    js: publicUrl(jsFile),
    css,
    preload: chunks.map(publicUrl),
    // CSS imported by the page's modules (e.g. xterm.js's), bundled by esbuild next to the entry.
    extraCss: outputs[jsFile].cssBundle ? [publicUrl(outputs[jsFile].cssBundle)] : [],
  });
  await writeFile(join(OUT, html), doc);

  const files = [jsFile, ...chunks];
  let gzipped = 0;
  for (const file of files) gzipped += await gzippedSize(file);
  console.log(`${html.padEnd(13)} JS ${kib(gzipped)} gzipped (${files.map((f) => basename(f)).join(', ')})`);
}

let total = 0;
for (const file of Object.keys(outputs).filter((f) => f.endsWith('.js'))) {
  total += await gzippedSize(file);
}
console.log(`all JS        ${kib(total)} gzipped → ${relative(ROOT, OUT)}`);
