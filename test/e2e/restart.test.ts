// A sandbox survives its server going away: stop `wrangler dev` (politely with SIGTERM, or killed outright
// with SIGKILL), start it again on the same persistence directory, and kubectl finds the same cluster:
// the same nodes and pods, with the same uids and resourceVersions, and the same token still works.
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseTable } from '../support/kubectl-output.ts';
import { tmpRoot } from '../support/paths.ts';
import { clock, createSandbox, kubectlEnv, showRun, startServer, type KubectlEnv, type Server } from '../support/server.ts';

interface Seen {
  kind: string;
  name: string;
  uid: string;
  resourceVersion: string;
  phase?: string;
  nodeName?: string;
}

async function ok(kubectl: KubectlEnv, args: string[], stdin?: string) {
  const r = await kubectl.run(args, { stdin });
  expect(r.code, `kubectl ${args.join(' ')}\n${showRun(r)}`).toBe(0);
  return r;
}

/** What `kubectl get nodes,pods -o yaml` says about every object, keyed by kind/name. */
async function snapshot(kubectl: KubectlEnv): Promise<Map<string, Seen>> {
  const list = parse((await ok(kubectl, ['get', 'nodes,pods', '-o', 'yaml'])).stdout);
  const seen = new Map<string, Seen>();
  for (const o of list.items) {
    seen.set(`${o.kind}/${o.metadata.name}`, {
      kind: o.kind,
      name: o.metadata.name,
      uid: o.metadata.uid,
      resourceVersion: o.metadata.resourceVersion,
      phase: o.status?.phase,
      nodeName: o.spec?.nodeName,
    });
  }
  return seen;
}

/** The pods table without the AGE column (which depends on when one looks). */
async function podsTable(kubectl: KubectlEnv) {
  const t = parseTable((await ok(kubectl, ['get', 'pods', '-o', 'wide'])).stdout);
  return t.rows.map(({ AGE: _age, ...rest }) => rest);
}

const manifest = `apiVersion: v1
kind: Pod
metadata:
  name: from-file
spec:
  containers:
  - name: main
    image: redis:7
`;

let servers: Server[] = [];
let dirs: string[] = [];

afterEach(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  servers = [];
  dirs = [];
});

describe.each(['SIGTERM', 'SIGKILL'] as const)('after %s', (signal) => {
  it('the sandbox is all still there', async () => {
    const persistTo = mkdtempSync(join(tmpRoot(), 'kuberoom-restart-'));
    dirs.push(persistTo);

    const first = await startServer({ persistTo });
    servers.push(first);
    const sandbox = await createSandbox(first.origin);
    await clock(first.origin, sandbox, { action: 'pause' });
    let kubectl = await kubectlEnv(first.origin, sandbox);
    expect((await ok(kubectl, ['run', 'web', '--image=nginx'])).stdout.trim()).toBe('pod/web created');
    expect((await ok(kubectl, ['apply', '-f', '-'], manifest)).stdout.trim()).toBe('pod/from-file created');
    await clock(first.origin, sandbox, { action: 'step', seconds: 30 });
    // A pod created after the last step stays Pending: that too must come back as it was.
    expect((await ok(kubectl, ['run', 'late', '--image=busybox', '--', 'sleep', '3600'])).stdout.trim()).toBe(
      'pod/late created',
    );

    const before = await snapshot(kubectl);
    const tableBefore = await podsTable(kubectl);
    const nodesBefore = [...before.values()].filter((o) => o.kind === 'Node').map((o) => o.name);
    expect(nodesBefore.sort()).toEqual(['node-1', 'node-2', 'node-3']);
    const pods = [...before.values()].filter((o) => o.kind === 'Pod').map((o) => o.name);
    expect(pods.sort()).toEqual(['from-file', 'late', 'web']);
    expect(before.get('Pod/web')?.phase).toBe('Running');
    expect(before.get('Pod/late')?.phase).toBe('Pending');

    await first.stop({ signal, removePersistDir: false });

    const second = await startServer({ persistTo });
    servers.push(second);
    // The same token, a new server address.
    kubectl = await kubectlEnv(second.origin, sandbox);
    const after = await snapshot(kubectl);
    expect(after).toEqual(before);
    expect(await podsTable(kubectl)).toEqual(tableBefore);

    // And it goes on working: the paused clock stayed paused, stepping it runs the late pod.
    await clock(second.origin, sandbox, { action: 'step', seconds: 30 });
    const late = parseTable((await ok(kubectl, ['get', 'pod', 'late'])).stdout).rows[0];
    expect(late?.STATUS).toBe('Running');
    expect((await ok(kubectl, ['run', 'after-restart', '--image=nginx'])).stdout.trim()).toBe('pod/after-restart created');
  });
});
