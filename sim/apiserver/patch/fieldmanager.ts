/**
 * Field ownership (`metadata.managedFields`) and server-side apply, after the API server's field manager and
 * sigs.k8s.io/structured-merge-diff: every write records which manager set which fields (`FieldsV1`), an apply
 * merges the applied configuration into the live object, removes the fields the applier stopped applying
 * (unless someone else owns them) and fails with a 409 when it would change fields other managers own.
 */
import { badRequest, StatusError, type StatusCause } from '../errors.ts';
import type { KObject } from '../types.ts';
import { rfc3339 } from '../../util/time.ts';
import { childType, fieldOf, TYPES, type Field } from './schema.ts';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObj(a) && isObj(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

// ---------------------------------------------------------------------------------------------------------------
// Field sets

/** A path element as FieldsV1 writes it: `f:name`, `k:{"name":"web"}`, `v:"x"`, `i:0`. */
type PE = string;

/** A set of field paths as a tree: `members` are the paths that end at this node, `children` go deeper. */
export class FieldSet {
  members = new Set<PE>();
  children = new Map<PE, FieldSet>();

  isEmpty(): boolean {
    if (this.members.size) return false;
    for (const c of this.children.values()) if (!c.isEmpty()) return false;
    return true;
  }

  insert(path: PE[]): void {
    let node: FieldSet = this;
    for (let i = 0; i < path.length - 1; i++) node = node.child(path[i], true)!;
    if (path.length) node.members.add(path[path.length - 1]);
  }

  has(path: PE[]): boolean {
    let node: FieldSet | undefined = this;
    for (let i = 0; i < path.length - 1 && node; i++) node = node.children.get(path[i]);
    return !!node && path.length > 0 && node.members.has(path[path.length - 1]);
  }

  child(pe: PE, create = false): FieldSet | undefined {
    let c = this.children.get(pe);
    if (!c && create) {
      c = new FieldSet();
      this.children.set(pe, c);
    }
    return c;
  }

  union(o: FieldSet): FieldSet {
    const out = this.copy();
    out.addAll(o);
    return out;
  }

  private addAll(o: FieldSet): void {
    for (const m of o.members) this.members.add(m);
    for (const [pe, c] of o.children) this.child(pe, true)!.addAll(c);
  }

  /** The paths of this set that are not in `o` (a member of `o` removes only that path, not its children). */
  difference(o: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const m of this.members) if (!o.members.has(m)) out.members.add(m);
    for (const [pe, c] of this.children) {
      const oc = o.children.get(pe);
      const d = oc ? c.difference(oc) : c.copy();
      if (!d.isEmpty()) out.children.set(pe, d);
    }
    return out;
  }

  intersection(o: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const m of this.members) if (o.members.has(m)) out.members.add(m);
    for (const [pe, c] of this.children) {
      const oc = o.children.get(pe);
      if (!oc) continue;
      const i = c.intersection(oc);
      if (!i.isEmpty()) out.children.set(pe, i);
    }
    return out;
  }

  /** True when `path` or anything under it is in the set. */
  touches(path: PE[]): boolean {
    let node: FieldSet | undefined = this;
    for (let i = 0; i < path.length - 1 && node; i++) node = node.children.get(path[i]);
    if (!node || !path.length) return false;
    const last = path[path.length - 1];
    return node.members.has(last) || !!node.children.get(last) && !node.children.get(last)!.isEmpty();
  }

  copy(): FieldSet {
    const out = new FieldSet();
    for (const m of this.members) out.members.add(m);
    for (const [pe, c] of this.children) out.children.set(pe, c.copy());
    return out;
  }

  /** Every member path. */
  paths(prefix: PE[] = []): PE[][] {
    const out: PE[][] = [];
    const keys = new Set<PE>([...this.members, ...this.children.keys()]);
    for (const pe of [...keys].sort(comparePE)) {
      if (this.members.has(pe)) out.push([...prefix, pe]);
      const c = this.children.get(pe);
      if (c) out.push(...c.paths([...prefix, pe]));
    }
    return out;
  }

  /** Removes the subtree under a path element (used to drop ignored fields). */
  drop(path: PE[]): void {
    let node: FieldSet | undefined = this;
    for (let i = 0; i < path.length - 1 && node; i++) node = node.children.get(path[i]);
    if (!node || !path.length) return;
    node.members.delete(path[path.length - 1]);
    node.children.delete(path[path.length - 1]);
  }

  /** Keeps only the subtree under a path element. */
  only(pe: PE): FieldSet {
    const out = new FieldSet();
    if (this.members.has(pe)) out.members.add(pe);
    const c = this.children.get(pe);
    if (c) out.children.set(pe, c.copy());
    return out;
  }

  /** The FieldsV1 JSON form: `{"f:spec":{"f:replicas":{}}}`, with `".": {}` for a member that has children. */
  toJSON(): Obj {
    const out: Obj = {};
    const keys = new Set<PE>([...this.members, ...this.children.keys()]);
    for (const pe of [...keys].sort(comparePE)) {
      const c = this.children.get(pe);
      // A node left empty (`metadata` once its `name` is dropped) is no path at all: writing it as `{}` would
      // read back as a member.
      if (!this.members.has(pe) && (!c || c.isEmpty())) continue;
      const sub: Obj = c && !c.isEmpty() ? c.toJSON() : {};
      if (this.members.has(pe) && c && !c.isEmpty()) out[pe] = { '.': {}, ...sub };
      else out[pe] = sub;
    }
    return out;
  }

  static fromJSON(v: unknown): FieldSet {
    const out = new FieldSet();
    if (!isObj(v)) return out;
    for (const [pe, sub] of Object.entries(v)) {
      if (pe === '.') continue;
      const subObj = isObj(sub) ? sub : {};
      const keys = Object.keys(subObj);
      if (keys.length === 0 || '.' in subObj) out.members.add(pe);
      if (keys.some((k) => k !== '.')) out.children.set(pe, FieldSet.fromJSON(subObj));
    }
    return out;
  }
}

