// kubectl exec's container side: one-shot commands and an interactive shell in the container's files and env.
import { describe, expect, it } from 'vitest';
import type { Pod } from '../../sim/apiserver/types.ts';
import type { Cluster } from '../../sim/cluster.ts';
import { ExecSession, resolveExec, type ExecOptions } from '../../sim/kubelet/exec.ts';
import { createPod, newCluster } from './helpers.ts';

function exec(c: Cluster, pod: string, argv: string[], opts: ExecOptions = {}) {
  const r = resolveExec(c, 'default', pod, opts.container);
  if ('code' in r) return { refusal: r, out: '', err: '', code: -1 };
  let out = '';
  let err = '';
  const s = new ExecSession(c, r.rt, r.container, argv, opts, (t) => (out += t), (t) => (err += t));
  const code = s.start() ?? s.endInput();
  return { out, err, code, refusal: undefined };
}

function running(): Cluster {
  const c = newCluster();
  createPod(c, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { containers: [{ name: 'web', image: 'nginx:1.27', env: [{ name: 'GREETING', value: 'hello' }] }] } } as Pod);
  createPod(c, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'box' }, spec: { containers: [{ name: 'box', image: 'busybox:1.36', command: ['sleep', '3600'] }] } } as Pod);
  createPod(c, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'hello' }, spec: { containers: [{ name: 'hello', image: 'gcr.io/google-samples/hello-app:2.0' }] } } as Pod);
  c.advance(10_000);
  return c;
}

describe('exec', () => {
  it('runs ls, cat /etc/hostname and env in the container', () => {
    const c = running();
    expect(exec(c, 'web', ['ls', '/']).out.split('\n')).toEqual(expect.arrayContaining(['etc', 'tmp', 'usr', 'var']));
    expect(exec(c, 'web', ['cat', '/etc/hostname'])).toMatchObject({ out: 'web\n', code: 0 });
    expect(exec(c, 'web', ['env']).out).toContain('GREETING=hello\n');
    expect(exec(c, 'web', ['env']).out).toContain('KUBERNETES_SERVICE_HOST=10.96.0.1\n');
    expect(exec(c, 'web', ['cat', '/usr/share/nginx/html/index.html']).out).toContain('<title>Welcome to nginx!</title>');
    expect(exec(c, 'box', ['ps']).out).toBe('PID   USER     TIME  COMMAND\n    1 root      0:00 sleep 3600\n    7 root      0:00 ps\n');
  });

  it('gives the exit code of a failing command, and what it wrote stays in the container', () => {
    const c = running();
    expect(exec(c, 'box', ['sh', '-c', 'exit 3']).code).toBe(3);
    expect(exec(c, 'box', ['cat', '/nope'])).toMatchObject({ code: 1, err: "cat: can't open '/nope': No such file or directory\n" });
    expect(exec(c, 'box', ['sh', '-c', 'echo saved > /tmp/note']).code).toBe(0);
    expect(exec(c, 'box', ['cat', '/tmp/note']).out).toBe('saved\n');
  });

  it('an executable the image lacks fails as containerd says, with exit code 126', () => {
    const c = running();
    expect(exec(c, 'box', ['bash'])).toMatchObject({ code: 126, out: 'OCI runtime exec failed: exec failed: unable to start container process: exec: "bash": executable file not found in $PATH: unknown\n' });
    expect(exec(c, 'hello', ['sh', '-c', 'ls']).code).toBe(126);
  });

  it('an interactive shell prompts, echoes keystrokes and runs each line; exit ends it', () => {
    const c = running();
    const r = resolveExec(c, 'default', 'box', undefined);
    if ('code' in r) throw new Error(r.message);
    let out = '';
    const s = new ExecSession(c, r.rt, r.container, ['sh'], { stdin: true, tty: true }, (t) => (out += t), () => {});
    expect(s.start()).toBeUndefined();
    expect(out).toBe('/ # ');
    s.input('hostname\r');
    expect(out).toBe('/ # hostname\r\nbox\r\n/ # ');
    s.input('cd /tmp\rpwd\r');
    expect(out.endsWith('/tmp\r\n/tmp # ')).toBe(true);
    s.input('exit 4\r');
    expect(s.exitCode).toBe(4);
  });

  it('refuses a container the pod does not have, and a container that is not running', () => {
    const c = running();
    expect(exec(c, 'web', ['ls'], { container: 'nope' }).refusal).toEqual({ code: 400, reason: 'BadRequest', message: 'container nope is not valid for pod web' });
    createPod(c, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'typo' }, spec: { containers: [{ name: 'typo', image: 'ngnix' }] } } as Pod);
    c.advance(5_000);
    expect(exec(c, 'typo', ['ls']).refusal).toEqual({ code: 400, reason: 'BadRequest', message: 'unable to upgrade connection: container not found ("typo")' });
  });
});
