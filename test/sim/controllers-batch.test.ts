import { describe, expect, it } from 'vitest';
import { EVENTS, PODS } from '../../sim/apiserver/resources.ts';
import type { KObject, Pod } from '../../sim/apiserver/types.ts';
import type { Cluster } from '../../sim/cluster.ts';
import { nextAfter, parseCron } from '../../sim/controllers/cron.ts';
import { CRONJOBS } from '../../sim/controllers/cronjob.ts';
import { JOBS } from '../../sim/controllers/job.ts';
import { newCluster, START } from './helpers.ts';

function job(name: string, command: string[], extra: Record<string, unknown> = {}, restartPolicy = 'Never'): KObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name },
    spec: { template: { spec: { restartPolicy, containers: [{ name: 'main', image: 'busybox', command }] } }, ...extra },
  };
}

const getJob = (c: Cluster, name: string) => c.store.get(JOBS, 'default', name)!;
const jobPods = (c: Cluster, name: string) => (c.store.list(PODS, 'default') as Pod[]).filter((p) => p.metadata.labels?.['job-name'] === name);
const conds = (o: KObject) => ((o.status as any)?.conditions ?? []).map((x: any) => `${x.type}=${x.status} ${x.reason}: ${x.message}`);
const events = (c: Cluster, name: string) =>
  c.store
    .list(EVENTS, 'default')
    .filter((e) => (e.involvedObject as { name: string }).name === name)
    .map((e) => `${e.reason} ${e.message}`);

