// An instructor-led session in the browser against a real server (wrangler dev) in Chromium: the instructor starts
// a scenario from the home page's library, two learners open the edit link and each make their own copy (a fork),
// one fixes their copy with the real kubectl, the clock is stepped, and the instructor's list of copies shows that
// copy solved and the other not. The learner's Task tab shows the task, hints one at a time and the checks.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/paths.ts';
import { clock, createSandbox, kubectlEnv, showRun, startServer, type Server } from '../support/server.ts';
import { launchChromium, SCREENSHOTS } from '../support/browser.ts';

const WAIT = { timeout: 30_000 };

let server: Server;
let browser: Browser;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];

async function personPage(name: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  contexts.push(context);
  await context.addInitScript((n) => localStorage.setItem('kuberoom:name', n), name);
  const page = await context.newPage();
  page.on('pageerror', (err) => pageErrors.push(`${name}: ${err.message}`));
  return page;
}

const screenshot = (page: Page, name: string) =>
  page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true, animations: 'disabled' });

const sandboxIdOf = (page: Page) => /\/s\/([^/#?]+)/.exec(page.url())?.[1] ?? '';

/** The token this page keeps for its sandbox (taken from the link's fragment, then kept in localStorage). */
const storedToken = (page: Page, id: string) => page.evaluate((k) => localStorage.getItem(k) ?? '', `kuberoom:token:${id}`);

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  [server, browser] = await Promise.all([
    startServer(),
    launchChromium(),
  ]);
});

afterAll(async () => {
  await Promise.all(contexts.map((c) => c.close()));
  await browser?.close();
  await server?.stop();
});

