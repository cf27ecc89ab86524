/**
 * The resource endpoints: list/watch/get/create/update/patch/delete/deletecollection on collections and items,
 * and the subresources (status, scale, log, binding, eviction, token; exec/attach/portforward are handed to
 * the host). Everything goes through the sim's ApiServer; this layer decodes, authorizes, converts versions,
 * records field managers and renders objects, lists and Tables.
 */
import type { DeleteOptions, ListOptions, ListResult, WatchEvent, WatchOptions, WriteOptions } from '../../sim/apiserver/apiserver.ts';
import { badRequest, conflict, forbidden, invalid, notFound, StatusError, type Status } from '../../sim/apiserver/errors.ts';
import { applyPatch, PATCH_CONTENT_TYPES, PATCH_MEDIA_TYPES, type PatchType } from '../../sim/apiserver/patch.ts';
import { serverSideApply, updateManagedFields } from '../../sim/apiserver/patch/fieldmanager.ts';
import { rootType } from '../../sim/apiserver/patch/schema.ts';
import { toTable } from '../../sim/apiserver/printers/index.ts';
import { EVENTS, findResource, NAMESPACES, PODS, qualifiedName, type ResourceInfo } from '../../sim/apiserver/resources.ts';
import { matchesLabels, selectorFromSpec } from '../../sim/apiserver/selectors.ts';
import type { KObject, Pod } from '../../sim/apiserver/types.ts';
import { Rng } from '../../sim/util/rng.ts';
import { rfc3339 } from '../../sim/util/time.ts';
import { bodyFormat, DecodeError, decodeBody, decodeJson, decodeYamlOrJson, DEFAULT_MAX_BODY_BYTES, goJsonError, mediaType, readBody, unrecognizedObject } from './body.ts';
import type { K8sContext, LogOptions } from './context.ts';
import { replicasFromScale, requestApiVersion, scaleOf, toExternal, toInternal } from './convert.ts';
import { negotiateObject, type Negotiated } from './negotiate.ts';
import type { ResourceRoute } from './paths.ts';
import { JSON_TYPE, methodNotAllowed, objectResponse, successStatus, textResponse, type Rendering } from './responses.ts';
import { pushStream, watchStream } from './stream.ts';
import { directiveOf, validateAppliedFields, validateFields, warningHeader } from './validation.ts';

type Obj = Record<string, any>;

const READ_VERBS = new Set(['get', 'list', 'watch']);

/** Resources whose DELETE answers with the deleted object rather than a Status (their registries' ReturnDeletedObject). */
const RETURNS_DELETED_OBJECT = new Set(['/pods', '/services', '/serviceaccounts', '/namespaces', '/persistentvolumes', '/persistentvolumeclaims', '/resourcequotas', 'storage.k8s.io/storageclasses']);

const MAX_FIELD_MANAGER = 128;

function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

interface Request2 {
  req: Request;
  route: ResourceRoute;
  ctx: K8sContext;
  query: URLSearchParams;
  /** where objects are stored (core Events for events.k8s.io) */
  storage: ResourceInfo;
  apiVersion: string;
}

export async function serveResource(req: Request, route: ResourceRoute, ctx: K8sContext, query: URLSearchParams): Promise<Response> {
  const method = req.method.toUpperCase() === 'HEAD' ? 'GET' : req.method.toUpperCase();
  const { info, name, subresource } = route;
  const r: Request2 = {
    req,
    route,
    ctx,
    query,
    storage: info.group === 'events.k8s.io' && info.resource === 'events' ? EVENTS : info,
    apiVersion: requestApiVersion(info, route.version),
  };
  const verb = verbOf(method, route, query);
  if (!verb) throw methodNotAllowed();
  if (!subresource && !info.verbs.includes(verb)) throw methodNotAllowed();
  authorize(ctx, verb, route);

  if (subresource) return serveSubresource(r, method);
  if (name === undefined) {
    switch (method) {
      case 'GET':
        return verb === 'watch' ? watch(r) : list(r);
      case 'POST':
        if (info.namespaced && route.namespace === undefined) throw methodNotAllowed();
        return create(r);
      case 'DELETE':
        return deleteCollection(r);
    }
  } else {
    switch (method) {
      case 'GET':
        return verb === 'watch' ? watch(r) : get(r);
      case 'PUT':
        return update(r);
      case 'PATCH':
        return patch(r);
      case 'DELETE':
        return remove(r);
    }
  }
  throw methodNotAllowed();
}

function isWatch(query: URLSearchParams): boolean {
  const w = query.get('watch');
  return w === 'true' || w === '1';
}

/** The authorization verb of a request (`list` vs `watch` vs `get`, `create` for POST, ...), or undefined (405). */
function verbOf(method: string, route: ResourceRoute, query: URLSearchParams): string | undefined {
  const { name, subresource } = route;
  if (subresource) {
    switch (subresource) {
      case 'status':
      case 'scale':
        return method === 'GET' ? 'get' : method === 'PUT' ? 'update' : method === 'PATCH' ? 'patch' : undefined;
      case 'log':
        return method === 'GET' ? 'get' : undefined;
      case 'binding':
      case 'eviction':
      case 'token':
        return method === 'POST' ? 'create' : undefined;
      case 'exec':
      case 'attach':
      case 'portforward':
        return method === 'GET' || method === 'POST' ? 'create' : undefined;
      case 'finalize':
        return method === 'PUT' ? 'update' : undefined;
      default:
        return method === 'GET' ? 'get' : 'create';
    }
  }
  if (route.watchPath) return method === 'GET' ? 'watch' : undefined;
  switch (method) {
    case 'GET':
      if (name === undefined) return isWatch(query) ? 'watch' : 'list';
      return 'get';
    case 'POST':
      return name === undefined ? 'create' : undefined;
    case 'PUT':
      return name === undefined ? undefined : 'update';
    case 'PATCH':
      return name === undefined ? undefined : 'patch';
    case 'DELETE':
      return name === undefined ? 'deletecollection' : 'delete';
  }
  return undefined;
}

/** The sandbox roles: owner and edit may do anything, view may only get, list and watch. */
function authorize(ctx: K8sContext, verb: string, route: ResourceRoute): void {
  if (ctx.user.role !== 'view' || READ_VERBS.has(verb)) return;
  const { info } = route;
  throw forbidden(ctx.user.name, verb, qualifiedName(info), info.namespaced ? route.namespace : undefined, '', route.name, route.subresource);
}