describe('Job controller', () => {
  it('defaults a Job: selector, labels, completions, backoffLimit', () => {
    const c = newCluster();
    const j = c.api.create(JOBS, 'default', job('pi', ['sh', '-c', 'sleep 5']));
    const spec = j.spec as any;
    expect(spec).toMatchObject({ completions: 1, parallelism: 1, backoffLimit: 6, completionMode: 'NonIndexed', suspend: false });
    expect(spec.selector).toEqual({ matchLabels: { 'batch.kubernetes.io/controller-uid': j.metadata.uid } });
    expect(spec.template.metadata.labels).toMatchObject({ 'job-name': 'pi', 'batch.kubernetes.io/job-name': 'pi', 'controller-uid': j.metadata.uid });
    expect(() => c.api.create(JOBS, 'default', job('bad', ['true'], {}, 'Always'))).toThrow(
      /spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"/,
    );
  });

  it('runs pods to completion, `parallelism` at a time', () => {
    const c = newCluster();
    c.api.create(JOBS, 'default', job('work', ['sh', '-c', 'sleep 5'], { completions: 4, parallelism: 2 }));
    c.settle();
    expect(jobPods(c, 'work')).toHaveLength(2);
    expect(jobPods(c, 'work')[0].metadata.name).toMatch(/^work-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    c.advance(10_000);
    expect((getJob(c, 'work').status as any).succeeded).toBe(2);
    c.advance(20_000);
    const j = getJob(c, 'work');
    expect(j.status).toMatchObject({ succeeded: 4, ready: 0, terminating: 0 });
    expect(conds(j)).toEqual([
      'SuccessCriteriaMet=True CompletionsReached: Reached expected number of succeeded pods',
      'Complete=True CompletionsReached: Reached expected number of succeeded pods',
    ]);
    expect((j.status as any).completionTime).toBeTruthy();
    expect(jobPods(c, 'work')).toHaveLength(4);
    expect(events(c, 'work')).toContain('Completed Job completed');
    expect(events(c, 'work').filter((e) => e.startsWith('SuccessfulCreate Created pod: work-'))).toHaveLength(4);
  });

  it('retries failed pods with back-off until backoffLimit, then fails', () => {
    const c = newCluster();
    c.api.create(JOBS, 'default', job('fail', ['sh', '-c', 'exit 1'], { backoffLimit: 2 }));
    c.advance(5_000);
    expect((getJob(c, 'fail').status as any).failed).toBe(1);
    expect(jobPods(c, 'fail')).toHaveLength(1);
    // The second pod comes after a 10 s back-off, the third 20 s after the second failure.
    c.advance(10_000);
    expect(jobPods(c, 'fail')).toHaveLength(2);
    c.advance(30_000);
    expect(jobPods(c, 'fail')).toHaveLength(3);
    c.advance(10_000);
    const j = getJob(c, 'fail');
    expect(j.status).toMatchObject({ failed: 3 });
    expect(conds(j)).toEqual([
      'FailureTarget=True BackoffLimitExceeded: Job has reached the specified backoff limit',
      'Failed=True BackoffLimitExceeded: Job has reached the specified backoff limit',
    ]);
    expect(events(c, 'fail')).toContain('BackoffLimitExceeded Job has reached the specified backoff limit');
  });

  it('stops a job past activeDeadlineSeconds', () => {
    const c = newCluster();
    c.api.create(JOBS, 'default', job('slow', ['sh', '-c', 'sleep 600'], { activeDeadlineSeconds: 30 }));
    c.advance(29_000);
    expect(conds(getJob(c, 'slow'))).toEqual([]);
    c.advance(2_000);
    expect(conds(getJob(c, 'slow'))).toEqual([
      'FailureTarget=True DeadlineExceeded: Job was active longer than specified deadline',
      'Failed=True DeadlineExceeded: Job was active longer than specified deadline',
    ]);
    expect(jobPods(c, 'slow').every((p) => p.metadata.deletionTimestamp)).toBe(true);
  });

  it('deletes a finished job after ttlSecondsAfterFinished', () => {
    const c = newCluster();
    c.api.create(JOBS, 'default', job('short', ['sh', '-c', 'sleep 1'], { ttlSecondsAfterFinished: 60 }));
    c.advance(10_000);
    expect(conds(getJob(c, 'short'))).toContain('Complete=True CompletionsReached: Reached expected number of succeeded pods');
    c.advance(50_000);
    expect(c.store.get(JOBS, 'default', 'short')).toBeDefined();
    c.advance(15_000);
    expect(c.store.get(JOBS, 'default', 'short')).toBeUndefined();
    expect(jobPods(c, 'short')).toHaveLength(0);
  });
});

describe('cron schedules', () => {
  it('parses fields, names, steps and descriptors', () => {
    const at = (s: string, from: string) => new Date(nextAfter(parseCron(s), Date.parse(from))).toISOString();
    expect(at('*/5 * * * *', '2026-01-01T00:02:00Z')).toBe('2026-01-01T00:05:00.000Z');
    expect(at('@hourly', '2026-01-01T00:00:00Z')).toBe('2026-01-01T01:00:00.000Z');
    expect(at('@daily', '2026-01-01T00:00:00Z')).toBe('2026-01-02T00:00:00.000Z');
    expect(at('30 9 * * MON-FRI', '2026-01-02T10:00:00Z')).toBe('2026-01-05T09:30:00.000Z');
    expect(at('0 0 1 JAN *', '2026-01-01T00:00:00Z')).toBe('2027-01-01T00:00:00.000Z');
    expect(at('@every 90s', '2026-01-01T00:00:00Z')).toBe('2026-01-01T00:01:30.000Z');
    expect(() => parseCron('61 * * * *')).toThrow('end of range (61) above maximum (59): 61');
    expect(() => parseCron('* * *')).toThrow('expected exactly 5 fields, found 3: * * *');
  });
});

describe('CronJob controller', () => {
  function cronjob(name: string, schedule: string, command: string[], extra: Record<string, unknown> = {}): KObject {
    return {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name },
      spec: { schedule, jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'main', image: 'busybox', command }] } } } }, ...extra },
    };
  }

  it('refuses a bad schedule with the real message', () => {
    const c = newCluster();
    expect(() => c.api.create(CRONJOBS, 'default', cronjob('bad', '* * *', ['true']))).toThrow(/spec.schedule: Invalid value: "\* \* \*": expected exactly 5 fields, found 3: \* \* \*/);
  });

  it('creates a job at each scheduled minute on the virtual clock and keeps the history limit', () => {
    const c = newCluster();
    c.api.create(CRONJOBS, 'default', cronjob('tick', '*/1 * * * *', ['sh', '-c', 'sleep 2']));
    c.settle();
    expect(c.store.list(JOBS, 'default')).toHaveLength(0);
    c.advance(60_000);
    const first = `tick-${Math.floor((START + 60_000) / 60_000)}`;
    expect(c.store.list(JOBS, 'default').map((j) => j.metadata.name)).toEqual([first]);
    const cj = c.store.get(CRONJOBS, 'default', 'tick')!;
    expect((cj.status as any).lastScheduleTime).toBe('2026-01-01T00:01:00Z');
    expect((cj.status as any).active.map((r: any) => r.name)).toEqual([first]);
    expect(events(c, 'tick')).toContain(`SuccessfulCreate Created job ${first}`);
    c.advance(10_000);
    const after = c.store.get(CRONJOBS, 'default', 'tick')!;
    expect((after.status as any).active).toBeUndefined();
    expect((after.status as any).lastSuccessfulTime).toBeTruthy();
    expect(events(c, 'tick')).toContain(`SawCompletedJob Saw completed job: ${first}, condition: Complete`);
    c.advance(5 * 60_000);
    // successfulJobsHistoryLimit 3: only the last three jobs remain.
    expect(c.store.list(JOBS, 'default').filter((j) => !j.metadata.deletionTimestamp)).toHaveLength(3);
  });

  it('Forbid skips a run while one is active; Replace replaces it; suspend stops runs', () => {
    const c = newCluster();
    c.api.create(CRONJOBS, 'default', cronjob('long', '* * * * *', ['sh', '-c', 'sleep 600'], { concurrencyPolicy: 'Forbid' }));
    c.advance(3 * 60_000);
    expect(c.store.list(JOBS, 'default')).toHaveLength(1);
    expect(events(c, 'long')).toContain('JobAlreadyActive Not starting job because prior execution is running and concurrency policy is Forbid');
    c.api.patch(CRONJOBS, 'default', 'long', 'merge', { spec: { concurrencyPolicy: 'Replace' } });
    c.advance(60_000);
    const names = c.store.list(JOBS, 'default').filter((j) => !j.metadata.deletionTimestamp).map((j) => j.metadata.name);
    expect(names).toEqual([`long-${Math.floor((START + 4 * 60_000) / 60_000)}`]);
    c.api.patch(CRONJOBS, 'default', 'long', 'merge', { spec: { suspend: true } });
    c.advance(3 * 60_000);
    expect(c.store.list(JOBS, 'default').filter((j) => !j.metadata.deletionTimestamp).map((j) => j.metadata.name)).toEqual(names);
  });
});

