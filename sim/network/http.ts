/**
 * HTTP inside the simulated cluster: kube-proxy's routing plus the serving container's answer, as a pure
 * function of the cluster's state (and its seeded random source, for spreading requests).
 *
 * Routing (kube-proxy, iptables mode):
 * - a ClusterIP on a Service port → one of the Service's ready endpoints, picked at random (serving
 *   terminating endpoints only when none is ready); `sessionAffinity: ClientIP` keeps a client on its
 *   endpoint for `timeoutSeconds`; `internalTrafficPolicy: Local` keeps to endpoints on the client's node.
 *   A Service with no endpoints is REJECTed (connection refused); a ClusterIP on a port the Service does
 *   not have is dropped (timeout).
 * - a node IP on a NodePort, or a LoadBalancer IP on a Service port → as above;
 *   `externalTrafficPolicy: Local` keeps to endpoints on that node (none: dropped) and keeps the client's
 *   source IP; `Cluster` masquerades the source as the node's IP (what NetworkPolicies then see).
 * - a pod IP → that pod directly.
 * NetworkPolicies are checked on the pod-to-pod leg (after DNAT): blocked traffic is dropped.
 *
 * The error texts are what the client programs print (busybox 1.36 wget; curl 8.x for `curlError`):
 *   wget: bad address 'web'                                            (name does not resolve)
 *   wget: can't connect to remote host (10.96.12.5): Connection refused (nothing listens / no endpoints)
 *   wget: download timed out                                           (dropped: policy, no route, -T)
 *   wget: server returned error: HTTP/1.1 404 Not Found                (an HTTP error status)
 *   wget: error getting response: Connection reset by peer             (the server does not speak HTTP)
 */
import { findResource, NODES, PODS } from '../apiserver/resources.ts';
import type { Container, KObject, Node, Pod } from '../apiserver/types.ts';
import type { Service, ServicePort } from '../apiserver/registry/services.ts';
import type { Cluster } from '../cluster.ts';
import { lookupImage, parseImageRef } from '../images/catalog.ts';
import { resolve } from '../dns/resolve.ts';
import { containerEnv } from '../kubelet/env.ts';
import { demoConfig, planProcess } from '../kubelet/process.ts';
import { rfc3339 } from '../util/time.ts';
import { API_SERVER_IP } from './defaults.ts';
import { isIPv4 } from './ip.ts';
import { INGRESS_IP, NGINX_404, NGINX_503, routeIngress } from './ingress.ts';
import { networkOf, type Network } from './network.ts';
import { policyAllows, type Peer } from './policy.ts';

export interface HttpRequestOptions {
  /** the pod the request is sent from (its namespace's search path, its node, its NetworkPolicies) */
  fromPodUid?: string;
  /** a node the request is sent from (e.g. `curl` on a node); ignored with fromPodUid */
  fromNode?: string;
  /** the client's address when the request comes from outside the cluster (default 203.0.113.10) */
  fromIP?: string;
  url: string;
  method?: string;
  headers?: Record<string, string>;
}

export type HttpErrorCode = 'NXDOMAIN' | 'DNS_TIMEOUT' | 'ECONNREFUSED' | 'ETIMEDOUT' | 'ECONNRESET' | 'HTTP_ERROR' | 'BAD_URL';

export interface HttpResult {
  status?: number;
  statusText?: string;
  body?: string;
  headers?: Record<string, string>;
  /** what busybox wget prints on failure (see the module comment) */
  error?: string;
  code?: HttpErrorCode;
  servedBy?: { pod: string; namespace: string; ip: string; node?: string; container: string };
  /** the Service the request went through, if any */
  service?: { namespace: string; name: string; clusterIP?: string; port: number; nodePort?: number };
  /** the address and port connected to */
  remote?: { ip: string; port: number };
  /** virtual milliseconds the request took (connect + the server's latency; a timeout's full wait) */
  elapsedMs: number;
}

/** busybox wget's default network timeout is 900 s; kubectl exec users usually give -T. */
export const WGET_TIMEOUT_MS = 900_000;
const EXTERNAL_CLIENT_IP = '203.0.113.10';
export const AFFINITY_TABLE = 'net:affinity';

