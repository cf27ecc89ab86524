/**
 * The ResourceQuota admission plugin and the usage rules it shares with the quota controller
 * (sim/controllers/resourcequota.ts): what an object counts against a quota, and the rejections with the words
 * of plugin/pkg/admission/resourcequota (`exceeded quota: ...`, `failed quota: ...: must specify ...`).
 * Usage numbers are integers: cpu resources in millicores, everything else in whole units (bytes, objects).
 */
import { milliCpu, parseQuantity } from '../../util/quantity.ts';
import { findResource, PODS } from '../resources.ts';
import type { ResourceInfo } from '../resources.ts';
import type { Container, KObject, Pod } from '../types.ts';
import { formatUnits } from './limitrange.ts';
import { admissionForbidden, type AdmissionPlugin } from './index.ts';

export const RESOURCEQUOTAS = findResource('', 'resourcequotas')!;

export type Usage = Record<string, number>;

/** Core resources with a legacy object-count name (`configmaps`, `services`, ...) besides `count/<resource>`. */
const LEGACY_COUNTS = new Set(['services', 'configmaps', 'secrets', 'persistentvolumeclaims', 'replicationcontrollers', 'resourcequotas']);

/** Resources the pod evaluator answers for; `requests.cpu`-style names and their short forms. */
const POD_COMPUTE = new Set(['cpu', 'memory', 'requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory', 'ephemeral-storage', 'requests.ephemeral-storage', 'limits.ephemeral-storage']);
/** Quota on these makes every container state a value (the pod evaluator's Constraints). */
const VALIDATION_SET = new Set(['cpu', 'memory', 'requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory']);

export function isCpuResource(name: string): boolean {
  return name === 'cpu' || name.endsWith('.cpu');
}

/** An amount as a quota's status shows it: 1800m, 2, 512Mi, 3. */
export function formatUsage(name: string, v: number): string {
  if (isCpuResource(name)) return v % 1000 === 0 ? String(v / 1000) : `${v}m`;
  return formatUnits(v);
}

/** A quantity string (a quota's hard value) as a usage number, or undefined when it does not parse. */
export function parseUsage(name: string, q: unknown): number | undefined {
  const v = parseQuantity(q);
  if (v === undefined) return undefined;
  return isCpuResource(name) ? milliCpu(q) : Math.ceil(v - 1e-9);
}

export function countName(info: ResourceInfo): string {
  return info.group ? `count/${info.resource}.${info.group}` : `count/${info.resource}`;
}

