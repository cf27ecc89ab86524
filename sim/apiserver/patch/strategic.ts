/**
 * Strategic merge patch, as the API server applies it (k8s.io/apimachinery/pkg/util/strategicpatch, with
 * MergeParallelList and IgnoreUnmatchedNulls): maps merge key by key, lists with `patchStrategy:"merge"` merge
 * item by item on their merge key (or as a union for lists of strings), other lists are replaced, and the
 * directives `$patch: replace|delete|merge`, `$retainKeys`, `$setElementOrder/<list>` and
 * `$deleteFromPrimitiveList/<list>` apply. The order of a merged list follows the patch (or its
 * `$setElementOrder`) for the items the patch names and the live list for the others, as the real algorithm
 * interleaves them.
 */
import { StatusError, badRequest } from '../errors.ts';
import { childType, fieldOf, type Field } from './schema.ts';

type Obj = Record<string, unknown>;

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const SET_ORDER = '$setElementOrder/';
const DELETE_PRIMITIVE = '$deleteFromPrimitiveList/';

/** The errors of the mergepatch package, all answered 400 (or 422) by the API server. */
class PatchError extends Error {
  constructor(
    message: string,
    readonly code = 400,
  ) {
    super(message);
  }
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** How Go's fmt prints a decoded JSON value with %v (for the messages that echo a map). */
function goValue(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goValue).join(' ')}]`;
  if (isObj(v)) {
    const keys = Object.keys(v).sort();
    return `map[${keys.map((k) => `${k}:${goValue(v[k])}`).join(' ')}]`;
  }
  return String(v);
}

/**
 * Applies a strategic merge patch to `original` (not modified) and returns the result. `type` is the root type
 * in the schema (the kind), or undefined for a kind without merge metadata (then maps merge and lists replace).
 */
export function strategicMergePatch(original: unknown, patch: unknown, type: string | undefined): Obj {
  if (!isObj(patch)) {
    throw badRequest(`json: cannot unmarshal ${jsonKind(patch)} into Go value of type map[string]interface {}`);
  }
  const base = isObj(original) ? clone(original) : {};
  try {
    return stripDirectives(mergeMap(base, clone(patch), type)) as Obj;
  } catch (e) {
    if (e instanceof PatchError) {
      if (e.code === 422) throw new StatusError(422, 'Invalid', e.message);
      throw badRequest(e.message);
    }
    throw e;
  }
}

function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'bool';
  return 'object';
}

function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

function mergeMap(original: Obj | null, patch: Obj, type: string | undefined): Obj {
  if (DIRECTIVE in patch) {
    const directive = patch[DIRECTIVE];
    if (directive === 'replace') {
      delete patch[DIRECTIVE];
      return patch;
    }
    if (directive === 'delete') return {};
    throw new PatchError(`unknown patch type: ${goValue(directive)} in map: ${goValue(patch)}`);
  }
  const out: Obj = original ?? {};
  applyRetainKeys(out, patch);
  mergeOrderedLists(out, patch, type);

  for (const rawKey of Object.keys(patch)) {
    const patchV = patch[rawKey];
    let key = rawKey;
    let isDeleteList = false;
    if (rawKey.startsWith(DELETE_PRIMITIVE)) {
      key = extractKey(rawKey, DELETE_PRIMITIVE);
      isDeleteList = true;
    }
    if (patchV === null) {
      delete out[key];
      continue;
    }
    if (!(key in out)) {
      // Not in the original: take the patch value as it is (as the real merge does, even for a deletion list).
      out[key] = patchV;
      continue;
    }
    const origV = out[key];
    if (kindOf(origV) !== kindOf(patchV)) {
      out[key] = patchV;
      continue;
    }
    const field = fieldOf(type, key);
    if (isObj(origV) && isObj(patchV)) {
      out[key] = mergeMap(origV, patchV, childType(field));
    } else if (Array.isArray(origV) && Array.isArray(patchV)) {
      out[key] = mergeListField(origV, patchV, field, isDeleteList);
    } else {
      out[key] = patchV;
    }
  }
  return out;
}

/** Go's reflect.TypeOf for decoded JSON: map, slice, string, float64, bool. */
function kindOf(v: unknown): string {
  if (Array.isArray(v)) return 'slice';
  if (isObj(v)) return 'map';
  return typeof v;
}

function extractKey(s: string, prefix: string): string {
  const k = s.slice(prefix.length);
  if (!k) {
    throw new PatchError(prefix === SET_ORDER ? 'invalid patch format of setElementOrder list' : 'invalid patch format of primitive list');
  }
  return k;
}

function mergeListField(original: unknown[], patch: unknown[], field: Field | undefined, isDeleteList: boolean): unknown[] {
  if (field?.kind === 'list' && field.smpMerge) return mergeList(original, patch, field.mergeKey, childType(field), isDeleteList);
  return patch;
}

function applyRetainKeys(original: Obj, patch: Obj): void {
  if (!(RETAIN_KEYS in patch)) return;
  const list = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(list)) throw new PatchError('invalid patch format of retainKeys');
  const keep = new Set(list);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(DELETE_PRIMITIVE) || k.startsWith(SET_ORDER)) continue;
    if (!keep.has(k)) throw new PatchError('invalid patch format of retainKeys');
  }
  for (const k of Object.keys(original)) if (!keep.has(k)) delete original[k];
}

/** Handles the `$setElementOrder/<list>` directives and the lists they order (removing both from the patch). */
function mergeOrderedLists(original: Obj, patch: Obj, type: string | undefined): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ORDER)) continue;
    const order = patch[key];
    delete patch[key];
    if (!Array.isArray(order)) throw new PatchError('invalid patch format of setElementOrder list');
    const listKey = extractKey(key, SET_ORDER);
    const field = fieldOf(type, listKey);
    const mergeKey = field?.kind === 'list' ? field.mergeKey : undefined;
    const foundOriginal = listKey in original;
    const foundPatch = listKey in patch;
    const origList = foundOriginal ? original[listKey] : undefined;
    const patchList = foundPatch ? patch[listKey] : undefined;
    if (foundOriginal && !Array.isArray(origList)) throw new PatchError(`invalid type for ${listKey}: expected a list`);
    if (foundPatch && patchList !== null && !Array.isArray(patchList)) throw new PatchError('invalid patch format of setElementOrder list');
    validateOrder((patchList as unknown[] | undefined) ?? [], order, mergeKey);
    let merged: unknown[];
    if (foundOriginal && !foundPatch) merged = origList as unknown[];
    else if (!foundOriginal && foundPatch) merged = (patchList as unknown[]) ?? [];
    else if (foundOriginal && foundPatch) merged = mergeListField(origList as unknown[], (patchList as unknown[]) ?? [], field, false);
    else continue;
    const [inOrder, serverOnly] = partition(merged, order, mergeKey);
    original[listKey] = normalizeOrder(inOrder, serverOnly, order, (origList as unknown[] | undefined) ?? [], mergeKey);
    delete patch[listKey];
  }
}

/** The items the patch names must appear in the same relative order in `$setElementOrder`. */
function validateOrder(patchList: unknown[], order: unknown[], mergeKey: string | undefined): void {
  if (order.length === 0 || patchList.length === 0) return;
  const items = mergeKey ? patchList.filter((p) => !(isObj(p) && p[DIRECTIVE] === 'delete')) : patchList;
  let pi = 0;
  let oi = 0;
  while (pi < items.length && oi < order.length) {
    if (isObj(items[pi]) && DIRECTIVE in (items[pi] as Obj)) {
      pi++;
      continue;
    }
    if (sameKey(items[pi], order[oi], mergeKey)) pi++;
    oi++;
  }
  if (pi < items.length && oi >= order.length) {
    throw new PatchError(`The order in patch list:\n${goValue(patchList)}\n doesn't match $setElementOrder list:\n${goValue(order)}\n`);
  }
}

