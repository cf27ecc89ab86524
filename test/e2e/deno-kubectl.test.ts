// The same tests as kubectl.test.ts, against the Deno host (npm run start:deno) instead of wrangler dev:
// the test bodies are that file's, run here with startServer's default host set to Deno.
import { useHost } from '../support/server.ts';

useHost('deno');
await import('./kubectl.test.ts');
