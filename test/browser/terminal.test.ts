// The in-page terminal in Chromium against a real server: typing `kubectl get pods -o wide` and
// `kubectl describe pod web` shows exactly what the real kubectl prints against the same sandbox.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LineEditor } from '../../client/src/terminal/line-editor.ts';
import { clock, createSandbox, kubectlEnv, showRun, startServer, type KubectlEnv, type Sandbox, type Server } from '../support/server.ts';
import { launchChromium, SCREENSHOTS } from '../support/browser.ts';

const WAIT = { timeout: 30_000 };

let server: Server;
let browser: Browser;
let sandbox: Sandbox;
let kubectl: KubectlEnv;
let page: Page;
const pageErrors: string[] = [];

/** Types a command into the page's terminal (without Enter). */
async function typeLine(line: string): Promise<void> {
  await page.locator('[data-testid="terminal"] .xterm').click();
  await page.keyboard.type(line);
}

/** Presses Enter and returns what the command printed (the terminal's output mirror). */
async function enter(): Promise<string> {
  await page.keyboard.press('Enter');
  // The mirror holds the last command's output; data-state returns to idle when the prompt is back.
  await page.locator('[data-testid="terminal-output"][data-state="running"]').waitFor({ state: 'attached', timeout: 5_000 }).catch(() => {});
  await page.locator('[data-testid="terminal-output"][data-state="idle"]').waitFor({ state: 'attached', ...WAIT });
  return (await page.locator('[data-testid="terminal-output"]').textContent()) ?? '';
}

/** What the terminal's screen (xterm's buffer) shows, wrapped rows joined, trailing blanks dropped. */
const screenText = () => page.evaluate(() => (window as unknown as { kuberoomTerminal: { text(): string } }).kuberoomTerminal.text());
const trimLines = (s: string) =>
  s
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n')
    .trimEnd();

/**
 * The real kubectl's output for a command and the terminal's for the same command, at the same moment:
 * describe's event ages come from the local clock in both (as kubectl computes them). The line is typed
 * first; kubectl starts just after a wall-clock second begins and Enter is pressed so that the page reads
 * its clock about when kubectl does (near its end); a comparison that straddled a second is retried.
 */
async function compare(args: string[]): Promise<{ real: string; shown: string }> {
  let last = { real: '', shown: '' };
  let kubectlMs = 300;
  for (let attempt = 0; attempt < 5; attempt++) {
    await typeLine(`kubectl ${args.join(' ')}`);
    await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 5));
    const started = Date.now();
    const realRun = kubectl.run(args).then((r) => ((kubectlMs = Date.now() - started), r));
    await new Promise((r) => setTimeout(r, Math.max(0, Math.min(kubectlMs - 200, 700))));
    const [r, shown] = await Promise.all([realRun, enter()]);
    expect(r.code, showRun(r)).toBe(0);
    last = { real: r.stdout + r.stderr, shown };
    if (last.real === shown) break;
  }
  return last;
}

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  [server, browser] = await Promise.all([
    startServer(),
    launchChromium(),
  ]);
  sandbox = await createSandbox(server.origin);
  await clock(server.origin, sandbox, { action: 'pause' });
  kubectl = await kubectlEnv(server.origin, sandbox);
  const run = await kubectl.run(['run', 'web', '--image=nginx']);
  expect(run.code, showRun(run)).toBe(0);
  await clock(server.origin, sandbox, { action: 'step', seconds: 30 });

  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  page = await context.newPage();
  page.on('pageerror', (err) => pageErrors.push(err.message));
  await page.goto(sandbox.url);
  await page.locator('[data-testid="connection"][data-state="live"]').waitFor(WAIT);
  await page.locator('[data-testid="terminal"] .xterm').waitFor(WAIT);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('the in-page terminal', () => {
  it('kubectl get pods -o wide shows what the real kubectl prints', async () => {
    const { real, shown } = await compare(['get', 'pods', '-o', 'wide']);
    expect(real).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES\nweb\s+1\/1\s+Running/);
    expect(shown).toBe(real);
    // And the screen itself shows those lines right after the command.
    expect(trimLines(await screenText())).toContain(`$ kubectl get pods -o wide\n${trimLines(real)}\n$`);
  });

  it('kubectl describe pod web shows what the real kubectl prints', async () => {
    const { real, shown } = await compare(['describe', 'pod', 'web']);
    expect(real).toMatch(/^Name:\s+web\nNamespace:\s+default\n/);
    expect(real).toMatch(/\nEvents:\n  Type\s+Reason\s+Age\s+From\s+Message\n/);
    expect(shown).toBe(real);
    expect(trimLines(await screenText())).toContain(`$ kubectl describe pod web\n${trimLines(real)}\n$`);
    await page.locator('[data-testid="terminal"]').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SCREENSHOTS, 'terminal.png'), fullPage: true, animations: 'disabled' });
    await page.locator('[data-testid="terminal"]').screenshot({ path: join(SCREENSHOTS, 'terminal-panel.png'), animations: 'disabled' });
  });

  it('recalls history with the up arrow, completes with Tab, and keeps history per sandbox', async () => {
    await page.locator('[data-testid="terminal"] .xterm').click();
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="terminal-output"][data-state="idle"]').waitFor({ state: 'attached', ...WAIT });
    expect(await page.locator('[data-testid="terminal-output"]').textContent()).toMatch(/^Name:\s+web\n/);
    // Tab completes the command, then (after the kind) the pod's name from the API.
    await page.keyboard.type('kubectl desc');
    await page.keyboard.press('Tab');
    await expect.poll(screenText, WAIT).toMatch(/\$ kubectl describe $/m);
    await page.keyboard.type('pod w');
    await page.keyboard.press('Tab');
    await expect.poll(screenText, WAIT).toMatch(/\$ kubectl describe pod web $/m);
    await page.keyboard.press('Control+U');
    await page.keyboard.type('kubectl get nodes');
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="terminal-output"][data-state="idle"]').waitFor({ state: 'attached', ...WAIT });
    expect(await page.locator('[data-testid="terminal-output"]').textContent()).toMatch(/^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\nnode-1\s+Ready/);
    const history = await page.evaluate((key) => JSON.parse(localStorage.getItem(key) ?? '[]') as string[], `kuberoom:history:${sandbox.id}`);
    expect(history.slice(-2)).toEqual(['kubectl describe pod web', 'kubectl get nodes']);
    expect(pageErrors).toEqual([]);
  });
});

