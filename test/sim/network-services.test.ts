import { describe, expect, it } from 'vitest';
import { StatusError } from '../../sim/apiserver/errors.ts';
import { findResource } from '../../sim/apiserver/resources.ts';
import type { KObject } from '../../sim/apiserver/types.ts';
import type { Service } from '../../sim/apiserver/registry/services.ts';
import { restoreCluster } from '../../sim/bootstrap.ts';
import { Cluster } from '../../sim/cluster.ts';
import { printTableRow } from './network-helpers.ts';
import { newCluster } from './helpers.ts';

const SERVICES = findResource('', 'services')!;
const ENDPOINTS = findResource('', 'endpoints')!;
const SLICES = findResource('discovery.k8s.io', 'endpointslices')!;

function svc(name: string, spec: Record<string, unknown>): KObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec };
}

function createSvc(c: Cluster, name: string, spec: Record<string, unknown>, ns = 'default'): Service {
  const out = c.api.create(SERVICES, ns, svc(name, spec)) as Service;
  c.settle();
  return out;
}

function statusOf(fn: () => unknown): StatusError {
  try {
    fn();
  } catch (e) {
    if (e instanceof StatusError) return e;
    throw e;
  }
  throw new Error('expected a StatusError');
}

describe('a new cluster', () => {
  it('has the kubernetes Service at 10.96.0.1 with its endpoints, and kube-dns at 10.96.0.10', () => {
    const c = newCluster();
    const k = c.store.get(SERVICES, 'default', 'kubernetes') as Service;
    expect(k.spec.clusterIP).toBe('10.96.0.1');
    expect(printTableRow(c, SERVICES, k)).toEqual(['kubernetes', 'ClusterIP', '10.96.0.1', '<none>', '443/TCP', '0s', '<none>']);
    expect(printTableRow(c, ENDPOINTS, c.store.get(ENDPOINTS, 'default', 'kubernetes')!)).toEqual(['kubernetes', '10.0.0.2:6443', '0s']);
    const dns = c.store.get(SERVICES, 'kube-system', 'kube-dns') as Service;
    expect(printTableRow(c, SERVICES, dns).slice(0, 5)).toEqual(['kube-dns', 'ClusterIP', '10.96.0.10', '<none>', '53/UDP,53/TCP,9153/TCP']);
  });
});

