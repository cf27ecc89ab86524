// A class in the browser against a real server (wrangler dev) in Chromium: an instructor and two learners
// (an editor and a view-only one) in one sandbox. Presence and "follow the instructor"; two people edit one
// manifest and see the same text; Apply answers like kubectl; the lock disables a learner's Apply and says
// why; the traffic view spreads requests over the ready pods of a 3-replica Deployment.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clock, createSandbox, startServer, type Sandbox, type Server } from '../support/server.ts';
import { launchChromium, SCREENSHOTS } from '../support/browser.ts';

const WAIT = { timeout: 30_000 };

const MANIFEST = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: nginx:1.27
        ports:
        - containerPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
  - port: 80
    targetPort: 80
`;

let server: Server;
let browser: Browser;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];

/** A page in a browser context of its own, whose person is already named. */
async function personPage(name: string, width = 1400): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height: 1000 } });
  contexts.push(context);
  await context.addInitScript((n) => localStorage.setItem('kuberoom:name', n), name);
  const page = await context.newPage();
  page.on('pageerror', (err) => pageErrors.push(`${name}: ${err.message}`));
  return page;
}

const screenshot = (page: Page, name: string) =>
  page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true, animations: 'disabled' });

const tab = (page: Page, label: string) => page.getByRole('tab', { name: label, exact: true });

/** The editor's text as CodeMirror shows it (without the other people's cursor labels). */
const editorText = (page: Page) =>
  page.locator('[data-testid="editor"] .cm-content').evaluate((el) =>
    [...el.querySelectorAll('.cm-line')]
      .map((l) => {
        const line = l.cloneNode(true) as Element;
        for (const caret of line.querySelectorAll('.cm-ySelectionCaret')) caret.remove();
        return line.textContent ?? '';
      })
      .join('\n'),
  );

async function waitText(page: Page, want: (text: string) => boolean, what: string): Promise<string> {
  const deadline = Date.now() + WAIT.timeout;
  let text = '';
  while (Date.now() < deadline) {
    text = await editorText(page).catch(() => '');
    if (want(text)) return text;
    await page.waitForTimeout(100);
  }
  throw new Error(`${what}: the editor shows\n${text}`);
}

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

describe('teaching a class in the browser', () => {
  let sandbox: Sandbox;
  let ana: Page; // the instructor
  let bo: Page; // a learner with the edit link
  let cy: Page; // a learner with the view link

  it('shows who is here, and a learner follows the instructor', async () => {
    sandbox = await createSandbox(server.origin);
    [ana, bo, cy] = await Promise.all([personPage('ana'), personPage('bo'), personPage('cy', 900)]);
    await ana.goto(sandbox.url);
    await bo.goto(sandbox.links!.edit!);
    await cy.goto(sandbox.links!.view!);
    for (const page of [ana, bo, cy]) {
      for (const name of ['ana', 'bo', 'cy']) await page.locator(`[data-testid="person"][data-name="${name}"]`).waitFor(WAIT);
    }
    await expect.poll(() => bo.locator('[data-testid="person"][data-name="ana"]').innerText(), WAIT).toContain('instructor');
    await expect.poll(() => ana.locator('[data-testid="person"][data-name="cy"]').innerText(), WAIT).toContain('viewer');

    await ana.getByTestId('lead').click();
    await bo.getByTestId('following').filter({ hasText: 'ana' }).waitFor(WAIT);
    await ana.getByText('2 following you').waitFor(WAIT);
    // The instructor switches to the Files tab and creates a file: the learners' pages go there too.
    await tab(ana, 'Files').click();
    await expect.poll(() => tab(bo, 'Files').getAttribute('aria-selected'), WAIT).toBe('true');
    await expect.poll(() => tab(cy, 'Files').getAttribute('aria-selected'), WAIT).toBe('true');
    await ana.getByLabel('New file').fill('web.yaml');
    await ana.getByRole('button', { name: 'Create' }).click();
    await ana.locator('[data-testid="editor"] .cm-content').waitFor(WAIT);
    for (const page of [bo, cy]) await page.getByRole('heading', { name: 'web.yaml', exact: true }).waitFor(WAIT);
    // What each one looks at is in the presence list.
    await expect.poll(() => ana.locator('[data-testid="person"][data-name="bo"]').innerText(), WAIT).toContain('files: web.yaml');
    // And back to the cluster map, where the instructor opens a node: the learners see the same node.
    await tab(ana, 'Cluster').click();
    await expect.poll(() => tab(bo, 'Cluster').getAttribute('aria-selected'), WAIT).toBe('true');
    await ana.locator('[data-open="Node//node-2"]').first().click();
    await bo.locator('[data-testid="detail"][data-name="node-2"]').waitFor(WAIT);
    await cy.locator('[data-testid="detail"][data-name="node-2"]').waitFor(WAIT);
    await expect.poll(() => ana.locator('[data-testid="person"][data-name="cy"]').innerText(), WAIT).toContain('node/node-2');
    await screenshot(bo, 'teach-follow-learner');
    await ana.locator('[data-testid="detail"]').press('Escape');
    await bo.locator('[data-testid="detail"]').waitFor({ state: 'detached', ...WAIT });
    // A learner who stops following keeps their own view.
    await bo.getByRole('button', { name: 'Stop following' }).click();
    await tab(ana, 'Files').click();
    await expect.poll(() => tab(cy, 'Files').getAttribute('aria-selected'), WAIT).toBe('true');
    expect(await tab(bo, 'Cluster').getAttribute('aria-selected')).toBe('true');
    await screenshot(cy, 'teach-follow-viewer');
    expect(pageErrors).toEqual([]);
  });

  it('lets two people edit one manifest and both see the same text; Apply answers like kubectl', async () => {
    await tab(bo, 'Files').click();
    await bo.getByRole('button', { name: 'web.yaml' }).click();
    const anaEditor = ana.locator('[data-testid="editor"] .cm-content');
    const boEditor = bo.locator('[data-testid="editor"] .cm-content');
    await Promise.all([anaEditor.waitFor(WAIT), boEditor.waitFor(WAIT)]);
    // ana replaces the template with the manifest; bo then changes the image at the same time as ana types.
    await anaEditor.click();
    await ana.keyboard.press('Control+a');
    await ana.keyboard.insertText(MANIFEST);
    await waitText(bo, (t) => t === MANIFEST.replace(/\n$/, '') || t === MANIFEST, 'bo sees ana\'s manifest');
    await boEditor.locator('.cm-line', { hasText: 'image: nginx:1.27' }).click();
    await bo.keyboard.press('End');
    await bo.keyboard.insertText('-alpine');
    await ana.locator('[data-testid="editor"] .cm-line', { hasText: 'name: web' }).first().click();
    await ana.keyboard.press('End');
    await ana.keyboard.insertText(' # the web tier');
    const want = (t: string) => t.includes('nginx:1.27-alpine') && t.includes('name: web # the web tier');
    const [a, b] = await Promise.all([waitText(ana, want, 'ana sees both edits'), waitText(bo, want, 'bo sees both edits')]);
    expect(a).toBe(b);
    // Each sees the other's cursor, named.
    await ana.locator('.cm-ySelectionInfo', { hasText: 'bo' }).waitFor({ state: 'attached', ...WAIT });

    // A YAML error is shown inline at its line.
    await boEditor.locator('.cm-line', { hasText: 'replicas: 3' }).click();
    expect(a).toContain('replicas: 3');
    await bo.keyboard.press('End');
    await bo.keyboard.insertText('\n  : : bad');
    await bo.locator('.cm-lint-marker-error').first().waitFor(WAIT);
    for (let i = 0; i < '\n  : : bad'.length; i++) await bo.keyboard.press('Shift+ArrowLeft');
    await bo.keyboard.press('Backspace');
    await waitText(bo, (t) => t === a, 'the bad line is gone');
    await bo.locator('.cm-lint-marker-error').first().waitFor({ state: 'detached', ...WAIT });

    // The API server's answer to a dry run is shown at the field it names.
    await boEditor.locator('.cm-line', { hasText: 'replicas: 3' }).click();
    await bo.keyboard.press('End');
    await bo.keyboard.press('Backspace');
    await bo.keyboard.insertText('-1');
    const invalid = bo.locator('.cm-lintRange-error', { hasText: 'replicas' });
    await invalid.waitFor(WAIT);
    await invalid.hover();
    await bo.locator('.cm-tooltip-lint', { hasText: 'spec.replicas: Invalid value: -1' }).waitFor(WAIT);
    await bo.keyboard.press('Backspace');
    await bo.keyboard.press('Backspace');
    await bo.keyboard.insertText('3');
    await waitText(bo, (t) => t === a, 'replicas is 3 again');
    await bo.locator('.cm-lint-marker-error').first().waitFor({ state: 'detached', ...WAIT });

    await bo.getByTestId('apply').click();
    const result = bo.getByTestId('apply-result');
    await result.getByText('deployment.apps/web created').waitFor(WAIT);
    await result.getByText('service/web created').waitFor(WAIT);
    await screenshot(bo, 'teach-files-applied');
    await bo.getByTestId('apply').click();
    await result.getByText('deployment.apps/web unchanged').waitFor(WAIT);

    // The view-only learner reads the same text in a read-only editor, and Apply says why it cannot be used.
    await tab(cy, 'Files').click();
    await waitText(cy, want, 'cy sees the edits');
    expect(await cy.locator('[data-testid="editor"] .cm-content').getAttribute('contenteditable')).toBe('false');
    expect(await cy.getByTestId('apply').isDisabled()).toBe(true);
    expect(await cy.getByTestId('apply-why').innerText()).toContain('view-only');
    expect(pageErrors).toEqual([]);
  });

  it('locks the cluster: a learner\'s Apply is refused with a clear message', async () => {
    await ana.getByTestId('lock-toggle').click();
    await ana.getByTestId('lock-state').filter({ hasText: 'locked' }).waitFor(WAIT);
    const apply = bo.getByTestId('apply');
    await expect.poll(() => apply.isDisabled(), WAIT).toBe(true);
    expect(await bo.getByTestId('apply-why').innerText()).toMatch(/locked the cluster/);
    expect(await apply.getAttribute('title')).toMatch(/locked the cluster/);
    expect(await bo.locator('[data-testid="editor"] .cm-content').getAttribute('contenteditable')).toBe('false');
    // The instructor panel's controls say so too.
    await bo.getByTestId('teach-faults').getByText('The cluster is locked by the instructor.').waitFor(WAIT);
    await screenshot(bo, 'teach-locked-learner');
    await ana.getByTestId('lock-toggle').click();
    await expect.poll(() => apply.isDisabled(), WAIT).toBe(false);
    expect(pageErrors).toEqual([]);
  });

  it('spreads traffic over the ready pods of a 3-replica Deployment', async () => {
    await clock(server.origin, sandbox, { action: 'step', seconds: 60 });
    await tab(ana, 'Cluster').click();
    const running = ana.locator('[data-testid="pod"][data-status="Running"][data-ready="1/1"]');
    await expect.poll(() => running.count(), WAIT).toBe(3).catch(async (e) => {
      const pods = await (await fetch(`${server.origin}/s/${sandbox.id}/k8s/api/v1/namespaces/default/pods`, { headers: { authorization: `Bearer ${sandbox.token}` } })).json();
      const shown = await ana.locator('[data-testid="pod"]').evaluateAll((els) => els.map((el) => el.outerHTML.slice(0, 300)));
      throw new Error(`${(e as Error).message}\n${JSON.stringify((pods as { items: { metadata: { name: string }; status: { phase: string } }[] }).items.map((p) => [p.metadata.name, p.status.phase]))}\n${shown.join('\n')}`);
    });
    await tab(ana, 'Traffic').click();
    await ana.getByRole('button', { name: 'Refresh' }).click();
    const target = ana.getByTestId('traffic-target');
    await expect.poll(async () => (await target.locator('option').allInnerTexts()).join('|'), WAIT).toContain('Service default/web :80');
    await target.selectOption({ label: 'Service default/web :80' });
    await ana.getByLabel('Requests per second').fill('20');
    await ana.getByLabel('Seconds').fill('3');
    await ana.getByTestId('traffic-start').click();
    await ana.getByTestId('traffic-summary').getByText('60 of 60 answered · 60 ok · 0 failed').waitFor(WAIT);
    await ana.getByTestId('traffic-endpoints').getByText('Endpoints of default/web: 3 ready').waitFor(WAIT);
    const bars = ana.locator('[data-testid="traffic-pods"] li[data-endpoint="ready"]');
    expect(await bars.count()).toBe(3);
    const counts = await bars.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-count'))));
    expect(counts.reduce((s, n) => s + n, 0)).toBe(60);
    for (const n of counts) expect(n, `each ready pod answers some requests: ${counts.join(', ')}`).toBeGreaterThan(5);
    const pods = await bars.evaluateAll((els) => els.map((e) => e.getAttribute('data-pod') ?? ''));
    for (const p of pods) expect(p).toMatch(/^web-[a-z0-9]+-[a-z0-9]{5}$/);
    await screenshot(ana, 'teach-traffic');

    // A Service without ready endpoints: failures, with what the client would print.
    await ana.getByLabel('Seconds').fill('1');
    await fetch(`${server.origin}/s/${sandbox.id}/k8s/apis/apps/v1/namespaces/default/deployments/web/scale`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${sandbox.token}`, 'content-type': 'application/merge-patch+json' },
      body: JSON.stringify({ spec: { replicas: 0 } }),
    });
    await clock(server.origin, sandbox, { action: 'step', seconds: 60 });
    await ana.getByTestId('traffic-start').click();
    await ana.getByTestId('traffic-failures').getByText(/Connection refused/).waitFor(WAIT);
    expect(pageErrors).toEqual([]);
  });

  it('gives the instructor links with a QR code and an activity feed naming who did what', async () => {
    const feed = ana.getByTestId('teach-activity');
    await feed.getByText('bo created deployment/web').waitFor(WAIT);
    // The editor's inline checks are dry runs: they changed nothing, and the feed does not list them.
    expect(await feed.innerText()).not.toMatch(/ana (created|patched) deployment\/web/);
    await ana.getByTestId('teach-links').getByRole('button', { name: 'QR' }).first().click();
    await ana.locator('.teach-qr svg').waitFor(WAIT);
    const commands = await cy.getByTestId('connect-box').locator('code').allInnerTexts();
    expect(commands[0]).toBe(`curl -o kuberoom.yaml '${server.origin}/s/${sandbox.id}/kubeconfig?token=${sandbox.links!.view!.split('#token=')[1]}'`);
    expect(commands[1]).toBe('export KUBECONFIG=$PWD/kuberoom.yaml; kubectl get nodes');
    // The view-only learner sees the instructor panel, with every control disabled and saying why.
    const panel = cy.getByTestId('instructor-panel');
    expect(await panel.getByRole('button', { name: 'Lock the cluster' }).isDisabled()).toBe(true);
    await panel.getByText('View-only link: you cannot change the cluster.').first().waitFor(WAIT);
    await Promise.all([screenshot(ana, 'teach-instructor'), screenshot(cy, 'teach-viewer')]);
    expect(pageErrors).toEqual([]);
  });
});
