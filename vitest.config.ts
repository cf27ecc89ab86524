import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

// Four projects, run together by `npm test` (scripts/test.mjs) or one at a time with
// `vitest run --project <name>`:
//   sim     — the simulator, plain TypeScript in Node.
//   worker  — the Worker and the Sandbox Durable Object inside workerd (configured from wrangler.toml).
//   e2e     — a real `wrangler dev` server per test file, driven by the real kubectl.
//   browser — a real server driven by Chromium (playwright-core).
// e2e and browser need the client built in dist/client; their global setup builds it.
//
// On the 2-core CI box Vitest's default would be one file at a time. Most e2e/browser time is spent
// waiting on servers, kubectl and Chromium, so a few files run at once (KUBEROOM_TEST_WORKERS overrides).
const maxWorkers = Number(process.env.KUBEROOM_TEST_WORKERS) || 3;

const clientGlobalSetup = './test/support/global-setup.ts';

export default defineConfig({
  test: {
    // A project whose folder has no tests yet must not fail the run.
    passWithNoTests: true,
    maxWorkers,
    teardownTimeout: 60_000,
    projects: [
      {
        test: {
          name: 'sim',
          include: ['test/sim/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        plugins: [cloudflareTest({ wrangler: { configPath: './wrangler.toml' } })],
        test: {
          name: 'worker',
          include: ['test/worker/**/*.test.ts'],
          // wrangler.toml's [assets] directory must exist for the Worker to load.
          globalSetup: [clientGlobalSetup],
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          globalSetup: [clientGlobalSetup],
          // Each file starts its own `wrangler dev`; starting one takes seconds on a busy box.
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          environment: 'node',
          globalSetup: [clientGlobalSetup],
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
