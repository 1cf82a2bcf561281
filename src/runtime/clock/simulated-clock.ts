// Virtual time for tests (like XState's SimulatedClock): nothing moves until the test says so, and then due
// timers fire one by one in (due time, arming order), with `now()` set to each timer's due time, so a 30-day
// timeout fires in a millisecond and exactly on time. After each firing the clock waits for the runtime to
// settle (every process idle) before firing the next, so effects of one timer are seen by the next.
import type { Clock, TimerHandle, TimerTarget } from './clock.js';
import { TimerQueue, type Timer } from './timer-queue.js';

/** Options for SimulatedClock. */
export interface SimulatedClockOptions {
  /** Monotonic start time in ms (default 0). */
  readonly start?: number;
  /** Wall-clock time (ms since the epoch) that monotonic time `start` corresponds to (default 2026-01-01). */
  readonly wallStart?: number;
}

/** What SimulatedClock waits for between timers: a Runtime. */
export interface Settleable {
  /** Resolves when nothing is runnable. */
  idle(): Promise<void>;
  /** True when nothing is runnable right now. */
  readonly isIdle: boolean;
}

const DEFAULT_WALL_START = 1_767_225_600_000; // 2026-01-01T00:00:00Z

/** A clock that moves only when told to. */
export class SimulatedClock implements Clock, Disposable {
  private readonly queue = new TimerQueue();
  private current: number;
  private readonly wallOffset: number;
  private settlers: Settleable[] = [];

  constructor(options: SimulatedClockOptions = {}) {
    this.current = options.start ?? 0;
    this.wallOffset = (options.wallStart ?? DEFAULT_WALL_START) - this.current;
  }

  now(): number {
    return this.current;
  }

  wallNow(): number {
    return this.current + this.wallOffset;
  }

  schedule(at: number, target: TimerTarget, token: number): TimerHandle {
    return this.queue.add(at, target, token);
  }

  arm(timer: Timer): TimerHandle {
    this.queue.insert(timer);
    return timer;
  }

  cancel(handle: TimerHandle): boolean {
    return this.queue.remove(handle);
  }

  pending(): number {
    return this.queue.size;
  }

  defer(fn: () => void): void {
    setImmediate(fn);
  }

  /** Registers something (a Runtime) whose work `advance` waits for after every timer it fires. */
  onSettle(owner: Settleable): void {
    this.settlers.push(owner);
  }

  /** Due time of the next armed timer, or Infinity. */
  get nextAt(): number {
    return this.queue.nextAt;
  }

  /**
   * Waits until every registered runtime is idle, including work it deferred to a later macrotask, firing any
   * timer already due at the current time on the way (as RealClock would fire it at once), in order.
   */
  async settle(): Promise<void> {
    for (;;) {
      await this.quiet();
      const due = this.queue.popDue(this.current);
      if (due === null) return;
      due.fire();
    }
  }

  private async quiet(): Promise<void> {
    for (;;) {
      for (const s of this.settlers) await s.idle();
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.settlers.every((s) => s.isIdle)) return;
    }
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way, in order. */
  async advance(ms: number): Promise<void> {
    if (!(ms >= 0) || !Number.isFinite(ms))
      throw new RangeError(`advance(${ms}): ms must be finite and >= 0`);
    await this.advanceTo(this.current + ms);
  }

  /** Moves time forward to `at` (never backwards), firing every timer due at or before it, in order. */
  async advanceTo(at: number): Promise<void> {
    await this.settle();
    for (;;) {
      const e = this.queue.nextAt <= at ? this.queue.popDue(this.queue.nextAt) : null;
      if (e === null) break;
      if (e.at > this.current) this.current = e.at;
      e.fire();
      await this.settle();
    }
    if (at > this.current) this.current = at;
  }

  /** Fires the next armed timer (moving time to its due time); false when none is armed. */
  async next(): Promise<boolean> {
    const at = this.queue.nextAt;
    if (at === Infinity) return false;
    await this.advanceTo(Math.max(at, this.current));
    return true;
  }

  /** Fires timers until none is armed or `limit` have fired (guards against machines that re-arm forever). */
  async runAll(limit = 100_000): Promise<number> {
    let n = 0;
    while (n < limit && (await this.next())) n++;
    return n;
  }

  /** Disarms every timer. */
  [Symbol.dispose](): void {
    this.queue.clear();
  }
}
