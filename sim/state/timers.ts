import type { RecordStore } from './records.ts';

/** A timer is plain data: when it fires, which handler runs it, and that handler's argument. */
export interface Timer {
  seq: number;
  at: number;
  type: string;
  data: unknown;
}

const TABLE = 'timers';

/**
 * A deterministic timer queue kept in the record store (so it is snapshotted and persisted), with an in-memory
 * binary heap ordered by (at, seq) rebuilt on restore.
 */
export class TimerQueue {
  private heap: Timer[] = [];

  private records: RecordStore;

  constructor(records: RecordStore) {
    this.records = records;
    for (const t of records.table(TABLE).values()) this.heap.push(t as Timer);
    this.heap.sort(compare);
  }

  add(at: number, type: string, data: unknown): number {
    const seq = (this.records.get<number>('meta', 'timerSeq') ?? 0) + 1;
    this.records.set('meta', 'timerSeq', seq);
    const t: Timer = { seq, at, type, data };
    this.records.set(TABLE, String(seq), t);
    this.push(t);
    return seq;
  }

  cancel(seq: number): void {
    // Lazy removal: the heap entry is skipped when it surfaces.
    this.records.delete(TABLE, String(seq));
  }

  isPending(seq: number | undefined): boolean {
    return seq !== undefined && this.records.get(TABLE, String(seq)) !== undefined;
  }

  /** The time of the earliest pending timer, or undefined. */
  nextAt(): number | undefined {
    this.dropCancelled();
    return this.heap[0]?.at;
  }

  /** Removes and returns the earliest timer due at or before `now`. */
  popDue(now: number): Timer | undefined {
    this.dropCancelled();
    const top = this.heap[0];
    if (!top || top.at > now) return undefined;
    this.pop();
    this.records.delete(TABLE, String(top.seq));
    return top;
  }

  get size(): number {
    return this.records.table(TABLE).size;
  }

  private dropCancelled(): void {
    while (this.heap.length && this.records.get(TABLE, String(this.heap[0].seq)) === undefined) this.pop();
  }

  private push(t: Timer): void {
    const h = this.heap;
    h.push(t);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (compare(h[i], h[p]) >= 0) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && compare(h[l], h[m]) < 0) m = l;
      if (r < h.length && compare(h[r], h[m]) < 0) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m], h[i]];
      i = m;
    }
  }
}

function compare(a: Timer, b: Timer): number {
  return a.at - b.at || a.seq - b.seq;
}
