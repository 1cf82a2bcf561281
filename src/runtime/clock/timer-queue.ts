// The one priority queue behind every Clock: a binary min-heap ordered by (due time, arming order). Each entry
// remembers its heap index, so cancel is O(log n) and a million armed timers cost one small object each.
import type { TimerHandle, TimerTarget } from './clock.js';

/** An armed timer inside a TimerQueue; it is also the handle given back to callers. */
export class TimerEntry implements TimerHandle {
  /** @internal position in the heap, or -1 once fired or cancelled */
  index = -1;
  constructor(
    readonly at: number,
    /** @internal arming order, the tie-breaker between equal due times */
    readonly seq: number,
    /** @internal */
    readonly target: TimerTarget,
    /** @internal */
    readonly token: number,
  ) {}
}

function before(a: TimerEntry, b: TimerEntry): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

/** Min-heap of armed timers. */
export class TimerQueue {
  private heap: TimerEntry[] = [];
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

  /** Arms a timer and returns its handle. */
  add(at: number, target: TimerTarget, token: number): TimerEntry {
    const e = new TimerEntry(at, this.seq++, target, token);
    e.index = this.heap.length;
    this.heap.push(e);
    this.up(e.index);
    return e;
  }

  /** Disarms `handle`; false when it is not armed here (already fired or cancelled). */
  remove(handle: TimerHandle): boolean {
    if (!(handle instanceof TimerEntry)) return false;
    const i = handle.index;
    const heap = this.heap;
    if (i < 0 || heap[i] !== handle) return false;
    const last = heap.pop() as TimerEntry;
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
  popDue(now: number): TimerEntry | null {
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
    const e = heap[i] as TimerEntry;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = heap[p] as TimerEntry;
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
    const e = heap[i] as TimerEntry;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      if (r < n && before(heap[r] as TimerEntry, heap[l] as TimerEntry)) c = r;
      const child = heap[c] as TimerEntry;
      if (!before(child, e)) break;
      heap[i] = child;
      child.index = i;
      i = c;
    }
    heap[i] = e;
    e.index = i;
  }
}
