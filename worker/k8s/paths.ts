/** The API server's URL space: discovery, OpenAPI, health, and `/api|/apis/<group>/<version>/...` resource paths. */
import { EXTRA_VERSIONS, RESOURCES, type ResourceInfo } from '../../sim/apiserver/resources.ts';

export interface ResourceRoute {
  kind: 'resource';
  group: string;
  /** the version the request addresses (may be an extra version, e.g. autoscaling/v1) */
  version: string;
  info: ResourceInfo;
  namespace?: string;
  name?: string;
  subresource?: string;
  /** the legacy `/watch/` path prefix */
  watchPath: boolean;
}

export type Route =
  | { kind: 'version' }
  | { kind: 'health'; endpoint: string; check: string }
  | { kind: 'api' }
  | { kind: 'apis' }
  | { kind: 'group'; group: string }
  | { kind: 'groupVersion'; group: string; version: string }
  | { kind: 'openapi-v2' }
  | { kind: 'openapi-v3-index' }
  | { kind: 'openapi-v3'; path: string }
  | ResourceRoute
  /** under /api or /apis but naming nothing served (a JSON Status 404) */
  | { kind: 'not-found' }
  /** outside the API's paths (the server's plain-text 404) */
  | { kind: 'no-route' };

function findInfo(group: string, version: string, resource: string): ResourceInfo | undefined {
  return RESOURCES.find((r) => r.group === group && r.resource === resource && (r.version === version || (EXTRA_VERSIONS[group] ?? []).includes(version)));
}

function servesVersion(group: string, version: string): boolean {
  return RESOURCES.some((r) => r.group === group && (r.version === version || (EXTRA_VERSIONS[group] ?? []).includes(version)));
}

export function parsePath(apiPath: string): Route {
  const path = apiPath.split('?')[0];
  let segs: string[];
  try {
    segs = path.split('/').filter((s) => s !== '').map((s) => decodeURIComponent(s));
  } catch {
    return { kind: 'no-route' };
  }
  if (segs.length === 0) return { kind: 'no-route' };
  const [first] = segs;
  if (first === 'version' && segs.length === 1) return { kind: 'version' };
  if ((first === 'healthz' || first === 'livez' || first === 'readyz') && segs.length <= 2) return { kind: 'health', endpoint: first, check: segs[1] ?? '' };
  if (first === 'openapi') {
    if (segs[1] === 'v2' && segs.length === 2) return { kind: 'openapi-v2' };
    if (segs[1] === 'v3' && segs.length === 2) return { kind: 'openapi-v3-index' };
    if (segs[1] === 'v3') return { kind: 'openapi-v3', path: segs.slice(2).join('/') };
    return { kind: 'no-route' };
  }
  if (first === 'api') {
    if (segs.length === 1) return { kind: 'api' };
    if (segs[1] !== 'v1') return { kind: 'no-route' };
    if (segs.length === 2) return { kind: 'groupVersion', group: '', version: 'v1' };
    return resourceRoute('', 'v1', segs.slice(2));
  }
  if (first === 'apis') {
    if (segs.length === 1) return { kind: 'apis' };
    const group = segs[1];
    if (!RESOURCES.some((r) => r.group === group)) return { kind: 'no-route' };
    if (segs.length === 2) return { kind: 'group', group };
    const version = segs[2];
    if (!servesVersion(group, version)) return { kind: 'no-route' };
    if (segs.length === 3) return { kind: 'groupVersion', group, version };
    return resourceRoute(group, version, segs.slice(3));
  }
  return { kind: 'no-route' };
}

function resourceRoute(group: string, version: string, rest: string[]): Route {
  let watchPath = false;
  if (rest[0] === 'watch') {
    watchPath = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3 && !(group === '' && rest.length === 3 && (rest[2] === 'status' || rest[2] === 'finalize'))) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [resource, name, subresource, ...more] = rest;
  if (!resource) return { kind: 'not-found' };
  const info = findInfo(group, version, resource);
  if (!info) return { kind: 'not-found' };
  if (namespace !== undefined && !info.namespaced) return { kind: 'not-found' };
  // A namespaced resource's items live under a namespace; the cluster-wide path only lists and watches.
  if (namespace === undefined && info.namespaced && name !== undefined) return { kind: 'not-found' };
  if (subresource !== undefined) {
    if (watchPath) return { kind: 'not-found' };
    if (!(info.subresources ?? []).some((s) => s.name === subresource)) return { kind: 'not-found' };
    // Only proxy subresources take a path after them; they are not served here.
    if (more.length) return { kind: 'not-found' };
  }
  if (name === '') return { kind: 'not-found' };
  return { kind: 'resource', group, version, info, namespace, name, subresource, watchPath };
}