// --- query parameters ---------------------------------------------------------------------------------------

function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (!/^-?\d+$/.test(v.trim())) throw badRequest(`invalid value for ${name}: strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`);
  const big = BigInt(v.trim());
  if (big > 9223372036854775807n || big < -9223372036854775808n) throw badRequest(`invalid value for ${name}: strconv.ParseInt: parsing ${JSON.stringify(v)}: value out of range`);
  return Number(v);
}

function boolParam(q: URLSearchParams, name: string): boolean | undefined {
  const v = q.get(name);
  if (v === null) return undefined;
  if (v === '' || v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw badRequest(`invalid value for ${name}: strconv.ParseBool: parsing ${JSON.stringify(v)}: invalid syntax`);
}

function listOptions(q: URLSearchParams, route: ResourceRoute): ListOptions {
  const opts: ListOptions = {};
  const ls = q.get('labelSelector');
  if (ls) opts.labelSelector = ls;
  let fs = q.get('fieldSelector') ?? '';
  if (route.name !== undefined) fs = fs ? `metadata.name=${route.name},${fs}` : `metadata.name=${route.name}`;
  if (fs) opts.fieldSelector = fs;
  const limit = intParam(q, 'limit');
  if (limit !== undefined && limit > 0) opts.limit = limit;
  const cont = q.get('continue');
  if (cont) opts.continue = cont;
  const rv = q.get('resourceVersion');
  if (rv !== null) opts.resourceVersion = rv;
  const match = q.get('resourceVersionMatch');
  if (match) {
    if (!rv) throw invalidOptions('ListOptions', [{ field: 'resourceVersionMatch', reason: 'FieldValueForbidden', message: 'Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided' }]);
    if (match !== 'Exact' && match !== 'NotOlderThan') {
      throw invalidOptions('ListOptions', [{ field: 'resourceVersionMatch', reason: 'FieldValueNotSupported', message: `Unsupported value: "${match}": supported values: "Exact", "NotOlderThan", ""` }]);
    }
  }
  // The storage parses the version as an unsigned integer before anything else.
  if (rv && !/^\d+$/.test(rv)) throw badRequest(`invalid resource version: ${rv}`);
  return opts;
}

type OptionsKind = 'CreateOptions' | 'UpdateOptions' | 'PatchOptions' | 'DeleteOptions' | 'ListOptions';

/** The 422 the API server answers for invalid request options (`PatchOptions.meta.k8s.io "" is invalid: ...`). */
function invalidOptions(kind: OptionsKind, errs: { field: string; reason: string; message: string }[]): StatusError {
  const text = errs.map((e) => `${e.field}: ${e.message}`);
  return new StatusError(422, 'Invalid', `${kind}.meta.k8s.io "" is invalid: ${text.length === 1 ? text[0] : `[${text.join(', ')}]`}`, {
    group: 'meta.k8s.io',
    kind,
    causes: errs.map((e) => ({ reason: e.reason, message: e.message, field: e.field })),
  });
}

function dryRunParam(values: string[], optionsKind: OptionsKind): boolean {
  if (values.length === 0) return false;
  if (values.some((v) => v !== 'All')) {
    const list = values.map((x) => JSON.stringify(x)).join(', ');
    throw invalidOptions(optionsKind, [{ field: 'dryRun', reason: 'FieldValueNotSupported', message: `Unsupported value: []string{${list}}: supported values: "All"` }]);
  }
  return true;
}

function writeOptions(r: Request2, optionsKind: Exclude<OptionsKind, 'DeleteOptions' | 'ListOptions'>, subresource?: string): WriteOptions & { fieldManager: string } {
  const q = r.query;
  const validation = q.get('fieldValidation');
  if (validation !== null && !['Strict', 'Warn', 'Ignore', ''].includes(validation)) {
    throw invalidOptions(optionsKind, [{ field: 'fieldValidation', reason: 'FieldValueNotSupported', message: `Unsupported value: "${validation}": supported values: "Ignore", "Strict", "Warn"` }]);
  }
  const manager = q.get('fieldManager') || managerFromUserAgent(r.req.headers.get('user-agent'));
  if (manager.length > MAX_FIELD_MANAGER) {
    throw invalidOptions(optionsKind, [{ field: 'fieldManager', reason: 'FieldValueTooLong', message: `Too long: may not be more than ${MAX_FIELD_MANAGER} bytes` }]);
  }
  if (/[\u0000-\u001f\u007f-\u009f]/.test(manager)) {
    const quoted = JSON.stringify(manager).replace(/\\u00([0-9a-f]{2})/g, '\\x$1');
    throw invalidOptions(optionsKind, [{ field: 'fieldManager', reason: 'FieldValueInvalid', message: `Invalid value: ${quoted}: invalid characters` }]);
  }
  const opts: WriteOptions & { fieldManager: string } = { dryRun: dryRunParam(q.getAll('dryRun'), optionsKind), fieldManager: manager };
  if (validation) opts.fieldValidation = validation;
  if (subresource) opts.subresource = subresource;
  return opts;
}

/** The API server's default field manager: the user agent up to its first `/` (kubectl/v1.32.0 → kubectl). */
function managerFromUserAgent(ua: string | null): string {
  const head = (ua ?? '').split('/')[0];
  let out = '';
  for (const ch of head) {
    const code = ch.codePointAt(0)!;
    if (code < 0x20 || code === 0x7f) continue;
    if (out.length + ch.length > MAX_FIELD_MANAGER) break;
    out += ch;
  }
  return out;
}

// --- rendering ----------------------------------------------------------------------------------------------

function negotiate(r: Request2): Negotiated {
  return negotiateObject(r.req.headers.get('accept'));
}

function rendering(n: Negotiated, q: URLSearchParams): Rendering {
  return { contentType: n.contentType, yaml: n.yaml, pretty: q.get('pretty') === 'true' || q.get('pretty') === '1' };
}

function includeObject(q: URLSearchParams): 'None' | 'Metadata' | 'Object' {
  const v = q.get('includeObject');
  if (v === 'None' || v === 'Object' || v === 'Metadata') return v;
  if (v) throw badRequest(`includeObject: Unsupported value: "${v}": supported values: "Metadata", "None", "Object"`);
  return 'Metadata';
}

/** Items of a list carry no kind/apiVersion on the wire (the list says what they are). */
function listItem(o: KObject): Obj {
  const { kind: _k, apiVersion: _a, ...rest } = o;
  return rest;
}

function renderObject(r: Request2, n: Negotiated, stored: KObject, status: number, opts: { subresource?: string; external?: KObject; warnings?: string[] } = {}): Response {
  const external = opts.external ?? toExternal(r.route.info, r.route.version, stored);
  let body: unknown = external;
  if (n.format.kind === 'table') {
    const table = toTable(r.route.info, [stored], r.ctx.cluster.now(), { includeObject: includeObject(r.query), subresource: opts.subresource });
    if (includeObject(r.query) === 'Object') table.rows[0].object = external;
    body = n.format.version === 'v1' ? table : { ...table, apiVersion: 'meta.k8s.io/v1beta1' };
  } else if (n.format.kind === 'partial') {
    body = { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${n.format.version}`, metadata: external.metadata };
  }
  const headers: Record<string, string> = opts.warnings?.length ? { Warning: warningHeader(opts.warnings) } : {};
  return objectResponse(body, status, rendering(n, r.query), headers);
}

function renderList(r: Request2, n: Negotiated, result: ListResult): Response {
  const { info, version } = r.route;
  const listMeta: Obj = { resourceVersion: result.resourceVersion };
  if (result.continue) listMeta.continue = result.continue;
  if (result.remainingItemCount !== undefined) listMeta.remainingItemCount = result.remainingItemCount;
  let body: unknown;
  if (n.format.kind === 'table') {
    const include = includeObject(r.query);
    const table = toTable(info, result.items, r.ctx.cluster.now(), { includeObject: include, listMeta: listMeta as never });
    if (include === 'Object') table.rows.forEach((row, i) => (row.object = toExternal(info, version, result.items[i])));
    body = n.format.version === 'v1' ? table : { ...table, apiVersion: 'meta.k8s.io/v1beta1' };
  } else if (n.format.kind === 'partial') {
    const apiVersion = `meta.k8s.io/${n.format.version}`;
    body = {
      kind: 'PartialObjectMetadataList',
      apiVersion,
      metadata: listMeta,
      items: result.items.map((o) => ({ kind: 'PartialObjectMetadata', apiVersion, metadata: o.metadata })),
    };
  } else {
    body = { kind: `${info.kind}List`, apiVersion: r.apiVersion, metadata: listMeta, items: result.items.map((o) => listItem(toExternal(info, version, o))) };
  }
  return objectResponse(body, 200, rendering(n, r.query));
}

// --- reads --------------------------------------------------------------------------------------------------

function get(r: Request2): Response {
  const n = negotiate(r);
  const obj = r.ctx.cluster.api.get(r.storage, r.route.namespace, r.route.name!);
  return renderObject(r, n, obj, 200);
}

function list(r: Request2): Response {
  const n = negotiate(r);
  const result = r.ctx.cluster.api.list(r.storage, r.route.namespace, listOptions(r.query, r.route));
  return renderList(r, n, result);
}

function watch(r: Request2): Response {
  const n = negotiate(r);
  const q = r.query;
  const opts: WatchOptions = listOptions(q, r.route);
  delete opts.limit;
  delete opts.continue;
  if (boolParam(q, 'allowWatchBookmarks')) opts.allowWatchBookmarks = true;
  if (boolParam(q, 'sendInitialEvents')) opts.sendInitialEvents = true;
  const timeout = intParam(q, 'timeoutSeconds');
  // Without timeoutSeconds the API server picks between its minimum request timeout (1800 s) and twice that.
  const timeoutSeconds = timeout !== undefined && timeout > 0 ? timeout : 1800 + Math.floor(Math.random() * 1800);
  const { info, version } = r.route;
  const include = n.format.kind === 'table' ? includeObject(q) : 'Metadata';
  const format = n.format;
  const render = (ev: WatchEvent, first: boolean): unknown => {
    if (ev.type === 'ERROR') return ev;
    const obj = ev.object as KObject;
    if (ev.type === 'BOOKMARK') {
      const external = { ...obj, kind: info.kind, apiVersion: r.apiVersion };
      return { type: ev.type, object: external };
    }
    if (format.kind === 'table') {
      const table = toTable(info, [obj], r.ctx.cluster.now(), { includeObject: include, noHeaders: !first });
      table.metadata = { resourceVersion: obj.metadata.resourceVersion };
      if (include === 'Object') table.rows[0].object = toExternal(info, version, obj);
      return { type: ev.type, object: format.version === 'v1' ? table : { ...table, apiVersion: 'meta.k8s.io/v1beta1' } };
    }
    const external = toExternal(info, version, obj);
    if (format.kind === 'partial') {
      return { type: ev.type, object: { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${format.version}`, metadata: external.metadata } };
    }
    return { type: ev.type, object: external };
  };
  const stream = watchStream({ ctx: r.ctx, info: r.storage, namespace: r.route.namespace, opts, timeoutSeconds, render });
  return new Response(stream, {
    status: 200,
    headers: {
      'Content-Type': n.yaml ? JSON_TYPE : n.contentType.replace('application/yaml', JSON_TYPE),
      'Cache-Control': 'no-cache, private',
      // Streamed JSON must not be compressed and buffered on the way (wrangler dev gzips application/json).
      'Content-Encoding': 'identity',
    },
  });
}

