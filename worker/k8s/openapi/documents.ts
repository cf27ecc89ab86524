/**
 * The OpenAPI documents of Kubernetes 1.32 for the served resources, built from the generated data in
 * `spec-1.32.ts` (see scripts/gen-openapi.mjs): the Swagger 2.0 document as Kubernetes serves it at
 * `/openapi/v2`, and one OpenAPI 3.0 document per group-version (`/openapi/v3/apis/apps/v1`) the way
 * kube-openapi builds them from the same definitions: `#/components/schemas/...` refs, a ref with sibling
 * fields wrapped in `allOf`, the body parameter as a `requestBody`, media types under `content`, enums (values
 * and the "Possible enum values:" paragraph), and IntOrString/Quantity as `oneOf`.
 *
 * The data is parsed on first use and the documents are built once per isolate.
 */
import { DATA_HASH, DEFINITIONS, ENUMS, PARAMETERS, PATHS, SOURCE } from './spec-1.32.ts';

type Json = Record<string, any>;

export const KUBERNETES_VERSION = SOURCE.kubernetesVersion;
const INFO = { title: 'Kubernetes', version: KUBERNETES_VERSION };
const BEARER = { description: 'Bearer Token authentication', in: 'header', name: 'authorization', type: 'apiKey' };

interface Data {
  paths: Record<string, Json>;
  parameters: Record<string, Json>;
  definitions: Record<string, Json>;
  enums: Record<string, Record<string, { values: string[]; text: string }>>;
}

let data: Data | undefined;

function parseAll<T>(rec: Record<string, string>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [k, v] of Object.entries(rec)) out[k] = JSON.parse(v) as T;
  return out;
}

function load(): Data {
  data ??= { paths: parseAll(PATHS), parameters: parseAll(PARAMETERS), definitions: parseAll(DEFINITIONS), enums: parseAll(ENUMS) };
  return data;
}

// --- v2 ---------------------------------------------------------------------------------------------------------

let v2: Json | undefined;

/** The Swagger 2.0 document (what `/openapi/v2` answers in JSON). */
export function swaggerDocument(): Json {
  if (v2) return v2;
  const d = load();
  v2 = { definitions: d.definitions, info: INFO, parameters: d.parameters, paths: d.paths, security: [{ BearerToken: [] }], securityDefinitions: { BearerToken: BEARER }, swagger: '2.0' };
  return v2;
}

// --- v3 ---------------------------------------------------------------------------------------------------------

const V2_REF = '#/definitions/';
const V3_REF = '#/components/schemas/';

/** Kinds whose OpenAPI v3 schema is a `oneOf` of types instead of v2's `type: string` (their OpenAPIV3OneOfTypes). */
const ONE_OF: Record<string, string[]> = {
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': ['integer', 'string'],
  'io.k8s.apimachinery.pkg.api.resource.Quantity': ['string', 'number'],
};

/** A v2 schema in v3 terms: refs to components, a ref with siblings wrapped in allOf (kube-openapi's WrapRefs). */
function schemaV3(s: unknown): unknown {
  if (Array.isArray(s)) return s.map(schemaV3);
  if (!s || typeof s !== 'object') return s;
  const out: Json = {};
  let ref: string | undefined;
  for (const [k, v] of Object.entries(s as Json)) {
    if (k === '$ref' && typeof v === 'string') ref = v.startsWith(V2_REF) ? V3_REF + v.slice(V2_REF.length) : v;
    else if (k === 'properties' || k === 'patternProperties') out[k] = Object.fromEntries(Object.entries(v as Json).map(([p, ps]) => [p, schemaV3(ps)]));
    else if (k === 'items' || k === 'additionalProperties' || k === 'allOf' || k === 'oneOf' || k === 'anyOf' || k === 'not') out[k] = schemaV3(v);
    else out[k] = v;
  }
  if (ref === undefined) return out;
  if (Object.keys(out).length === 0) return { $ref: ref };
  return { allOf: [{ $ref: ref }], ...out };
}

function definitionV3(name: string, d: Data): Json {
  const def = schemaV3(d.definitions[name]) as Json;
  const oneOf = ONE_OF[name];
  if (oneOf) {
    delete def.type;
    def.oneOf = oneOf.map((type) => ({ type }));
  }
  const enums = d.enums[name];
  if (enums && def.properties) {
    for (const [prop, e] of Object.entries(enums)) {
      const p = def.properties[prop];
      if (!p) continue;
      p.description = p.description ? `${p.description}\n\n${e.text}` : e.text;
      p.enum = e.values;
    }
  }
  return def;
}

function resolveParam(p: Json, d: Data): Json {
  const ref = p.$ref as string | undefined;
  return ref?.startsWith('#/parameters/') ? d.parameters[ref.slice('#/parameters/'.length)] : p;
}

