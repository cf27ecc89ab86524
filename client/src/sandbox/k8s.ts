/** The cluster views' access to the sandbox's Kubernetes API: the emulator's client, kubectl itself, watches. */
import { ApiClient, StatusError, serverErrorText, type ApiResource } from '../kubectl/api';
import { Kubectl } from '../kubectl/kubectl';
import type { Obj } from '../kubectl/util';

const clients = new Map<string, { api: ApiClient; kubectl: Kubectl }>();

function entry(id: string, token: string) {
  const key = `${id}\n${token}`;
  let e = clients.get(key);
  if (!e) {
    const base = `/s/${encodeURIComponent(id)}/k8s`;
    e = { api: new ApiClient(base, token), kubectl: new Kubectl({ base, token }) };
    clients.set(key, e);
  }
  return e;
}

/** One API client per sandbox and token (its discovery is cached). */
export const apiClient = (id: string, token: string): ApiClient => entry(id, token).api;

/** What a kubectl command printed, as the in-page kubectl emulator prints it (the same as the real one). */
export async function kubectlText(id: string, token: string, argv: string[], signal?: AbortSignal): Promise<{ out: string; err: string; code: number }> {
  let out = '';
  let err = '';
  const code = await entry(id, token).kubectl.run(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t), signal });
  return { out, err, code };
}

/** The served resource of a kind: the preferred group's (core Events over events.k8s.io). */
export async function resourceOfKind(api: ApiClient, kind: string): Promise<ApiResource | undefined> {
  const all = await api.resources();
  return all.find((r) => r.kind === kind && !r.resource.includes('/') && r.group !== 'events.k8s.io');
}

/** kubectl's name for a resource: "pods", "deployments.apps". */
export const kubectlType = (r: ApiResource): string => (r.group ? `${r.resource}.${r.group}` : r.resource);

export function errorText(e: unknown): string {
  if (e instanceof StatusError) return serverErrorText(e);
  return e instanceof Error ? e.message : String(e);
}

export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: Obj;
}

/**
 * Follows a watch (`?watch=1`) from a resourceVersion, calling `onEvent` per event, until the stream ends or
 * `signal` aborts. Resolves on the end of the stream (the caller relists and watches again).
 */
export async function watchStream(
  api: ApiClient,
  path: string,
  query: Record<string, string | undefined>,
  onEvent: (ev: WatchEvent) => void,
  signal: AbortSignal,
): Promise<void> {
  const res = await api.raw(path, { query: { ...query, watch: '1', allowWatchBookmarks: 'true' }, signal });
  const reader = res.body?.getReader();
  if (!reader) return;
  const decoder = new TextDecoder();
  let buf = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += decoder.decode(value, { stream: true });
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (line) onEvent(JSON.parse(line) as WatchEvent);
      }
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}

/**
 * Keeps calling `load` (a list; returns its resourceVersion) and then watches `path` from there, calling
 * `changed` on every change, until `signal` aborts. A failed watch or list is retried after a pause.
 */
export async function listAndWatch(
  api: ApiClient,
  path: string,
  load: () => Promise<string>,
  changed: (ev: WatchEvent) => void,
  signal: AbortSignal,
  query: Record<string, string | undefined> = {},
): Promise<void> {
  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
  let failures = 0;
  while (!signal.aborted) {
    try {
      const rv = await load();
      if (signal.aborted) return;
      await watchStream(api, path, { ...query, resourceVersion: rv }, (ev) => {
        if (ev.type !== 'BOOKMARK' && ev.type !== 'ERROR') changed(ev);
      }, signal);
      failures = 0;
    } catch {
      if (signal.aborted) return;
      failures++;
    }
    await pause(Math.min(500 * 2 ** failures, 10_000));
  }
}
