import type { Rng } from '../util/rng.ts';
import { rfc3339 } from '../util/time.ts';
import { badRequest, conflict, forbidden, invalid, notFound, alreadyExists, StatusError, type FieldError, type Status } from './errors.ts';
import { dns1123Subdomain, validateAnnotations, validateLabels } from './names.ts';
import { applyPatch, type PatchType } from './patch.ts';
import { DEFAULT_STRATEGY, STRATEGIES } from './registry/index.ts';
import { apiVersionOf, NAMESPACES, qualifiedName, type ResourceInfo } from './resources.ts';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector, validateFieldSelector, type FieldRequirement, type LabelSelector } from './selectors.ts';
import { ObjectStore, type StoreEvent } from './store.ts';
import type { Strategy, StrategyContext } from './strategy.ts';
import { runAdmit, runValidate, type AdmissionAttributes, type AdmissionPlugin } from './admission/index.ts';
import type { KObject } from './types.ts';

export interface WriteOptions {
  dryRun?: boolean;
  fieldManager?: string;
  /** Strict | Warn | Ignore; unknown fields are not tracked by this server, so only recorded */
  fieldValidation?: string;
  /** a subresource being written: `status` */
  subresource?: string;
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
}

export interface WatchOptions extends ListOptions {
  allowWatchBookmarks?: boolean;
  sendInitialEvents?: boolean;
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

export interface ListResult {
  items: KObject[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: KObject | Status;
}

export interface ApiContext {
  store: ObjectStore;
  rng: Rng;
  nowMs(): number;
}

/** The request-level API machinery: what kube-apiserver does between decoding a request and etcd. */
export class ApiServer {
  private ctx: ApiContext;
  /** Admission plugins (LimitRanger, ResourceQuota: sim/apiserver/admission), installed by their components. */
  readonly admission: AdmissionPlugin[] = [];

  constructor(ctx: ApiContext) {
    this.ctx = ctx;
  }

  private sctx(): StrategyContext {
    const nowMs = this.ctx.nowMs();
    return { nowMs, now: rfc3339(nowMs), rng: this.ctx.rng, store: this.ctx.store };
  }

  strategy(info: ResourceInfo): Strategy {
    return STRATEGIES[`${info.group}/${info.resource}`] ?? DEFAULT_STRATEGY;
  }

  get(info: ResourceInfo, namespace: string | undefined, name: string): KObject {
    const obj = this.ctx.store.get(info, namespace, name);
    if (!obj) throw notFound(qualifiedName(info), name, info.group);
    return obj;
  }

  list(info: ResourceInfo, namespace: string | undefined, opts: ListOptions = {}): ListResult {
    const labels = parseLabelSelector(opts.labelSelector);
    const fields = parseFieldSelector(opts.fieldSelector);
    validateFieldSelector(`${info.group}/${info.resource}`, fields);
    const rv = String(this.ctx.store.currentRV());
    let all = this.ctx.store.list(info, info.namespaced ? namespace : undefined);
    all = all.filter((o) => this.matches(info, o, labels, fields));
    let start = 0;
    if (opts.continue) {
      const after = decodeContinue(opts.continue);
      start = all.findIndex((o) => keyOf(o) > after);
      if (start < 0) start = all.length;
    }
    const limit = opts.limit && opts.limit > 0 ? opts.limit : undefined;
    const items = limit ? all.slice(start, start + limit) : all.slice(start);
    const result: ListResult = { items, resourceVersion: rv };
    if (limit && start + limit < all.length) {
      result.continue = encodeContinue(keyOf(items[items.length - 1]), rv);
      result.remainingItemCount = all.length - start - limit;
    }
    return result;
  }

  private matches(info: ResourceInfo, o: KObject, labels: LabelSelector, fields: FieldRequirement[]): boolean {
    return matchesLabels(labels, o.metadata.labels) && matchesFields(`${info.group}/${info.resource}`, fields, o);
  }

