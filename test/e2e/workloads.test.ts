// Workload controllers with the real kubectl: a Deployment created, scaled, rolled out, stuck on a bad image,
// rolled back and deleted, as a learner does it. The sandbox's clock is paused and stepped by the test.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseTable } from '../support/kubectl-output.ts';
import { clock, createSandbox, kubectlEnv, showRun, startServer, type KubectlEnv, type Sandbox, type Server } from '../support/server.ts';

let server: Server;
let sandbox: Sandbox;
let kubectl: KubectlEnv;

async function ok(args: string[], stdin?: string) {
  const r = await kubectl.run(args, { stdin });
  expect(r.code, `kubectl ${args.join(' ')}\n${showRun(r)}`).toBe(0);
  return r;
}

async function step(seconds: number) {
  await clock(server.origin, sandbox, { action: 'step', seconds });
}

async function table(args: string[]) {
  const r = await ok(['get', ...args]);
  return parseTable(r.stdout);
}

beforeAll(async () => {
  server = await startServer();
  sandbox = await createSandbox(server.origin);
  await clock(server.origin, sandbox, { action: 'pause' });
  kubectl = await kubectlEnv(server.origin, sandbox);
});

afterAll(async () => {
  await server?.stop();
});

describe('a Deployment from kubectl create deployment', () => {
  let firstRS = '';

  it('kubectl create deployment web --image=nginx --replicas=3', async () => {
    const r = await ok(['create', 'deployment', 'web', '--image=nginx', '--replicas=3']);
    expect(r.stdout.trim()).toBe('deployment.apps/web created');
  });

  it('runs 3 ready pods after a few seconds, owned through a ReplicaSet', async () => {
    await step(30);
    const d = await table(['deploy']);
    expect(d.header).toEqual(['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE']);
    expect(d.rows[0]).toMatchObject({ NAME: 'web', READY: '3/3', 'UP-TO-DATE': '3', AVAILABLE: '3' });
    const rs = await table(['rs']);
    expect(rs.header).toEqual(['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE']);
    expect(rs.rows).toHaveLength(1);
    firstRS = rs.rows[0].NAME;
    expect(firstRS).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]+$/);
    expect(rs.rows[0]).toMatchObject({ DESIRED: '3', CURRENT: '3', READY: '3' });
    const pods = await table(['pods']);
    expect(pods.rows).toHaveLength(3);
    for (const p of pods.rows) {
      expect(p.NAME.startsWith(`${firstRS}-`), p.NAME).toBe(true);
      expect(p.STATUS).toBe('Running');
      expect(p.READY).toBe('1/1');
    }
    const all = await ok(['get', 'deploy,rs,pods']);
    expect(all.stdout).toContain('deployment.apps/web');
    expect(all.stdout).toContain(`replicaset.apps/${firstRS}`);
  });

  it('shows the ScalingReplicaSet and SuccessfulCreate events', async () => {
    const r = await ok(['get', 'events', '-o', 'yaml']);
    const items = parse(r.stdout).items as { reason: string; message: string; source: { component: string } }[];
    const msgs = items.map((e) => `${e.source.component} ${e.reason} ${e.message}`);
    expect(msgs).toContain(`deployment-controller ScalingReplicaSet Scaled up replica set ${firstRS} from 0 to 3`);
    expect(msgs.filter((m) => m.startsWith(`replicaset-controller SuccessfulCreate Created pod: ${firstRS}-`))).toHaveLength(3);
  });

  it('kubectl describe deployment shows the strategy, conditions, ReplicaSets and events', async () => {
    const r = await ok(['describe', 'deployment', 'web']);
    expect(r.stdout).toMatch(/Replicas:\s+3 desired \| 3 updated \| 3 total \| 3 available \| 0 unavailable/);
    expect(r.stdout).toMatch(/StrategyType:\s+RollingUpdate/);
    expect(r.stdout).toMatch(/RollingUpdateStrategy:\s+25% max unavailable, 25% max surge/);
    expect(r.stdout).toMatch(/Available\s+True\s+MinimumReplicasAvailable/);
    expect(r.stdout).toMatch(/Progressing\s+True\s+NewReplicaSetAvailable/);
    expect(r.stdout).toContain(`NewReplicaSet:   ${firstRS} (3/3 replicas created)`);
    expect(r.stdout).toMatch(new RegExp(`Normal\\s+ScalingReplicaSet\\s+\\S+\\s+deployment-controller\\s+Scaled up replica set ${firstRS} from 0 to 3`));
  });

  it('kubectl scale deployment web --replicas=5', async () => {
    const r = await ok(['scale', 'deployment', 'web', '--replicas=5']);
    expect(r.stdout.trim()).toBe('deployment.apps/web scaled');
    await step(30);
    const d = await table(['deploy', 'web']);
    expect(d.rows[0]).toMatchObject({ READY: '5/5', 'UP-TO-DATE': '5', AVAILABLE: '5' });
    await ok(['scale', 'deployment', 'web', '--replicas=3']);
    await step(40);
    expect((await table(['pods'])).rows).toHaveLength(3);
  });

  it('kubectl set image rolls out a new ReplicaSet; rollout status and history', async () => {
    const r = await ok(['set', 'image', 'deployment/web', 'nginx=nginx:1.27']);
    expect(r.stdout.trim()).toBe('deployment.apps/web image updated');
    await step(60);
    const st = await ok(['rollout', 'status', 'deployment/web', '--timeout=20s']);
    expect(st.stdout.trim().split('\n').at(-1)).toBe('deployment "web" successfully rolled out');
    const rs = await table(['rs']);
    expect(rs.rows).toHaveLength(2);
    const old = rs.rows.find((x) => x.NAME === firstRS)!;
    expect(old).toMatchObject({ DESIRED: '0', CURRENT: '0' });
    const hist = await ok(['rollout', 'history', 'deployment/web']);
    expect(hist.stdout).toMatch(/deployment\.apps\/web\s*\nREVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
    const images = await ok(['get', 'pods', '-o', 'jsonpath={.items[*].spec.containers[0].image}']);
    expect(images.stdout.split(' ')).toEqual(['nginx:1.27', 'nginx:1.27', 'nginx:1.27']);
  });

  it('kubectl rollout undo goes back to revision 1 (as revision 3)', async () => {
    const r = await ok(['rollout', 'undo', 'deployment/web']);
    expect(r.stdout.trim()).toBe('deployment.apps/web rolled back');
    await step(60);
    const st = await ok(['rollout', 'status', 'deployment/web', '--timeout=20s']);
    expect(st.stdout).toContain('deployment "web" successfully rolled out');
    const rs = await table(['rs']);
    expect(rs.rows.find((x) => x.NAME === firstRS)).toMatchObject({ DESIRED: '3', CURRENT: '3', READY: '3' });
    const hist = await ok(['rollout', 'history', 'deployment/web']);
    expect(hist.stdout).toMatch(/\n2\s+<none>\n3\s+<none>/);
    const images = await ok(['get', 'pods', '-o', 'jsonpath={.items[*].spec.containers[0].image}']);
    expect(images.stdout.split(' ')).toEqual(['nginx', 'nginx', 'nginx']);
  });

  it('a rollout stuck on a misspelt image exceeds its progress deadline, and is undone', async () => {
    await ok(['set', 'image', 'deployment/web', 'nginx=ngnix:1.27']);
    await step(30);
    const pods = await table(['pods']);
    const bad = pods.rows.filter((p) => p.STATUS === 'ImagePullBackOff' || p.STATUS === 'ErrImagePull');
    // 3 replicas at 25%: maxSurge 1, maxUnavailable 0, so one new pod is tried and the 3 old ones keep serving.
    expect(bad.length, JSON.stringify(pods.rows)).toBe(1);
    expect(pods.rows.filter((p) => p.STATUS === 'Running')).toHaveLength(3);
    const waiting = await kubectl.run(['rollout', 'status', 'deployment/web', '--timeout=3s']);
    expect(waiting.code).not.toBe(0);
    expect(waiting.stdout).toContain('Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been updated...');
    await step(600);
    const st = await kubectl.run(['rollout', 'status', 'deployment/web', '--timeout=20s']);
    expect(st.code, showRun(st)).toBe(1);
    expect(st.stderr.trim()).toBe('error: deployment "web" exceeded its progress deadline');
    const d = parse((await ok(['get', 'deploy', 'web', '-o', 'yaml'])).stdout);
    const prog = d.status.conditions.find((c: { type: string }) => c.type === 'Progressing');
    expect(prog.reason).toBe('ProgressDeadlineExceeded');
    expect(prog.message).toMatch(/^ReplicaSet "web-[a-z0-9]+" has timed out progressing\.$/);
    await ok(['rollout', 'undo', 'deployment/web']);
    await step(60);
    const fixed = await ok(['rollout', 'status', 'deployment/web', '--timeout=20s']);
    expect(fixed.stdout).toContain('deployment "web" successfully rolled out');
    const after = await table(['pods']);
    expect(after.rows.every((p) => p.STATUS === 'Running' && p.READY === '1/1'), JSON.stringify(after.rows)).toBe(true);
  });

  it('kubectl rollout pause, resume and restart', async () => {
    await ok(['rollout', 'pause', 'deployment/web']);
    await ok(['set', 'image', 'deployment/web', 'nginx=nginx:1.26']);
    await step(30);
    let images = await ok(['get', 'pods', '-o', 'jsonpath={.items[*].spec.containers[0].image}']);
    expect(images.stdout.split(' ')).toEqual(['nginx', 'nginx', 'nginx']);
    await ok(['rollout', 'resume', 'deployment/web']);
    await step(60);
    images = await ok(['get', 'pods', '-o', 'jsonpath={.items[*].spec.containers[0].image}']);
    expect(images.stdout.split(' ')).toEqual(['nginx:1.26', 'nginx:1.26', 'nginx:1.26']);
    const before = (await table(['pods'])).rows.map((p) => p.NAME);
    const r = await ok(['rollout', 'restart', 'deployment/web']);
    expect(r.stdout.trim()).toBe('deployment.apps/web restarted');
    await step(90);
    const now = (await table(['pods'])).rows.map((p) => p.NAME);
    expect(now).toHaveLength(3);
    for (const n of now) expect(before).not.toContain(n);
  });

  it('kubectl delete deployment web removes its ReplicaSets and pods', async () => {
    const r = await ok(['delete', 'deployment', 'web']);
    expect(r.stdout.trim()).toBe('deployment.apps "web" deleted');
    await step(40);
    const rs = await kubectl.run(['get', 'rs']);
    expect(rs.stderr.trim()).toBe('No resources found in default namespace.');
    const pods = await kubectl.run(['get', 'pods']);
    expect(pods.stderr.trim()).toBe('No resources found in default namespace.');
  });
});

