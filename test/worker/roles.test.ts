import { describe, expect, it } from 'vitest';
import { api, bearer, call, connect, create, edit, inRoom, k8s, pod, tokens, until } from './helpers.ts';

describe('roles on every route', () => {
  it('each route answers each role as the role allows', async () => {
    const s = await create();
    const t = tokens(s);
    // [method, path, body, allowed roles]; allowed ones answer < 400, others 403.
    const routes: [string, string, unknown, string[]][] = [
      ['GET', '/api/session', undefined, ['owner', 'edit', 'view']],
      ['GET', '/api/clock', undefined, ['owner', 'edit', 'view']],
      ['POST', '/api/clock', { action: 'pause' }, ['owner', 'edit']],
      ['GET', '/api/activity', undefined, ['owner', 'edit', 'view']],
      ['GET', '/api/files', undefined, ['owner', 'edit', 'view']],
      ['GET', '/kubeconfig', undefined, ['owner', 'edit', 'view']],
      ['GET', '/api/export', undefined, ['owner', 'edit']],
      ['GET', '/api/checkpoints', undefined, ['owner']],
      ['POST', '/api/checkpoints', { name: 'cp' }, ['owner']],
      ['POST', '/api/lock', { minutes: 5 }, ['owner']],
      ['DELETE', '/api/lock', undefined, ['owner']],
      ['GET', '/k8s/api/v1/namespaces/default/pods', undefined, ['owner', 'edit', 'view']],
    ];
    for (const [method, path, body, allowed] of routes) {
      for (const role of ['view', 'edit', 'owner'] as const) {
        const r = await api(s, method, path, t[role], body);
        if (allowed.includes(role)) expect(r.status, `${role} ${method} ${path}: ${r.text}`).toBeLessThan(400);
        else {
          expect(r.status, `${role} ${method} ${path}`).toBe(403);
          expect(r.text).toMatch(/owner|view-only/);
        }
        const none = await api(s, method, path, 'not-a-token', body);
        expect(none.status, `no token ${method} ${path}`).toBe(401);
      }
    }
    // Writes through the Kubernetes API: view is refused with the API server's Forbidden.
    const w = await k8s(s, 'POST', '/api/v1/namespaces/default/pods', t.view, pod('v'));
    expect(w.status).toBe(403);
    expect(w.json).toMatchObject({ kind: 'Status', reason: 'Forbidden', code: 403 });
    expect(w.json.message).toBe('pods is forbidden: User "kuberoom:view" cannot create resource "pods" in API group "" in the namespace "default"');
    for (const role of ['view', 'edit'] as const) {
      expect((await api(s, 'POST', '/api/tokens', t[role], { role: 'view' })).status).toBe(403);
      expect((await api(s, 'DELETE', '/api/sandbox', t[role])).status).toBe(403);
      expect((await api(s, 'POST', '/api/checkpoints/cp/restore', t[role])).status).toBe(403);
    }
    expect((await call(`/s/${s.id}/api/fork`, { method: 'POST', headers: { authorization: `Bearer ${t.view}` } })).status).toBe(403);
  }, 30_000);

  it('puts the role and token generation in every socket attachment', async () => {
    const s = await create();
    const t = tokens(s);
    const v = await connect(s, t.view);
    const e = await connect(s, t.edit, 'notes');
    await until(() => v.messages.length > 0 && e.messages.length > 0, 'sync');
    const infos = await inRoom(s, (_room, state) => state.getWebSockets().map((ws) => ws.deserializeAttachment()));
    expect(infos).toEqual(expect.arrayContaining([expect.objectContaining({ role: 'view', doc: 'cluster', gen: 0 }), expect.objectContaining({ role: 'edit', doc: 'notes', gen: 0 })]));
    v.ws.close();
    e.ws.close();
  });
});

describe('locking the cluster', () => {
  it('makes editors viewers: kubectl writes get a 403 that says the sandbox is locked; unlocking restores them', async () => {
    const s = await create();
    const t = tokens(s);
    const locked = await api(s, 'POST', '/api/lock', t.owner, {});
    expect(locked.json.locked).toEqual({ until: null });
    expect((await api(s, 'GET', '/api/session', t.edit)).json).toMatchObject({ role: 'edit', acting: 'view', locked: { until: null } });
    const w = await k8s(s, 'POST', '/api/v1/namespaces/default/pods', t.edit, pod('web'));
    expect(w.status).toBe(403);
    expect(w.json).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Forbidden', code: 403 });
    expect(w.json.message).toBe('pods is forbidden: User "kuberoom:edit" cannot create resource "pods" in API group "" in the namespace "default": the sandbox is locked by its owner');
    expect((await k8s(s, 'GET', '/api/v1/namespaces/default/pods', t.edit)).status).toBe(200);
    expect((await api(s, 'POST', '/api/clock', t.edit, { action: 'pause' })).text).toContain('locked');
    // The owner still writes.
    expect((await k8s(s, 'POST', '/api/v1/namespaces/default/pods', t.owner, pod('owners'))).status).toBe(201);
    // A shared doc is read-only for an editor while locked.
    const c = await connect(s, t.edit, 'notes');
    await until(() => c.messages.length > 0, 'sync');
    edit(c, (d) => d.getText('notes').insert(0, 'hello'));
    await until(() => c.denied().length > 0, 'permission denied');
    expect(c.denied()[0]).toContain('locked');
    c.ws.close();
    await api(s, 'DELETE', '/api/lock', t.owner);
    expect((await k8s(s, 'POST', '/api/v1/namespaces/default/pods', t.edit, pod('web'))).status).toBe(201);
  });

  it('a lock for N minutes ends by itself', async () => {
    const s = await create();
    const t = tokens(s);
    const r = await api(s, 'POST', '/api/lock', t.owner, { minutes: 0.002 });
    expect(r.json.locked.until).toMatch(/Z$/);
    const w = await k8s(s, 'POST', '/api/v1/namespaces/default/pods', t.edit, pod('a'));
    expect(w.json.message).toContain('the sandbox is locked by its owner until ');
    await new Promise((res) => setTimeout(res, 200));
    expect((await k8s(s, 'POST', '/api/v1/namespaces/default/pods', t.edit, pod('a'))).status).toBe(201);
    expect((await api(s, 'POST', '/api/lock', t.owner, { minutes: -1 })).status).toBe(400);
  });
});

