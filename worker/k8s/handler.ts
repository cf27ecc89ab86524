/**
 * The Kubernetes REST API's HTTP face, host-independent (web-standard Request/Response/ReadableStream only):
 * version, health, discovery (legacy and aggregated), OpenAPI, and every resource of sim/apiserver/resources.ts
 * with its subresources. Every error is a `Status` with the API server's code and words; an unexpected
 * exception is logged and answered with a 500 Status.
 */
import { KUBERNETES_VERSION } from '../../sim/bootstrap.ts';
import { StatusError } from '../../sim/apiserver/errors.ts';
import type { K8sContext } from './context.ts';
import { aggregatedDiscovery, apiGroup, apiGroupList, apiResourceList, apiVersions, DISCOVERY_CONTENT_TYPE } from './discovery.ts';
import { negotiateDiscovery, negotiateObject } from './negotiate.ts';
import { kubernetesOpenApi, type OpenApiSource } from './openapi.ts';
import { parsePath, type Route } from './paths.ts';
import { errorResponse, internalError, JSON_TYPE, methodNotAllowed, notFoundRoute, objectResponse, textResponse, type Rendering } from './responses.ts';
import { serveResource } from './rest.ts';
import { serveMetrics } from './metrics.ts';

export type { K8sContext, LogOptions, Role, UpgradeTarget } from './context.ts';
export type { OpenApiSource } from './openapi.ts';
export { kubernetesOpenApi, minimalOpenApi } from './openapi.ts';

let defaultOpenApi: OpenApiSource | undefined;

function openApi(ctx: K8sContext): OpenApiSource {
  if (ctx.openapi) return ctx.openapi;
  defaultOpenApi ??= kubernetesOpenApi();
  return defaultOpenApi;
}

/** `/version` of Kubernetes 1.32 (kubectl's dispatcher picks the kubectl of the server's minor version). */
export function versionInfo(): Record<string, string> {
  const [major, minor] = KUBERNETES_VERSION.replace(/^v/, '').split('.');
  return {
    major,
    minor,
    gitVersion: KUBERNETES_VERSION,
    gitCommit: '70d3cc986aa8221cd1dfb1121852688902d3bf53',
    gitTreeState: 'clean',
    buildDate: '2024-12-11T17:59:15Z',
    goVersion: 'go1.23.3',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

/**
 * Serves one Kubernetes API request. `apiPath` is the path after the sandbox prefix (e.g.
 * `/api/v1/namespaces/default/pods`); the query string is read from `req.url`.
 */
export async function handleKubernetesRequest(req: Request, apiPath: string, ctx: K8sContext): Promise<Response> {
  let query: URLSearchParams;
  try {
    query = new URL(req.url).searchParams;
  } catch {
    query = new URLSearchParams(apiPath.includes('?') ? apiPath.slice(apiPath.indexOf('?') + 1) : '');
  }
  const pretty = query.get('pretty') === 'true' || query.get('pretty') === '1';
  const errRendering: Rendering = { contentType: JSON_TYPE, pretty };
  // A write that changed the store is committed even if it failed half-way (e.g. an eviction that updated
  // the budget but could not delete the pod): what the sim holds must reach storage and the watchers.
  const rvBefore = ctx.cluster.store.currentRV();
  let committed = false;
  // Forwards to the host's context (which may be a class instance: no spreading) and notes the commit.
  const tracked: K8sContext = {
    cluster: ctx.cluster,
    user: ctx.user,
    commit: async () => {
      committed = true;
      await ctx.commit();
    },
    watchOpened: ctx.watchOpened ? () => ctx.watchOpened!() : undefined,
    watchClosed: ctx.watchClosed ? () => ctx.watchClosed!() : undefined,
    maxBodyBytes: ctx.maxBodyBytes,
    openapi: ctx.openapi,
    upgrade: ctx.upgrade ? (r, t) => ctx.upgrade!(r, t) : undefined,
    logs: ctx.logs ? (ns, pod, o) => ctx.logs!(ns, pod, o) : undefined,
    logPollMs: ctx.logPollMs,
  };
  const commitIfChanged = async () => {
    if (!committed && ctx.cluster.store.currentRV() !== rvBefore) await tracked.commit();
  };
  try {
    // The resource metrics API (kubectl top) is served from the simulated usage, outside the stored resources.
    const metrics = serveMetrics(req, apiPath, tracked, query);
    if (metrics) return metrics;
    const route = parsePath(apiPath);
    const res = await serve(req, route, tracked, query, pretty);
    if (req.method !== 'GET' && req.method !== 'HEAD') await commitIfChanged();
    await releaseBody(req);
    return res;
  } catch (e) {
    try {
      await commitIfChanged();
    } catch (commitError) {
      console.error('kubernetes API: commit after a failed request failed', commitError);
    }
    await releaseBody(req);
    if (e instanceof StatusError) return errorResponse(e, errRendering);
    console.error('kubernetes API: unexpected error', req.method, apiPath, e);
    return errorResponse(internalError(e instanceof Error ? e.message : String(e)), errRendering);
  }
}

/**
 * A body the request carried but nobody read (a 403, a 405) is drained before the answer: workerd reports an
 * uncaught error when a forwarded body is still being streamed after the response was sent.
 */
async function releaseBody(req: Request, limit = 4 * 1024 * 1024): Promise<void> {
  if (!req.body || req.bodyUsed) return;
  try {
    const reader = req.body.getReader();
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel();
        return;
      }
    }
  } catch {
    // already closed or errored
  }
}

