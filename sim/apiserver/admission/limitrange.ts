/**
 * The LimitRanger admission plugin for pods: on create it fills in each container's missing requests and limits
 * from the namespace's LimitRanges (`default`, `defaultRequest`), records what it set in the
 * `kubernetes.io/limit-ranger` annotation, then enforces `min`, `max` and `maxLimitRequestRatio` per Container
 * and per Pod, with the words of plugin/pkg/admission/limitranger. Pod updates are not checked (as upstream:
 * containers and their resources cannot change).
 */
import { parseQuantity } from '../../util/quantity.ts';
import { findResource, PODS } from '../resources.ts';
import type { Container, KObject, Pod } from '../types.ts';
import { admissionForbidden, aggregate, type AdmissionAttributes, type AdmissionPlugin } from './index.ts';

export const LIMITRANGES = findResource('', 'limitranges')!;

type ResourceList = Record<string, string>;

interface LimitRangeItem {
  type?: string;
  min?: ResourceList;
  max?: ResourceList;
  default?: ResourceList;
  defaultRequest?: ResourceList;
  maxLimitRequestRatio?: ResourceList;
}

/** The item as the API's defaulting leaves it: default from max, defaultRequest from default, then from min. */
export function defaultedItem(raw: LimitRangeItem): LimitRangeItem {
  const list = (v: unknown) => (isMap(v) ? (v as ResourceList) : undefined);
  const item: LimitRangeItem = { type: raw.type, min: list(raw.min), max: list(raw.max), default: list(raw.default), defaultRequest: list(raw.defaultRequest), maxLimitRequestRatio: list(raw.maxLimitRequestRatio) };
  if (item.type !== 'Container') return item;
  const def: ResourceList = { ...(item.default ?? {}) };
  const defReq: ResourceList = { ...(item.defaultRequest ?? {}) };
  for (const [k, v] of Object.entries(item.max ?? {})) def[k] ??= v;
  for (const [k, v] of Object.entries(def)) defReq[k] ??= v;
  for (const [k, v] of Object.entries(item.min ?? {})) defReq[k] ??= v;
  return { ...item, default: def, defaultRequest: defReq };
}

function itemsOf(lr: KObject): LimitRangeItem[] {
  const limits = (lr.spec as { limits?: unknown } | undefined)?.limits;
  return Array.isArray(limits) ? (limits.filter((i) => i && typeof i === 'object') as LimitRangeItem[]).map(defaultedItem) : [];
}

function limitRangesIn(a: AdmissionAttributes): KObject[] {
  return a.namespace ? a.store.list(LIMITRANGES, a.namespace) : [];
}

/** Milli-units, so "100m" and "0.1" compare equal. */
function milli(q: unknown): number {
  const v = parseQuantity(q);
  return v === undefined ? 0 : Math.round(v * 1000);
}

function isPodCreate(a: AdmissionAttributes): boolean {
  return a.operation === 'CREATE' && a.info === PODS;
}