  create(info: ResourceInfo, namespace: string | undefined, body: unknown, opts: WriteOptions = {}): KObject {
    const obj = this.decode(info, namespace, body);
    const sctx = this.sctx();
    const strategy = this.strategy(info);
    const meta = obj.metadata;
    if (!meta.name && meta.generateName) {
      meta.name = meta.generateName + this.ctx.rng.suffix(5);
    }
    this.checkNamespaceOpen(info, meta.namespace, meta.name ?? meta.generateName ?? '', 'create');
    strategy.defaults?.(obj, sctx);
    // Mutating admission runs before validation, validating admission after it (both before storage).
    const adm: AdmissionAttributes = { operation: 'CREATE', info, namespace: meta.namespace, name: meta.name ?? '', object: obj, dryRun: !!opts.dryRun, store: this.ctx.store };
    if (this.admission.length) runAdmit(this.admission, adm);
    // Like the real strategies, metadata and spec errors are reported together.
    const errs = this.validateMeta(info, obj, strategy);
    errs.push(...(strategy.validate?.(obj, sctx) ?? []));
    if (errs.length) throw invalid(info.kind, meta.name ?? meta.generateName ?? '', errs, info.group);
    if (this.admission.length) runValidate(this.admission, adm);
    if (this.ctx.store.get(info, meta.namespace, meta.name!)) throw alreadyExists(qualifiedName(info), meta.name!, info.group);
    delete meta.resourceVersion;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    meta.uid = this.ctx.rng.uuid();
    meta.creationTimestamp = sctx.now;
    if (strategy.tracksGeneration) meta.generation = 1;
    if (strategy.hasStatus) delete obj.status;
    strategy.prepareForCreate?.(obj, sctx);
    if (opts.dryRun) return obj;
    return this.ctx.store.put(info, obj);
  }

  update(info: ResourceInfo, namespace: string | undefined, name: string, body: unknown, opts: WriteOptions = {}): KObject {
    const obj = this.decode(info, namespace, body);
    if (obj.metadata.name !== undefined && obj.metadata.name !== name) {
      throw badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`);
    }
    obj.metadata.name = name;
    const old = this.get(info, namespace, name);
    if (obj.metadata.resourceVersion && obj.metadata.resourceVersion !== old.metadata.resourceVersion) {
      throw conflict(qualifiedName(info), name, 'the object has been modified; please apply your changes to the latest version and try again', info.group);
    }
    return this.commitUpdate(info, old, obj, opts);
  }

  patch(info: ResourceInfo, namespace: string | undefined, name: string, type: PatchType, patch: unknown, opts: WriteOptions = {}): KObject {
    const old = this.get(info, namespace, name);
    const patched = applyPatch(type, old, patch, info);
    const obj = this.decode(info, namespace, patched);
    if (obj.metadata.name !== name) throw badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`);
    if (obj.metadata.uid && obj.metadata.uid !== old.metadata.uid) {
      throw conflict(qualifiedName(info), name, `Precondition failed: UID in precondition: ${obj.metadata.uid}, UID in object meta: ${old.metadata.uid}`, info.group);
    }
    if (obj.metadata.resourceVersion && obj.metadata.resourceVersion !== old.metadata.resourceVersion) {
      throw conflict(qualifiedName(info), name, 'the object has been modified; please apply your changes to the latest version and try again', info.group);
    }
    return this.commitUpdate(info, old, obj, opts);
  }

  /** Shared end of update and patch: ownership of spec vs status, immutable metadata, validation, write. */
  private commitUpdate(info: ResourceInfo, old: KObject, obj: KObject, opts: WriteOptions): KObject {
    const sctx = this.sctx();
    const strategy = this.strategy(info);
    const meta = obj.metadata;
    if (strategy.hasStatus) {
      if (opts.subresource === 'status') {
        // The status subresource changes only status (and metadata labels/annotations are kept as they were).
        const status = obj.status;
        const next = clone(old);
        next.status = status;
        return this.finishUpdate(info, old, next, opts);
      }
      obj.status = old.status === undefined ? undefined : clone(old.status);
      if (obj.status === undefined) delete obj.status;
    }
    meta.uid = old.metadata.uid;
    meta.creationTimestamp = old.metadata.creationTimestamp;
    meta.namespace = old.metadata.namespace;
    if (old.metadata.deletionTimestamp) {
      meta.deletionTimestamp = old.metadata.deletionTimestamp;
      meta.deletionGracePeriodSeconds = old.metadata.deletionGracePeriodSeconds;
    } else {
      delete meta.deletionTimestamp;
      delete meta.deletionGracePeriodSeconds;
    }
    meta.generation = old.metadata.generation;
    strategy.defaults?.(obj, sctx);
    const errs = this.validateMeta(info, obj, strategy);
    errs.push(...(strategy.validateUpdate?.(obj, old, sctx) ?? strategy.validate?.(obj, sctx) ?? []));
    if (errs.length) throw invalid(info.kind, meta.name!, errs, info.group);
    if (this.admission.length) runValidate(this.admission, { operation: 'UPDATE', info, namespace: meta.namespace, name: meta.name!, object: obj, old, dryRun: !!opts.dryRun, store: this.ctx.store });
    if (meta.generation !== undefined && specOf(obj) !== specOf(old)) meta.generation = (old.metadata.generation ?? 0) + 1;
    return this.finishUpdate(info, old, obj, opts);
  }

