// The ordered run beside TimerQueue's heap: a FIFO ring of timers armed in due-time order. Most timers are armed
// that way (every process of a kind arms the same delay, every call the same timeout), and for them arming and
// popping are O(1) reads and writes at the two ends of three arrays, where the heap would sift through log n
// levels of a large array on every pop. TimerQueue decides which timers come here (docs/runtime/time.md).
import type { Timer } from './timer-queue.js';

/** A FIFO ring of timers whose (due time, arming number) never decrease from head to tail. */
export class TimerRun {
  private items: (Timer | undefined)[] = new Array<Timer | undefined>(64);
  private ats = new Float64Array(64);
  private seqs = new Float64Array(64);
  private head = 0;
  private len = 0;

  /** Entries held, stale ones included. */
  get length(): number {
    return this.len;
  }

  /** Due time of the head entry (only when length > 0). */
  get headAt(): number {
    return this.ats[this.head] as number;
  }

  /** Arming number of the head entry (only when length > 0). */
  get headSeq(): number {
    return this.seqs[this.head] as number;
  }

  /** Due time of the tail entry, or -Infinity when empty: a timer due at or after it may be pushed. */
  get tailAt(): number {
    return this.len === 0
      ? -Infinity
      : (this.ats[(this.head + this.len - 1) & (this.ats.length - 1)] as number);
  }

  /** True when the head entry's timer was cancelled or re-armed since it was pushed. */
  headStale(): boolean {
    return (this.items[this.head] as Timer).seq !== this.seqs[this.head];
  }

  /** Appends `t` (armed with `seq`, due no earlier than the tail). */
  push(t: Timer): void {
    if (this.len === this.ats.length) this.resize(this.ats.length * 2);
    const i = (this.head + this.len) & (this.ats.length - 1);
    this.items[i] = t;
    this.ats[i] = t.at;
    this.seqs[i] = t.seq;
    this.len++;
  }

  /** Removes and returns the head entry's timer. */
  shift(): Timer {
    const t = this.items[this.head] as Timer;
    this.items[this.head] = undefined;
    this.head = (this.head + 1) & (this.ats.length - 1);
    this.len--;
    return t;
  }

  /** Drops every stale entry, keeping the order of the rest; returns how many were dropped. */
  compact(): number {
    const before = this.len;
    const kept: Timer[] = [];
    while (this.len > 0) {
      const stale = this.headStale();
      const t = this.shift();
      if (!stale) kept.push(t);
    }
    this.head = 0;
    for (const t of kept) this.push(t);
    return before - kept.length;
  }

  /** Empties the run, calling `each` on every entry's timer. */
  clear(each: (t: Timer) => void): void {
    while (this.len > 0) each(this.shift());
    this.head = 0;
  }

  private resize(capacity: number): void {
    const items = new Array<Timer | undefined>(capacity);
    const ats = new Float64Array(capacity);
    const seqs = new Float64Array(capacity);
    const mask = this.ats.length - 1;
    for (let k = 0; k < this.len; k++) {
      const i = (this.head + k) & mask;
      items[k] = this.items[i];
      ats[k] = this.ats[i] as number;
      seqs[k] = this.seqs[i] as number;
    }
    this.items = items;
    this.ats = ats;
    this.seqs = seqs;
    this.head = 0;
  }
}