const STATUS_TEXT: Record<number, string> = { 200: 'OK', 404: 'Not Found', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Time-out', 405: 'Method Not Allowed' };
const NGINX_502 = '<html>\n<head><title>502 Bad Gateway</title></head>\n<body>\n<center><h1>502 Bad Gateway</h1></center>\n<hr><center>nginx</center>\n</body>\n</html>\n';
const NGINX_504 = '<html>\n<head><title>504 Gateway Time-out</title></head>\n<body>\n<center><h1>504 Gateway Time-out</h1></center>\n<hr><center>nginx</center>\n</body>\n</html>\n';
const SERVICES = findResource('', 'services')!;

interface ParsedUrl {
  scheme: string;
  host: string;
  port: number;
  path: string;
}

export function parseUrl(url: string): ParsedUrl | undefined {
  const m = /^(?:(https?):\/\/)?([^/:?#\s]+)(?::(\d+))?([^\s#]*)?$/i.exec(url.trim());
  if (!m) return undefined;
  const scheme = (m[1] ?? 'http').toLowerCase();
  const port = m[3] ? Number(m[3]) : scheme === 'https' ? 443 : 80;
  if (port < 1 || port > 65535) return undefined;
  let path = m[4] || '/';
  if (!path.startsWith('/')) path = '/' + path;
  return { scheme, host: m[2].toLowerCase(), port, path };
}

interface Client {
  ip: string;
  pod?: Pod;
  node?: string;
  namespace: string;
  external: boolean;
}

function fail(code: HttpErrorCode, error: string, elapsedMs: number, extra: Partial<HttpResult> = {}): HttpResult {
  return { code, error, elapsedMs, ...extra };
}

function nodeIP(n: Node | undefined): string | undefined {
  return n?.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
}

/** Sends one HTTP request inside the cluster and returns what the client sees. */
export function httpRequest(cluster: Cluster, opts: HttpRequestOptions): HttpResult {
  const net = networkOf(cluster);
  const url = parseUrl(opts.url);
  if (!url) return fail('BAD_URL', `wget: bad address '${opts.url}'`, 0);
  const method = (opts.method ?? 'GET').toUpperCase();
  // The client.
  let client: Client;
  if (opts.fromPodUid) {
    const pod = net.podByUid(opts.fromPodUid);
    if (!pod || !pod.status?.podIP) return fail('ETIMEDOUT', 'wget: download timed out', WGET_TIMEOUT_MS);
    client = { ip: pod.status.podIP, pod, node: pod.spec.nodeName, namespace: pod.metadata.namespace!, external: false };
  } else if (opts.fromNode) {
    const node = cluster.store.get(NODES, undefined, opts.fromNode) as Node | undefined;
    client = { ip: nodeIP(node) ?? '10.0.0.1', node: opts.fromNode, namespace: 'default', external: false };
  } else client = { ip: opts.fromIP ?? EXTERNAL_CLIENT_IP, namespace: 'default', external: true };
  // The name.
  let ip = url.host;
  if (!isIPv4(ip)) {
    // Outside the cluster and on a node (whose resolver is the host's), cluster names do not resolve.
    if (!client.pod) return fail('NXDOMAIN', `wget: bad address '${url.host}'`, 5);
    const r = resolve(cluster, url.host, client.namespace, { fromPod: client.pod });
    if ('error' in r) return fail(r.error === 'TIMEOUT' ? 'DNS_TIMEOUT' : 'NXDOMAIN', `wget: bad address '${url.host}'`, r.error === 'TIMEOUT' ? 10_000 : 5);
    if (!r.ips.length) return fail('NXDOMAIN', `wget: bad address '${url.host}'`, 5);
    ip = r.ips[0];
  }
  return route(cluster, net, client, ip, url, method, opts);
}

function route(cluster: Cluster, net: Network, client: Client, ip: string, url: ParsedUrl, method: string, opts: HttpRequestOptions): HttpResult {
  const remote = { ip, port: url.port };
  // A ClusterIP: only reachable from inside the cluster (pods and nodes).
  const svc = net.serviceAt(ip);
  if (svc && !client.external) {
    const sp = (svc.spec.ports ?? []).find((p) => p.port === url.port && (p.protocol ?? 'TCP') === 'TCP');
    if (!sp) return fail('ETIMEDOUT', 'wget: download timed out', WGET_TIMEOUT_MS, { remote });
    return viaService(cluster, net, client, svc, sp, { ip, port: url.port }, url, method, opts, 'internal');
  }
  // The ingress controller.
  if (ip === INGRESS_IP) {
    if (url.port !== 80 && url.port !== 443) return fail('ECONNREFUSED', `wget: can't connect to remote host (${ip}): Connection refused`, 1, { remote });
    const host = (opts.headers?.host ?? opts.headers?.Host ?? url.host).replace(/:\d+$/, '').toLowerCase();
    const r = routeIngress(cluster, host, url.path.split('?')[0]);
    const page = (status: number, body: string): HttpResult => {
      const text = status === 503 ? 'Service Temporarily Unavailable' : STATUS_TEXT[status];
      return { status, statusText: text, body, code: 'HTTP_ERROR', error: `wget: server returned error: HTTP/1.1 ${status} ${text}`, elapsedMs: 2, remote };
    };
    if (!r) return page(404, NGINX_404);
    const backend = cluster.store.get(SERVICES, r.namespace, r.service) as Service | undefined;
    const sp = backend?.spec.ports?.find((p) => (r.port?.number !== undefined ? p.port === r.port.number : p.name === r.port?.name));
    if (!backend || !sp || backend.spec.type === 'ExternalName') return page(503, NGINX_503);
    // No ready endpoint: the controller has no upstream to send to.
    if (!serviceEndpoints(net, backend, sp).some((e) => e.ready || (e.serving && e.terminating))) return page(503, NGINX_503);
    const res = viaService(cluster, net, { ip: INGRESS_IP, namespace: 'ingress-nginx', external: false }, backend, sp, remote, url, method, opts, 'internal');
    if (res.code === 'ECONNREFUSED' || res.code === 'ETIMEDOUT' || res.code === 'ECONNRESET') return { ...page(res.code === 'ETIMEDOUT' ? 504 : 502, res.code === 'ETIMEDOUT' ? NGINX_504 : NGINX_502), service: res.service };
    return res;
  }
  // A load-balancer address.
  const lbSvc = net.serviceAtLoadBalancer(ip);
  if (lbSvc) {
    const sp = (lbSvc.spec.ports ?? []).find((p) => p.port === url.port && (p.protocol ?? 'TCP') === 'TCP');
    if (!sp) return fail('ETIMEDOUT', 'wget: download timed out', WGET_TIMEOUT_MS, { remote });
    // The cloud load balancer sends to a node's NodePort; with Local only nodes with endpoints pass health checks.
    return viaService(cluster, net, client, lbSvc, sp, { ip, port: url.port }, url, method, opts, 'external');
  }
  // A node's address: NodePorts.
  const node = net.nodeAt(ip);
  if (node) {
    const npSvc = net.serviceAtNodePort(url.port);
    const sp = npSvc?.spec.ports?.find((p) => p.nodePort === url.port);
    if (npSvc && sp) return viaService(cluster, net, client, npSvc, sp, { ip, port: url.port }, url, method, opts, 'external', node.metadata.name);
    return fail('ECONNREFUSED', `wget: can't connect to remote host (${ip}): Connection refused`, 1, { remote });
  }
  // A pod's address.
  const pod = net.podAt(ip);
  if (pod && !client.external) {
    const src: Peer = { ip: client.ip, pod: client.pod };
    // A pod's traffic to its own address (or localhost) stays inside its network namespace: no policy applies.
    const self = client.pod?.metadata.uid === pod.metadata.uid;
    if (!self && !policyAllows(cluster, src, { ip, pod }, url.port)) return fail('ETIMEDOUT', 'wget: download timed out', WGET_TIMEOUT_MS, { remote });
    return serve(cluster, pod, url.port, url, method, client.ip, ip, opts, { remote });
  }
  return fail('ETIMEDOUT', 'wget: download timed out', WGET_TIMEOUT_MS, { remote });
}

interface Ep {
  ip: string;
  port: number;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  nodeName?: string;
  podName?: string;
  namespace: string;
}

/** kube-proxy's programmed rules, by stored Service object (stored objects are immutable: a change is a new object). */
const ruleCache = new WeakMap<Service, Map<string, { key: string; eps: Ep[] }>>();

/** The endpoints kube-proxy programs for one Service port (from its EndpointSlices). */
export function serviceEndpoints(net: Network, svc: Service, sp: ServicePort): Ep[] {
  const slices = net.slicesOf(svc.metadata.namespace!, svc.metadata.name!);
  const key = slices.map((s) => s.metadata.resourceVersion).join(',');
  let bySvc = ruleCache.get(svc);
  if (!bySvc) ruleCache.set(svc, (bySvc = new Map()));
  const portKey = `${sp.name ?? ''}/${sp.protocol ?? 'TCP'}`;
  const hit = bySvc.get(portKey);
  if (hit && hit.key === key) return hit.eps;
  const eps = computeEndpoints(svc, sp, slices);
  bySvc.set(portKey, { key, eps });
  return eps;
}

function computeEndpoints(svc: Service, sp: ServicePort, slices: KObject[]): Ep[] {
  const out: Ep[] = [];
  const ns = svc.metadata.namespace!;
  for (const slice of slices) {
    const port = ((slice.ports ?? []) as { name?: string; port?: number; protocol?: string }[]).find((p) => (p.name ?? '') === (sp.name ?? '') && (p.protocol ?? 'TCP') === (sp.protocol ?? 'TCP'));
    if (!port?.port) continue;
    for (const e of (slice.endpoints ?? []) as { addresses: string[]; conditions?: { ready?: boolean; serving?: boolean; terminating?: boolean }; nodeName?: string; targetRef?: { name?: string } }[]) {
      const c = e.conditions ?? {};
      out.push({ ip: e.addresses[0], port: port.port, ready: c.ready !== false, serving: c.serving ?? c.ready !== false, terminating: !!c.terminating, nodeName: e.nodeName, podName: e.targetRef?.name, namespace: ns });
    }
  }
  return out.sort((a, b) => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0));
}

function viaService(
  cluster: Cluster,
  net: Network,
  client: Client,
  svc: Service,
  sp: ServicePort,
  remote: { ip: string; port: number },
  url: ParsedUrl,
  method: string,
  opts: HttpRequestOptions,
  traffic: 'internal' | 'external',
  viaNode?: string,
): HttpResult {
  const service = { namespace: svc.metadata.namespace!, name: svc.metadata.name!, clusterIP: svc.spec.clusterIP, port: sp.port, ...(sp.nodePort ? { nodePort: sp.nodePort } : {}) };
  const all = serviceEndpoints(net, svc, sp);
  if (all.length === 0) return fail('ECONNREFUSED', `wget: can't connect to remote host (${remote.ip}): Connection refused`, 1, { remote, service });
  let usable = all.filter((e) => e.ready);
  if (usable.length === 0) usable = all.filter((e) => e.serving && e.terminating);
  if (usable.length === 0) return fail('ECONNREFUSED', `wget: can't connect to remote host (${remote.ip}): Connection refused`, 1, { remote, service });
  let sourceIP = client.ip;
  if (traffic === 'internal' && svc.spec.internalTrafficPolicy === 'Local') {
    usable = usable.filter((e) => e.nodeName === client.node);
    if (usable.length === 0) return fail('ETIMEDOUT', 'wget: download timed out', WGET_TIMEOUT_MS, { remote, service });
  }
  if (traffic === 'external') {
    const lbNodes = viaNode ? [viaNode] : undefined;
    if (svc.spec.externalTrafficPolicy === 'Local') {
      // Only nodes with a local endpoint take the traffic (the load balancer's health check picks them).
      usable = lbNodes ? usable.filter((e) => e.nodeName === viaNode) : usable;
      if (usable.length === 0) return fail('ETIMEDOUT', 'wget: download timed out', WGET_TIMEOUT_MS, { remote, service });
    } else {
      // Cluster: SNAT to the node that received the traffic.
      const n = viaNode ? (cluster.store.get(NODES, undefined, viaNode) as Node | undefined) : undefined;
      sourceIP = nodeIP(n) ?? (usable[0].nodeName ? nodeIP(cluster.store.get(NODES, undefined, usable[0].nodeName) as Node | undefined) : undefined) ?? client.ip;
    }
  }
  const ep = pick(cluster, svc, sp, client.ip, usable);
  if (ep.ip === API_SERVER_IP) return apiServerAnswer(url, { remote, service });
  const pod = ep.podName ? (cluster.store.get(PODS, ep.namespace, ep.podName) as Pod | undefined) : net.podAt(ep.ip);
  const src: Peer = { ip: sourceIP, pod: sourceIP === client.ip ? client.pod : undefined };
  if (!policyAllows(cluster, src, { ip: ep.ip, pod }, ep.port)) return fail('ETIMEDOUT', 'wget: download timed out', WGET_TIMEOUT_MS, { remote, service });
  if (!pod) return fail('ECONNREFUSED', `wget: can't connect to remote host (${remote.ip}): Connection refused`, 1, { remote, service });
  return serve(cluster, pod, ep.port, url, method, sourceIP, remote.ip, opts, { remote, service });
}

/**
 * The API server behind the `kubernetes` Service: TLS only. Plain HTTP gets Go's answer to HTTP on a TLS port;
 * HTTPS without credentials gets the anonymous user's 403 Status.
 */
function apiServerAnswer(url: ParsedUrl, extra: Partial<HttpResult>): HttpResult {
  if (url.scheme !== 'https') {
    return { status: 400, statusText: 'Bad Request', body: 'Client sent an HTTP request to an HTTPS server.\n', code: 'HTTP_ERROR', error: 'wget: server returned error: HTTP/1.0 400 Bad Request', elapsedMs: 2, ...extra };
  }
  const path = url.path.split('?')[0];
  const body = JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `forbidden: User "system:anonymous" cannot get path "${path}"`, reason: 'Forbidden', details: {}, code: 403 }, null, 2);
  return { status: 403, statusText: 'Forbidden', body: body + '\n', headers: { 'content-type': 'application/json' }, code: 'HTTP_ERROR', error: 'wget: server returned error: HTTP/1.1 403 Forbidden', elapsedMs: 3, ...extra };
}

