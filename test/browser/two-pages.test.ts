// The browser app against a real server (wrangler dev) in Chromium: two browsers watch one sandbox and
// both see a pod created with the real kubectl come up; links without a token, view links, a failed
// create, and a server restart (new epoch) are handled without reloading the page.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { clock, createSandbox, kubectlEnv, showRun, startServer, type Server } from '../support/server.ts';
import { launchChromium, SCREENSHOTS } from '../support/browser.ts';

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
let contexts: BrowserContext[] = [];
const pageErrors: string[] = [];

/** A page in a browser context of its own (no shared localStorage). */
async function newPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  contexts.push(context);
  const page = await context.newPage();
  page.on('pageerror', (err) => pageErrors.push(`${page.url()}: ${err.message}`));
  return page;
}

/** Waits until the page is synced and draws the three nodes. */
async function waitLive(page: Page): Promise<void> {
  await page.locator('[data-testid="connection"][data-state="live"]').waitFor(WAIT);
  for (const node of NODES) await page.locator(`[data-testid="node-card"][data-node="${node}"]`).waitFor(WAIT);
}

async function sessionEpoch(sandbox: { id: string; token: string }): Promise<string> {
  const res = await fetch(`${server.origin}/s/${sandbox.id}/api/session`, {
    headers: { authorization: `Bearer ${sandbox.token}` },
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { epoch: string }).epoch;
}

const screenshot = (page: Page, name: string) =>
  page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true, animations: 'disabled' });

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  [server, browser] = await Promise.all([
    startServer(),
    launchChromium(),
  ]);
});

afterEach(async () => {
  await Promise.all(contexts.map((context) => context.close()));
  contexts = [];
  pageErrors.length = 0;
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('the browser app', () => {
  it('shows a pod created with kubectl, Running and ready, live in two browsers', async () => {
    const page1 = await newPage();
    await page1.goto(`${server.origin}/`);
    await page1.getByRole('button', { name: 'New sandbox' }).click();
    await page1.waitForURL(/\/s\/[^/#]+$/, WAIT);
    const id = new URL(page1.url()).pathname.slice('/s/'.length);
    // The page moved its token from the address bar to localStorage.
    const token = await page1.evaluate((key) => localStorage.getItem(key), `kuberoom:token:${id}`);
    expect(token, 'the token kept in localStorage').toBeTruthy();
    const sandbox = { id, token: token! };

    const page2 = await newPage();
    await page2.goto(`${server.origin}/s/${id}#token=${token}`);
    await Promise.all([waitLive(page1), waitLive(page2)]);
    expect(new URL(page2.url()).hash, 'the token is gone from the address bar').toBe('');
    const commands = await page2.locator('[data-testid="connect-box"] code').first().innerText();
    expect(commands).toContain(`curl -o kuberoom.yaml '${server.origin}/s/${id}/kubeconfig?token=${token}'`);

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

  it('says why a sandbox could not be created', async () => {
    const page = await newPage();
    await page.route('**/api/sandboxes', (route) =>
      route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ error: 'over capacity' }) }),
    );
    await page.goto(`${server.origin}/`);
    await page.getByRole('button', { name: 'New sandbox' }).click();
    await page.getByRole('alert').filter({ hasText: 'over capacity' }).waitFor(WAIT);
    expect(await page.getByRole('button', { name: 'New sandbox' }).isEnabled()).toBe(true);
  });

  // Last: it replaces the server.
  it('follows a server restart to the new epoch without reloading or blanking the page', async () => {
    const sandbox = await createSandbox(server.origin);
    const res = await fetch(`${server.origin}/s/${sandbox.id}/k8s/api/v1/namespaces/default/pods`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sandbox.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(WEB_POD),
    });
    expect(res.status, await res.text()).toBe(201);
    await clock(server.origin, sandbox, { action: 'step', seconds: 30 });

    const page = await newPage();
    await page.goto(sandbox.url);
    await waitLive(page);
    const web = '[data-testid="pod"][data-pod="default/web"]';
    await page.locator(`${web}[data-status="Running"]`).waitFor(WAIT);
    // Remembers whether the pod ever left the page; a reload would drop the marker itself.
    await page.evaluate((selector) => {
      const w = window as unknown as { webEverGone: boolean };
      w.webEverGone = false;
      new MutationObserver(() => {
        if (!document.querySelector(selector)) w.webEverGone = true;
      }).observe(document.body, { subtree: true, childList: true });
    }, web);
    const epoch = await sessionEpoch(sandbox);

    await server.stop({ removePersistDir: false });
    await page.locator('[data-testid="connection"]:not([data-state="live"])').waitFor(WAIT);
    server = await startServer({ persistTo: server.persistTo, port: server.port });
    expect(await sessionEpoch(sandbox), 'a restarted server rebuilds its doc under a new epoch').not.toBe(epoch);

    await waitLive(page);
    await page.locator(`${web}[data-status="Running"]`).waitFor(WAIT);
    expect(await page.evaluate(() => (window as unknown as { webEverGone?: boolean }).webEverGone)).toBe(false);
    expect(pageErrors).toEqual([]);
  });
});