describe('the line editor (no browser)', () => {
  function editor(history: string[] = [], candidates: string[] = []) {
    const submitted: string[] = [];
    const saved: string[][] = [];
    let interrupts = 0;
    const ed = new LineEditor(
      {
        write: () => {},
        submit: (line) => submitted.push(line),
        interrupt: () => interrupts++,
        complete: async (before) => ({ word: before.split(' ').at(-1) ?? '', candidates }),
        clear: () => {},
        cols: () => 20,
      },
      history,
      (h) => saved.push(h),
    );
    ed.prompt();
    return { ed, submitted, saved, interrupts: () => interrupts };
  }

  it('edits in the middle of a line longer than the terminal is wide', () => {
    const { ed, submitted } = editor();
    ed.input('kubectl get pods -o wide --show-labels');
    ed.input('\x1b[H'); // Home
    ed.input('\x1b[C'.repeat(8)); // after "kubectl "
    ed.input('\x7f'); // backspace the space
    ed.input(' ');
    ed.input('\x1b[F'); // End
    ed.input('\x7f'.repeat('--show-labels'.length));
    ed.input('\r');
    expect(submitted).toEqual(['kubectl get pods -o wide ']);
  });

  it('recalls history with up/down, keeps the draft, and saves new lines', () => {
    const { ed, submitted, saved } = editor(['kubectl get nodes', 'kubectl get pods']);
    ed.input('kubectl ver');
    ed.input('\x1b[A');
    ed.input('\x1b[A');
    ed.input('\x1b[B');
    ed.input('\r');
    expect(submitted).toEqual(['kubectl get pods']);
    ed.prompt();
    ed.input('\x1b[A\x1b[A\x1b[B\x1b[B');
    ed.input('sion\r');
    expect(submitted.at(-1)).toBe('sion');
    expect(saved.at(-1)).toEqual(['kubectl get nodes', 'kubectl get pods', 'sion']);
  });

  it('Ctrl-C drops the line at the prompt and interrupts a running command', () => {
    const { ed, submitted, interrupts } = editor();
    ed.input('kubectl get po\x03');
    ed.input('kubectl get pods -w\r');
    expect(submitted).toEqual(['kubectl get pods -w']);
    expect(ed.running).toBe(true);
    ed.input('\x03');
    expect(interrupts()).toBe(1);
  });

  it('runs pasted lines one after another', () => {
    const { ed, submitted } = editor();
    ed.input('kubectl get nodes\nkubectl get pods\nkubectl get ns');
    expect(submitted).toEqual(['kubectl get nodes']);
    ed.prompt();
    expect(submitted).toEqual(['kubectl get nodes', 'kubectl get pods']);
    ed.prompt();
    expect(ed.line).toBe('kubectl get ns');
  });

  it('Tab completes a single candidate with a trailing space', async () => {
    const { ed } = editor([], ['describe']);
    ed.input('kubectl desc');
    ed.input('\t');
    await expect.poll(() => ed.line).toBe('kubectl describe ');
  });
});