const PE_RANK: Record<string, number> = { f: 0, k: 1, v: 2, i: 3 };

function comparePE(a: PE, b: PE): number {
  const ra = PE_RANK[a[0]] ?? 9;
  const rb = PE_RANK[b[0]] ?? 9;
  if (ra !== rb) return ra - rb;
  if (a[0] === 'i' && b[0] === 'i') return Number(a.slice(2)) - Number(b.slice(2));
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A path as the API server prints it in conflicts: `.spec.template.spec.containers[name="web"].image`. */
export function formatPath(path: PE[]): string {
  let out = '';
  for (const pe of path) {
    const body = pe.slice(2);
    switch (pe[0]) {
      case 'f':
        out += '.' + body;
        break;
      case 'k': {
        const keys = JSON.parse(body) as Obj;
        out += '[' + Object.keys(keys).sort().map((k) => `${k}=${JSON.stringify(keys[k])}`).join(',') + ']';
        break;
      }
      case 'v':
        out += `[=${body}]`;
        break;
      default:
        out += `[${body}]`;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Walking objects with the schema

/** Key fields with a default in the OpenAPI schema (a port without protocol is TCP). */
const KEY_DEFAULTS: Record<string, unknown> = { protocol: 'TCP' };

function listKeyPE(item: unknown, keys: string[], path: PE[]): PE {
  if (!isObj(item)) throw badRequest(`${formatPath(path)}: expected a map in an associative list, got ${JSON.stringify(item)}`);
  const k: Obj = {};
  for (const name of [...keys].sort()) {
    let v = item[name];
    if (v === undefined || v === null) v = KEY_DEFAULTS[name];
    if (v === undefined) {
      throw badRequest(`${formatPath(path)}: associative list with keys has an element that omits key field "${name}" (and doesn't have default value)`);
    }
    k[name] = v;
  }
  return 'k:' + JSON.stringify(k);
}

function valuePE(v: unknown): PE {
  return 'v:' + JSON.stringify(v);
}

type ListField = Extract<Field, { kind: 'list' }>;

function isAssociative(field: Field | undefined): field is ListField {
  return field?.kind === 'list' && (field.listType === 'map' || field.listType === 'set');
}

function isAtomic(field: Field | undefined): boolean {
  if (!field) return false;
  if (field.kind === 'atomic') return true;
  if (field.kind === 'struct') return !!TYPES[field.type]?.atomic;
  if (field.kind === 'list') return field.listType === 'atomic';
  if (field.kind === 'map') return !!field.atomic;
  return false;
}

function itemPE(field: ListField, item: unknown, path: PE[]): PE {
  return field.listType === 'map' ? listKeyPE(item, field.keys ?? [], path) : valuePE(item);
}

/** The fields an applied configuration sets: its leaves and the items of its associative lists. */
export function toFieldSet(value: unknown, type: string | undefined): FieldSet {
  const out = new FieldSet();
  const walk = (v: unknown, t: string | undefined, field: Field | undefined, path: PE[]) => {
    if (path.length && (isAtomic(field) || (!isObj(v) && !Array.isArray(v)))) {
      out.insert(path);
      return;
    }
    if (Array.isArray(v)) {
      if (!isAssociative(field) || v.length === 0) {
        out.insert(path);
        return;
      }
      for (const item of v) {
        const pe = itemPE(field, item, path);
        out.insert([...path, pe]);
        if (field.listType === 'map' && isObj(item)) walkMap(item, childType(field), [...path, pe]);
      }
      return;
    }
    const m = v as Obj;
    if (path.length && Object.keys(m).length === 0) {
      out.insert(path);
      return;
    }
    walkMap(m, t, path);
  };
  const walkMap = (m: Obj, t: string | undefined, path: PE[]) => {
    for (const [k, cv] of Object.entries(m)) {
      if (cv === undefined) continue;
      const f = fieldOf(t, k);
      walk(cv, childType(f), f, [...path, 'f:' + k]);
    }
  };
  walk(value, type, undefined, []);
  return out;
}

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

/** What changed from `a` to `b`, as paths: added subtrees (with their intermediate nodes), changed leaves, removed subtrees. */
export function compare(a: unknown, b: unknown, type: string | undefined): Comparison {
  const res: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  const subtree = (into: FieldSet, v: unknown, t: string | undefined, field: Field | undefined, path: PE[]) => {
    const always = (field?.kind === 'struct' && field.always && isObj(v)) || (field?.kind === 'list' && field.always);
    if (!always) into.insert(path);
    if (isAtomic(field)) return;
    if (Array.isArray(v)) {
      if (!isAssociative(field)) return;
      for (const item of v) {
        const pe = itemPE(field, item, path);
        if (field.listType === 'map' && isObj(item)) subtree(into, item, childType(field), { kind: 'struct', type: childType(field) ?? '' }, [...path, pe]);
        else into.insert([...path, pe]);
      }
    } else if (isObj(v)) {
      for (const [k, cv] of Object.entries(v)) {
        if (cv === undefined) continue;
        const f = fieldOf(t, k);
        subtree(into, cv, childType(f), f, [...path, 'f:' + k]);
      }
    }
  };
  const walk = (x: unknown, y: unknown, t: string | undefined, field: Field | undefined, path: PE[]) => {
    if (x === undefined && y === undefined) return;
    if (x === undefined) return subtree(res.added, y, t, field, path);
    if (y === undefined) return subtree(res.removed, x, t, field, path);
    if (isAtomic(field) || kind(x) !== kind(y) || (!isObj(x) && !Array.isArray(x))) {
      if (!deepEqual(x, y)) res.modified.insert(path);
      return;
    }
    if (Array.isArray(x) && Array.isArray(y)) {
      if (!isAssociative(field)) {
        if (!deepEqual(x, y)) res.modified.insert(path);
        return;
      }
      const xs = indexItems(field, x, path);
      const ys = indexItems(field, y, path);
      const ct = childType(field);
      const itemField: Field = { kind: 'struct', type: ct ?? '' };
      for (const [pe, xv] of xs) {
        if (!ys.has(pe)) {
          if (field.listType === 'map') subtree(res.removed, xv, ct, itemField, [...path, pe]);
          else res.removed.insert([...path, pe]);
        } else if (field.listType === 'map') walk(xv, ys.get(pe), ct, itemField, [...path, pe]);
      }
      for (const [pe, yv] of ys) {
        if (xs.has(pe)) continue;
        if (field.listType === 'map') subtree(res.added, yv, ct, itemField, [...path, pe]);
        else res.added.insert([...path, pe]);
      }
      return;
    }
    const xo = x as Obj;
    const yo = y as Obj;
    for (const k of new Set([...Object.keys(xo), ...Object.keys(yo)])) {
      const f = fieldOf(t, k);
      walk(xo[k], yo[k], childType(f), f, [...path, 'f:' + k]);
    }
  };
  walk(a ?? {}, b ?? {}, type, undefined, []);
  return res;
}

function kind(v: unknown): string {
  return Array.isArray(v) ? 'list' : isObj(v) ? 'map' : 'scalar';
}

function indexItems(field: ListField, list: unknown[], path: PE[]): Map<PE, unknown> {
  const out = new Map<PE, unknown>();
  for (const item of list) {
    const pe = itemPE(field, item, path);
    if (!out.has(pe)) out.set(pe, item);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Merging an applied configuration

/** Merges an applied configuration into an object with server-side apply's rules (maps and associative lists merge). */
export function applyMerge(live: unknown, config: unknown, type: string | undefined): unknown {
  return mergeValue(live, config, type, undefined, []);
}

function mergeValue(l: unknown, r: unknown, t: string | undefined, field: Field | undefined, path: PE[]): unknown {
  if (r === undefined) return l;
  if (r === null) return undefined;
  if (isAtomic(field)) return clone(r);
  if (isObj(r)) {
    if (!isObj(l)) return clone(r);
    const out: Obj = { ...l };
    for (const [k, rv] of Object.entries(r)) {
      const f = fieldOf(t, k);
      const v = mergeValue(l[k], rv, childType(f), f, [...path, 'f:' + k]);
      if (v === undefined) delete out[k];
      else out[k] = v;
    }
    return out;
  }
  if (Array.isArray(r)) {
    if (!Array.isArray(l) || !isAssociative(field)) return clone(r);
    return mergeList(l, r, field, path);
  }
  return r;
}

/** Interleaves the live items and the applied ones: shared items take the applied order, others keep their place. */
function mergeList(lhs: unknown[], rhs: unknown[], field: ListField, path: PE[]): unknown[] {
  const lPEs = lhs.map((v) => itemPE(field, v, path));
  const rPEs = rhs.map((v) => itemPE(field, v, path));
  const lSet = new Map<PE, unknown>();
  lPEs.forEach((pe, i) => lSet.has(pe) || lSet.set(pe, lhs[i]));
  const rSet = new Map<PE, unknown>();
  rPEs.forEach((pe, i) => rSet.has(pe) || rSet.set(pe, rhs[i]));
  const shared = rPEs.filter((pe) => lSet.has(pe));
  let nextShared = shared.shift();
  const done = new Set<PE>();
  const out: unknown[] = [];
  const mergeItem = (pe: PE, lv: unknown, rv: unknown) => {
    if (field.listType === 'set') return rv !== undefined ? rv : lv;
    const ct = childType(field);
    return rv === undefined ? lv : lv === undefined ? clone(rv) : mergeValue(lv, rv, ct, { kind: 'struct', type: ct ?? '' }, [...path, pe]);
  };
  let li = 0;
  let ri = 0;
  while (li < lPEs.length || ri < rPEs.length) {
    if (li < lPEs.length && ri < rPEs.length) {
      const pe = lPEs[li];
      if (pe === rPEs[ri]) {
        done.add(pe);
        out.push(mergeItem(pe, lSet.get(pe), rSet.get(pe)));
        li++;
        ri++;
        nextShared = shared.shift();
        continue;
      }
      if (rSet.has(pe) && nextShared !== undefined && nextShared !== pe) {
        li++;
        continue;
      }
    }
    if (li < lPEs.length) {
      const pe = lPEs[li];
      if (!rSet.has(pe)) {
        out.push(lhs[li]);
        li++;
        continue;
      }
      if (done.has(pe)) {
        li++;
        continue;
      }
    }
    if (ri < rPEs.length) {
      const pe = rPEs[ri];
      done.add(pe);
      out.push(mergeItem(pe, lSet.get(pe), rSet.get(pe)));
      ri++;
      if (nextShared === pe) nextShared = shared.shift();
    }
  }
  return out;
}

/** Removes the paths of `set` from an object (a member removes its whole subtree). */
function removePaths(value: unknown, set: FieldSet, t: string | undefined, field: Field | undefined, path: PE[]): unknown {
  if (Array.isArray(value)) {
    if (!isAssociative(field)) return value;
    const out: unknown[] = [];
    for (const item of value) {
      const pe = itemPE(field, item, path);
      if (set.members.has(pe)) continue;
      const sub = set.children.get(pe);
      out.push(sub && field.listType === 'map' ? removePaths(item, sub, childType(field), { kind: 'struct', type: childType(field) ?? '' }, [...path, pe]) : item);
    }
    return out;
  }
  if (!isObj(value)) return value;
  const out: Obj = { ...value };
  for (const k of Object.keys(value)) {
    const pe = 'f:' + k;
    if (set.members.has(pe)) {
      delete out[k];
      continue;
    }
    const sub = set.children.get(pe);
    if (!sub) continue;
    const f = fieldOf(t, k);
    const v = removePaths(value[k], sub, childType(f), f, [...path, pe]);
    // A map or list emptied by the removal goes too, as an omitempty field would.
    if ((isObj(v) && Object.keys(v).length === 0 && !(f?.kind === 'struct' && f.always)) || (Array.isArray(v) && v.length === 0)) delete out[k];
    else out[k] = v;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Managers

export interface ManagedFieldsEntry {
  manager?: string;
  operation?: 'Apply' | 'Update';
  apiVersion?: string;
  time?: string;
  fieldsType?: string;
  fieldsV1?: unknown;
  subresource?: string;
}

interface Manager {
  entry: ManagedFieldsEntry;
  set: FieldSet;
}

/** The identity of a manager: who, how (Apply/Update), at which version (updates only) and on which subresource. */
function managerKey(e: ManagedFieldsEntry): string {
  return JSON.stringify({
    manager: e.manager ?? '',
    operation: e.operation ?? '',
    apiVersion: e.operation === 'Apply' ? '' : (e.apiVersion ?? ''),
    subresource: e.subresource ?? '',
  });
}

function decodeManagers(list: unknown): Map<string, Manager> {
  const out = new Map<string, Manager>();
  if (!Array.isArray(list)) return out;
  for (const e of list) {
    if (!isObj(e) || typeof e.manager !== 'string') continue;
    const entry = e as ManagedFieldsEntry;
    const key = managerKey(entry);
    const set = FieldSet.fromJSON(entry.fieldsV1);
    const prev = out.get(key);
    if (prev) prev.set = prev.set.union(set);
    else out.set(key, { entry: { ...entry }, set });
  }
  return out;
}

function encodeManagers(managers: Map<string, Manager>): ManagedFieldsEntry[] | undefined {
  const entries: ManagedFieldsEntry[] = [];
  for (const m of managers.values()) {
    if (m.set.isEmpty()) continue;
    const e: ManagedFieldsEntry = { manager: m.entry.manager, operation: m.entry.operation, apiVersion: m.entry.apiVersion };
    if (m.entry.time) e.time = m.entry.time;
    e.fieldsType = 'FieldsV1';
    e.fieldsV1 = m.set.toJSON();
    if (m.entry.subresource) e.subresource = m.entry.subresource;
    entries.push(e);
  }
  entries.sort((p, q) => {
    if (p.operation !== q.operation) return (p.operation ?? '') < (q.operation ?? '') ? -1 : 1;
    const pt = p.time ? Date.parse(p.time) : 0;
    const qt = q.time ? Date.parse(q.time) : 0;
    if (pt !== qt) return pt - qt;
    if (p.manager !== q.manager) return (p.manager ?? '') < (q.manager ?? '') ? -1 : 1;
    if (p.apiVersion !== q.apiVersion) return (p.apiVersion ?? '') < (q.apiVersion ?? '') ? -1 : 1;
    return (p.subresource ?? '') < (q.subresource ?? '') ? -1 : (p.subresource ?? '') > (q.subresource ?? '') ? 1 : 0;
  });
  return entries.length ? entries : undefined;
}

const SYSTEM_META = ['name', 'namespace', 'uid', 'resourceVersion', 'creationTimestamp', 'generation', 'managedFields', 'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds'];

/** Drops what no manager owns: type meta, server-set metadata, and status (main resource) or all but status (status subresource). */
function scope(set: FieldSet, subresource: string | undefined, hasStatus: boolean): FieldSet {
  const out = set.copy();
  out.drop(['f:apiVersion']);
  out.drop(['f:kind']);
  for (const f of SYSTEM_META) out.drop(['f:metadata', 'f:' + f]);
  if (subresource === 'status') return out.only('f:status');
  if (hasStatus) out.drop(['f:status']);
  return out;
}

export interface ManagedFieldsOptions {
  /** the manager (fieldManager, or the user agent's product name) */
  manager: string;
  /** the group/version of the request */
  apiVersion: string;
  subresource?: string;
  /** whether the resource has a status the main resource does not write */
  hasStatus: boolean;
  nowMs: number;
  /** the schema type of the kind */
  type: string | undefined;
}

/**
 * Records an Update by `manager`: it owns what it added or changed, others lose what it changed or removed.
 * `next` is the object to store (after defaulting); `old` the live object (undefined on create). Returns the
 * new managedFields (undefined when none). A request that sets `managedFields: [{}]` clears them; one that
 * sends other managedFields than the live ones replaces them.
 */
export function updateManagedFields(old: KObject | undefined, next: KObject, opts: ManagedFieldsOptions): ManagedFieldsEntry[] | undefined {
  const requested = next.metadata.managedFields;
  let base: unknown = old?.metadata.managedFields;
  if (Array.isArray(requested) && requested.length > 0 && !deepEqual(requested, base)) {
    if (requested.every((e) => !isObj(e) || Object.keys(e).length === 0)) return undefined;
    base = requested;
  }
  const managers = decodeManagers(base);
  const cmp = compare(old, next, opts.type);
  const changed = scope(cmp.modified.union(cmp.added), opts.subresource, opts.hasStatus);
  const removed = scope(cmp.removed, opts.subresource, opts.hasStatus);
  // Nothing changed: the managers stay exactly as they were (a no-op write stays a no-op).
  if (changed.isEmpty() && removed.isEmpty()) return Array.isArray(base) && base.length ? (base as ManagedFieldsEntry[]) : undefined;
  const entry: ManagedFieldsEntry = { manager: opts.manager, operation: 'Update', apiVersion: opts.apiVersion, time: rfc3339(opts.nowMs), subresource: opts.subresource };
  const key = managerKey(entry);
  for (const [k, m] of managers) {
    if (k === key) continue;
    m.set = m.set.difference(changed).difference(removed);
  }
  const mine = managers.get(key)?.set ?? new FieldSet();
  managers.set(key, { entry, set: mine.difference(removed).union(changed) });
  return encodeManagers(managers);
}

export interface ApplyOptions extends ManagedFieldsOptions {
  force: boolean;
}

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

interface Conflict {
  manager: ManagedFieldsEntry;
  path: PE[];
}

/**
 * Server-side apply of `config` by `opts.manager` onto `live` (undefined: the object is created). Returns the
 * object to store, with its managedFields; throws the API server's 409 on conflicts (unless forced).
 */
export function serverSideApply(live: KObject | undefined, config: KObject, opts: ApplyOptions): KObject {
  if (!isObj(config)) throw badRequest('error decoding YAML: the applied configuration must be an object');
  const meta = isObj(config.metadata) ? (config.metadata as KObject['metadata']) : undefined;
  if (meta?.managedFields !== undefined && meta.managedFields !== null) throw badRequest('metadata.managedFields must be nil');
  if (config.apiVersion !== opts.apiVersion) {
    throw badRequest(`Incorrect version specified in apply patch. Specified patch version: ${config.apiVersion ?? ''}, expected: ${opts.apiVersion}`);
  }
  const managers = decodeManagers(live?.metadata.managedFields);
  const configSet = scope(toFieldSet(config, opts.type), opts.subresource, opts.hasStatus);
  const base = live ?? ({ apiVersion: config.apiVersion, kind: config.kind, metadata: {} } as KObject);
  let merged = applyMerge(base, config, opts.type) as KObject;
  const entry: ManagedFieldsEntry = { manager: opts.manager, operation: 'Apply', apiVersion: opts.apiVersion, time: rfc3339(opts.nowMs), subresource: opts.subresource };
  const key = managerKey(entry);
  const last = managers.get(key)?.set;
  managers.set(key, { entry, set: configSet });

  if (last && !last.isEmpty()) {
    // Fields this manager applied before and no longer applies go, unless someone (this apply included) owns them.
    let owned = new FieldSet();
    for (const m of managers.values()) owned = owned.union(m.set);
    const toRemove = prunable(last, owned);
    if (!toRemove.isEmpty()) merged = removePaths(merged, toRemove, opts.type, undefined, []) as KObject;
  }

  const cmp = compare(live, merged, opts.type);
  const changed = scope(cmp.modified.union(cmp.added), opts.subresource, opts.hasStatus);
  const removed = scope(cmp.removed, opts.subresource, opts.hasStatus);
  let conflicts: Conflict[] = [];
  for (const [k, m] of managers) {
    if (k === key) continue;
    for (const p of m.set.intersection(changed).paths()) conflicts.push({ manager: m.entry, path: p });
  }
  let force = opts.force;
  if (conflicts.length && !force && opts.manager === 'kubectl' && live) {
    // Upgrading from client-side apply: conflicts on fields that still hold their last-applied values are allowed.
    const allowed = allowedFromLastApplied(live, opts.type);
    conflicts = conflicts.filter((c) => !allowed.has(c.path));
    if (conflicts.length === 0) force = true;
  }
  if (conflicts.length && !force) throw conflictError(conflicts);
  for (const [k, m] of managers) {
    if (k === key) continue;
    m.set = m.set.difference(changed).difference(removed);
  }
  if (opts.manager === 'kubectl' && live?.metadata.annotations?.[LAST_APPLIED] !== undefined) {
    const applied = clone(config);
    if (applied.metadata?.annotations) {
      delete applied.metadata.annotations[LAST_APPLIED];
      if (Object.keys(applied.metadata.annotations).length === 0) delete applied.metadata.annotations;
    }
    merged.metadata = { ...merged.metadata, annotations: { ...merged.metadata.annotations, [LAST_APPLIED]: JSON.stringify(applied) + '\n' } };
  }
  const encoded = encodeManagers(managers);
  merged.metadata = { ...merged.metadata };
  if (encoded) merged.metadata.managedFields = encoded;
  else delete merged.metadata.managedFields;
  return merged;
}

/** The member paths of `last` that nobody owns any more (kept when something under them is still owned). */
function prunable(last: FieldSet, owned: FieldSet): FieldSet {
  const out = new FieldSet();
  for (const m of last.members) {
    if (owned.members.has(m)) {
      // Still owned itself, but fields under it may have been let go.
      const lc = last.children.get(m);
      if (lc) {
        const sub = prunable(lc, owned.children.get(m) ?? new FieldSet());
        if (!sub.isEmpty()) out.children.set(m, sub);
      }
      continue;
    }
    const oc = owned.children.get(m);
    if (oc && !oc.isEmpty()) {
      const lc = last.children.get(m);
      if (lc) {
        const sub = prunable(lc, oc);
        if (!sub.isEmpty()) out.children.set(m, sub);
      }
      continue;
    }
    out.members.add(m);
  }
  for (const [pe, lc] of last.children) {
    if (last.members.has(pe)) continue;
    const sub = prunable(lc, owned.children.get(pe) ?? new FieldSet());
    if (!sub.isEmpty()) out.children.set(pe, sub);
  }
  return out;
}

function allowedFromLastApplied(live: KObject, type: string | undefined): FieldSet {
  const raw = live.metadata.annotations?.[LAST_APPLIED];
  if (!raw) return new FieldSet();
  let lastApplied: unknown;
  try {
    lastApplied = JSON.parse(raw);
  } catch {
    return new FieldSet();
  }
  const set = toFieldSet(lastApplied, type);
  // Only the fields whose live value still is the last-applied one.
  const diff = compare(lastApplied, live, type);
  return set.difference(diff.modified);
}

function printManager(e: ManagedFieldsEntry): string {
  let s = JSON.stringify(e.manager ?? '');
  if (e.subresource) s += ` with subresource ${JSON.stringify(e.subresource)}`;
  // The conflict names the manager by its identity, which has no time (and, for appliers, no version).
  return e.operation === 'Update' ? `${s} using ${e.apiVersion ?? ''}` : s;
}

function conflictError(conflicts: Conflict[]): StatusError {
  const causes: StatusCause[] = conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${printManager(c.manager)}`, field: formatPath(c.path) }));
  let message: string;
  if (conflicts.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${printManager(conflicts[0].manager)}: ${formatPath(conflicts[0].path)}`;
  } else {
    const byManager = new Map<string, Conflict[]>();
    for (const c of conflicts) {
      const name = printManager(c.manager);
      byManager.set(name, [...(byManager.get(name) ?? []), c]);
    }
    const lines: string[] = [];
    for (const name of [...byManager.keys()].sort()) {
      lines.push(`conflicts with ${name}:`);
      for (const c of byManager.get(name)!) lines.push(`- ${formatPath(c.path)}`);
    }
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
  }
  return new StatusError(409, 'Conflict', message, { causes });
}
