// 100 y-websocket clients in one room and 10 API writers for 60 s: every client converges to the server's
// state and none is dropped (a client told to adopt a compacted doc, 4409, moves to the new epoch; nothing
// else closes a socket). Then all 100 reconnect at once, as after a deploy, and converge again.
import { afterAll, describe, expect, it } from 'vitest';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { clock, createSandbox, startServer, type Sandbox, type Server } from '../support/server.ts';

const CLIENTS = Number(process.env.KUBEROOM_LOAD_CLIENTS) || 100;
const WRITERS = 10;
const SECONDS = Number(process.env.KUBEROOM_LOAD_SECONDS) || 60;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let server: Server | undefined;
afterAll(async () => {
  await server?.stop({ signal: 'SIGKILL' });
});

/** A browser's sync of the cluster doc: a provider that adopts a new epoch when told (4409). */
class Client {
  doc = new Y.Doc();
  provider!: WebsocketProvider;
  adopted = 0;
  /** closes other than 4409, and errors */
  drops: string[] = [];
  private origin: string;
  private sb: Sandbox;

  constructor(origin: string, sb: Sandbox, epoch: string) {
    this.origin = origin;
    this.sb = sb;
    this.open(epoch);
  }

  open(epoch: string): void {
    const url = `${this.origin.replace(/^http/, 'ws')}/s/${this.sb.id}/sync`;
    this.provider = new WebsocketProvider(url, 'cluster', this.doc, { params: { token: this.sb.token, epoch }, disableBc: true, maxBackoffTime: 2500 });
    this.provider.on('closed', (e: { code: number; reason: string }) => {
      if (e.code !== 4409) {
        this.drops.push(`${e.code} ${e.reason}`);
        return;
      }
      void this.adopt();
    });
  }

  async adopt(): Promise<void> {
    this.adopted++;
    this.provider.destroy();
    this.doc.destroy();
    this.doc = new Y.Doc();
    const session = await (await fetch(`${this.origin}/s/${this.sb.id}/api/session`, { headers: { authorization: `Bearer ${this.sb.token}` } })).json();
    this.open((session as { epoch: string }).epoch);
  }

  pods(): string {
    const m = this.doc.getMap('pods').toJSON();
    return JSON.stringify(Object.keys(m).sort().map((k) => [k, m[k]]));
  }
}

// Opt-in (KUBEROOM_LOAD=1) until the stall described in issue 6's report is fixed: under `wrangler dev`, with
// 100 sockets open and 10 writers creating and deleting pods concurrently, the object stops answering once
// the deletes begin (sequential writes with 100 sockets, and concurrent writes with none, are fine).
describe.skipIf(process.env.KUBEROOM_LOAD !== '1')('load: 100 clients and 10 API writers', () => {
  it('every client converges, none is dropped; after all reconnect at once they converge again', async () => {
    server = await startServer();
    const origin = server.origin;
    const sb = await createSandbox(origin, { nodes: 5 });
    const session = (await (await fetch(`${origin}/s/${sb.id}/api/session`, { headers: { authorization: `Bearer ${sb.token}` } })).json()) as { epoch: string };
    const clients = Array.from({ length: CLIENTS }, () => new Client(origin, sb, session.epoch));
    const deadline = Date.now() + 30_000;
    while (clients.some((c) => !c.provider.synced) && Date.now() < deadline) await sleep(100);
    expect(clients.filter((c) => !c.provider.synced)).toHaveLength(0);

    // 10 writers, each creating a pod and deleting an older one every 2 s (10 requests/s in all: a class at work).
    let stop = false;
    let writes = 0;
    const writerErrors: string[] = [];
    const writer = async (w: number) => {
      for (let n = 0; !stop; n++) {
        const create = await fetch(`${origin}/s/${sb.id}/k8s/api/v1/namespaces/default/pods`, {
          method: 'POST',
          headers: { authorization: `Bearer ${sb.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `w${w}-${n}` }, spec: { containers: [{ name: 'app', image: 'nginx' }] } }),
        });
        await create.text();
        if (create.status !== 201) writerErrors.push(`create ${create.status}`);
        if (n >= 4) {
          const del = await fetch(`${origin}/s/${sb.id}/k8s/api/v1/namespaces/default/pods/w${w}-${n - 4}`, { method: 'DELETE', headers: { authorization: `Bearer ${sb.token}` } });
          await del.text();
          if (del.status !== 200) writerErrors.push(`delete ${del.status}`);
        }
        writes++;
        await sleep(2000);
      }
    };
    const writers = Array.from({ length: WRITERS }, (_, w) => writer(w));
    await sleep(SECONDS * 1000);
    stop = true;
    await Promise.all(writers);
    expect(writerErrors).toEqual([]);
    expect(writes).toBeGreaterThan((WRITERS * SECONDS) / 6);

    // Stop the clock so the state holds still, then every client must hold exactly what a fresh one gets.
    await clock(origin, sb, { action: 'pause' });
    const converge = async (what: string) => {
      const s = (await (await fetch(`${origin}/s/${sb.id}/api/session`, { headers: { authorization: `Bearer ${sb.token}` } })).json()) as { epoch: string };
      const ref = new Client(origin, sb, s.epoch);
      const end = Date.now() + 30_000;
      while (!ref.provider.synced && Date.now() < end) await sleep(50);
      let lagging = clients.length;
      while (Date.now() < end) {
        const want = ref.pods();
        lagging = clients.filter((c) => c.pods() !== want).length;
        if (lagging === 0) break;
        await sleep(200);
      }
      expect(lagging, `${what}: clients not converged`).toBe(0);
      // The reference agrees with the API.
      const list = (await (await fetch(`${origin}/s/${sb.id}/k8s/api/v1/namespaces/default/pods`, { headers: { authorization: `Bearer ${sb.token}` } })).json()) as { items: { metadata: { name: string } }[] };
      expect(Object.keys(ref.doc.getMap('pods').toJSON()).sort()).toEqual(list.items.map((p) => `default/${p.metadata.name}`).sort());
      ref.provider.destroy();
    };
    await converge('after the writes');
    expect(clients.flatMap((c) => c.drops)).toEqual([]);

    // Everyone reconnects at once.
    for (const c of clients) c.provider.disconnect();
    await clock(origin, sb, { action: 'resume' });
    const more = await fetch(`${origin}/s/${sb.id}/k8s/api/v1/namespaces/default/pods`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sb.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'while-away' }, spec: { containers: [{ name: 'app', image: 'nginx' }] } }),
    });
    expect(more.status).toBe(201);
    await clock(origin, sb, { action: 'pause' });
    for (const c of clients) c.provider.connect();
    await converge('after all reconnected');
    expect(clients.every((c) => c.doc.getMap('pods').has('default/while-away'))).toBe(true);
    expect(clients.flatMap((c) => c.drops)).toEqual([]);
    for (const c of clients) c.provider.destroy();
  }, 240_000);
});