describe('ClusterIP allocation', () => {
  it('gives each Service a distinct IP from 10.96.0.0/12, with the defaults filled in', () => {
    const c = newCluster();
    const ips = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const s = createSvc(c, `s${i}`, { selector: { app: 'x' }, ports: [{ port: 80 }] });
      expect(s.spec.clusterIP).toMatch(/^10\.(9[6-9]|10[0-9]|11[01])\.\d+\.\d+$/);
      expect(s.spec.clusterIPs).toEqual([s.spec.clusterIP]);
      ips.add(s.spec.clusterIP!);
    }
    expect(ips.size).toBe(50);
    const s = c.store.get(SERVICES, 'default', 's0') as Service;
    expect(s.spec).toMatchObject({
      type: 'ClusterIP',
      sessionAffinity: 'None',
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      internalTrafficPolicy: 'Cluster',
      ports: [{ port: 80, targetPort: 80, protocol: 'TCP' }],
    });
  });

  it('refuses an IP already allocated, and releases an IP when its Service is deleted', () => {
    const c = newCluster();
    createSvc(c, 'a', { clusterIP: '10.96.100.100', ports: [{ port: 80 }] });
    const e = statusOf(() => createSvc(c, 'b', { clusterIP: '10.96.100.100', ports: [{ port: 80 }] }));
    expect(e.code).toBe(422);
    expect(e.message).toBe('Service "b" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.100.100"}: failed to allocate IP 10.96.100.100: provided IP is already allocated');
    expect(c.store.get(SERVICES, 'default', 'b')).toBeUndefined();
    c.api.delete(SERVICES, 'default', 'a');
    c.settle();
    expect(createSvc(c, 'b', { clusterIP: '10.96.100.100', ports: [{ port: 80 }] }).spec.clusterIP).toBe('10.96.100.100');
  });

  it('refuses an IP outside the range', () => {
    const c = newCluster();
    const e = statusOf(() => createSvc(c, 'b', { clusterIP: '192.168.1.1', ports: [{ port: 80 }] }));
    expect(e.message).toBe(
      'Service "b" is invalid: spec.clusterIPs: Invalid value: []string{"192.168.1.1"}: failed to allocate IP 192.168.1.1: the provided IP (192.168.1.1) is not in the valid range. The range of valid IPs is 10.96.0.0/12',
    );
  });

  it('keeps spec.clusterIP immutable', () => {
    const c = newCluster();
    const s = createSvc(c, 'a', { ports: [{ port: 80 }] });
    const e = statusOf(() => c.api.update(SERVICES, 'default', 'a', { ...s, spec: { ...s.spec, clusterIP: '10.96.0.99', clusterIPs: ['10.96.0.99'] } }));
    expect(e.code).toBe(422);
    expect(e.message).toBe('Service "a" is invalid: spec.clusterIPs[0]: Invalid value: []string{"10.96.0.99"}: may not change once set');
    // A replace without the allocated IP keeps it.
    const { clusterIP: _a, clusterIPs: _b, ...rest } = s.spec;
    const replaced = c.api.update(SERVICES, 'default', 'a', { ...s, spec: rest }) as Service;
    expect(replaced.spec.clusterIP).toBe(s.spec.clusterIP);
  });

  it('leaves a headless Service without an IP', () => {
    const c = newCluster();
    const s = createSvc(c, 'h', { clusterIP: 'None', selector: { app: 'db' }, ports: [{ port: 5432 }] });
    expect(s.spec.clusterIPs).toEqual(['None']);
    expect(printTableRow(c, SERVICES, s)[2]).toBe('None');
    const ep = c.store.get(ENDPOINTS, 'default', 'h')!;
    expect(ep.metadata.labels).toEqual({ 'service.kubernetes.io/headless': '' });
  });

  it('gives an ExternalName Service no IP', () => {
    const c = newCluster();
    const s = createSvc(c, 'ext', { type: 'ExternalName', externalName: 'example.com' });
    expect(s.spec.clusterIP).toBeUndefined();
    expect(printTableRow(c, SERVICES, s).slice(1, 5)).toEqual(['ExternalName', '<none>', 'example.com', '<none>']);
    expect(c.store.list(SLICES, 'default').filter((x) => x.metadata.labels?.['kubernetes.io/service-name'] === 'ext')).toEqual([]);
  });
});

describe('NodePort allocation', () => {
  it('allocates distinct ports in 30000-32767 and refuses one already allocated', () => {
    const c = newCluster();
    const a = createSvc(c, 'a', { type: 'NodePort', selector: { app: 'a' }, ports: [{ port: 80 }] });
    const np = a.spec.ports![0].nodePort!;
    expect(np).toBeGreaterThanOrEqual(30000);
    expect(np).toBeLessThanOrEqual(32767);
    expect(a.spec.externalTrafficPolicy).toBe('Cluster');
    expect(printTableRow(c, SERVICES, a)[4]).toBe(`80:${np}/TCP`);
    createSvc(c, 'fixed', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] });
    const e = statusOf(() => createSvc(c, 'b', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }));
    expect(e.message).toBe('Service "b" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated');
    const out = statusOf(() => createSvc(c, 'c', { type: 'NodePort', ports: [{ port: 80, nodePort: 80 }] }));
    expect(out.message).toBe('Service "c" is invalid: spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767');
    c.api.delete(SERVICES, 'default', 'fixed');
    c.settle();
    expect(createSvc(c, 'b', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }).spec.ports![0].nodePort).toBe(30080);
  });

  it('keeps the NodePort when a Service is re-applied without it, and forbids nodePort on ClusterIP', () => {
    const c = newCluster();
    const a = createSvc(c, 'a', { type: 'NodePort', ports: [{ port: 80 }] });
    const np = a.spec.ports![0].nodePort;
    const next = c.api.update(SERVICES, 'default', 'a', { ...a, spec: { ...a.spec, ports: [{ port: 80 }] } }) as Service;
    expect(next.spec.ports![0].nodePort).toBe(np);
    const e = statusOf(() => createSvc(c, 'b', { ports: [{ port: 80, nodePort: 30001 }] }));
    expect(e.message).toBe("Service \"b\" is invalid: spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'");
  });
});

