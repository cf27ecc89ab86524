// The small shell of simulated containers: what tutorials run in busybox/alpine/ubuntu, with busybox's wording.
import { describe, expect, it } from 'vitest';
import { OverlayFs } from '../../sim/shell/fs.ts';
import { compile, newProc, registerCommand, runSync, step, type ShellHost } from '../../sim/shell/shell.ts';
import { ShellSyntaxError } from '../../sim/shell/parse.ts';

function host(env: Record<string, string> = {}) {
  const fs = new OverlayFs({ '/tmp': null, '/etc': null, '/etc/hostname': 'web\n', '/root': null });
  const h = { out: '', err: '' };
  const sh: ShellHost = { now: () => Date.parse('2026-01-01T00:00:00Z'), fs, env: { HOME: '/root', HOSTNAME: 'web', ...env }, out: (t) => (h.out += t), err: (t) => (h.err += t) };
  return { sh, h, fs };
}

function run(script: string, env?: Record<string, string>) {
  const { sh, h, fs } = host(env);
  const code = runSync(compile(script), newProc(), sh);
  return { code, ...h, fs };
}

describe('the shell', () => {
  it('runs the liveness example as steps: touch, sleep 30, rm, sleep 600', () => {
    const { sh, fs } = host();
    const prog = compile('touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600');
    const st = newProc();
    expect(step(prog, st, sh)).toEqual({ kind: 'sleep', ms: 30_000 });
    expect(fs.exists('/tmp/healthy')).toBe(true);
    // The state is plain JSON: a copy continues the same.
    const copy = JSON.parse(JSON.stringify(st));
    expect(step(prog, copy, sh)).toEqual({ kind: 'sleep', ms: 600_000 });
    expect(fs.exists('/tmp/healthy')).toBe(false);
    expect(step(prog, copy, sh)).toEqual({ kind: 'exit', code: 0 });
  });

  it('has ;, &&, ||, if, while, for, variables, redirection and command substitution', () => {
    expect(run('echo "hi $NAME ${HOME}" > /tmp/x; cat /tmp/x', { NAME: 'kube' }).out).toBe('hi kube /root\n');
    expect(run('echo a >> /tmp/l; echo b >> /tmp/l; cat /tmp/l').out).toBe('a\nb\n');
    expect(run('false && echo no || echo yes').out).toBe('yes\n');
    expect(run('true && echo one; false || echo two').out).toBe('one\ntwo\n');
    expect(run('for i in 1 2 3; do echo $i; done').out).toBe('1\n2\n3\n');
    expect(run('i=0; while [ $i -lt 3 ]; do i=$((i+1)); echo n$i; done').out).toBe('n1\nn2\nn3\n');
    expect(run('if [ -f /etc/hostname ]; then echo yes; else echo no; fi').out).toBe('yes\n');
    expect(run('echo "$(hostname) at $(date)"').out).toBe('web at Thu Jan  1 00:00:00 UTC 2026\n');
    expect(run("echo 'single $HOME'").out).toBe('single $HOME\n');
    expect(run('echo a | grep a').out).toBe('a\n');
    expect(run('while true; do echo x; break; done; echo after').out).toBe('x\nafter\n');
  });

  it('answers like busybox for missing files and commands', () => {
    expect(run('cat /tmp/healthy')).toMatchObject({ code: 1, err: "cat: can't open '/tmp/healthy': No such file or directory\n" });
    expect(run('ls /nope')).toMatchObject({ code: 1, err: 'ls: /nope: No such file or directory\n' });
    expect(run('rm /nope')).toMatchObject({ code: 1, err: "rm: can't remove '/nope': No such file or directory\n" });
    expect(run('nosuchcmd')).toMatchObject({ code: 127, err: 'sh: nosuchcmd: not found\n' });
    expect(run('exit 7').code).toBe(7);
    expect(() => compile('if true; then echo')).toThrow(ShellSyntaxError);
  });

  it('lists, makes directories, prints the environment', () => {
    expect(run('mkdir -p /data/a && touch /data/a/f && ls /data/a').out).toBe('f\n');
    expect(run('ls /').out).toBe('etc\nroot\ntmp\n');
    expect(run('printenv HOSTNAME').out).toBe('web\n');
    expect(run('env').out).toContain('HOME=/root\n');
    expect(run('X=1; export Y=2; echo $X$Y').out).toBe('12\n');
  });

  it('its command table can be extended (e.g. by the network for wget)', () => {
    registerCommand('kuberoom-test-cmd', (args, io) => {
      io.out(`got ${args.join(',')}\n`);
      return 0;
    });
    expect(run('kuberoom-test-cmd a b').out).toBe('got a,b\n');
  });

  it('a busy loop yields instead of hanging', () => {
    const { sh } = host();
    const r = step(compile('while true; do :; done'), newProc(), sh);
    expect(r.kind).toBe('sleep');
  });
});
