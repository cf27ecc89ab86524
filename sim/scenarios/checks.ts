/**
 * A scenario's checks, evaluated live against the cluster. Each is a pure reading of the cluster's state
 * (the HTTP check sends its requests through the simulated network and then puts back the random source and
 * the session-affinity records it touched, so evaluating checks never changes the cluster's future).
 * Every result says what it looks at and, when it fails, why, in words a learner understands.
 */
import { findByKind, NODES, PODS } from '../apiserver/resources.ts';
import { matchesLabels, parseLabelSelector } from '../apiserver/selectors.ts';
import type { KObject, Node, Pod } from '../apiserver/types.ts';
import { podStatusReason } from '../apiserver/printers/pod.ts';
import type { Cluster } from '../cluster.ts';
import { CRONJOBS } from '../controllers/cronjob.ts';
import { DEPLOYMENTS } from '../controllers/deployment.ts';
import { ENDPOINTS } from '../controllers/endpoints.ts';
import { HPAS } from '../controllers/hpa.ts';
import { JOBS } from '../controllers/job.ts';
import { PVCS } from '../controllers/pv-binder.ts';
import { STATEFULSETS } from '../controllers/statefulset.ts';
import { resolve } from '../dns/resolve.ts';
import { AFFINITY_TABLE, httpRequest } from '../network/http.ts';
import { humanDuration, parseTime } from '../util/time.ts';
import { availabilityOf, SCENARIO_TABLE } from './monitor.ts';
import type { Check, CheckParams, CheckResult } from './types.ts';

type Outcome = Omit<CheckResult, 'id' | 'title' | 'kind'>;

const pass = (summary: string, why: string): Outcome => ({ passed: true, summary, why });
const fail = (summary: string, why: string): Outcome => ({ passed: false, summary, why });

function plural(n: number, word: string, many = word + 's'): string {
  return `${n} ${n === 1 ? word : many}`;
}

