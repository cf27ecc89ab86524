import { findResource, PODS } from '../apiserver/resources.ts';
import type { StoreEvent } from '../apiserver/store.ts';
import type { Condition, KObject, Pod } from '../apiserver/types.ts';
import type { Cluster, Component } from '../cluster.ts';
import { parseTime, rfc3339 } from '../util/time.ts';
import { controllerRef, generateNamePrefix, indexAdd, indexDelete, isPodReady, keyOf, podFromTemplate, splitKey, type PodTemplate } from './controller-utils.ts';

export const JOBS = findResource('batch', 'jobs')!;

const SOURCE = { component: 'job-controller' };
/** Pod failure back-off: 10 s doubling, at most 6 minutes (the job controller's defaults). */
const BACKOFF_MS = 10_000;
const MAX_BACKOFF_MS = 360_000;

interface JobSpec {
  parallelism?: number;
  completions?: number | null;
  backoffLimit?: number;
  activeDeadlineSeconds?: number;
  ttlSecondsAfterFinished?: number;
  suspend?: boolean;
  completionMode?: string;
  template?: PodTemplate;
}

interface JobStatus {
  conditions?: Condition[];
  startTime?: string;
  completionTime?: string;
  active?: number;
  ready?: number;
  succeeded?: number;
  failed?: number;
  terminating?: number;
  uncountedTerminatedPods?: Record<string, unknown>;
}

/** What the controller remembers of a job between syncs: terminated pods already counted (by uid). */
interface JobRecord {
  succeeded: string[];
  failed: string[];
  /** when the last pod failed (for the back-off before creating another) */
  lastFailure?: number;
  /** the timer already set for the next look, to set it once */
  timerAt?: number;
  /** pods this controller deleted (suspend): not failures */
  deleted?: string[];
  /** the TTL timer already set */
  ttl?: string;
}

const TABLE = 'job-controller';

function finishedCondition(st: JobStatus): Condition | undefined {
  return st.conditions?.find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
}

/**
 * The Job controller: runs pods from the template until `completions` succeed (at most `parallelism` at once),
 * creating replacements for failed pods after a back-off until `backoffLimit` failures, stopping at
 * `activeDeadlineSeconds`, and (as the TTL-after-finished controller) deleting finished Jobs after
 * `ttlSecondsAfterFinished`.
 */
export class JobController implements Component {
  readonly name = 'job-controller';
  private queue = new Set<string>();
  /** job uid → its pods' keys */
  private owned = new Map<string, Set<string>>();
  private cluster: Cluster;

  readonly timers = {
    'job.sync': (d: { key: string }) => this.queue.add(d.key),
    'job.ttl': (d: { key: string; uid: string }) => this.expire(d.key, d.uid),
  };

  constructor(cluster: Cluster) {
    this.cluster = cluster;
  }

  onStoreEvent(ev: StoreEvent): void {
    const o = ev.object;
    if (ev.info === JOBS) {
      if (ev.type === 'DELETED') this.cluster.records.delete(TABLE, o.metadata.uid!);
      else this.queue.add(keyOf(o.metadata.namespace, o.metadata.name!));
    } else if (ev.info === PODS) {
      const key = keyOf(o.metadata.namespace, o.metadata.name!);
      const oldRef = ev.old ? controllerRef(ev.old) : undefined;
      if (oldRef?.kind === 'Job') indexDelete(this.owned, oldRef.uid, key);
      const ref = ev.type === 'DELETED' ? undefined : controllerRef(o);
      if (ref?.kind === 'Job') indexAdd(this.owned, ref.uid, key);
      const r = ref ?? oldRef;
      if (r?.kind === 'Job' && (ev.type !== 'MODIFIED' || podChanged(ev.old as Pod, o as Pod))) this.queue.add(keyOf(o.metadata.namespace, r.name));
    }
  }

  restore(): void {
    this.owned.clear();
    for (const p of this.cluster.store.list(PODS)) {
      const ref = controllerRef(p);
      if (ref?.kind === 'Job') indexAdd(this.owned, ref.uid, keyOf(p.metadata.namespace, p.metadata.name!));
    }
    for (const j of this.cluster.store.list(JOBS)) this.queue.add(keyOf(j.metadata.namespace, j.metadata.name!));
  }

  runQueue(): boolean {
    if (this.queue.size === 0) return false;
    const keys = [...this.queue].sort();
    this.queue.clear();
    for (const k of keys) {
      const [ns, name] = splitKey(k);
      const job = this.cluster.store.get(JOBS, ns, name);
      if (!job) continue;
      try {
        this.sync(job);
      } catch (e) {
        if (!(e as { code?: number }).code) throw e;
      }
    }
    return true;
  }

  private record(job: KObject): JobRecord {
    return this.cluster.records.get<JobRecord>(TABLE, job.metadata.uid!) ?? { succeeded: [], failed: [] };
  }

