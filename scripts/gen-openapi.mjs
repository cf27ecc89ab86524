#!/usr/bin/env node
// Writes worker/k8s/openapi/spec-1.32.ts: the part of Kubernetes 1.32's OpenAPI document that Kuberoom serves
// (the paths of the served resources and subresources, the parameters and definitions they reach), plus the
// enum data the OpenAPI v3 documents carry. Nothing here is written by hand:
//
//   --swagger FILE   Kubernetes' api/openapi-spec/swagger.json of release-1.32. The committed data came from
//                    kubernetes-client/python commit 5342870c0dbec944419096a15cbb326831a18d3e
//                    (`kubernetes/swagger.json.unprocessed`, KUBERNETES_BRANCH = "release-1.32", client 32.0.0),
//                    which is that file as downloaded from
//                    https://raw.githubusercontent.com/kubernetes/kubernetes/release-1.32/api/openapi-spec/swagger.json
//   --api GITDIR     a git repository of k8s.io/api (github.com/kubernetes/api); read at --api-ref (v0.32.0).
//                    Kubernetes' swagger.json (OpenAPI v2) leaves enums out; its OpenAPI v3 documents list, for
//                    every field whose Go type carries `+enum`, the values (`enum`) and a "Possible enum values:"
//                    paragraph in the description. They are derived here from the Go types the way kube-openapi's
//                    generator does it (pkg/generators/enum.go).
//
//   node scripts/gen-openapi.mjs --swagger swagger.json --api /path/to/kubernetes/api.git [--api-ref v0.32.0]
//
// The output is checked in; tests and the Worker never need the network.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { EXTRA_VERSIONS, RESOURCES } from '../sim/apiserver/resources.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    swagger: { type: 'string' },
    api: { type: 'string' },
    'api-ref': { type: 'string', default: 'v0.32.0' },
    out: { type: 'string', default: join(root, 'worker/k8s/openapi/spec-1.32.ts') },
    'swagger-origin': {
      type: 'string',
      default:
        'kubernetes-client/python@5342870c0dbec944419096a15cbb326831a18d3e:kubernetes/swagger.json.unprocessed (= https://raw.githubusercontent.com/kubernetes/kubernetes/release-1.32/api/openapi-spec/swagger.json, December 2024)',
    },
  },
});
if (!args.swagger || !args.api) {
  console.error('usage: node scripts/gen-openapi.mjs --swagger swagger.json --api <k8s.io/api git dir> [--api-ref v0.32.0]');
  process.exit(2);
}

const swaggerText = readFileSync(args.swagger, 'utf8');
const swagger = JSON.parse(swaggerText);

// --- the served paths -----------------------------------------------------------------------------------------

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const pathRes = [];
for (const r of RESOURCES) {
  for (const version of [r.version, ...(r.group ? (EXTRA_VERSIONS[r.group] ?? []) : [])]) {
    const prefix = r.group ? `/apis/${r.group}/${version}` : `/api/${version}`;
    const subs = (r.subresources ?? []).map((s) => escapeRe(s.name)).join('|');
    const sub = subs ? `(/(${subs})(/\\{path\\})?)?` : '';
    pathRes.push(new RegExp(`^${escapeRe(prefix)}(/watch)?(/namespaces/\\{namespace\\})?/${escapeRe(r.resource)}(/\\{name\\}${sub})?$`));
  }
}
const paths = {};
for (const [p, item] of Object.entries(swagger.paths)) if (pathRes.some((re) => re.test(p))) paths[p] = item;

// --- the definitions and parameters they reach ----------------------------------------------------------------

const definitions = {};
const parameters = {};
const queue = [];
function collectRefs(node) {
  if (Array.isArray(node)) return node.forEach(collectRefs);
  if (!node || typeof node !== 'object') return;
  for (const [k, v] of Object.entries(node)) {
    if (k === '$ref' && typeof v === 'string') {
      if (v.startsWith('#/definitions/')) queue.push(v.slice('#/definitions/'.length));
      else if (v.startsWith('#/parameters/')) {
        const name = v.slice('#/parameters/'.length);
        if (!parameters[name]) {
          parameters[name] = swagger.parameters[name];
          collectRefs(parameters[name]);
        }
      }
    } else collectRefs(v);
  }
}
collectRefs(paths);
while (queue.length) {
  const name = queue.pop();
  if (definitions[name]) continue;
  const def = swagger.definitions[name];
  if (!def) throw new Error(`missing definition ${name}`);
  definitions[name] = def;
  collectRefs(def);
}

// --- enums from the Go types of k8s.io/api ----------------------------------------------------------------------