/** A (non-body) v2 parameter as v3: its type facets move under `schema`. */
function paramV3(p: Json): Json {
  const { name, in: where, description, required, type, uniqueItems, items, format, ...rest } = p;
  const schema: Json = { type };
  if (format) schema.format = format;
  if (items) schema.items = items;
  if (uniqueItems !== undefined) schema.uniqueItems = uniqueItems;
  const out: Json = {};
  if (description !== undefined) out.description = description;
  out.in = where;
  out.name = name;
  if (required !== undefined) out.required = required;
  out.schema = schema;
  return { ...out, ...rest };
}

function operationV3(op: Json, d: Data): Json {
  const { consumes, produces, schemes, parameters, responses, ...rest } = op;
  const out: Json = {};
  const params: Json[] = [];
  let requestBody: Json | undefined;
  for (const raw of (parameters as Json[] | undefined) ?? []) {
    const p = resolveParam(raw, d);
    if (p.in === 'body') {
      const schema = schemaV3(p.schema);
      requestBody = { content: Object.fromEntries(((consumes as string[] | undefined) ?? ['*/*']).map((mt) => [mt, { schema }])) };
      if (p.required) requestBody.required = true;
    } else params.push(paramV3(p));
  }
  for (const [k, v] of Object.entries(rest)) if (k === 'description' || k === 'operationId') out[k] = v;
  if (params.length) out.parameters = params;
  if (requestBody) out.requestBody = requestBody;
  const resp: Json = {};
  for (const [code, r] of Object.entries((responses as Record<string, Json>) ?? {})) {
    const entry: Json = { description: r.description };
    if (r.schema) {
      const schema = schemaV3(r.schema);
      entry.content = Object.fromEntries(((produces as string[] | undefined) ?? ['application/json']).map((mt) => [mt, { schema }]));
    }
    resp[code] = entry;
  }
  out.responses = resp;
  for (const [k, v] of Object.entries(rest)) if (k !== 'description' && k !== 'operationId') out[k] = v;
  return out;
}

function pathItemV3(item: Json, d: Data): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(item)) {
    if (k === 'parameters') out.parameters = (v as Json[]).map((p) => paramV3(resolveParam(p, d)));
    else out[k] = operationV3(v as Json, d);
  }
  return out;
}

function collectRefs(node: unknown, into: Set<string>): void {
  if (Array.isArray(node)) {
    for (const n of node) collectRefs(n, into);
    return;
  }
  if (!node || typeof node !== 'object') return;
  for (const [k, v] of Object.entries(node as Json)) {
    if (k === '$ref' && typeof v === 'string' && v.startsWith(V3_REF)) into.add(v.slice(V3_REF.length));
    else collectRefs(v, into);
  }
}

/** `api/v1`, `apis/apps/v1`: the index's keys, one per served group-version. */
function groupVersionPaths(): string[] {
  const out = new Set<string>();
  for (const p of Object.keys(PATHS)) {
    const m = /^\/(api\/v1|apis\/[^/]+\/[^/]+)\//.exec(p);
    if (m) out.add(m[1]);
  }
  return [...out];
}

const v3Docs = new Map<string, Json>();

/** The OpenAPI 3.0 document of one group-version (`api/v1`, `apis/apps/v1`), or undefined. */
export function openApiV3Document(gvPath: string): Json | undefined {
  const cached = v3Docs.get(gvPath);
  if (cached) return cached;
  const prefix = `/${gvPath}/`;
  const names = Object.keys(PATHS).filter((p) => p.startsWith(prefix));
  if (!names.length) return undefined;
  const d = load();
  const paths: Json = {};
  for (const p of names.sort()) paths[p] = pathItemV3(d.paths[p], d);
  const refs = new Set<string>();
  collectRefs(paths, refs);
  const schemas: Json = {};
  const queue = [...refs];
  while (queue.length) {
    const name = queue.pop()!;
    if (schemas[name] || !d.definitions[name]) continue;
    schemas[name] = definitionV3(name, d);
    const more = new Set<string>();
    collectRefs(schemas[name], more);
    for (const m of more) if (!schemas[m]) queue.push(m);
  }
  const sortedSchemas: Json = {};
  for (const k of Object.keys(schemas).sort()) sortedSchemas[k] = schemas[k];
  const doc = {
    components: { schemas: sortedSchemas, securitySchemes: { BearerToken: { description: BEARER.description, in: 'header', name: 'authorization', type: 'apiKey' } } },
    info: INFO,
    openapi: '3.0.0',
    paths,
    security: [{ BearerToken: [] }],
  };
  v3Docs.set(gvPath, doc);
  return doc;
}

/** The `/openapi/v3` index; the hash names the generated data, so it changes whenever a document could. */
export function openApiV3Index(hash: (text: string) => string): { paths: Record<string, { serverRelativeURL: string }> } {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const gv of groupVersionPaths()) paths[gv] = { serverRelativeURL: `/openapi/v3/${gv}?hash=${hash(`${DATA_HASH}:${gv}`)}` };
  return { paths };
}
