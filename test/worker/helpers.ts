// Helpers for the Worker tests inside workerd: the app's fetch, sandboxes, and hand-made y-websocket clients.
import { env, runInDurableObject } from 'cloudflare:test';
import { exports } from 'cloudflare:workers';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { expect } from 'vitest';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import type { Room } from '../../worker/room/room.ts';

export const BASE = 'https://kuberoom.test';

export function call(path: string, init?: RequestInit): Promise<Response> {
  return exports.default.fetch(new Request(BASE + path, init));
}

export interface Created {
  id: string;
  url: string;
  kubeconfigUrl: string;
  token: string;
  links: { owner: string; edit: string; view: string };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
export const tokenOf = (link: string) => new URL(link).hash.replace('#token=', '');

export async function create(nodes?: number): Promise<Created> {
  const res = await call('/api/sandboxes', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(nodes ? { nodes } : {}) });
  expect(res.status).toBe(201);
  return res.json();
}

/** The sandbox's three tokens. */
export function tokens(s: Created): { owner: string; edit: string; view: string } {
  return { owner: tokenOf(s.links.owner), edit: tokenOf(s.links.edit), view: tokenOf(s.links.view) };
}

/** A request to the sandbox's own API (`/s/<id><path>`), body read to the end (an unread body blocks eviction). */
export async function api(s: Created, method: string, path: string, token: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any; text: string; headers: Headers }> {
  const res = await call(`/s/${s.id}${path}`, {
    method,
    headers: { ...bearer(token), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text, headers: res.headers };
}

export const k8s = (s: Created, method: string, path: string, token: string, body?: unknown, headers: Record<string, string> = {}) => api(s, method, `/k8s${path}`, token, body, headers);

export const pod = (name: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'app', image: 'nginx' }] } });

export function stubOf(s: Created) {
  return env.SANDBOX.get(env.SANDBOX.idFromName(s.id));
}

/** Runs `fn` with the sandbox's Room inside its Durable Object. */
export function inRoom<T>(s: Created, fn: (room: Room, state: DurableObjectState) => T | Promise<T>): Promise<T> {
  return runInDurableObject(stubOf(s), async (instance: unknown, state) => {
    const room = (instance as { load(): Room | undefined }).load();
    if (!room) throw new Error('no room');
    return fn(room, state);
  });
}

export interface Client {
  ws: WebSocket;
  doc: Y.Doc;
  messages: Uint8Array[];
  closed: Promise<{ code: number; reason: string }>;
  /** permission-denied reasons received */
  denied(): string[];
  sendUpdate(update: Uint8Array): void;
}

/** A y-websocket client of one doc, speaking the protocol by hand. */
export async function connect(s: Created, token: string, doc = 'cluster', params: Record<string, string> = {}): Promise<Client> {
  const qs = new URLSearchParams({ token, ...params });
  const res = await call(`/s/${s.id}/sync/${encodeURIComponent(doc)}?${qs}`, { headers: { upgrade: 'websocket' } });
  if (res.status !== 101) throw new Error(`upgrade refused: ${res.status} ${await res.text()}`);
  const ws = res.webSocket!;
  ws.accept();
  (ws as unknown as { binaryType: string }).binaryType = 'arraybuffer';
  const ydoc = new Y.Doc();
  const messages: Uint8Array[] = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.addEventListener('close', (e) => resolve({ code: e.code, reason: e.reason })));
  ws.addEventListener('message', (e) => {
    const data = new Uint8Array(e.data as ArrayBuffer);
    messages.push(data);
    const d = decoding.createDecoder(data);
    if (decoding.readVarUint(d) !== 0) return;
    const out = encoding.createEncoder();
    encoding.writeVarUint(out, 0);
    syncProtocol.readSyncMessage(d, out, ydoc, 'server');
    if (encoding.length(out) > 1 && ws.readyState === WebSocket.OPEN) ws.send(encoding.toUint8Array(out));
  });
  const hello = encoding.createEncoder();
  encoding.writeVarUint(hello, 0);
  syncProtocol.writeSyncStep1(hello, ydoc);
  if (ws.readyState === WebSocket.OPEN) ws.send(encoding.toUint8Array(hello));
  return {
    ws,
    doc: ydoc,
    messages,
    closed,
    denied: () =>
      messages
        .filter((m) => m[0] === 2)
        .map((m) => {
          const d = decoding.createDecoder(m);
          decoding.readVarUint(d);
          decoding.readVarUint(d);
          return decoding.readVarString(d);
        }),
    sendUpdate(update) {
      const e = encoding.createEncoder();
      encoding.writeVarUint(e, 0);
      syncProtocol.writeUpdate(e, update);
      ws.send(encoding.toUint8Array(e));
    },
  };
}

/** Makes a local change in a client's doc and sends it to the server as y-websocket would. */
export function edit(c: Client, change: (doc: Y.Doc) => void): void {
  const updates: Uint8Array[] = [];
  const on = (u: Uint8Array, origin: unknown) => {
    if (origin !== 'server') updates.push(u);
  };
  c.doc.on('update', on);
  c.doc.transact(() => change(c.doc), 'local');
  c.doc.off('update', on);
  for (const u of updates) c.sendUpdate(u);
}

export async function until(cond: () => boolean, what: string, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Evicts the sandbox's Durable Object (in-memory state gone; storage and sockets stay unless closed). */
export async function evict(s: Created): Promise<void> {
  const { evictDurableObject } = await import('cloudflare:test');
  await evictDurableObject(stubOf(s), { webSockets: 'close' });
}
