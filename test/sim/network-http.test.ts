import { describe, expect, it } from 'vitest';
import { findResource, NAMESPACES, NODES, PODS } from '../../sim/apiserver/resources.ts';
import type { Node, Pod } from '../../sim/apiserver/types.ts';
import type { Service } from '../../sim/apiserver/registry/services.ts';
import { Cluster } from '../../sim/cluster.ts';
import { restoreCluster } from '../../sim/bootstrap.ts';
import { nslookupText, resolve } from '../../sim/dns/resolve.ts';
import { curlError, httpRequest, wgetError } from '../../sim/network/http.ts';
import { newCluster } from './helpers.ts';

const SERVICES = findResource('', 'services')!;
const NETPOL = findResource('networking.k8s.io', 'networkpolicies')!;

function pod(name: string, image: string, labels: Record<string, string>, extra: Partial<Pod['spec']> = {}, container: Record<string, unknown> = {}, ns = 'default'): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns, labels }, spec: { containers: [{ name: 'main', image, ...container }], ...extra } };
}

function run(c: Cluster, ...pods: Pod[]): void {
  for (const p of pods) c.api.create(PODS, p.metadata.namespace ?? 'default', p);
  c.settle();
  c.advance(30_000);
}

function service(c: Cluster, name: string, spec: Record<string, unknown>, ns = 'default'): Service {
  const s = c.api.create(SERVICES, ns, { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec }) as Service;
  c.settle();
  return c.store.get(SERVICES, ns, name) as Service;
}

function uid(c: Cluster, name: string, ns = 'default'): string {
  return (c.store.get(PODS, ns, name) as Pod).metadata.uid!;
}

function get(c: Cluster, from: string, url: string, ns = 'default') {
  return httpRequest(c, { fromPodUid: uid(c, from, ns), url });
}

/** A cluster with three hello-app pods behind Service `web` and a client pod. */
function helloCluster(): Cluster {
  const c = newCluster();
  const hello = (n: string) => pod(n, 'gcr.io/google-samples/hello-app:1.0', { app: 'web' }, {}, { ports: [{ name: 'http', containerPort: 8080 }] });
  run(c, hello('web-a'), hello('web-b'), hello('web-c'), pod('client', 'busybox', { app: 'client' }, {}, { command: ['sleep', '3600'] }));
  service(c, 'web', { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 'http' }] });
  return c;
}

describe('cluster DNS', () => {
  it('answers Service names with search paths, headless and pod records, and NXDOMAIN otherwise', () => {
    const c = helloCluster();
    const ip = (c.store.get(SERVICES, 'default', 'web') as Service).spec.clusterIP!;
    for (const name of ['web', 'web.default', 'web.default.svc', 'web.default.svc.cluster.local', 'web.default.svc.cluster.local.']) {
      expect(resolve(c, name, 'default')).toEqual({ ips: [ip], name: 'web.default.svc.cluster.local' });
    }
    expect(resolve(c, 'kubernetes.default', 'kube-system')).toMatchObject({ ips: ['10.96.0.1'] });
    expect(resolve(c, 'web', 'kube-system')).toEqual({ error: 'NXDOMAIN' });
    expect(resolve(c, 'kube-dns.kube-system', 'default')).toMatchObject({ ips: ['10.96.0.10'] });
    const podIP = (c.store.get(PODS, 'default', 'web-a') as Pod).status!.podIP!;
    expect(resolve(c, `${podIP.replace(/\./g, '-')}.default.pod.cluster.local`, 'default')).toMatchObject({ ips: [podIP] });
    expect(nslookupText(c, 'web', 'default').stdout).toBe(`Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\nName:\tweb.default.svc.cluster.local\nAddress: ${ip}\n\n`);
    expect(nslookupText(c, 'nope', 'default')).toEqual({ stdout: "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n** server can't find nope: NXDOMAIN\n\n", exitCode: 1 });
  });

  it('answers a headless Service with its pods and StatefulSet-style members by hostname', () => {
    const c = newCluster();
    const member = (n: string) => pod(n, 'nginx', { app: 'db' }, { hostname: n, subdomain: 'db' });
    run(c, member('db-0'), member('db-1'));
    service(c, 'db', { clusterIP: 'None', selector: { app: 'db' }, ports: [{ port: 80 }] });
    const ip0 = (c.store.get(PODS, 'default', 'db-0') as Pod).status!.podIP!;
    const ip1 = (c.store.get(PODS, 'default', 'db-1') as Pod).status!.podIP!;
    expect((resolve(c, 'db', 'default') as { ips: string[] }).ips.sort()).toEqual([ip0, ip1].sort());
    expect(resolve(c, 'db-0.db', 'default')).toEqual({ ips: [ip0], name: 'db-0.db.default.svc.cluster.local' });
    expect(resolve(c, 'db-1.db.default.svc.cluster.local', 'kube-system')).toMatchObject({ ips: [ip1] });
  });

  it('gives an ExternalName Service a CNAME', () => {
    const c = newCluster();
    service(c, 'ext', { type: 'ExternalName', externalName: 'example.com' });
    expect(resolve(c, 'ext', 'default')).toEqual({ ips: [], name: 'ext.default.svc.cluster.local', cname: 'example.com' });
  });
});

