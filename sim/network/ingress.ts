/**
 * A simulated ingress-nginx: the controller of IngressClass `nginx` (the default class of a new cluster). It
 * publishes its address in the status of the Ingresses it serves, and routes HTTP that reaches that address
 * by host and path (pathType Exact, Prefix, ImplementationSpecific as Prefix; the longest match wins, rules
 * with a host before `*`), to the backend Service's endpoints. With no matching rule the Ingress's
 * defaultBackend answers, else the controller's own 404 page; a backend with no endpoints gets its 503 page.
 */
import { findResource } from '../apiserver/resources.ts';
import type { StoreEvent } from '../apiserver/store.ts';
import type { KObject } from '../apiserver/types.ts';
import type { Cluster, Component } from '../cluster.ts';
import { keyOf, splitKey } from './podindex.ts';

export const INGRESSES = findResource('networking.k8s.io', 'ingresses')!;
export const INGRESS_CLASSES = findResource('networking.k8s.io', 'ingressclasses')!;
export const INGRESS_CLASS = 'nginx';
export const INGRESS_CONTROLLER = 'k8s.io/ingress-nginx';
/** The address of the ingress controller's load balancer. */
export const INGRESS_IP = '172.18.255.199';
const DEFAULT_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';

export const NGINX_404 = '<html>\n<head><title>404 Not Found</title></head>\n<body>\n<center><h1>404 Not Found</h1></center>\n<hr><center>nginx</center>\n</body>\n</html>\n';
export const NGINX_503 = '<html>\n<head><title>503 Service Temporarily Unavailable</title></head>\n<body>\n<center><h1>503 Service Temporarily Unavailable</h1></center>\n<hr><center>nginx</center>\n</body>\n</html>\n';

interface Backend {
  service?: { name: string; port?: { number?: number; name?: string } };
}

interface IngressSpec {
  ingressClassName?: string;
  defaultBackend?: Backend;
  rules?: { host?: string; http?: { paths?: { path?: string; pathType?: string; backend: Backend }[] } }[];
  tls?: unknown[];
}

export function createIngressDefaults(cluster: Cluster): void {
  cluster.api.create(INGRESS_CLASSES, undefined, {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    metadata: { name: INGRESS_CLASS, annotations: { [DEFAULT_CLASS_ANNOTATION]: 'true' }, labels: { 'app.kubernetes.io/component': 'controller', 'app.kubernetes.io/name': 'ingress-nginx' } },
    spec: { controller: INGRESS_CONTROLLER },
  });
}

/** Whether the simulated controller serves this Ingress (its class, or no class while nginx is the default). */
export function servedHere(cluster: Cluster, ing: KObject): boolean {
  const spec = (ing.spec ?? {}) as IngressSpec;
  const cls = spec.ingressClassName ?? ing.metadata.annotations?.['kubernetes.io/ingress.class'];
  const klass = cluster.store.get(INGRESS_CLASSES, undefined, cls ?? INGRESS_CLASS);
  if (!klass || (klass.spec as { controller?: string } | undefined)?.controller !== INGRESS_CONTROLLER) return false;
  if (cls) return true;
  return klass.metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true';
}

export class IngressController implements Component {
  readonly name = 'ingress-nginx-controller';
  private queue = new Set<string>();
  private cluster: Cluster;

  constructor(cluster: Cluster) {
    this.cluster = cluster;
  }

  onStoreEvent(ev: StoreEvent): void {
    if (ev.info === INGRESSES && ev.type !== 'DELETED') this.queue.add(keyOf(ev.object));
  }

  runQueue(): boolean {
    if (this.queue.size === 0) return false;
    const keys = [...this.queue];
    this.queue.clear();
    for (const k of keys) {
      const [ns, name] = splitKey(k);
      const ing = this.cluster.store.get(INGRESSES, ns, name);
      if (!ing || ing.metadata.deletionTimestamp) continue;
      const want = servedHere(this.cluster, ing) ? { ingress: [{ ip: INGRESS_IP }] } : {};
      const cur = (ing.status as { loadBalancer?: unknown } | undefined)?.loadBalancer ?? {};
      if (JSON.stringify(cur) === JSON.stringify(want)) continue;
      this.cluster.api.update(INGRESSES, ns, name, { ...ing, status: { loadBalancer: want } }, { subresource: 'status' });
      if (Object.keys(want).length) this.cluster.events.record(ing, 'Normal', 'Sync', 'Scheduled for sync', { component: 'nginx-ingress-controller' });
    }
    return true;
  }
}

export interface IngressRoute {
  namespace: string;
  service: string;
  port?: { number?: number; name?: string };
  ingress: string;
}

function pathMatches(type: string, rulePath: string, path: string): number {
  if (type === 'Exact') return path === rulePath ? rulePath.length + 1 : -1;
  if (rulePath === '/' || rulePath === '') return 0;
  const p = rulePath.replace(/\/+$/, '');
  return path === p || path.startsWith(p + '/') ? p.length : -1;
}

/** The backend an HTTP request to the controller goes to, or undefined (the controller's 404). */
export function routeIngress(cluster: Cluster, host: string, path: string): IngressRoute | undefined {
  let best: { score: number; route: IngressRoute } | undefined;
  let fallback: IngressRoute | undefined;
  for (const ing of cluster.store.list(INGRESSES)) {
    if (!servedHere(cluster, ing)) continue;
    const spec = (ing.spec ?? {}) as IngressSpec;
    const ns = ing.metadata.namespace!;
    if (spec.defaultBackend?.service && !fallback) fallback = { namespace: ns, service: spec.defaultBackend.service.name, port: spec.defaultBackend.service.port, ingress: ing.metadata.name! };
    for (const rule of spec.rules ?? []) {
      const ruleHost = rule.host;
      let hostScore: number;
      if (!ruleHost) hostScore = 0;
      else if (ruleHost === host) hostScore = 2;
      else if (ruleHost.startsWith('*.') && host.endsWith(ruleHost.slice(1)) && host.split('.').length === ruleHost.split('.').length) hostScore = 1;
      else continue;
      for (const p of rule.http?.paths ?? []) {
        const m = pathMatches(p.pathType ?? 'Prefix', p.path ?? '/', path);
        if (m < 0 || !p.backend.service) continue;
        const score = hostScore * 100_000 + m;
        if (!best || score > best.score) best = { score, route: { namespace: ns, service: p.backend.service.name, port: p.backend.service.port, ingress: ing.metadata.name! } };
      }
    }
  }
  return best?.route ?? fallback;
}
