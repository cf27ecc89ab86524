// The cluster views in Chromium against a real server (wrangler dev), driven by the real kubectl: the map
// shows a Deployment's pods on the nodes and its Service's endpoints; a pod's detail panel shows the same
// `describe` lines and logs as kubectl; a scale by kubectl changes the map live; the resource lists have
// `kubectl get`'s columns; the events timeline is live. Screenshots of the main views go to
// test-results/screenshots/ (light, dark, phone).
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTable } from '../support/kubectl-output.ts';
import { clock, createSandbox, kubectlEnv, showRun, startServer, type KubectlEnv, type Sandbox, type Server } from '../support/server.ts';
import { launchChromium, SCREENSHOTS } from '../support/browser.ts';

const WAIT = { timeout: 30_000 };

const MANIFEST = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx
        ports:
        - containerPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
  - port: 80
`;

let server: Server;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let sandbox: Sandbox;
let kubectl: KubectlEnv;
const pageErrors: string[] = [];

/** Opens a page; retried, because another test run may be rebuilding dist/client at that moment. */
async function open(p: Page, url: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await p.goto(url);
      return;
    } catch (err) {
      if (attempt >= 5) throw err;
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
}

const screenshot = (p: Page, name: string, fullPage = true) =>
  p.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage, animations: 'disabled' });

async function kubectlOk(args: string[], stdin?: string): Promise<string> {
  const r = await kubectl.run(args, stdin === undefined ? {} : { stdin });
  expect(r.code, showRun(r)).toBe(0);
  return r.stdout;
}

/** The pod names of the Deployment web, from the real kubectl. */
async function webPods(): Promise<string[]> {
  const out = await kubectlOk(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].metadata.name}']);
  return out.split(/\s+/).filter(Boolean).sort();
}

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  [server, browser] = await Promise.all([
    startServer(),
    launchChromium(),
  ]);
  sandbox = await createSandbox(server.origin, { nodes: 3 });
  kubectl = await kubectlEnv(server.origin, sandbox);
  await clock(server.origin, sandbox, { action: 'pause' });
  await kubectlOk(['apply', '-f', '-'], MANIFEST);
  await clock(server.origin, sandbox, { action: 'step', seconds: 30 });
  context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  page = await context.newPage();
  page.on('pageerror', (err) => pageErrors.push(err.message));
  await open(page, `${server.origin}/s/${sandbox.id}#token=${sandbox.token}`);
  await page.locator('[data-testid="connection"][data-state="live"]').waitFor(WAIT);
});

afterAll(async () => {
  if (kubectl) rmSync(kubectl.dir, { recursive: true, force: true });
  await context?.close();
  await browser?.close();
  await server?.stop();
});