function isMap(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function mergeContainer(c: Container, defaults: { requests: ResourceList; limits: ResourceList }, prefix: string, notes: string[]): void {
  // A malformed container is left to validation, which rejects it with a 422.
  if (!isMap(c) || (c.resources !== undefined && !isMap(c.resources))) return;
  if ((c.resources?.limits !== undefined && !isMap(c.resources.limits)) || (c.resources?.requests !== undefined && !isMap(c.resources.requests))) return;
  const res = (c.resources ??= {});
  const limits = (res.limits ??= {});
  const requests = (res.requests ??= {});
  const setLimits: string[] = [];
  const setRequests: string[] = [];
  for (const [k, v] of Object.entries(defaults.limits)) {
    if (!(k in limits)) {
      limits[k] = v;
      setLimits.push(k);
    }
  }
  for (const [k, v] of Object.entries(defaults.requests)) {
    if (!(k in requests)) {
      requests[k] = v;
      setRequests.push(k);
    }
  }
  if (setRequests.length) notes.push(`${setRequests.sort().join(', ')} request for ${prefix} ${c.name}`);
  if (setLimits.length) notes.push(`${setLimits.sort().join(', ')} limit for ${prefix} ${c.name}`);
  if (Object.keys(limits).length === 0) delete res.limits;
  if (Object.keys(requests).length === 0) delete res.requests;
}

function minConstraint(type: string, r: string, enforced: string, req: ResourceList, lim: ResourceList): string | undefined {
  if (!(r in req)) return `minimum ${r} usage per ${type} is ${enforced}.  No request is specified`;
  if (milli(req[r]) < milli(enforced)) return `minimum ${r} usage per ${type} is ${enforced}, but request is ${req[r]}`;
  if (r in lim && milli(lim[r]) < milli(enforced)) return `minimum ${r} usage per ${type} is ${enforced}, but limit is ${lim[r]}`;
  return undefined;
}

function maxConstraint(type: string, r: string, enforced: string, req: ResourceList, lim: ResourceList): string | undefined {
  if (!(r in lim)) return `maximum ${r} usage per ${type} is ${enforced}.  No limit is specified`;
  if (milli(lim[r]) > milli(enforced)) return `maximum ${r} usage per ${type} is ${enforced}, but limit is ${lim[r]}`;
  if (r in req && milli(req[r]) > milli(enforced)) return `maximum ${r} usage per ${type} is ${enforced}, but request is ${req[r]}`;
  return undefined;
}

function ratioConstraint(type: string, r: string, enforced: string, req: ResourceList, lim: ResourceList): string | undefined {
  const rq = milli(req[r]);
  const lm = milli(lim[r]);
  if (!(r in req) || rq === 0) return `${r} max limit to request ratio per ${type} is ${enforced}, but no request is specified or request is 0`;
  if (!(r in lim) || lm === 0) return `${r} max limit to request ratio per ${type} is ${enforced}, but no limit is specified or limit is 0`;
  const ratio = lm / rq;
  if (ratio * 1000 > milli(enforced)) return `${r} max limit to request ratio per ${type} is ${enforced}, but provided ratio is ${ratio.toFixed(6)}`;
  return undefined;
}

function check(type: string, item: LimitRangeItem, req: ResourceList, lim: ResourceList, errs: string[]): void {
  for (const k of Object.keys(item.min ?? {}).sort()) {
    const e = minConstraint(type, k, String(item.min![k]), req, lim);
    if (e) errs.push(e);
  }
  for (const k of Object.keys(item.max ?? {}).sort()) {
    const e = maxConstraint(type, k, String(item.max![k]), req, lim);
    if (e) errs.push(e);
  }
  for (const k of Object.keys(item.maxLimitRequestRatio ?? {}).sort()) {
    const e = ratioConstraint(type, k, String(item.maxLimitRequestRatio![k]), req, lim);
    if (e) errs.push(e);
  }
}

/** Sum over containers, at least each init container's value (as the plugin's podRequests/podLimits). */
function podTotal(pod: Pod, which: 'requests' | 'limits'): ResourceList {
  const sum = new Map<string, number>();
  for (const c of pod.spec.containers ?? []) {
    for (const [k, v] of Object.entries(c.resources?.[which] ?? {})) sum.set(k, (sum.get(k) ?? 0) + milli(v));
  }
  for (const c of pod.spec.initContainers ?? []) {
    for (const [k, v] of Object.entries(c.resources?.[which] ?? {})) sum.set(k, Math.max(sum.get(k) ?? 0, milli(v)));
  }
  const out: ResourceList = {};
  for (const [k, m] of sum) out[k] = formatMilliQuantity(k, m);
  return out;
}

/** A milli-valued quantity in a canonical form: cpu as 250m / 2, others in whole units (binary when exact). */
export function formatMilliQuantity(resource: string, m: number): string {
  if (m % 1000 !== 0) return `${m}m`;
  const v = m / 1000;
  if (/cpu$/.test(resource)) return String(v);
  return formatUnits(v);
}

export function formatUnits(v: number): string {
  if (v === 0) return '0';
  for (const [s, f] of [['Ei', 1024 ** 6], ['Pi', 1024 ** 5], ['Ti', 1024 ** 4], ['Gi', 1024 ** 3], ['Mi', 1024 ** 2], ['Ki', 1024]] as const) {
    if (v >= f && v % f === 0) return `${v / f}${s}`;
  }
  for (const [s, f] of [['E', 1e18], ['P', 1e15], ['T', 1e12], ['G', 1e9], ['M', 1e6], ['k', 1e3]] as const) {
    if (v >= f && v % f === 0) return `${v / f}${s}`;
  }
  return String(v);
}

export const limitRanger: AdmissionPlugin = {
  name: 'LimitRanger',
  admit(a) {
    if (!isPodCreate(a)) return;
    const pod = a.object as Pod;
    if (!pod.spec || !Array.isArray(pod.spec.containers)) return;
    for (const lr of limitRangesIn(a)) {
      const defaults = { requests: {} as ResourceList, limits: {} as ResourceList };
      for (const item of itemsOf(lr)) {
        if (item.type !== 'Container') continue;
        Object.assign(defaults.requests, item.defaultRequest ?? {});
        Object.assign(defaults.limits, item.default ?? {});
      }
      if (!Object.keys(defaults.requests).length && !Object.keys(defaults.limits).length) continue;
      const notes: string[] = [];
      for (const c of pod.spec.containers) mergeContainer(c, defaults, 'container', notes);
      if (Array.isArray(pod.spec.initContainers)) for (const c of pod.spec.initContainers) mergeContainer(c, defaults, 'init container', notes);
      if (notes.length && (pod.metadata.annotations === undefined || isMap(pod.metadata.annotations))) (pod.metadata.annotations ??= {})['kubernetes.io/limit-ranger'] = `LimitRanger plugin set: ${notes.join('; ')}`;
    }
  },
  validate(a) {
    if (!isPodCreate(a)) return;
    const pod = a.object as Pod;
    if (!pod.spec || !Array.isArray(pod.spec.containers)) return;
    const errs: string[] = [];
    for (const lr of limitRangesIn(a)) {
      for (const item of itemsOf(lr)) {
        if (item.type === 'Container') {
          for (const c of [...pod.spec.containers, ...(pod.spec.initContainers ?? [])]) {
            check('Container', item, c.resources?.requests ?? {}, c.resources?.limits ?? {}, errs);
          }
        } else if (item.type === 'Pod') {
          check('Pod', item, podTotal(pod, 'requests'), podTotal(pod, 'limits'), errs);
        }
      }
    }
    if (errs.length) throw admissionForbidden(a, aggregate(errs));
  },
};