function listNames(names: string[], max = 3): string {
  if (names.length <= max) return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
  return `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}

function selectorText(sel: string | Record<string, string> | undefined): string | undefined {
  if (sel === undefined) return undefined;
  return typeof sel === 'string' ? sel : Object.entries(sel).map(([k, v]) => `${k}=${v}`).join(',');
}

function podsOf(cluster: Cluster, namespace: string, sel: string | Record<string, string> | undefined): Pod[] {
  const s = selectorText(sel);
  const parsed = s ? parseLabelSelector(s) : undefined;
  return (cluster.store.list(PODS, namespace) as Pod[]).filter((p) => !parsed || matchesLabels(parsed, p.metadata.labels));
}

function podsWhat(namespace: string, sel: string | Record<string, string> | undefined): string {
  const s = selectorText(sel);
  return s ? `pods with labels ${s} in namespace ${namespace}` : `pods in namespace ${namespace}`;
}

const condition = (o: { status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] } } | undefined, type: string) =>
  o?.status?.conditions?.find((c) => c.type === type);

const podReady = (p: Pod) => condition(p, 'Ready')?.status === 'True';

/** Why a pod is not Running and Ready, as a learner would find out with get/describe. */
export function explainPod(cluster: Cluster, pod: Pod): string {
  const now = cluster.now();
  const status = podStatusReason(pod, now);
  if (pod.metadata.deletionTimestamp) return 'Terminating';
  const sched = condition(pod, 'PodScheduled');
  if (!pod.spec.nodeName) {
    if (sched?.status === 'False' && sched.message) return `Pending, not scheduled (${sched.message.replace(/ preemption: .*$/s, '').replace(/\.$/, '')})`;
    return 'Pending, not scheduled yet';
  }
  const all = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  for (const cs of all) {
    const w = cs.state?.waiting;
    if (w?.reason && w.reason !== 'PodInitializing' && w.reason !== 'ContainerCreating') {
      const last = cs.lastState?.terminated;
      if (w.reason === 'CrashLoopBackOff') {
        return `CrashLoopBackOff (container ${cs.name} keeps exiting${last ? `, last with code ${last.exitCode}${last.reason && last.reason !== 'Error' ? ` ${last.reason}` : ''}` : ''}, ${plural(cs.restartCount, 'restart')})`;
      }
      if (w.reason === 'ImagePullBackOff' || w.reason === 'ErrImagePull' || w.reason === 'InvalidImageName') {
        const image = pod.spec.containers.find((c) => c.name === cs.name)?.image ?? pod.spec.initContainers?.find((c) => c.name === cs.name)?.image;
        return `${w.reason} (image ${JSON.stringify(image)} cannot be pulled)`;
      }
      const msg = w.message ? `: ${w.message.length > 120 ? w.message.slice(0, 117) + '...' : w.message}` : '';
      return `${w.reason} (container ${cs.name}${msg})`;
    }
    const t = cs.state?.terminated;
    if (t && pod.status?.phase !== 'Succeeded') return `${t.reason ?? 'Terminated'} (container ${cs.name} exited with code ${t.exitCode})`;
  }
  if (pod.status?.phase === 'Running' && !podReady(pod)) {
    const node = cluster.store.get(NODES, undefined, pod.spec.nodeName) as Node | undefined;
    const nodeReady = condition(node, 'Ready');
    if (node && nodeReady?.status !== 'True') return `not Ready: its node ${pod.spec.nodeName} is NotReady${nodeReady?.reason ? ` (${nodeReady.reason})` : ''}`;
    const notReady = (pod.status.containerStatuses ?? []).filter((cs) => !cs.ready);
    const probed = notReady.filter((cs) => pod.spec.containers.find((c) => c.name === cs.name)?.readinessProbe);
    if (probed.length) return `Running but not Ready (readiness probe failing on ${listNames(probed.map((c) => c.name))})`;
    if (notReady.some((cs) => cs.state?.running)) return 'Running but not Ready yet (starting)';
    return 'Running but not Ready';
  }
  return status;
}

/** "a and b are X; c is Y": pods grouped by what is wrong with them. */
export function describePods(cluster: Cluster, pods: Pod[], explain: (p: Pod) => string = (p) => explainPod(cluster, p)): string {
  const groups = new Map<string, string[]>();
  for (const p of pods) {
    const why = explain(p);
    groups.set(why, [...(groups.get(why) ?? []), p.metadata.name!]);
  }
  const parts = [...groups].slice(0, 3).map(([why, names]) => `${names.length === 1 ? 'pod' : 'pods'} ${listNames(names, 2)} ${names.length === 1 ? 'is' : 'are'} ${why}`);
  if (groups.size > 3) parts.push(`${groups.size - 3} more kinds of trouble`);
  return listNames(parts, 4);
}

/** Restarts within the window: containers whose last termination finished less than `windowMs` ago. */
function recentRestart(cluster: Cluster, pod: Pod, windowMs: number): string | undefined {
  for (const cs of [...(pod.status?.containerStatuses ?? [])]) {
    const w = cs.state?.waiting;
    if (w?.reason === 'CrashLoopBackOff') return explainPod(cluster, pod);
    if (!cs.restartCount) continue;
    const finished = parseTime(cs.lastState?.terminated?.finishedAt as string | undefined);
    if (finished !== undefined && cluster.now() - finished < windowMs) {
      const t = cs.lastState!.terminated!;
      return `restarting (container ${cs.name} last exited ${humanDuration(cluster.now() - finished)} ago with code ${t.exitCode}${t.reason && t.reason !== 'Error' ? ` ${t.reason}` : ''}, ${plural(cs.restartCount, 'restart')})`;
    }
  }
  return undefined;
}

function checkEndpoints(cluster: Cluster, p: CheckParams<'endpoints'>): Outcome {
  const svc = cluster.store.get(findByKind('v1', 'Service')!, p.namespace, p.service) as (KObject & { spec: any }) | undefined;
  const head = `Service ${p.service} in namespace ${p.namespace}`;
  if (!svc) return fail(`0/${p.ready} ready endpoints`, `${head} does not exist.`);
  const ep = cluster.store.get(ENDPOINTS, p.namespace, p.service) as any;
  const ready = new Set<string>();
  for (const s of ep?.subsets ?? []) for (const a of s.addresses ?? []) ready.add(a.ip);
  const n = ready.size;
  const summary = `${n}/${p.ready} ready endpoints`;
  const has = `${head} has ${plural(n, 'ready endpoint')}`;
  if (n >= p.ready) return pass(summary, `${has}, needs ${p.ready}.`);
  const sel = svc.spec.selector as Record<string, string> | undefined;
  if (!sel || !Object.keys(sel).length) return fail(summary, `${has}, needs ${p.ready}: it has no selector, so no pods back it.`);
  const selText = selectorText(sel)!;
  const matching = podsOf(cluster, p.namespace, sel).filter((x) => !x.metadata.deletionTimestamp);
  if (!matching.length) {
    const labels = new Set<string>();
    for (const pod of cluster.store.list(PODS, p.namespace) as Pod[]) for (const [k, v] of Object.entries(pod.metadata.labels ?? {})) if (k !== 'pod-template-hash') labels.add(`${k}=${v}`);
    const seen = labels.size ? ` (pods there have labels ${listNames([...labels].sort(), 5)})` : '';
    return fail(summary, `${has}, needs ${p.ready}: its selector ${selText} matches no pod in namespace ${p.namespace}${seen}.`);
  }
  const notReady = matching.filter((x) => !podReady(x));
  if (notReady.length) {
    return fail(summary, `${has}, needs ${p.ready}: ${describePods(cluster, notReady)}.`);
  }
  return fail(summary, `${has}, needs ${p.ready}: only ${plural(matching.length, 'pod')} match its selector ${selText}.`);
}

function checkRollout(cluster: Cluster, p: CheckParams<'rollout'>): Outcome {
  const d = cluster.store.get(DEPLOYMENTS, p.namespace, p.deployment) as any;
  const head = `Deployment ${p.deployment} in namespace ${p.namespace}`;
  if (!d) return fail('missing', `${head} does not exist.`);
  const want = p.replicas ?? d.spec.replicas ?? 1;
  const st = d.status ?? {};
  const summary = `${st.updatedReplicas ?? 0}/${want} updated, ${st.availableReplicas ?? 0}/${want} available`;
  const problems: string[] = [];
  if (p.replicas !== undefined && d.spec.replicas !== p.replicas) problems.push(`it asks for ${plural(d.spec.replicas ?? 1, 'replica')}, needs ${p.replicas}`);
  if (p.image) {
    const containers = d.spec.template.spec.containers as { name: string; image: string }[];
    const c = p.container ? containers.find((x) => x.name === p.container) : containers[0];
    if (!c) problems.push(`it has no container ${p.container}`);
    else if (c.image !== p.image) problems.push(`its container ${c.name} runs image ${c.image}, needs ${p.image}`);
  }
  if ((st.observedGeneration ?? 0) < (d.metadata.generation ?? 1)) problems.push('the controller has not seen its latest change yet');
  const progressing = condition(d, 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') problems.push(`its rollout is stuck (ProgressDeadlineExceeded: ${progressing.message})`);
  const sel = d.spec.selector?.matchLabels as Record<string, string> | undefined;
  const bad = sel ? podsOf(cluster, p.namespace, sel).filter((x) => !podReady(x) && !x.metadata.deletionTimestamp) : [];
  if ((st.updatedReplicas ?? 0) < want) {
    const stuck = (st.availableReplicas ?? 0) >= want && bad.length ? ` (${describePods(cluster, bad)})` : '';
    problems.push(`only ${st.updatedReplicas ?? 0} of ${want} replicas run the current template${stuck}`);
  }
  if ((st.replicas ?? 0) > (st.updatedReplicas ?? 0)) problems.push(`${plural((st.replicas ?? 0) - (st.updatedReplicas ?? 0), 'old replica')} still run${(st.replicas ?? 0) - (st.updatedReplicas ?? 0) === 1 ? 's' : ''}`);
  if ((st.availableReplicas ?? 0) < want) {
    problems.push(`${st.availableReplicas ?? 0} of ${want} replicas are available${bad.length ? ` (${describePods(cluster, bad)})` : ''}`);
  }
  if (p.minAvailable !== undefined) {
    const rec = availabilityOf(cluster, p.namespace, p.deployment);
    if (!rec) problems.push('its availability was not watched (the scenario monitor is not running)');
    else if (rec.min < p.minAvailable) {
      problems.push(`it had downtime: only ${plural(rec.min, 'replica')} ${rec.min === 1 ? 'was' : 'were'} available ${humanDuration(cluster.now() - rec.minAt)} ago, fewer than the ${p.minAvailable} it must always keep`);
    }
  }
  const image = p.image ? ` with image ${p.image}` : '';
  const downtime = p.minAvailable !== undefined ? `, never fewer than ${p.minAvailable} available` : '';
  if (problems.length) return fail(summary, `${head} must finish its rollout${image}${downtime}, but ${listNames(problems, 4)}.`);
  return pass(summary, `${head} rolled out${image}: ${want}/${want} replicas updated and available${downtime}.`);
}

function checkPods(cluster: Cluster, p: CheckParams<'pods'>): Outcome {
  const what = podsWhat(p.namespace, p.selector);
  const pods = podsOf(cluster, p.namespace, p.selector).filter((x) => x.status?.phase !== 'Succeeded' && !x.metadata.deletionTimestamp && !x.metadata.ownerReferences?.some((o) => o.kind === 'Job'));
  const why = new Map<Pod, string>();
  for (const pod of pods) {
    const restart = recentRestart(cluster, pod, p.noRestartsForSeconds * 1000);
    if (restart) why.set(pod, restart);
    else if (pod.status?.phase !== 'Running' || !podReady(pod)) why.set(pod, explainPod(cluster, pod));
    else if (p.notOnNodes?.includes(pod.spec.nodeName!)) why.set(pod, `on ${pod.spec.nodeName}`);
  }
  const healthy = pods.length - why.size;
  const summary = `${healthy}/${Math.max(p.minPods, pods.length)} healthy`;
  const rule = `Running, Ready${p.noRestartsForSeconds ? `, no restart in the last ${humanDuration(p.noRestartsForSeconds * 1000)}` : ''}${p.notOnNodes?.length ? `, not on ${listNames(p.notOnNodes)}` : ''}`;
  if (why.size) return fail(summary, `Every one of the ${what} must be ${rule}, but ${describePods(cluster, [...why.keys()], (x) => why.get(x)!)}.`);
  if (healthy < p.minPods) return fail(summary, `There must be at least ${plural(p.minPods, 'pod')} ${rule} among the ${what}, there ${healthy === 1 ? 'is' : 'are'} ${healthy}.`);
  return pass(summary, `${plural(healthy, 'pod')} among the ${what}: all ${rule}.`);
}

function checkScheduled(cluster: Cluster, p: CheckParams<'scheduled'>): Outcome {
  const what = podsWhat(p.namespace, p.selector);
  const pods = podsOf(cluster, p.namespace, p.selector).filter((x) => !x.metadata.deletionTimestamp);
  const why = new Map<Pod, string>();
  for (const pod of pods) {
    if (!pod.spec.nodeName) {
      why.set(pod, explainPod(cluster, pod));
      continue;
    }
    if (p.nodeLabels) {
      const node = cluster.store.get(NODES, undefined, pod.spec.nodeName) as Node | undefined;
      const labels = node?.metadata.labels ?? {};
      const missing = Object.entries(p.nodeLabels).filter(([k, v]) => labels[k] !== v);
      if (missing.length) why.set(pod, `on ${pod.spec.nodeName}, which lacks the label ${missing.map(([k, v]) => `${k}=${v}`).join(',')}`);
    }
  }
  const ok = pods.length - why.size;
  const summary = `${ok}/${Math.max(pods.length, p.minPods)} scheduled`;
  const where = p.nodeLabels ? ` onto a node labelled ${selectorText(p.nodeLabels)}` : '';
  if (why.size) return fail(summary, `Every one of the ${what} must be scheduled${where}, but ${describePods(cluster, [...why.keys()], (x) => why.get(x)!)}.`);
  if (ok < p.minPods) return fail(summary, `At least ${plural(p.minPods, 'pod')} among the ${what} must be scheduled${where}, there ${ok === 1 ? 'is' : 'are'} ${ok}.`);
  return pass(summary, `${plural(ok, 'pod')} among the ${what}: all scheduled${where}.`);
}

function clientPod(cluster: Cluster, from: { namespace: string; selector?: string | Record<string, string>; pod?: string }): Pod | undefined {
  const pods = podsOf(cluster, from.namespace, from.selector)
    .filter((x) => (!from.pod || x.metadata.name === from.pod) && x.status?.phase === 'Running' && x.status.podIP && !x.metadata.deletionTimestamp)
    .sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1));
  return pods[0];
}

function checkHttp(cluster: Cluster, p: CheckParams<'http'>): Outcome {
  let fromPodUid: string | undefined;
  let fromText = 'from outside the cluster';
  if (p.from !== 'outside') {
    const pod = clientPod(cluster, p.from);
    const what = p.from.pod ? `pod ${p.from.pod} in namespace ${p.from.namespace}` : `a Running pod among the ${podsWhat(p.from.namespace, p.from.selector)}`;
    if (!pod) return fail(`0/${p.times}`, `The request to ${p.url} is sent from ${what}, and there is none.`);
    fromPodUid = pod.metadata.uid;
    fromText = `from pod ${pod.metadata.name} in namespace ${pod.metadata.namespace}`;
  }
  // Requests spread over endpoints with the cluster's random source: put it (and the affinity records) back.
  const rng = cluster.rng as unknown as { s: number[] };
  const savedRng = [...rng.s];
  const savedRngRecord = cluster.records.get('meta', 'rng');
  const savedAffinity = new Map(cluster.records.table(AFFINITY_TABLE));
  let ok = 0;
  let failure: string | undefined;
  try {
    for (let i = 0; i < p.times; i++) {
      const r = httpRequest(cluster, { url: p.url, fromPodUid });
      if (p.blocked) {
        if (r.status === undefined) {
          ok++;
          continue;
        }
        failure = `request ${i + 1} got through with status ${r.status}${r.servedBy ? ` (answered by pod ${r.servedBy.pod})` : ''}`;
        break;
      }
      if (r.status === p.status) {
        ok++;
        continue;
      }
      const by = r.servedBy ? ` (answered by pod ${r.servedBy.pod})` : '';
      failure = r.status !== undefined ? `request ${i + 1} got status ${r.status}${by}` : `request ${i + 1} failed: ${r.error}`;
      break;
    }
  } finally {
    rng.s = savedRng;
    // Only what the requests changed is written back (a host persists the records a change marks dirty).
    if (savedRngRecord !== undefined && JSON.stringify(cluster.records.get('meta', 'rng')) !== JSON.stringify(savedRngRecord)) cluster.records.set('meta', 'rng', savedRngRecord);
    const table = cluster.records.table(AFFINITY_TABLE);
    for (const key of [...table.keys()]) if (!savedAffinity.has(key)) cluster.records.delete(AFFINITY_TABLE, key);
    for (const [key, value] of savedAffinity) if (table.get(key) !== value) cluster.records.set(AFFINITY_TABLE, key, value);
  }
  const goal = p.blocked ? `GET ${p.url} ${fromText} must not get through` : `GET ${p.url} ${fromText} must answer ${p.status}${p.times > 1 ? ` ${p.times} times in a row` : ''}`;
  if (failure) return fail(`${ok}/${p.times}`, `${goal}: ${failure}.`);
  return pass(`${ok}/${p.times}`, p.blocked ? `${goal}: it is blocked.` : `${goal}: it did.`);
}

function checkDns(cluster: Cluster, p: CheckParams<'dns'>): Outcome {
  let fromPod: Pod | undefined;
  if (p.from) {
    fromPod = clientPod(cluster, { namespace: p.namespace, ...p.from });
    if (!fromPod) return fail('no client', `The name ${p.name} is looked up from a Running pod among the ${podsWhat(p.namespace, p.from.selector)}, and there is none.`);
  }
  const r = resolve(cluster, p.name, p.namespace, { fromPod });
  const where = fromPod ? `from pod ${fromPod.metadata.name} in namespace ${p.namespace}` : `from a pod in namespace ${p.namespace}`;
  if ('error' in r) {
    const why = r.error === 'TIMEOUT' ? 'the lookup timed out (no DNS server answered)' : `it does not exist (NXDOMAIN): with namespace ${p.namespace}'s search path ${p.name} expands to ${p.name}.${p.namespace}.svc.cluster.local first`;
    return fail('does not resolve', `The name ${p.name} must resolve ${where}, but ${why}.`);
  }
  if (!r.ips.length) return fail('no address', `The name ${p.name} must resolve ${where}: it exists (${r.name}) but has no address (a headless Service with no ready pods?).`);
  return pass(r.ips.join(', '), `The name ${p.name} resolves ${where}: ${r.name} → ${r.cname ? `${r.cname} → ` : ''}${r.ips.join(', ')}.`);
}

