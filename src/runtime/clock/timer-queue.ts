// The one priority queue behind every Clock, ordered by (due time, arming order): an ordered run for timers armed
// in due-time order (O(1) arm and pop) and a 4-ary min-heap for the rest (O(log n)). Cancel is O(1) (the entry
// goes stale and is dropped later), and a million armed timers cost one small object each plus 24 bytes of queue
// (a pointer and two keys).
import type { TimerHandle, TimerTarget } from './clock.js';
import { TimerRun } from './timer-run.js';

/**
 * An armed timer inside a TimerQueue, which is also its own handle. A component that arms many timers (a machine's
 * timeouts) subclasses it and overrides `fire`, so an armed timer is one object, not a target plus an entry.
 */
export abstract class Timer implements TimerHandle {
  /** @internal id of the queue it is armed in, or -1 once fired or cancelled */
  queueId = -1;
  /** @internal arming order, the tie-breaker between equal due times; -1 once cancelled */
  seq = 0;
  constructor(
    /** Absolute monotonic due time in ms. */
    readonly at: number,
  ) {}

  /** Called once when the timer falls due. */
  abstract fire(): void;
}

/** A timer that calls `target.onTimer(token)`: what `Clock.schedule` arms. */
export class TimerEntry extends Timer {
  constructor(
    at: number,
    /** @internal */
    readonly target: TimerTarget,
    /** @internal */
    readonly token: number,
  ) {
    super(at);
  }

  fire(): void {
    this.target.onTimer(this.token);
  }
}

/** Children per node: a 4-ary heap is half as deep as a binary one, so a pop moves half as many entries. */
const ARITY = 4;

/** Cancelled entries tolerated before a rebuild, beyond as many as there are armed timers. */
const MIN_STALE = 1024;

let queues = 0;

/**
 * Armed timers in (due time, arming order). A timer due no earlier than the last one in the ordered run joins the
 * run's tail; any other goes into the heap, and a pop takes the earlier of the run's head and the heap's top. In
 * the common case — timers armed with the same delay, in arming order — the heap stays empty and a burst of expiries
 * costs O(1) per timer instead of a sift through the heap (benchmarks, timers suite).
 *
 * The heap is 4-ary. Sifting never touches a timer object: due times and arming numbers live in
 * typed arrays beside the heap, and a timer does not record its position, so moving an entry is three array
 * writes instead of a write to an object somewhere else in memory. (Popping due timers off a 100,000-timer queue
 * was most of the fire phase's CPU when every comparison and every move was a cache miss; benchmarks, timers
 * suite.) Cancel therefore leaves its entry in place, marked stale by the timer's arming number no longer
 * matching it; stale entries are dropped when they reach the top, and the heap is rebuilt without them once they
 * outnumber the armed timers (and MIN_STALE), so memory stays within twice what is armed.
 */
export class TimerQueue {
  private readonly id = queues++;
  private items: Timer[] = [];
  private readonly run = new TimerRun();
  private ats = new Float64Array(64);
  private seqs = new Float64Array(64);
  private seq = 0;
  private live = 0;
  private stale = 0;

  /** Number of armed timers. */
  get size(): number {
    return this.live;
  }

  /** Due time of the earliest timer, or Infinity when none is armed. */
  get nextAt(): number {
    this.dropStale();
    const heapAt = this.items.length === 0 ? Infinity : (this.ats[0] as number);
    const runAt = this.run.length === 0 ? Infinity : this.run.headAt;
    return heapAt < runAt ? heapAt : runAt;
  }

  /** Arms a timer that calls `target.onTimer(token)` and returns its handle. */
  add(at: number, target: TimerTarget, token: number): TimerEntry {
    const e = new TimerEntry(at, target, token);
    this.insert(e);
    return e;
  }

  /** Arms a timer object (not already armed here). */
  insert(t: Timer): void {
    t.seq = this.seq++;
    t.queueId = this.id;
    this.live++;
    if (t.at >= this.run.tailAt) {
      this.run.push(t);
      return;
    }
    const i = this.items.length;
    if (i === this.ats.length) this.grow();
    this.items.push(t);
    this.up(i, t, t.at, t.seq);
  }

  /** Disarms `handle`; false when it is not armed here (already fired or cancelled). */
  remove(handle: TimerHandle): boolean {
    if (!(handle instanceof Timer) || handle.queueId !== this.id) return false;
    handle.queueId = -1;
    handle.seq = -1;
    this.live--;
    this.stale++;
    if (this.stale > MIN_STALE && this.stale > this.live) this.rebuild();
    return true;
  }

