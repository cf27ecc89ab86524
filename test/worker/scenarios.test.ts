// A sandbox started from a scenario: the room gets the started cluster and the manifests as a shared file,
// and `GET /api/checks` answers the scenario's task, hints and live checks for every role.
import { exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { builtinScenario } from '../../sim/scenarios/index.ts';
import { Room } from '../../worker/room/room.ts';
import { validateSandboxFile } from '../../worker/room/transfer.ts';
import { ScenarioRequestError, manifestDocName, scenarioOfRequest, scenarioSandboxFile } from '../../worker/scenarios.ts';
import { TestHost, roomFetch } from './room-host.ts';

function startRoom(name: string) {
  const scenario = builtinScenario(name)!;
  const host = new TestHost();
  const file = validateSandboxFile(JSON.parse(JSON.stringify(scenarioSandboxFile(scenario, host.wall))));
  const room = Room.create(host, { id: `sc-${name}`, nodes: 0, import: file });
  return { host, room, scenario, tokens: (room as unknown as { state: { tokens: Record<string, string> } }).state.tokens };
}

describe('scenario sandboxes', () => {
  it('start broken: /api/checks lists the task, the hints and failing checks, for a view-only link too', async () => {
    const { room, scenario, tokens } = startRoom('crashloop-bad-command');
    const res = await roomFetch(room, 'GET', '/api/checks', tokens.view!);
    expect(res.status).toBe(200);
    expect(res.json.scenario.name).toBe('crashloop-bad-command');
    expect(res.json.scenario.task).toBe(scenario.task);
    expect(res.json.scenario.hints).toEqual(scenario.hints);
    expect(res.json.total).toBe(scenario.checks.length);
    expect(res.json.solved).toBe(false);
    const failing = res.json.checks.filter((c: { passed: boolean }) => !c.passed);
    expect(failing.length).toBeGreaterThan(0);
    expect(failing[0].why).toMatch(/\S/);
    expect(res.json.people).toEqual([]); // nobody has the page open
  });

  it('the starting manifests are a shared file everyone can open', async () => {
    const { room, scenario, tokens } = startRoom('service-selector');
    const files = await roomFetch(room, 'GET', '/api/files', tokens.edit!);
    expect(files.json.items).toContain(manifestDocName(scenario));
  });

  it('a sandbox not started from a scenario answers scenario: null', async () => {
    const host = new TestHost();
    const room = Room.create(host, { id: 'plain', nodes: 1 });
    const tokens = (room as unknown as { state: { tokens: Record<string, string> } }).state.tokens;
    expect((await roomFetch(room, 'GET', '/api/checks', tokens.owner!)).json).toEqual({ scenario: null });
  });

  it('requests name a built-in scenario or carry a file; mistakes are explained with the line', () => {
    expect(scenarioOfRequest({})).toBeUndefined();
    expect(scenarioOfRequest({ scenario: 'imagepull-typo' })?.name).toBe('imagepull-typo');
    expect(() => scenarioOfRequest({ scenario: 'nope' })).toThrow('no built-in scenario named "nope"');
    expect(() => scenarioOfRequest({ scenario: 42 })).toThrow(ScenarioRequestError);
    let err: unknown;
    try {
      scenarioOfRequest({ scenarioYaml: 'name: x\ntitle: [unclosed\n' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ScenarioRequestError);
    expect((err as Error).message).toMatch(/^the scenario file is not valid:\nscenario\.yaml:\d+: /);
  });
});

describe('POST /api/sandboxes with a scenario, through the Worker and its Durable Object', () => {
  const BASE = 'https://kuberoom.test';
  const call = (path: string, init?: RequestInit) => exports.default.fetch(new Request(BASE + path, init));
  const post = (body: unknown) => call('/api/sandboxes', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('lists the built-in scenarios without their answers', async () => {
    const res = await call('/api/scenarios');
    expect(res.status).toBe(200);
    const { items } = (await res.json()) as { items: Record<string, unknown>[] };
    expect(items.length).toBeGreaterThanOrEqual(15);
    expect(items[0]).toMatchObject({ name: 'crashloop-bad-command', level: 'easy' });
    expect(JSON.stringify(items)).not.toMatch(/solution|wrongFixes|"task"/);
  });

  it('starts a built-in scenario: the pods are there, the checks fail, every role reads them', async () => {
    const res = await post({ scenario: 'imagepull-typo' });
    expect(res.status).toBe(201);
    const made = (await res.json()) as { id: string; token: string; scenario: string; links: Record<string, string> };
    expect(made.scenario).toBe('imagepull-typo');
    const view = new URL(made.links.view!).hash.replace('#token=', '');
    const checks = await call(`/s/${made.id}/api/checks`, { headers: { authorization: `Bearer ${view}` } });
    expect(checks.status).toBe(200);
    const body = (await checks.json()) as { scenario: { name: string; task: string }; solved: boolean; checks: { passed: boolean; why: string }[] };
    expect(body.scenario.name).toBe('imagepull-typo');
    expect(body.solved).toBe(false);
    expect(body.checks.some((c) => !c.passed && /ImagePullBackOff|ErrImagePull|pull/i.test(c.why))).toBe(true);
    const pods = await call(`/s/${made.id}/k8s/api/v1/pods`, { headers: { authorization: `Bearer ${made.token}` } });
    expect(((await pods.json()) as { items: unknown[] }).items.length).toBeGreaterThan(0);
  });

  it('refuses an unknown scenario and a broken scenario file with the reason and the line', async () => {
    const unknown = await post({ scenario: 'no-such-thing' });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { error: string }).error).toContain('no built-in scenario named "no-such-thing"');
    const broken = await post({ scenarioYaml: 'name: broken\ntitle: Broken\nlevel: impossible\ntask: x\nchecks: []\n' });
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { error: string }).error).toMatch(/scenario\.yaml:3: level/);
  });
});

