// Many processes share one event loop. Each runnable process gets a bounded slice of events, then goes to the
// back of the run queue, so a flooded process cannot starve the others; and after a bounded amount of work the
// scheduler yields a macrotask so timers and I/O run too. Work is started on a microtask so a call's round trip
// costs no event-loop turn.
import type { Clock } from '../clock/clock.js';
import { Deque } from './deque.js';

// Performance: the first work after idle starts on a microtask (each call's round trip goes through here). Node's
// queueMicrotask wraps every callback in an AsyncResource for async_hooks; a then() on an already settled promise
// queues the same kind of microtask, in the same FIFO order, without that bookkeeping.
const SETTLED: Promise<void> = Promise.resolve();

/** Something the scheduler can run. */
export interface Runnable {
  /** @internal true while sitting in the run queue */
  queued: boolean;
  /** Handles up to `budget` events; returns how many it handled. */
  run(budget: number): number;
  /** True when it has events it could handle now. */
  hasWork(): boolean;
}

/** Scheduler tuning. */
export interface SchedulerOptions {
  /** Events a process may handle before others get a turn (default 64). */
  readonly slice?: number;
  /** Events handled before yielding to timers and I/O with a macrotask (default 4096). */
  readonly yieldEvery?: number;
}

/** Round-robin run queue of processes with bounded slices. */
export class Scheduler {
  private readonly queue = new Deque<Runnable>(1024);
  private scheduled = false;
  private sinceYield = 0;
  private turnMarkArmed = false;
  private waiters: (() => void)[] = [];
  private readonly slice: number;
  private readonly yieldEvery: number;
  /** Total events handled, for statistics. */
  handled = 0;

  constructor(
    private readonly clock: Clock,
    options: SchedulerOptions = {},
  ) {
    this.slice = options.slice ?? 64;
    this.yieldEvery = options.yieldEvery ?? 4096;
  }

  /** Marks a process runnable. */
  enqueue(p: Runnable): void {
    if (p.queued) return;
    p.queued = true;
    this.queue.push(p);
    if (!this.scheduled) this.kick();
  }

  /** Resolves once no process has runnable work. */
  idle(): Promise<void> {
    if (!this.scheduled && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** True when nothing is runnable or scheduled. */
  get isIdle(): boolean {
    return !this.scheduled && this.queue.length === 0;
  }

  /** Number of processes waiting to run. */
  get runnable(): number {
    return this.queue.length;
  }

  private kick(): void {
    this.scheduled = true;
    if (this.sinceYield < this.yieldEvery) SETTLED.then(this.drainMicro);
    else this.clock.defer(this.drainMacro);
  }

  private readonly drainMacro = (): void => {
    this.sinceYield = 0;
    this.drain();
  };

  private readonly drainMicro = (): void => {
    try {
      this.drain();
    } catch (err) {
      // Report it as an uncaught exception, as queueMicrotask did, not as an unhandled rejection.
      queueMicrotask(() => {
        throw err;
      });
    }
  };

  // A cheap way to notice that the event loop went round: a deferred callback resets the work counter.
  private readonly turnMark = (): void => {
    this.turnMarkArmed = false;
    this.sinceYield = 0;
  };

  private drain(): void {
    const q = this.queue;
    let budget = this.yieldEvery - this.sinceYield;
    let done = 0;
    while (q.length > 0 && budget > 0) {
      const p = q.shift() as Runnable;
      p.queued = false;
      const n = p.run(this.slice < budget ? this.slice : budget);
      done += n;
      budget -= n > 0 ? n : 1;
      if (!p.queued && p.hasWork()) {
        p.queued = true;
        q.push(p);
      }
    }
    this.handled += done;
    this.sinceYield += done;
    if (!this.turnMarkArmed) {
      this.turnMarkArmed = true;
      this.clock.defer(this.turnMark);
    }
    if (q.length > 0) {
      this.scheduled = true;
      this.clock.defer(this.drainMacro);
      return;
    }
    this.scheduled = false;
    if (this.waiters.length > 0) {
      const ws = this.waiters;
      this.waiters = [];
      for (const w of ws) w();
    }
  }
}