/** One endpoint, at random (seeded), or the one this client's affinity holds. */
function pick(cluster: Cluster, svc: Service, sp: ServicePort, clientIP: string, eps: Ep[]): Ep {
  if (svc.spec.sessionAffinity === 'ClientIP') {
    // One record per Service (dropped with it): "<port>|<client IP>" → the endpoint and when the affinity ends.
    const svcKey = `${svc.metadata.namespace}/${svc.metadata.name}`;
    const key = `${sp.port}|${clientIP}`;
    const table = cluster.records.get<Record<string, { ip: string; until: number }>>(AFFINITY_TABLE, svcKey) ?? {};
    const held = table[key];
    const timeout = (svc.spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? 10800) * 1000;
    const now = cluster.now();
    let ep = held && held.until > now ? eps.find((e) => e.ip === held.ip) : undefined;
    ep ??= eps[eps.length === 1 ? 0 : cluster.rng.int(0, eps.length - 1)];
    const next: Record<string, { ip: string; until: number }> = {};
    for (const [k, v] of Object.entries(table)) if (v.until > now) next[k] = v;
    next[key] = { ip: ep.ip, until: now + timeout };
    cluster.records.set(AFFINITY_TABLE, svcKey, next);
    return ep;
  }
  return eps[eps.length === 1 ? 0 : cluster.rng.int(0, eps.length - 1)];
}