describe("an instructor's session: the forks of a scenario sandbox", () => {
  const BASE = 'https://kuberoom.test';
  const call = (path: string, init?: RequestInit) => exports.default.fetch(new Request(BASE + path, init));
  const tokenOf = (link: string) => new URL(link).hash.replace('#token=', '');
  type Made = { id: string; token: string; links: Record<string, string>; forkedFrom?: string };

  it('each fork is reported to the parent: the owner lists them with who made them and their links; the forks are scored on their own', async () => {
    const res = await call('/api/sandboxes', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ scenario: 'crashloop-bad-command' }) });
    const session = (await res.json()) as Made;
    const edit = tokenOf(session.links.edit!);
    const view = tokenOf(session.links.view!);
    const fork = async (name: string) => {
      const r = await call(`/s/${session.id}/api/fork`, { method: 'POST', headers: { authorization: `Bearer ${edit}`, 'x-kuberoom-name': encodeURIComponent(name) } });
      expect(r.status).toBe(201);
      return (await r.json()) as Made;
    };
    const ana = await fork('Ana Lima');
    const bo = await fork('Bo');
    expect(ana.forkedFrom).toBe(session.id);

    const list = await call(`/s/${session.id}/api/forks`, { headers: { authorization: `Bearer ${session.token}` } });
    expect(list.status).toBe(200);
    const { items } = (await list.json()) as { items: { id: string; name?: string; at: number; links: Record<string, string> }[] };
    expect(items.map((f) => [f.id, f.name])).toEqual([
      [ana.id, 'Ana Lima'],
      [bo.id, 'Bo'],
    ]);
    expect(items[0]!.links).toEqual(ana.links);
    // The stored links open the fork, and its checks are its own.
    const checks = await call(`/s/${bo.id}/api/checks`, { headers: { authorization: `Bearer ${tokenOf(items[1]!.links.view!)}` } });
    expect(((await checks.json()) as { scenario: { name: string }; solved: boolean }).scenario.name).toBe('crashloop-bad-command');

    // Only the owner lists the forks; nobody posts one from outside.
    for (const t of [edit, view]) expect((await call(`/s/${session.id}/api/forks`, { headers: { authorization: `Bearer ${t}` } })).status).toBe(403);
    const forged = await call(`/s/${session.id}/api/forks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${session.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'forged-forged-forged', links: { owner: 'x', edit: 'x', view: 'x' } }),
    });
    expect(forged.status).toBe(404);
    // A view-only link still cannot fork, and nothing is listed for it.
    expect((await call(`/s/${session.id}/api/fork`, { method: 'POST', headers: { authorization: `Bearer ${view}` } })).status).toBe(403);
    const again = (await (await call(`/s/${session.id}/api/forks`, { headers: { authorization: `Bearer ${session.token}` } })).json()) as { items: unknown[] };
    expect(again.items).toHaveLength(2);
  });

  it('the room keeps at most the newest 200 forks and checks what it is told', async () => {
    const { room, tokens } = startRoom('imagepull-typo');
    const links = { owner: 'https://k.test/s/a#token=o', edit: 'https://k.test/s/a#token=e', view: 'https://k.test/s/a#token=v' };
    expect((await roomFetch(room, 'POST', '/api/forks', tokens.owner!, { id: 'bad id!', links })).status).toBe(400);
    expect((await roomFetch(room, 'POST', '/api/forks', tokens.owner!, { id: 'fork-00000', links: { owner: 'x' } })).status).toBe(400);
    expect((await roomFetch(room, 'POST', '/api/forks', tokens.view!, { id: 'fork-00000', links })).status).toBe(403);
    for (let i = 0; i < 205; i++) {
      const r = await roomFetch(room, 'POST', '/api/forks', tokens.edit!, { id: `fork-${String(i).padStart(5, '0')}`, links });
      expect(r.status).toBe(201);
    }
    const { items } = (await roomFetch(room, 'GET', '/api/forks', tokens.owner!)).json as { items: { id: string }[] };
    expect(items).toHaveLength(200);
    expect(items[0]!.id).toBe('fork-00005');
    expect(items[199]!.id).toBe('fork-00204');
  });
});

describe('the activity feed of a scenario sandbox', () => {
  it('marks the moment a check turns green and the moment the scenario is solved, once each', async () => {
    const { host, room, tokens } = startRoom('crashloop-bad-command');
    const texts = async () => ((await roomFetch(room, 'GET', '/api/activity', tokens.view!)).json.items as { text: string; verb: string }[]).filter((a) => a.verb === 'passed' || a.verb === 'solved').map((a) => a.text);
    host.wall += 5000;
    await roomFetch(room, 'POST', '/api/clock', tokens.owner!, { action: 'step', seconds: 30 });
    expect(await texts()).toEqual([]);
    const patch = { spec: { template: { spec: { containers: [{ name: 'worker', command: ['sh', '-c', 'echo worker started, polling the queue; sleep 3600'] }] } } } };
    const res = await room.fetch(
      new Request('https://t/s/x/k8s/apis/apps/v1/namespaces/shop/deployments/worker', {
        method: 'PATCH',
        headers: { authorization: `Bearer ${tokens.edit}`, 'content-type': 'application/strategic-merge-patch+json' },
        body: JSON.stringify(patch),
      }),
      '/k8s/apis/apps/v1/namespaces/shop/deployments/worker',
    );
    expect(res.status).toBe(200);
    host.wall += 5000;
    await roomFetch(room, 'POST', '/api/clock', tokens.owner!, { action: 'step', seconds: 120 });
    const marked = await texts();
    expect(marked).toEqual([
      "check passed: The worker's pods run without restarting",
      'check passed: The worker Deployment is fully rolled out',
      'solved: every check of “A worker that keeps crashing” passes',
    ]);
    // The doc's feed has them too; nothing new is marked while nothing changes.
    host.wall += 5000;
    await roomFetch(room, 'POST', '/api/clock', tokens.owner!, { action: 'step', seconds: 30 });
    expect((await roomFetch(room, 'GET', '/api/checks', tokens.view!)).json.solved).toBe(true);
    expect(await texts()).toEqual(marked);
    const docFeed = (room as unknown as { projection: { doc: import('yjs').Doc } }).projection.doc.getArray<{ text: string }>('activity').toArray();
    expect(docFeed.map((a) => a.text)).toEqual(expect.arrayContaining(marked));
  });
});

describe('POST /s/<id>/api/scenario: save the sandbox as a scenario file', () => {
  const BASE = 'https://kuberoom.test';
  const call = (path: string, init?: RequestInit) => exports.default.fetch(new Request(BASE + path, init));
  const tokenOf = (link: string) => new URL(link).hash.replace('#token=', '');
  const author = {
    name: 'web-down',
    title: 'The web is down',
    level: 'easy',
    task: 'Make **web** answer.',
    hints: ['Look at the endpoints.'],
    checks: [{ title: 'web has 2 ready endpoints', endpoints: { service: 'web', ready: 2 } }],
  };

  it('gives the file (owner and edit), refuses a view link, and a started copy has the objects and the check', async () => {
    const made = (await (await call('/api/sandboxes', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json()) as { id: string; token: string; links: Record<string, string> };
    const auth = { authorization: `Bearer ${made.token}`, 'content-type': 'application/json' };
    const deploy = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } } } };
    expect((await call(`/s/${made.id}/k8s/apis/apps/v1/namespaces/default/deployments`, { method: 'POST', headers: auth, body: JSON.stringify(deploy) })).status).toBe(201);
    const save = (token: string, body: unknown) => call(`/s/${made.id}/api/scenario`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

    expect((await save(tokenOf(made.links.view!), author)).status).toBe(403);
    const res = await save(tokenOf(made.links.edit!), author);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/yaml/);
    const yaml = await res.text();
    expect(yaml).toMatch(/^name: web-down\n/);
    expect(yaml).toContain('kind: Deployment');
    expect(yaml).not.toContain('resourceVersion');

    const bad = await save(made.token, { ...author, level: 'impossible', checks: [{ title: 'x', endpoints: { service: 'web', ready: 'three' } }] });
    expect(bad.status).toBe(400);
    const err = (await bad.json()) as { error: string; issues: { line: number; path: string }[]; yaml: string };
    expect(err.error).toMatch(/scenario\.yaml:3: level: expected one of/);
    expect(err.error).toMatch(/scenario\.yaml:\d+: checks\[0\]\.endpoints\.ready: expected a number/);
    expect(err.yaml.split('\n')[err.issues[0]!.line - 1]).toMatch(/^level: impossible/);

    const started = await call('/api/sandboxes', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ scenarioYaml: yaml }) });
    expect(started.status).toBe(201);
    const copy = (await started.json()) as { id: string; token: string };
    const deployments = await call(`/s/${copy.id}/k8s/apis/apps/v1/namespaces/default/deployments`, { headers: { authorization: `Bearer ${copy.token}` } });
    expect(((await deployments.json()) as { items: { metadata: { name: string } }[] }).items.map((d) => d.metadata.name)).toEqual(['web']);
    const checks = (await (await call(`/s/${copy.id}/api/checks`, { headers: { authorization: `Bearer ${copy.token}` } })).json()) as { scenario: { name: string; task: string; hints: string[] }; checks: { title: string }[] };
    expect(checks.scenario).toMatchObject({ name: 'web-down', task: 'Make **web** answer.\n', hints: ['Look at the endpoints.'] });
    expect(checks.checks.map((c) => c.title)).toEqual(['web has 2 ready endpoints']);
  });
});
