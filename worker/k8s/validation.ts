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

/** The Go type a field decodes into, as encoding/json names it in errors (`[]v1.Container`, `map[string]string`). */
function goTypeName(f: FieldDef, element = false): string {
  if (f.repeated && !element) return `[]${goTypeName(f, true)}`;
  if (f.type === 'map') return `map[string]${f.mapValue && isMessage(f.mapValue) ? goMessage(f.mapValue) : scalarGoType(f.mapValue ?? '')}`;
  if (isMessage(f.type)) return goMessage(f.type);
  return scalarGoType(f.type);
}

function goMessage(message: string): string {
  const [pkg, name] = message.split('.');
  return `${pkg.split('/').pop()}.${name}`;
}

function scalarGoType(code: string): string {
  switch (code) {
    case '':
      return 'string';
    case 'i':
      return 'int32';
    case 'b':
      return 'bool';
    case 'y':
      return '[]uint8';
    case 'd':
      return 'float64';
    case 'T':
    case 'U':
      return 'v1.Time';
    case 'Q':
      return 'resource.Quantity';
    case 'I':
      return 'intstr.IntOrString';
    case 'D':
      return 'v1.Duration';
    default:
      return 'interface {}';
  }
}

function jsonTypeOf(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  return typeof v === 'object' ? 'object' : typeof v;
}

/** Whether `v` decodes into a value of the field's (element) type. */
function fits(code: string, v: unknown): boolean {
  if (v === null) return true;
  switch (code) {
    case '':
    case 'y':
    case 'T':
    case 'U':
    case 'D':
      return typeof v === 'string';
    case 'i':
      return typeof v === 'number' && Number.isInteger(v);
    case 'd':
      return typeof v === 'number';
    case 'b':
      return typeof v === 'boolean';
    case 'Q':
      return typeof v === 'string' || typeof v === 'number';
    case 'I':
      return typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v));
    case 'map':
      return isObj(v);
    default:
      return isMessage(code) ? isObj(v) : true;
  }
}

/**
 * The first value of `obj` whose JSON type the Go type of its field cannot take, as Go's decoder reports it
 * (`json: cannot unmarshal array into Go struct field ObjectMeta.metadata.labels of type map[string]string`),
 * or undefined. Go names the innermost struct and the field's path of JSON names, without list indices.
 */
export function typeError(apiVersion: string, kind: string, obj: unknown): string | undefined {
  const root = rootMessage(apiVersion, kind);
  if (!root) return undefined;
  const describe = (v: unknown, f: FieldDef, struct: string, path: string, element: boolean) => {
    // Go quotes the number it could not fit into an integer field (`number 1.5`).
    const what = typeof v === 'number' && f.type === 'i' ? `number ${v}` : jsonTypeOf(v);
    return `json: cannot unmarshal ${what} into Go struct field ${struct}.${path} of type ${goTypeName(f, element)}`;
  };
  const walk = (value: Obj, message: string, path: string): string | undefined => {
    const fields = jsonFields(message);
    if (!fields) return undefined;
    const struct = message.slice(message.indexOf('.') + 1);
    for (const [key, v] of Object.entries(value)) {
      if (fields.typeMeta && (key === 'apiVersion' || key === 'kind')) {
        if (v !== null && typeof v !== 'string') return `json: cannot unmarshal ${jsonTypeOf(v)} into Go struct field ${struct}.${key} of type string`;
        continue;
      }
      const f = fields.byName.get(key);
      if (!f || v === null || v === undefined) continue;
      const p = path ? `${path}.${key}` : key;
      if (f.repeated) {
        if (!Array.isArray(v)) return describe(v, f, struct, p, false);
        for (const item of v) {
          if (!fits(f.type, item)) return describe(item, f, struct, p, true);
          if (isMessage(f.type) && isObj(item)) {
            const inner = walk(item, f.type, p);
            if (inner) return inner;
          }
        }
        continue;
      }
      if (f.type === 'map') {
        if (!isObj(v)) return describe(v, f, struct, p, false);
        const valueType = f.mapValue ?? '';
        for (const mv of Object.values(v)) {
          if (!fits(valueType, mv)) {
            return `json: cannot unmarshal ${jsonTypeOf(mv)} into Go struct field ${struct}.${p} of type ${isMessage(valueType) ? goMessage(valueType) : scalarGoType(valueType)}`;
          }
          if (isMessage(valueType) && isObj(mv)) {
            const inner = walk(mv, valueType, p);
            if (inner) return inner;
          }
        }
        continue;
      }
      if (!fits(f.type, v)) return describe(v, f, struct, p, false);
      if (isMessage(f.type) && isObj(v)) {
        const inner = walk(v, f.type, p);
        if (inner) return inner;
      }
    }
    return undefined;
  };
  return isObj(obj) ? walk(obj, root, '') : undefined;
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
  if (mode === 'decode') {
    const bad = typeError(apiVersion, kind, obj);
    if (bad) {
      const version = apiVersion.includes('/') ? apiVersion.split('/')[1] : apiVersion;
      throw badRequest(`${kind} in version "${version}" cannot be handled as a ${kind}: ${bad}`);
    }
  }
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