function checkPvc(cluster: Cluster, p: CheckParams<'pvc'>): Outcome {
  const pvc = cluster.store.get(PVCS, p.namespace, p.claim) as any;
  const head = `PersistentVolumeClaim ${p.claim} in namespace ${p.namespace}`;
  if (!pvc) return fail('missing', `${head} does not exist.`);
  const phase = pvc.status?.phase ?? 'Pending';
  if (phase === 'Bound') return pass('Bound', `${head} is Bound to volume ${pvc.spec.volumeName}.`);
  return fail(phase, `${head} must be Bound, it is ${phase}${pvcWhy(cluster, pvc)}.`);
}

function pvcWhy(cluster: Cluster, pvc: any): string {
  const evs = (cluster.store.list(findByKind('v1', 'Event')!, pvc.metadata.namespace) as any[])
    .filter((e) => e.involvedObject?.uid === pvc.metadata.uid && e.type === 'Warning')
    .sort((a, b) => ((a.lastTimestamp ?? '') < (b.lastTimestamp ?? '') ? 1 : -1));
  return evs.length ? ` (${evs[0].reason}: ${evs[0].message})` : '';
}

function checkStatefulSet(cluster: Cluster, p: CheckParams<'statefulSet'>): Outcome {
  const sts = cluster.store.get(STATEFULSETS, p.namespace, p.statefulSet) as any;
  const head = `StatefulSet ${p.statefulSet} in namespace ${p.namespace}`;
  if (!sts) return fail('missing', `${head} does not exist.`);
  const want = p.replicas ?? sts.spec.replicas ?? 1;
  const ready = sts.status?.readyReplicas ?? 0;
  const summary = `${ready}/${want} ready`;
  const problems: string[] = [];
  if (p.replicas !== undefined && (sts.spec.replicas ?? 1) !== p.replicas) problems.push(`it asks for ${plural(sts.spec.replicas ?? 1, 'replica')}, needs ${p.replicas}`);
  for (let i = 0; i < want; i++) {
    const podName = `${p.statefulSet}-${i}`;
    const pod = cluster.store.get(PODS, p.namespace, podName) as Pod | undefined;
    if (!pod) problems.push(`pod ${podName} does not exist`);
    else if (!podReady(pod)) problems.push(`pod ${podName} is ${explainPod(cluster, pod)}`);
    for (const t of sts.spec.volumeClaimTemplates ?? []) {
      const claim = `${t.metadata.name}-${podName}`;
      const pvc = cluster.store.get(PVCS, p.namespace, claim) as any;
      if (!pvc) problems.push(`its claim ${claim} does not exist`);
      else if (pvc.status?.phase !== 'Bound') problems.push(`its claim ${claim} is ${pvc.status?.phase ?? 'Pending'}${pvcWhy(cluster, pvc)}`);
    }
  }
  if (problems.length) return fail(summary, `${head} must have ${plural(want, 'ready replica')} with their volume claims Bound, but ${listNames(problems, 4)}.`);
  return pass(summary, `${head} has ${plural(want, 'ready replica')}, each with its volume claims Bound.`);
}

