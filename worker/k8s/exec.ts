import type { Cluster } from '../../sim/cluster.ts';
import { ExecSession, resolveExec } from '../../sim/kubelet/exec.ts';
import type { UpgradeTarget } from './context.ts';

/**
 * `kubectl exec` over the protocol kubectl speaks: a WebSocket with subprotocol `v5.channel.k8s.io` (or v4),
 * each binary message's first byte its channel (0 stdin, 1 stdout, 2 stderr, 3 status, 4 resize, 255 close
 * in v5). The session ends with a `Status` on channel 3: Success, or Failure with reason NonZeroExitCode
 * and an ExitCode cause (kubectl then prints "command terminated with exit code N" and exits with it).
 *
 * Exec sockets are short-lived and plain (`accept()`), never the host's hibernatable sync sockets.
 */
export const EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];

const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const STATUS = 3;
const CLOSE = 255;

/** A WebSocket the host accepted for a short-lived session, and the 101 response handing the client its end. */
export interface AcceptedSocket {
  socket: {
    send(data: Uint8Array): void;
    close(code: number, reason: string): void;
    addEventListener(type: 'message', fn: (ev: { data: unknown }) => void): void;
    addEventListener(type: 'close', fn: () => void): void;
  };
  response: Response;
}

export interface ExecDeps {
  /** accepts a WebSocket with this subprotocol: how depends on the host (a WebSocketPair on Workers) */
  accept(protocol: string): AcceptedSocket;
  cluster: Cluster;
  /** the caller's role: a view-only token may not exec */
  role: 'owner' | 'edit' | 'view';
  user: string;
  /** persist what the session changed (files in the container) and broadcast */
  commit(): void | Promise<void>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function frame(channel: number, data: string | Uint8Array): Uint8Array {
  const bytes = typeof data === 'string' ? encoder.encode(data) : data;
  const out = new Uint8Array(bytes.length + 1);
  out[0] = channel;
  out.set(bytes, 1);
  return out;
}

function statusFor(code: number, argv: string[]): object {
  if (code === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${argv.join(' ')}], exit code ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}

function pickProtocol(req: Request): string | undefined {
  const offered = (req.headers.get('sec-websocket-protocol') ?? '').split(',').map((s) => s.trim());
  return EXEC_PROTOCOLS.find((p) => offered.includes(p));
}

function bool(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  return v === 'true' || v === '1';
}

/** Serves a pods/exec upgrade: accepts the WebSocket and runs the session in the simulated container. */
export async function execUpgrade(deps: ExecDeps, req: Request, target: UpgradeTarget): Promise<Response> {
  if (target.subresource !== 'exec') {
    return new Response(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `${target.subresource} is not supported in this sandbox yet`, reason: 'BadRequest', code: 400 }), {
      status: 400,
      headers: { 'content-type': 'application/json' },
    });
  }
  const protocol = pickProtocol(req);
  if (!protocol) {
    return new Response(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `unable to upgrade: no supported subprotocol (want one of ${EXEC_PROTOCOLS.join(', ')})`, reason: 'BadRequest', code: 400 }), {
      status: 400,
      headers: { 'content-type': 'application/json' },
    });
  }
  const q = target.query;
  const argv = q.getAll('command');
  const tty = bool(q, 'tty');
  const wantStdin = bool(q, 'stdin');
  const { socket: server, response } = deps.accept(protocol);

  let closed = false;
  const send = (channel: number, data: string | Uint8Array) => {
    if (closed) return;
    try {
      server.send(frame(channel, data));
    } catch {
      closed = true;
    }
  };
  const finish = async (status: object) => {
    if (closed) return;
    send(STATUS, JSON.stringify(status));
    closed = true;
    try {
      server.close(1000, '');
    } catch {
      // already closing
    }
  };
  const fail = (message: string, reason: string, code: number) => finish({ metadata: {}, status: 'Failure', message, reason, code });

  if (deps.role === 'view') {
    await fail(`pods "${target.name}" is forbidden: User "${deps.user}" cannot create resource "pods/exec" in API group "" in the namespace "${target.namespace}"`, 'Forbidden', 403);
    return response;
  }
  const where = resolveExec(deps.cluster, target.namespace, target.name, q.get('container') ?? undefined);
  if ('code' in where) {
    await fail(where.message, where.reason, where.code);
    return response;
  }
  const session = new ExecSession(
    deps.cluster,
    where.rt,
    where.container,
    argv,
    { tty, stdin: wantStdin },
    (t) => send(STDOUT, t),
    (t) => send(STDERR, t),
  );
  const done = async (code: number) => {
    await deps.commit();
    await finish(statusFor(code, argv));
  };
  session.start();
  if (session.exitCode !== undefined) {
    // A one-shot command (or one that could not start): its output, its status, and the socket closes.
    await done(session.exitCode);
  } else {
    // An interactive shell, or a command that reads stdin: fed from channel 0 until it exits or stdin closes.
    server.addEventListener('message', (ev: { data: unknown }) => {
      void (async () => {
        let data: Uint8Array;
        if (typeof ev.data === 'string') data = encoder.encode(ev.data);
        else if (ev.data instanceof ArrayBuffer) data = new Uint8Array(ev.data);
        else data = new Uint8Array(await (ev.data as Blob).arrayBuffer());
        if (!data.length || closed) return;
        const channel = data[0];
        if (channel === STDIN) {
          session.input(decoder.decode(data.subarray(1), { stream: true }));
          if (session.exitCode !== undefined) await done(session.exitCode);
          else await deps.commit();
        } else if (channel === CLOSE && data[1] === STDIN) {
          await done(session.endInput());
        }
        // channel 4 (resize) needs nothing: the simulated terminal has no size.
      })();
    });
    server.addEventListener('close', () => {
      if (closed) return;
      closed = true;
      session.endInput();
      void deps.commit();
    });
  }
  return response;
}