describe('validation', () => {
  it('answers bad Services with the API server\'s messages and stores nothing', () => {
    const c = newCluster();
    const cases: [Record<string, unknown>, string][] = [
      [{ selector: { app: 'x' } }, 'spec.ports: Required value'],
      [{ ports: [{ port: 0, targetPort: 80 }] }, 'spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive'],
      [{ ports: [{ port: 80 }, { port: 81 }] }, '[spec.ports[0].name: Required value, spec.ports[1].name: Required value]'],
      [{ ports: [{ port: 80, targetPort: 70000 }] }, 'spec.ports[0].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive'],
      [{ ports: [{ port: 80, protocol: 'HTTP' }] }, 'spec.ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"'],
      [{ type: 'Foo', ports: [{ port: 80 }] }, 'spec.type: Unsupported value: "Foo": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"'],
      [{ type: 'ExternalName' }, 'spec.externalName: Required value'],
    ];
    for (const [spec, msg] of cases) {
      const e = statusOf(() => createSvc(c, 'bad', spec));
      expect(e.code).toBe(422);
      expect(e.message).toBe(`Service "bad" is invalid: ${msg}`);
    }
    const e = statusOf(() => createSvc(c, 'Bad', { ports: [{ port: 80 }] }));
    expect(e.message).toContain('metadata.name: Invalid value: "Bad": a DNS-1035 label must consist of lower case alphanumeric characters');
    expect(c.store.get(SERVICES, 'default', 'bad')).toBeUndefined();
  });
});

describe('LoadBalancer', () => {
  it('gets a simulated external IP in status.loadBalancer.ingress', () => {
    const c = newCluster();
    createSvc(c, 'lb', { type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ port: 80 }] });
    const s = c.store.get(SERVICES, 'default', 'lb') as Service;
    const ip = s.status?.loadBalancer?.ingress?.[0]?.ip;
    expect(ip).toMatch(/^172\.18\.255\.\d+$/);
    expect(printTableRow(c, SERVICES, s)[3]).toBe(ip);
    expect(s.spec.ports![0].nodePort).toBeGreaterThanOrEqual(30000);
  });
});

describe('allocations across a snapshot', () => {
  it('are kept: a restored cluster refuses the same IP', () => {
    const c = newCluster();
    createSvc(c, 'a', { clusterIP: '10.96.5.5', ports: [{ port: 80 }] });
    const r = restoreCluster(Cluster.restore(c.snapshot()));
    const e = statusOf(() => r.api.create(SERVICES, 'default', svc('b', { clusterIP: '10.96.5.5', ports: [{ port: 80 }] })));
    expect(e.message).toContain('provided IP is already allocated');
  });
});

describe('healthCheckNodePort', () => {
  it('is allocated for a LoadBalancer with externalTrafficPolicy Local and released with it', () => {
    const c = newCluster();
    const s = createSvc(c, 'lb', { type: 'LoadBalancer', externalTrafficPolicy: 'Local', ports: [{ port: 80 }] });
    const hc = s.spec.healthCheckNodePort!;
    expect(hc).toBeGreaterThanOrEqual(30000);
    expect(hc).not.toBe(s.spec.ports![0].nodePort);
    const e = statusOf(() => createSvc(c, 'b', { type: 'NodePort', ports: [{ port: 80, nodePort: hc }] }));
    expect(e.message).toContain('provided port is already allocated');
    c.api.delete(SERVICES, 'default', 'lb');
    c.settle();
    expect(createSvc(c, 'b', { type: 'NodePort', ports: [{ port: 80, nodePort: hc }] }).spec.ports![0].nodePort).toBe(hc);
  });
});

