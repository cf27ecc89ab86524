import { describe, expect, it } from 'vitest';
import { findResource, PODS } from '../../sim/apiserver/resources.ts';
import type { KObject, Pod } from '../../sim/apiserver/types.ts';
import type { Service } from '../../sim/apiserver/registry/services.ts';
import { restoreCluster } from '../../sim/bootstrap.ts';
import { Cluster } from '../../sim/cluster.ts';
import { printTableRow } from './network-helpers.ts';
import { newCluster } from './helpers.ts';

const SERVICES = findResource('', 'services')!;
const ENDPOINTS = findResource('', 'endpoints')!;
const SLICES = findResource('discovery.k8s.io', 'endpointslices')!;

function webPod(name: string, labels: Record<string, string> = { app: 'web' }, ports = [{ name: 'http', containerPort: 80 }]): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels }, spec: { containers: [{ name: 'nginx', image: 'nginx', ports }] } };
}

function run(c: Cluster, ...pods: Pod[]): void {
  for (const p of pods) c.api.create(PODS, 'default', p);
  c.settle();
  c.advance(30_000);
}

function service(c: Cluster, name: string, spec: Record<string, unknown>): Service {
  const s = c.api.create(SERVICES, 'default', { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec }) as Service;
  c.settle();
  return s;
}

function slicesOf(c: Cluster, svc: string): KObject[] {
  return c.store.list(SLICES, 'default').filter((s) => s.metadata.labels?.['kubernetes.io/service-name'] === svc);
}

function podIP(c: Cluster, name: string): string {
  return (c.store.get(PODS, 'default', name) as Pod).status!.podIP!;
}

/** What the kubelet writes when a readiness probe starts failing (or passing again). */
function setReady(c: Cluster, name: string, ready: boolean): void {
  const p = JSON.parse(JSON.stringify(c.store.get(PODS, 'default', name))) as Pod;
  for (const cond of p.status!.conditions!) if (cond.type === 'Ready' || cond.type === 'ContainersReady') cond.status = ready ? 'True' : 'False';
  for (const s of p.status!.containerStatuses!) s.ready = ready;
  c.api.update(PODS, 'default', name, p, { subresource: 'status' });
  c.settle();
}

