/**
 * Admission: what kube-apiserver runs between defaulting and storage. Mutating plugins (`admit`) change the
 * object before validation; validating plugins (`validate`) may reject it afterwards with a 403 Forbidden.
 * Plugins are installed on the ApiServer (`api.admission`) by the component that owns their state.
 */
import { StatusError } from '../errors.ts';
import { qualifiedName, type ResourceInfo } from '../resources.ts';
import type { ObjectStore } from '../store.ts';
import type { KObject } from '../types.ts';

export interface AdmissionAttributes {
  operation: 'CREATE' | 'UPDATE';
  info: ResourceInfo;
  namespace: string | undefined;
  name: string;
  object: KObject;
  old?: KObject;
  dryRun: boolean;
  store: ObjectStore;
}

export interface AdmissionPlugin {
  readonly name: string;
  /** Mutating phase (before validation): may change `a.object`, may throw. */
  admit?(a: AdmissionAttributes): void;
  /** Validating phase (after validation, before storage): may throw, must not change the object. */
  validate?(a: AdmissionAttributes): void;
}

/** `pods "x" is forbidden: <why>` as admission.NewForbidden words it. */
export function admissionForbidden(a: AdmissionAttributes, why: string): StatusError {
  return new StatusError(403, 'Forbidden', `${qualifiedName(a.info)} "${a.name}" is forbidden: ${why}`, {
    name: a.name,
    group: a.info.group || undefined,
    kind: a.info.resource,
  });
}

/** utilerrors.NewAggregate(...).Error(): one message as is, several deduplicated inside `[a, b]`. */
export function aggregate(messages: string[]): string {
  const seen: string[] = [];
  for (const m of messages) if (!seen.includes(m)) seen.push(m);
  return seen.length === 1 ? seen[0] : `[${seen.join(', ')}]`;
}

export function runAdmit(plugins: readonly AdmissionPlugin[], a: AdmissionAttributes): void {
  for (const p of plugins) p.admit?.(a);
}

export function runValidate(plugins: readonly AdmissionPlugin[], a: AdmissionAttributes): void {
  for (const p of plugins) p.validate?.(a);
}