describe('rotating a link', () => {
  it('stops the old token at once, closes that role\'s open sockets with 4401, and leaves the others', async () => {
    const s = await create();
    const t = tokens(s);
    const editor = await connect(s, t.edit);
    const viewer = await connect(s, t.view);
    await until(() => editor.messages.length > 0 && viewer.messages.length > 0, 'sync');
    const r = await api(s, 'POST', '/api/tokens', t.owner, { role: 'edit' });
    expect(r.status).toBe(200);
    expect(r.json.token).not.toBe(t.edit);
    expect(r.json.links.edit).toContain(r.json.token);
    expect(await editor.closed).toEqual({ code: 4401, reason: 'token rotated: this link no longer works' });
    expect((await k8s(s, 'GET', '/api/v1/namespaces/default/pods', t.edit)).status).toBe(401);
    expect((await api(s, 'GET', '/api/session', t.edit)).status).toBe(401);
    await expect(connect(s, t.edit)).rejects.toThrow(/401/);
    expect((await api(s, 'GET', '/api/session', r.json.token)).json.role).toBe('edit');
    expect((await call(`/s/${s.id}/kubeconfig?token=${r.json.token}`).then((x) => x.text()))).toContain(`token: ${r.json.token}`);
    // The viewer is still there.
    expect(viewer.ws.readyState).toBe(WebSocket.OPEN);
    viewer.ws.close();
    expect((await api(s, 'POST', '/api/tokens', t.owner, { role: 'admin' })).status).toBe(400);
  });
});

describe('rotating a link ends its streams', () => {
  it('a watch (kubectl get -w) and an exec session opened with the old token stop; the other role\'s watch goes on', async () => {
    const s = await create();
    const t = tokens(s);
    await api(s, 'POST', '/api/clock', t.owner, { action: 'pause' });
    expect((await k8s(s, 'POST', '/api/v1/namespaces/default/pods', t.owner, pod('web'))).status).toBe(201);
    await api(s, 'POST', '/api/clock', t.owner, { action: 'step', seconds: 30 });
    const watch = async (token: string) => {
      const res = await call(`/s/${s.id}/k8s/api/v1/namespaces/default/pods?watch=true`, { headers: bearer(token) });
      expect(res.status).toBe(200);
      const reader = res.body!.getReader();
      const first = await reader.read();
      expect(new TextDecoder().decode(first.value)).toContain('"ADDED"');
      return reader;
    };
    const editWatch = await watch(t.edit);
    const viewWatch = await watch(t.view);
    // An interactive shell in the pod, as `kubectl exec -it web -- sh` opens it.
    const up = await call(`/s/${s.id}/k8s/api/v1/namespaces/default/pods/web/exec?command=sh&stdin=true&stdout=true&tty=true`, {
      headers: { ...bearer(t.edit), upgrade: 'websocket', 'sec-websocket-protocol': 'v5.channel.k8s.io' },
    });
    expect(up.status).toBe(101);
    const exec = up.webSocket!;
    exec.accept();
    const execClosed = new Promise<{ code: number; reason: string }>((r) => exec.addEventListener('close', (e) => r({ code: e.code, reason: e.reason })));
    expect((await api(s, 'POST', '/api/tokens', t.owner, { role: 'edit' })).status).toBe(200);
    // The editor's watch ends (kubectl get -w then exits) and the shell is closed with the reason.
    for (;;) {
      const r = await editWatch.read();
      if (r.done) break;
    }
    expect(await execClosed).toEqual({ code: 4401, reason: 'token rotated: this link no longer works' });
    // The viewer's watch still delivers events.
    await api(s, 'POST', '/api/clock', t.owner, { action: 'resume' });
    expect((await k8s(s, 'POST', '/api/v1/namespaces/default/pods', t.owner, pod('after'))).status).toBe(201);
    let seen = '';
    while (!seen.includes('"after"')) {
      const r = await viewWatch.read();
      if (r.done) throw new Error('the viewer\'s watch ended');
      seen += new TextDecoder().decode(r.value);
    }
    await viewWatch.cancel();
  });
});

describe('deleting a sandbox', () => {
  it('closes every socket, clears storage, and answers 404 afterwards', async () => {
    const s = await create();
    const t = tokens(s);
    const c = await connect(s, t.view);
    await until(() => c.messages.length > 0, 'sync');
    const r = await api(s, 'DELETE', '/api/sandbox', t.owner);
    expect(r.status).toBe(200);
    expect((await c.closed).code).toBe(4404);
    expect((await api(s, 'GET', '/api/session', t.owner)).status).toBe(404);
    expect((await k8s(s, 'GET', '/api/v1/namespaces/default/pods', t.owner)).status).toBe(404);
    const { runInDurableObject, env } = await import('cloudflare:test');
    const tables = await runInDurableObject(env.SANDBOX.get(env.SANDBOX.idFromName(s.id)), (_i, state) =>
      state.storage.sql.exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\'").toArray(),
    );
    expect(tables).toEqual([]);
  });
});
