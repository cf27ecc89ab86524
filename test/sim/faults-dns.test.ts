// The dns-break fault and its heal, dns-ok: cluster DNS stops answering; traffic by IP still flows.
import { describe, expect, it } from 'vitest';
import { findResource, PODS } from '../../sim/apiserver/resources.ts';
import type { Pod } from '../../sim/apiserver/types.ts';
import type { Service } from '../../sim/apiserver/registry/services.ts';
import { restoreCluster } from '../../sim/bootstrap.ts';
import { Cluster } from '../../sim/cluster.ts';
import { ExecSession, resolveExec } from '../../sim/kubelet/exec.ts';
import { httpRequest } from '../../sim/network/http.ts';
import { applyFault, faultState } from '../../sim/nodes/faults.ts';
import { newCluster } from './helpers.ts';

const SERVICES = findResource('', 'services')!;

function exec(c: Cluster, pod: string, argv: string[]) {
  const r = resolveExec(c, 'default', pod, undefined);
  if ('code' in r) throw new Error(r.message);
  let out = '';
  let err = '';
  const s = new ExecSession(c, r.rt, r.container, argv, {}, (t) => (out += t), (t) => (err += t));
  const code = s.start() ?? s.endInput();
  return { out, err, code };
}

function pod(name: string, image: string, labels: Record<string, string>, extra: Record<string, unknown> = {}): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels }, spec: { containers: [{ name: 'main', image, ...extra }] } };
}

/** nginx behind Service `web`, and a busybox client. */
function cluster(seed = 'dns'): { c: Cluster; webIP: string } {
  const c = newCluster(seed);
  c.api.create(PODS, 'default', pod('web-1', 'nginx:1.27', { app: 'web' }));
  c.api.create(PODS, 'default', pod('client', 'busybox:1.36', { app: 'client' }, { command: ['sleep', '3600'] }));
  c.api.create(SERVICES, 'default', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } });
  c.settle();
  c.advance(30_000);
  return { c, webIP: (c.store.get(SERVICES, 'default', 'web') as Service).spec.clusterIP! };
}

const TIMEOUT = ';; connection timed out; no servers could be reached\n\n';

describe('dns-break', () => {
  it('nslookup and wget by name time out with busybox messages; wget by IP still works; dns-ok heals', () => {
    const { c, webIP } = cluster();
    expect(exec(c, 'client', ['nslookup', 'web']).out).toContain(`Name:\tweb.default.svc.cluster.local\nAddress: ${webIP}\n`);
    applyFault(c, { fault: 'dns-break' });
    expect(faultState(c).faults).toEqual([{ fault: 'dns-break', since: '2026-01-01T00:00:30Z' }]);
    expect(exec(c, 'client', ['nslookup', 'web'])).toEqual({ code: 1, err: '', out: TIMEOUT });
    expect(exec(c, 'client', ['nslookup', 'web.default.svc.cluster.local'])).toEqual({ code: 1, err: '', out: TIMEOUT });
    expect(exec(c, 'client', ['wget', '-qO-', 'http://web'])).toEqual({ code: 1, out: '', err: "wget: bad address 'web'\n" });
    const byIP = exec(c, 'client', ['wget', '-qO-', `http://${webIP}`]);
    expect(byIP.code).toBe(0);
    expect(byIP.out).toContain('<title>Welcome to nginx!</title>');
    applyFault(c, { fault: 'dns-ok' });
    expect(faultState(c).faults).toEqual([]);
    expect(exec(c, 'client', ['nslookup', 'web']).code).toBe(0);
    expect(exec(c, 'client', ['wget', '-qO-', 'http://web']).out).toContain('<title>Welcome to nginx!</title>');
  });

  it('/api/http from a pod: a DNS name fails with a DNS time-out, an IP answers', () => {
    const { c, webIP } = cluster();
    const uid = (c.store.get(PODS, 'default', 'client') as Pod).metadata.uid!;
    applyFault(c, { fault: 'dns-break' });
    expect(httpRequest(c, { url: 'http://web', fromPodUid: uid })).toMatchObject({ code: 'DNS_TIMEOUT', error: "wget: bad address 'web'" });
    expect(httpRequest(c, { url: `http://${webIP}`, fromPodUid: uid })).toMatchObject({ status: 200 });
  });

  it('survives snapshot and restore (the same future), and heal-all heals it', () => {
    const { c: a } = cluster('snap');
    applyFault(a, { fault: 'dns-break' });
    a.advance(5_000);
    const b = restoreCluster(Cluster.restore(JSON.parse(JSON.stringify(a.snapshot()))));
    for (const c of [a, b]) {
      expect(exec(c, 'client', ['nslookup', 'web']).out).toBe(TIMEOUT);
      c.advance(60_000);
      applyFault(c, { fault: 'heal-all' });
      c.advance(10_000);
      expect(exec(c, 'client', ['nslookup', 'web']).code).toBe(0);
    }
    expect(b.snapshot()).toEqual(a.snapshot());
  });
});
