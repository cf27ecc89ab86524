/**
 * Cron schedules as CronJobs take them (the standard five fields, names, ranges, steps, `?`, and the
 * @yearly/@annually/@monthly/@weekly/@daily/@midnight/@hourly and `@every <duration>` descriptors), in UTC.
 */

export interface CronSchedule {
  minutes: Set<number>;
  hours: Set<number>;
  dom: Set<number>;
  months: Set<number>;
  dow: Set<number>;
  domStar: boolean;
  dowStar: boolean;
  /** `@every`: a fixed period in ms */
  everyMs?: number;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

function parseField(text: string, min: number, max: number, names: string[] | undefined, what: string): Set<number> {
  const out = new Set<number>();
  const value = (s: string): number => {
    const lower = s.toLowerCase();
    if (names) {
      const i = names.indexOf(lower);
      if (i >= 0) return i + (what === 'month' ? 1 : 0);
    }
    if (!/^\d+$/.test(s)) throw new Error(`failed to parse int from ${s}: strconv.Atoi: parsing "${s}": invalid syntax`);
    return Number(s);
  };
  for (const part of text.split(',')) {
    let [range, stepText] = part.split('/');
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText)) throw new Error(`failed to parse int from ${stepText}: strconv.Atoi: parsing "${stepText}": invalid syntax`);
      step = Number(stepText);
      if (step === 0) throw new Error(`step of range should be a positive number: ${part}`);
    }
    let lo: number;
    let hi: number;
    if (range === '*' || range === '?') {
      lo = min;
      hi = max;
    } else {
      const [a, b] = range.split('-');
      lo = value(a);
      hi = b !== undefined ? value(b) : stepText !== undefined ? max : lo;
    }
    if (what === 'dow' && hi === 7) hi = 7;
    if (lo < min) throw new Error(`beginning of range (${lo}) below minimum (${min}): ${part}`);
    if (hi > max && !(what === 'dow' && hi === 7)) throw new Error(`end of range (${hi}) above maximum (${max}): ${part}`);
    if (lo > hi) throw new Error(`beginning of range (${lo}) beyond end of range (${hi}): ${part}`);
    for (let v = lo; v <= hi; v += step) out.add(what === 'dow' ? v % 7 : v);
  }
  return out;
}

export function parseCron(schedule: string): CronSchedule {
  let s = schedule.trim();
  if (s.startsWith('@every ')) {
    const ms = parseGoDuration(s.slice(7).trim());
    if (ms === undefined || ms <= 0) throw new Error(`failed to parse duration ${s}`);
    return { minutes: new Set(), hours: new Set(), dom: new Set(), months: new Set(), dow: new Set(), domStar: true, dowStar: true, everyMs: Math.max(1000, ms) };
  }
  if (s.startsWith('@')) {
    const d = DESCRIPTORS[s.toLowerCase()];
    if (!d) throw new Error(`unrecognized descriptor: ${s}`);
    s = d;
  }
  const fields = s.split(/\s+/);
  if (fields.length !== 5) throw new Error(`expected exactly 5 fields, found ${fields.length}: ${schedule.trim()}`);
  return {
    minutes: parseField(fields[0], 0, 59, undefined, 'minute'),
    hours: parseField(fields[1], 0, 23, undefined, 'hour'),
    dom: parseField(fields[2], 1, 31, undefined, 'dom'),
    months: parseField(fields[3], 1, 12, MONTHS, 'month'),
    dow: parseField(fields[4], 0, 6, DAYS, 'dow'),
    domStar: fields[2] === '*' || fields[2] === '?',
    dowStar: fields[4] === '*' || fields[4] === '?',
  };
}

/** The validation message for a schedule, or undefined when it parses. */
export function cronError(schedule: string): string | undefined {
  try {
    parseCron(schedule);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

function parseGoDuration(s: string): number | undefined {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let total = 0;
  let consumed = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) {
    const n = Number(m[1]);
    total += m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : m[2] === 'm' ? n * 60_000 : n * 3_600_000;
    consumed += m[0].length;
  }
  return consumed === s.length && consumed > 0 ? total : undefined;
}

/** The first time strictly after `afterMs` (UTC) that the schedule fires. */
export function nextAfter(c: CronSchedule, afterMs: number): number {
  if (c.everyMs) return afterMs - (afterMs % 1000) + c.everyMs;
  // Start at the next whole minute.
  let t = Math.floor(afterMs / 60_000) * 60_000 + 60_000;
  const limit = t + 5 * 366 * 24 * 3_600_000;
  while (t < limit) {
    const d = new Date(t);
    if (!c.months.has(d.getUTCMonth() + 1)) {
      t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
      continue;
    }
    const domOk = c.dom.has(d.getUTCDate());
    const dowOk = c.dow.has(d.getUTCDay());
    // Like cron: when both day fields are restricted, either matching is enough.
    const dayOk = c.domStar || c.dowStar ? domOk && dowOk : domOk || dowOk;
    if (!dayOk) {
      t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
      continue;
    }
    if (!c.hours.has(d.getUTCHours())) {
      t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours() + 1);
      continue;
    }
    if (!c.minutes.has(d.getUTCMinutes())) {
      t += 60_000;
      continue;
    }
    return t;
  }
  return Infinity;
}
