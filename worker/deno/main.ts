// Kuberoom on Deno: the same Hono app and rooms as on Cloudflare, every sandbox in this one process,
// stored in SQLite files under the data directory. Started by `npm run start:deno` (scripts/start-deno.mjs).
// Environment: PORT (8000), HOST (127.0.0.1), KUBEROOM_DATA (.kuberoom-data), KUBEROOM_CLIENT (dist/client).
import { createApp } from '../app.ts';
import { StaticAssets } from './assets.ts';
import { DenoRooms } from './rooms.ts';

const port = Number(Deno.env.get('PORT') || 8000);
const hostname = Deno.env.get('HOST') || '127.0.0.1';
const dataDir = Deno.env.get('KUBEROOM_DATA') || '.kuberoom-data';
const clientDir = Deno.env.get('KUBEROOM_CLIENT') || 'dist/client';

Deno.mkdirSync(dataDir, { recursive: true });
const rooms = new DenoRooms(dataDir);
const assets = new StaticAssets(clientDir);
const app = createApp(() => ({ rooms, assets }));

/** As wrangler's [assets] with run_worker_first = ["/api/*", "/s/*"]: files first, then the app. */
async function handle(req: Request): Promise<Response> {
  const { pathname } = new URL(req.url);
  if (!pathname.startsWith('/api/') && !pathname.startsWith('/s/')) {
    const file = await assets.serve(req);
    if (file) return file;
  }
  return app.fetch(req);
}

const server = Deno.serve({
  port,
  hostname,
  onListen: ({ hostname, port }) => console.log(`Kuberoom (Deno host) listening on http://${hostname}:${port}/, data in ${dataDir}`),
  handler: handle,
});

const stop = () => {
  // Every acknowledged write is on disk already: stop taking requests and close the databases. Open watches
  // and sockets would hold a graceful shutdown forever: 2 s, then exit.
  void server.shutdown().finally(() => {
    rooms.close();
    Deno.exit(0);
  });
  setTimeout(() => Deno.exit(0), 2000);
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  try {
    Deno.addSignalListener(signal, stop);
  } catch {
    // SIGTERM cannot be listened for on Windows.
  }
}