  private finishUpdate(info: ResourceInfo, old: KObject, obj: KObject, opts: WriteOptions): KObject {
    // An update that changes nothing does not bump the resourceVersion (as the real server skips the write).
    const same = sameIgnoringRV(old, obj);
    if (opts.dryRun || same) {
      obj.metadata.resourceVersion = old.metadata.resourceVersion;
      return same ? old : obj;
    }
    if (obj.metadata.deletionTimestamp && (obj.metadata.finalizers ?? []).length === 0 && old.metadata.deletionGracePeriodSeconds === 0) {
      return this.ctx.store.remove(info, obj);
    }
    if (obj.metadata.deletionTimestamp && (obj.metadata.finalizers ?? []).length === 0 && (old.metadata.finalizers ?? []).length > 0) {
      // The last finalizer is gone: the object goes.
      return this.ctx.store.remove(info, obj);
    }
    return this.ctx.store.put(info, obj);
  }

  delete(info: ResourceInfo, namespace: string | undefined, name: string, opts: DeleteOptions = {}): KObject {
    const old = this.get(info, namespace, name);
    const pre = opts.preconditions;
    if (pre?.uid && pre.uid !== old.metadata.uid) {
      throw conflict(qualifiedName(info), name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${old.metadata.uid}`, info.group);
    }
    if (pre?.resourceVersion && pre.resourceVersion !== old.metadata.resourceVersion) {
      throw conflict(qualifiedName(info), name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${old.metadata.resourceVersion}`, info.group);
    }
    if (opts.gracePeriodSeconds !== undefined && opts.gracePeriodSeconds < 0) {
      throw invalid('DeleteOptions', '', [{ type: 'FieldValueInvalid', field: 'gracePeriodSeconds', value: opts.gracePeriodSeconds, detail: 'must be greater than or equal to 0' }]);
    }
    const strategy = this.strategy(info);
    const sctx = this.sctx();
    const grace = strategy.deleteGracePeriod?.(old, opts.gracePeriodSeconds) ?? 0;
    const finalizers = [...(old.metadata.finalizers ?? [])];
    if (opts.propagationPolicy === 'Foreground' && !finalizers.includes('foregroundDeletion')) finalizers.push('foregroundDeletion');
    if (opts.propagationPolicy === 'Orphan' && !finalizers.includes('orphan')) finalizers.push('orphan');
    if (info === NAMESPACES && !old.metadata.deletionTimestamp) {
      // Namespaces are emptied by the namespace controller before they go.
      const next = clone(old);
      next.metadata.deletionTimestamp = sctx.now;
      next.metadata.deletionGracePeriodSeconds = 0;
      next.status = { ...(next.status as object), phase: 'Terminating' };
      return opts.dryRun ? next : this.ctx.store.put(info, next);
    }
    if (finalizers.length === 0 && grace === 0) {
      if (opts.dryRun) return old;
      return this.ctx.store.remove(info, old);
    }
    const next = clone(old);
    next.metadata.finalizers = finalizers.length ? finalizers : undefined;
    if (!next.metadata.finalizers) delete next.metadata.finalizers;
    if (!old.metadata.deletionTimestamp) {
      next.metadata.deletionTimestamp = rfc3339(sctx.nowMs + grace * 1000);
      next.metadata.deletionGracePeriodSeconds = grace;
    } else if (grace < (old.metadata.deletionGracePeriodSeconds ?? Infinity)) {
      // A shorter grace period replaces a longer one (e.g. `--grace-period=0 --force`).
      next.metadata.deletionTimestamp = rfc3339(sctx.nowMs + grace * 1000);
      next.metadata.deletionGracePeriodSeconds = grace;
      if (grace === 0 && finalizers.length === 0) return opts.dryRun ? next : this.ctx.store.remove(info, old);
    }
    if (opts.dryRun || sameIgnoringRV(old, next)) return opts.dryRun ? next : old;
    return this.ctx.store.put(info, next);
  }

