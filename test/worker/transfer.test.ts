import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { api, call, connect, create, edit, k8s, pod, tokens, until, type Created } from './helpers.ts';

const names = async (s: Created, token: string) => (await k8s(s, 'GET', '/api/v1/namespaces/default/pods', token)).json.items.map((p: { metadata: { name: string } }) => p.metadata.name);

describe('fork', () => {
  it('anyone with edit rights forks a sandbox at its current state, with new links; the two then differ', async () => {
    const s = await create();
    const t = tokens(s);
    await api(s, 'POST', '/api/clock', t.owner, { action: 'pause' });
    await k8s(s, 'POST', '/api/v1/namespaces/default/pods', t.owner, pod('broken'));
    await api(s, 'POST', '/api/clock', t.owner, { action: 'step', seconds: 30 });
    const before = (await k8s(s, 'GET', '/api/v1/namespaces/default/pods/broken', t.owner)).json;
    const res = await call(`/s/${s.id}/api/fork`, { method: 'POST', headers: { authorization: `Bearer ${t.edit}` } });
    expect(res.status).toBe(201);
    const f = (await res.json()) as Created & { forkedFrom: string };
    expect(f.forkedFrom).toBe(s.id);
    expect(f.id).not.toBe(s.id);
    const ft = tokens(f);
    expect(Object.values(ft).some((x) => Object.values(t).includes(x))).toBe(false);
    // Same state: the same object, uid and status, at the same virtual time.
    const forked = (await k8s(f, 'GET', '/api/v1/namespaces/default/pods/broken', ft.owner)).json;
    expect(forked.metadata.uid).toBe(before.metadata.uid);
    expect(forked.status.phase).toBe(before.status.phase);
    // The old sandbox's tokens do not open the fork.
    expect((await k8s(f, 'GET', '/api/v1/namespaces/default/pods', t.owner)).status).toBe(401);
    // Fixing the fork leaves the original as it was.
    expect((await k8s(f, 'DELETE', '/api/v1/namespaces/default/pods/broken?gracePeriodSeconds=0', ft.edit)).status).toBe(200);
    await until(() => true, 'noop');
    expect(await names(s, t.owner)).toEqual(['broken']);
    expect((await call(`/s/${s.id}/api/fork`, { method: 'POST', headers: { authorization: `Bearer ${t.view}` } }).then((r) => r.status))).toBe(403);
  });
});

describe('checkpoints', () => {
  it('the owner saves named checkpoints, lists them and restores one; connected clients adopt the restored doc', async () => {
    const s = await create();
    const t = tokens(s);
    await api(s, 'POST', '/api/clock', t.owner, { action: 'pause' });
    await k8s(s, 'POST', '/api/v1/namespaces/default/pods', t.owner, pod('keep'));
    const saved = await api(s, 'POST', '/api/checkpoints', t.owner, { name: 'before break' });
    expect(saved.status).toBe(201);
    expect(saved.json).toMatchObject({ name: 'before break' });
    await k8s(s, 'POST', '/api/v1/namespaces/default/pods', t.owner, pod('later'));
    await k8s(s, 'DELETE', '/api/v1/namespaces/default/pods/keep?gracePeriodSeconds=0', t.owner);
    await api(s, 'POST', '/api/clock', t.owner, { action: 'step', seconds: 5 });
    expect(await names(s, t.owner)).toEqual(['later']);
    const list = await api(s, 'GET', '/api/checkpoints', t.owner);
    expect(list.json.items.map((c: { name: string }) => c.name)).toEqual(['before break']);
    const client = await connect(s, t.view);
    await until(() => client.doc.getMap('pods').has('default/later'), 'the doc');
    const restored = await api(s, 'POST', `/api/checkpoints/${encodeURIComponent('before break')}/restore`, t.owner);
    expect(restored.status).toBe(200);
    expect(await names(s, t.owner)).toEqual(['keep']);
    expect((await client.closed).code).toBe(4409);
    const session = (await api(s, 'GET', '/api/session', t.owner)).json;
    expect(session.epoch).toBe(restored.json.epoch);
    const fresh = await connect(s, t.view, 'cluster', { epoch: session.epoch });
    await until(() => fresh.doc.getMap('pods').has('default/keep'), 'the restored doc');
    expect(fresh.doc.getMap('pods').has('default/later')).toBe(false);
    fresh.ws.close();
    expect((await api(s, 'POST', '/api/checkpoints/nope/restore', t.owner)).status).toBe(404);
    expect((await api(s, 'POST', '/api/checkpoints', t.owner, { name: '../etc' })).status).toBe(400);
    expect((await api(s, 'DELETE', `/api/checkpoints/${encodeURIComponent('before break')}`, t.owner)).status).toBe(200);
    expect((await api(s, 'GET', '/api/checkpoints', t.owner)).json.items).toEqual([]);
  });
});

