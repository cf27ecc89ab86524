/**
 * Loading a scenario file: YAML (with node ranges, for line numbers) validated against the schemas in
 * types.ts. Every problem becomes `file:line: path: problem`, e.g.
 * `scenario.yaml:14: checks[2].endpoints.ready: expected a number, got "three"`.
 */
import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { findByKind } from '../apiserver/resources.ts';
import { FAULTS } from '../nodes/faults.ts';
import { CHECK_KINDS, SCENARIO_SCHEMA, type Check, type CheckKind, type Scenario, type ScenarioManifest } from './types.ts';

export interface ScenarioIssue {
  line: number;
  path: string;
  message: string;
}

export class ScenarioError extends Error {
  readonly issues: ScenarioIssue[];
  readonly file: string;

  constructor(file: string, issues: ScenarioIssue[]) {
    super(issues.map((i) => formatIssue(file, i)).join('\n'));
    this.name = 'ScenarioError';
    this.file = file;
    this.issues = issues;
  }
}

export function formatIssue(file: string, i: ScenarioIssue): string {
  return `${file}:${i.line}: ${i.path ? i.path + ': ' : ''}${i.message}`;
}

type Path = (string | number)[];

export function pathString(path: readonly PropertyKey[]): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s ? `.${String(p)}` : String(p);
  return s;
}

function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 37) + '...' : v);
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  return String(v);
}

const ARTICLE: Record<string, string> = { number: 'a number', string: 'a string', boolean: 'true or false', object: 'a map', array: 'a list', int: 'a whole number' };

function valueAt(root: unknown, path: Path): unknown {
  let v: any = root;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = v[p as any];
  }
  return v;
}

