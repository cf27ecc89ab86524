// Two browsers watch one sandbox: a pod created with the real kubectl shows up, Running and ready, in both.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/paths.ts';
import { clock, createSandbox, kubectlEnv, showRun, startServer, type Sandbox, type Server } from '../support/server.ts';

const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots');
/** Generous: a busy CI box runs wrangler, workerd and two Chromium pages at once. */
const WAIT = { timeout: 30_000 };
const NODES = ['node-1', 'node-2', 'node-3'];
const WEB_POD = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web' },
  spec: { containers: [{ name: 'web', image: 'nginx' }] },
};

let server: Server;
let browser: Browser;
const pageErrors: string[] = [];

/** A page in a browser context of its own (no shared localStorage). */
async function newPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.on('pageerror', (err) => pageErrors.push(`${page.url()}: ${err.message}`));
  return page;
}

/** Waits until the page is synced and draws the three nodes. */
async function waitLive(page: Page): Promise<void> {
  await page.locator('[data-testid="connection"][data-state="live"]').waitFor(WAIT);
  for (const node of NODES) await page.locator(`[data-testid="node-card"][data-node="${node}"]`).waitFor(WAIT);
}

const screenshot = (page: Page, name: string) =>
  page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true, animations: 'disabled' });

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  [server, browser] = await Promise.all([
    startServer(),
    chromium.launch({
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--disable-component-update', '--no-first-run'],
    }),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('the sandbox page', () => {
  it('shows a pod created with kubectl, Running and ready, live in two browsers', async () => {
    const page1 = await newPage();
    await page1.goto(`${server.origin}/`);
    const [response] = await Promise.all([
      page1.waitForResponse(
        (res) => new URL(res.url()).pathname === '/api/sandboxes' && res.request().method() === 'POST',
        WAIT,
      ),
      page1.getByRole('button', { name: 'New sandbox' }).click(),
    ]);
    expect(response.status()).toBe(201);
    const sandbox = (await response.json()) as Sandbox;
    await page1.waitForURL((url) => url.pathname === `/s/${sandbox.id}`, WAIT);

    const page2 = await newPage();
    await page2.goto(sandbox.url);
    await Promise.all([waitLive(page1), waitLive(page2)]);
    // The token went from the address bar to localStorage.
    expect(new URL(page1.url()).hash).toBe('');
    expect(new URL(page2.url()).hash).toBe('');

    const kubectl = await kubectlEnv(server.origin, sandbox);
    try {
      const created = await kubectl.run(['create', '-f', '-'], { stdin: JSON.stringify(WEB_POD) });
      expect(created.code, showRun(created)).toBe(0);
    } finally {
      rmSync(kubectl.dir, { recursive: true, force: true });
    }
    await clock(server.origin, sandbox, { action: 'step', seconds: 30 });

    const webRunning =
      '[data-testid="node-card"] [data-testid="pod"][data-pod="default/web"][data-status="Running"][data-ready="1/1"]';
    await Promise.all([page1, page2].map((page) => page.locator(webRunning).waitFor(WAIT)));
    await Promise.all([screenshot(page1, 'two-pages-1'), screenshot(page2, 'two-pages-2')]);
    expect(pageErrors).toEqual([]);
  });

  it('explains a link without its token, and gives a view link no clock controls', async () => {
    const sandbox = await createSandbox(server.origin);

    const bare = await newPage();
    await bare.goto(`${server.origin}/s/${sandbox.id}`);
    await bare.getByRole('heading', { name: 'This link needs its token' }).waitFor(WAIT);

    expect(sandbox.links?.view, 'the owner gets a view link').toBeTruthy();
    const viewer = await newPage();
    await viewer.goto(sandbox.links!.view);
    await waitLive(viewer);
    await viewer.locator('[data-testid="role"]', { hasText: 'view' }).waitFor(WAIT);
    expect(await viewer.getByRole('button', { name: /^(Pause|Resume)$/ }).count()).toBe(0);
    await screenshot(viewer, 'view-link');
    expect(pageErrors).toEqual([]);
  });
});