describe('Endpoints and EndpointSlices', () => {
  it('list the ready pods a selector picks, with the targetPort resolved', () => {
    const c = newCluster();
    run(c, webPod('web-1'), webPod('web-2'), webPod('other', { app: 'other' }));
    service(c, 'web', { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 'http' }] });
    const ips = [podIP(c, 'web-1'), podIP(c, 'web-2')];
    const ep = c.store.get(ENDPOINTS, 'default', 'web')!;
    const subsets = ep.subsets as { addresses: { ip: string; targetRef: { name: string } }[]; ports: unknown[] }[];
    expect(subsets).toHaveLength(1);
    expect(subsets[0].addresses.map((a) => a.ip).sort()).toEqual([...ips].sort());
    expect(subsets[0].ports).toEqual([{ port: 80, protocol: 'TCP' }]);
    const slices = slicesOf(c, 'web');
    expect(slices).toHaveLength(1);
    const slice = slices[0];
    expect(slice.metadata.name).toMatch(/^web-[a-z0-9]{5}$/);
    expect(slice.metadata.labels).toEqual({ 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io', 'kubernetes.io/service-name': 'web' });
    expect(slice.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'Service', name: 'web', controller: true });
    expect(slice.addressType).toBe('IPv4');
    expect(slice.ports).toEqual([{ name: '', port: 80, protocol: 'TCP' }]);
    const eps = slice.endpoints as { addresses: string[]; conditions: unknown; nodeName: string; targetRef: { name: string }; zone: string }[];
    expect(eps.map((e) => e.targetRef.name)).toEqual(['web-1', 'web-2']);
    expect(eps[0].conditions).toEqual({ ready: true, serving: true, terminating: false });
    expect(eps[0].zone).toMatch(/^kuberoom-1/);
    const row = printTableRow(c, SLICES, slice);
    expect(row[1]).toBe('IPv4');
    expect(row[2]).toBe('80');
    expect(String(row[3]).split(',').sort()).toEqual([...ips].sort());
  });

  it('move a pod whose readiness fails to notReadyAddresses / ready:false, and back', () => {
    const c = newCluster();
    run(c, webPod('web-1'), webPod('web-2'));
    service(c, 'web', { selector: { app: 'web' }, ports: [{ port: 80 }] });
    setReady(c, 'web-2', false);
    const ss = (c.store.get(ENDPOINTS, 'default', 'web')!.subsets as { addresses: { ip: string }[]; notReadyAddresses: { ip: string }[] }[])[0];
    expect(ss.addresses.map((a) => a.ip)).toEqual([podIP(c, 'web-1')]);
    expect(ss.notReadyAddresses.map((a) => a.ip)).toEqual([podIP(c, 'web-2')]);
    const eps = slicesOf(c, 'web')[0].endpoints as { targetRef: { name: string }; conditions: unknown }[];
    expect(eps.find((e) => e.targetRef.name === 'web-2')!.conditions).toEqual({ ready: false, serving: false, terminating: false });
    expect(printTableRow(c, ENDPOINTS, c.store.get(ENDPOINTS, 'default', 'web')!)[1]).toBe(`${podIP(c, 'web-1')}:80`);
    setReady(c, 'web-2', true);
    expect(((c.store.get(ENDPOINTS, 'default', 'web')!.subsets as { addresses: unknown[] }[])[0].addresses).length).toBe(2);
  });

  it('mark a terminating pod terminating (and leave it out of Endpoints)', () => {
    const c = newCluster();
    run(c, webPod('web-1'), webPod('web-2'));
    service(c, 'web', { selector: { app: 'web' }, ports: [{ port: 80 }] });
    c.api.delete(PODS, 'default', 'web-1');
    c.settle();
    const eps = slicesOf(c, 'web')[0].endpoints as { targetRef: { name: string }; conditions: unknown }[];
    expect(eps.find((e) => e.targetRef.name === 'web-1')!.conditions).toEqual({ ready: false, serving: true, terminating: true });
    const ss = (c.store.get(ENDPOINTS, 'default', 'web')!.subsets as { addresses: { targetRef: { name: string } }[]; notReadyAddresses?: unknown[] }[])[0];
    expect(ss.addresses.map((a) => a.targetRef.name)).toEqual(['web-2']);
    expect(ss.notReadyAddresses).toBeUndefined();
    c.advance(60_000);
    expect((slicesOf(c, 'web')[0].endpoints as unknown[]).length).toBe(1);
  });

  it('are empty for a selector that matches nothing (kubectl shows <none>)', () => {
    const c = newCluster();
    run(c, webPod('web-1'));
    service(c, 'typo', { selector: { app: 'wbe' }, ports: [{ port: 80 }] });
    const ep = c.store.get(ENDPOINTS, 'default', 'typo')!;
    expect(ep.subsets).toBeUndefined();
    expect(printTableRow(c, ENDPOINTS, ep)[1]).toBe('<none>');
    const slices = slicesOf(c, 'typo');
    expect(slices).toHaveLength(1);
    expect(slices[0].endpoints).toEqual([]);
    // Fixing the selector fills them.
    const s = c.store.get(SERVICES, 'default', 'typo') as Service;
    c.api.update(SERVICES, 'default', 'typo', { ...s, spec: { ...s.spec, selector: { app: 'web' } } });
    c.settle();
    expect(printTableRow(c, ENDPOINTS, c.store.get(ENDPOINTS, 'default', 'typo')!)[1]).toBe(`${podIP(c, 'web-1')}:80`);
  });

  it('follow label changes and skip pods whose named port does not exist', () => {
    const c = newCluster();
    run(c, webPod('web-1'), webPod('noport', { app: 'web' }, []));
    service(c, 'web', { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 'http' }] });
    expect(printTableRow(c, ENDPOINTS, c.store.get(ENDPOINTS, 'default', 'web')!)[1]).toBe(`${podIP(c, 'web-1')}:80`);
    const p = JSON.parse(JSON.stringify(c.store.get(PODS, 'default', 'web-1'))) as Pod;
    p.metadata.labels = { app: 'quarantine' };
    c.api.update(PODS, 'default', 'web-1', p);
    c.settle();
    expect(printTableRow(c, ENDPOINTS, c.store.get(ENDPOINTS, 'default', 'web')!)[1]).toBe('<none>');
  });

  it('split more than 100 endpoints over several slices, and go with their Service', () => {
    const c = newCluster('big', 3);
    const pods: Pod[] = [];
    for (let i = 0; i < 150; i++) pods.push(webPod(`web-${String(i).padStart(3, '0')}`));
    run(c, ...pods);
    service(c, 'web', { selector: { app: 'web' }, ports: [{ port: 80 }] });
    const slices = slicesOf(c, 'web');
    expect(slices.map((s) => (s.endpoints as unknown[]).length).sort()).toEqual([100, 50].sort());
    expect(printTableRow(c, ENDPOINTS, c.store.get(ENDPOINTS, 'default', 'web')!)[1]).toMatch(/^[\d.]+:80,[\d.]+:80,[\d.]+:80 \+ 147 more\.\.\.$/);
    c.api.delete(SERVICES, 'default', 'web');
    c.settle();
    expect(slicesOf(c, 'web')).toEqual([]);
    expect(c.store.get(ENDPOINTS, 'default', 'web')).toBeUndefined();
  });

  it('keep working after a snapshot and restore', () => {
    const c = newCluster();
    run(c, webPod('web-1'));
    service(c, 'web', { selector: { app: 'web' }, ports: [{ port: 80 }] });
    const r = restoreCluster(Cluster.restore(c.snapshot()));
    r.api.create(PODS, 'default', webPod('web-2'));
    r.settle();
    r.advance(30_000);
    expect((slicesOf(r, 'web')[0].endpoints as unknown[]).length).toBe(2);
    expect(slicesOf(r, 'web')).toHaveLength(1);
  });
});