  deleteCollection(info: ResourceInfo, namespace: string | undefined, list: ListOptions, opts: DeleteOptions = {}): KObject[] {
    const { items } = this.list(info, namespace, list);
    return items.map((o) => this.delete(info, o.metadata.namespace, o.metadata.name!, opts));
  }

  /**
   * Starts a watch: returns the initial events (when starting from "now" with initial events, or from a past
   * resourceVersion) and a subscription that calls `send` for each later change. `410 Gone` if too old.
   */
  watch(info: ResourceInfo, namespace: string | undefined, opts: WatchOptions, send: (ev: WatchEvent) => void): () => void {
    const labels = parseLabelSelector(opts.labelSelector);
    const fields = parseFieldSelector(opts.fieldSelector);
    validateFieldSelector(`${info.group}/${info.resource}`, fields);
    const ns = info.namespaced ? namespace : undefined;
    const inScope = (o: KObject) => !ns || o.metadata.namespace === ns;
    const relay = (ev: StoreEvent) => {
      if (ev.info.resource !== info.resource || ev.info.group !== info.group) {
        // core and events.k8s.io events share storage; anything else must match exactly.
        if (!(ev.info.resource === 'events' && info.resource === 'events')) return;
      }
      if (!inScope(ev.object)) return;
      const now = this.matches(info, ev.object, labels, fields);
      const before = ev.old ? this.matches(info, ev.old, labels, fields) : false;
      if (ev.type === 'ADDED') {
        if (now) send({ type: 'ADDED', object: ev.object });
      } else if (ev.type === 'DELETED') {
        if (before || now) send({ type: 'DELETED', object: ev.object });
      } else if (now && before) send({ type: 'MODIFIED', object: ev.object });
      else if (now) send({ type: 'ADDED', object: ev.object });
      else if (before) send({ type: 'DELETED', object: ev.object });
    };
    const rv = opts.resourceVersion;
    if (!rv || rv === '0' || opts.sendInitialEvents) {
      for (const o of this.ctx.store.list(info, ns)) if (this.matches(info, o, labels, fields)) send({ type: 'ADDED', object: o });
      if (opts.sendInitialEvents && opts.allowWatchBookmarks) {
        send({ type: 'BOOKMARK', object: this.bookmark(info, { 'k8s.io/initial-events-end': 'true' }) });
      }
    } else {
      const n = Number(rv);
      if (!Number.isInteger(n) || n < 0) throw badRequest(`invalid resource version: ${rv}`);
      for (const ev of this.ctx.store.eventsSince(n)) relay(ev);
    }
    return this.ctx.store.subscribe(relay);
  }

  /** A BOOKMARK event's object: only the kind and the current resourceVersion. */
  bookmark(info: ResourceInfo, annotations?: Record<string, string>): KObject {
    return {
      kind: info.kind,
      apiVersion: apiVersionOf(info),
      metadata: { resourceVersion: String(this.ctx.store.currentRV()), ...(annotations ? { annotations } : {}) },
    };
  }

