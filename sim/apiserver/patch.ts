/**
 * The four PATCH formats the API server accepts: JSON patch (RFC 6902), JSON merge patch (RFC 7386), strategic
 * merge patch (kubectl's default) and server-side apply (`application/apply-patch+yaml`).
 */
import { badRequest, StatusError } from './errors.ts';
import { applyMerge } from './patch/fieldmanager.ts';
import { rootType } from './patch/schema.ts';
import { strategicMergePatch as smp } from './patch/strategic.ts';
import type { ResourceInfo } from './resources.ts';
import type { KObject } from './types.ts';

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export const PATCH_CONTENT_TYPES: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
};

/** The media types a PATCH may carry, in the order the API server lists them in its 415. */
export const PATCH_MEDIA_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
];

/**
 * Applies a patch of the given type to a copy of `current`. For `apply` this is the merge of the applied
 * configuration alone (no field ownership): the HTTP layer runs server-side apply with managers and conflicts
 * through `serverSideApply` in patch/fieldmanager.ts.
 */
export function applyPatch(type: PatchType, current: KObject, patch: unknown, info: ResourceInfo): KObject {
  const base = JSON.parse(JSON.stringify(current)) as KObject;
  switch (type) {
    case 'merge':
      return mergePatch(base, patch) as KObject;
    case 'json':
      return jsonPatch(base, patch) as KObject;
    case 'strategic':
      return strategicMergePatch(base, patch, info);
    case 'apply':
      if (!isObject(patch)) throw badRequest('error decoding YAML: the applied configuration must be an object');
      return applyMerge(base, patch as KObject, rootType(info.kind)) as KObject;
  }
}

/** Strategic merge patch of an object of the resource's kind (see patch/strategic.ts). */
export function strategicMergePatch(target: unknown, patch: unknown, info: ResourceInfo): KObject {
  return smp(target, patch, rootType(info.kind)) as KObject;
}

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const out: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/**
 * RFC 6902 JSON patch. A patch that does not decode is a 400; one that does not apply is the API server's
 * 422 with its (unhelpful, but real) generic message.
 */
export function jsonPatch(doc: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw badRequest(`json: cannot unmarshal ${jsonKind(ops)} into Go value of type jsonpatch.Patch`);
  for (const op of ops) {
    if (!isObject(op)) throw badRequest(`json: cannot unmarshal ${jsonKind(op)} into Go value of type jsonpatch.Operation`);
  }
  try {
    let root = doc;
    for (const op of ops as Record<string, unknown>[]) root = applyOp(root, op);
    return root;
  } catch (e) {
    if (e instanceof PatchFailed) throw new StatusError(422, 'Invalid', 'the server rejected our request due to an error in our request');
    throw e;
  }
}

class PatchFailed extends Error {}

function applyOp(root: unknown, op: Record<string, unknown>): unknown {
  switch (op.op) {
    case 'add':
      return setAt(root, pointer(op.path), clone(op.value), 'add');
    case 'replace':
      getAt(root, pointer(op.path));
      return setAt(root, pointer(op.path), clone(op.value), 'replace');
    case 'remove':
      getAt(root, pointer(op.path));
      return removeAt(root, pointer(op.path));
    case 'move': {
      const from = pointer(op.from);
      const v = getAt(root, from);
      root = removeAt(root, from);
      return setAt(root, pointer(op.path), v, 'add');
    }
    case 'copy':
      return setAt(root, pointer(op.path), clone(getAt(root, pointer(op.from))), 'add');
    case 'test':
      if (!deepEqual(getAt(root, pointer(op.path)), op.value)) throw new PatchFailed('test failed');
      return root;
    default:
      throw new PatchFailed(`Unexpected kind: ${String(op.op)}`);
  }
}

function pointer(p: unknown): string[] {
  if (typeof p !== 'string') throw new PatchFailed('path must be a string');
  if (p === '') return [];
  if (!p.startsWith('/')) throw new PatchFailed(`invalid path ${p}`);
  return p
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function getAt(doc: unknown, path: string[]): unknown {
  let cur = doc;
  for (const k of path) {
    if (Array.isArray(cur)) {
      const i = arrayIndex(k, cur.length - 1);
      cur = cur[i];
    } else if (isObject(cur) && Object.prototype.hasOwnProperty.call(cur, k)) cur = cur[k];
    else throw new PatchFailed('missing path');
  }
  return cur;
}

function arrayIndex(k: string, max: number): number {
  if (!/^(0|[1-9]\d*)$/.test(k)) throw new PatchFailed(`invalid index ${k}`);
  const i = Number(k);
  if (i > max) throw new PatchFailed('index out of bounds');
  return i;
}

function setAt(doc: unknown, path: string[], value: unknown, mode: 'add' | 'replace'): unknown {
  if (path.length === 0) return value;
  const parent = getAt(doc, path.slice(0, -1));
  const k = path[path.length - 1];
  if (Array.isArray(parent)) {
    if (mode === 'add') parent.splice(k === '-' ? parent.length : arrayIndex(k, parent.length), 0, value);
    else parent[arrayIndex(k, parent.length - 1)] = value;
  } else if (isObject(parent)) parent[k] = value;
  else throw new PatchFailed('parent is not a container');
  return doc;
}

function removeAt(doc: unknown, path: string[]): unknown {
  if (path.length === 0) return undefined;
  const parent = getAt(doc, path.slice(0, -1));
  const k = path[path.length - 1];
  if (Array.isArray(parent)) parent.splice(arrayIndex(k, parent.length - 1), 1);
  else if (isObject(parent)) delete parent[k];
  return doc;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  if (typeof v === 'object') return 'object';
  if (typeof v === 'boolean') return 'bool';
  return typeof v;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
