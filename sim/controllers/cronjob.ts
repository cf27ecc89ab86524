import { findResource } from '../apiserver/resources.ts';
import type { StoreEvent } from '../apiserver/store.ts';
import type { Condition, KObject } from '../apiserver/types.ts';
import type { Cluster, Component } from '../cluster.ts';
import { parseTime, rfc3339 } from '../util/time.ts';
import { clone, controllerRef, keyOf, ownerRefTo, splitKey } from './controller-utils.ts';
import { nextAfter, parseCron } from './cron.ts';
import { JOBS } from './job.ts';

export const CRONJOBS = findResource('batch', 'cronjobs')!;

const SOURCE = { component: 'cronjob-controller' };
const TABLE = 'cronjob-controller';

interface CronJobSpec {
  schedule: string;
  timeZone?: string;
  startingDeadlineSeconds?: number;
  concurrencyPolicy?: 'Allow' | 'Forbid' | 'Replace';
  suspend?: boolean;
  successfulJobsHistoryLimit?: number;
  failedJobsHistoryLimit?: number;
  jobTemplate: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec: Record<string, unknown> };
}

interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string;
  uid: string;
  resourceVersion?: string;
}

interface CronJobStatus {
  active?: ObjectRef[];
  lastScheduleTime?: string;
  lastSuccessfulTime?: string;
}

function jobFinished(job: KObject): Condition | undefined {
  const st = (job.status ?? {}) as { conditions?: Condition[] };
  return st.conditions?.find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
}

/**
 * The CronJob controller: at each time the schedule (UTC) names, on the virtual clock, it creates a Job from
 * the template (unless suspended or, with Forbid, one still runs; with Replace the running ones are deleted
 * first), tracks the active Jobs, and keeps only the last successful and failed Jobs the history limits allow.
 */
export class CronJobController implements Component {
  readonly name = 'cronjob-controller';
  private queue = new Set<string>();
  private cluster: Cluster;

  readonly timers = {
    'cronjob.schedule': (d: { key: string; uid: string; at: number }) => this.fire(d.key, d.uid, d.at),
  };

  constructor(cluster: Cluster) {
    this.cluster = cluster;
  }

  onStoreEvent(ev: StoreEvent): void {
    const o = ev.object;
    if (ev.info === CRONJOBS) {
      if (ev.type === 'DELETED') this.cluster.records.delete(TABLE, o.metadata.uid!);
      else this.queue.add(keyOf(o.metadata.namespace, o.metadata.name!));
    } else if (ev.info === JOBS) {
      const ref = controllerRef(o) ?? (ev.old ? controllerRef(ev.old) : undefined);
      if (ref?.kind !== 'CronJob') return;
      const finishedNow = !!jobFinished(o);
      const finishedBefore = ev.old ? !!jobFinished(ev.old) : false;
      if (ev.type !== 'MODIFIED' || finishedNow !== finishedBefore) this.queue.add(keyOf(o.metadata.namespace, ref.name));
    }
  }

  restore(): void {
    for (const cj of this.cluster.store.list(CRONJOBS)) this.queue.add(keyOf(cj.metadata.namespace, cj.metadata.name!));
  }

  runQueue(): boolean {
    if (this.queue.size === 0) return false;
    const keys = [...this.queue].sort();
    this.queue.clear();
    for (const k of keys) {
      const [ns, name] = splitKey(k);
      const cj = this.cluster.store.get(CRONJOBS, ns, name);
      if (!cj) continue;
      try {
        this.sync(cj);
      } catch (e) {
        if (!(e as { code?: number }).code) throw e;
      }
    }
    return true;
  }

  private jobsOf(cj: KObject): KObject[] {
    const uid = cj.metadata.uid!;
    return this.cluster.store.list(JOBS, cj.metadata.namespace).filter((j) => controllerRef(j)?.uid === uid);
  }

  /** Active list, last successful time, history cleanup, and the timer for the next scheduled time. */
  private sync(cj: KObject): void {
    if (cj.metadata.deletionTimestamp) return;
    const spec = cj.spec as CronJobSpec;
    const old = (cj.status ?? {}) as CronJobStatus;
    const jobs = this.jobsOf(cj);
    const st: CronJobStatus = clone(old);
    const active: ObjectRef[] = [];
    let lastSuccess = parseTime(old.lastSuccessfulTime) ?? 0;
    const seen = new Set((old.active ?? []).map((r) => r.uid));
    for (const j of jobs) {
      const done = jobFinished(j);
      if (!done) {
        if (!j.metadata.deletionTimestamp) active.push(refTo(j));
        continue;
      }
      if (seen.has(j.metadata.uid!)) {
        this.cluster.events.record(cj, 'Normal', 'SawCompletedJob', `Saw completed job: ${j.metadata.name}, condition: ${done.type}`, SOURCE);
      }
      if (done.type === 'Complete') {
        const t = parseTime((j.status as { completionTime?: string })?.completionTime) ?? 0;
        if (t > lastSuccess) lastSuccess = t;
      }
    }
    if (active.length) st.active = active;
    else delete st.active;
    if (lastSuccess) st.lastSuccessfulTime = rfc3339(lastSuccess);
    this.cleanupHistory(cj, jobs, spec);
    if (JSON.stringify(st) !== JSON.stringify(old)) {
      this.cluster.api.update(CRONJOBS, cj.metadata.namespace, cj.metadata.name!, { ...cj, status: st }, { subresource: 'status' });
    }
    this.scheduleNext(cj);
  }