/** Waits until a fresh client of a shared doc gets this text from the server. */
async function seen(s: Created, token: string, doc: string, key: string, text: string): Promise<void> {
  const c = await connect(s, token, doc);
  try {
    await until(() => c.doc.getText(key).toString() === text, `${doc} to hold ${JSON.stringify(text)}`);
  } finally {
    c.ws.close();
  }
}

describe('checkpoints keep the shared docs', () => {
  it('restoring puts manifest files and notes back; open editors adopt the text and an old copy cannot bring the later text back', async () => {
    const s = await create();
    const t = tokens(s);
    const file = await connect(s, t.edit, 'file:web.yaml');
    const notes = await connect(s, t.edit, 'notes');
    await until(() => file.messages.length > 0 && notes.messages.length > 0, 'sync');
    edit(file, (d) => d.getText('content').insert(0, 'replicas: 2\n'));
    edit(notes, (d) => d.getText('notes').insert(0, 'step 1'));
    await seen(s, t.view, 'file:web.yaml', 'content', 'replicas: 2\n');
    await seen(s, t.view, 'notes', 'notes', 'step 1');
    expect((await api(s, 'POST', '/api/checkpoints', t.owner, { name: 'lesson start' })).status).toBe(201);
    // Later: the file is rewritten, the notes grow, a new file appears.
    edit(file, (d) => {
      const text = d.getText('content');
      text.delete(0, text.length);
      text.insert(0, 'replicas: 9\nimage: broken\n');
    });
    edit(notes, (d) => d.getText('notes').insert(6, ', step 2'));
    const extra = await connect(s, t.edit, 'file:extra.yaml');
    await until(() => extra.messages.length > 0, 'sync');
    edit(extra, (d) => d.getText('content').insert(0, 'kind: Service\n'));
    await seen(s, t.view, 'file:extra.yaml', 'content', 'kind: Service\n');
    await seen(s, t.view, 'notes', 'notes', 'step 1, step 2');
    // An editor that goes away holding the later text.
    const stale = await connect(s, t.edit, 'file:web.yaml');
    await until(() => stale.doc.getText('content').toString() === 'replicas: 9\nimage: broken\n', 'the later text');
    stale.ws.close();
    expect((await api(s, 'POST', `/api/checkpoints/${encodeURIComponent('lesson start')}/restore`, t.owner)).status).toBe(200);
    // Open editors take the saved text as an ordinary change, without reconnecting.
    await until(() => file.doc.getText('content').toString() === 'replicas: 2\n', 'the restored file');
    await until(() => notes.doc.getText('notes').toString() === 'step 1', 'the restored notes');
    await until(() => extra.doc.getText('content').toString() === '', 'the later file emptied');
    expect(file.ws.readyState).toBe(WebSocket.OPEN);
    // The stale editor comes back and sends everything it holds: the later text stays gone.
    const back = await connect(s, t.edit, 'file:web.yaml');
    back.sendUpdate(Y.encodeStateAsUpdate(stale.doc));
    await new Promise((r) => setTimeout(r, 200));
    await seen(s, t.view, 'file:web.yaml', 'content', 'replicas: 2\n');
    expect(file.doc.getText('content').toString()).toBe('replicas: 2\n');
    for (const c of [file, notes, extra, back]) c.ws.close();
  });
});