// --- writes -------------------------------------------------------------------------------------------------

async function readObjectBody(r: Request2): Promise<unknown> {
  const format = bodyFormat(r.req.headers.get('content-type'));
  const bytes = await readBody(r.req, r.ctx.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
  try {
    return decodeBody(bytes, format);
  } catch (e) {
    if (e instanceof DecodeError) throw unrecognizedObject(r.route.info.kind, e, bytes, format);
    throw e;
  }
}

/** Unknown fields of a body in the request's version: refused (Strict) or dropped with warnings (Warn). */
function checkFields(r: Request2, body: unknown, mode: 'decode' | 'patch'): string[] {
  return validateFields(r.apiVersion, r.route.info.kind, body, directiveOf(r.query), mode);
}

/** A body of another version than the request's is refused, as the real decoder refuses it. */
function checkBodyVersion(r: Request2, body: unknown): void {
  if (!isObj(body)) return;
  const v = body.apiVersion;
  if (typeof v === 'string' && v !== '' && v !== r.apiVersion) {
    throw badRequest(`the API version in the data (${v}) does not match the expected API version (${r.apiVersion})`);
  }
}

async function commitUnlessDryRun(r: Request2, dryRun: boolean | undefined): Promise<void> {
  if (!dryRun) await r.ctx.commit();
}

/** A private copy of the random source: defaulting here must not move the cluster's own sequence. */
function applyDefaults(r: Request2, obj: KObject): void {
  const strategy = r.ctx.cluster.api.strategy(r.storage);
  const nowMs = r.ctx.cluster.now();
  strategy.defaults?.(obj, { nowMs, now: rfc3339(nowMs), rng: new Rng(r.ctx.cluster.rng.state()) });
}

/**
 * The same value with its keys in the live object's order (new keys last). The sim compares objects by their
 * JSON text (no-op writes, generation, pod spec immutability), and a field dropped then defaulted again must
 * not count as a change.
 */
function alignedTo(next: unknown, old: unknown): unknown {
  if (Array.isArray(next)) return Array.isArray(old) ? next.map((v, i) => alignedTo(v, old[i])) : next;
  if (!isObj(next) || !isObj(old)) return next;
  const out: Obj = {};
  for (const k of Object.keys(old)) if (k in next) out[k] = alignedTo(next[k], old[k]);
  for (const k of Object.keys(next)) if (!(k in out)) out[k] = next[k];
  return out;
}

/**
 * Readies an object for a write by `manager`: on update it is defaulted and aligned with the live object; its
 * managedFields record the manager's fields (computed against the defaulted object, as the real API server
 * defaults while decoding).
 */
function prepareWrite(r: Request2, old: KObject | undefined, next: unknown, manager: string, subresource?: string): unknown {
  if (!isObj(next) || (next.metadata !== undefined && !isObj(next.metadata))) return next;
  let obj = next as KObject;
  try {
    const defaulted = old ? obj : clone(obj);
    defaulted.metadata ??= {};
    applyDefaults(r, defaulted);
    if (old) obj = alignedTo(defaulted, old) as KObject;
    const strategy = r.ctx.cluster.api.strategy(r.storage);
    const entries = updateManagedFields(old, old ? obj : defaulted, {
      manager,
      apiVersion: r.apiVersion,
      subresource,
      hasStatus: !!strategy.hasStatus,
      nowMs: r.ctx.cluster.now(),
      type: rootType(r.storage.kind),
    });
    obj.metadata ??= {};
    if (entries) obj.metadata.managedFields = entries;
    else delete obj.metadata.managedFields;
  } catch (e) {
    // A body the API server will refuse anyway (wrong shapes) has no managers to record.
    if (!(e instanceof StatusError)) console.warn('managedFields not recorded:', e);
  }
  return obj;
}

async function create(r: Request2): Promise<Response> {
  const n = negotiate(r);
  const opts = writeOptions(r, 'CreateOptions');
  const body = await readObjectBody(r);
  checkBodyVersion(r, body);
  const warnings = checkFields(r, body, 'decode');
  const internal = prepareWrite(r, undefined, toInternal(r.route.info, r.route.version, body), opts.fieldManager);
  const created = r.ctx.cluster.api.create(r.storage, r.route.namespace, internal, opts);
  await commitUnlessDryRun(r, opts.dryRun);
  return renderObject(r, n, created, 201, { warnings });
}

async function update(r: Request2): Promise<Response> {
  const n = negotiate(r);
  const opts = writeOptions(r, 'UpdateOptions');
  const body = await readObjectBody(r);
  checkBodyVersion(r, body);
  const warnings = checkFields(r, body, 'decode');
  const { namespace, name } = r.route;
  const old = r.ctx.cluster.api.get(r.storage, namespace, name!);
  const internal = prepareWrite(r, old, toInternal(r.route.info, r.route.version, body), opts.fieldManager);
  const updated = r.ctx.cluster.api.update(r.storage, namespace, name!, internal, opts);
  await commitUnlessDryRun(r, opts.dryRun);
  return renderObject(r, n, updated, 200, { warnings });
}

interface DecodedPatch {
  type: PatchType;
  body: unknown;
}

async function readPatch(r: Request2): Promise<DecodedPatch> {
  const type = PATCH_CONTENT_TYPES[mediaType(r.req.headers.get('content-type'))];
  if (!type) {
    throw new StatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${PATCH_MEDIA_TYPES.join(', ')}`);
  }
  const bytes = await readBody(r.req, r.ctx.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
  if (type === 'apply') {
    try {
      return { type, body: decodeYamlOrJson(bytes) };
    } catch (e) {
      if (e instanceof DecodeError) throw badRequest(`error decoding YAML: ${e.message.replace(/^error converting YAML to JSON: /, '')}`);
      throw e;
    }
  }
  const text = new TextDecoder().decode(bytes);
  try {
    return { type, body: decodeJson(text) };
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    if (type === 'merge') throw badRequest('Invalid JSON Patch');
    throw badRequest(goJsonError(text));
  }
}

function checkUidPrecondition(r: Request2, old: KObject, patched: unknown): void {
  const uid = isObj(patched) && isObj(patched.metadata) ? patched.metadata.uid : undefined;
  if (uid && uid !== old.metadata.uid) {
    throw conflict(qualifiedName(r.route.info), old.metadata.name!, `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${old.metadata.uid}`, r.route.info.group);
  }
}

async function patch(r: Request2): Promise<Response> {
  const n = negotiate(r);
  const opts = writeOptions(r, 'PatchOptions');
  const { type, body } = await readPatch(r);
  const force = boolParam(r.query, 'force');
  if (force !== undefined && type !== 'apply') {
    throw invalidOptions('PatchOptions', [{ field: 'force', reason: 'FieldValueForbidden', message: 'Forbidden: may not be specified for non-apply patch' }]);
  }
  const { namespace, name, info, version } = r.route;
  const api = r.ctx.cluster.api;

  if (type === 'apply') {
    if (!r.query.get('fieldManager')) {
      throw invalidOptions('PatchOptions', [{ field: 'fieldManager', reason: 'FieldValueRequired', message: 'Required value: is required for apply patch' }]);
    }
    if (!isObj(body)) throw badRequest(`error decoding YAML: json: cannot unmarshal ${Array.isArray(body) ? 'array' : typeof body} into Go value of type map[string]interface {}`);
    const config = clone(body) as KObject;
    if (!isObj(config.metadata)) config.metadata = {};
    if (config.metadata.name !== undefined && config.metadata.name !== name) {
      throw badRequest(`the name of the object (${config.metadata.name}) does not match the name on the URL (${name})`);
    }
    config.metadata.name = name;
    if (config.kind !== info.kind) {
      const [g, v] = typeof config.apiVersion === 'string' && config.apiVersion.includes('/') ? config.apiVersion.split('/') : ['', String(config.apiVersion ?? '')];
      const gvk = `${g}/${v}, Kind=${typeof config.kind === 'string' ? config.kind : ''}`;
      throw badRequest(`failed to create typed patch object (${gvk}): no corresponding type for ${gvk}`);
    }
    validateAppliedFields(r.apiVersion, info.kind, config);
    const live = r.ctx.cluster.store.get(r.storage, namespace, name!);
    const liveExternal = live ? toExternal(info, version, live) : undefined;
    const merged = serverSideApply(liveExternal, config, {
      manager: opts.fieldManager,
      apiVersion: r.apiVersion,
      force: !!force,
      hasStatus: !!api.strategy(r.storage).hasStatus,
      nowMs: r.ctx.cluster.now(),
      type: rootType(r.storage.kind),
    });
    let internal = toInternal(info, version, merged) as KObject;
    if (live) {
      applyDefaults(r, internal);
      internal = alignedTo(internal, live) as KObject;
    }
    const result = live ? api.update(r.storage, namespace, name!, internal, opts) : api.create(r.storage, namespace, internal, opts);
    await commitUnlessDryRun(r, opts.dryRun);
    return renderObject(r, n, result, live ? 200 : 201);
  }

  const old = api.get(r.storage, namespace, name!);
  const patched = applyPatch(type, toExternal(info, version, old), body, info);
  checkUidPrecondition(r, old, patched);
  const warnings = checkFields(r, patched, 'patch');
  const internal = prepareWrite(r, old, toInternal(info, version, patched), opts.fieldManager);
  const updated = api.update(r.storage, namespace, name!, internal, opts);
  await commitUnlessDryRun(r, opts.dryRun);
  return renderObject(r, n, updated, 200, { warnings });
}

function deleteOptions(r: Request2, body: unknown): DeleteOptions & { orphanDependents?: boolean } {
  const q = r.query;
  const opts: DeleteOptions & { orphanDependents?: boolean } = {};
  const grace = intParam(q, 'gracePeriodSeconds');
  if (grace !== undefined) opts.gracePeriodSeconds = grace;
  const policy = q.get('propagationPolicy');
  if (policy) opts.propagationPolicy = policy as DeleteOptions['propagationPolicy'];
  const orphan = boolParam(q, 'orphanDependents');
  if (orphan !== undefined) opts.orphanDependents = orphan;
  let dryRun = q.getAll('dryRun');
  if (isObj(body)) {
    if (body.kind !== undefined && body.kind !== 'DeleteOptions') throw badRequest(`the kind in the data (${body.kind}) does not match the expected kind (DeleteOptions)`);
    if (typeof body.gracePeriodSeconds === 'number') opts.gracePeriodSeconds = body.gracePeriodSeconds;
    if (typeof body.propagationPolicy === 'string') opts.propagationPolicy = body.propagationPolicy as DeleteOptions['propagationPolicy'];
    if (typeof body.orphanDependents === 'boolean') opts.orphanDependents = body.orphanDependents;
    if (isObj(body.preconditions)) opts.preconditions = { uid: body.preconditions.uid ?? undefined, resourceVersion: body.preconditions.resourceVersion ?? undefined };
    if (Array.isArray(body.dryRun)) dryRun = body.dryRun;
  }
  opts.dryRun = dryRunParam(dryRun, 'DeleteOptions');
  const errs: { field: string; reason: string; message: string }[] = [];
  if (opts.propagationPolicy && !['Foreground', 'Background', 'Orphan'].includes(opts.propagationPolicy)) {
    errs.push({ field: 'propagationPolicy', reason: 'FieldValueNotSupported', message: `Unsupported value: "${opts.propagationPolicy}": supported values: "Foreground", "Background", "Orphan", "nil"` });
  }
  if (opts.orphanDependents !== undefined && opts.propagationPolicy) {
    errs.push({ field: 'propagationPolicy', reason: 'FieldValueInvalid', message: `Invalid value: "${opts.propagationPolicy}": orphanDependents and deletionPropagation cannot be both set` });
  }
  if (errs.length) throw invalidOptions('DeleteOptions', errs);
  if (opts.orphanDependents === true) opts.propagationPolicy = 'Orphan';
  return opts;
}

async function readDeleteBody(r: Request2): Promise<unknown> {
  const bytes = await readBody(r.req, r.ctx.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
  if (bytes.byteLength === 0) return undefined;
  const format = bodyFormat(r.req.headers.get('content-type'));
  try {
    return decodeBody(bytes, format);
  } catch (e) {
    if (e instanceof DecodeError) throw badRequest(format === 'json' ? `couldn't get version/kind; json parse error: ${e.message}` : e.message);
    throw e;
  }
}

async function remove(r: Request2): Promise<Response> {
  const n = negotiate(r);
  const opts = deleteOptions(r, await readDeleteBody(r));
  const { namespace, name, info } = r.route;
  const api = r.ctx.cluster.api;
  const old = api.get(r.storage, namespace, name!);
  const result = api.delete(r.storage, namespace, name!, opts);
  const stillThere = opts.dryRun ? !!result.metadata.deletionTimestamp : r.ctx.cluster.store.get(r.storage, namespace, name!)?.metadata.uid === old.metadata.uid;
  await commitUnlessDryRun(r, opts.dryRun);
  if (stillThere) return renderObject(r, n, result, opts.orphanDependents === false ? 202 : 200);
  if (RETURNS_DELETED_OBJECT.has(`${info.group}/${info.resource}`)) return renderObject(r, n, result, 200);
  const details: Obj = { name };
  if (info.group) details.group = info.group;
  details.kind = info.resource;
  details.uid = old.metadata.uid;
  return objectResponse(successStatus(undefined, details), 200, rendering({ ...n, contentType: n.yaml ? 'application/yaml' : JSON_TYPE }, r.query));
}

async function deleteCollection(r: Request2): Promise<Response> {
  const n = negotiate(r);
  const opts = deleteOptions(r, await readDeleteBody(r));
  const listOpts = listOptions(r.query, r.route);
  delete listOpts.limit;
  delete listOpts.continue;
  const deleted = r.ctx.cluster.api.deleteCollection(r.storage, r.route.namespace, listOpts, opts);
  await commitUnlessDryRun(r, opts.dryRun);
  const { info, version } = r.route;
  const body = {
    kind: `${info.kind}List`,
    apiVersion: r.apiVersion,
    metadata: { resourceVersion: String(r.ctx.cluster.store.currentRV()) },
    items: deleted.map((o) => listItem(toExternal(info, version, o))),
  };
  return objectResponse(body, 200, rendering({ ...n, contentType: n.yaml ? 'application/yaml' : JSON_TYPE }, r.query));
}

// --- subresources -------------------------------------------------------------------------------------------

async function serveSubresource(r: Request2, method: string): Promise<Response> {
  const { subresource } = r.route;
  switch (subresource) {
    case 'status':
      return statusSubresource(r, method);
    case 'scale':
      return scaleSubresource(r, method);
    case 'log':
      return logs(r);
    case 'binding':
      return binding(r);
    case 'eviction':
      return eviction(r);
    case 'token':
      return token(r);
    case 'finalize':
      return finalize(r);
    case 'exec':
    case 'attach':
    case 'portforward':
      return upgrade(r, subresource);
  }
  throw new StatusError(404, 'NotFound', 'the server could not find the requested resource', {});
}

async function statusSubresource(r: Request2, method: string): Promise<Response> {
  const n = negotiate(r);
  const { namespace, name, info, version } = r.route;
  const api = r.ctx.cluster.api;
  if (method === 'GET') return renderObject(r, n, api.get(r.storage, namespace, name!), 200);
  const opts = writeOptions(r, method === 'PUT' ? 'UpdateOptions' : 'PatchOptions', 'status');
  let internal: unknown;
  let warnings: string[];
  if (method === 'PUT') {
    const body = await readObjectBody(r);
    checkBodyVersion(r, body);
    warnings = checkFields(r, body, 'decode');
    internal = toInternal(info, version, body);
  } else {
    const { type, body } = await readPatch(r);
    const old = api.get(r.storage, namespace, name!);
    const patched = applyPatch(type, toExternal(info, version, old), body, info);
    checkUidPrecondition(r, old, patched);
    warnings = type === 'apply' ? [] : checkFields(r, patched, 'patch');
    internal = toInternal(info, version, patched);
  }
  const updated = api.update(r.storage, namespace, name!, alignedTo(internal, api.get(r.storage, namespace, name!)), opts);
  await commitUnlessDryRun(r, opts.dryRun);
  return renderObject(r, n, updated, 200, { warnings });
}

const SCALE_INFO: ResourceInfo = { group: 'autoscaling', version: 'v1', resource: 'scale', singular: 'scale', kind: 'Scale', namespaced: true, verbs: [] };

async function scaleSubresource(r: Request2, method: string): Promise<Response> {
  const n = negotiate(r);
  const { namespace, name, info } = r.route;
  const api = r.ctx.cluster.api;
  const live = api.get(r.storage, namespace, name!);
  const renderScale = (obj: KObject, status: number) => {
    const scale = scaleOf(obj);
    return renderObject(r, n, scale, status, { subresource: 'scale', external: scale });
  };
  if (method === 'GET') return renderScale(live, 200);
  const opts = writeOptions(r, method === 'PUT' ? 'UpdateOptions' : 'PatchOptions', 'scale');
  let replicas: number;
  if (method === 'PUT') {
    const body = await readObjectBody(r);
    replicas = replicasFromScale(info, live, body);
  } else {
    const { type, body } = await readPatch(r);
    const patched = applyPatch(type, scaleOf(live), body, SCALE_INFO);
    replicas = replicasFromScale(info, live, patched);
  }
  const next = clone(live);
  next.spec = { ...(next.spec as Obj), replicas };
  delete next.metadata.resourceVersion;
  const prepared = prepareWrite(r, live, next, opts.fieldManager, 'scale');
  const { subresource: _s, ...mainOpts } = opts;
  const updated = api.update(r.storage, namespace, name!, prepared, mainOpts);
  await commitUnlessDryRun(r, opts.dryRun);
  return renderScale(updated, 200);
}

async function finalize(r: Request2): Promise<Response> {
  const n = negotiate(r);
  const opts = writeOptions(r, 'UpdateOptions');
  const body = await readObjectBody(r);
  const api = r.ctx.cluster.api;
  const old = api.get(NAMESPACES, undefined, r.route.name!);
  const next = clone(old);
  const finalizers = isObj(body) && isObj(body.spec) && Array.isArray(body.spec.finalizers) ? body.spec.finalizers : [];
  next.spec = { ...(next.spec as Obj), finalizers };
  const updated = api.update(NAMESPACES, undefined, r.route.name!, next, opts);
  await commitUnlessDryRun(r, opts.dryRun);
  return renderObject(r, n, updated, 200);
}

// --- pods/log -----------------------------------------------------------------------------------------------

type LogReader = (namespace: string, pod: string, opts: LogOptions) => string;

/** The kubelet attached to the cluster, if it offers `podLogs(ns, name, opts)` (or `logs(...)`). */
function logReader(ctx: K8sContext): LogReader | undefined {
  if (ctx.logs) return ctx.logs.bind(ctx);
  const kubelet = (ctx.cluster as unknown as { kubelet?: Record<string, unknown> }).kubelet;
  if (!kubelet) return undefined;
  if (typeof kubelet.podLogs === 'function') return (ns, p, o) => (kubelet.podLogs as LogReader).call(kubelet, ns, p, o);
  if (typeof kubelet.logs === 'function') return (ns, p, o) => (kubelet.logs as LogReader).call(kubelet, ns, p, o);
  return undefined;
}

/** The container a log request means, with the API server's errors for a missing or ambiguous one. */
function logContainer(pod: Pod, container: string | undefined): string {
  const names = (pod.spec?.containers ?? []).map((c) => c.name);
  const inits = (pod.spec?.initContainers ?? []).map((c) => c.name);
  if (!container) {
    if (names.length === 1) return names[0];
    throw badRequest(`a container name must be specified for pod ${pod.metadata.name}, choose one of: [${names.join(' ')}]${inits.length ? ` or one of the init containers: [${inits.join(' ')}]` : ''}`);
  }
  if (!names.includes(container) && !inits.includes(container)) throw badRequest(`container ${container} is not valid for pod ${pod.metadata.name}`);
  return container;
}

function logOptions(q: URLSearchParams, nowMs: number): LogOptions {
  const opts: LogOptions = {};
  const container = q.get('container');
  if (container) opts.container = container;
  if (boolParam(q, 'previous')) opts.previous = true;
  if (boolParam(q, 'timestamps')) opts.timestamps = true;
  const errs: string[] = [];
  const tail = intParam(q, 'tailLines');
  if (tail !== undefined) {
    if (tail < 0) errs.push(`tailLines: Invalid value: ${tail}: must be greater than or equal to 0`);
    opts.tailLines = tail;
  }
  const since = intParam(q, 'sinceSeconds');
  if (since !== undefined) {
    if (since < 1) errs.push(`sinceSeconds: Invalid value: ${since}: must be greater than 0`);
    opts.sinceSeconds = since;
  }
  const sinceTime = q.get('sinceTime');
  if (sinceTime) {
    const t = Date.parse(sinceTime);
    if (Number.isNaN(t)) throw badRequest(`parsing time "${sinceTime}" as "2006-01-02T15:04:05Z07:00": cannot parse "${sinceTime}" as "2006"`);
    if (since !== undefined) errs.push(': Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified');
    opts.sinceSeconds = Math.max(0, Math.ceil((nowMs - t) / 1000));
  }
  const limit = intParam(q, 'limitBytes');
  if (limit !== undefined) {
    if (limit < 1) errs.push(`limitBytes: Invalid value: ${limit}: must be greater than 0`);
    opts.limitBytes = limit;
  }
  if (errs.length) throw new StatusError(422, 'Invalid', `PodLogOptions "" is invalid: ${errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`}`, { kind: 'PodLogOptions' });
  return opts;
}

function logs(r: Request2): Response {
  const { namespace, name } = r.route;
  const ctx = r.ctx;
  const pod = ctx.cluster.api.get(PODS, namespace, name!) as Pod;
  const opts = logOptions(r.query, ctx.cluster.now());
  opts.container = logContainer(pod, opts.container);
  // A pod no node runs yet has no logs to read: the API server answers with an empty body.
  if (!pod.spec?.nodeName) return textResponse('', 200, { 'Content-Type': 'text/plain' });
  const read = logReader(ctx);
  if (!read) throw badRequest(`container "${opts.container}" in pod "${name}" is waiting to start: ContainerCreating`);
  const text = read(namespace!, name!, opts);
  if (!boolParam(r.query, 'follow')) return new Response(text, { status: 200, headers: { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private' } });
  return followLogs(r, pod, opts, text, read);
}

/** `kubectl logs -f`: the text so far, then new lines as they come, until the container stops running. */
function followLogs(r: Request2, pod: Pod, opts: LogOptions, initial: string, read: LogReader): Response {
  const ctx = r.ctx;
  const { namespace, name } = r.route;
  const full = { ...opts, tailLines: undefined, sinceSeconds: undefined, limitBytes: undefined };
  const uid = pod.metadata.uid;
  const stream = pushStream(ctx, (c) => {
    c.push(initial);
    let seen = safeRead(read, namespace!, name!, full) ?? '';
    const check = () => {
      if (c.closed) return;
      const cur = ctx.cluster.store.get(PODS, namespace, name!) as Pod | undefined;
      const now = cur && cur.metadata.uid === uid ? safeRead(read, namespace!, name!, full) : undefined;
      if (now !== undefined && now.startsWith(seen) && now.length > seen.length) c.push(now.slice(seen.length));
      if (now !== undefined) seen = now;
      const status = cur?.status?.containerStatuses?.find((s) => s.name === opts.container) ?? cur?.status?.initContainerStatuses?.find((s) => s.name === opts.container);
      if (!cur || cur.metadata.uid !== uid || !status?.state?.running) c.close();
    };
    const timer = setInterval(check, ctx.logPollMs ?? 1000);
    const unsubscribe = ctx.cluster.store.subscribe((ev) => {
      if (ev.info === PODS && ev.object.metadata.namespace === namespace && ev.object.metadata.name === name) check();
    });
    return () => {
      clearInterval(timer);
      unsubscribe();
    };
  });
  return new Response(stream, { status: 200, headers: { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private', 'Content-Encoding': 'identity' } });
}

function safeRead(read: LogReader, ns: string, name: string, opts: LogOptions): string | undefined {
  try {
    return read(ns, name, opts);
  } catch {
    return undefined;
  }
}

// --- pods/binding, pods/eviction, serviceaccounts/token -----------------------------------------------------

async function binding(r: Request2): Promise<Response> {
  const opts = writeOptions(r, 'CreateOptions');
  const body = await readObjectBody(r);
  const { namespace, name } = r.route;
  if (!isObj(body)) throw badRequest(`Object 'Kind' is missing in '${JSON.stringify(body)}'`);
  if (body.kind !== undefined && body.kind !== 'Binding') throw badRequest(`the kind in the data (${body.kind}) does not match the expected kind (Binding)`);
  const meta = isObj(body.metadata) ? body.metadata : {};
  if (meta.name !== undefined && meta.name !== name) throw badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${name})`);
  const target = isObj(body.target) ? body.target : {};
  const errs = [];
  if (!target.name) errs.push({ type: 'FieldValueRequired' as const, field: 'target.name' });
  if (target.kind && target.kind !== 'Node') errs.push({ type: 'FieldValueNotSupported' as const, field: 'target.kind', value: target.kind, supported: ['Node', '<empty>'] });
  if (errs.length) throw invalid('Binding', name!, errs);
  const store = r.ctx.cluster.store;
  const pod = store.get(PODS, namespace, name!) as Pod | undefined;
  if (!pod) throw notFound('pods', name!);
  const sub = `pods/binding`;
  if (pod.metadata.deletionTimestamp) throw conflict(sub, name!, `pod ${name} is being deleted, cannot be assigned to a host`);
  if (pod.spec.nodeName) throw conflict(sub, name!, `pod ${name} is already assigned to node "${pod.spec.nodeName}"`);
  if (!opts.dryRun) {
    // As the binding storage does: spec.nodeName and PodScheduled=True in one write, bypassing pod update rules.
    const next = clone(pod);
    next.spec.nodeName = String(target.name);
    if (isObj(meta.annotations)) next.metadata.annotations = { ...(next.metadata.annotations ?? {}), ...(meta.annotations as Record<string, string>) };
    const conditions = (next.status ??= {}).conditions ?? [];
    const now = rfc3339(r.ctx.cluster.now());
    const at = conditions.findIndex((c) => c.type === 'PodScheduled');
    const cond = { type: 'PodScheduled', status: 'True' as const, lastProbeTime: null, lastTransitionTime: at >= 0 && conditions[at].status === 'True' ? conditions[at].lastTransitionTime : now };
    if (at >= 0) conditions[at] = cond;
    else conditions.push(cond);
    next.status.conditions = conditions;
    store.put(PODS, next);
    await r.ctx.commit();
  }
  return objectResponse(successStatus(201), 201);
}