/** One zod issue in words. */
function issueMessage(issue: z.core.$ZodIssue, input: unknown): string {
  const value = valueAt(input, issue.path as Path);
  switch (issue.code) {
    case 'invalid_type':
      if (value === undefined) return `required (${ARTICLE[issue.expected] ?? issue.expected})`;
      return `expected ${ARTICLE[issue.expected] ?? issue.expected}, got ${describeValue(value)}`;
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${describeValue(value)}`;
    case 'too_small':
      if (issue.origin === 'array') return `needs at least ${issue.minimum} item${Number(issue.minimum) === 1 ? '' : 's'}`;
      if (issue.origin === 'string') return Number(issue.minimum) <= 1 ? 'must not be empty' : `must be at least ${issue.minimum} characters`;
      return `must be at least ${issue.minimum}, got ${describeValue(value)}`;
    case 'too_big':
      if (issue.origin === 'string') return `must be at most ${issue.maximum} characters`;
      if (issue.origin === 'array') return `must have at most ${issue.maximum} items`;
      return `must be at most ${issue.maximum}, got ${describeValue(value)}`;
    case 'invalid_format':
      return `${issue.message.replace(/^Invalid string: /, '')}, got ${describeValue(value)}`;
    case 'invalid_union':
      return `${describeValue(value)} is not valid here`;
    default:
      return issue.message;
  }
}

/** The 1-based line of the deepest YAML node along a path (the key's line for a missing field). */
function lineOf(doc: Document, lc: LineCounter, path: Path): number {
  let node: any = doc.contents;
  let offset: number | undefined = node?.range?.[0];
  for (const p of path) {
    if (isMap(node)) {
      const pair = node.items.find((it: any) => (isScalar(it.key) ? it.key.value : it.key) === p) as any;
      if (!pair) break;
      offset = pair.key?.range?.[0] ?? offset;
      node = pair.value;
      if (node?.range && !isMap(node) && !isSeq(node)) offset = node.range[0];
    } else if (isSeq(node) && typeof p === 'number') {
      node = node.items[p];
      if (!node) break;
      offset = (node as any).range?.[0] ?? offset;
    } else break;
  }
  return offset === undefined ? 1 : lc.linePos(offset).line;
}

const KIND_KEYS = Object.keys(CHECK_KINDS) as CheckKind[];

function checkId(title: string, i: number): string {
  const slug = title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40);
  return slug || `check-${i + 1}`;
}

/** Parses and validates a scenario file; throws ScenarioError listing every problem with its line. */
export function parseScenario(text: string, file = 'scenario.yaml'): Scenario {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    throw new ScenarioError(
      file,
      doc.errors.map((e) => ({ line: e.linePos?.[0]?.line ?? lc.linePos(e.pos[0]).line, path: '', message: e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '') })),
    );
  }
  const input = doc.toJS({ maxAliasCount: 50 }) as unknown;
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new ScenarioError(file, [{ line: 1, path: '', message: 'a scenario file must be a YAML map (name:, title:, level:, task:, checks: ...)' }]);
  }
  const issues: ScenarioIssue[] = [];
  const add = (path: Path, message: string) => issues.push({ line: lineOf(doc, lc, path), path: pathString(path), message });
  const top = SCENARIO_SCHEMA.safeParse(input);
  if (!top.success) for (const is of top.error.issues) add(is.path as Path, issueMessage(is, input));

  // Checks: a title and exactly one kind key with its parameters.
  const checks: Check[] = [];
  const rawChecks = (input as any).checks;
  if (Array.isArray(rawChecks)) {
    const ids = new Set<string>();
    rawChecks.forEach((raw: unknown, i: number) => {
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return; // reported by the schema
      const keys = Object.keys(raw);
      const kinds = keys.filter((k) => (KIND_KEYS as string[]).includes(k));
      const unknown = keys.filter((k) => !(KIND_KEYS as string[]).includes(k) && k !== 'title' && k !== 'id' && k !== 'guard');
      if (unknown.length) add(['checks', i, unknown[0]], `unknown check kind ${JSON.stringify(unknown[0])}: must be one of ${KIND_KEYS.join(', ')}`);
      const title = (raw as any).title;
      if (typeof title !== 'string' || !title.trim()) add(['checks', i, 'title'], title === undefined ? 'required (a string saying what the learner must achieve)' : `expected a string, got ${describeValue(title)}`);
      if (kinds.length !== 1) {
        if (!unknown.length) add(['checks', i], kinds.length ? `has ${kinds.length} kinds (${kinds.join(', ')}): one check, one kind` : `needs a kind: one of ${KIND_KEYS.join(', ')}`);
        return;
      }
      const kind = kinds[0] as CheckKind;
      const r = CHECK_KINDS[kind].safeParse((raw as any)[kind] ?? {});
      if (!r.success) {
        for (const is of r.error.issues) add(['checks', i, kind, ...(is.path as Path)], issueMessage(is, (raw as any)[kind]));
        return;
      }
      let id = typeof (raw as any).id === 'string' ? (raw as any).id : checkId(String(title ?? ''), i);
      while (ids.has(id)) id += '-' + (i + 1);
      ids.add(id);
      const guard = (raw as any).guard;
      if (guard !== undefined && typeof guard !== 'boolean') add(['checks', i, 'guard'], `expected true or false, got ${describeValue(guard)}`);
      checks.push({ id, title: String(title ?? ''), kind, params: r.data, ...(guard === true ? { guard: true } : {}) } as Check);
    });
  }

  // Faults: the names and nodes POST /api/faults accepts.
  const rawFaults = (input as any).cluster?.faults;
  if (Array.isArray(rawFaults)) {
    rawFaults.forEach((f: any, i: number) => {
      if (!f || typeof f.fault !== 'string') return;
      const spec = FAULTS.find((x) => x.fault === f.fault);
      if (!spec) add(['cluster', 'faults', i, 'fault'], `unknown fault ${JSON.stringify(f.fault)}: must be one of ${FAULTS.map((x) => x.fault).join(', ')}`);
      else if (spec.node === 'required' && !f.node) add(['cluster', 'faults', i], `fault ${f.fault} needs a node, e.g. node: node-2`);
    });
  }

  // Manifests: each document must parse and name a kind the API serves.
  const manifests: ScenarioManifest[] = [];
  const rawManifests = (input as any).cluster?.manifests;
  if (typeof rawManifests === 'string' && rawManifests.trim()) {
    const base = manifestsBaseLine(doc, lc);
    const mlc = new LineCounter();
    const docs = parseAllDocuments(rawManifests, { lineCounter: mlc });
    if (!Array.isArray(docs)) {
      add(['cluster', 'manifests'], 'not YAML documents');
    } else {
      let index = 0;
      for (const d of docs) {
        const start = d.contents?.range?.[0] ?? d.range[0];
        const line = base + mlc.linePos(start).line - 1;
        if (d.errors.length) {
          const e = d.errors[0];
          issues.push({ line: base + mlc.linePos(e.pos[0]).line - 1, path: `cluster.manifests[${index}]`, message: e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '') });
          index++;
          continue;
        }
        const obj = d.toJS() as any;
        if (obj === null || obj === undefined) continue; // an empty document (a trailing ---)
        const where = `cluster.manifests[${index}]`;
        if (typeof obj !== 'object' || Array.isArray(obj)) issues.push({ line, path: where, message: 'a manifest must be a map (apiVersion, kind, metadata...)' });
        else if (typeof obj.apiVersion !== 'string' || !obj.apiVersion) issues.push({ line, path: where, message: 'apiVersion not set' });
        else if (typeof obj.kind !== 'string' || !obj.kind) issues.push({ line, path: where, message: 'kind not set' });
        else if (!findByKind(obj.apiVersion, obj.kind)) issues.push({ line, path: where, message: `no matches for kind "${obj.kind}" in version "${obj.apiVersion}"` });
        else if (typeof obj.metadata?.name !== 'string' || !obj.metadata.name) issues.push({ line, path: where, message: `${obj.kind}: metadata.name is required` });
        else manifests.push({ line, index, object: obj });
        index++;
      }
    }
  }
  // Mistakes name checks by id.
  const mistakes = (input as any).solution?.mistakes;
  if (Array.isArray(mistakes) && checks.length) {
    mistakes.forEach((m: any, i: number) => {
      (Array.isArray(m?.failing) ? m.failing : []).forEach((id: unknown, j: number) => {
        if (typeof id === 'string' && !checks.some((c) => c.id === id)) add(['solution', 'mistakes', i, 'failing', j], `no check has id ${JSON.stringify(id)} (ids: ${checks.map((c) => c.id).join(', ')})`);
      });
    });
  }
  if (issues.length) {
    issues.sort((a, b) => a.line - b.line);
    throw new ScenarioError(file, issues);
  }
  const data = top.data!;
  return { ...data, file, checks, manifests };
}

/** The line where the manifests' text starts (the line after `manifests: |`, or the scalar's own line). */
function manifestsBaseLine(doc: Document, lc: LineCounter): number {
  const node = doc.getIn(['cluster', 'manifests'], true) as any;
  if (!node?.range) return 1;
  const line = lc.linePos(node.range[0]).line;
  return node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED' ? line + 1 : line;
}
