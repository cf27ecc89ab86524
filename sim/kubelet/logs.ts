import { badRequest } from '../apiserver/errors.ts';
import type { Pod } from '../apiserver/types.ts';
import type { RecordStore } from '../state/records.ts';
import { rfc3339 } from '../util/time.ts';

export interface LogOptions {
  container?: string;
  previous?: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  timestamps?: boolean;
  limitBytes?: number;
}

interface LogLine {
  t: number;
  s: string;
}

/** Lines kept per container run, as a log file rotated by size would keep them. */
const MAX_LINES = 2000;
const TABLE = 'logs';

/** Container logs: one record per container run (`uid/container/restartCount`), the current and the previous. */
export class ContainerLogs {
  private records: RecordStore;

  constructor(records: RecordStore) {
    this.records = records;
  }

  private key(uid: string, container: string, run: number): string {
    return `${uid}/${container}/${run}`;
  }

  start(uid: string, container: string, run: number, now: number, lines: string[]): void {
    this.records.delete(TABLE, this.key(uid, container, run - 2));
    this.records.set(TABLE, this.key(uid, container, run), lines.map((s) => ({ t: now, s })));
  }

  append(uid: string, container: string, run: number, now: number, line: string): void {
    const key = this.key(uid, container, run);
    // Appended in place (then marked changed): copying the whole run's lines for every line would cost
    // O(lines) per line. Trimmed in batches once past the cap.
    const cur = this.records.get<LogLine[]>(TABLE, key) ?? [];
    cur.push({ t: now, s: line });
    if (cur.length > MAX_LINES + 100) cur.splice(0, cur.length - MAX_LINES);
    this.records.set(TABLE, key, cur);
  }

  forget(uid: string): void {
    const t = this.records.table(TABLE);
    for (const k of [...t.keys()]) if (k.startsWith(uid + '/')) this.records.delete(TABLE, k);
  }

  /** The text `kubectl logs` prints, or the API server's 400 when there is nothing to read. */
  read(pod: Pod, opts: LogOptions, now: number): string {
    const names = pod.spec.containers.map((c) => c.name);
    let container = opts.container;
    if (!container) {
      if (names.length !== 1) {
        throw badRequest(`a container name must be specified for pod ${pod.metadata.name}, choose one of: [${names.join(' ')}]`);
      }
      container = names[0];
    }
    if (!names.includes(container) && !(pod.spec.initContainers ?? []).some((c) => c.name === container)) {
      throw badRequest(`container ${container} is not valid for pod ${pod.metadata.name}`);
    }
    const status = pod.status?.containerStatuses?.find((s) => s.name === container) ?? pod.status?.initContainerStatuses?.find((s) => s.name === container);
    const run = status?.restartCount ?? 0;
    if (opts.previous) {
      if (!status?.lastState?.terminated) {
        throw badRequest(`previous terminated container "${container}" in pod "${pod.metadata.name}" not found`);
      }
    } else if (!status || (status.state.waiting && !status.lastState?.terminated)) {
      const reason = status?.state.waiting?.reason ?? 'ContainerCreating';
      throw badRequest(`container "${container}" in pod "${pod.metadata.name}" is waiting to start: ${reason === 'ContainerCreating' ? 'ContainerCreating' : reasonText(reason, status?.state.waiting?.message)}`);
    }
    // A container waiting to restart shows the logs of its last run.
    const which = opts.previous ? (status!.state.running ? run - 1 : run - 1) : status!.state.waiting ? run - 1 : run;
    let lines = this.records.get<LogLine[]>(TABLE, this.key(pod.metadata.uid!, container, which)) ?? [];
    if (opts.sinceSeconds !== undefined) lines = lines.filter((l) => l.t >= now - opts.sinceSeconds! * 1000);
    if (opts.tailLines !== undefined) lines = opts.tailLines <= 0 ? [] : lines.slice(-opts.tailLines);
    let text = lines.map((l) => (opts.timestamps ? `${rfc3339(l.t).replace('Z', '.000000000Z')} ${l.s}` : l.s) + '\n').join('');
    if (opts.limitBytes !== undefined) text = text.slice(0, opts.limitBytes);
    return text;
  }
}

function reasonText(reason: string, message?: string): string {
  if (reason === 'ImagePullBackOff' || reason === 'ErrImagePull') return `trying and failing to pull image`;
  return message ? `${reason}` : reason;
}