type Listener = { container: Container; kind: string; env: Record<string, string> };
/** What listens where, by stored pod object (a container's env and command are fixed once it runs). */
const listenerCache = new WeakMap<Pod, Map<number, Listener | undefined>>();

/** Which of a pod's containers listens on a port, and with what program. */
function listener(cluster: Cluster, pod: Pod, port: number): Listener | undefined {
  let byPort = listenerCache.get(pod);
  if (!byPort) listenerCache.set(pod, (byPort = new Map()));
  if (byPort.has(port)) return byPort.get(port);
  const l = findListener(cluster, pod, port);
  byPort.set(port, l);
  return l;
}

function findListener(cluster: Cluster, pod: Pod, port: number): Listener | undefined {
  for (const c of pod.spec.containers) {
    const status = pod.status?.containerStatuses?.find((s) => s.name === c.name);
    if (!status?.state?.running) continue;
    const found = lookupImage(c.image ?? '');
    if (!found) continue;
    let env: Record<string, string> = {};
    try {
      env = containerEnv(cluster.store, pod, c);
    } catch {
      env = {};
    }
    const plan = planProcess(c, found.info.behaviour, env);
    if ((plan.kind === 'serve' || plan.kind === 'demo') && plan.ports.includes(port)) return { container: c, kind: plan.kind, env };
  }
  return undefined;
}

