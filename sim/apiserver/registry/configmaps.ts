/** ConfigMaps and Secrets: key rules, size limits, immutability and Secret types as kube-apiserver checks them. */
import { badRequest, type FieldError } from '../errors.ts';
import type { Strategy } from '../strategy.ts';
import type { KObject } from '../types.ts';
import { assertShape, CONFIG_MAP_SHAPE } from '../../network/shape.ts';

const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;
const MAX_BYTES = 1024 * 1024;

/** IsConfigMapKey: the rule for ConfigMap and Secret keys. */
export function configKeyErrors(key: string): string[] {
  const errs: string[] = [];
  if (key.length > 253) errs.push('must be no more than 253 characters');
  if (!CONFIG_KEY.test(key)) {
    errs.push("a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')");
  }
  if (key === '.') errs.push("must not be '.'");
  else if (key === '..') errs.push("must not be '..'");
  else if (key.startsWith('..')) errs.push("must not start with '..'");
  return errs;
}

function mapOf(v: unknown, field: string): Record<string, unknown> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw badRequest(`${field} must be a map of string keys and string values`);
  return v as Record<string, unknown>;
}

export function validateKeys(obj: KObject, fields: string[], kind: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Map<string, string>();
  let total = 0;
  for (const field of fields) {
    for (const [k, v] of Object.entries(mapOf(obj[field], field))) {
      for (const e of configKeyErrors(k)) errs.push({ type: 'FieldValueInvalid', field: `${field}[${k}]`, value: k, detail: e });
      const other = seen.get(k);
      if (other) errs.push({ type: 'FieldValueInvalid', field: `${field}[${k}]`, value: k, detail: `duplicate of key present in ${other}` });
      seen.set(k, field);
      if (typeof v !== 'string') throw badRequest(`json: cannot unmarshal ${typeof v === 'number' ? 'number' : typeof v} into Go struct field ${kind}.${field} of type string`);
      total += v.length;
    }
  }
  if (total > MAX_BYTES) errs.push({ type: 'FieldValueTooLong', field: '[]', detail: `must have at most ${MAX_BYTES} bytes` });
  return errs;
}

export function immutableErrors(obj: KObject, old: KObject, fields: string[]): FieldError[] {
  const errs: FieldError[] = [];
  if (old.immutable === true) {
    if (obj.immutable !== true) errs.push({ type: 'FieldValueForbidden', field: 'immutable', detail: 'field is immutable when `immutable` is set' });
    for (const f of fields) {
      if (JSON.stringify(obj[f] ?? {}) !== JSON.stringify(old[f] ?? {})) errs.push({ type: 'FieldValueForbidden', field: f, detail: 'field is immutable when `immutable` is set' });
    }
  }
  return errs;
}

export const configMapStrategy: Strategy = {
  defaults: (obj) => assertShape(obj, 'ConfigMap', 'v1', CONFIG_MAP_SHAPE),
  validate: (obj) => validateKeys(obj, ['data', 'binaryData'], 'ConfigMap'),
  validateUpdate(obj, old) {
    const errs = validateKeys(obj, ['data', 'binaryData'], 'ConfigMap');
    return errs.length ? errs : immutableErrors(obj, old, ['data', 'binaryData']);
  },
};
