/**
 * Hostile and malformed input against the Kubernetes HTTP face (handleKubernetesRequest, in Node): every
 * request must get the 4xx `Status` a Kubernetes 1.32 API server gives (code and reason per case), never a
 * 5xx, and the store must be exactly as it was afterwards.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Cluster } from '../../sim/cluster.ts';
import { handleKubernetesRequest, type K8sContext } from '../../worker/k8s/handler.ts';
import { cases, CMS, cm, J, PODS, type Case } from './api-fuzz.cases.ts';
import { newCluster } from './helpers.ts';

function contextFor(cluster: Cluster, role: 'owner' | 'edit' | 'view'): K8sContext {
  return { cluster, user: { name: 'fuzzer', role }, commit: async () => cluster.settle(), logPollMs: 5 };
}

async function send(cluster: Cluster, c: Case): Promise<{ status: number; text: string; json: any }> {
  const headers: Record<string, string> = {};
  if (c.contentType !== undefined) headers['content-type'] = c.contentType;
  const req = new Request(`https://k8s.test${c.path}`, { method: c.method, headers, body: c.body as BodyInit | undefined });
  const res = await handleKubernetesRequest(req, c.path.split('?')[0], contextFor(cluster, c.role ?? 'owner'));
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json };
}

describe('hostile and malformed API requests', () => {
  let cluster: Cluster;
  let before: string;
  const all = cases();

  beforeAll(async () => {
    cluster = newCluster('fuzz');
    const setupReq = async (method: string, path: string, body: string) => {
      const r = await send(cluster, { name: 'setup', method, path, body, contentType: J, code: 201 });
      if (r.status !== 201) throw new Error(`setup ${path}: ${r.status} ${r.text}`);
    };
    await setupReq('POST', PODS, JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', labels: { app: 'web' } }, spec: { nodeName: 'node-1', containers: [{ name: 'web', image: 'nginx:1.27' }] } }));
    await setupReq('POST', CMS, cm({ name: 'cfg' }, { data: { color: 'blue' } }));
    // Push the first resourceVersions out of the watch window, so that a watch from "1" is too old.
    for (let i = 0; i < 3; i++) cluster.settle();
    before = JSON.stringify(cluster.snapshot());
  });

  it('serves a negative limit as no limit, as Kubernetes does', async () => {
    const r = await send(cluster, { name: 'limit', method: 'GET', path: `${PODS}?limit=-1`, code: 200 });
    expect(r.status).toBe(200);
    expect(r.json.items.map((p: any) => p.metadata.name)).toEqual(['web']);
    expect(r.json.metadata.continue).toBeUndefined();
  });

  it('has at least 200 cases', () => {
    expect(all.length).toBeGreaterThanOrEqual(200);
  });

  it.each(all.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const r = await send(cluster, c);
    const summary = `${c.method} ${c.path.slice(0, 120)} -> ${r.status} ${r.json?.reason ?? ''} ${(r.json?.message ?? r.text).slice(0, 300)}`;
    expect(r.status, summary).toBeLessThan(500);
    expect(r.status, summary).toBe(c.code);
    if (c.reason !== undefined) {
      expect(r.json?.kind, summary).toBe('Status');
      expect(r.json?.status, summary).toBe('Failure');
      expect(r.json?.code, summary).toBe(c.code);
      expect(r.json?.reason, summary).toBe(c.reason);
    } else {
      expect(r.text).toBe('404 page not found\n');
    }
    if (c.message instanceof RegExp) expect(r.json?.message, summary).toMatch(c.message);
    else if (c.message) expect(r.json?.message, summary).toContain(c.message);
  });

  it('leaves the store exactly as it was', () => {
    // Every record is compared; only the random source may have moved on (a refused create has drawn its
    // uid already, as the real API server fills system fields before it validates).
    const strip = (snap: { records: Record<string, any> }) => {
      const meta = snap.records.meta;
      if (meta && typeof meta === 'object') for (const k of Object.keys(meta)) if (k === 'rng') delete meta[k];
      return snap;
    };
    const after = strip(cluster.snapshot() as any);
    const was = strip(JSON.parse(before));
    // Name the records that differ first, so a failure says which request wrote what.
    const tables = new Set([...Object.keys(was.records as object), ...Object.keys(after.records as object)]);
    const changed: string[] = [];
    for (const t of tables) {
      const a = JSON.stringify((was.records as Record<string, unknown>)[t]);
      const b = JSON.stringify((after.records as Record<string, unknown>)[t]);
      if (a !== b) changed.push(`${t}: ${a?.slice(0, 400)} -> ${b?.slice(0, 400)}`);
    }
    expect(changed).toEqual([]);
    expect(JSON.stringify(after)).toBe(JSON.stringify(was));
  });
});
