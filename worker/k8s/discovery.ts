/**
 * API discovery, built from sim/apiserver/resources.ts: the legacy documents (`APIVersions`, `APIGroupList`,
 * `APIGroup`, `APIResourceList`) and the aggregated `apidiscovery.k8s.io` `APIGroupDiscoveryList` kubectl 1.32
 * asks for first.
 */
import { EXTRA_VERSIONS, RESOURCES, type ResourceInfo } from '../../sim/apiserver/resources.ts';
import { metricsApiGroup, metricsGroupDiscovery } from './metrics.ts';

/** The order the API server lists its groups in (its group priorities). */
const GROUP_ORDER = [
  'apiregistration.k8s.io',
  'apps',
  'events.k8s.io',
  'authentication.k8s.io',
  'authorization.k8s.io',
  'autoscaling',
  'batch',
  'certificates.k8s.io',
  'networking.k8s.io',
  'policy',
  'rbac.authorization.k8s.io',
  'storage.k8s.io',
  'admissionregistration.k8s.io',
  'apiextensions.k8s.io',
  'scheduling.k8s.io',
  'coordination.k8s.io',
  'node.k8s.io',
  'discovery.k8s.io',
  'flowcontrol.apiserver.k8s.io',
];

/** Subresources whose objects belong to another group/version. */
const SUBRESOURCE_KINDS: Record<string, { group: string; version: string }> = {
  Scale: { group: 'autoscaling', version: 'v1' },
  Eviction: { group: 'policy', version: 'v1' },
  TokenRequest: { group: 'authentication.k8s.io', version: 'v1' },
};

export interface GroupVersions {
  group: string;
  /** preferred first */
  versions: string[];
}

/** The non-core groups with the versions they serve, in the API server's order. */
export function apiGroups(): GroupVersions[] {
  const groups = new Map<string, string[]>();
  for (const r of RESOURCES) {
    if (!r.group) continue;
    const list = groups.get(r.group) ?? [];
    if (!list.includes(r.version)) list.push(r.version);
    groups.set(r.group, list);
  }
  for (const [g, extra] of Object.entries(EXTRA_VERSIONS)) {
    const list = groups.get(g);
    if (list) for (const v of extra) if (!list.includes(v)) list.push(v);
  }
  const rank = (g: string) => {
    const i = GROUP_ORDER.indexOf(g);
    return i < 0 ? GROUP_ORDER.length : i;
  };
  return [...groups.entries()].sort((a, b) => rank(a[0]) - rank(b[0]) || (a[0] < b[0] ? -1 : 1)).map(([group, versions]) => ({ group, versions }));
}

/** The resources served at a group/version (including extra versions such as autoscaling/v1). */
export function resourcesAt(group: string, version: string): ResourceInfo[] {
  return RESOURCES.filter((r) => r.group === group && (r.version === version || (EXTRA_VERSIONS[group] ?? []).includes(version)));
}

export function groupServes(group: string, version: string): boolean {
  return resourcesAt(group, version).length > 0;
}

function gv(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

function subresourceKind(kind: string, group: string, version: string): { group: string; version: string; kind: string } {
  const other = SUBRESOURCE_KINDS[kind];
  return other ? { ...other, kind } : { group, version, kind };
}

// --- legacy -------------------------------------------------------------------------------------------------

export function apiVersions(serverAddress: string): unknown {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function apiGroupDoc(g: GroupVersions): Record<string, unknown> {
  const versions = g.versions.map((v) => ({ groupVersion: gv(g.group, v), version: v }));
  return { name: g.group, versions, preferredVersion: versions[0] };
}

export function apiGroupList(): unknown {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: [...apiGroups().map(apiGroupDoc), metricsApiGroup()] };
}

export function apiGroup(group: string): unknown | undefined {
  const g = apiGroups().find((x) => x.group === group);
  if (!g) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...apiGroupDoc(g) };
}

export function apiResourceList(group: string, version: string): unknown | undefined {
  const resources = resourcesAt(group, version);
  if (!resources.length) return undefined;
  const list: Record<string, unknown>[] = [];
  for (const r of resources) {
    const entry: Record<string, unknown> = { name: r.resource, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: r.verbs };
    if (r.shortNames?.length) entry.shortNames = r.shortNames;
    if (r.categories?.length) entry.categories = r.categories;
    list.push(entry);
    for (const s of r.subresources ?? []) {
      const sub: Record<string, unknown> = { name: `${r.resource}/${s.name}`, singularName: '', namespaced: r.namespaced };
      const k = subresourceKind(s.kind, group, version);
      if (k.group !== group || k.version !== version) {
        sub.group = k.group;
        sub.version = k.version;
      }
      sub.kind = s.kind;
      sub.verbs = s.verbs;
      list.push(sub);
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gv(group, version), resources: list };
}

// --- aggregated ---------------------------------------------------------------------------------------------

export const DISCOVERY_CONTENT_TYPE = {
  v2: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList',
  v2beta1: 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList',
};

function resourceDiscovery(r: ResourceInfo, group: string, version: string): Record<string, unknown> {
  const d: Record<string, unknown> = {
    resource: r.resource,
    responseKind: { group, version, kind: r.kind },
    scope: r.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: r.singular,
    verbs: r.verbs,
  };
  if (r.shortNames?.length) d.shortNames = r.shortNames;
  if (r.categories?.length) d.categories = r.categories;
  if (r.subresources?.length) {
    d.subresources = r.subresources.map((s) => ({ subresource: s.name, responseKind: subresourceKind(s.kind, group, version), verbs: s.verbs }));
  }
  return d;
}

function versionDiscovery(group: string, version: string): Record<string, unknown> {
  return { version, resources: resourcesAt(group, version).map((r) => resourceDiscovery(r, group, version)), freshness: 'Current' };
}

/** `/api` (core) or `/apis` (every other group) as an APIGroupDiscoveryList. */
export function aggregatedDiscovery(which: 'api' | 'apis', apiVersion: 'v2' | 'v2beta1'): unknown {
  const items =
    which === 'api'
      ? [{ metadata: { creationTimestamp: null }, versions: [versionDiscovery('', 'v1')] }]
      : [...apiGroups().map((g) => ({ metadata: { name: g.group, creationTimestamp: null }, versions: g.versions.map((v) => versionDiscovery(g.group, v)) })), metricsGroupDiscovery()];
  return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${apiVersion}`, metadata: {}, items };
}
