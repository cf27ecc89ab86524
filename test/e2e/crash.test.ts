// Kill the server (SIGKILL, no shutdown) while five clients write through the Kubernetes API, start it again
// on the same state directory, and find every write the API acknowledged, with the same uid, and the sim
// going on from there (pods created before the crash start running after it).
import { afterAll, describe, expect, it } from 'vitest';
import { clock, createSandbox, startServer, type Server } from '../support/server.ts';

const servers: Server[] = [];
afterAll(async () => {
  for (const s of servers) await s.stop({ signal: 'SIGKILL' });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a crash loses no acknowledged write', () => {
  it('SIGKILL while 5 clients write; after a restart every acknowledged write is there and the sim continues', async () => {
    const first = await startServer();
    servers.push(first);
    const sb = await createSandbox(first.origin, { nodes: 3 });
    await clock(first.origin, sb, { action: 'pause' });
    const acked = new Map<string, { kind: 'pods' | 'configmaps'; uid: string }>();
    let stop = false;
    let failures = 0;
    const writer = async (w: number) => {
      for (let n = 0; !stop; n++) {
        const kind = n % 3 === 0 && n < 120 ? 'pods' : 'configmaps';
        const name = `w${w}-${n}`;
        const body =
          kind === 'pods'
            ? { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'app', image: 'nginx' }] } }
            : { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { n: String(n) } };
        try {
          const res = await fetch(`${first.origin}/s/${sb.id}/k8s/api/v1/namespaces/default/${kind}`, {
            method: 'POST',
            headers: { authorization: `Bearer ${sb.token}`, 'content-type': 'application/json' },
            body: JSON.stringify(body),
          });
          const text = await res.text();
          if (res.status === 201) acked.set(name, { kind, uid: JSON.parse(text).metadata.uid });
          else if (res.status === 429) await sleep(1000 * Number(res.headers.get('retry-after') ?? 1));
          else throw new Error(`unexpected ${res.status}: ${text}`);
        } catch (e) {
          if (!stop) failures++;
          if ((e as Error).message.startsWith('unexpected')) throw e;
          return;
        }
      }
    };
    const writers = [0, 1, 2, 3, 4].map(writer);
    while (acked.size < 150) await sleep(20);
    // Kill the whole server while requests are in flight.
    const killed = first.stop({ signal: 'SIGKILL', removePersistDir: false });
    await killed;
    stop = true;
    await Promise.all(writers);
    const count = acked.size;
    expect(count).toBeGreaterThanOrEqual(150);

    const second = await startServer({ persistTo: first.persistTo });
    servers.push(second);
    const list = async (kind: string) => {
      const res = await fetch(`${second.origin}/s/${sb.id}/k8s/api/v1/namespaces/default/${kind}`, { headers: { authorization: `Bearer ${sb.token}` } });
      expect(res.status).toBe(200);
      const items = ((await res.json()) as { items: { metadata: { name: string; uid: string }; status?: { phase?: string } }[] }).items;
      return new Map(items.map((i) => [i.metadata.name, i]));
    };
    const pods = await list('pods');
    const cms = await list('configmaps');
    const missing: string[] = [];
    for (const [name, a] of acked) {
      const found = (a.kind === 'pods' ? pods : cms).get(name);
      if (!found || found.metadata.uid !== a.uid) missing.push(`${a.kind}/${name}`);
    }
    expect(missing).toEqual([]);
    // The sim continues: the pods it held (Pending while the clock stood still) run after a step.
    expect([...pods.values()].some((p) => p.status?.phase === 'Pending')).toBe(true);
    await clock(second.origin, sb, { action: 'step', seconds: 60 });
    const after = await list('pods');
    expect(after.size).toBe(pods.size);
    expect([...after.values()].filter((p) => p.status?.phase !== 'Running').map((p) => p.metadata.name)).toEqual([]);
  });
});
