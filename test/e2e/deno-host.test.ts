// What the Deno host does itself (worker/deno/), beyond the shared app and room: the built client served
// as wrangler's [assets] serves it, a sandbox per SQLite file in the data directory (none for a link to no
// sandbox, gone with the sandbox), and long-lived responses (a watch) streamed through Deno.serve.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_DIST } from '../support/paths.ts';
import { createSandbox, startServer, type Server } from '../support/server.ts';

let server: Server;
beforeAll(async () => {
  server = await startServer({ host: 'deno' });
});
afterAll(async () => {
  await server?.stop();
});

const files = () => readdirSync(server.persistTo).filter((f) => f.endsWith('.sqlite'));

describe('the Deno host', () => {
  it('serves the home page, the sandbox page and the client assets', async () => {
    const home = await fetch(`${server.origin}/`);
    expect(home.status).toBe(200);
    expect(home.headers.get('content-type')).toContain('text/html');
    expect(await home.text()).toBe(readFileSync(join(CLIENT_DIST, 'index.html'), 'utf8'));

    const sb = await createSandbox(server.origin, { nodes: 1 });
    const page = await fetch(`${server.origin}/s/${sb.id}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toBe(readFileSync(join(CLIENT_DIST, 'sandbox.html'), 'utf8'));

    const script = readdirSync(join(CLIENT_DIST, 'assets')).find((f) => f.endsWith('.js'))!;
    const asset = await fetch(`${server.origin}/assets/${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toContain('text/javascript');
    const etag = asset.headers.get('etag')!;
    await asset.arrayBuffer();
    const again = await fetch(`${server.origin}/assets/${script}`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
  });

  it('answers 404 outside the client directory and for unknown paths', async () => {
    for (const path of ['/..%2f..%2fpackage.json', '/assets/..%2f..%2f..%2fpackage.json', '/assets/nothing.js', '/api/nothing']) {
      const res = await fetch(`${server.origin}${path}`);
      expect(res.status, path).toBe(404);
      await res.arrayBuffer();
    }
  });

  it('keeps each sandbox in its own file: none for a link to no sandbox, removed with the sandbox', async () => {
    const before = files();
    const missing = await fetch(`${server.origin}/s/AAAAAAAAAAAAAAAAAAAAAA/api/session?token=x`);
    expect(missing.status).toBe(404);
    expect(files()).toEqual(before);

    const sb = await createSandbox(server.origin, { nodes: 1 });
    expect(existsSync(join(server.persistTo, `${sb.id}.sqlite`))).toBe(true);
    const del = await fetch(`${server.origin}/s/${sb.id}/api/sandbox`, { method: 'DELETE', headers: { authorization: `Bearer ${sb.token}` } });
    expect(del.status).toBe(200);
    expect(existsSync(join(server.persistTo, `${sb.id}.sqlite`))).toBe(false);
    const gone = await fetch(`${server.origin}/s/${sb.id}/api/session`, { headers: { authorization: `Bearer ${sb.token}` } });
    expect(gone.status).toBe(404);
  });

  it('streams a watch: a pod created after it started arrives as an ADDED event', async () => {
    const sb = await createSandbox(server.origin, { nodes: 1 });
    const auth = { authorization: `Bearer ${sb.token}` };
    const base = `${server.origin}/s/${sb.id}/k8s/api/v1/namespaces/default/pods`;
    const list = (await (await fetch(base, { headers: auth })).json()) as { metadata: { resourceVersion: string } };
    const watch = await fetch(`${base}?watch=1&resourceVersion=${list.metadata.resourceVersion}`, { headers: auth });
    expect(watch.status).toBe(200);
    const created = await fetch(base, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'watched' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } }),
    });
    expect(created.status).toBe(201);
    const reader = watch.body!.getReader();
    let text = '';
    while (!text.includes('\n')) {
      const { done, value } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    await reader.cancel();
    const event = JSON.parse(text.split('\n')[0]!) as { type: string; object: { metadata: { name: string } } };
    expect(event.type).toBe('ADDED');
    expect(event.object.metadata.name).toBe('watched');
  });
});
