import { Hono } from 'hono';
import { isSandboxId, randomToken } from './auth.ts';
import { ImportError, MAX_IMPORT_BYTES, parseSandboxFile, type SandboxFile } from './room/transfer.ts';
import { MAX_SCENARIO_BYTES, ScenarioRequestError, scenarioCatalog, scenarioOfRequest, scenarioSandboxFile } from './scenarios.ts';

const error = (message: string, status: number) => new Response(JSON.stringify({ error: message }), { status, headers: { 'content-type': 'application/json' } });

/** The most nodes a sandbox may start with. */
export const MAX_NODES = 500;

/**
 * How the app reaches sandboxes: the host's thin part. On Cloudflare a Durable Object per sandbox
 * (worker/index.ts); on Deno rooms held in one process (worker/deno/main.ts).
 */
export interface RoomDirectory {
  /** Makes sandbox `id` (from an exported file for an import or a fork); its tokens by role. Throws if it cannot. */
  create(id: string, nodes: number, file?: SandboxFile): Promise<Record<string, string>>;
  /** A request under `/s/<id>/` for the sandbox's room (the room answers 404 if there is no such sandbox). */
  fetch(id: string, req: Request): Promise<Response>;
}

/** What the app needs from its host, per request (Workers hand the bindings to each request). */
export interface AppHost {
  rooms: RoomDirectory;
  /** The static client (dist/client): `/sandbox` is the sandbox page. */
  assets: { fetch(url: URL): Promise<Response> };
}

