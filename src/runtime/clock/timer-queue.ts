// The one priority queue behind every Clock: a binary min-heap ordered by (due time, arming order). Each entry
// remembers its heap index, so cancel is O(log n) and a million armed timers cost one small object each.
import type { TimerHandle, TimerTarget } from './clock.js';

/**
 * An armed timer inside a TimerQueue, which is also its own handle. A component that arms many timers (a machine's
 * timeouts) subclasses it and overrides `fire`, so an armed timer is one object, not a target plus an entry.
 */
export abstract class Timer implements TimerHandle {
  /** @internal position in the heap, or -1 once fired or cancelled */
  index = -1;
  /** @internal arming order, the tie-breaker between equal due times */
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

function before(a: Timer, b: Timer): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

/** Min-heap of armed timers. */
export class TimerQueue {
  private heap: Timer[] = [];
  private seq = 0;

  /** Number of armed timers. */
  get size(): number {
    return this.heap.length;
  }

  /** Due time of the earliest timer, or Infinity when none is armed. */
  get nextAt(): number {
    const top = this.heap[0];
    return top === undefined ? Infinity : top.at;
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
    t.index = this.heap.length;
    this.heap.push(t);
    this.up(t.index);
  }

  /** Disarms `handle`; false when it is not armed here (already fired or cancelled). */
  remove(handle: TimerHandle): boolean {
    if (!(handle instanceof Timer)) return false;
    const i = handle.index;
    const heap = this.heap;
    if (i < 0 || heap[i] !== handle) return false;
    const last = heap.pop() as Timer;
    handle.index = -1;
    if (i < heap.length) {
      heap[i] = last;
      last.index = i;
      this.down(i);
      this.up(last.index);
    }
    return true;
  }

  /** Removes and returns the earliest timer if it is due at or before `now`. */
  popDue(now: number): Timer | null {
    const top = this.heap[0];
    if (top === undefined || top.at > now) return null;
    this.remove(top);
    return top;
  }

  /** Disarms everything. */
  clear(): void {
    for (const e of this.heap) e.index = -1;
    this.heap = [];
  }

  private up(i: number): void {
    const heap = this.heap;
    const e = heap[i] as Timer;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = heap[p] as Timer;
      if (!before(e, parent)) break;
      heap[i] = parent;
      parent.index = i;
      i = p;
    }
    heap[i] = e;
    e.index = i;
  }

  private down(i: number): void {
    const heap = this.heap;
    const n = heap.length;
    const e = heap[i] as Timer;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      if (r < n && before(heap[r] as Timer, heap[l] as Timer)) c = r;
      const child = heap[c] as Timer;
      if (!before(child, e)) break;
      heap[i] = child;
      child.index = i;
      i = c;
    }
    heap[i] = e;
    e.index = i;
  }
}