function checkCronJob(cluster: Cluster, p: CheckParams<'cronJob'>): Outcome {
  const cj = cluster.store.get(CRONJOBS, p.namespace, p.cronJob) as any;
  const head = `CronJob ${p.cronJob} in namespace ${p.namespace}`;
  if (!cj) return fail('missing', `${head} does not exist.`);
  // Jobs the controller started on schedule (`kubectl create job --from=cronjob/...` marks its Job instantiate=manual).
  const jobs = (cluster.store.list(JOBS, p.namespace) as any[]).filter(
    (j) => j.metadata.ownerReferences?.some((o: any) => o.uid === cj.metadata.uid) && j.metadata.annotations?.['cronjob.kubernetes.io/instantiate'] !== 'manual',
  );
  const done = jobs.filter((j) => condition(j, 'Complete')?.status === 'True');
  if (done.length) return pass(`${plural(done.length, 'successful run')}`, `${head} ran Job ${done[done.length - 1].metadata.name} to completion.`);
  const why: string[] = [];
  if (cj.spec.suspend) why.push('it is suspended (spec.suspend is true)');
  const failed = jobs.filter((j) => condition(j, 'Failed')?.status === 'True');
  if (failed.length) why.push(`Job ${failed[failed.length - 1].metadata.name} failed (${condition(failed[failed.length - 1], 'Failed')?.reason})`);
  const running = jobs.filter((j) => !condition(j, 'Failed') && !condition(j, 'Complete'));
  for (const j of running.slice(0, 1)) {
    const pods = (cluster.store.list(PODS, p.namespace) as Pod[]).filter((x) => x.metadata.ownerReferences?.some((o) => o.uid === j.metadata.uid));
    const last = pods[pods.length - 1];
    why.push(`Job ${j.metadata.name} has not completed${last ? ` (its pod ${last.metadata.name} is ${explainPod(cluster, last)})` : ''}`);
  }
  if (!jobs.length && !cj.spec.suspend) why.push(`it has not started a Job yet (schedule "${cj.spec.schedule}"${cj.status?.lastScheduleTime ? `, last scheduled ${cj.status.lastScheduleTime}` : ', never scheduled'})`);
  return fail('no successful run', `${head} must run a Job to completion, but ${listNames(why, 3) || 'no Job of it completed'}.`);
}