function sameKey(a: unknown, b: unknown, mergeKey: string | undefined): boolean {
  if (!mergeKey) return a === b;
  if (!isObj(a)) throw new PatchError(`invalid list item ${goValue(a)}: expected a map`);
  if (!isObj(b)) throw new PatchError(`invalid list item ${goValue(b)}: expected a map`);
  if (!(mergeKey in a)) throw new PatchError(`map: ${goValue(a)} does not contain declared merge key: ${mergeKey}`);
  if (!(mergeKey in b)) throw new PatchError(`map: ${goValue(b)} does not contain declared merge key: ${mergeKey}`);
  return a[mergeKey] === b[mergeKey];
}

function elementKind(...lists: unknown[][]): string | undefined {
  let kind: string | undefined;
  for (const l of lists) {
    for (const v of l) {
      const k = kindOf(v);
      if (k === 'slice') throw new PatchError('lists of lists are not supported', 422);
      if (kind === undefined) kind = k;
      else if (kind !== k) throw new PatchError(`list element types are not identical: ${lists.map(goValue).join(' ')}`);
    }
  }
  return kind;
}

function mergeList(original: unknown[], patch: unknown[], mergeKey: string | undefined, elemType: string | undefined, isDeleteList: boolean): unknown[] {
  if (original.length === 0 && patch.length === 0) return original;
  const kind = elementKind(original, patch);
  let merged: unknown[];
  let patchItems = patch;
  let base = original;
  if (kind !== 'map') {
    if (isDeleteList) return original.filter((v) => !patch.includes(v));
    merged = dedupe([...original, ...patch]);
  } else {
    if (!mergeKey) throw new PatchError('cannot merge lists without merge key for type map');
    [base, patchItems] = applyListDirectives(original, patch, mergeKey);
    merged = [...base];
    for (const item of patchItems) {
      const p = item as Obj;
      if (!(mergeKey in p)) throw new PatchError(`map: ${goValue(p)} does not contain declared merge key: ${mergeKey}`);
      const at = merged.findIndex((o) => isObj(o) && mergeKey in o && o[mergeKey] === p[mergeKey]);
      if (at >= 0) merged[at] = mergeMap(merged[at] as Obj, p, elemType);
      else merged.push(p);
    }
  }
  const [inPatch, serverOnly] = partition(merged, patchItems, kind === 'map' ? mergeKey : undefined);
  return normalizeOrder(inPatch, serverOnly, patchItems, base, kind === 'map' ? mergeKey : undefined);
}