describe('HTTP through a Service', () => {
  it('lands on every ready endpoint in turn, answering as the image does', () => {
    const c = helloCluster();
    const seen = new Map<string, number>();
    for (let i = 0; i < 60; i++) {
      const r = get(c, 'client', 'http://web');
      expect(r.status).toBe(200);
      expect(r.body).toBe(`Hello, world!\nVersion: 1.0.0\nHostname: ${r.servedBy!.pod}\n`);
      seen.set(r.servedBy!.pod, (seen.get(r.servedBy!.pod) ?? 0) + 1);
    }
    expect([...seen.keys()].sort()).toEqual(['web-a', 'web-b', 'web-c']);
    for (const n of seen.values()) expect(n).toBeGreaterThan(5);
  });

  it('keeps a client on one endpoint with sessionAffinity ClientIP', () => {
    const c = helloCluster();
    const s = c.store.get(SERVICES, 'default', 'web') as Service;
    c.api.update(SERVICES, 'default', 'web', { ...s, spec: { ...s.spec, sessionAffinity: 'ClientIP' } });
    c.settle();
    const first = get(c, 'client', 'http://web').servedBy!.pod;
    for (let i = 0; i < 20; i++) expect(get(c, 'client', 'http://web.default.svc.cluster.local/').servedBy!.pod).toBe(first);
  });

  it('refuses when nothing is ready, when no pod matches, or when the container does not listen', () => {
    const c = helloCluster();
    service(c, 'typo', { selector: { app: 'wbe' }, ports: [{ port: 80 }] });
    const typoIP = (c.store.get(SERVICES, 'default', 'typo') as Service).spec.clusterIP;
    const r = get(c, 'client', 'http://typo');
    expect(r.error).toBe(`wget: can't connect to remote host (${typoIP}): Connection refused`);
    expect(curlError(r, 'http://typo')).toMatch(/^curl: \(7\) Failed to connect to typo port 80 after \d+ ms: Couldn't connect to server$/);
    // The Service sends to port 80 but hello-app listens on 8080.
    service(c, 'wrongport', { selector: { app: 'web' }, ports: [{ port: 80 }] });
    const ip = (c.store.get(SERVICES, 'default', 'wrongport') as Service).spec.clusterIP;
    expect(get(c, 'client', 'http://wrongport').error).toBe(`wget: can't connect to remote host (${ip}): Connection refused`);
    expect(get(c, 'client', 'http://nosuch').error).toBe("wget: bad address 'nosuch'");
    expect(curlError(get(c, 'client', 'http://nosuch'), 'http://nosuch')).toBe('curl: (6) Could not resolve host: nosuch');
    // A port the Service does not have is dropped.
    expect(get(c, 'client', 'http://web:8081').error).toBe('wget: download timed out');
  });

  it('answers nginx\'s welcome page, 404 for other paths, and http-echo\'s text', () => {
    const c = newCluster();
    run(c, pod('nginx', 'nginx', { app: 'nginx' }), pod('echo', 'hashicorp/http-echo', { app: 'echo' }, {}, { args: ['-text=hello from echo'] }), pod('client', 'busybox', {}, {}, { command: ['sleep', '3600'] }));
    service(c, 'nginx', { selector: { app: 'nginx' }, ports: [{ port: 80 }] });
    service(c, 'echo', { selector: { app: 'echo' }, ports: [{ port: 80, targetPort: 5678 }] });
    const r = get(c, 'client', 'http://nginx');
    expect(r.status).toBe(200);
    expect(r.body).toContain('<title>Welcome to nginx!</title>');
    const nf = get(c, 'client', 'http://nginx/missing');
    expect(nf.status).toBe(404);
    expect(nf.error).toBe('wget: server returned error: HTTP/1.1 404 Not Found');
    expect(get(c, 'client', 'http://echo').body).toBe('hello from echo\n');
    // Straight to a pod IP.
    const echoIP = (c.store.get(PODS, 'default', 'echo') as Pod).status!.podIP!;
    expect(get(c, 'client', `http://${echoIP}:5678/`).body).toBe('hello from echo\n');
  });

  it('reaches a NodePort on any node from outside, and honours externalTrafficPolicy Local', () => {
    const c = helloCluster();
    const s = c.store.get(SERVICES, 'default', 'web') as Service;
    c.api.update(SERVICES, 'default', 'web', { ...s, spec: { ...s.spec, type: 'NodePort' } });
    c.settle();
    const np = (c.store.get(SERVICES, 'default', 'web') as Service).spec.ports![0].nodePort!;
    const nodes = c.store.list(NODES) as Node[];
    const ipOf = (n: Node) => n.status.addresses.find((a) => a.type === 'InternalIP')!.address;
    for (const n of nodes) expect(httpRequest(c, { url: `http://${ipOf(n)}:${np}/` }).status).toBe(200);
    // From outside, a ClusterIP is not reachable.
    expect(httpRequest(c, { url: `http://${s.spec.clusterIP}/` }).error).toBe('wget: download timed out');
    const cur = c.store.get(SERVICES, 'default', 'web') as Service;
    c.api.update(SERVICES, 'default', 'web', { ...cur, spec: { ...cur.spec, externalTrafficPolicy: 'Local' } });
    c.settle();
    for (const n of nodes) {
      const local = (c.store.list(PODS, 'default') as Pod[]).filter((p) => p.metadata.labels?.app === 'web' && p.spec.nodeName === n.metadata.name).map((p) => p.metadata.name);
      const r = httpRequest(c, { url: `http://${ipOf(n)}:${np}/` });
      if (local.length === 0) expect(r.error).toBe('wget: download timed out');
      else expect(local).toContain(r.servedBy!.pod);
    }
  });
});

describe('NetworkPolicy', () => {
  function policy(c: Cluster, name: string, spec: Record<string, unknown>, ns = 'default') {
    c.api.create(NETPOL, ns, { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name }, spec });
    c.settle();
  }

  it('a default-deny ingress policy blocks, a rule allowing the client lets it through', () => {
    const c = helloCluster();
    expect(get(c, 'client', 'http://web').status).toBe(200);
    policy(c, 'deny-all', { podSelector: {}, policyTypes: ['Ingress'] });
    const r = get(c, 'client', 'http://web');
    expect(r.error).toBe('wget: download timed out');
    expect(r.code).toBe('ETIMEDOUT');
    // Without -T the kernel's connect timeout comes first.
    const ip = (c.store.get(SERVICES, 'default', 'web') as Service).spec.clusterIP;
    expect(wgetError(r)).toEqual({ message: `wget: can't connect to remote host (${ip}): Connection timed out`, elapsedMs: 130_000 });
    expect(wgetError(r, 5)).toEqual({ message: 'wget: download timed out', elapsedMs: 5000 });
    policy(c, 'allow-client', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'client' } } }], ports: [{ port: 'http' }] }] });
    expect(get(c, 'client', 'http://web').status).toBe(200);
  });

  it('matches namespaces by label and blocks other ports', () => {
    const c = helloCluster();
    c.api.create(NAMESPACES, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a', labels: { team: 'a' } } });
    c.api.create(NAMESPACES, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-b' } });
    c.settle();
    run(c, pod('a', 'busybox', {}, {}, { command: ['sleep', '3600'] }, 'team-a'), pod('b', 'busybox', {}, {}, { command: ['sleep', '3600'] }, 'team-b'));
    policy(c, 'from-team-a', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'a' } } }], ports: [{ protocol: 'TCP', port: 8080 }] }] });
    expect(httpRequest(c, { fromPodUid: uid(c, 'a', 'team-a'), url: 'http://web.default' }).status).toBe(200);
    expect(httpRequest(c, { fromPodUid: uid(c, 'b', 'team-b'), url: 'http://web.default' }).error).toBe('wget: download timed out');
    expect(get(c, 'client', 'http://web').error).toBe('wget: download timed out');
  });

  it('an egress deny-all breaks DNS too; allowing DNS and the Service fixes it; ipBlock rules match addresses', () => {
    const c = helloCluster();
    policy(c, 'egress-deny', { podSelector: { matchLabels: { app: 'client' } }, policyTypes: ['Egress'] });
    expect(get(c, 'client', 'http://web').error).toBe("wget: bad address 'web'");
    expect(nslookupText(c, 'web', 'default', { fromPod: c.store.get(PODS, 'default', 'client') as Pod }).stdout).toBe(';; connection timed out; no servers could be reached\n\n');
    policy(c, 'allow-dns', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ protocol: 'UDP', port: 53 }] }] });
    expect(get(c, 'client', 'http://web').error).toBe('wget: download timed out');
    policy(c, 'allow-pods', { podSelector: { matchLabels: { app: 'client' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.244.0.0/16' } }] }] });
    expect(get(c, 'client', 'http://web').status).toBe(200);
  });
});