describe('restore', () => {
  it('a restored cluster continues a running Job and CronJob the same way', async () => {
    const { restoreCluster } = await import('../../sim/bootstrap.ts');
    const { Cluster } = await import('../../sim/cluster.ts');
    const a = newCluster('batch-restore');
    a.api.create(JOBS, 'default', job('retry', ['sh', '-c', 'exit 1'], { backoffLimit: 3 }));
    a.api.create(JOBS, 'default', job('work', ['sh', '-c', 'sleep 5'], { completions: 3, parallelism: 1 }));
    a.api.create(CRONJOBS, 'default', {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'tick' },
      spec: { schedule: '*/2 * * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'm', image: 'busybox', command: ['sh', '-c', 'sleep 3'] }] } } } } },
    });
    a.advance(17_000);
    const b = restoreCluster(Cluster.restore(a.snapshot()));
    a.advance(300_000);
    b.advance(300_000);
    const view = (c: Cluster) =>
      JSON.stringify({
        jobs: c.store.list(JOBS, 'default').map((j) => [j.metadata.name, j.status]),
        cj: c.store.get(CRONJOBS, 'default', 'tick')!.status,
        pods: c.store.list(PODS, 'default').map((p) => [p.metadata.name, (p as Pod).status?.phase]),
        events: c.store.list(EVENTS, 'default').map((e) => `${e.metadata.name} ${e.reason} ${e.message} ${e.count}`),
      });
    expect(view(b)).toBe(view(a));
    expect(conds(getJob(b, 'retry'))).toContain('Failed=True BackoffLimitExceeded: Job has reached the specified backoff limit');
    expect(conds(getJob(b, 'work'))).toContain('Complete=True CompletionsReached: Reached expected number of succeeded pods');
    expect(b.store.list(JOBS, 'default').filter((j) => j.metadata.name!.startsWith('tick-')).length).toBeGreaterThanOrEqual(2);
  });
});
