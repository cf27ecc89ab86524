import { describe, expect, it } from 'vitest';
import { api, connect, create, inRoom, k8s, pod, tokens, until } from './helpers.ts';

describe('limits, each with a clear error', () => {
  it('pods and objects: the quota admission\'s Forbidden, and nothing created', async () => {
    const s = await create();
    const t = tokens(s);
    await inRoom(s, (room) => {
      room.limits.pods = 2;
    });
    expect((await k8s(s, 'POST', '/api/v1/namespaces/default/pods', t.edit, pod('a'))).status).toBe(201);
    expect((await k8s(s, 'POST', '/api/v1/namespaces/default/pods', t.edit, pod('b'))).status).toBe(201);
    const over = await k8s(s, 'POST', '/api/v1/namespaces/default/pods', t.edit, pod('c'));
    expect(over.status).toBe(403);
    expect(over.json).toMatchObject({ kind: 'Status', reason: 'Forbidden', code: 403 });
    expect(over.json.message).toBe('pods "c" is forbidden: exceeded quota: kuberoom-sandbox, requested: pods=1, used: pods=2, limited: pods=2');
    expect((await k8s(s, 'GET', '/api/v1/namespaces/default/pods/c', t.edit)).status).toBe(404);
    const objects = await inRoom(s, (room) => {
      room.limits.pods = 2000;
      let n = 0;
      for (const table of Object.values(room.cluster.records.snapshot())) n += Object.keys(table).length;
      room.limits.objects = 0;
      return n;
    });
    expect(objects).toBeGreaterThan(0);
    const cm = await k8s(s, 'POST', '/api/v1/namespaces/default/configmaps', t.edit, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: {} });
    expect(cm.status).toBe(403);
    expect(cm.json.message).toMatch(/^configmaps "cfg" is forbidden: exceeded quota: kuberoom-sandbox, requested: count\/objects=1, used: count\/objects=\d+, limited: count\/objects=0$/);
  });

  it('request body over 1 MiB: 413 Status from the API, 413 from the room\'s own routes', async () => {
    const s = await create();
    const t = tokens(s);
    const big = { ...pod('big'), metadata: { name: 'big', annotations: { a: 'x'.repeat(1024 * 1024 + 10) } } };
    const r = await k8s(s, 'POST', '/api/v1/namespaces/default/pods', t.edit, big);
    expect(r.status).toBe(413);
    expect(r.json).toMatchObject({ kind: 'Status', reason: 'RequestEntityTooLarge', code: 413 });
    const c = await api(s, 'POST', '/api/clock', t.edit, { action: 'pause', pad: 'x'.repeat(1024 * 1024 + 10) });
    expect(c.status).toBe(413);
    expect(c.json.error).toContain('request body too large');
    expect((await k8s(s, 'GET', '/api/v1/namespaces/default/pods/big', t.edit)).status).toBe(404);
  });

  it('API rate per token: 429 with Retry-After and the API server\'s words; another token is not affected', async () => {
    const s = await create();
    const t = tokens(s);
    await inRoom(s, (room) => {
      room.limits.apiRate = 0.5;
      room.limits.apiBurst = 3;
      room.resetLimiters();
    });
    const codes: number[] = [];
    let last;
    for (let i = 0; i < 5; i++) {
      last = await k8s(s, 'GET', '/api/v1/namespaces/default/pods', t.view);
      codes.push(last.status);
    }
    expect(codes).toEqual([200, 200, 200, 429, 429]);
    expect(last!.json).toMatchObject({ kind: 'Status', reason: 'TooManyRequests', code: 429, message: 'Too many requests, please try again later.' });
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const own = await api(s, 'GET', '/api/session', t.view);
    expect(own.status).toBe(429);
    expect(own.headers.get('retry-after')).toBeTruthy();
    expect((await k8s(s, 'GET', '/api/v1/namespaces/default/pods', t.edit)).status).toBe(200);
  });

  it('WebSocket message over 1 MiB, and too many messages, close that socket with a reason; people over the limit are refused', async () => {
    const s = await create();
    const t = tokens(s);
    const a = await connect(s, t.view);
    await until(() => a.messages.length > 0, 'sync');
    a.ws.send(new Uint8Array(1024 * 1024 + 1));
    expect(await a.closed).toEqual({ code: 4413, reason: 'message too large: the limit is 1048576 bytes' });
    await inRoom(s, (room) => {
      room.limits.messageRate = 0.1;
      room.limits.messageBurst = 5;
      room.limits.sockets = 2;
      room.resetLimiters();
    });
    const b = await connect(s, t.view);
    for (let i = 0; i < 10; i++) if (b.ws.readyState === WebSocket.OPEN) b.ws.send(new Uint8Array([3]));
    expect((await b.closed).code).toBe(4429);
    const c1 = await connect(s, t.view);
    const c2 = await connect(s, t.edit);
    await until(() => c1.messages.length > 0 && c2.messages.length > 0, 'sync');
    await expect(connect(s, t.owner)).rejects.toThrow(/429.*2 people connected, the most it allows \(2\)/);
    // The others go on.
    expect(c1.ws.readyState).toBe(WebSocket.OPEN);
    c1.ws.close();
    c2.ws.close();
  });
});
