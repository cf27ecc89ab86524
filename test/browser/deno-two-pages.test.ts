// The same browser tests as two-pages.test.ts, against the Deno host (npm run start:deno) instead of
// wrangler dev: two pages open one sandbox and both see a pod created with kubectl come up, and the pages
// follow a restart of the Deno process. The test bodies are that file's, run with startServer's default
// host set to Deno.
import { useHost } from '../support/server.ts';

useHost('deno');
await import('./two-pages.test.ts');
