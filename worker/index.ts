import { app } from './app.ts';

export { Sandbox } from './host/durable-object.ts';

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
