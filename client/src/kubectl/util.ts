/** Small helpers shared by the printers and describers: kubectl's time and quantity formats. */
import { humanDuration } from '../../../sim/util/time.ts';

/** Go's duration.HumanDuration, as kubectl prints ages: the sim's own (plain TypeScript) implementation. */
export { humanDuration };

/** kubectl's translateTimestampSince: "<unknown>" for a missing time. */
export function since(ts: unknown, now: number): string {
  if (typeof ts !== 'string' || ts === '') return '<unknown>';
  const t = Date.parse(ts);
  if (Number.isNaN(t)) return '<unknown>';
  return humanDuration(now - t);
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number) => String(n).padStart(2, '0');

/** Go's time.RFC1123Z in the local time zone ("Mon, 02 Jan 2006 15:04:05 -0700"), as describe prints. */
export function rfc1123z(ts: unknown): string {
  const t = typeof ts === 'string' ? Date.parse(ts) : NaN;
  if (Number.isNaN(t)) return 'Mon, 01 Jan 0001 00:00:00 +0000';
  const d = new Date(t);
  const off = -d.getTimezoneOffset();
  const sign = off < 0 ? '-' : '+';
  const abs = Math.abs(off);
  return (
    `${DAYS[d.getDay()]}, ${two(d.getDate())} ${MONTHS[d.getMonth()]} ${d.getFullYear()} ` +
    `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())} ${sign}${two(Math.floor(abs / 60))}${two(abs % 60)}`
  );
}

// ---- quantities (enough of resource.Quantity for describe's sums) -----------------------------------

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

export interface Quantity {
  /** the value in base units */
  value: number;
  format: 'BinarySI' | 'DecimalSI';
}

export function parseQuantity(s: unknown): Quantity {
  const m = /^([+-]?[0-9.]+)(?:[eE]([+-]?\d+))?([a-zA-Z]*)$/.exec(String(s ?? '0').trim());
  if (!m) return { value: 0, format: 'DecimalSI' };
  let n = Number(m[1]);
  if (m[2]) n *= 10 ** Number(m[2]);
  const suffix = m[3] ?? '';
  if (suffix in BINARY) return { value: n * BINARY[suffix]!, format: 'BinarySI' };
  return { value: n * (DECIMAL[suffix] ?? 1), format: 'DecimalSI' };
}

/** Quantity.String() for a canonical value (what describe prints for sums). */
export function formatQuantity(q: Quantity): string {
  const v = q.value;
  if (v === 0) return '0';
  if (q.format === 'BinarySI' && Number.isInteger(v)) {
    const units: [string, number][] = [['Ei', 2 ** 60], ['Pi', 2 ** 50], ['Ti', 2 ** 40], ['Gi', 2 ** 30], ['Mi', 2 ** 20], ['Ki', 2 ** 10]];
    for (const [u, f] of units) if (Math.abs(v) >= f && v % f === 0) return `${v / f}${u}`;
    return String(v);
  }
  // DecimalSI: the largest exponent-of-1000 suffix that keeps an integer.
  const units: [string, number][] = [['E', 1e18], ['P', 1e15], ['T', 1e12], ['G', 1e9], ['M', 1e6], ['k', 1e3], ['', 1], ['m', 1e-3], ['u', 1e-6], ['n', 1e-9]];
  for (const [u, f] of units) {
    const scaled = v / f;
    if (Math.abs(scaled) >= 1 && Math.abs(scaled - Math.round(scaled)) < 1e-6) return `${Math.round(scaled)}${u}`;
  }
  return String(v);
}

export const addQuantity = (a: Quantity | undefined, b: Quantity): Quantity =>
  a ? { value: a.value + b.value, format: a.format } : { ...b };

export type Obj = Record<string, any>;

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Sorted keys, recursively (Go's encoding of a map[string]interface{}). */
export function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (isObj(v)) {
    const out: Obj = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys(v[k]);
    return out;
  }
  return v;
}