function terminal(pod: Pod): boolean {
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

function amount(name: string, q: unknown): number {
  return isCpuResource(name) ? milliCpu(q) : Math.ceil((parseQuantity(q) ?? 0) - 1e-9);
}

/** The pod's effective requests or limits: containers (and sidecars) summed, at least each init container. */
function podResources(pod: Pod, which: 'requests' | 'limits'): Map<string, number> {
  const sum = new Map<string, number>();
  const inits = pod.spec?.initContainers ?? [];
  const add = (c: Container) => {
    for (const [k, v] of Object.entries(c?.resources?.[which] ?? {})) sum.set(k, (sum.get(k) ?? 0) + amount(k, v));
  };
  for (const c of pod.spec?.containers ?? []) add(c);
  for (const c of inits) if (c?.restartPolicy === 'Always') add(c);
  for (const c of inits) {
    if (c?.restartPolicy === 'Always') continue;
    for (const [k, v] of Object.entries(c?.resources?.[which] ?? {})) sum.set(k, Math.max(sum.get(k) ?? 0, amount(k, v)));
  }
  return sum;
}

/** The quota scopes a pod falls in, e.g. `NotBestEffort,NotTerminating`. */
const SCOPE_CLASSES = ['BestEffort,Terminating', 'BestEffort,NotTerminating', 'NotBestEffort,Terminating', 'NotBestEffort,NotTerminating'];
const KNOWN_SCOPES = new Set(['BestEffort', 'NotBestEffort', 'Terminating', 'NotTerminating']);

function podScopeClass(pod: Pod): string {
  const all = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  const bestEffort = all.every((c) => {
    const r = c?.resources;
    return !['cpu', 'memory'].some((k) => (r?.requests && k in r.requests) || (r?.limits && k in r.limits));
  });
  const ads = (pod.spec as { activeDeadlineSeconds?: unknown } | undefined)?.activeDeadlineSeconds;
  const terminating = typeof ads === 'number' && ads >= 0;
  return `${bestEffort ? 'BestEffort' : 'NotBestEffort'},${terminating ? 'Terminating' : 'NotTerminating'}`;
}

/** The scopes of a quota that this sim evaluates (PriorityClass and scopeSelector are not). */
export function scopesOf(quota: KObject): string[] {
  const scopes = (quota.spec as { scopes?: unknown } | undefined)?.scopes;
  return Array.isArray(scopes) ? scopes.filter((x): x is string => typeof x === 'string' && KNOWN_SCOPES.has(x)) : [];
}

/** A namespace's usage of `name` as a quota with these scopes counts it. */
export function usedFor(used: Usage, name: string, scopes: string[]): number {
  if (!scopes.length) return used[name] ?? 0;
  let sum = 0;
  for (const cls of SCOPE_CLASSES) {
    const parts = cls.split(',');
    if (scopes.every((s) => parts.includes(s))) sum += used[`${name}@${cls}`] ?? 0;
  }
  return sum;
}

/** What one stored object counts against its namespace's quotas (events are not counted). */
export function usageOf(info: ResourceInfo, obj: KObject): Usage {
  if (info.resource === 'events') return {};
  const u: Usage = { [countName(info)]: 1 };
  if (info.group === '' && LEGACY_COUNTS.has(info.resource)) u[info.resource] = 1;
  if (info === PODS) {
    const pod = obj as Pod;
    if (terminal(pod)) return u;
    u.pods = 1;
    for (const [k, v] of podResources(pod, 'requests')) {
      u[`requests.${k}`] = v;
      if (k === 'cpu' || k === 'memory' || k === 'ephemeral-storage') u[k] = v;
    }
    for (const [k, v] of podResources(pod, 'limits')) u[`limits.${k}`] = v;
    // The same amounts again under the pod's scope class, for quotas with scopes.
    const cls = podScopeClass(pod);
    for (const k of Object.keys(u)) if (k === 'pods' || POD_COMPUTE.has(k) || k.startsWith('requests.') || k.startsWith('limits.')) u[`${k}@${cls}`] = u[k];
  } else if (info.group === '' && info.resource === 'services') {
    const spec = (obj.spec ?? {}) as { type?: string; ports?: unknown[] };
    if (spec.type === 'LoadBalancer') u['services.loadbalancers'] = 1;
    if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') u['services.nodeports'] = Array.isArray(spec.ports) ? spec.ports.length : 0;
  } else if (info.group === '' && info.resource === 'persistentvolumeclaims') {
    const storage = (obj.spec as { resources?: { requests?: Record<string, string> } } | undefined)?.resources?.requests?.storage;
    if (storage !== undefined) u['requests.storage'] = amount('storage', storage);
  }
  return u;
}

/** Whether a quota resource name is one this kind of object is counted under. */
function matchesKind(info: ResourceInfo, name: string): boolean {
  if (name === countName(info)) return true;
  if (info.group === '' && name === info.resource) return true;
  if (info === PODS) return name === 'pods' || POD_COMPUTE.has(name);
  if (info.group === '' && info.resource === 'services') return name === 'services.loadbalancers' || name === 'services.nodeports';
  if (info.group === '' && info.resource === 'persistentvolumeclaims') return name === 'requests.storage';
  return false;
}

/** The pod evaluator's Constraints: `must specify limits.cpu for: a,b; requests.cpu for: a`, or undefined. */
function missingValues(pod: Pod, required: string[]): string | undefined {
  const need = required.filter((r) => VALIDATION_SET.has(r));
  if (!need.length) return undefined;
  const missing = new Map<string, Set<string>>();
  for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
    if (!c || typeof c !== 'object') continue;
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    const has = new Set<string>();
    for (const k of ['cpu', 'memory']) {
      if (k in req) has.add(k).add(`requests.${k}`);
      if (k in lim) has.add(`limits.${k}`);
    }
    for (const r of need) {
      if (!has.has(r)) {
        if (!missing.has(r)) missing.set(r, new Set());
        missing.get(r)!.add(c.name);
      }
    }
  }
  if (!missing.size) return undefined;
  const parts = [...missing.keys()].sort().map((r) => `${r} for: ${[...missing.get(r)!].sort().join(',')}`);
  return `must specify ${parts.join('; ')}`;
}