  /** Turns a request body into an object of this resource, or throws the API server's 400. */
  private decode(info: ResourceInfo, namespace: string | undefined, body: unknown): KObject {
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      throw badRequest(`Object 'Kind' is missing in '${typeof body === 'string' ? body : JSON.stringify(body)}'`);
    }
    const obj = clone(body as KObject);
    const expectedVersion = apiVersionOf(info);
    if (obj.kind === undefined || obj.kind === '') obj.kind = info.kind;
    if (obj.apiVersion === undefined || obj.apiVersion === '') obj.apiVersion = expectedVersion;
    if (typeof obj.kind !== 'string' || typeof obj.apiVersion !== 'string') throw badRequest(`Object 'Kind' is missing in '${JSON.stringify(body)}'`);
    if (obj.apiVersion !== expectedVersion) {
      throw badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${expectedVersion})`);
    }
    if (obj.kind !== info.kind) {
      throw badRequest(`the kind in the data (${obj.kind}) does not match the expected kind (${info.kind})`);
    }
    if (obj.metadata === undefined || obj.metadata === null) obj.metadata = {};
    if (typeof obj.metadata !== 'object' || Array.isArray(obj.metadata)) throw badRequest('metadata must be an object');
    const meta = obj.metadata;
    if (info.namespaced) {
      if (meta.namespace && namespace && meta.namespace !== namespace) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      meta.namespace = namespace ?? meta.namespace;
      if (!meta.namespace) throw badRequest('the namespace of the object is required');
    } else {
      delete meta.namespace;
    }
    return obj;
  }

  private validateMeta(info: ResourceInfo, obj: KObject, strategy: Strategy): FieldError[] {
    const meta = obj.metadata;
    const errs: FieldError[] = [];
    if (!meta.name) {
      errs.push({ type: 'FieldValueRequired', field: 'metadata.name', detail: 'name or generateName is required' });
    } else if (typeof meta.name !== 'string') {
      errs.push({ type: 'FieldValueTypeInvalid', field: 'metadata.name', value: meta.name, detail: 'must be a string' });
    } else {
      for (const e of (strategy.validateName ?? dns1123Subdomain)(meta.name)) errs.push({ type: 'FieldValueInvalid', field: 'metadata.name', value: meta.name, detail: e });
    }
    if (info.namespaced && meta.namespace) {
      for (const e of (STRATEGIES['/namespaces'].validateName ?? dns1123Subdomain)(meta.namespace)) {
        errs.push({ type: 'FieldValueInvalid', field: 'metadata.namespace', value: meta.namespace, detail: e });
      }
    }
    errs.push(...validateLabels(meta.labels, 'metadata.labels'));
    errs.push(...validateAnnotations(meta.annotations, 'metadata.annotations'));
    return errs;
  }

  private checkNamespaceOpen(info: ResourceInfo, namespace: string | undefined, name: string, verb: string): void {
    if (!info.namespaced || !namespace) return;
    const ns = this.ctx.store.get(NAMESPACES, undefined, namespace);
    if (!ns) throw notFound('namespaces', namespace);
    // Events may still be written while a namespace terminates (what happens to its pods is reported).
    if (ns.metadata.deletionTimestamp && info.resource !== 'events') {
      const e = forbidden('', verb, qualifiedName(info), namespace, '');
      throw new StatusError(403, 'Forbidden', `${qualifiedName(info)} "${name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`, {
        ...e.details,
        name,
        causes: [{ reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' }],
      });
    }
  }
}

function keyOf(o: KObject): string {
  return ObjectStore.key(o.metadata.namespace, o.metadata.name!);
}

function encodeContinue(key: string, rv: string): string {
  return btoa(JSON.stringify({ v: 'meta.k8s.io/v1', rv: Number(rv), start: key }));
}

function decodeContinue(token: string): string {
  try {
    const o = JSON.parse(atob(token));
    if (typeof o.start !== 'string') throw new Error();
    return o.start;
  } catch {
    throw badRequest('continue key is not valid: invalid continue token');
  }
}

/**
 * A deep copy of plain JSON data, as a JSON round trip would give, but sharing the (immutable) strings with the
 * original instead of allocating each again: thousands of stored objects then hold one copy of "IfNotPresent".
 */
export function clone<T>(v: T): T {
  return v === undefined ? v : (copyJson(v) as T);
}

function copyJson(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return typeof v === 'number' && !Number.isFinite(v) ? null : v;
  if (Array.isArray(v)) return v.map((x) => (x === undefined || typeof x === 'function' ? null : copyJson(x)));
  const src = v as Record<string, unknown> & { toJSON?: () => unknown };
  if (typeof src.toJSON === 'function') return copyJson(src.toJSON());
  let plain = true;
  for (const k in src) {
    const x = src[k];
    if (x === undefined || typeof x === 'function' || (typeof x === 'number' && !Number.isFinite(x))) {
      plain = false;
      break;
    }
  }
  if (plain) {
    // A spread keeps the source's shape (properties inside the object, no separate property array).
    const copy: Record<string, unknown> = { ...src };
    for (const k in copy) {
      const x = copy[k];
      if (x !== null && typeof x === 'object') copy[k] = copyJson(x);
    }
    return copy;
  }
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(src)) {
    const x = src[k];
    if (x !== undefined && typeof x !== 'function') out[k] = copyJson(x);
  }
  return out;
}

/** Everything but metadata and status: what bumps metadata.generation. */
function specOf(o: KObject): string {
  const { metadata: _m, status: _s, ...rest } = o;
  return JSON.stringify(rest);
}

function sameIgnoringRV(a: KObject, b: KObject): boolean {
  const strip = (o: KObject) => JSON.stringify({ ...o, metadata: { ...o.metadata, resourceVersion: undefined } });
  return strip(a) === strip(b);
}
