/**
 * Long-lived responses: watch streams (newline-delimited JSON events) and followed logs. Both hold a
 * subscription on the cluster while the client reads, end on `timeoutSeconds`, client disconnect, or when the
 * client cannot keep up, and tell the host (watchOpened/watchClosed) so it keeps the virtual clock moving.
 */
import type { WatchEvent, WatchOptions } from '../../sim/apiserver/apiserver.ts';
import { StatusError } from '../../sim/apiserver/errors.ts';
import type { ResourceInfo } from '../../sim/apiserver/resources.ts';
import type { K8sContext } from './context.ts';

/** A client this far behind (queued chunks) is cut off, as the API server drops a watcher whose buffer is full. */
const MAX_QUEUED_CHUNKS = 10_000;
/** How often a watch that allows bookmarks gets one (the real server sends them about once a minute). */
const BOOKMARK_INTERVAL_MS = 60_000;

interface StreamControl {
  push(text: string): void;
  close(): void;
  /** true once the stream is closed or cancelled */
  readonly closed: boolean;
}

/**
 * A ReadableStream whose chunks are pushed by `setup` (which may push synchronously before the stream starts)
 * and which cleans up once, whatever ends it.
 */
export function pushStream(ctx: K8sContext, setup: (c: StreamControl) => () => void, timeoutMs?: number): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  const pending: Uint8Array[] = [];
  let closed = false;
  let teardown: (() => void) | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let notified = false;

  const finish = () => {
    if (closed) return;
    closed = true;
    if (timer !== undefined) clearTimeout(timer);
    try {
      teardown?.();
    } catch (e) {
      console.error('stream teardown failed', e);
    }
    teardown = undefined;
    if (notified) ctx.watchClosed?.();
  };

  const control: StreamControl = {
    push(text) {
      if (closed) return;
      const chunk = encoder.encode(text);
      if (!controller) {
        pending.push(chunk);
        return;
      }
      if ((controller.desiredSize ?? 0) < -MAX_QUEUED_CHUNKS) {
        control.close();
        return;
      }
      controller.enqueue(chunk);
    },
    close() {
      if (closed) return;
      finish();
      try {
        controller?.close();
      } catch {
        // already closed or errored
      }
    },
    get closed() {
      return closed;
    },
  };

  let closeOnStart = false;
  try {
    teardown = setup(control);
  } catch (e) {
    finish();
    throw e;
  }
  if (closed) {
    // setup ended the stream before it started (e.g. a 410): nothing stays open.
    closeOnStart = true;
  } else {
    ctx.watchOpened?.();
    notified = true;
  }

  return new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
      for (const chunk of pending) c.enqueue(chunk);
      pending.length = 0;
      if (closeOnStart) {
        c.close();
        return;
      }
      if (timeoutMs !== undefined && timeoutMs > 0) timer = setTimeout(() => control.close(), timeoutMs);
    },
    cancel() {
      finish();
    },
  });
}

export interface WatchStreamParams {
  ctx: K8sContext;
  info: ResourceInfo;
  namespace: string | undefined;
  opts: WatchOptions;
  timeoutSeconds: number;
  /** The JSON of one event as the client should see it (`first` is true for the first non-error event). */
  render(ev: WatchEvent, first: boolean): unknown;
}

/**
 * Starts a watch. Errors that the API server reports before streaming (bad selectors) throw; a too-old
 * resourceVersion becomes an ERROR event carrying the 410 Status, after which the stream ends.
 */
export function watchStream(p: WatchStreamParams): ReadableStream<Uint8Array> {
  return pushStream(
    p.ctx,
    (c) => {
      let first = true;
      const send = (ev: WatchEvent) => {
        const isError = ev.type === 'ERROR';
        const body = p.render(ev, first && !isError);
        if (!isError && ev.type !== 'BOOKMARK') first = false;
        c.push(JSON.stringify(body) + '\n');
      };
      let unsubscribe: (() => void) | undefined;
      try {
        unsubscribe = p.ctx.cluster.api.watch(p.info, p.namespace, p.opts, send);
      } catch (e) {
        if (e instanceof StatusError && e.code === 410) {
          send({ type: 'ERROR', object: e.toStatus() });
          c.close();
          return () => {};
        }
        throw e;
      }
      let bookmarks: ReturnType<typeof setInterval> | undefined;
      if (p.opts.allowWatchBookmarks) {
        bookmarks = setInterval(() => send({ type: 'BOOKMARK', object: p.ctx.cluster.api.bookmark(p.info) }), BOOKMARK_INTERVAL_MS);
      }
      return () => {
        unsubscribe?.();
        if (bookmarks !== undefined) clearInterval(bookmarks);
      };
    },
    p.timeoutSeconds * 1000,
  );
}
