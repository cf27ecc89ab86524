// Manifest checks for the shared editor: YAML syntax, the fields every object needs, and the API's own
// answer to a dry run, each placed at the offending line. Also Apply, through the kubectl emulator.
import { isMap, isPair, isScalar, isSeq, parseAllDocuments, type Document } from 'yaml';
import { ApiClient, collectionPath, objectPath, StatusError, type ApiResource } from '../kubectl/api';
import { Kubectl, type KubectlIO } from '../kubectl/kubectl';
import { nameHeaders } from './presence';

export interface Problem {
  from: number;
  to: number;
  message: string;
  severity: 'error' | 'warning';
}

export interface ParsedManifest {
  /** one entry per YAML document that holds an object */
  objects: { doc: Document.Parsed; obj: Record<string, unknown> }[];
  problems: Problem[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** The position of a field ("spec.template.spec.containers[0].image") in a document: the deepest part found. */
export function fieldRange(doc: Document.Parsed, field: string): [number, number] | null {
  const path: (string | number)[] = [];
  for (const part of field.split('.')) {
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) return null;
    if (m[1]) path.push(m[1]);
    for (const idx of m[2]!.matchAll(/\[(\d+)\]/g)) path.push(Number(idx[1]));
  }
  let node: unknown = doc.contents;
  let range: [number, number] | null = rangeOf(node);
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(key));
      if (!pair) break;
      range = rangeOf(pair.key) ?? range;
      node = pair.value;
    } else if (isSeq(node) && typeof key === 'number') {
      const item = node.items[key];
      if (!item) break;
      range = rangeOf(item) ?? range;
      node = item;
    } else break;
  }
  return range;
}

function rangeOf(node: unknown): [number, number] | null {
  const r = (node as { range?: [number, number, number] } | null)?.range;
  return r ? [r[0], Math.max(r[1], r[0] + 1)] : null;
}

/** YAML syntax errors and missing apiVersion/kind/metadata.name, each at its place. */
export function checkManifest(text: string): ParsedManifest {
  const problems: Problem[] = [];
  const objects: ParsedManifest['objects'] = [];
  const end = Math.max(text.length, 0);
  let docs: Document.Parsed[];
  try {
    docs = parseAllDocuments(text) as Document.Parsed[];
  } catch (e) {
    return { objects, problems: [{ from: 0, to: end, message: (e as Error).message, severity: 'error' }] };
  }
  if (!Array.isArray(docs)) docs = [docs as unknown as Document.Parsed];
  for (const doc of docs) {
    if (doc.errors.length) {
      for (const err of doc.errors) {
        const [from, to] = err.pos;
        problems.push({ from: Math.min(from, end), to: Math.min(Math.max(to, from + 1), end), message: `YAML: ${err.message.split('\n')[0]}`, severity: 'error' });
      }
      continue;
    }
    const obj = doc.toJSON() as unknown;
    if (obj === null || obj === undefined) continue; // an empty document
    const docRange = rangeOf(doc.contents) ?? [0, end];
    if (!isRecord(obj)) {
      problems.push({ from: docRange[0], to: docRange[1], message: 'a manifest must be a mapping with apiVersion, kind and metadata', severity: 'error' });
      continue;
    }
    const missing = (what: string) => problems.push({ from: docRange[0], to: Math.min(docRange[0] + 1, end), message: `${what} is required`, severity: 'error' });
    if (typeof obj.apiVersion !== 'string' || !obj.apiVersion) missing('apiVersion');
    if (typeof obj.kind !== 'string' || !obj.kind) missing('kind');
    const meta = obj.metadata;
    if (!isRecord(meta)) missing('metadata.name');
    else if ((typeof meta.name !== 'string' || !meta.name) && typeof meta.generateName !== 'string') {
      const r = fieldRange(doc, 'metadata') ?? docRange;
      problems.push({ from: r[0], to: r[1], message: 'metadata.name is required', severity: 'error' });
    }
    objects.push({ doc, obj });
  }
  return { objects, problems };
}