  /** Removes and returns the earliest timer if it is due at or before `now`. */
  popDue(now: number): Timer | null {
    this.dropStale();
    const top = this.items[0];
    const run = this.run;
    let t: Timer;
    if (
      run.length > 0 &&
      (top === undefined || lessThan(run.headAt, run.headSeq, this.ats[0] as number, this.seqs[0] as number))
    ) {
      if (run.headAt > now) return null;
      t = run.shift();
    } else {
      if (top === undefined || (this.ats[0] as number) > now) return null;
      this.removeTop();
      t = top;
    }
    t.queueId = -1;
    this.live--;
    return t;
  }

  /** Disarms everything. */
  clear(): void {
    const disarm = (e: Timer): void => {
      if (e.queueId === this.id) e.queueId = -1;
    };
    for (const e of this.items) disarm(e);
    this.run.clear(disarm);
    this.items = [];
    this.live = 0;
    this.stale = 0;
  }

  /** True when entry `i` is a cancelled timer's (its timer was re-numbered or cancelled since). */
  private isStale(i: number): boolean {
    return (this.items[i] as Timer).seq !== this.seqs[i];
  }

  private dropStale(): void {
    while (this.items.length > 0 && this.isStale(0)) {
      this.removeTop();
      this.stale--;
    }
    const run = this.run;
    while (run.length > 0 && run.headStale()) {
      run.shift();
      this.stale--;
    }
  }

  private removeTop(): void {
    const last = this.items.pop() as Timer;
    const n = this.items.length;
    if (n > 0) this.down(0, last, this.ats[n] as number, this.seqs[n] as number);
  }

  /** Drops every stale entry, from the run and the heap, and restores heap order bottom-up (O(n)). */
  private rebuild(): void {
    this.run.compact();
    const { items, ats, seqs } = this;
    let n = 0;
    for (let i = 0; i < items.length; i++) {
      if (this.isStale(i)) continue;
      items[n] = items[i] as Timer;
      ats[n] = ats[i] as number;
      seqs[n] = seqs[i] as number;
      n++;
    }
    items.length = n;
    this.stale = 0;
    for (let i = (n - 2) >> 2; i >= 0; i--) {
      this.down(i, items[i] as Timer, ats[i] as number, seqs[i] as number);
    }
  }

  private grow(): void {
    const ats = new Float64Array(this.ats.length * 2);
    ats.set(this.ats);
    this.ats = ats;
    const seqs = new Float64Array(this.seqs.length * 2);
    seqs.set(this.seqs);
    this.seqs = seqs;
  }

  /** Puts `t` (due `at`, armed `seq`) at `i`, after moving down the parents it goes before. */
  private up(i: number, t: Timer, at: number, seq: number): void {
    const { items, ats, seqs } = this;
    while (i > 0) {
      const p = (i - 1) >> 2;
      const pAt = ats[p] as number;
      const pSeq = seqs[p] as number;
      if (!lessThan(at, seq, pAt, pSeq)) break;
      items[i] = items[p] as Timer;
      ats[i] = pAt;
      seqs[i] = pSeq;
      i = p;
    }
    items[i] = t;
    ats[i] = at;
    seqs[i] = seq;
  }

  /** Puts `t` (due `at`, armed `seq`) at `i`, after moving up the children that go before it. */
  private down(i: number, t: Timer, at: number, seq: number): void {
    const { items, ats, seqs } = this;
    const n = items.length;
    for (;;) {
      const first = ARITY * i + 1;
      if (first >= n) break;
      let c = first;
      let cAt = ats[first] as number;
      let cSeq = seqs[first] as number;
      const end = Math.min(first + ARITY, n);
      for (let k = first + 1; k < end; k++) {
        const kAt = ats[k] as number;
        const kSeq = seqs[k] as number;
        if (lessThan(kAt, kSeq, cAt, cSeq)) {
          c = k;
          cAt = kAt;
          cSeq = kSeq;
        }
      }
      if (!lessThan(cAt, cSeq, at, seq)) break;
      items[i] = items[c] as Timer;
      ats[i] = cAt;
      seqs[i] = cSeq;
      i = c;
    }
    items[i] = t;
    ats[i] = at;
    seqs[i] = seq;
  }
}

/** Timer order: due time, then arming order. */
function lessThan(at: number, seq: number, bAt: number, bSeq: number): boolean {
  return at < bAt || (at === bAt && seq < bSeq);
}