async function serve(req: Request, route: Route, ctx: K8sContext, query: URLSearchParams, pretty: boolean): Promise<Response> {
  const method = req.method.toUpperCase();
  const readOnly = method === 'GET' || method === 'HEAD';
  switch (route.kind) {
    case 'no-route':
      return textResponse('404 page not found\n', 404);
    case 'not-found':
      throw notFoundRoute();
    case 'resource':
      return serveResource(req, route, ctx, query);
    case 'version':
      if (!readOnly) throw methodNotAllowed();
      return objectResponse(versionInfo(), 200, { contentType: JSON_TYPE, pretty: true });
    case 'health':
      if (!readOnly) throw methodNotAllowed();
      if (route.check && !['ping', 'log', 'etcd', 'informer-sync', 'poststarthook'].some((c) => route.check.startsWith(c))) return textResponse('404 page not found\n', 404);
      if (query.has('verbose') && !route.check) return textResponse(`[+]ping ok\n[+]log ok\n[+]etcd ok\n${route.endpoint} check passed\n`);
      return textResponse('ok');
    case 'openapi-v2':
    case 'openapi-v3-index':
    case 'openapi-v3':
      if (!readOnly) throw methodNotAllowed();
      return serveOpenApi(req, route, ctx);
  }
  // Discovery.
  if (!readOnly) throw methodNotAllowed();
  const rendering: Rendering = { contentType: JSON_TYPE, pretty };
  if (route.kind === 'api' || route.kind === 'apis') {
    const which = negotiateDiscovery(req.headers.get('accept'));
    if (which !== 'legacy') {
      return objectResponse(aggregatedDiscovery(route.kind, which), 200, { contentType: DISCOVERY_CONTENT_TYPE[which], pretty }, { Vary: 'Accept' });
    }
    negotiateObject(req.headers.get('accept'));
    if (route.kind === 'api') return objectResponse(apiVersions(serverAddress(req)), 200, rendering, { Vary: 'Accept' });
    return objectResponse(apiGroupList(), 200, rendering, { Vary: 'Accept' });
  }
  if (route.kind === 'group') {
    const doc = apiGroup(route.group);
    if (!doc) throw notFoundRoute();
    return objectResponse(doc, 200, rendering);
  }
  const doc = apiResourceList(route.group, route.version);
  if (!doc) throw notFoundRoute();
  return objectResponse(doc, 200, rendering);
}

function serverAddress(req: Request): string {
  try {
    const u = new URL(req.url);
    return u.port ? `${u.hostname}:${u.port}` : `${u.hostname}:${u.protocol === 'https:' ? 443 : 80}`;
  } catch {
    return '127.0.0.1:443';
  }
}

/** The OpenAPI v2 protobuf media type; clients may still ask for the deprecated `...v2@v1.0+protobuf` spelling,
 * which kube-openapi answers with this one (Go's mime parser cannot read the `@`). */
const PROTOBUF_V2 = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';
const PROTOBUF_V2_DEPRECATED = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';

function serveOpenApi(req: Request, route: Route, ctx: K8sContext): Response {
  const source = openApi(ctx);
  const accept = req.headers.get('accept') ?? '';
  if (route.kind === 'openapi-v2') {
    if ((accept.includes(PROTOBUF_V2) || accept.includes(PROTOBUF_V2_DEPRECATED)) && source.v2Protobuf) {
      return new Response(source.v2Protobuf(), { status: 200, headers: { 'Content-Type': PROTOBUF_V2, 'Cache-Control': 'no-cache, private' } });
    }
    return objectResponse(source.v2Document(), 200);
  }
  if (route.kind === 'openapi-v3-index') return objectResponse(source.v3Index(), 200);
  if (route.kind === 'openapi-v3') {
    const doc = source.v3Document(route.path);
    if (!doc) return textResponse('404 page not found\n', 404);
    return objectResponse(doc, 200, { contentType: JSON_TYPE }, { 'Cache-Control': 'public, immutable' });
  }
  throw notFoundRoute();
}