/** `{$patch: delete, key: v}` removes items; `{$patch: replace}` makes the list exactly the patch's items. */
function applyListDirectives(original: unknown[], patch: unknown[], mergeKey: string): [unknown[], unknown[]] {
  const plain: unknown[] = [];
  let replace = false;
  let out = original;
  for (const item of patch) {
    const p = item as Obj;
    if (!(DIRECTIVE in p)) {
      plain.push(p);
      continue;
    }
    const d = p[DIRECTIVE];
    if (d === 'delete') {
      if (!(mergeKey in p)) throw new PatchError(`map: ${goValue(p)} does not contain declared merge key: ${mergeKey}`);
      out = out.filter((o) => !(isObj(o) && o[mergeKey] === p[mergeKey]));
    } else if (d === 'replace') {
      replace = true;
    } else if (d === 'merge') {
      throw new PatchError('merging lists cannot yet be specified in the patch');
    } else {
      throw new PatchError(`unknown patch type: ${goValue(d)} in map: ${goValue(p)}`);
    }
  }
  if (replace) return [plain, []];
  return [out, plain];
}

function dedupe(list: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const v of list) if (!out.includes(v)) out.push(v);
  return out;
}

function indexIn(list: unknown[], item: unknown, mergeKey: string | undefined): number {
  if (!mergeKey) return list.indexOf(item);
  const v = isObj(item) ? item[mergeKey] : undefined;
  return list.findIndex((o) => isObj(o) && o[mergeKey] === v);
}

/** Splits `list` into the items present in `by` and the others (server-only), keeping their order. */
function partition(list: unknown[], by: unknown[], mergeKey: string | undefined): [unknown[], unknown[]] {
  const inBy: unknown[] = [];
  const others: unknown[] = [];
  for (const v of list) {
    if (mergeKey && !isObj(v)) throw new PatchError(`invalid list item ${goValue(v)}: expected a map`);
    if (mergeKey && !(mergeKey in (v as Obj))) throw new PatchError(`map: ${goValue(v)} does not contain declared merge key: ${mergeKey}`);
    (indexIn(by, v, mergeKey) >= 0 ? inBy : others).push(v);
  }
  return [inBy, others];
}

function sortByOrder(items: unknown[], order: unknown[], mergeKey: string | undefined): unknown[] {
  let toDelete: unknown[] = [];
  let keep = items;
  if (mergeKey) {
    keep = items.filter((v) => !(isObj(v) && v[DIRECTIVE] === 'delete'));
    toDelete = items.filter((v) => isObj(v) && v[DIRECTIVE] === 'delete');
  }
  const indexed = keep.map((v, i) => ({ v, i, at: indexIn(order, v, mergeKey) }));
  indexed.sort((a, b) => (a.at >= 0 && b.at >= 0 && a.at !== b.at ? a.at - b.at : a.i - b.i));
  return [...indexed.map((x) => x.v), ...toDelete];
}

/**
 * The order of a merged list: the patch's items in the patch's order, the server-only items in the live
 * order, interleaved so that a server-only item comes before a patch item only when the live list had it
 * first.
 */
function normalizeOrder(inPatch: unknown[], serverOnly: unknown[], patchOrder: unknown[], serverOrder: unknown[], mergeKey: string | undefined): unknown[] {
  const right = sortByOrder(inPatch, patchOrder, mergeKey);
  const left = sortByOrder(serverOnly, serverOrder, mergeKey);
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = indexIn(serverOrder, left[i], mergeKey);
      const ri = indexIn(serverOrder, right[j], mergeKey);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}

/** Directive keys left inside values taken whole from the patch are dropped, as decoding into a type drops them. */
function stripDirectives(v: unknown): unknown {
  if (Array.isArray(v)) {
    return v.filter((x) => !(isObj(x) && x[DIRECTIVE] === 'delete' && Object.keys(x).length <= 2)).map(stripDirectives);
  }
  if (!isObj(v)) return v;
  for (const k of Object.keys(v)) {
    if (k === DIRECTIVE || k === RETAIN_KEYS || k.startsWith(SET_ORDER) || k.startsWith(DELETE_PRIMITIVE)) delete v[k];
    else v[k] = stripDirectives(v[k]);
  }
  return v;
}
