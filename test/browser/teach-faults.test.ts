// The instructor panel's fault controls in Chromium against a real server: kill a pod's container (its
// restart count goes up), make image pulls fail for one registry, break cluster DNS, and heal everything.
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clock, createSandbox, startServer, type Sandbox, type Server } from '../support/server.ts';
import { launchChromium } from '../support/browser.ts';

const WAIT = { timeout: 30_000 };

let server: Server;
let browser: Browser;
let sandbox: Sandbox;
let page: Page;
const pageErrors: string[] = [];

async function api(path: string, init: RequestInit = {}): Promise<any> {
  const res = await fetch(`${server.origin}/s/${sandbox.id}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${sandbox.token}`, 'content-type': 'application/json', ...(init.headers ?? {}) },
  });
  return res.json();
}

beforeAll(async () => {
  [server, browser] = await Promise.all([
    startServer(),
    launchChromium(),
  ]);
  sandbox = await createSandbox(server.origin);
  await clock(server.origin, sandbox, { action: 'pause' });
  await api('/k8s/api/v1/namespaces/default/pods', {
    method: 'POST',
    body: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { containers: [{ name: 'main', image: 'nginx:1.27' }] } }),
  });
  await clock(server.origin, sandbox, { action: 'step', seconds: 20 });
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  page = await context.newPage();
  page.on('pageerror', (err) => pageErrors.push(err.message));
  await page.goto(sandbox.url);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('the fault controls of the instructor panel', () => {
  it('kills a container, fails pulls from a registry, breaks DNS, and heals all', async () => {
    const block = page.getByTestId('teach-faults');
    const select = block.getByLabel('Fault');
    await expect.poll(async () => (await select.locator('option').allInnerTexts()).join(' '), WAIT).toContain('kill-container');
    expect(await select.locator('option').allInnerTexts()).toEqual(expect.arrayContaining(['kill-pod', 'image-pull-fail', 'image-pull-slow', 'image-pull-ok', 'dns-break', 'dns-ok']));

    await select.selectOption('kill-container');
    await expect.poll(async () => (await block.getByLabel('Pod').locator('option').allInnerTexts()).includes('default/web'), WAIT).toBe(true);
    await block.getByLabel('Pod').selectOption('default/web');
    await block.getByLabel('Container').fill('main');
    await block.getByRole('button', { name: 'Inject' }).click();
    await block.getByText('kill-container on default/web: done').waitFor(WAIT);
    const pod = await api('/k8s/api/v1/namespaces/default/pods/web');
    expect(pod.status.containerStatuses[0]).toMatchObject({ restartCount: 1, lastState: { terminated: { exitCode: 137, reason: 'Error' } } });

    await select.selectOption('image-pull-fail');
    await block.getByLabel('Registry').fill('docker.io');
    await block.getByRole('button', { name: 'Inject' }).click();
    await block.getByText('image-pull-fail for docker.io', { exact: false }).waitFor(WAIT);

    await select.selectOption('dns-break');
    await block.getByRole('button', { name: 'Inject' }).click();
    await expect.poll(() => block.locator('.teach-list').innerText(), WAIT).toMatch(/dns-break\s+since \d\d:\d\d:\d\d/);
    expect((await api('/api/faults')).faults.map((f: { fault: string }) => f.fault)).toEqual(['image-pull-fail', 'dns-break']);

    await select.selectOption('heal-all');
    await block.getByRole('button', { name: 'Inject' }).click();
    await block.getByText('heal-all: done').waitFor(WAIT);
    await expect.poll(() => block.locator('.teach-list').count(), WAIT).toBe(0);
    expect((await api('/api/faults')).faults).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
