import { describe, expect, it } from 'vitest';
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
