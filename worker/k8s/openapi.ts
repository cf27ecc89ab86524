/**
 * `/openapi/v3` and `/openapi/v2`. kubectl reads them to learn that the server validates fields itself (a PATCH
 * operation with a `fieldValidation` query parameter for the object's group-version-kind), then sends
 * `fieldValidation=Strict` and skips client-side validation. The documents here are minimal but valid; the
 * full schemas can come from another `OpenApiSource` (e.g. one built from a maintained package of the
 * Kubernetes 1.32 OpenAPI documents) passed in the request context.
 *
 * Operations deliberately carry no `requestBody`: kubectl then computes `apply` patches from its compiled-in
 * types (with the real merge keys) rather than from a schema that lacks them.
 */
import { RESOURCES, type ResourceInfo } from '../../sim/apiserver/resources.ts';
import { apiGroups, resourcesAt } from './discovery.ts';

export interface OpenApiSource {
  /** The `/openapi/v3` index: `{paths: {"api/v1": {serverRelativeURL: "/openapi/v3/api/v1?hash=..."}}}`. */
  v3Index(): { paths: Record<string, { serverRelativeURL: string }> };
  /** The OpenAPI 3 document of one path of the index (`api/v1`, `apis/apps/v1`), or undefined. */
  v3Document(path: string): unknown | undefined;
  /** The Swagger 2.0 document (JSON form). */
  v2Document(): unknown;
  /** The Swagger 2.0 document in protobuf (what client-go asks for); an empty message is a valid empty document. */
  v2Protobuf?(): ArrayBuffer;
}

const KUBE_VERSION = 'v1.32.0';

/** 64-bit FNV-1a of a string, as 16 upper-case hex digits (the real index uses a SHA-512 prefix; any stable hash will do). */
export function hashOf(text: string): string {
  let h = 0xcbf29ce484222325n;
  const prime = 0x100000001b3n;
  for (let i = 0; i < text.length; i++) {
    h ^= BigInt(text.charCodeAt(i));
    h = (h * prime) & 0xffffffffffffffffn;
  }
  return h.toString(16).toUpperCase().padStart(16, '0');
}

function schemaName(info: ResourceInfo, version: string): string {
  const group = info.group === '' ? 'core' : info.group.replace(/\.k8s\.io$/, '').split('.')[0];
  return `io.k8s.api.${group}.${version}.${info.kind}`;
}

function gvk(info: ResourceInfo, version: string) {
  return { group: info.group, kind: info.kind, version };
}

function queryParam(name: string, description: string) {
  return { name, in: 'query', description, schema: { type: 'string', uniqueItems: true } };
}

const DRY_RUN = queryParam('dryRun', 'When present, indicates that modifications should not be persisted. Valid values are: - All: all dry run stages will be processed');
const FIELD_MANAGER = queryParam('fieldManager', 'fieldManager is a name associated with the actor or entity that is making these changes.');
const FIELD_VALIDATION = queryParam(
  'fieldValidation',
  'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore - Warn - Strict',
);
const FORCE = { name: 'force', in: 'query', description: 'Force is going to "force" Apply requests.', schema: { type: 'boolean', uniqueItems: true } };

function responses(ref: string, codes: number[]) {
  const out: Record<string, unknown> = {};
  for (const c of codes) out[String(c)] = { description: c === 201 ? 'Created' : c === 202 ? 'Accepted' : 'OK', content: { 'application/json': { schema: { $ref: ref } } } };
  out['401'] = { description: 'Unauthorized' };
  return out;
}

function pathsFor(info: ResourceInfo, group: string, version: string): Record<string, unknown> {
  const prefix = group ? `/apis/${group}/${version}` : `/api/${version}`;
  const base = info.namespaced ? `${prefix}/namespaces/{namespace}/${info.resource}` : `${prefix}/${info.resource}`;
  const ref = `#/components/schemas/${schemaName(info, version)}`;
  const ext = { 'x-kubernetes-group-version-kind': gvk(info, version) };
  const tag = [group ? `${group.split('.')[0]}_${version}` : `core_${version}`];
  const pathParams = info.namespaced ? [{ name: 'namespace', in: 'path', required: true, schema: { type: 'string', uniqueItems: true } }] : [];
  const op = (action: string, verb: string, params: unknown[], codes: number[]) => ({
    tags: tag,
    description: `${verb} ${info.kind}`,
    operationId: `${verb}${info.kind}`,
    parameters: params,
    responses: responses(ref, codes),
    'x-kubernetes-action': action,
    ...ext,
  });
  const collection: Record<string, unknown> = { parameters: pathParams };
  const item: Record<string, unknown> = { parameters: [...pathParams, { name: 'name', in: 'path', required: true, schema: { type: 'string', uniqueItems: true } }] };
  const verbs = new Set(info.verbs);
  if (verbs.has('list')) collection.get = op('list', 'list', [], [200]);
  if (verbs.has('create')) collection.post = op('post', 'create', [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION], [200, 201, 202]);
  if (verbs.has('deletecollection')) collection.delete = op('deletecollection', 'deletecollection', [DRY_RUN], [200]);
  if (verbs.has('get')) item.get = op('get', 'read', [], [200]);
  if (verbs.has('update')) item.put = op('put', 'replace', [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION], [200, 201]);
  if (verbs.has('patch')) item.patch = op('patch', 'patch', [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION, FORCE], [200, 201]);
  if (verbs.has('delete')) item.delete = op('delete', 'delete', [DRY_RUN], [200, 202]);
  const out: Record<string, unknown> = { [base]: collection, [`${base}/{name}`]: item };
  for (const s of info.subresources ?? []) {
    if (s.name !== 'status' && s.name !== 'scale') continue;
    const sub: Record<string, unknown> = { parameters: item.parameters };
    const sref = s.name === 'scale' ? '#/components/schemas/io.k8s.api.autoscaling.v1.Scale' : ref;
    const subExt = { 'x-kubernetes-group-version-kind': s.name === 'scale' ? { group: 'autoscaling', kind: 'Scale', version: 'v1' } : gvk(info, version) };
    const subOp = (action: string, verb: string, params: unknown[], codes: number[]) => ({
      tags: tag,
      description: `${verb} ${s.name} of the specified ${info.kind}`,
      operationId: `${verb}${info.kind}${s.name[0].toUpperCase()}${s.name.slice(1)}`,
      parameters: params,
      responses: responses(sref, codes),
      'x-kubernetes-action': action,
      ...subExt,
    });
    sub.get = subOp('get', 'read', [], [200]);
    sub.put = subOp('put', 'replace', [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION], [200, 201]);
    sub.patch = subOp('patch', 'patch', [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION, FORCE], [200, 201]);
    out[`${base}/{name}/${s.name}`] = sub;
  }
  return out;
}