function checkHpa(cluster: Cluster, p: CheckParams<'hpa'>): Outcome {
  const hpa = cluster.store.get(HPAS, p.namespace, p.hpa) as any;
  const head = `HorizontalPodAutoscaler ${p.hpa} in namespace ${p.namespace}`;
  if (!hpa) return fail('missing', `${head} does not exist.`);
  const min = hpa.spec.minReplicas ?? 1;
  const current = hpa.status?.currentReplicas ?? 0;
  const want = p.replicas ?? min + 1;
  const summary = `${plural(current, 'replica')} (min ${min}, max ${hpa.spec.maxReplicas})`;
  const active = condition(hpa, 'ScalingActive');
  if (current >= want) return pass(summary, `${head} scaled its target to ${plural(current, 'replica')} (at least ${want}).`);
  const why = active?.status === 'False' ? `it cannot compute its metric (ScalingActive False, ${active.reason}: ${active.message})` : `it runs ${plural(current, 'replica')}${hpa.status?.currentMetrics?.[0]?.resource?.current?.averageUtilization !== undefined ? ` at ${hpa.status.currentMetrics[0].resource.current.averageUtilization}% CPU of the request` : ''}`;
  return fail(summary, `${head} must scale its target to at least ${plural(want, 'replica')}, but ${why}.`);
}

