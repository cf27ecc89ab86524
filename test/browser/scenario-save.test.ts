// "Save as scenario" in the browser against a real server (wrangler dev) in Chromium: a Deployment and a Service
// made with the real kubectl, a scenario written in the form (task, a hint, a structured check, a raw YAML check),
// a mistake reported with its line, the file downloaded, and a sandbox started from it that opens on its Task tab
// with the checks there.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScenario } from '../../sim/scenarios/parse.ts';
import { createSandbox, kubectlEnv, showRun, startServer, type Server } from '../support/server.ts';
import { launchChromium, SCREENSHOTS } from '../support/browser.ts';

const WAIT = { timeout: 30_000 };

let server: Server;
let browser: Browser;
let context: BrowserContext;
const pageErrors: string[] = [];

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  [server, browser] = await Promise.all([
    startServer(),
    launchChromium(),
  ]);
  context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true });
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.stop();
});

describe('save the sandbox as a scenario', () => {
  it('writes the file in the form, downloads it and starts a sandbox from it with the check on its Task tab', async () => {
    const sandbox = await createSandbox(server.origin);
    const kubectl = await kubectlEnv(server.origin, sandbox);
    for (const args of [
      ['create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=2'],
      ['expose', 'deployment', 'web', '--port=80'],
    ]) {
      const r = await kubectl.run(args);
      expect(r.code, showRun(r)).toBe(0);
    }

    const page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(sandbox.url);
    await page.getByRole('tab', { name: 'Save as scenario' }).click();
    const form = page.getByTestId('save-scenario');
    await form.waitFor(WAIT);
    await form.getByLabel('Name', { exact: true }).fill('web-twice');
    await form.getByLabel('Title', { exact: true }).fill('Serve the web twice');
    await form.getByLabel('Level', { exact: true }).selectOption('medium');
    await form.getByLabel('Task (Markdown)', { exact: true }).fill('Keep **web** serving with 2 endpoints.');
    await form.getByRole('button', { name: 'Add a hint' }).click();
    await form.getByLabel('Hint 1', { exact: true }).fill('Look at `kubectl get ep web`.');
    await form.getByLabel('Check 1 title', { exact: true }).fill('web has 2 ready endpoints');
    await form.getByLabel('Check 1 Service', { exact: true }).fill('web');
    await form.getByLabel('Check 1 Ready endpoints', { exact: true }).fill('two');

    // A mistake: the room says which line of the file and what is wrong.
    await form.getByRole('button', { name: 'Preview the file' }).click();
    const errors = page.getByTestId('scenario-save-errors');
    await errors.waitFor(WAIT);
    expect(await errors.innerText()).toMatch(/line \d+: checks\[0\]\.endpoints\.ready: expected a number, got "two"/);
    const line = Number(/line (\d+)/.exec(await errors.innerText())![1]);
    expect(await page.locator(`[data-testid=scenario-preview] [data-line="${line}"]`).innerText()).toMatch(/ready: two/);

    await form.getByLabel('Check 1 Ready endpoints', { exact: true }).fill('2');
    await form.getByRole('button', { name: 'Add a check' }).click();
    await form.getByLabel('Check 2 kind', { exact: true }).selectOption('rollout');
    await form.getByLabel('Check 2 title', { exact: true }).fill('web runs nginx:1.27');
    await form.getByLabel('Check 2 Deployment', { exact: true }).fill('web');
    await form.getByLabel('Check 2 Image', { exact: true }).fill('nginx:1.27');
    await form.getByLabel('Checks as YAML', { exact: true }).fill('- title: Every node is Ready\n  node: {}\n');
    await form.getByRole('button', { name: 'Preview the file' }).click();
    const download = page.getByTestId('scenario-download');
    await download.waitFor(WAIT);
    expect(await errors.count()).toBe(0);
    const [file] = await Promise.all([page.waitForEvent('download'), download.click()]);
    expect(file.suggestedFilename()).toBe('scenario.yaml');
    const yaml = readFileSync((await file.path())!, 'utf8');
    const scenario = parseScenario(yaml);
    expect(scenario).toMatchObject({ name: 'web-twice', title: 'Serve the web twice', level: 'medium', hints: ['Look at `kubectl get ep web`.'] });
    expect(scenario.checks.map((c) => [c.kind, c.title])).toEqual([
      ['endpoints', 'web has 2 ready endpoints'],
      ['rollout', 'web runs nginx:1.27'],
      ['node', 'Every node is Ready'],
    ]);
    expect(scenario.manifests.map((m) => `${m.object.kind}/${m.object.metadata.name}`)).toEqual(['Service/web', 'Deployment/web']);
    await page.screenshot({ path: join(SCREENSHOTS, 'scenario-save.png'), fullPage: true, animations: 'disabled' });

    // Started from the file: a new sandbox whose link opens on its Task tab, the checks listed there.
    await form.getByRole('button', { name: 'Start a sandbox from it' }).click();
    const link = page.getByTestId('scenario-started-link');
    await link.waitFor(WAIT);
    const href = (await link.getAttribute('href'))!;
    expect(href).toMatch(/\/s\/[^/]+#token=/);
    const learner = await context.newPage();
    learner.on('pageerror', (err) => pageErrors.push(err.message));
    await learner.goto(href);
    const task = learner.getByTestId('scenario-task');
    await task.waitFor(WAIT);
    expect(await task.locator('h2').innerText()).toBe('Serve the web twice');
    await expect.poll(() => task.locator('.scenario-check').count(), WAIT).toBe(3);
    expect(await task.locator('.scenario-check[data-check="web-has-2-ready-endpoints"]').innerText()).toContain('web has 2 ready endpoints');
    expect(pageErrors).toEqual([]);
  });
});