const git = (...a) => execFileSync('git', ['--git-dir', args.api, ...a], { encoding: 'utf8', maxBuffer: 64 << 20 });
const apiCommit = git('rev-parse', `${args['api-ref']}^{commit}`).trim();

/** Go sources of one package dir (e.g. core/v1), tests and generated files excluded. */
function packageSources(dir) {
  const names = git('ls-tree', '--name-only', `${apiCommit}:${dir}`)
    .split('\n')
    .filter((n) => n.endsWith('.go') && !n.endsWith('_test.go') && !n.startsWith('zz_generated') && !n.startsWith('generated.'));
  return names.map((n) => git('show', `${apiCommit}:${dir}/${n}`));
}

/** The text of the `//` comment block ending right above line i, like go/ast's CommentGroup.Text() lines. */
function docAbove(lines, i) {
  const out = [];
  for (let j = i - 1; j >= 0; j--) {
    const t = lines[j].trim();
    if (!t.startsWith('//')) break;
    out.unshift(t.slice(2).replace(/^ /, ''));
  }
  while (out.length && out[0].trim() === '') out.shift();
  while (out.length && out[out.length - 1].trim() === '') out.pop();
  return out.map((l) => l.replace(/\s+$/, ''));
}

const packages = new Map(); // dir -> {structs: Map(name -> fields[]), enums: Map(name -> values[]), imports: Map(alias -> dir)}
function loadPackage(dir) {
  if (packages.has(dir)) return packages.get(dir);
  const pkg = { structs: new Map(), enums: new Map(), constants: [] };
  packages.set(dir, pkg);
  for (const src of packageSources(dir)) {
    const lines = src.split('\n');
    const imports = new Map();
    for (const m of src.matchAll(/^\s*(\w+)?\s*"k8s\.io\/api\/([\w./-]+)"/gm)) imports.set(m[1] ?? m[2].split('/').pop(), m[2]);
    let inConst = false;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      let m;
      if ((m = /^type (\w+) string\b/.exec(line))) {
        if (docAbove(lines, i).some((l) => /^\s*\+enum\s*$/.test(l))) pkg.enums.set(m[1], []);
        continue;
      }
      if ((m = /^type (\w+) struct \{/.exec(line))) {
        const fields = [];
        for (i++; i < lines.length && lines[i] !== '}'; i++) {
          const f = /^\t(?:(\w+)\s+)?([*[\]\w.]+)\s+`json:"([^"]*)"/.exec(lines[i]);
          if (!f) continue;
          const [jsonName, ...opts] = f[3].split(',');
          const type = f[2];
          if (!f[1] && opts.includes('inline')) fields.push({ inline: true, type, imports });
          else if (f[1] && jsonName && jsonName !== '-') fields.push({ json: jsonName, type, imports });
        }
        pkg.structs.set(m[1], fields);
        continue;
      }
      if (/^const \($/.test(line)) inConst = true;
      else if (inConst && line === ')') inConst = false;
      // `Name Type = "v"`, `Name = Type("v")`, `Name = Type(pkg.Other)`, `Name Type = Other`
      const c = /^(?:const |\t)(\w+)(?:\s+(\w+))?\s*=\s*(?:(\w+)\()?("(?:[^"\\]|\\.)*"|[\w.]+)\)?\s*(?:\/\/.*)?$/.exec(line);
      if (c && (inConst || line.startsWith('const ')) && (c[2] || c[3])) {
        pkg.constants.push({ name: c[1], type: c[2] ?? c[3], expr: c[4], imports, comment: docAbove(lines, i).join(' ') });
      }
    }
  }
  for (const c of pkg.constants) {
    const values = pkg.enums.get(c.type);
    if (!values) continue;
    c.value = constValue(dir, c.expr, c.imports);
    if (typeof c.value === 'string' && !values.some((v) => v.value === c.value)) values.push(c);
  }
  return pkg;
}

/** The string value of a constant expression: a literal, or another constant (`v1.IPv4Protocol`). */
function constValue(dir, expr, imports, depth = 0) {
  if (expr.startsWith('"')) return JSON.parse(expr);
  if (depth > 4) return undefined;
  const [alias, name] = expr.includes('.') ? expr.split('.') : [undefined, expr];
  const d = alias ? imports.get(alias) : dir;
  if (!d) return undefined;
  const other = loadPackage(d).constants.find((k) => k.name === name);
  return other ? constValue(d, other.expr, other.imports, depth + 1) : undefined;
}

/** The enum of a Go field type (`PullPolicy`, `*v1.Protocol`), or undefined. */
function enumOf(type, imports, dir) {
  if (type.startsWith('[') || type.startsWith('map[')) return undefined;
  const t = type.replace(/^\*/, '');
  const [alias, name] = t.includes('.') ? t.split('.') : [undefined, t];
  const pkgDir = alias ? imports.get(alias) : dir;
  if (!pkgDir) return undefined;
  return loadPackage(pkgDir).enums.get(name);
}

/** kube-openapi's enum description lines and sorted values. */
function enumData(values) {
  const quote = (v) => JSON.stringify(v);
  const lines = values
    .map((v) => {
      let comment = v.comment.trim();
      if (comment.startsWith(v.name)) comment = comment.slice(v.name.length);
      comment = comment.trim().replace(/\s+/g, ' ');
      return ` - \`${quote(v.value)}\` ${comment}`.replace(/ +$/, '');
    })
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { values: values.map((v) => v.value).sort((a, b) => (quote(a) < quote(b) ? -1 : quote(a) > quote(b) ? 1 : 0)), text: ['Possible enum values:', ...lines].join('\n') };
}

/** Field json name -> enum, for a struct of k8s.io/api, following inline (embedded) structs. */
function structEnums(dir, name, out = {}) {
  const fields = loadPackage(dir).structs.get(name);
  if (!fields) return out;
  for (const f of fields) {
    if (f.inline) {
      const t = f.type.replace(/^\*/, '');
      if (t.includes('.')) {
        const [alias, n] = t.split('.');
        const d = f.imports.get(alias);
        if (d) structEnums(d, n, out);
      } else structEnums(dir, t, out);
      continue;
    }
    const e = enumOf(f.type, f.imports, dir);
    if (e && e.length) out[f.json] = enumData(e);
  }
  return out;
}

const enums = {};
for (const name of Object.keys(definitions)) {
  const m = /^io\.k8s\.api\.([\w]+(?:\.[\w]+)*)\.(v\w+)\.(\w+)$/.exec(name);
  if (!m) continue;
  const group = m[1] === 'core' ? 'core' : m[1];
  const dir = `${group}/${m[2]}`;
  const found = structEnums(dir, m[3]);
  for (const prop of Object.keys(found)) if (!definitions[name].properties?.[prop]) delete found[prop];
  if (Object.keys(found).length) enums[name] = found;
}

// --- output --------------------------------------------------------------------------------------------------

const sorted = (o) => Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
const record = (o) =>
  `{\n${Object.entries(sorted(o))
    .map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(JSON.stringify(v))},`)
    .join('\n')}\n}`;
const source = {
  kubernetesVersion: 'v1.32.0',
  swagger: args['swagger-origin'],
  swaggerSha256: createHash('sha256').update(swaggerText).digest('hex'),
  enums: `k8s.io/api ${args['api-ref']} (github.com/kubernetes/api commit ${apiCommit}), +enum types, as kube-openapi pkg/generators/enum.go`,
  generator: 'scripts/gen-openapi.mjs',
};
const body = [
  '// Generated by scripts/gen-openapi.mjs: do not edit. The part of Kubernetes 1.32\'s OpenAPI document Kuberoom serves.',
  `// Source: ${source.swagger}`,
  `// Enums: ${source.enums}`,
  '// Each entry is JSON text, parsed on first use (worker/k8s/openapi/documents.ts).',
  `export const SOURCE = ${JSON.stringify(source, null, 2)} as const;`,
  '',
  '/** Swagger 2.0 paths (`/api/v1/namespaces/{namespace}/pods`...) of the served resources. */',
  `export const PATHS: Record<string, string> = ${record(paths)};`,
  '',
  '/** Swagger 2.0 shared parameters (`#/parameters/...`). */',
  `export const PARAMETERS: Record<string, string> = ${record(parameters)};`,
  '',
  '/** Swagger 2.0 definitions reachable from the served paths. */',
  `export const DEFINITIONS: Record<string, string> = ${record(definitions)};`,
  '',
  '/** Per definition, per property: the enum values and the "Possible enum values:" paragraph of the OpenAPI v3 documents. */',
  `export const ENUMS: Record<string, string> = ${record(enums)};`,
  '',
].join('\n');
const hash = createHash('sha256').update(body).digest('hex').slice(0, 16).toUpperCase();
mkdirSync(dirname(args.out), { recursive: true });
writeFileSync(args.out, `${body}\n/** A hash of this data (the v3 index's \`?hash=\`). */\nexport const DATA_HASH = '${hash}';\n`);
console.log(
  `wrote ${args.out}: ${Object.keys(paths).length} paths, ${Object.keys(parameters).length} parameters, ${Object.keys(definitions).length} definitions, enums for ${Object.keys(enums).length} definitions (${Object.values(enums).reduce((n, e) => n + Object.keys(e).length, 0)} fields), ${(body.length / 1024).toFixed(0)} KiB`,
);