describe('fork keeps the shared docs', () => {
  it('a fork starts with the same manifest files and notes', async () => {
    const s = await create();
    const t = tokens(s);
    const notes = await connect(s, t.edit, 'notes');
    await until(() => notes.messages.length > 0, 'sync');
    edit(notes, (d) => d.getText('notes').insert(0, 'fix the probe'));
    await seen(s, t.view, 'notes', 'notes', 'fix the probe');
    const res = await call(`/s/${s.id}/api/fork`, { method: 'POST', headers: { authorization: `Bearer ${t.edit}` } });
    expect(res.status).toBe(201);
    const f = (await res.json()) as Created;
    const forked = await connect(f, tokens(f).view, 'notes');
    await until(() => forked.doc.getText('notes').toString() === 'fix the probe', 'the forked notes');
    notes.ws.close();
    forked.ws.close();
  });
});

describe('export and import', () => {
  it('exports to a JSON file and imports it as a new sandbox at the same state, shared docs included', async () => {
    const s = await create(2);
    const t = tokens(s);
    await k8s(s, 'POST', '/api/v1/namespaces/default/pods', t.owner, pod('web'));
    const notes = await connect(s, t.edit, 'notes');
    await until(() => notes.messages.length > 0, 'sync');
    edit(notes, (d) => d.getText('notes').insert(0, 'remember the probe'));
    await until(() => true, '');
    await new Promise((r) => setTimeout(r, 50));
    notes.ws.close();
    const exp = await api(s, 'GET', '/api/export', t.edit);
    expect(exp.status).toBe(200);
    expect(exp.json.format).toBe('kuberoom.sandbox/v1');
    expect(exp.json.docs.notes).toBeTruthy();
    expect(exp.text).not.toContain(t.owner);
    const res = await call('/api/sandboxes/import', { method: 'POST', headers: { 'content-type': 'application/json' }, body: exp.text });
    expect(res.status).toBe(201);
    const i = (await res.json()) as Created;
    const it = tokens(i);
    expect(await names(i, it.owner)).toEqual(['web']);
    expect((await k8s(i, 'GET', '/api/v1/nodes', it.owner)).json.items).toHaveLength(2);
    const n2 = await connect(i, it.view, 'notes');
    await until(() => n2.doc.getText('notes').toString() === 'remember the probe', 'the imported notes');
    n2.ws.close();
  });

  it('refuses a bad file with 400 and the reason', async () => {
    const cases: [string, RegExp][] = [
      ['not json', /not JSON/],
      ['[]', /JSON object/],
      ['{"format":"something"}', /format must be "kuberoom.sandbox\/v1"/],
      ['{"format":"kuberoom.sandbox/v1","cluster":{"format":"kuberoom.cluster/v1","records":{}}}', /meta must hold the random source/],
      ['{"format":"kuberoom.sandbox/v1","cluster":{"format":"kuberoom.cluster/v1","records":{"meta":{"rng":[1,2,3],"now":1}}}}', /meta must hold the random source/],
      ['{"format":"kuberoom.sandbox/v1","cluster":{"format":"kuberoom.cluster/v1","records":{"pods":[1]}}}', /records.pods must be an object/],
      ['{"format":"kuberoom.sandbox/v1","cluster":{"format":"kuberoom.cluster/v1","records":{"meta":{"rng":[1,2,3,4],"now":1}}},"docs":{"notes":"!!"}}', /docs.notes/],
    ];
    for (const [body, reason] of cases) {
      const res = await call('/api/sandboxes/import', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(res.status, body).toBe(400);
      expect(((await res.json()) as { error: string }).error).toMatch(reason);
    }
  });
});
