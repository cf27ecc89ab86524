/**
 * Field validation (`fieldValidation=Strict|Warn|Ignore`): fields a body sets that the type does not have.
 * kubectl sends `fieldValidation=Strict` by default, so `imagee:` in a manifest is refused with
 * `strict decoding error: unknown field "spec.containers[0].imagee"`; with Warn (the server's default) or
 * Ignore the unknown fields are dropped, as decoding into the Go types drops them, with a warning for Warn.
 * The known fields are those of the protobuf schema (the JSON names of the Kubernetes 1.32 types).
 */
import { badRequest, StatusError } from '../../sim/apiserver/errors.ts';
import { fieldOf } from '../../sim/apiserver/patch/schema.ts';
import { OPAQUE, rootMessage, SCALARS, schema, SPECIALS, type FieldDef } from './protobuf.ts';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

interface JsonFields {
  byName: Map<string, FieldDef>;
  /** a top-level kind: apiVersion and kind are fields too */
  typeMeta: boolean;
}

const cache = new Map<string, JsonFields | undefined>();

function jsonFields(message: string): JsonFields | undefined {
  if (cache.has(message)) return cache.get(message);
  const def = schema().get(message);
  let out: JsonFields | undefined;
  if (def) {
    out = { byName: new Map(), typeMeta: false };
    for (const f of def.values()) {
      if (f.inline) {
        for (const [k, v] of jsonFields(f.type)?.byName ?? []) out.byName.set(k, v);
      } else {
        out.byName.set(f.name, f);
        if (f.name === 'metadata' && f.type === 'meta/v1.ObjectMeta') out.typeMeta = true;
      }
    }
  }
  cache.set(message, out);
  return out;
}

function isMessage(type: string): boolean {
  return !SCALARS.has(type) && !SPECIALS.has(type) && type !== OPAQUE && type !== 'map';
}

export type PathStyle = 'json' | 'smd';

/**
 * The unknown fields of `obj` (a `kind` at `apiVersion`), as paths; with `drop` they are removed from `obj`.
 * Undefined when the kind has no schema here. `smd` paths are server-side apply's
 * (`.spec.containers[name="web"].imagee`), `json` ones the strict decoder's (`spec.containers[0].imagee`).
 */
export function unknownFields(apiVersion: string, kind: string, obj: unknown, opts: { drop?: boolean; style?: PathStyle } = {}): string[] | undefined {
  const root = rootMessage(apiVersion, kind);
  if (!root) return undefined;
  const style = opts.style ?? 'json';
  const found: string[] = [];
  const join = (path: string, key: string) => (style === 'smd' ? `${path}.${key}` : path ? `${path}.${key}` : key);
  const walk = (value: unknown, message: string, path: string) => {
    if (!isObj(value)) return;
    const fields = jsonFields(message);
    if (!fields) return;
    const goType = message.slice(message.indexOf('.') + 1);
    for (const key of Object.keys(value)) {
      if (fields.typeMeta && (key === 'apiVersion' || key === 'kind')) continue;
      const f = fields.byName.get(key);
      const p = join(path, key);
      if (!f) {
        found.push(p);
        if (opts.drop) delete value[key];
        continue;
      }
      const v = value[key];
      if (v === null || v === undefined) continue;
      if (f.type === 'map') {
        if (f.mapValue && isMessage(f.mapValue) && isObj(v)) for (const [k, mv] of Object.entries(v)) walk(mv, f.mapValue, join(p, k));
        continue;
      }
      if (!isMessage(f.type)) continue;
      if (f.repeated && Array.isArray(v)) {
        const keys = style === 'smd' ? listKeys(goType, key) : undefined;
        v.forEach((item, i) => walk(item, f.type, `${p}${keys ? itemKey(item, keys) ?? `[${i}]` : `[${i}]`}`));
      } else walk(v, f.type, p);
    }
  };
  walk(obj, root, '');
  return found;
}

function listKeys(goType: string, field: string): string[] | undefined {
  const f = fieldOf(goType, field);
  return f?.kind === 'list' && f.listType === 'map' ? f.keys : undefined;
}

function itemKey(item: unknown, keys: string[]): string | undefined {
  if (!isObj(item)) return undefined;
  const parts: string[] = [];
  for (const k of [...keys].sort()) {
    const v = item[k] ?? (k === 'protocol' ? 'TCP' : undefined);
    if (v === undefined) return undefined;
    parts.push(`${k}=${JSON.stringify(v)}`);
  }
  return `[${parts.join(',')}]`;
}

export type Directive = 'Strict' | 'Warn' | 'Ignore';

export function directiveOf(query: URLSearchParams): Directive {
  const v = query.get('fieldValidation');
  return v === 'Strict' || v === 'Ignore' ? v : 'Warn';
}

/**
 * Checks a decoded create/update body (`decode`) or a patched object (`patch`) and returns the warnings to
 * send; unknown fields are dropped unless the directive is Strict, which refuses them with a 400.
 */
export function validateFields(apiVersion: string, kind: string, obj: unknown, directive: Directive, mode: 'decode' | 'patch'): string[] {
  const found = unknownFields(apiVersion, kind, obj, { drop: directive !== 'Strict' });
  if (!found?.length) return [];
  const list = found.map((p) => `unknown field "${p}"`).join(', ');
  if (directive === 'Strict') {
    if (mode === 'patch') throw badRequest(`strict decoding error: ${list}`);
    const version = apiVersion.includes('/') ? apiVersion.split('/')[1] : apiVersion;
    throw badRequest(`${kind} in version "${version}" cannot be handled as a ${kind}: strict decoding error: ${list}`);
  }
  return directive === 'Warn' ? found.map((p) => `unknown field "${p}"`) : [];
}

/** Server-side apply refuses fields its schema does not declare, whatever the directive. */
export function validateAppliedFields(apiVersion: string, kind: string, config: unknown): void {
  const found = unknownFields(apiVersion, kind, config, { style: 'smd' });
  if (!found?.length) return;
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const errs = found.map((p) => `${p}: field not declared in schema`);
  const detail = errs.length === 1 ? errs[0] : ['errors:', ...errs.map((e) => '  ' + e)].join('\n');
  throw new StatusError(400, 'BadRequest', `failed to create typed patch object (${group}/${version}, Kind=${kind}): ${detail}`);
}

/** The `Warning` header value for warnings (`299 - "text"`, comma-separated). */
export function warningHeader(warnings: string[]): string {
  return warnings.map((w) => `299 - ${JSON.stringify(w)}`).join(', ');
}
