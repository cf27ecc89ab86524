// Workflows from the kubernetes.io task pages and the CKAD exercise sets, driven through the real kubectl
// against a running Kuberoom server (wrangler dev), asserting what a learner sees in the terminal. The
// sandbox's clock is paused and stepped by the tests. Controllers (Deployments, ...) are another issue's:
// these workflows use pods, configmaps, secrets, namespaces, services and serviceaccounts.
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseTable } from '../support/kubectl-output.ts';
import { childEnv, KUBECTL } from '../support/paths.ts';
import { clock, createSandbox, kubectlEnv, showRun, startServer, type KubectlEnv, type RunResult, type Sandbox, type Server } from '../support/server.ts';

let server: Server;
let sandbox: Sandbox;
let kubectl: KubectlEnv;

async function ok(args: string[], stdin?: string): Promise<RunResult> {
  const r = await kubectl.run(args, { stdin });
  expect(r.code, `kubectl ${args.join(' ')}\n${showRun(r)}`).toBe(0);
  return r;
}

async function fails(args: string[], stdin?: string): Promise<RunResult> {
  const r = await kubectl.run(args, { stdin });
  expect(r.code, `kubectl ${args.join(' ')} should fail\n${showRun(r)}`).not.toBe(0);
  return r;
}

/**
 * kubectl with extra environment (KUBE_EDITOR): kubectlEnv's runner with a fresh discovery cache. `onStderr`
 * sees stderr as it comes (with -v=6, the requests kubectl makes).
 */
function runWithEnv(args: string[], env: Record<string, string>, timeoutMs = 60_000, onStderr?: (all: string) => void): Promise<RunResult> {
  const cacheDir = mkdtempSync(join(kubectl.dir, 'cache-'));
  return new Promise((resolve, reject) => {
    const child = spawn(KUBECTL, ['--kubeconfig', kubectl.kubeconfigPath, '--cache-dir', cacheDir, ...args], {
      cwd: kubectl.dir,
      env: { ...childEnv({ HOME: join(kubectl.dir, 'home'), ...env }), KUBECONFIG: kubectl.kubeconfigPath },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      onStderr?.(stderr);
    });
    child.on('error', reject);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, stderr });
    });
  });
}

const step = (seconds: number) => clock(server.origin, sandbox, { action: 'step', seconds });

const podYaml = (name: string, opts: { image?: string; labels?: Record<string, string>; ns?: string } = {}) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
${opts.ns ? `  namespace: ${opts.ns}\n` : ''}  labels:
${Object.entries(opts.labels ?? { app: name })
  .map(([k, v]) => `    ${k}: ${v}`)
  .join('\n')}
spec:
  containers:
  - name: main
    image: ${opts.image ?? 'nginx:1.27'}
    ports:
    - containerPort: 80
`;

const cmYaml = (name: string, data: Record<string, string>, extraMeta = '') => `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
${extraMeta}data:
${Object.entries(data)
  .map(([k, v]) => `  ${k}: "${v}"`)
  .join('\n')}
