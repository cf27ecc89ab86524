/** Formatting helpers shared by the table printers, after k8s.io/apimachinery and pkg/printers. */
import { age as ageSince, humanDuration, parseTime } from '../../util/time.ts';

export type Obj = Record<string, any>;

/** `metav1.Table` column definition. */
export interface TableColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

export const NAME_DESCRIPTION =
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';

export const CREATED_DESCRIPTION =
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';

/** A column: `col('Ready', 'string', 'The aggregate readiness...')`, `wide` for -o wide (priority 1). */
export function col(name: string, type: string, description: string, opts: { wide?: boolean; format?: string } = {}): TableColumnDefinition {
  return { name, type, format: opts.format ?? '', description, priority: opts.wide ? 1 : 0 };
}

export const NAME_COLUMN = col('Name', 'string', NAME_DESCRIPTION, { format: 'name' });
export const AGE_COLUMN = col('Age', 'string', CREATED_DESCRIPTION);

/** kubectl's translateTimestampSince: the age of a timestamp, `<unknown>` when unset. */
export function since(ts: unknown, nowMs: number): string {
  return ageSince(typeof ts === 'string' ? ts : undefined, nowMs);
}

export function durationBetween(from: unknown, to: unknown): string {
  const a = parseTime(typeof from === 'string' ? from : undefined);
  const b = parseTime(typeof to === 'string' ? to : undefined);
  if (a === undefined || b === undefined) return '<unknown>';
  return humanDuration(b - a);
}

/** labels.FormatLabels: `a=b,c=d` sorted by key, `<none>` when empty. */
export function formatLabels(m: unknown): string {
  if (!m || typeof m !== 'object') return '<none>';
  const keys = Object.keys(m as Obj).sort();
  if (!keys.length) return '<none>';
  return keys.map((k) => `${k}=${(m as Obj)[k]}`).join(',');
}

/** The string form of a metav1.LabelSelector (requirements sorted by key), '' for an empty or missing one. */
export function selectorString(sel: unknown): string | undefined {
  if (!sel || typeof sel !== 'object') return '';
  const s = sel as Obj;
  const reqs: { key: string; text: string }[] = [];
  for (const [k, v] of Object.entries((s.matchLabels as Obj) ?? {})) reqs.push({ key: k, text: `${k}=${v}` });
  for (const e of (s.matchExpressions as Obj[]) ?? []) {
    const values = [...((e.values as string[]) ?? [])].sort();
    switch (e.operator) {
      case 'In':
        reqs.push({ key: e.key, text: `${e.key} in (${values.join(',')})` });
        break;
      case 'NotIn':
        reqs.push({ key: e.key, text: `${e.key} notin (${values.join(',')})` });
        break;
      case 'Exists':
        reqs.push({ key: e.key, text: e.key });
        break;
      case 'DoesNotExist':
        reqs.push({ key: e.key, text: `!${e.key}` });
        break;
      default:
        return undefined;
    }
  }
  reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return reqs.map((r) => r.text).join(',');
}

/** metav1.FormatLabelSelector: `<none>` for an empty selector, `<error>` for an invalid one. */
export function formatLabelSelector(sel: unknown): string {
  if (!sel) return '<none>';
  const s = selectorString(sel);
  if (s === undefined) return '<error>';
  return s || '<none>';
}

/** Lays out a pod template's containers: names and images, comma-separated. */
export function containerCells(containers: unknown): [string, string] {
  const list = Array.isArray(containers) ? (containers as Obj[]) : [];
  return [list.map((c) => c.name ?? '').join(','), list.map((c) => c.image ?? '').join(',')];
}

/** `N (5m ago)`-style lists capped at 3 items: `a,b,c + 2 more...`, `<unset>` when empty. */
export function listWithMore(list: string[], more: boolean, count: number, max: number): string {
  const ret = list.join(',');
  if (more) return `${ret} + ${count - max} more...`;
  return ret || '<unset>';
}

export function int(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : 0;
}

export function str(v: unknown): string {
  return typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);
}

/** IntOrString as Go prints it. */
export function intOrString(v: unknown): string {
  return typeof v === 'number' ? String(v) : str(v);
}

export function printBoolPtr(v: unknown): string {
  if (typeof v !== 'boolean') return '<unset>';
  return v ? 'True' : 'False';
}

/** helper.GetAccessModesAsString: RWO, ROX, RWX, RWOP in that order. */
export function accessModes(modes: unknown): string {
  const list = Array.isArray(modes) ? modes : [];
  const out: string[] = [];
  if (list.includes('ReadWriteOnce')) out.push('RWO');
  if (list.includes('ReadOnlyMany')) out.push('ROX');
  if (list.includes('ReadWriteMany')) out.push('RWX');
  if (list.includes('ReadWriteOncePod')) out.push('RWOP');
  return out.join(',');
}
