// The production clock: monotonic time from performance.now(), wall time from Date.now(), and one host timer
// that always points at the earliest entry of the shared TimerQueue. Node's setTimeout cannot wait longer than
// 2^31-1 ms (24.8 days), so a longer wait is taken in hops of at most that length.
import type { Clock, TimerHandle, TimerTarget } from './clock.js';
import { TimerQueue, type Timer } from './timer-queue.js';

/** The longest delay Node's setTimeout accepts. */
const MAX_HOST_DELAY_MS = 2 ** 31 - 1;

/** Default of RealClockOptions.spinMs. */
const DEFAULT_SPIN_MS = 1;

/** Options for RealClock. */
export interface RealClockOptions {
  /** Let the process exit while timers are armed (default false: armed timers keep Node running). */
  readonly unref?: boolean;
  /**
   * How close to the next due time the clock stops sleeping on a host timer and checks on every event-loop turn
   * instead (default 1 ms; 0 never checks). Node's setTimeout counts whole milliseconds and wakes no sooner than
   * about 1.1 ms after it is armed, so without this every timer due within the next millisecond fires that late.
   */
  readonly spinMs?: number;
}

/** Host time. Dispose it (`using clock = new RealClock()`) to release its host timer. */
export class RealClock implements Clock, Disposable {
  private readonly queue = new TimerQueue();
  private host: ReturnType<typeof setTimeout> | null = null;
  /** The turn-by-turn check armed instead of `host` when the next timer is due within spinMs. */
  private turn: ReturnType<typeof setImmediate> | null = null;
  private hostAt = Infinity;
  private readonly unref: boolean;
  private readonly spinMs: number;
  private disposed = false;

  constructor(options: RealClockOptions = {}) {
    this.unref = options.unref === true;
    const spin = options.spinMs ?? DEFAULT_SPIN_MS;
    if (!(spin >= 0 && spin <= 1000)) throw new RangeError(`spinMs must be 0..1000 ms, got ${String(spin)}`);
    this.spinMs = spin;
  }

  now(): number {
    return performance.now();
  }

  wallNow(): number {
    return Date.now();
  }

  schedule(at: number, target: TimerTarget, token: number): TimerHandle {
    const e = this.queue.add(at, target, token);
    if (at < this.hostAt) this.armHost();
    return e;
  }

  arm(timer: Timer): TimerHandle {
    this.queue.insert(timer);
    if (timer.at < this.hostAt) this.armHost();
    return timer;
  }

  cancel(handle: TimerHandle): boolean {
    // The host timer is left as it is: firing early with nothing due costs one wake-up, re-arming on every
    // cancel would cost a host call per cancel.
    return this.queue.remove(handle);
  }

  pending(): number {
    return this.queue.size;
  }

  defer(fn: () => void): void {
    setImmediate(fn);
  }

  /** Disarms every timer and the host timer. */
  [Symbol.dispose](): void {
    this.disposed = true;
    this.queue.clear();
    this.clearHost();
  }

  private clearHost(): void {
    if (this.host !== null) clearTimeout(this.host);
    if (this.turn !== null) clearImmediate(this.turn);
    this.host = null;
    this.turn = null;
    this.hostAt = Infinity;
  }

  /**
   * Sleeps on a host timer until spinMs before the next due time, then checks on every turn of the event loop
   * (a setImmediate, so I/O still runs between checks) until it is due. The spin costs at most spinMs of CPU per
   * wake-up and buys sub-millisecond lateness; in a burst of due timers each check finds work.
   */
  private armHost(): void {
    if (this.disposed) return;
    this.clearHost();
    const at = this.queue.nextAt;
    if (at === Infinity) return;
    const delay = at - this.now();
    this.hostAt = at;
    if (delay <= this.spinMs) {
      this.turn = setImmediate(this.fire);
      if (this.unref) this.turn.unref();
      return;
    }
    this.host = setTimeout(this.fire, Math.min(MAX_HOST_DELAY_MS, delay - this.spinMs));
    if (this.unref) this.host.unref();
  }

  private readonly fire = (): void => {
    this.host = null;
    this.turn = null;
    this.hostAt = Infinity;
    const now = this.now();
    for (let e = this.queue.popDue(now); e !== null; e = this.queue.popDue(now)) {
      e.fire();
    }
    this.armHost();
  };
}