describe('the cluster map', () => {
  it("shows the Deployment's ReplicaSet and pods on the nodes, and the Service's ready endpoints", async () => {
    const names = await webPods();
    expect(names).toHaveLength(3);
    const deployment = page.locator('[data-testid="deployment"][data-name="web"]');
    await deployment.locator('[data-testid="rs-counts"]', { hasText: '3/3 ready' }).waitFor(WAIT);
    const rsName = await deployment.locator('[data-testid="replicaset"]').getAttribute('data-name');
    expect(rsName).toMatch(/^web-[a-z0-9]+$/);
    expect(await deployment.locator('.rs-rev').innerText()).toBe('rev 1');

    // Every pod of the Deployment is drawn on the node kubectl says it runs on, owned by the ReplicaSet.
    const placed = await kubectlOk(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={range .items[*]}{.metadata.name} {.spec.nodeName} {.status.podIP}{"\\n"}{end}']);
    const wide = placed.trim().split('\n').map((l) => l.split(' ')).map(([NAME, NODE, IP]) => ({ NAME, NODE, IP }));
    expect(wide).toHaveLength(3);
    for (const row of wide) {
      const chip = page.locator(`[data-testid="node-card"][data-node="${row.NODE}"] [data-testid="pod"][data-pod="default/${row.NAME}"]`);
      await chip.waitFor(WAIT);
      expect(await chip.getAttribute('data-status')).toBe('Running');
      expect(await chip.getAttribute('data-ready')).toBe('1/1');
      expect(await chip.getAttribute('data-owner')).toBe(`ReplicaSet/${rsName}`);
    }

    // The Service's endpoints are the three pods, ready, with the IPs kubectl shows.
    const service = page.locator('[data-testid="service"][data-name="web"]');
    await expect.poll(() => service.locator('[data-testid="endpoint"][data-ready="true"]').count(), WAIT).toBe(3);
    const shown = await service.locator('[data-testid="endpoint"]').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-pod')} ${e.getAttribute('data-ip')}`).sort());
    expect(shown).toEqual(wide.map((r) => `${r.NAME} ${r.IP}`).sort());
    await screenshot(page, 'cluster-map');
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, 'cluster-map-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it("opens a pod's describe (the same key lines as kubectl describe), YAML, events and logs", async () => {
    const [name] = await webPods();
    await page.locator(`[data-testid="pod"][data-pod="default/${name}"] button`).click();
    const panel = page.locator('[data-testid="detail"]');
    await panel.waitFor(WAIT);
    const describeText = panel.locator('[data-testid="detail-describe"]');
    await describeText.waitFor(WAIT);
    const shown = await describeText.innerText();
    const real = await kubectlOk(['describe', 'pod', name!]);
    const keys = /^(Name|Namespace|Priority|Service Account|Node|Labels|Status|IP|Controlled By|    Image|    Port|    State|    Ready|    Restart Count|QoS Class):/;
    const keyLines = (text: string) => text.split('\n').filter((l) => keys.test(l));
    expect(keyLines(real).length).toBeGreaterThanOrEqual(12);
    expect(keyLines(shown)).toEqual(keyLines(real));
    await screenshot(page, 'detail-describe');

    await panel.locator('[data-testid="detail-tab-yaml"]').click();
    await expect.poll(() => panel.locator('[data-testid="detail-yaml"]').innerText().catch(() => ''), WAIT).toContain(`name: ${name}`);
    const yaml = await panel.locator('[data-testid="detail-yaml"]').innerText();
    expect(yaml).toMatch(/^apiVersion: v1\nkind: Pod\n/);

    await panel.locator('[data-testid="detail-tab-events"]').click();
    await expect.poll(() => panel.locator('[data-testid="detail-events"]').innerText().catch(() => ''), WAIT).toContain('Scheduled');

    await panel.locator('[data-testid="detail-tab-logs"]').click();
    const logs = await kubectlOk(['logs', name!]);
    expect(logs.length).toBeGreaterThan(0);
    const firstLine = logs.split('\n')[0]!;
    await expect.poll(() => panel.locator('[data-testid="detail-logs"]').innerText(), WAIT).toContain(firstLine);
    expect(await panel.locator('[data-testid="log-container"]').inputValue()).toBe('web');
    await screenshot(page, 'detail-logs');

    // Escape closes the panel.
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached', ...WAIT });
  });

  it('reaches a Service from the keyboard and shows its describe', async () => {
    const link = page.locator('[data-testid="service"][data-name="web"] h3 button');
    await link.focus();
    await page.keyboard.press('Enter');
    const panel = page.locator('[data-testid="detail"][data-kind="Service"]');
    await panel.waitFor(WAIT);
    await expect.poll(() => panel.locator('[data-testid="detail-describe"]').innerText().catch(() => ''), WAIT).toMatch(/^Name:\s+web\n/);
    const real = await kubectlOk(['describe', 'service', 'web']);
    const endpointsLine = (t: string) => t.split('\n').find((l) => l.startsWith('Endpoints:'));
    expect(endpointsLine(await panel.locator('[data-testid="detail-describe"]').innerText())).toBe(endpointsLine(real));
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached', ...WAIT });
  });

  it('follows a scale by kubectl live: new pods, the ReplicaSet counts and the endpoints', async () => {
    await kubectlOk(['scale', 'deployment/web', '--replicas=5']);
    await clock(server.origin, sandbox, { action: 'step', seconds: 30 });
    const deployment = page.locator('[data-testid="deployment"][data-name="web"]');
    await deployment.locator('[data-testid="rs-counts"]', { hasText: '5/5 ready' }).waitFor(WAIT);
    await expect.poll(() => page.locator('[data-testid="node-card"] [data-testid="pod"][data-pod^="default/web-"][data-status="Running"]').count(), WAIT).toBe(5);
    await expect.poll(() => page.locator('[data-testid="service"][data-name="web"] [data-testid="endpoint"][data-ready="true"]').count(), WAIT).toBe(5);

    await kubectlOk(['scale', 'deployment/web', '--replicas=2']);
    await clock(server.origin, sandbox, { action: 'step', seconds: 60 });
    await expect.poll(() => page.locator('[data-testid="pod"][data-pod^="default/web-"]').count(), WAIT).toBe(2);
    await deployment.locator('[data-testid="rs-counts"]', { hasText: '2/2 ready' }).waitFor(WAIT);
  });
});

describe('the resource lists and the events timeline', () => {
  it("lists pods and deployments with kubectl get's columns and rows", async () => {
    await page.getByRole('tab', { name: 'Resources', exact: true }).click();
    const table = page.locator('[data-testid="resource-table"]');
    await table.waitFor(WAIT);
    const real = parseTable(await kubectlOk(['get', 'pods', '-A']));
    const headers = () => table.locator('th').allInnerTexts();
    expect(await headers()).toEqual(real.header);
    const rowNames = () => table.locator('[data-testid="resource-row"]').evaluateAll((rows) => rows.map((r) => `${r.getAttribute('data-namespace')}/${r.getAttribute('data-name')}`).sort());
    await expect.poll(rowNames, WAIT).toEqual(real.rows.map((r) => `${r.NAMESPACE}/${r.NAME}`).sort());
    await screenshot(page, 'resources-pods');

    await page.locator('[data-testid="kind-picker"]').selectOption('deployments.apps');
    await page.locator('[data-testid="namespace-picker"]').selectOption('default');
    await expect.poll(() => table.locator('[data-testid="resource-row"]').first().getAttribute('data-name').catch(() => null), WAIT).toBe('web');
    const deploys = parseTable(await kubectlOk(['get', 'deployments']));
    expect(await headers()).toEqual(deploys.header);
    const cells = await table.locator('[data-testid="resource-row"][data-name="web"] td').allInnerTexts();
    expect(cells.slice(0, 4)).toEqual([deploys.rows[0]!.NAME, deploys.rows[0]!.READY, deploys.rows[0]!['UP-TO-DATE'], deploys.rows[0]!.AVAILABLE]);

    // A row opens the detail panel.
    await table.locator('[data-testid="resource-row"][data-name="web"] button').click();
    const panel = page.locator('[data-testid="detail"][data-kind="Deployment"]');
    await expect.poll(() => panel.locator('[data-testid="detail-describe"]').innerText().catch(() => ''), WAIT).toContain('Replicas:');
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached', ...WAIT });
  });

  it('shows the events newest first, live', async () => {
    await page.getByRole('tab', { name: 'Events', exact: true }).click();
    const events = page.locator('[data-testid="events"] [data-testid="event"]');
    await events.first().waitFor(WAIT);
    await kubectlOk(['run', 'broken', '--image=does-not-exist.example/none:1']);
    await clock(server.origin, sandbox, { action: 'step', seconds: 20 });
    // The warning about the failed pull arrives through the watch, at the top, highlighted.
    const warning = page.locator('[data-testid="events"] [data-testid="event"][data-type="Warning"]').first();
    await warning.waitFor(WAIT);
    expect(await warning.innerText()).toContain('pod/broken');
    await screenshot(page, 'events');
  });

  it('is usable view-only on a phone, in the dark', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, colorScheme: 'dark', isMobile: true, hasTouch: true });
    try {
      const p = await phone.newPage();
      const view = new URL(sandbox.links!.view!);
      await open(p, `${server.origin}${view.pathname}${view.hash}`);
      await p.locator('[data-testid="connection"][data-state="live"]').waitFor(WAIT);
      await p.locator('[data-testid="deployment"][data-name="web"]').waitFor(WAIT);
      const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, 'no sideways scrolling').toBeLessThanOrEqual(0);
      await screenshot(p, 'cluster-map-phone');
      await p.locator('[data-testid="pod"][data-pod^="default/web-"] button').first().tap();
      await p.locator('[data-testid="detail-describe"]').waitFor(WAIT);
      const box = await p.locator('[data-testid="detail"]').boundingBox();
      expect(box?.width).toBe(390);
      // The panel is fixed over the viewport: a viewport shot shows what the phone shows.
      await screenshot(p, 'detail-phone', false);
    } finally {
      await phone.close();
    }
    expect(pageErrors).toEqual([]);
  });
});