const k8sBase = (id: string) => `/s/${encodeURIComponent(id)}/k8s`;

const withName = (url: string, init?: RequestInit) => fetch(url, { ...init, headers: { ...(init?.headers as Record<string, string>), ...nameHeaders() } });

async function resourceFor(api: ApiClient, obj: Record<string, unknown>): Promise<ApiResource | null> {
  const apiVersion = String(obj.apiVersion ?? '');
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const all = await api.resources();
  const r = all.find((x) => x.kind === obj.kind && x.group === group);
  return r ? { ...r, version: version || r.version } : null;
}

/**
 * Asks the API server what it thinks of each object, without changing anything (dryRun=All): a create,
 * or a merge patch when the object exists. Problems are placed at the field the Status names.
 */
export async function dryRun(id: string, token: string, parsed: ParsedManifest, signal?: AbortSignal): Promise<Problem[]> {
  const api = new ApiClient(k8sBase(id), token, withName);
  const problems: Problem[] = [];
  for (const { doc, obj } of parsed.objects) {
    const docRange = rangeOf(doc.contents) ?? [0, 1];
    const meta = (obj.metadata ?? {}) as Record<string, unknown>;
    let r: ApiResource | null;
    try {
      r = await resourceFor(api, obj);
    } catch {
      return problems; // discovery failed: no server checks this time
    }
    if (!r) {
      const at = fieldRange(doc, 'kind') ?? docRange;
      problems.push({ from: at[0], to: at[1], message: `no matches for kind "${String(obj.kind)}" in version "${String(obj.apiVersion)}"`, severity: 'error' });
      continue;
    }
    const ns = r.namespaced ? String(meta.namespace ?? 'default') : '';
    const query = { dryRun: 'All', fieldManager: 'kuberoom-editor', fieldValidation: 'Strict' };
    try {
      try {
        await api.json(collectionPath(r, ns), { method: 'POST', body: obj, query, signal });
      } catch (e) {
        if (!(e instanceof StatusError) || e.reason !== 'AlreadyExists' || typeof meta.name !== 'string') throw e;
        await api.json(objectPath(r, ns, meta.name), { method: 'PATCH', body: obj, contentType: 'application/merge-patch+json', query, signal });
      }
    } catch (e) {
      if (!(e instanceof StatusError)) {
        if (signal?.aborted) return problems;
        continue;
      }
      if (e.code === 403 || e.code === 429) continue; // locked or view-only, or slow down: not the manifest's fault
      const causes = (Array.isArray((e.status.details as { causes?: unknown })?.causes) ? (e.status.details as { causes: Record<string, unknown>[] }).causes : []);
      const placed = causes.filter((c) => typeof c.field === 'string' && c.field);
      if (placed.length) {
        for (const c of placed) {
          const at = fieldRange(doc, String(c.field)) ?? docRange;
          problems.push({ from: at[0], to: at[1], message: `${String(c.field)}: ${String(c.message ?? e.message)}`, severity: 'error' });
        }
      } else problems.push({ from: docRange[0], to: Math.max(docRange[0] + 1, docRange[0]), message: e.message, severity: 'error' });
    }
  }
  return problems;
}

export interface ApplyLine {
  text: string;
  ok: boolean;
}

/** `kubectl apply -f <file>` with this text, as the API answers it: one line per object or error. */
export async function applyManifest(id: string, token: string, file: string, text: string): Promise<ApplyLine[]> {
  const lines: ApplyLine[] = [];
  const push = (chunk: string, ok: boolean) => {
    for (const line of chunk.split('\n')) if (line.trim()) lines.push({ text: line, ok });
  };
  const kubectl = new Kubectl({ base: k8sBase(id), token, fetch: withName, files: { read: async (name) => (name === file ? text : null) } });
  try {
    const io: KubectlIO = { stdout: (s) => push(s, true), stderr: (s) => push(s, false) };
    await kubectl.run(['apply', '-f', file], io);
  } catch (e) {
    push(`error: ${(e as Error).message}`, false);
  }
  return lines;
}
