import { createApp } from './app.ts';

export { Sandbox } from './host/durable-object.ts';

/** The Cloudflare host: a Durable Object per sandbox (found by its id's name), the client from [assets]. */
const app = createApp((env: Env) => ({
  rooms: {
    create: (id, nodes, file) => env.SANDBOX.get(env.SANDBOX.idFromName(id)).create(id, nodes, file),
    fetch: (id, req) => env.SANDBOX.get(env.SANDBOX.idFromName(id)).fetch(req),
  },
  assets: env.ASSETS,
}));

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
