/** Helpers the workload controllers share: owner references, pod states, int-or-percent, template hashing. */
import type { KObject, OwnerReference, Pod } from '../apiserver/types.ts';
import { parseTime } from '../util/time.ts';

export function controllerRef(o: KObject): OwnerReference | undefined {
  const refs = o.metadata.ownerReferences;
  if (!refs) return undefined;
  for (const r of refs) if (r.controller) return r;
  return undefined;
}

export function ownerRefTo(owner: KObject): OwnerReference {
  return { apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name!, uid: owner.metadata.uid!, controller: true, blockOwnerDeletion: true };
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

/** A pod that counts toward its controller: not finished and not being deleted. */
export function isPodActive(p: Pod): boolean {
  const phase = p.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !p.metadata.deletionTimestamp;
}

export function podReadyCondition(p: Pod) {
  return p.status?.conditions?.find((c) => c.type === 'Ready');
}

export function isPodReady(p: Pod): boolean {
  return podReadyCondition(p)?.status === 'True';
}

/** Ready for at least minReadySeconds at `now` (podutil.IsPodAvailable). */
export function isPodAvailable(p: Pod, minReadySeconds: number, now: number): boolean {
  const c = podReadyCondition(p);
  if (c?.status !== 'True') return false;
  if (!minReadySeconds) return true;
  const t = parseTime(c.lastTransitionTime ?? undefined);
  return t !== undefined && t + minReadySeconds * 1000 <= now;
}

/** When a ready pod becomes available, or undefined when it is not ready. */
export function availableAt(p: Pod, minReadySeconds: number): number | undefined {
  const c = podReadyCondition(p);
  if (c?.status !== 'True') return undefined;
  const t = parseTime(c.lastTransitionTime ?? undefined) ?? 0;
  return t + (minReadySeconds || 0) * 1000;
}

/** An int-or-string percentage scaled against `total` (intstr.GetScaledValueFromIntOrPercent). */
export function scaledValue(v: unknown, total: number, roundUp: boolean): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const m = /^(\d+)%$/.exec(v);
    if (m) {
      const x = (Number(m[1]) * total) / 100;
      return roundUp ? Math.ceil(x) : Math.floor(x);
    }
    const n = Number(v);
    if (Number.isInteger(n)) return n;
  }
  return 0;
}

/** 32-bit FNV-1a of a string's UTF-16 code units (as bytes when ASCII). */
export function fnv32a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i) & 0xff;
    h = Math.imul(h, 0x01000193) >>> 0;
    if (s.charCodeAt(i) > 0xff) {
      h ^= s.charCodeAt(i) >> 8;
      h = Math.imul(h, 0x01000193) >>> 0;
    }
  }
  return h >>> 0;
}

/** rand.SafeEncodeString: each character mapped into the alphabet that avoids vowels and look-alikes. */
export function safeEncode(s: string): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let out = '';
  for (let i = 0; i < s.length; i++) out += alphabet[s.charCodeAt(i) % alphabet.length];
  return out;
}

/** JSON with object keys sorted: the same value always gives the same text. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
}

/** controller.ComputeHash: a deterministic hash of a pod template and the collision count. */
export function computeHash(template: unknown, collisionCount?: number): string {
  let text = canonicalJson(template);
  if (collisionCount !== undefined && collisionCount !== null) text += `#${collisionCount}`;
  return safeEncode(String(fnv32a(text)));
}

/** The pod template of a controller as a pod's metadata and spec. */
export interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string>; [k: string]: unknown };
  spec?: Pod['spec'];
}

/** A pod from a controller's template, owned by the controller (controller.GetPodFromTemplate). */
export function podFromTemplate(owner: KObject, template: PodTemplate, name: { name?: string; generateName?: string }): Pod {
  const meta = template.metadata ?? {};
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      ...name,
      namespace: owner.metadata.namespace,
      labels: { ...(meta.labels ?? {}) },
      ownerReferences: [ownerRefTo(owner)],
    },
    spec: clone(template.spec ?? ({ containers: [] } as unknown as Pod['spec'])),
  };
  if (meta.annotations && Object.keys(meta.annotations).length) pod.metadata.annotations = { ...meta.annotations };
  if (meta.finalizers) pod.metadata.finalizers = [...(meta.finalizers as string[])];
  return pod;
}

/** generateName prefix for a controller's pods: `<name>-`, cut to leave room for the 5-character suffix. */
export function generateNamePrefix(name: string): string {
  const prefix = `${name}-`;
  return prefix.length > 58 ? prefix.slice(0, 58) : prefix;
}

export function keyOf(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

export function splitKey(key: string): [string, string] {
  const i = key.indexOf('/');
  return [key.slice(0, i), key.slice(i + 1)];
}

/** Adds `value` to the set under `key` of an index. */
export function indexAdd(index: Map<string, Set<string>>, key: string, value: string): void {
  let s = index.get(key);
  if (!s) {
    s = new Set();
    index.set(key, s);
  }
  s.add(value);
}

export function indexDelete(index: Map<string, Set<string>>, key: string, value: string): void {
  const s = index.get(key);
  if (!s) return;
  s.delete(value);
  if (s.size === 0) index.delete(key);
}
