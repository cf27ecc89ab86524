/** Secrets: stringData folded into data, base64 values, per-type required keys, immutable type. */
import { badRequest, type FieldError } from '../errors.ts';
import type { Strategy } from '../strategy.ts';
import type { KObject } from '../types.ts';
import { base64Error, encodeBase64 } from '../../util/base64.ts';
import { immutableErrors, validateKeys } from './configmaps.ts';
import { assertShape, SECRET_SHAPE } from '../../network/shape.ts';

/** Keys each built-in Secret type requires. */
const REQUIRED_KEYS: Record<string, string[]> = {
  'kubernetes.io/tls': ['tls.crt', 'tls.key'],
  'kubernetes.io/dockerconfigjson': ['.dockerconfigjson'],
  'kubernetes.io/dockercfg': ['.dockercfg'],
  'kubernetes.io/ssh-auth': ['ssh-privatekey'],
};

function defaults(obj: KObject): void {
  assertShape(obj, 'Secret', 'v1', SECRET_SHAPE);
  obj.type ??= 'Opaque';
  if (obj.type === '') obj.type = 'Opaque';
  if (obj.stringData !== undefined && obj.stringData !== null) {
    if (typeof obj.stringData !== 'object' || Array.isArray(obj.stringData)) throw badRequest('stringData must be a map of string keys and string values');
    const data = { ...((obj.data as Record<string, string>) ?? {}) };
    for (const [k, v] of Object.entries(obj.stringData as Record<string, unknown>)) {
      if (typeof v !== 'string') throw badRequest(`json: cannot unmarshal ${typeof v} into Go struct field Secret.stringData of type string`);
      data[k] = encodeBase64(v);
    }
    obj.data = data;
  }
  delete obj.stringData;
}

function validate(obj: KObject): FieldError[] {
  const data = (obj.data ?? {}) as Record<string, unknown>;
  for (const v of Object.values(data)) {
    if (typeof v === 'string') {
      const at = base64Error(v);
      if (at >= 0) throw badRequest(`illegal base64 data at input byte ${at}`);
    }
  }
  const errs = validateKeys(obj, ['data'], 'Secret');
  const type = String(obj.type);
  for (const key of REQUIRED_KEYS[type] ?? []) if (!(key in data)) errs.push({ type: 'FieldValueRequired', field: `data[${key}]` });
  if (type === 'kubernetes.io/service-account-token' && !obj.metadata.annotations?.['kubernetes.io/service-account.name']) {
    errs.push({ type: 'FieldValueRequired', field: 'metadata.annotations[kubernetes.io/service-account.name]' });
  }
  if (type === 'kubernetes.io/basic-auth' && !('username' in data) && !('password' in data)) {
    errs.push({ type: 'FieldValueRequired', field: 'data[username]', detail: 'either username or password is required' });
  }
  return errs;
}

export const secretStrategy: Strategy = {
  defaults,
  validate,
  validateUpdate(obj, old) {
    const errs = validate(obj);
    if (errs.length) return errs;
    if (obj.type !== old.type) return [{ type: 'FieldValueInvalid', field: 'type', value: obj.type, detail: 'field is immutable' }];
    return immutableErrors(obj, old, ['data']);
  },
};
