// `kubectl exec` with the real kubectl over the WebSocket exec protocol (v5.channel.k8s.io) into simulated
// containers: one-shot commands, exit codes, stdin, an interactive shell, and the errors a learner meets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { parseTable } from '../support/kubectl-output.ts';
import { KUBECTL, childEnv } from '../support/paths.ts';
import { clock, createSandbox, kubectlEnv, showRun, startServer, type KubectlEnv, type Sandbox, type Server } from '../support/server.ts';

let server: Server;
let sandbox: Sandbox;
let kubectl: KubectlEnv;

async function ok(args: string[], stdin?: string) {
  const r = await kubectl.run(args, { stdin });
  expect(r.code, `kubectl ${args.join(' ')}\n${showRun(r)}`).toBe(0);
  return r;
}

const manifest = `apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: web
    image: nginx:1.27
    env:
    - name: GREETING
      value: hello from kuberoom
---
apiVersion: v1
kind: Pod
metadata:
  name: box
spec:
  containers:
  - name: box
    image: busybox:1.36
    command: ["sleep", "3600"]
---
apiVersion: v1
kind: Pod
metadata:
  name: typo
spec:
  containers:
  - name: typo
    image: ngnix:1.27
`;

beforeAll(async () => {
  server = await startServer();
  sandbox = await createSandbox(server.origin);
  await clock(server.origin, sandbox, { action: 'pause' });
  kubectl = await kubectlEnv(server.origin, sandbox);
  await ok(['apply', '-f', '-'], manifest);
  await clock(server.origin, sandbox, { action: 'step', seconds: 20 });
});

afterAll(async () => {
  await server?.stop();
});

describe('kubectl exec', () => {
  it('ls /, cat /etc/hostname and env run in the container', async () => {
    const ls = await ok(['exec', 'web', '--', 'ls', '/']);
    expect(ls.stdout.split('\n')).toEqual(expect.arrayContaining(['etc', 'tmp', 'usr', 'var']));
    expect((await ok(['exec', 'web', '--', 'cat', '/etc/hostname'])).stdout).toBe('web\n');
    const env = await ok(['exec', 'web', '--', 'env']);
    expect(env.stdout).toContain('GREETING=hello from kuberoom\n');
    expect(env.stdout).toContain('HOSTNAME=web\n');
  });

  it('a failing command: its stderr, "command terminated with exit code N" and that exit code', async () => {
    const r = await kubectl.run(['exec', 'box', '--', 'cat', '/tmp/nope']);
    expect(r.code, showRun(r)).toBe(1);
    expect(r.stderr).toContain("cat: can't open '/tmp/nope': No such file or directory");
    expect(r.stderr).toContain('command terminated with exit code 1');
    const sh = await kubectl.run(['exec', 'box', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    expect(sh.code, showRun(sh)).toBe(3);
    expect(sh.stdout).toBe('out\n');
    expect(sh.stderr).toContain('err\n');
  });

  it('files written by one exec are there for the next', async () => {
    await ok(['exec', 'box', '--', 'sh', '-c', 'echo remembered > /tmp/note']);
    expect((await ok(['exec', 'box', '--', 'cat', '/tmp/note'])).stdout).toBe('remembered\n');
  });

  it('-i sh reads commands from stdin', async () => {
    const r = await ok(['exec', '-i', 'box', '--', 'sh'], 'echo one\nhostname\n');
    expect(r.stdout).toBe('one\nbox\n');
  });

  it('-it sh in a terminal: the busybox prompt, echoed keystrokes, and exit ends the session with its code', async () => {
    // `script` gives kubectl a real terminal (a pty), as a learner's shell would.
    const cache = mkdtempSync(join(kubectl.dir, 'cache-'));
    const cmd = `${KUBECTL} --kubeconfig ${kubectl.kubeconfigPath} --cache-dir ${cache} exec -it box -- sh`;
    const r = await new Promise<{ code: number; out: string }>((resolve) => {
      const child = spawn('script', ['-q', '-e', '-c', cmd, '/dev/null'], { env: { ...childEnv({ HOME: join(kubectl.dir, 'home') }), TERM: 'dumb' } });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      const kill = setTimeout(() => child.kill('SIGKILL'), 30_000);
      // Type after the prompt appears.
      const typed: ReturnType<typeof setInterval> = setInterval(() => {
        if (out.includes('/ # ')) {
          clearInterval(typed);
          child.stdin.write('hostname\r');
          setTimeout(() => child.stdin.write('exit 3\r'), 500);
        }
      }, 100);
      child.on('close', (code) => {
        clearTimeout(kill);
        clearInterval(typed);
        resolve({ code: code ?? -1, out });
      });
    });
    expect(r.out, r.out).toContain('/ # ');
    expect(r.out).toMatch(/hostname\r?\r\nbox\r?\r\n\/ # /);
    expect(r.code, r.out).toBe(3);
  });

  it('an executable the image lacks: the runtime error and exit code 126', async () => {
    const r = await kubectl.run(['exec', 'box', '--', 'bash']);
    expect(r.code, showRun(r)).toBe(126);
    expect(r.stdout + r.stderr).toContain('OCI runtime exec failed: exec failed: unable to start container process: exec: "bash": executable file not found in $PATH: unknown');
  });

  it('a container that is not running cannot be exec-ed into', async () => {
    const r = await kubectl.run(['exec', 'typo', '--', 'ls']);
    expect(r.code, showRun(r)).not.toBe(0);
    expect(r.stderr).toContain('unable to upgrade connection: container not found ("typo")');
  });
});

describe('kubectl top (metrics.k8s.io from simulated usage)', () => {
  it('top pods lists the running pods with their CPU and memory', async () => {
    const r = await ok(['top', 'pods']);
    const t = parseTable(r.stdout);
    expect(t.header, r.stdout).toEqual(['NAME', 'CPU(cores)', 'MEMORY(bytes)']);
    const web = t.rows.find((x) => x.NAME === 'web');
    expect(web, r.stdout).toBeDefined();
    expect(web!['CPU(cores)']).toMatch(/^\d+m$/);
    expect(web!['MEMORY(bytes)']).toMatch(/^[1-9]\d*Mi$/);
    expect(t.rows.map((x) => x.NAME)).not.toContain('typo');
    const c = await ok(['top', 'pod', 'web', '--containers']);
    expect(parseTable(c.stdout).rows[0]).toMatchObject({ POD: 'web', NAME: 'web' });
  });

  it('top nodes shows each node with its use and percentages of allocatable', async () => {
    const r = await ok(['top', 'nodes']);
    const t = parseTable(r.stdout);
    expect(t.header[0]).toBe('NAME');
    expect(t.header).toContain('CPU(cores)');
    expect(t.rows.map((x) => x.NAME).sort()).toEqual(['node-1', 'node-2', 'node-3']);
    for (const row of t.rows) expect(Object.values(row).join(' '), r.stdout).toMatch(/\d+m \d+% \d+Mi \d+%/);
  });
});