describe('the kubernetes Service', () => {
  it('leads to the API server, which wants TLS and credentials', () => {
    const c = helloCluster();
    const plain = get(c, 'client', 'http://kubernetes.default:443/');
    expect(plain.status).toBe(400);
    expect(plain.body).toBe('Client sent an HTTP request to an HTTPS server.\n');
    const tls = get(c, 'client', 'https://kubernetes.default.svc/api');
    expect(tls.status).toBe(403);
    expect(JSON.parse(tls.body!).message).toBe('forbidden: User "system:anonymous" cannot get path "/api"');
  });

  it('is not resolvable from a node or from outside', () => {
    const c = helloCluster();
    expect(httpRequest(c, { fromNode: 'node-1', url: 'http://web' }).error).toBe("wget: bad address 'web'");
    const ip = (c.store.get(SERVICES, 'default', 'web') as Service).spec.clusterIP;
    expect(httpRequest(c, { fromNode: 'node-1', url: `http://${ip}` }).status).toBe(200);
  });
});

describe('Ingress (the simulated ingress-nginx)', () => {
  const INGRESSES = findResource('networking.k8s.io', 'ingresses')!;

  it('gets the controller\'s address and routes by host and path, with the default backend and 404/503 pages', () => {
    const c = helloCluster();
    run(c, pod('api', 'hashicorp/http-echo', { app: 'api' }, {}, { args: ['-text=api'] }));
    service(c, 'api', { selector: { app: 'api' }, ports: [{ name: 'http', port: 8080, targetPort: 5678 }] });
    service(c, 'empty', { selector: { app: 'nothing' }, ports: [{ port: 80 }] });
    c.api.create(INGRESSES, 'default', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'site' },
      spec: {
        rules: [
          {
            host: 'shop.example.com',
            http: {
              paths: [
                { path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } },
                { path: '/api', pathType: 'Prefix', backend: { service: { name: 'api', port: { name: 'http' } } } },
                { path: '/down', pathType: 'Exact', backend: { service: { name: 'empty', port: { number: 80 } } } },
              ],
            },
          },
        ],
      },
    });
    c.settle();
    const ing = c.store.get(INGRESSES, 'default', 'site')!;
    const ip = (ing.status as { loadBalancer: { ingress: { ip: string }[] } }).loadBalancer.ingress[0].ip;
    const at = (path: string, host = 'shop.example.com') => httpRequest(c, { url: `http://${ip}${path}`, headers: { host } });
    expect(at('/').body).toMatch(/^Hello, world!/);
    expect(at('/api/v1/items').body).toBe('api\n');
    expect(at('/apiary').body).toMatch(/^Hello, world!/);
    const down = at('/down');
    expect(down.status).toBe(503);
    expect(down.error).toBe('wget: server returned error: HTTP/1.1 503 Service Temporarily Unavailable');
    const other = at('/', 'other.example.com');
    expect(other.status).toBe(404);
    expect(other.body).toContain('<center><h1>404 Not Found</h1></center>');
    // A default backend takes what no rule matches.
    const cur = c.store.get(INGRESSES, 'default', 'site')!;
    c.api.update(INGRESSES, 'default', 'site', { ...cur, spec: { ...(cur.spec as object), defaultBackend: { service: { name: 'api', port: { number: 8080 } } } } });
    c.settle();
    expect(at('/', 'other.example.com').body).toBe('api\n');
  });
});

describe('determinism', () => {
  it('a restored snapshot spreads the same requests to the same pods', () => {
    const a = helloCluster();
    const b = restoreCluster(Cluster.restore(a.snapshot()));
    const seq = (c: Cluster) => Array.from({ length: 30 }, () => get(c, 'client', 'http://web').servedBy!.pod).join(',');
    expect(seq(b)).toBe(seq(a));
  });
});