function kindSchema(info: ResourceInfo, version: string): Record<string, unknown> {
  return {
    description: `${info.kind} (${info.group ? info.group + '/' : ''}${version})`,
    type: 'object',
    properties: {
      apiVersion: { description: 'APIVersion defines the versioned schema of this representation of an object.', type: 'string' },
      kind: { description: 'Kind is a string value representing the REST resource this object represents.', type: 'string' },
      metadata: { description: "Standard object's metadata.", type: 'object' },
    },
    'x-kubernetes-group-version-kind': [gvk(info, version)],
  };
}

function gvDocument(group: string, version: string): unknown | undefined {
  const resources = resourcesAt(group, version);
  if (!resources.length) return undefined;
  const paths: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  for (const r of resources) {
    Object.assign(paths, pathsFor(r, group, version));
    schemas[schemaName(r, version)] = kindSchema(r, version);
    if (r.subresources?.some((s) => s.name === 'scale')) {
      schemas['io.k8s.api.autoscaling.v1.Scale'] = {
        description: 'Scale represents a scaling request for a resource.',
        type: 'object',
        'x-kubernetes-group-version-kind': [{ group: 'autoscaling', kind: 'Scale', version: 'v1' }],
      };
    }
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: KUBE_VERSION }, paths, components: { schemas } };
}

function v3Paths(): { path: string; group: string; version: string }[] {
  const out = [{ path: 'api/v1', group: '', version: 'v1' }];
  for (const g of apiGroups()) for (const v of g.versions) out.push({ path: `apis/${g.group}/${v}`, group: g.group, version: v });
  return out;
}

/** The built-in minimal schema source. */
export function minimalOpenApi(): OpenApiSource {
  const docs = new Map<string, { doc: unknown; hash: string }>();
  for (const p of v3Paths()) {
    const doc = gvDocument(p.group, p.version);
    if (doc) docs.set(p.path, { doc, hash: hashOf(JSON.stringify(doc)) });
  }
  return {
    v3Index() {
      const paths: Record<string, { serverRelativeURL: string }> = {};
      for (const [path, { hash }] of docs) paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${hash}` };
      return { paths };
    },
    v3Document(path) {
      return docs.get(path)?.doc;
    },
    v2Document() {
      const paths: Record<string, unknown> = {};
      const definitions: Record<string, unknown> = {};
      for (const r of RESOURCES) {
        const v3 = pathsFor(r, r.group, r.version);
        for (const [p, item] of Object.entries(v3)) paths[p] = toSwagger2(item as Record<string, unknown>);
        const s = kindSchema(r, r.version);
        definitions[schemaName(r, r.version)] = s;
      }
      return { swagger: '2.0', info: { title: 'Kubernetes', version: KUBE_VERSION }, paths, definitions };
    },
    v2Protobuf() {
      return new ArrayBuffer(0);
    },
  };
}

/** Rewrites an OpenAPI 3 path item into Swagger 2.0 terms (parameters with `type`, responses with `schema`). */
function toSwagger2(item: Record<string, unknown>): Record<string, unknown> {
  const param = (p: Record<string, unknown>) => {
    const { schema, ...rest } = p as { schema?: Record<string, unknown> };
    return { ...rest, ...(schema ?? {}) };
  };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item)) {
    if (k === 'parameters') {
      out.parameters = (v as Record<string, unknown>[]).map(param);
      continue;
    }
    const op = { ...(v as Record<string, unknown>) };
    op.parameters = ((op.parameters as Record<string, unknown>[]) ?? []).map(param);
    const resp: Record<string, unknown> = {};
    for (const [code, r] of Object.entries((op.responses as Record<string, Record<string, unknown>>) ?? {})) {
      const schema = (r.content as Record<string, { schema: { $ref: string } }> | undefined)?.['application/json']?.schema;
      resp[code] = schema ? { description: r.description, schema: { $ref: schema.$ref.replace('#/components/schemas/', '#/definitions/') } } : { description: r.description };
    }
    op.responses = resp;
    out[k] = op;
  }
  return out;
}