describe('Jobs and CronJobs', () => {
  it('kubectl create job runs a pod to completion', async () => {
    const r = await ok(['create', 'job', 'pi', '--image=busybox', '--', 'sh', '-c', 'sleep 5']);
    expect(r.stdout.trim()).toBe('job.batch/pi created');
    await step(2);
    let t = await table(['jobs']);
    expect(t.header).toEqual(['NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE']);
    expect(t.rows[0]).toMatchObject({ NAME: 'pi', STATUS: 'Running', COMPLETIONS: '0/1' });
    await step(15);
    t = await table(['jobs']);
    expect(t.rows[0]).toMatchObject({ NAME: 'pi', STATUS: 'Complete', COMPLETIONS: '1/1' });
    const pods = await table(['pods', '-l', 'job-name=pi']);
    expect(pods.rows).toHaveLength(1);
    expect(pods.rows[0].NAME).toMatch(/^pi-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(pods.rows[0].STATUS).toBe('Completed');
    const w = await ok(['wait', '--for=condition=complete', 'job/pi', '--timeout=10s']);
    expect(w.stdout.trim()).toBe('job.batch/pi condition met');
  });

  it('a failing job gives up after its backoffLimit', async () => {
    await ok(['create', 'job', 'oops', '--image=busybox', '--', 'sh', '-c', 'exit 1']);
    await ok(['patch', 'job', 'oops', '--type=merge', '-p', '{"spec":{"backoffLimit":1}}']);
    await step(60);
    const t = await table(['jobs', 'oops']);
    expect(t.rows[0]).toMatchObject({ STATUS: 'Failed', COMPLETIONS: '0/1' });
    const d = parse((await ok(['get', 'job', 'oops', '-o', 'yaml'])).stdout);
    const failed = d.status.conditions.find((c: { type: string }) => c.type === 'Failed');
    expect([failed.reason, failed.message]).toEqual(['BackoffLimitExceeded', 'Job has reached the specified backoff limit']);
  });

  it('kubectl create cronjob fires on schedule after a clock step', async () => {
    const r = await ok(['create', 'cronjob', 'hello', '--image=busybox', '--schedule=*/1 * * * *', '--', 'sh', '-c', 'sleep 2']);
    expect(r.stdout.trim()).toBe('cronjob.batch/hello created');
    // The SCHEDULE column has spaces in it: read the row as text.
    let cj = await ok(['get', 'cronjob', 'hello']);
    expect(cj.stdout.split('\n')[0]).toMatch(/^NAME\s+SCHEDULE\s+TIMEZONE\s+SUSPEND\s+ACTIVE\s+LAST SCHEDULE\s+AGE$/);
    expect(cj.stdout.split('\n')[1]).toMatch(/^hello\s+\*\/1 \* \* \* \*\s+<none>\s+False\s+0\s+<none>\s+\d+s$/);
    // The sandbox's virtual time started at the wall clock: step to 5 s past the next minute, so exactly one
    // schedule time has passed whatever second the test started at.
    const state = await clock(server.origin, sandbox, { action: 'pause' });
    const now = Date.parse(String(state.now));
    await step(Math.ceil((60_000 - (now % 60_000)) / 1000) + 5);
    const jobs = (await table(['jobs'])).rows.filter((x) => x.NAME.startsWith('hello-'));
    expect(jobs).toHaveLength(1);
    expect(jobs[0].NAME).toMatch(/^hello-\d+$/);
    cj = await ok(['get', 'cronjob', 'hello']);
    expect(cj.stdout.split('\n')[1]).toMatch(/^hello\s+\*\/1 \* \* \* \*\s+<none>\s+False\s+[01]\s+\d+s\s+\d+s$/);
    const ev = parse((await ok(['get', 'events', '--field-selector', 'involvedObject.name=hello', '-o', 'yaml'])).stdout);
    expect(ev.items.map((e: { reason: string; message: string }) => `${e.reason} ${e.message}`)).toContain(`SuccessfulCreate Created job ${jobs[0].NAME}`);
  });
});

describe('StatefulSets and DaemonSets', () => {
  const stsManifest = `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  serviceName: db
  replicas: 3
  selector:
    matchLabels:
      app: db
  template:
    metadata:
      labels:
        app: db
    spec:
      containers:
      - name: main
        image: redis:7
`;

  it('a StatefulSet starts db-0, db-1, db-2 in order', async () => {
    await ok(['apply', '-f', '-'], stsManifest);
    // The clock stands still (and redis:7 is not on any node yet): db-0 exists, db-1 waits for it to be Running
    // and Ready.
    const early = (await table(['pods', '-l', 'app=db'])).rows.map((r) => r.NAME);
    expect(early).toEqual(['db-0']);
    await step(60);
    const t = await table(['sts', 'db']);
    expect(t.header).toEqual(['NAME', 'READY', 'AGE']);
    expect(t.rows[0]).toMatchObject({ NAME: 'db', READY: '3/3' });
    expect((await table(['pods', '-l', 'app=db'])).rows.map((r) => r.NAME)).toEqual(['db-0', 'db-1', 'db-2']);
    const st = await ok(['rollout', 'status', 'statefulset/db', '--timeout=10s']);
    expect(st.stdout).toContain('partitioned roll out complete: 3 new pods have been updated...');
  });

  it('a DaemonSet runs one pod per node', async () => {
    await ok(['apply', '-f', '-'], stsManifest.replace('kind: StatefulSet', 'kind: DaemonSet').replace(/name: db\n/g, 'name: agent\n').replace('  serviceName: db\n  replicas: 3\n', '').replace(/app: db/g, 'app: agent'));
    await step(30);
    const t = await table(['ds', 'agent']);
    expect(t.header.slice(0, 6)).toEqual(['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE']);
    expect(t.rows[0]).toMatchObject({ NAME: 'agent', DESIRED: '3', CURRENT: '3', READY: '3', 'UP-TO-DATE': '3', AVAILABLE: '3' });
    const nodes = await ok(['get', 'pods', '-l', 'app=agent', '-o', 'jsonpath={.items[*].spec.nodeName}']);
    expect(nodes.stdout.split(' ').sort()).toEqual(['node-1', 'node-2', 'node-3']);
  });
});

describe('HorizontalPodAutoscaler', () => {
  it('kubectl autoscale scales a busy Deployment up', async () => {
    await ok(['create', 'deployment', 'burn', '--image=polinux/stress', '--', 'stress', '--cpu', '1']);
    await ok(['set', 'resources', 'deployment/burn', '--requests=cpu=500m']);
    await step(30);
    const r = await ok(['autoscale', 'deployment', 'burn', '--cpu-percent=50', '--min=1', '--max=4']);
    expect(r.stdout.trim()).toBe('horizontalpodautoscaler.autoscaling/burn autoscaled');
    await step(16);
    const d = await table(['deploy', 'burn']);
    expect(d.rows[0].READY).toMatch(/^\d\/4$/);
    const hpa = await ok(['get', 'hpa', 'burn']);
    expect(hpa.stdout).toMatch(/burn\s+Deployment\/burn\s+cpu: 200%\/50%\s+1\s+4\s+\d+/);
    const ev = parse((await ok(['get', 'events', '--field-selector', 'involvedObject.kind=HorizontalPodAutoscaler', '-o', 'yaml'])).stdout);
    expect(ev.items.map((e: { reason: string; message: string }) => `${e.reason} ${e.message}`)).toContain(
      'SuccessfulRescale New size: 4; reason: cpu resource utilization (percentage of request) above target',
    );
  });
});