function serve(cluster: Cluster, pod: Pod, port: number, url: ParsedUrl, method: string, clientIP: string, connectedIP: string, opts: HttpRequestOptions, extra: Partial<HttpResult>): HttpResult {
  const podIP = pod.status?.podIP ?? '';
  const l = listener(cluster, pod, port);
  if (!l) return fail('ECONNREFUSED', `wget: can't connect to remote host (${connectedIP}): Connection refused`, 1, extra);
  const servedBy = { pod: pod.metadata.name!, namespace: pod.metadata.namespace!, ip: podIP, node: pod.spec.nodeName, container: l.container.name };
  const found = lookupImage(l.container.image!)!;
  const answer = answerFor(cluster, pod, l.container, l.kind, l.env, found.info.repository, found.info.behaviour.httpPaths, url, method, clientIP, opts);
  if (answer === 'reset') return fail('ECONNRESET', 'wget: error getting response: Connection reset by peer', 2, { ...extra, servedBy });
  const statusText = STATUS_TEXT[answer.status] ?? '';
  const out: HttpResult = { status: answer.status, statusText, body: answer.body, headers: answer.headers, servedBy, elapsedMs: 1 + (answer.latencyMs ?? 0), ...extra };
  if (answer.status >= 400) {
    out.code = 'HTTP_ERROR';
    out.error = `wget: server returned error: HTTP/1.1 ${answer.status} ${statusText}`;
  }
  return out;
}

