import { Hono } from 'hono';
import { isSandboxId, randomToken } from './auth.ts';

type AppEnv = { Bindings: Env };

/** The most nodes a sandbox may start with. */
export const MAX_NODES = 500;

export const app = new Hono<AppEnv>();

const error = (message: string, status: number) => new Response(JSON.stringify({ error: message }), { status, headers: { 'content-type': 'application/json' } });

app.post('/api/sandboxes', async (c) => {
  const text = await c.req.text();
  if (text.length > 64 * 1024) return error('request body too large', 413);
  let body: { nodes?: unknown } = {};
  if (text.trim()) {
    try {
      body = JSON.parse(text);
    } catch {
      return error('the body must be JSON, e.g. {"nodes": 3}', 400);
    }
    if (!body || typeof body !== 'object' || Array.isArray(body)) return error('the body must be a JSON object', 400);
  }
  const nodes = body.nodes === undefined ? 3 : Number(body.nodes);
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > MAX_NODES) return error(`nodes must be a whole number from 1 to ${MAX_NODES}`, 400);
  const id = randomToken(16);
  const stub = c.env.SANDBOX.get(c.env.SANDBOX.idFromName(id));
  const tokens = await stub.create(id, nodes);
  const origin = new URL(c.req.url).origin;
  const link = (role: string) => `${origin}/s/${id}#token=${tokens[role]}`;
  return c.json(
    {
      id,
      url: link('owner'),
      kubeconfigUrl: `${origin}/s/${id}/kubeconfig?token=${tokens.owner}`,
      token: tokens.owner,
      role: 'owner',
      links: { owner: link('owner'), edit: link('edit'), view: link('view') },
    },
    201,
  );
});

/** The sandbox page: the same static page for every sandbox; it reads its token from the fragment. */
app.get('/s/:id', async (c) => {
  if (!isSandboxId(c.req.param('id'))) return error('no sandbox here: check the link', 404);
  const res = await c.env.ASSETS.fetch(new URL('/sandbox', c.req.url));
  return new Response(res.body, { status: res.status, headers: res.headers });
});

/** Everything else under a sandbox goes to its Durable Object. */
app.all('/s/:id/*', async (c) => {
  const id = c.req.param('id');
  if (!isSandboxId(id)) return error('no sandbox here: check the link', 404);
  const stub = c.env.SANDBOX.get(c.env.SANDBOX.idFromName(id));
  return stub.fetch(c.req.raw);
});

app.notFound(() => error('not found', 404));