  private scheduleNext(cj: KObject): void {
    const spec = cj.spec as CronJobSpec;
    let sched;
    try {
      sched = parseCron(spec.schedule);
    } catch {
      return;
    }
    const st = (cj.status ?? {}) as CronJobStatus;
    const from = Math.max(parseTime(st.lastScheduleTime) ?? 0, parseTime(cj.metadata.creationTimestamp) ?? 0, this.cluster.now());
    const at = nextAfter(sched, from);
    if (!Number.isFinite(at)) return;
    const uid = cj.metadata.uid!;
    const mark = `${spec.schedule}@${at}`;
    const current = this.cluster.records.get<string>(TABLE, uid);
    if (current === mark) return;
    // A timer still due for this schedule (now or later) stands: it has not fired yet.
    if (current?.startsWith(`${spec.schedule}@`) && Number(current.slice(spec.schedule.length + 1)) >= this.cluster.now()) return;
    this.cluster.records.set(TABLE, uid, mark);
    this.cluster.timers.add(at, 'cronjob.schedule', { key: keyOf(cj.metadata.namespace, cj.metadata.name!), uid, at });
  }

  private fire(key: string, uid: string, at: number): void {
    const [ns, name] = splitKey(key);
    const cj = this.cluster.store.get(CRONJOBS, ns, name);
    if (!cj || cj.metadata.uid !== uid || cj.metadata.deletionTimestamp) return;
    const spec = cj.spec as CronJobSpec;
    // A timer left from an older schedule is ignored (the current one has its own).
    if (this.cluster.records.get(TABLE, uid) !== `${spec.schedule}@${at}`) return;
    this.cluster.records.delete(TABLE, uid);
    try {
      this.run(cj, at);
    } finally {
      const latest = this.cluster.store.get(CRONJOBS, ns, name);
      if (latest) this.scheduleNext(latest);
    }
  }

  private run(cj: KObject, at: number): void {
    const spec = cj.spec as CronJobSpec;
    const { api } = this.cluster;
    if (spec.suspend) return;
    if (spec.startingDeadlineSeconds !== undefined && this.cluster.now() > at + spec.startingDeadlineSeconds * 1000) {
      this.cluster.events.record(cj, 'Warning', 'MissSchedule', `Missed scheduled time to start a job: ${rfc3339(at)}`, SOURCE);
      return;
    }
    const running = this.jobsOf(cj).filter((j) => !jobFinished(j) && !j.metadata.deletionTimestamp);
    if (running.length && spec.concurrencyPolicy === 'Forbid') {
      this.cluster.events.record(cj, 'Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid', SOURCE);
      return;
    }
    if (running.length && spec.concurrencyPolicy === 'Replace') {
      for (const j of running) {
        api.delete(JOBS, j.metadata.namespace, j.metadata.name!, { propagationPolicy: 'Background' });
        this.cluster.events.record(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${j.metadata.name}`, SOURCE);
      }
    }
    const jt = spec.jobTemplate ?? { spec: {} };
    const jobName = `${cj.metadata.name}-${Math.floor(at / 60_000)}`;
    const job: KObject = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name: jobName,
        namespace: cj.metadata.namespace,
        labels: { ...(jt.metadata?.labels ?? {}) },
        annotations: { ...(jt.metadata?.annotations ?? {}), 'batch.kubernetes.io/cronjob-scheduled-timestamp': rfc3339(at) },
        ownerReferences: [ownerRefTo(cj)],
      },
      spec: clone(jt.spec),
    };
    let created: KObject;
    try {
      created = api.create(JOBS, cj.metadata.namespace, job);
    } catch (e) {
      if ((e as { code?: number }).code === 409) return;
      this.cluster.events.record(cj, 'Warning', 'FailedCreate', `Error creating job: ${(e as Error).message}`, SOURCE);
      return;
    }
    this.cluster.events.record(cj, 'Normal', 'SuccessfulCreate', `Created job ${created.metadata.name}`, SOURCE);
    const latest = this.cluster.store.get(CRONJOBS, cj.metadata.namespace, cj.metadata.name!) ?? cj;
    const st = clone((latest.status ?? {}) as CronJobStatus);
    st.active = [...(st.active ?? []).filter((r) => r.uid !== created.metadata.uid), refTo(created)];
    st.lastScheduleTime = rfc3339(at);
    api.update(CRONJOBS, cj.metadata.namespace, cj.metadata.name!, { ...latest, status: st }, { subresource: 'status' });
  }

  private cleanupHistory(cj: KObject, jobs: KObject[], spec: CronJobSpec): void {
    const byType = (type: string) =>
      jobs
        .filter((j) => !j.metadata.deletionTimestamp && jobFinished(j)?.type === type)
        .sort((a, b) => (parseTime((a.status as any)?.startTime) ?? 0) - (parseTime((b.status as any)?.startTime) ?? 0) || (a.metadata.name! < b.metadata.name! ? -1 : 1));
    for (const [type, limit] of [
      ['Complete', spec.successfulJobsHistoryLimit ?? 3],
      ['Failed', spec.failedJobsHistoryLimit ?? 1],
    ] as const) {
      const list = byType(type);
      for (let i = 0; i < list.length - limit; i++) {
        const j = list[i];
        this.cluster.api.delete(JOBS, j.metadata.namespace, j.metadata.name!, { propagationPolicy: 'Background' });
        this.cluster.events.record(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${j.metadata.name}`, SOURCE);
      }
    }
  }
}

function refTo(j: KObject): ObjectRef {
  return { apiVersion: 'batch/v1', kind: 'Job', name: j.metadata.name!, namespace: j.metadata.namespace!, uid: j.metadata.uid!, resourceVersion: j.metadata.resourceVersion };
}