const NGINX_WELCOME = `<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href="http://nginx.org/">nginx.org</a>.<br/>
Commercial support is available at
<a href="http://nginx.com/">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
`;

const nginx404 = (version: string) => `<html>
<head><title>404 Not Found</title></head>
<body>
<center><h1>404 Not Found</h1></center>
<hr><center>nginx/${version}</center>
</body>
</html>
`;

interface Answer {
  status: number;
  body: string;
  headers?: Record<string, string>;
  latencyMs?: number;
}

function argValue(argv: string[], flag: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    for (const f of [`-${flag}`, `--${flag}`]) {
      if (a === f) return argv[i + 1];
      if (a.startsWith(f + '=')) return a.slice(f.length + 1);
    }
  }
  return undefined;
}

function answerFor(
  cluster: Cluster,
  pod: Pod,
  c: Container,
  kind: string,
  env: Record<string, string>,
  repository: string,
  httpPaths: string[] | undefined,
  url: ParsedUrl,
  method: string,
  clientIP: string,
  opts: HttpRequestOptions,
): Answer | 'reset' {
  const name = pod.metadata.name!;
  const argv = [...(c.command ?? []), ...(c.args ?? [])];
  const tag = parseImageRef(c.image ?? '')?.tag ?? 'latest';
  const path = url.path.split('?')[0];
  if (kind === 'demo') {
    const cfg = demoConfig(env);
    const started = Date.parse(pod.status?.containerStatuses?.find((s) => s.name === c.name)?.state.running?.startedAt ?? '') || cluster.now();
    const up = cluster.now() - started;
    if (up < cfg.startDelayMs) return 'reset';
    if (path === '/healthz') return { status: 200, body: 'ok\n', latencyMs: cfg.latencyMs };
    if (path === '/ready') return up >= cfg.startDelayMs + cfg.readyDelayMs ? { status: 200, body: 'ready\n', latencyMs: cfg.latencyMs } : { status: 503, body: 'not ready\n', latencyMs: cfg.latencyMs };
    if (cfg.errorRate > 0 && cluster.rng.next() < cfg.errorRate) return { status: 500, body: 'Internal Server Error\n', latencyMs: cfg.latencyMs };
    return { status: 200, body: `${cfg.body}\n`, latencyMs: cfg.latencyMs, headers: { 'content-type': 'text/plain; charset=utf-8' } };
  }
  switch (repository) {
    case 'nginx': {
      const version = /^\d+\.\d+\.\d+$/.test(tag) ? tag : /^\d+\.\d+$/.test(tag) ? `${tag}.3` : '1.27.3';
      if (path === '/' || path === '/index.html') return { status: 200, body: NGINX_WELCOME, headers: { server: `nginx/${version}`, 'content-type': 'text/html' } };
      return { status: 404, body: nginx404(version), headers: { server: `nginx/${version}`, 'content-type': 'text/html' } };
    }
    case 'httpd':
      if (path === '/' || path === '/index.html') return { status: 200, body: '<html><body><h1>It works!</h1></body></html>\n' };
      return { status: 404, body: `<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n<title>404 Not Found</title>\n</head><body>\n<h1>Not Found</h1>\n<p>The requested URL was not found on this server.</p>\n</body></html>\n` };
    case 'hashicorp/http-echo':
      return { status: 200, body: `${argValue(argv, 'text') ?? ''}\n`, headers: { 'x-app-name': 'http-echo', 'x-app-version': '1.0.0' } };
    case 'gcr.io/google-samples/hello-app': {
      const version = /^\d+\.\d+$/.test(tag) ? `${tag}.0` : /^\d+\.\d+\.\d+$/.test(tag) ? tag : '1.0.0';
      return { status: 200, body: `Hello, world!\nVersion: ${version}\nHostname: ${name}\n` };
    }
    case 'gcr.io/google-samples/kubernetes-bootcamp':
      return { status: 200, body: `Hello Kubernetes bootcamp! | Running on: ${name} | v=${/^v(\d+)$/.exec(tag)?.[1] ?? '1'}\n` };
    case 'traefik/whoami':
      return {
        status: 200,
        body: `Hostname: ${name}\nIP: 127.0.0.1\nIP: ${pod.status?.podIP ?? ''}\nRemoteAddr: ${clientIP}:${40000 + cluster.rng.int(0, 20000)}\n${method} ${url.path} HTTP/1.1\nHost: ${url.host}${url.port === 80 ? '' : `:${url.port}`}\nUser-Agent: ${opts.headers?.['user-agent'] ?? 'Wget'}\n\n`,
      };
    case 'registry.k8s.io/e2e-test-images/agnhost': {
      const sub = argv.find((a) => !a.startsWith('-') && !a.includes('/')) ?? '';
      if (sub === 'serve-hostname') return { status: 200, body: name };
      if (path === '/hostname') return { status: 200, body: name };
      if (path === '/clientip') return { status: 200, body: `${clientIP}:${40000 + cluster.rng.int(0, 20000)}` };
      if (path === '/echo') return { status: 200, body: decodeURIComponent(/[?&]msg=([^&]*)/.exec(url.path)?.[1] ?? '') };
      return { status: 200, body: `NOW: ${rfc3339(cluster.now())}` };
    }
    case 'redis':
    case 'postgres':
      // Not HTTP servers: they close the connection on an HTTP request.
      return 'reset';
  }
  if (httpPaths && !httpPaths.includes(path)) return { status: 404, body: '404 page not found\n' };
  void method;
  return { status: 200, body: `${name}\n` };
}

