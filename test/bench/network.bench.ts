import { findResource, PODS } from '../../sim/apiserver/resources.ts';
import type { Pod } from '../../sim/apiserver/types.ts';
import { createCluster } from '../../sim/bootstrap.ts';
import { httpRequest } from '../../sim/network/http.ts';
import type { Row } from './run.ts';

const SERVICES = findResource('', 'services')!;
const SLICES = findResource('discovery.k8s.io', 'endpointslices')!;

/** HTTP requests per second through a Service with 100 ready endpoints (kube-proxy + DNS + NetworkPolicy + the image's answer), in the sim. */
export async function run(): Promise<Row[]> {
  const c = createCluster({ seed: 'bench-net', startTime: Date.parse('2026-01-01T00:00:00Z'), nodes: 5 });
  for (let i = 0; i < 100; i++) {
    c.api.create(PODS, 'default', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `web-${i}`, labels: { app: 'web' } },
      spec: { containers: [{ name: 'web', image: 'gcr.io/google-samples/hello-app:1.0', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
    });
  }
  c.api.create(PODS, 'default', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'client' }, spec: { containers: [{ name: 'c', image: 'busybox', command: ['sleep', 'infinity'] }] } });
  c.settle();
  c.advance(60_000);
  const t0 = performance.now();
  c.api.create(SERVICES, 'default', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } });
  c.settle();
  const endpointsMs = performance.now() - t0;
  const ready = c.store.list(SLICES, 'default').filter((s) => s.metadata.labels?.['kubernetes.io/service-name'] === 'web').reduce((n, s) => n + (s.endpoints as unknown[]).length, 0);
  if (ready !== 100) throw new Error(`expected 100 endpoints, got ${ready}`);
  const client = (c.store.get(PODS, 'default', 'client') as Pod).metadata.uid!;
  const hit = new Set<string>();
  const N = 20_000;
  const t1 = performance.now();
  for (let i = 0; i < N; i++) {
    const r = httpRequest(c, { fromPodUid: client, url: 'http://web/' });
    if (r.status !== 200) throw new Error(`request ${i}: ${r.error}`);
    hit.add(r.servedBy!.pod);
  }
  const secs = (performance.now() - t1) / 1000;
  return [
    { name: 'HTTP requests through a Service with 100 endpoints', value: N / secs, unit: 'req/s', note: `${hit.size} endpoints answered; DNS name, no policies` },
    { name: 'Endpoints + EndpointSlices for a new Service over 100 pods', value: endpointsMs, unit: 'ms wall' },
  ];
}