function pretty(names: string[], value: (n: string) => string): string {
  return [...names].sort().map((n) => `${n}=${value(n)}`).join(',');
}

/** Where the admission plugin reads a namespace's current usage (kept by the quota controller). */
export interface QuotaUsageSource {
  usage(namespace: string): Usage | undefined;
}

/** A quota's `spec.hard`, or {} when it is not a map. */
export function hardOf(quota: KObject): Record<string, string> {
  const hard = (quota.spec as { hard?: unknown } | undefined)?.hard;
  return typeof hard === 'object' && hard !== null && !Array.isArray(hard) ? (hard as Record<string, string>) : {};
}

/** The evaluators that look at updates too: a Service that becomes a NodePort or LoadBalancer, a PVC resize. */
function handlesUpdate(info: ResourceInfo): boolean {
  return info.group === '' && (info.resource === 'services' || info.resource === 'persistentvolumeclaims');
}

/**
 * ResourceQuota admission: on create, counts the new object against every quota of its namespace; on update
 * (Services and PVCs only, as upstream), counts what the change adds.
 */
export function quotaAdmission(source: QuotaUsageSource): AdmissionPlugin {
  return {
    name: 'ResourceQuota',
    validate(a) {
      if (!a.namespace || !a.info.namespaced) return;
      if (a.operation === 'UPDATE' && !(handlesUpdate(a.info) && a.old)) return;
      if (a.info.resource === 'events') return;
      const quotas = a.store.list(RESOURCEQUOTAS, a.namespace);
      if (!quotas.length) return;
      const interesting: { quota: KObject; hard: Record<string, string>; names: string[]; scopes: string[] }[] = [];
      for (const quota of quotas) {
        if (quota.metadata.deletionTimestamp) continue;
        const hard = hardOf(quota);
        const scopes = scopesOf(quota);
        // A quota with scopes tracks only the pods in all of its scopes.
        if (scopes.length && (a.info !== PODS || !scopes.every((sc) => podScopeClass(a.object as Pod).split(',').includes(sc)))) continue;
        const names = Object.keys(hard).filter((n) => matchesKind(a.info, n) && (!scopes.length || n === 'pods' || POD_COMPUTE.has(n)));
        if (!names.length) continue;
        if (a.info === PODS) {
          const missing = missingValues(a.object as Pod, names);
          if (missing) throw admissionForbidden(a, `failed quota: ${quota.metadata.name}: ${missing}`);
        }
        interesting.push({ quota, hard, names, scopes });
      }
      if (!interesting.length) return;
      const delta = usageOf(a.info, a.object);
      if (a.operation === 'UPDATE') {
        // Only what the update adds is checked; a change that adds nothing always passes.
        const before = usageOf(a.info, a.old!);
        for (const k of Object.keys(delta)) {
          delta[k] -= before[k] ?? 0;
          if (delta[k] <= 0) delete delta[k];
        }
      }
      const used = source.usage(a.namespace) ?? {};
      for (const { quota, hard, names, scopes } of interesting) {
        const requested = names.filter((n) => n in delta);
        const exceeded = requested.filter((n) => {
          const limit = parseUsage(n, hard[n]);
          return limit !== undefined && usedFor(used, n, scopes) + delta[n] > limit;
        });
        if (exceeded.length) {
          throw admissionForbidden(
            a,
            `exceeded quota: ${quota.metadata.name}, requested: ${pretty(exceeded, (n) => formatUsage(n, delta[n]))}, used: ${pretty(exceeded, (n) => formatUsage(n, usedFor(used, n, scopes)))}, limited: ${pretty(exceeded, (n) => formatUsage(n, parseUsage(n, hard[n])!))}`,
          );
        }
      }
    },
  };
}