function checkNode(cluster: Cluster, p: CheckParams<'node'>): Outcome {
  const nodes = (p.node ? [cluster.store.get(NODES, undefined, p.node)].filter(Boolean) : cluster.store.list(NODES)) as Node[];
  if (p.node && !nodes.length) return fail('missing', `Node ${p.node} does not exist.`);
  const wantReady = p.ready ?? (p.schedulable === undefined ? true : undefined);
  const bad: string[] = [];
  for (const n of nodes) {
    const ready = condition(n, 'Ready');
    const isReady = ready?.status === 'True';
    if (wantReady !== undefined && isReady !== wantReady) bad.push(`${n.metadata.name} is ${isReady ? 'Ready' : `NotReady (${ready?.reason ?? 'no status'}${ready?.message ? `: ${ready.message}` : ''})`}`);
    if (p.schedulable !== undefined && !n.spec.unschedulable !== p.schedulable) bad.push(`${n.metadata.name} is ${n.spec.unschedulable ? 'cordoned (SchedulingDisabled)' : 'schedulable'}`);
  }
  const what = p.node ? `Node ${p.node}` : 'Every node';
  const want = [wantReady === undefined ? '' : wantReady ? 'Ready' : 'NotReady', p.schedulable === undefined ? '' : p.schedulable ? 'schedulable' : 'cordoned'].filter(Boolean).join(' and ');
  if (bad.length) return fail(`${nodes.length - bad.length}/${nodes.length}`, `${what} must be ${want}: ${listNames(bad, 3)}.`);
  return pass(`${nodes.length}/${nodes.length}`, `${what} is ${want}.`);
}