  private later(job: KObject, rec: JobRecord, at: number): JobRecord {
    if (at <= this.cluster.now()) return rec;
    if (rec.timerAt !== undefined && rec.timerAt <= at && rec.timerAt > this.cluster.now()) return rec;
    this.cluster.timers.add(at, 'job.sync', { key: keyOf(job.metadata.namespace, job.metadata.name!) });
    return { ...rec, timerAt: at };
  }

  private sync(job: KObject): void {
    const { api, store } = this.cluster;
    const now = this.cluster.now();
    const spec = job.spec as JobSpec;
    const old = (job.status ?? {}) as JobStatus;
    const ns = job.metadata.namespace!;
    const uid = job.metadata.uid!;
    if (job.metadata.deletionTimestamp) return;
    const done = finishedCondition(old);
    if (done) {
      this.scheduleTtl(job, old);
      return;
    }
    let rec = this.record(job);
    const pods: Pod[] = [];
    for (const key of this.owned.get(uid) ?? []) {
      const [pns, pname] = splitKey(key);
      const p = store.get(PODS, pns, pname) as Pod | undefined;
      if (p) pods.push(p);
    }
    pods.sort((a, b) => (a.metadata.creationTimestamp! < b.metadata.creationTimestamp! ? -1 : a.metadata.creationTimestamp! > b.metadata.creationTimestamp! ? 1 : a.metadata.name! < b.metadata.name! ? -1 : 1));
    // Count newly terminated pods.
    const succeeded = new Set(rec.succeeded);
    const failed = new Set(rec.failed);
    let newFailure = false;
    for (const p of pods) {
      const pu = p.metadata.uid!;
      if (p.status?.phase === 'Succeeded' && !succeeded.has(pu)) succeeded.add(pu);
      else if ((p.status?.phase === 'Failed' || (p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded')) && !failed.has(pu) && !succeeded.has(pu)) {
        if (p.status?.phase === 'Failed' || !this.deletedByUs(rec, pu)) {
          failed.add(pu);
          newFailure = true;
        }
      }
    }
    rec = { ...rec, succeeded: [...succeeded], failed: [...failed] };
    if (newFailure) rec.lastFailure = now;
    const active = pods.filter((p) => !p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
    const st: JobStatus = { ...old, conditions: [...(old.conditions ?? [])] };
    if (!spec.suspend && !st.startTime) st.startTime = rfc3339(now);
    // OnFailure pods restart in place: their restarts count as failures toward the back-off limit.
    let restarts = 0;
    if (spec.template?.spec?.restartPolicy === 'OnFailure') {
      for (const p of active) for (const c of p.status?.containerStatuses ?? []) restarts += c.restartCount ?? 0;
    }
    const completions = spec.completions ?? null;
    const parallelism = spec.parallelism ?? 1;
    let finish: { type: 'Complete' | 'Failed'; reason: string; message: string } | undefined;
    if (failed.size + restarts > (spec.backoffLimit ?? 6)) {
      finish = { type: 'Failed', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' };
    } else if (spec.activeDeadlineSeconds !== undefined && st.startTime && !spec.suspend && (parseTime(st.startTime) ?? now) + spec.activeDeadlineSeconds * 1000 <= now) {
      finish = { type: 'Failed', reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' };
    } else if (completions !== null ? succeeded.size >= completions : succeeded.size > 0 && active.length === 0) {
      finish = { type: 'Complete', reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods' };
    }
    const deleted = new Set<string>();
    if (finish || spec.suspend) {
      for (const p of active) {
        api.delete(PODS, ns, p.metadata.name!, { preconditions: { uid: p.metadata.uid } });
        deleted.add(p.metadata.uid!);
        this.cluster.events.record(job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`, SOURCE);
      }
    } else {
      // Create pods up to what is wanted, after the back-off that follows a failure.
      const want = completions !== null ? Math.min(parallelism, Math.max(0, completions - succeeded.size)) : succeeded.size > 0 ? 0 : parallelism;
      const missing = want - active.length;
      if (missing > 0) {
        const backoff = failed.size > 0 ? Math.min(MAX_BACKOFF_MS, BACKOFF_MS * 2 ** (failed.size - 1)) : 0;
        const at = (rec.lastFailure ?? 0) + backoff;
        if (failed.size > 0 && at > now) rec = this.later(job, rec, at);
        else {
          for (let i = 0; i < missing; i++) {
            const pod = podFromTemplate(job, spec.template ?? {}, { generateName: generateNamePrefix(job.metadata.name!) });
            try {
              const created = api.create(PODS, ns, pod);
              this.cluster.events.record(job, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`, SOURCE);
            } catch (e) {
              this.cluster.events.record(job, 'Warning', 'FailedCreate', `Error creating: ${(e as Error).message}`, SOURCE);
              break;
            }
          }
        }
      }
      if (spec.activeDeadlineSeconds !== undefined && st.startTime) rec = this.later(job, rec, (parseTime(st.startTime) ?? now) + spec.activeDeadlineSeconds * 1000);
    }
    // Status, from the pods as they are now.
    const live = [...(this.owned.get(uid) ?? [])].map((k) => store.get(PODS, ...splitKey(k)) as Pod | undefined).filter((p): p is Pod => !!p);
    const nowActive = live.filter((p) => !p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
    st.active = nowActive.length;
    st.ready = nowActive.filter(isPodReady).length;
    st.succeeded = succeeded.size;
    st.failed = failed.size;
    st.terminating = live.filter((p) => p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed').length;
    st.uncountedTerminatedPods = {};
    if (!st.active) delete st.active;
    if (!st.succeeded) delete st.succeeded;
    if (!st.failed) delete st.failed;
    const ts = rfc3339(now);
    const cond = (type: string, reason: string, message: string): Condition => ({ type, status: 'True', lastProbeTime: ts, lastTransitionTime: ts, reason, message });
    if (spec.suspend && !st.conditions!.some((c) => c.type === 'Suspended' && c.status === 'True')) {
      st.conditions = [...st.conditions!.filter((c) => c.type !== 'Suspended'), cond('Suspended', 'JobSuspended', 'Job suspended')];
      this.cluster.events.record(job, 'Normal', 'Suspended', 'Job suspended', SOURCE);
    } else if (!spec.suspend && st.conditions!.some((c) => c.type === 'Suspended' && c.status === 'True')) {
      st.conditions = st.conditions!.map((c) => (c.type === 'Suspended' ? { ...c, status: 'False', reason: 'JobResumed', message: 'Job resumed', lastProbeTime: ts, lastTransitionTime: ts } : c));
      st.startTime = rfc3339(now);
      this.cluster.events.record(job, 'Normal', 'Resumed', 'Job resumed', SOURCE);
    }
    if (finish) {
      if (finish.type === 'Complete') {
        st.conditions = [...st.conditions!, cond('SuccessCriteriaMet', finish.reason, finish.message), cond('Complete', finish.reason, finish.message)];
        st.completionTime = ts;
        this.cluster.events.record(job, 'Normal', 'Completed', 'Job completed', SOURCE);
      } else {
        st.conditions = [...st.conditions!, cond('FailureTarget', finish.reason, finish.message), cond('Failed', finish.reason, finish.message)];
        this.cluster.events.record(job, 'Warning', finish.reason, finish.message, SOURCE);
      }
    }
    if (!st.conditions!.length) delete st.conditions;
    if (deleted.size) rec = { ...rec, deleted: [...(rec.deleted ?? []), ...deleted] };
    this.cluster.records.set(TABLE, uid, rec);
    if (JSON.stringify(st) !== JSON.stringify(old)) {
      const updated = api.update(JOBS, ns, job.metadata.name!, { ...job, status: st }, { subresource: 'status' });
      if (finish) this.scheduleTtl(updated, st);
    }
  }

  /** Pods this controller deleted (when the job finished) are not failures. */
  private deletedByUs(rec: JobRecord, uid: string): boolean {
    return (rec.deleted ?? []).includes(uid);
  }

  private scheduleTtl(job: KObject, st: JobStatus): void {
    const ttl = (job.spec as JobSpec).ttlSecondsAfterFinished;
    if (ttl === undefined || ttl === null) return;
    const c = finishedCondition(st);
    if (!c) return;
    const at = (parseTime(st.completionTime ?? c.lastTransitionTime ?? undefined) ?? this.cluster.now()) + ttl * 1000;
    const rec = this.record(job);
    const mark = `ttl@${at}`;
    if (rec.ttl === mark) return;
    this.cluster.records.set(TABLE, job.metadata.uid!, { ...rec, ttl: mark });
    this.cluster.timers.add(Math.max(at, this.cluster.now()), 'job.ttl', { key: keyOf(job.metadata.namespace, job.metadata.name!), uid: job.metadata.uid });
  }

  /** The TTL-after-finished controller: a finished job past its TTL is deleted with its pods (foreground). */
  private expire(key: string, uid: string): void {
    const [ns, name] = splitKey(key);
    const job = this.cluster.store.get(JOBS, ns, name);
    if (!job || job.metadata.uid !== uid || job.metadata.deletionTimestamp) return;
    try {
      this.cluster.api.delete(JOBS, ns, name, { propagationPolicy: 'Foreground', preconditions: { uid } });
    } catch {
      /* gone meanwhile */
    }
  }
}

/** Only a change of phase, readiness, deletion or restarts matters to the job controller. */
function podChanged(a: Pod | undefined, b: Pod): boolean {
  if (!a) return true;
  if (a.status?.phase !== b.status?.phase) return true;
  if (!!a.metadata.deletionTimestamp !== !!b.metadata.deletionTimestamp) return true;
  if (isPodReady(a) !== isPodReady(b)) return true;
  const r = (p: Pod) => (p.status?.containerStatuses ?? []).reduce((s, c) => s + (c.restartCount ?? 0), 0);
  return r(a) !== r(b);
}