/** The Hono app both hosts serve: `host` gives the rooms and assets from the request's bindings (`c.env`). */
export function createApp<Bindings extends object>(host: (env: Bindings) => AppHost): Hono<{ Bindings: Bindings }> {
  const app = new Hono<{ Bindings: Bindings }>();


  app.post('/api/sandboxes', async (c) => {
    const text = await c.req.text();
    if (text.length > MAX_SCENARIO_BYTES + 4096) return error('request body too large', 413);
    let body: { nodes?: unknown; scenario?: unknown; scenarioYaml?: unknown } = {};
    if (text.trim()) {
      try {
        body = JSON.parse(text);
      } catch {
        return error('the body must be JSON, e.g. {"nodes": 3}', 400);
      }
      if (!body || typeof body !== 'object' || Array.isArray(body)) return error('the body must be a JSON object', 400);
    }
    // From a scenario: {"scenario": "<built-in name>"} or {"scenarioYaml": "<a scenario file>"} (sim/scenarios).
    let scenario;
    try {
      scenario = scenarioOfRequest(body);
      if (scenario) {
        const file = scenarioSandboxFile(scenario, Date.now());
        return newSandbox(host(c.env).rooms, new URL(c.req.url).origin, scenario.cluster.nodes, file, { scenario: scenario.name });
      }
    } catch (e) {
      if (e instanceof ScenarioRequestError) return error(e.message, 400);
      throw e;
    }
    const nodes = body.nodes === undefined ? 3 : Number(body.nodes);
    if (!Number.isInteger(nodes) || nodes < 1 || nodes > MAX_NODES) return error(`nodes must be a whole number from 1 to ${MAX_NODES}`, 400);
    return newSandbox(host(c.env).rooms, new URL(c.req.url).origin, nodes);
  });

  /** The built-in scenarios, easy to hard, as the home page lists them (no task text, no solutions). */
  app.get('/api/scenarios', (c) => c.json({ items: scenarioCatalog() }));

  /** Import: the body is a file from `GET /s/<id>/api/export`; a new sandbox (new tokens) at that state. */
  app.post('/api/sandboxes/import', async (c) => {
    const declared = Number(c.req.header('content-length') ?? 0);
    if (declared > MAX_IMPORT_BYTES) {
      await c.req.raw.body?.cancel().catch(() => undefined);
      return error(`the file is larger than ${MAX_IMPORT_BYTES} bytes`, 413);
    }
    const text = await c.req.text();
    let file: SandboxFile;
    try {
      file = parseSandboxFile(text);
    } catch (e) {
      if (e instanceof ImportError) return error(e.message, e.message.includes('larger than') ? 413 : 400);
      throw e;
    }
    return newSandbox(host(c.env).rooms, new URL(c.req.url).origin, 1, file);
  });

  /** Fork: anyone with edit rights makes a new sandbox at this one's current state, with its own links. */
  app.post('/s/:id/api/fork', async (c) => {
    const id = c.req.param('id');
    if (!isSandboxId(id)) return error('no sandbox here: check the link', 404);
    await c.req.raw.body?.cancel().catch(() => undefined);
    const { rooms } = host(c.env);
    const url = new URL(c.req.url);
    url.pathname = `/s/${id}/api/export`;
    const res = await rooms.fetch(id, new Request(url, { headers: c.req.raw.headers }));
    if (!res.ok) {
      const text = await res.text();
      // The export's own refusal, in the fork's words.
      return new Response(text.replace('export or fork', 'fork'), { status: res.status, headers: { 'content-type': 'application/json' } });
    }
    const file = parseSandboxFile(await res.text());
    const made = await newSandbox(rooms, url.origin, 1, file, { forkedFrom: id });
    if (made.status !== 201) return made;
    // The parent learns of its fork (an instructor's session lists its learners' forks): best effort.
    const text = await made.text();
    const fork = JSON.parse(text) as { id: string; links: Record<string, string> };
    const headers = new Headers({ 'content-type': 'application/json' });
    for (const h of ['authorization', 'x-kuberoom-name']) {
      const v = c.req.header(h);
      if (v) headers.set(h, v);
    }
    const queryToken = new URL(c.req.url).searchParams.get('token');
    if (!headers.has('authorization') && queryToken) headers.set('authorization', `Bearer ${queryToken}`);
    url.pathname = `/s/${id}/api/forks`;
    url.search = '';
    await rooms
      .fetch(id, new Request(url, { method: 'POST', headers, body: JSON.stringify({ id: fork.id, links: fork.links }) }))
      .then((r) => r.body?.cancel())
      .catch(() => undefined);
    return new Response(text, { status: 201, headers: { 'content-type': 'application/json' } });
  });

  /** Only the fork route above reports forks to a room: from outside, `POST /s/<id>/api/forks` does not exist. */
  app.post('/s/:id/api/forks', async (c) => {
    await c.req.raw.body?.cancel().catch(() => undefined);
    return error('not found', 404);
  });

  /** The sandbox page: the same static page for every sandbox; it reads its token from the fragment. */
  app.get('/s/:id', async (c) => {
    if (!isSandboxId(c.req.param('id'))) return error('no sandbox here: check the link', 404);
    const res = await host(c.env).assets.fetch(new URL('/sandbox', c.req.url));
    return new Response(res.body, { status: res.status, headers: res.headers });
  });

  /** Everything else under a sandbox goes to its room. */
  app.all('/s/:id/*', async (c) => {
    const id = c.req.param('id');
    if (!isSandboxId(id)) return error('no sandbox here: check the link', 404);
    return host(c.env).rooms.fetch(id, c.req.raw);
  });

  app.notFound(() => error('not found', 404));
  return app;
}

/** Makes a sandbox (new, or from an exported file) and answers with its links, as `POST /api/sandboxes` does. */
async function newSandbox(rooms: RoomDirectory, origin: string, nodes: number, file?: SandboxFile, extra: Record<string, unknown> = {}): Promise<Response> {
  const id = randomToken(16);
  let tokens: Record<string, string>;
  try {
    tokens = await rooms.create(id, nodes, file);
  } catch (e) {
    if (!file) throw e;
    return error(`the sandbox file does not load: ${e instanceof Error ? e.message : String(e)}`, 400);
  }
  const link = (role: string) => `${origin}/s/${id}#token=${tokens[role]}`;
  const body = {
    id,
    url: link('owner'),
    kubeconfigUrl: `${origin}/s/${id}/kubeconfig?token=${tokens.owner}`,
    token: tokens.owner,
    role: 'owner',
    links: { owner: link('owner'), edit: link('edit'), view: link('view') },
    ...extra,
  };
  return new Response(JSON.stringify(body), { status: 201, headers: { 'content-type': 'application/json' } });
}