/**
 * What curl 8 prints for a failed request (`curl -sS`): the same failures in curl's words.
 *   curl: (6) Could not resolve host: web
 *   curl: (7) Failed to connect to web port 80 after 1 ms: Couldn't connect to server
 *   curl: (28) Failed to connect to web port 80 after 130000 ms: Timeout was reached
 *   curl: (56) Recv failure: Connection reset by peer
 * An HTTP error status is no failure for curl (without -f): it prints the body.
 */
export function curlError(result: HttpResult, url: string): string | undefined {
  const u = parseUrl(url);
  const host = u?.host ?? url;
  const port = u?.port ?? 80;
  switch (result.code) {
    case 'NXDOMAIN':
    case 'DNS_TIMEOUT':
    case 'BAD_URL':
      return `curl: (6) Could not resolve host: ${host}`;
    case 'ECONNREFUSED':
      return `curl: (7) Failed to connect to ${host} port ${port} after ${result.elapsedMs} ms: Couldn't connect to server`;
    case 'ETIMEDOUT':
      return `curl: (28) Failed to connect to ${host} port ${port} after ${Math.min(result.elapsedMs, 130_000)} ms: Timeout was reached`;
    case 'ECONNRESET':
      return 'curl: (56) Recv failure: Connection reset by peer';
  }
  return undefined;
}