`;

beforeAll(async () => {
  server = await startServer();
  sandbox = await createSandbox(server.origin);
  await clock(server.origin, sandbox, { action: 'pause' });
  kubectl = await kubectlEnv(server.origin, sandbox);
  // Two running pods for the read-only workflows.
  kubectl.writeFile('web.yaml', podYaml('web', { labels: { app: 'web', tier: 'frontend' } }));
  kubectl.writeFile('db.yaml', podYaml('db', { image: 'redis:7', labels: { app: 'db', tier: 'backend' } }));
  const a = await kubectl.run(['apply', '-f', 'web.yaml', '-f', 'db.yaml']);
  if (a.code !== 0) throw new Error(showRun(a));
  await step(30);
});

afterAll(async () => {
  await server?.stop();
});

describe('apply and get in every output format', () => {
  it('1. apply creates, then is unchanged, then configured', async () => {
    kubectl.writeFile('w1.yaml', podYaml('w1'));
    expect((await ok(['apply', '-f', 'w1.yaml'])).stdout.trim()).toBe('pod/w1 created');
    expect((await ok(['apply', '-f', 'w1.yaml'])).stdout.trim()).toBe('pod/w1 unchanged');
    kubectl.writeFile('w1.yaml', podYaml('w1', { labels: { app: 'w1', env: 'test' } }));
    expect((await ok(['apply', '-f', 'w1.yaml'])).stdout.trim()).toBe('pod/w1 configured');
    const got = parse((await ok(['get', 'pod', 'w1', '-o', 'yaml'])).stdout);
    expect(got.metadata.labels).toEqual({ app: 'w1', env: 'test' });
    expect(got.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']).toContain('"env":"test"');
  });

  it('2. get pods prints the real columns', async () => {
    const t = parseTable((await ok(['get', 'pods'])).stdout);
    expect(t.header).toEqual(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
    const web = t.rows.find((r) => r.NAME === 'web')!;
    expect(web).toMatchObject({ READY: '1/1', STATUS: 'Running', RESTARTS: '0' });
  });

  it('3. get pod -o yaml', async () => {
    const got = parse((await ok(['get', 'pod', 'web', '-o', 'yaml'])).stdout);
    expect(got.apiVersion).toBe('v1');
    expect(got.kind).toBe('Pod');
    expect(got.metadata).toMatchObject({ name: 'web', namespace: 'default', labels: { app: 'web', tier: 'frontend' } });
    expect(got.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(got.spec.containers[0]).toMatchObject({ name: 'main', image: 'nginx:1.27', imagePullPolicy: 'IfNotPresent', terminationMessagePolicy: 'File' });
    expect(got.spec).toMatchObject({ restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', schedulerName: 'default-scheduler', terminationGracePeriodSeconds: 30 });
    expect(got.status.phase).toBe('Running');
    expect(got.status.conditions.map((c: { type: string }) => c.type)).toContain('Ready');
  });

  it('4. get pod -o json', async () => {
    const got = JSON.parse((await ok(['get', 'pod', 'web', '-o', 'json'])).stdout);
    expect(got.kind).toBe('Pod');
    expect(got.spec.nodeName).toMatch(/^node-\d$/);
    expect(got.status.podIP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    const list = JSON.parse((await ok(['get', 'pods', '-o', 'json'])).stdout);
    expect(list.kind).toBe('List');
    expect(list.items.map((p: { metadata: { name: string } }) => p.metadata.name)).toEqual(expect.arrayContaining(['web', 'db']));
  });

  it('5. get pods -o wide', async () => {
    const out = (await ok(['get', 'pods', '-o', 'wide'])).stdout;
    expect(out.split('\n')[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES$/);
    const line = out.split('\n').find((l) => l.startsWith('web '))!;
    expect(line).toMatch(/^web\s+1\/1\s+Running\s+0\s+\S+\s+\d+\.\d+\.\d+\.\d+\s+node-\d\s+<none>\s+<none>$/);
  });

  it('6. get pods -o name', async () => {
    const names = (await ok(['get', 'pods', '-o', 'name'])).stdout.trim().split('\n');
    expect(names).toEqual(expect.arrayContaining(['pod/web', 'pod/db']));
  });

  it("7. get pods -o jsonpath='{.items[*].metadata.name}'", async () => {
    const out = (await ok(['get', 'pods', '-l', 'tier', '-o', 'jsonpath={.items[*].metadata.name}'])).stdout;
    expect(out.split(' ').sort()).toEqual(['db', 'web']);
  });

  it('8. get pods -o custom-columns', async () => {
    const out = (await ok(['get', 'pods', '-l', 'tier', '-o', 'custom-columns=NAME:.metadata.name,IMAGE:.spec.containers[0].image,NODE:.spec.nodeName', '--sort-by=.metadata.name'])).stdout;
    const t = parseTable(out);
    expect(t.header).toEqual(['NAME', 'IMAGE', 'NODE']);
    expect(t.rows.map((r) => [r.NAME, r.IMAGE])).toEqual([
      ['db', 'redis:7'],
      ['web', 'nginx:1.27'],
    ]);
  });

  it('9. get with label and field selectors, --show-labels, -L', async () => {
    const byLabel = parseTable((await ok(['get', 'pods', '-l', 'tier=frontend'])).stdout);
    expect(byLabel.rows.map((r) => r.NAME)).toEqual(['web']);
    const notIn = parseTable((await ok(['get', 'pods', '-l', 'tier notin (frontend),tier'])).stdout);
    expect(notIn.rows.map((r) => r.NAME)).toEqual(['db']);
    const running = (await ok(['get', 'pods', '--field-selector=status.phase=Running', '-o', 'name'])).stdout;
    expect(running).toContain('pod/web');
    const shown = (await ok(['get', 'pod', 'web', '--show-labels'])).stdout;
    expect(shown.split('\n')[0]).toMatch(/LABELS$/);
    expect(shown).toContain('app=web,tier=frontend');
    const col = parseTable((await ok(['get', 'pods', '-l', 'tier', '-L', 'tier', '--sort-by=.metadata.name'])).stdout);
    expect(col.header).toEqual(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'TIER']);
    expect(col.rows.map((r) => r.TIER)).toEqual(['backend', 'frontend']);
  });

  it('10. get a missing pod: NotFound, as a learner sees it', async () => {
    const r = await fails(['get', 'pod', 'nope']);
    expect(r.stderr.trim()).toBe('Error from server (NotFound): pods "nope" not found');
  });

  it('11. create of an existing pod: AlreadyExists', async () => {
    const r = await fails(['create', '-f', 'web.yaml']);
    expect(r.stderr.trim()).toBe('Error from server (AlreadyExists): error when creating "web.yaml": pods "web" already exists');
  });

  it('12. a typo in a manifest is refused by strict field validation', async () => {
    kubectl.writeFile('typo.yaml', podYaml('typo').replace('image:', 'imagee:'));
    const r = await fails(['apply', '-f', 'typo.yaml']);
    expect(r.stderr).toContain('unknown field "spec.containers[0].imagee"');
    await fails(['get', 'pod', 'typo']);
  });
});

describe('describe', () => {
  it('13. describe pod', async () => {
    const out = (await ok(['describe', 'pod', 'web'])).stdout;
    expect(out).toMatch(/^Name:\s+web$/m);
    expect(out).toMatch(/^Namespace:\s+default$/m);
    expect(out).toMatch(/^Node:\s+node-\d\/\d+\.\d+\.\d+\.\d+$/m);
    expect(out).toMatch(/^Labels:\s+app=web$/m);
    expect(out).toMatch(/^\s+tier=frontend$/m);
    expect(out).toMatch(/^Status:\s+Running$/m);
    expect(out).toMatch(/^\s+Image:\s+nginx:1\.27$/m);
    expect(out).toMatch(/^\s+Ready:\s+True$/m);
    expect(out).toMatch(/^Events:/m);
    expect(out).toMatch(/Normal\s+Scheduled\s+.*default-scheduler\s+Successfully assigned default\/web to node-\d/);
    expect(out).toMatch(/Normal\s+Started\s+.*kubelet\s+Started container main/);
  });

  it('14. describe node', async () => {
    const out = (await ok(['describe', 'node', 'node-1'])).stdout;
    expect(out).toMatch(/^Name:\s+node-1$/m);
    expect(out).toMatch(/^Roles:\s+<none>$/m);
    expect(out).toMatch(/^Conditions:/m);
    expect(out).toMatch(/^\s+Ready\s+True\s/m);
    expect(out).toMatch(/^Capacity:/m);
    expect(out).toMatch(/^Allocatable:/m);
    expect(out).toMatch(/^Non-terminated Pods:/m);
    expect(out).toMatch(/^Allocated resources:/m);
  });

  it('15. describe namespace', async () => {
    const out = (await ok(['describe', 'namespace', 'default'])).stdout;
    expect(out).toMatch(/^Name:\s+default$/m);
    expect(out).toMatch(/^Status:\s+Active$/m);
    expect(out).toContain('No resource quota.');
    expect(out).toContain('No LimitRange resource.');
  });
});

describe('configmaps, secrets, services, serviceaccounts, namespaces', () => {
  it('16. create configmap --from-literal, then read a key', async () => {
    expect((await ok(['create', 'configmap', 'app-config', '--from-literal=color=blue', '--from-literal=size=3'])).stdout.trim()).toBe('configmap/app-config created');
    expect((await ok(['get', 'configmap', 'app-config', '-o', 'jsonpath={.data.color}'])).stdout).toBe('blue');
    const t = parseTable((await ok(['get', 'cm', 'app-config'])).stdout);
    expect(t.header).toEqual(['NAME', 'DATA', 'AGE']);
    expect(t.rows[0]).toMatchObject({ NAME: 'app-config', DATA: '2' });
  });

  it('17. create configmap --from-file and describe it', async () => {
    kubectl.writeFile('game.properties', 'lives=3\nenemies=aliens\n');
    expect((await ok(['create', 'configmap', 'game', '--from-file=game.properties'])).stdout.trim()).toBe('configmap/game created');
    const out = (await ok(['describe', 'configmap', 'game'])).stdout;
    expect(out).toMatch(/^Name:\s+game$/m);
    expect(out).toMatch(/^Data\n====\ngame\.properties:\n----\nlives=3\nenemies=aliens\n/m);
  });

  it('18. create secret generic, decode it, describe it', async () => {
    expect((await ok(['create', 'secret', 'generic', 'db-pass', '--from-literal=username=admin', '--from-literal=password=s3cr3t!'])).stdout.trim()).toBe('secret/db-pass created');
    const b64 = (await ok(['get', 'secret', 'db-pass', '-o', 'jsonpath={.data.password}'])).stdout;
    expect(Buffer.from(b64, 'base64').toString()).toBe('s3cr3t!');
    const t = parseTable((await ok(['get', 'secret', 'db-pass'])).stdout);
    expect(t.header).toEqual(['NAME', 'TYPE', 'DATA', 'AGE']);
    expect(t.rows[0]).toMatchObject({ NAME: 'db-pass', TYPE: 'Opaque', DATA: '2' });
    const out = (await ok(['describe', 'secret', 'db-pass'])).stdout;
    expect(out).toMatch(/^Type:\s+Opaque$/m);
    expect(out).toMatch(/^password:\s+7 bytes$/m);
    expect(out).toMatch(/^username:\s+5 bytes$/m);
  });

  it('19. create a service and describe it', async () => {
    expect((await ok(['create', 'service', 'clusterip', 'web-svc', '--tcp=80:8080'])).stdout.trim()).toBe('service/web-svc created');
    const t = parseTable((await ok(['get', 'svc', 'web-svc'])).stdout);
    expect(t.header).toEqual(['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
    expect(t.rows[0]).toMatchObject({ NAME: 'web-svc', TYPE: 'ClusterIP', 'EXTERNAL-IP': '<none>', 'PORT(S)': '80/TCP' });
    expect(t.rows[0]!['CLUSTER-IP']).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    const out = (await ok(['describe', 'service', 'web-svc'])).stdout;
    expect(out).toMatch(/^Name:\s+web-svc$/m);
    expect(out).toMatch(/^Selector:\s+app=web-svc$/m);
    expect(out).toMatch(/^Type:\s+ClusterIP$/m);
    expect(out).toMatch(/^TargetPort:\s+8080\/TCP$/m);
  });

  it('20. expose a pod as a service', async () => {
    expect((await ok(['expose', 'pod', 'web', '--port=80', '--name=web-exposed'])).stdout.trim()).toBe('service/web-exposed exposed');
    const svc = JSON.parse((await ok(['get', 'svc', 'web-exposed', '-o', 'json'])).stdout);
    expect(svc.spec.selector).toEqual({ app: 'web', tier: 'frontend' });
    expect(svc.spec.ports[0]).toMatchObject({ port: 80, protocol: 'TCP', targetPort: 80 });
  });

  it('21. create a serviceaccount', async () => {
    expect((await ok(['create', 'serviceaccount', 'builder'])).stdout.trim()).toBe('serviceaccount/builder created');
    const t = parseTable((await ok(['get', 'sa'])).stdout);
    expect(t.header).toEqual(['NAME', 'SECRETS', 'AGE']);
    expect(t.rows.map((r) => r.NAME)).toEqual(expect.arrayContaining(['builder']));
  });

  it('22. create a namespace and run a pod in it', async () => {
    expect((await ok(['create', 'namespace', 'dev'])).stdout.trim()).toBe('namespace/dev created');
    expect((await ok(['get', 'ns', 'dev', '-o', 'jsonpath={.status.phase}'])).stdout).toBe('Active');
    expect((await ok(['run', 'nginx', '--image=nginx', '-n', 'dev'])).stdout.trim()).toBe('pod/nginx created');
    const t = parseTable((await ok(['get', 'pods', '-n', 'dev'])).stdout);
    expect(t.rows.map((r) => r.NAME)).toEqual(['nginx']);
    const all = parseTable((await ok(['get', 'pods', '-A'])).stdout);
    expect(all.header).toEqual(['NAMESPACE', 'NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
    expect(all.rows.some((r) => r.NAMESPACE === 'dev' && r.NAME === 'nginx')).toBe(true);
  });

  it('23. run --dry-run=client -o yaml writes a manifest (CKAD)', async () => {
    const got = parse((await ok(['run', 'gen', '--image=busybox', '--dry-run=client', '-o', 'yaml', '--', 'sleep', '3600'])).stdout);
    expect(got).toMatchObject({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'gen', labels: { run: 'gen' } } });
    expect(got.spec.containers[0]).toMatchObject({ name: 'gen', image: 'busybox', args: ['sleep', '3600'] });
    await fails(['get', 'pod', 'gen']);
  });
});

describe('label and annotate', () => {
  it('24. label: add, refuse to overwrite, overwrite, remove', async () => {
    expect((await ok(['label', 'pod', 'w1', 'color=red'])).stdout.trim()).toBe('pod/w1 labeled');
    const r = await fails(['label', 'pod', 'w1', 'color=blue']);
    expect(r.stderr.trim()).toBe("error: 'color' already has a value (red), and --overwrite is false");
    expect((await ok(['label', 'pod', 'w1', 'color=blue', '--overwrite'])).stdout.trim()).toBe('pod/w1 labeled');
    expect((await ok(['get', 'pod', 'w1', '-o', 'jsonpath={.metadata.labels.color}'])).stdout).toBe('blue');
    expect((await ok(['label', 'pod', 'w1', 'color-'])).stdout.trim()).toBe('pod/w1 unlabeled');
    expect((await ok(['get', 'pod', 'w1', '-o', 'jsonpath={.metadata.labels}'])).stdout).not.toContain('color');
  });

  it('25. label many pods by selector', async () => {
    const out = (await ok(['label', 'pods', '-l', 'tier', 'audited=yes'])).stdout.trim().split('\n').sort();
    expect(out).toEqual(['pod/db labeled', 'pod/web labeled']);
  });

  it('26. annotate: add, overwrite, remove', async () => {
    expect((await ok(['annotate', 'pod', 'w1', 'owner=team-a'])).stdout.trim()).toBe('pod/w1 annotated');
    const r = await fails(['annotate', 'pod', 'w1', 'owner=team-b']);
    expect(r.stderr.trim()).toBe("error: --overwrite is false but found the following declared annotation(s): 'owner' already has a value (team-a)");
    expect((await ok(['annotate', 'pod', 'w1', 'owner=team-b', '--overwrite'])).stdout.trim()).toBe('pod/w1 annotated');
    expect((await ok(['get', 'pod', 'w1', '-o', 'jsonpath={.metadata.annotations.owner}'])).stdout).toBe('team-b');
    expect((await ok(['annotate', 'pod', 'w1', 'owner-'])).stdout.trim()).toBe('pod/w1 annotated');
    expect((await ok(['get', 'pod', 'w1', '-o', 'jsonpath={.metadata.annotations.owner}'])).stdout).toBe('');
  });
});

describe('patch, edit, set image', () => {
  it('27. patch --type=merge', async () => {
    expect((await ok(['patch', 'configmap', 'app-config', '--type=merge', '-p', '{"data":{"color":"green"}}'])).stdout.trim()).toBe('configmap/app-config patched');
    expect((await ok(['get', 'cm', 'app-config', '-o', 'jsonpath={.data.color}'])).stdout).toBe('green');
  });

  it('28. patch --type=json', async () => {
    expect((await ok(['patch', 'configmap', 'app-config', '--type=json', '-p', '[{"op":"remove","path":"/data/size"},{"op":"add","path":"/data/shape","value":"round"}]'])).stdout.trim()).toBe(
      'configmap/app-config patched',
    );
    expect(JSON.parse((await ok(['get', 'cm', 'app-config', '-o', 'jsonpath={.data}'])).stdout)).toEqual({ color: 'green', shape: 'round' });
  });

  it('29. patch --type=strategic merges containers by name', async () => {
    expect((await ok(['patch', 'pod', 'w1', '--type=strategic', '-p', '{"spec":{"containers":[{"name":"main","image":"nginx:1.28"}]}}'])).stdout.trim()).toBe('pod/w1 patched');
    const got = JSON.parse((await ok(['get', 'pod', 'w1', '-o', 'json'])).stdout);
    expect(got.spec.containers).toHaveLength(1);
    expect(got.spec.containers[0]).toMatchObject({ name: 'main', image: 'nginx:1.28', ports: [{ containerPort: 80, protocol: 'TCP' }] });
  });

  it('30. patch that changes nothing', async () => {
    expect((await ok(['patch', 'configmap', 'app-config', '--type=merge', '-p', '{"data":{"color":"green"}}'])).stdout.trim()).toBe('configmap/app-config patched (no change)');
  });

  it('31. an invalid patch: the Status a learner sees', async () => {
    const r = await fails(['patch', 'pod', 'w1', '--type=json', '-p', '[{"op":"replace","path":"/spec/restartPolicy","value":"Sometimes"}]']);
    expect(r.stderr).toMatch(/The Pod "w1" is invalid: spec\.restartPolicy: /);
  });

  it('32. edit via KUBE_EDITOR', async () => {
    const editor = kubectl.writeFile('editor.sh', "#!/bin/sh\nsed -i 's/color: green/color: purple/' \"$1\"\n");
    chmodSync(editor, 0o755);
    const r = await runWithEnv(['edit', 'configmap', 'app-config'], { KUBE_EDITOR: editor });
    expect(r.code, showRun(r)).toBe(0);
    expect(r.stdout.trim()).toBe('configmap/app-config edited');
    expect((await ok(['get', 'cm', 'app-config', '-o', 'jsonpath={.data.color}'])).stdout).toBe('purple');
    const noop = kubectl.writeFile('noop.sh', '#!/bin/sh\ntrue\n');
    chmodSync(noop, 0o755);
    const n = await runWithEnv(['edit', 'configmap', 'app-config'], { KUBE_EDITOR: noop });
    expect(n.code, showRun(n)).toBe(0);
    expect(n.stderr.trim()).toBe('Edit cancelled, no changes made.');
  });

  it('33. edit with an invalid change is refused and kept for the learner', async () => {
    const editor = kubectl.writeFile('bad-editor.sh', "#!/bin/sh\nsed -i 's/restartPolicy: Always/restartPolicy: Sometimes/' \"$1\"\n");
    chmodSync(editor, 0o755);
    const r = await runWithEnv(['edit', 'pod', 'w1'], { KUBE_EDITOR: editor });
    expect(r.code, showRun(r)).not.toBe(0);
    expect(r.stderr).toContain('pods "w1" is invalid');
    expect(r.stderr).toMatch(/A copy of your changes has been stored to "[^"]+"/);
  });

  it('34. set image', async () => {
    expect((await ok(['set', 'image', 'pod/w1', 'main=nginx:1.29'])).stdout.trim()).toBe('pod/w1 image updated');
    expect((await ok(['get', 'pod', 'w1', '-o', 'jsonpath={.spec.containers[0].image}'])).stdout).toBe('nginx:1.29');
  });
});

describe('dry runs and diff', () => {
  it('35. apply --dry-run=client', async () => {
    kubectl.writeFile('dry.yaml', podYaml('dry'));
    expect((await ok(['apply', '-f', 'dry.yaml', '--dry-run=client'])).stdout.trim()).toBe('pod/dry created (dry run)');
    await fails(['get', 'pod', 'dry']);
  });

  it('36. apply --dry-run=server', async () => {
    expect((await ok(['apply', '-f', 'dry.yaml', '--dry-run=server'])).stdout.trim()).toBe('pod/dry created (server dry run)');
    await fails(['get', 'pod', 'dry']);
    const got = parse((await ok(['create', '-f', 'dry.yaml', '--dry-run=server', '-o', 'yaml'])).stdout);
    expect(got.metadata.uid).toBeTruthy();
    expect(got.spec.containers[0].imagePullPolicy).toBe('IfNotPresent');
    await fails(['get', 'pod', 'dry']);
  });

  it('37. create deployment --dry-run=client -o yaml (CKAD)', async () => {
    const got = parse((await ok(['create', 'deployment', 'api', '--image=nginx', '--replicas=3', '--dry-run=client', '-o', 'yaml'])).stdout);
    expect(got).toMatchObject({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api', labels: { app: 'api' } }, spec: { replicas: 3, selector: { matchLabels: { app: 'api' } } } });
  });

  it('38. diff shows what apply would change', async () => {
    kubectl.writeFile('w1-diff.yaml', podYaml('w1', { image: 'nginx:1.30', labels: { app: 'w1', env: 'test' } }));
    const r = await kubectl.run(['diff', '-f', 'w1-diff.yaml']);
    expect(r.code, showRun(r)).toBe(1);
    expect(r.stdout).toMatch(/^diff -u -N \S+\/v1\.Pod\.default\.w1 \S+\/v1\.Pod\.default\.w1$/m);
    expect(r.stdout).toMatch(/^-\s+- image: nginx:1\.29$/m);
    expect(r.stdout).toMatch(/^\+\s+- image: nginx:1\.30$/m);
    expect((await ok(['get', 'pod', 'w1', '-o', 'jsonpath={.spec.containers[0].image}'])).stdout).toBe('nginx:1.29');
    kubectl.writeFile('cm-same.yaml', cmYaml('same', { a: '1' }));
    await ok(['apply', '-f', 'cm-same.yaml']);
    const same = await kubectl.run(['diff', '-f', 'cm-same.yaml']);
    expect(same.code, showRun(same)).toBe(0);
    expect(same.stdout).toBe('');
  });
});

describe('server-side apply and replace', () => {
  it('39. apply --server-side, a conflict, then --force-conflicts', async () => {
    kubectl.writeFile('ssa.yaml', cmYaml('ssa', { color: 'blue' }));
    expect((await ok(['apply', '--server-side', '-f', 'ssa.yaml'])).stdout.trim()).toBe('configmap/ssa serverside-applied');
    kubectl.writeFile('ssa2.yaml', cmYaml('ssa', { color: 'red' }));
    const r = await fails(['apply', '--server-side', '--field-manager=other', '-f', 'ssa2.yaml']);
    expect(r.stderr).toContain('Apply failed with 1 conflict: conflict with "kubectl": .data.color');
    expect(r.stderr).toContain('Please review the fields above--they currently have other managers.');
    expect((await ok(['apply', '--server-side', '--field-manager=other', '--force-conflicts', '-f', 'ssa2.yaml'])).stdout.trim()).toBe('configmap/ssa serverside-applied');
    const got = JSON.parse((await ok(['get', 'cm', 'ssa', '-o', 'json', '--show-managed-fields'])).stdout);
    expect(got.data.color).toBe('red');
    expect(got.metadata.managedFields.map((m: { manager: string }) => m.manager)).toContain('other');
  });

  it('40. replace, and replace --force', async () => {
    kubectl.writeFile('rep.yaml', cmYaml('rep', { v: '1' }));
    await ok(['create', '-f', 'rep.yaml']);
    kubectl.writeFile('rep.yaml', cmYaml('rep', { v: '2' }));
    expect((await ok(['replace', '-f', 'rep.yaml'])).stdout.trim()).toBe('configmap/rep replaced');
    const uid = (await ok(['get', 'cm', 'rep', '-o', 'jsonpath={.metadata.uid}'])).stdout;
    kubectl.writeFile('rep.yaml', cmYaml('rep', { v: '3' }));
    const r = await ok(['replace', '--force', '-f', 'rep.yaml']);
    expect(r.stdout.trim().split('\n')).toEqual(['configmap "rep" deleted', 'configmap/rep replaced']);
    expect((await ok(['get', 'cm', 'rep', '-o', 'jsonpath={.metadata.uid}'])).stdout).not.toBe(uid);
    expect((await ok(['get', 'cm', 'rep', '-o', 'jsonpath={.data.v}'])).stdout).toBe('3');
  });
});

describe('wait, watch, events', () => {
  it('41. wait --for=condition=Ready', async () => {
    kubectl.writeFile('ready.yaml', podYaml('ready'));
    await ok(['apply', '-f', 'ready.yaml']);
    const pending = kubectl.run(['wait', '--for=condition=Ready', 'pod/ready', '--timeout=60s'], { timeoutMs: 90_000 });
    await new Promise((r) => setTimeout(r, 1500));
    await step(30);
    const r = await pending;
    expect(r.code, showRun(r)).toBe(0);
    expect(r.stdout.trim()).toBe('pod/ready condition met');
  });

  it('42. wait --for=delete', async () => {
    expect((await ok(['delete', 'pod', 'ready', '--wait=false'])).stdout.trim()).toBe('pod "ready" deleted');
    // Step the clock only once kubectl is watching the pod (its -v=6 log shows the watch request).
    let watching!: () => void;
    const isWatching = new Promise<void>((r) => (watching = r));
    const pending = runWithEnv(['wait', '--for=delete', 'pod/ready', '--timeout=60s', '-v=6'], {}, 90_000, (err) => {
      if (/GET \S+\/pods\?[^ ]*watch=true/.test(err)) watching();
    });
    await Promise.race([isWatching, pending]);
    await step(40);
    const r = await pending;
    expect(r.code, showRun(r)).toBe(0);
    expect(r.stdout.trim()).toBe('pod/ready condition met');
  });

  it('43. get -w shows changes as they happen', async () => {
    const pending = kubectl.run(['get', 'configmaps', '-w', '--request-timeout=4s'], { timeoutMs: 30_000 });
    await new Promise((r) => setTimeout(r, 1500));
    await ok(['create', 'configmap', 'watched', '--from-literal=a=b']);
    const r = await pending;
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+DATA\s+AGE$/);
    expect(lines.some((l) => /^app-config\s+2\s+\S+$/.test(l))).toBe(true);
    expect(lines.some((l) => /^watched\s+1\s+\S+$/.test(l)), r.stdout).toBe(true);
  });

  it('44. get events --sort-by=.metadata.creationTimestamp', async () => {
    const out = (await ok(['get', 'events', '--sort-by=.metadata.creationTimestamp'])).stdout;
    const t = parseTable(out);
    expect(t.header).toEqual(['LAST', 'SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE']);
    expect(out).toMatch(/Normal\s+Scheduled\s+pod\/web\s+Successfully assigned default\/web to node-\d/);
    expect(out).toMatch(/Normal\s+Pulled\s+pod\/web\s+/);
    const filtered = (await ok(['get', 'events', '--field-selector', 'involvedObject.name=db,reason=Scheduled', '-o', 'jsonpath={.items[*].message}'])).stdout;
    expect(filtered).toMatch(/^Successfully assigned default\/db to node-\d$/);
  });
});

describe('delete with each propagation policy', () => {
  const child = (name: string, parentUid: string) =>
    cmYaml(name, { k: 'v' }, `  ownerReferences:\n  - apiVersion: v1\n    kind: ConfigMap\n    name: parent\n    uid: ${parentUid}\n`);

  async function family(): Promise<void> {
    kubectl.writeFile('parent.yaml', cmYaml('parent', { k: 'v' }));
    await ok(['apply', '-f', 'parent.yaml']);
    const uid = (await ok(['get', 'cm', 'parent', '-o', 'jsonpath={.metadata.uid}'])).stdout;
    kubectl.writeFile('child.yaml', child('child', uid));
    await ok(['apply', '-f', 'child.yaml']);
  }

  it('45. --cascade=orphan leaves the dependent, without its owner reference', async () => {
    await family();
    expect((await ok(['delete', 'cm', 'parent', '--cascade=orphan'])).stdout.trim()).toBe('configmap "parent" deleted');
    await step(5);
    await fails(['get', 'cm', 'parent']);
    expect((await ok(['get', 'cm', 'child', '-o', 'jsonpath={.metadata.ownerReferences}'])).stdout).toBe('');
    await ok(['delete', 'cm', 'child']);
  });

  it('46. --cascade=background deletes the dependent after the owner', async () => {
    await family();
    expect((await ok(['delete', 'cm', 'parent', '--cascade=background'])).stdout.trim()).toBe('configmap "parent" deleted');
    await step(5);
    await fails(['get', 'cm', 'parent']);
    const r = await fails(['get', 'cm', 'child']);
    expect(r.stderr.trim()).toBe('Error from server (NotFound): configmaps "child" not found');
  });

  it('47. --cascade=foreground deletes the dependent first', async () => {
    await family();
    const pending = kubectl.run(['delete', 'cm', 'parent', '--cascade=foreground'], { timeoutMs: 60_000 });
    await new Promise((r) => setTimeout(r, 1500));
    await step(5);
    const r = await pending;
    expect(r.code, showRun(r)).toBe(0);
    expect(r.stdout.trim()).toBe('configmap "parent" deleted');
    await fails(['get', 'cm', 'child']);
    await fails(['get', 'cm', 'parent']);
  });

  it('48. delete by label selector', async () => {
    await ok(['create', 'configmap', 'tmp-a', '--from-literal=a=1']);
    await ok(['create', 'configmap', 'tmp-b', '--from-literal=a=1']);
    await ok(['label', 'cm', 'tmp-a', 'tmp-b', 'batch=tmp']);
    const out = (await ok(['delete', 'cm', '-l', 'batch=tmp'])).stdout.trim().split('\n').sort();
    expect(out).toEqual(['configmap "tmp-a" deleted', 'configmap "tmp-b" deleted']);
  });
});

describe('discovery', () => {
  it('49. api-resources lists the same columns and rows as Kubernetes 1.32', async () => {
    const out = (await ok(['api-resources'])).stdout;
    const lines = out.trim().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+SHORTNAMES\s+APIVERSION\s+NAMESPACED\s+KIND$/);
    const row = (name: string, group: string) => lines.find((l) => l.split(/\s+/)[0] === name && l.includes(` ${group} `))?.trim().split(/\s+/);
    expect(row('pods', 'v1')).toEqual(['pods', 'po', 'v1', 'true', 'Pod']);
    expect(row('namespaces', 'v1')).toEqual(['namespaces', 'ns', 'v1', 'false', 'Namespace']);
    expect(row('configmaps', 'v1')).toEqual(['configmaps', 'cm', 'v1', 'true', 'ConfigMap']);
    expect(row('secrets', 'v1')).toEqual(['secrets', 'v1', 'true', 'Secret']);
    expect(row('deployments', 'apps/v1')).toEqual(['deployments', 'deploy', 'apps/v1', 'true', 'Deployment']);
    expect(row('cronjobs', 'batch/v1')).toEqual(['cronjobs', 'cj', 'batch/v1', 'true', 'CronJob']);
    expect(row('horizontalpodautoscalers', 'autoscaling/v2')).toEqual(['horizontalpodautoscalers', 'hpa', 'autoscaling/v2', 'true', 'HorizontalPodAutoscaler']);
    expect(row('storageclasses', 'storage.k8s.io/v1')).toEqual(['storageclasses', 'sc', 'storage.k8s.io/v1', 'false', 'StorageClass']);
    const cluster = (await ok(['api-resources', '--namespaced=false', '-o', 'name'])).stdout.trim().split('\n');
    expect(cluster).toEqual(expect.arrayContaining(['namespaces', 'nodes', 'persistentvolumes', 'storageclasses.storage.k8s.io']));
    expect(cluster).not.toContain('pods');
    const apps = parseTable((await ok(['api-resources', '--api-group=apps'])).stdout);
    expect(apps.rows.map((r) => r.NAME).sort()).toEqual(['controllerrevisions', 'daemonsets', 'deployments', 'replicasets', 'statefulsets']);
  });

  it('50. api-versions', async () => {
    const versions = (await ok(['api-versions'])).stdout.trim().split('\n');
    expect(versions).toEqual(expect.arrayContaining(['v1', 'apps/v1', 'batch/v1', 'autoscaling/v1', 'autoscaling/v2', 'policy/v1', 'networking.k8s.io/v1', 'storage.k8s.io/v1']));
    expect([...versions].sort()).toEqual(versions);
  });

  it('51. get all and the short names', async () => {
    const all = (await ok(['get', 'all'])).stdout;
    expect(all).toMatch(/^pod\/web\s+1\/1\s+Running/m);
    expect(all).toMatch(/^service\/web-svc\s+ClusterIP/m);
    await ok(['get', 'po,cm,svc,sa,ns', '-o', 'name']);
  });
});