describe('an instructor-led session from a scenario', () => {
  it('the instructor starts it from the library, two learners fork, and the list shows who solved it', async () => {
    const ana = await personPage('ana'); // the instructor
    await ana.goto(`${server.origin}/`);
    // The library: easy to hard, with levels and topics.
    const cards = ana.locator('.scenario-card');
    await cards.first().waitFor(WAIT);
    expect(await cards.count()).toBeGreaterThanOrEqual(15);
    const levels = await ana.locator('.scenario-card .scenario-level').allInnerTexts();
    const rank = (l: string) => ['easy', 'medium', 'hard'].indexOf(l.trim());
    expect(levels.map(rank)).toEqual([...levels.map(rank)].sort((a, b) => a - b));
    await screenshot(ana, 'scenario-library');
    await ana.getByTestId('scenario-crashloop-bad-command').getByRole('button', { name: /^Start/ }).click();
    await ana.waitForURL(/\/s\/[^/]+/, WAIT);
    const session = sandboxIdOf(ana);

    // The sandbox opens on its Task tab: the task, a hint at a time, and failing checks with their reasons.
    const task = ana.getByTestId('scenario-task');
    await task.waitFor(WAIT);
    await expect.poll(() => ana.getByRole('tab', { name: 'Task', exact: true }).getAttribute('aria-selected'), WAIT).toBe('true');
    expect(await task.locator('.md code').first().innerText()).toBe('shop');
    await ana.getByRole('button', { name: /^Show a hint \(1 of \d\)$/ }).click();
    await ana.getByRole('button', { name: /^Show a hint \(2 of \d\)$/ }).waitFor(WAIT);
    expect(await task.locator('.scenario-hint').count()).toBe(1);
    await expect.poll(() => task.locator('.scenario-check[data-passed="false"]').count(), WAIT).toBeGreaterThan(0);
    expect(await task.locator('.scenario-check[data-passed="false"] .scenario-why').first().innerText()).toMatch(/\S/);
    await ana.getByTestId('session-forks').getByText('Teaching a class?').waitFor(WAIT);
    const editLink = await ana.getByLabel('Edit link', { exact: true }).inputValue();
    expect(editLink).toContain(`/s/${session}#token=`);

    // Two learners open the edit link and each make their own copy; they land in it as its owner.
    const [bo, cy] = await Promise.all([personPage('bo'), personPage('cy')]);
    const forks: string[] = [];
    for (const learner of [bo, cy]) {
      await learner.goto(editLink);
      await learner.getByTestId('make-copy').click();
      await learner.waitForURL((u) => /\/s\/[^/]+/.test(u.pathname) && !u.pathname.includes(session), WAIT);
      forks.push(sandboxIdOf(learner));
      await learner.getByTestId('scenario-task').waitFor(WAIT);
    }
    const [boFork, cyFork] = forks as [string, string];
    expect(boFork).not.toBe(cyFork);

    // The instructor's page lists both copies with who made them, neither solved yet.
    const row = (id: string) => ana.locator(`.session-fork[data-fork="${id}"]`);
    await row(boFork).waitFor(WAIT);
    await row(cyFork).waitFor(WAIT);
    expect(await row(boFork).innerText()).toContain('bo');
    expect(await row(cyFork).innerText()).toContain('cy');
    await expect.poll(() => row(boFork).innerText(), WAIT).toMatch(/\d+ of \d+ checks/);
    // … and who is in each copy now.
    await expect.poll(() => row(boFork).locator('.session-fork-people').innerText(), WAIT).toBe('here now: bo');
    await expect.poll(() => row(cyFork).locator('.session-fork-people').innerText(), WAIT).toBe('here now: cy');
    expect(await row(boFork).getByRole('link', { name: 'Watch' }).getAttribute('href')).toContain(`/s/${boFork}#token=`);

    // bo fixes the command in their copy with kubectl, and the clock moves on.
    const boSandbox = { id: boFork, token: await storedToken(bo, boFork) };
    const kubectl = await kubectlEnv(server.origin, boSandbox);
    const fix = await kubectl.run([
      'patch', 'deployment', 'worker', '-n', 'shop', '--type', 'strategic',
      '-p', JSON.stringify({ spec: { template: { spec: { containers: [{ name: 'worker', command: ['sh', '-c', 'echo worker started, polling the queue; sleep 3600'] }] } } } }),
    ]);
    expect(fix.code, showRun(fix)).toBe(0);
    await clock(server.origin, boSandbox, { action: 'step', seconds: 120 });

    // bo's Task tab turns green; the instructor's list shows bo's copy solved and cy's not.
    await bo.getByTestId('scenario-task').getByTestId('scenario-solved').waitFor(WAIT);
    await bo.getByTestId('scenario-box').getByText('Solved: every check passes.').waitFor(WAIT);
    expect(await bo.locator('.scenario-check[data-passed="false"]').count()).toBe(0);
    // bo's activity feed marks the moment.
    await bo.getByTestId('teach-activity').getByText(/solved: every check of .* passes/).waitFor(WAIT);
    await expect.poll(() => row(boFork).getAttribute('data-solved'), WAIT).toBe('true');
    expect(await row(boFork).innerText()).toContain('solved');
    expect(await row(cyFork).getAttribute('data-solved')).toBe('false');
    await ana.getByTestId('session-forks').getByText('1 of 2 solved').waitFor(WAIT);
    // cy's own copy and the instructor's session are untouched.
    expect(await cy.getByTestId('scenario-solved').count()).toBe(0);
    expect(await ana.getByTestId('scenario-solved').count()).toBe(0);

    await screenshot(ana, 'scenario-session-instructor');
    await screenshot(bo, 'scenario-session-learner-solved');
    expect(pageErrors).toEqual([]);
  });

  it('a scenario link starts that scenario and opens its owner link', async () => {
    const dee = await personPage('dee');
    await dee.goto(`${server.origin}/?scenario=imagepull-typo`);
    await dee.waitForURL(/\/s\/[^/]+/, WAIT);
    await dee.getByTestId('scenario-task').waitFor(WAIT);
    expect(await dee.getByTestId('scenario-task').locator('h2').innerText()).toMatch(/\S/);
    await dee.getByTestId('session-forks').waitFor(WAIT); // the owner's view
    expect(pageErrors).toEqual([]);
  });

  it("a scenario file's task is Markdown shown as text: lists, code, bold and code blocks, never its HTML", async () => {
    const library = readFileSync(join(ROOT, 'sim/scenarios/library/02-imagepull-typo.yaml'), 'utf8');
    const task = [
      'task: |',
      '  Fix **the web** server in `shop`. <img src=x onerror="window.__pwned=1"> <b>not bold</b>',
      '',
      '  - first look at the pods',
      '  - then read the *events*',
      '',
      '  ```',
      '  kubectl get pods -n shop',
      '  ```',
    ].join('\n');
    const yaml = library.replace(/^task: [|>][^\n]*\n(?:(?: {2}.*)?\n)*/m, `${task}\n`);
    expect(yaml).toContain('onerror');
    const made = await createSandbox(server.origin, { scenarioYaml: yaml });
    const eve = await personPage('eve');
    await eve.goto(made.url);
    const text = eve.getByTestId('scenario-task').locator('.scenario-task-text');
    await text.waitFor(WAIT);
    expect(await text.locator('strong').first().innerText()).toBe('the web');
    expect(await text.locator('ul > li').allInnerTexts()).toEqual(['first look at the pods', 'then read the events']);
    expect(await text.locator('em').innerText()).toBe('events');
    expect(await text.locator('pre code').innerText()).toBe('kubectl get pods -n shop');
    expect(await text.locator('img, b').count()).toBe(0);
    expect(await text.innerText()).toContain('<b>not bold</b>');
    expect(await eve.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(pageErrors).toEqual([]);
  });
});
