// Check kinds in situations the library does not reach: the restart window, field paths, absent fields,
// every node Ready, and the DNS answer for an ExternalName that points inside the cluster.
import { describe, expect, it } from 'vitest';
import { findByKind } from '../../sim/apiserver/resources.ts';
import { evaluateCheck, readPath } from '../../sim/scenarios/checks.ts';
import { parseScenario } from '../../sim/scenarios/parse.ts';
import { applyFault } from '../../sim/nodes/faults.ts';
import { nslookupText } from '../../sim/dns/resolve.ts';
import type { Check } from '../../sim/scenarios/types.ts';
import type { Cluster } from '../../sim/cluster.ts';
import { createPod, newCluster, pod } from './helpers.ts';

/** One check, parsed from YAML as a scenario file would hold it. */
function check(yaml: string): Check {
  const s = parseScenario(`name: t\ntitle: t\nlevel: easy\ntask: t\nchecks:\n  - title: the check\n${yaml.replace(/^/gm, '    ')}\n`);
  return s.checks[0];
}

const SERVICES = findByKind('v1', 'Service')!;

describe('check kinds', () => {
  it('pods: a restart inside the window fails, naming the exit; once the window has passed it holds', () => {
    const c = newCluster();
    const p = pod('flaky', 'kuberoom/demo:1.0');
    p.metadata.labels = { app: 'flaky' };
    p.spec.containers[0].env = [{ name: 'CRASH_AFTER', value: '20s' }];
    createPod(c, p);
    const ck = check('pods: {selector: app=flaky, noRestartsForSeconds: 60}');
    c.advance(10_000);
    expect(evaluateCheck(c, ck).passed).toBe(true);
    c.advance(15_000); // crashed at 20 s, restarted
    const r = evaluateCheck(c, ck);
    expect(r.passed).toBe(false);
    expect(r.why).toMatch(/^Every one of the pods with labels app=flaky in namespace default must be Running, Ready, no restart in the last 60s, but pod flaky is restarting \(container flaky last exited \d+s ago with code 1, 1 restart\)\.$/);
    // Set the crash off: it runs on; a minute later the restart has left the window.
    c.api.delete(findByKind('v1', 'Pod')!, 'default', 'flaky', { gracePeriodSeconds: 0 });
    p.spec.containers[0].env = [];
    createPod(c, p);
    c.advance(70_000);
    expect(evaluateCheck(c, ck)).toMatchObject({ passed: true, summary: '1/1 healthy' });
  });

  it('field: paths with indexes and quoted keys, equality across "3" and 3, absent and present', () => {
    const obj = { metadata: { annotations: { 'example.com/owner': 'ana' } }, spec: { replicas: 3, containers: [{ image: 'nginx' }] } };
    expect(readPath(obj, ".metadata.annotations['example.com/owner']")).toEqual({ found: true, value: 'ana' });
    expect(readPath(obj, '.spec.containers[0].image')).toEqual({ found: true, value: 'nginx' });
    expect(readPath(obj, '.spec.containers[1].image')).toEqual({ found: false, value: undefined });
    const c = newCluster();
    c.api.create(SERVICES, 'default', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } });
    expect(evaluateCheck(c, check('field: {apiVersion: v1, kind: Service, name: web, path: ".spec.ports[0].port", equals: "80"}'))).toMatchObject({ passed: true, summary: '80' });
    expect(evaluateCheck(c, check('field: {apiVersion: v1, kind: Service, name: web, path: .spec.type, equals: NodePort}'))).toMatchObject({
      passed: false,
      why: '.spec.type of Service web in namespace default must be "NodePort", it is "ClusterIP".',
    });
    expect(evaluateCheck(c, check('field: {apiVersion: v1, kind: Service, name: web, path: .spec.externalName, absent: true}')).passed).toBe(true);
    expect(evaluateCheck(c, check('field: {apiVersion: v1, kind: Service, name: web, path: .spec.externalName, absent: false}')).passed).toBe(false);
    expect(evaluateCheck(c, check('field: {apiVersion: v1, kind: Service, name: api, path: .spec.type, equals: ClusterIP}'))).toMatchObject({ passed: false, why: 'Service api in namespace default does not exist.' });
  });

  it('node: every node Ready, naming the one that is not and why', () => {
    const c: Cluster = newCluster();
    const ck = check('node: {}');
    expect(evaluateCheck(c, ck)).toMatchObject({ passed: true, summary: '3/3', why: 'Every node is Ready.' });
    applyFault(c, { fault: 'node-not-ready', node: 'node-2' });
    c.advance(60_000);
    const r = evaluateCheck(c, ck);
    expect(r).toMatchObject({ passed: false, summary: '2/3' });
    expect(r.why).toMatch(/^Every node must be Ready: node-2 is NotReady \(KubeletNotReady: /);
  });

  it('dns: an ExternalName Service pointing inside the cluster answers with the CNAME and its target address', () => {
    const c = newCluster();
    c.api.create(SERVICES, 'default', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'api' }, spec: { selector: { app: 'api' }, ports: [{ port: 80 }] } });
    c.api.create(SERVICES, 'default', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'alias' }, spec: { type: 'ExternalName', externalName: 'api.default.svc.cluster.local' } });
    c.api.create(SERVICES, 'default', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'outside' }, spec: { type: 'ExternalName', externalName: 'example.com' } });
    c.settle();
    const ip = (c.store.get(SERVICES, 'default', 'api') as any).spec.clusterIP;
    expect(nslookupText(c, 'alias', 'default').stdout).toBe(
      `Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\nalias.default.svc.cluster.local\tcanonical name = api.default.svc.cluster.local\nName:\tapi.default.svc.cluster.local\nAddress: ${ip}\n\n`,
    );
    expect(nslookupText(c, 'outside', 'default').stdout).toBe('Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\noutside.default.svc.cluster.local\tcanonical name = example.com\n\n');
    expect(evaluateCheck(c, check('dns: {name: alias}'))).toMatchObject({ passed: true, summary: ip });
    expect(evaluateCheck(c, check('dns: {name: api, namespace: kube-system}'))).toMatchObject({ passed: false, summary: 'does not resolve' });
  });
});