/** Reads `.a.b[0]['c/d']` from an object. */
export function readPath(obj: unknown, path: string): { found: boolean; value: unknown } {
  const parts = [...path.matchAll(/\.([A-Za-z0-9_-]+)|\[(\d+)\]|\['([^']+)'\]/g)].map((m) => m[1] ?? (m[2] !== undefined ? Number(m[2]) : m[3]));
  let v: any = obj;
  for (const p of parts) {
    if (v === null || typeof v !== 'object' || !(p in v)) return { found: false, value: undefined };
    v = v[p as any];
  }
  return { found: true, value: v };
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') {
    // "3" and 3, "true" and true: YAML authors write either.
    return (typeof a === 'number' || typeof a === 'boolean') && String(a) === b || (typeof b === 'number' || typeof b === 'boolean') && String(b) === a;
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  return ka.length === kb.length && ka.every((k) => deepEqual((a as any)[k], (b as any)[k]));
}

function checkField(cluster: Cluster, p: CheckParams<'field'>): Outcome {
  const info = findByKind(p.apiVersion, p.kind);
  if (!info) return fail('unknown kind', `There is no kind ${p.kind} in ${p.apiVersion}.`);
  const ns = info.namespaced ? (p.namespace ?? 'default') : undefined;
  const obj = cluster.store.get(info, ns, p.name);
  const head = `${p.kind} ${p.name}${ns ? ` in namespace ${ns}` : ''}`;
  if (!obj) return fail('missing', `${head} does not exist.`);
  const { found, value } = readPath(obj, p.path);
  const shown = found ? JSON.stringify(value) : 'not set';
  if (p.absent === false && p.equals === undefined) return found ? pass('set', `${p.path} of ${head} is set.`) : fail('not set', `${p.path} of ${head} must be set, it is not.`);
  if (p.absent) return found ? fail(shown, `${p.path} of ${head} must not be set, it is ${shown}.`) : pass('not set', `${p.path} of ${head} is not set.`);
  if (found && deepEqual(value, p.equals)) return pass(shown, `${p.path} of ${head} is ${shown}.`);
  return fail(shown, `${p.path} of ${head} must be ${JSON.stringify(p.equals)}, it is ${shown}.`);
}

/** Evaluates one check against the cluster as it is now. */
export function evaluateCheck(cluster: Cluster, check: Check): CheckResult {
  let o: Outcome;
  switch (check.kind) {
    case 'endpoints': o = checkEndpoints(cluster, check.params); break;
    case 'rollout': o = checkRollout(cluster, check.params); break;
    case 'pods': o = checkPods(cluster, check.params); break;
    case 'scheduled': o = checkScheduled(cluster, check.params); break;
    case 'http': o = checkHttp(cluster, check.params); break;
    case 'dns': o = checkDns(cluster, check.params); break;
    case 'pvc': o = checkPvc(cluster, check.params); break;
    case 'statefulSet': o = checkStatefulSet(cluster, check.params); break;
    case 'cronJob': o = checkCronJob(cluster, check.params); break;
    case 'hpa': o = checkHpa(cluster, check.params); break;
    case 'node': o = checkNode(cluster, check.params); break;
    case 'field': o = checkField(cluster, check.params); break;
  }
  return { id: check.id, title: check.title, kind: check.kind, ...(check.guard ? { guard: true } : {}), ...o };
}

export function evaluateChecks(cluster: Cluster, checks: Check[]): CheckResult[] {
  return checks.map((c) => evaluateCheck(cluster, c));
}

export interface ScenarioStatus {
  name: string;
  title: string;
  startedAt: number;
  passed: number;
  total: number;
  solved: boolean;
  checks: CheckResult[];
}

/** The checks of the scenario the cluster was started from (undefined when it was not started from one). */
export function scenarioStatus(cluster: Cluster): ScenarioStatus | undefined {
  const rec = cluster.records.get<{ name: string; title: string; startedAt: number; checks: Check[] }>(SCENARIO_TABLE, 'current');
  if (!rec) return undefined;
  const checks = evaluateChecks(cluster, rec.checks);
  const passed = checks.filter((c) => c.passed).length;
  return { name: rec.name, title: rec.title, startedAt: rec.startedAt, passed, total: checks.length, solved: passed === checks.length, checks };
}