/** Lists a Service's endpoints as kube-proxy sees them (for the traffic view). */
export function endpointsOf(cluster: Cluster, svc: KObject): Ep[] {
  const s = svc as Service;
  const net = networkOf(cluster);
  return (s.spec.ports ?? []).flatMap((sp) => serviceEndpoints(net, s, sp));
}

/**
 * The sandbox's traffic endpoint (`POST /s/<id>/api/http`): `{url, method?, fromPod?: "ns/name", fromNode?,
 * headers?}`. Without fromPod/fromNode the request comes from outside the cluster (NodePorts, load balancers,
 * the ingress controller). Answers 200 with the HttpResult, or 400 with an error for a bad body.
 */
export function sandboxHttp(cluster: Cluster, body: unknown): { code: number; body: unknown } {
  const bad = (error: string) => ({ code: 400, body: { error } });
  if (!body || typeof body !== 'object' || Array.isArray(body)) return bad('the body must be a JSON object like {"url":"http://10.0.0.4:30080/"}');
  const b = body as Record<string, unknown>;
  if (typeof b.url !== 'string' || b.url.length === 0 || b.url.length > 2048) return bad('url must be a string of 1 to 2048 characters');
  if (!parseUrl(b.url)) return bad(`url is not an http(s) URL: ${JSON.stringify(b.url)}`);
  if (b.method !== undefined && (typeof b.method !== 'string' || !/^[A-Za-z]{1,10}$/.test(b.method))) return bad('method must be an HTTP method such as GET');
  const headers: Record<string, string> = {};
  if (b.headers !== undefined) {
    if (!b.headers || typeof b.headers !== 'object' || Array.isArray(b.headers)) return bad('headers must be an object of strings');
    for (const [k, v] of Object.entries(b.headers as Record<string, unknown>)) {
      if (typeof v !== 'string' || k.length > 256 || v.length > 4096) return bad('headers must be an object of strings');
      headers[k.toLowerCase()] = v;
    }
  }
  const opts: HttpRequestOptions = { url: b.url, method: b.method as string | undefined, headers };
  if (b.fromPod !== undefined) {
    if (typeof b.fromPod !== 'string' || !/^[a-z0-9-]+\/[a-z0-9.-]+$/.test(b.fromPod)) return bad('fromPod must be "namespace/name"');
    const [ns, name] = b.fromPod.split('/');
    const pod = cluster.store.get(PODS, ns, name) as Pod | undefined;
    if (!pod) return { code: 404, body: { error: `pods "${name}" not found in namespace "${ns}"` } };
    opts.fromPodUid = pod.metadata.uid;
  } else if (b.fromNode !== undefined) {
    if (typeof b.fromNode !== 'string' || !cluster.store.get(NODES, undefined, b.fromNode)) return { code: 404, body: { error: `nodes "${String(b.fromNode)}" not found` } };
    opts.fromNode = b.fromNode;
  }
  return { code: 200, body: httpRequest(cluster, opts) };
}

/** How long Linux keeps retrying a SYN nobody answers before connect() fails (tcp_syn_retries = 6). */
export const TCP_CONNECT_TIMEOUT_MS = 130_000;

/**
 * busybox wget's words for a result, given its `-T` (seconds; busybox's default is 900). A dropped
 * connection (NetworkPolicy, no route) fails when the first of two clocks runs out: wget's own timeout
 * (`wget: download timed out`) or the kernel's connect timeout after about 130 s
 * (`wget: can't connect to remote host (10.96.12.5): Connection timed out`). Other failures are as in `error`.
 */
export function wgetError(result: HttpResult, timeoutSeconds = 900): { message?: string; elapsedMs: number } {
  if (result.code !== 'ETIMEDOUT') return { message: result.error, elapsedMs: result.elapsedMs };
  const wgetMs = timeoutSeconds * 1000;
  if (wgetMs < TCP_CONNECT_TIMEOUT_MS || !result.remote) return { message: 'wget: download timed out', elapsedMs: wgetMs };
  return { message: `wget: can't connect to remote host (${result.remote.ip}): Connection timed out`, elapsedMs: TCP_CONNECT_TIMEOUT_MS };
}