const PDBS = findResource('policy', 'poddisruptionbudgets')!;
const SERVICE_ACCOUNTS = findResource('', 'serviceaccounts')!;

async function eviction(r: Request2): Promise<Response> {
  const body = await readObjectBody(r);
  const { namespace, name } = r.route;
  if (!isObj(body)) throw badRequest(`Object 'Kind' is missing in '${JSON.stringify(body)}'`);
  if (body.kind !== undefined && body.kind !== 'Eviction') throw badRequest(`the kind in the data (${body.kind}) does not match the expected kind (Eviction)`);
  const meta = isObj(body.metadata) ? body.metadata : {};
  if (meta.name !== undefined && meta.name !== name) throw badRequest('name in URL does not match name in Eviction object');
  const api = r.ctx.cluster.api;
  const store = r.ctx.cluster.store;
  const pod = api.get(PODS, namespace, name!) as Pod;
  const delBody = isObj(body.deleteOptions) ? body.deleteOptions : undefined;
  const opts = deleteOptions(r, delBody);
  const phase = pod.status?.phase;
  const ignorePdb = phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending' || !!pod.metadata.deletionTimestamp;
  if (!ignorePdb) {
    const pdbs = store.list(PDBS, namespace).filter((pdb) => {
      const sel = (pdb.spec as Obj | undefined)?.selector;
      if (!sel) return false;
      return matchesLabels(selectorFromSpec(sel), pod.metadata.labels);
    });
    if (pdbs.length > 1) {
      throw new StatusError(500, 'InternalError', 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
    }
    if (pdbs.length === 1) {
      const pdb = pdbs[0];
      const st = (pdb.status ?? {}) as Obj;
      if ((st.observedGeneration ?? 0) < (pdb.metadata.generation ?? 0)) throw tooManyRequests(10, `The disruption budget ${pdb.metadata.name} is still being processed by the server.`);
      const allowed = st.disruptionsAllowed ?? 0;
      if (allowed < 0) throw new StatusError(403, 'Forbidden', 'pdb disruptions allowed is negative');
      if (allowed === 0) {
        throw tooManyRequests(0, `The disruption budget ${pdb.metadata.name} needs ${st.desiredHealthy ?? 0} healthy pods and has ${st.currentHealthy ?? 0} currently`);
      }
      if (!opts.dryRun) {
        const next = clone(pdb);
        const status = (next.status ?? {}) as Obj;
        status.disruptionsAllowed = allowed - 1;
        status.disruptedPods = { ...(status.disruptedPods ?? {}), [name!]: rfc3339(r.ctx.cluster.now()) };
        next.status = status;
        store.put(PDBS, next);
      }
    }
  }
  api.delete(PODS, namespace, name!, opts);
  await commitUnlessDryRun(r, opts.dryRun);
  return objectResponse(successStatus(201), 201);
}

function tooManyRequests(retryAfterSeconds: number, cause: string): StatusError {
  const details: Status['details'] = { causes: [{ reason: 'DisruptionBudget', message: cause }] };
  if (retryAfterSeconds) details.retryAfterSeconds = retryAfterSeconds;
  return new StatusError(429, 'TooManyRequests', "Cannot evict pod as it would violate the pod's disruption budget.", details);
}

async function token(r: Request2): Promise<Response> {
  const body = await readObjectBody(r);
  const { namespace, name } = r.route;
  const sa = r.ctx.cluster.api.get(SERVICE_ACCOUNTS, namespace, name!);
  const spec = isObj(body) && isObj(body.spec) ? body.spec : {};
  const expirationSeconds = typeof spec.expirationSeconds === 'number' ? spec.expirationSeconds : 3600;
  if (expirationSeconds < 600) {
    throw invalid('TokenRequest', name!, [{ type: 'FieldValueInvalid', field: 'spec.expirationSeconds', value: expirationSeconds, detail: 'may not specify a duration less than 10 minutes' }], 'authentication.k8s.io');
  }
  const audiences = Array.isArray(spec.audiences) && spec.audiences.length ? spec.audiences : ['https://kubernetes.default.svc.cluster.local'];
  const now = r.ctx.cluster.now();
  const iat = Math.floor(now / 1000);
  const claims = {
    aud: audiences,
    exp: iat + expirationSeconds,
    iat,
    iss: 'https://kubernetes.default.svc.cluster.local',
    jti: crypto.randomUUID(),
    'kubernetes.io': { namespace, serviceaccount: { name, uid: sa.metadata.uid } },
    nbf: iat,
    sub: `system:serviceaccount:${namespace}:${name}`,
  };
  const b64 = (s: string) => btoa(s).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  const sig = new Uint8Array(64);
  crypto.getRandomValues(sig);
  const jwt = `${b64(JSON.stringify({ alg: 'RS256', kid: 'kuberoom' }))}.${b64(JSON.stringify(claims))}.${b64(String.fromCharCode(...sig))}`;
  const out = {
    kind: 'TokenRequest',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { name, namespace, creationTimestamp: null },
    spec: { audiences, expirationSeconds, boundObjectRef: spec.boundObjectRef ?? null },
    status: { token: jwt, expirationTimestamp: rfc3339(now + expirationSeconds * 1000) },
  };
  return objectResponse(out, 201);
}

async function upgrade(r: Request2, subresource: 'exec' | 'attach' | 'portforward'): Promise<Response> {
  const { namespace, name } = r.route;
  r.ctx.cluster.api.get(PODS, namespace, name!);
  const wantsUpgrade = (r.req.headers.get('upgrade') ?? '').toLowerCase() === 'websocket';
  if (wantsUpgrade && r.ctx.upgrade) return r.ctx.upgrade(r.req, { subresource, namespace: namespace!, name: name!, query: r.query });
  throw badRequest('Upgrade request required');
}
