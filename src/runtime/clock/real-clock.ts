// The production clock: monotonic time from performance.now(), wall time from Date.now(), and one host timer
// that always points at the earliest entry of the shared TimerQueue. Node's setTimeout cannot wait longer than
// 2^31-1 ms (24.8 days), so a longer wait is taken in hops of at most that length.
import type { Clock, TimerHandle, TimerTarget } from './clock.js';
import { TimerQueue, type Timer } from './timer-queue.js';

/** The longest delay Node's setTimeout accepts. */
const MAX_HOST_DELAY_MS = 2 ** 31 - 1;

/** Options for RealClock. */
export interface RealClockOptions {
  /** Let the process exit while timers are armed (default false: armed timers keep Node running). */
  readonly unref?: boolean;
}

/** Host time. Dispose it (`using clock = new RealClock()`) to release its host timer. */
export class RealClock implements Clock, Disposable {
  private readonly queue = new TimerQueue();
  private host: ReturnType<typeof setTimeout> | null = null;
  private hostAt = Infinity;
  private readonly unref: boolean;
  private disposed = false;

  constructor(options: RealClockOptions = {}) {
    this.unref = options.unref === true;
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
    this.host = null;
    this.hostAt = Infinity;
  }

  private armHost(): void {
    if (this.disposed) return;
    this.clearHost();
    const at = this.queue.nextAt;
    if (at === Infinity) return;
    const delay = Math.min(MAX_HOST_DELAY_MS, Math.max(0, at - this.now()));
    this.hostAt = at;
    this.host = setTimeout(this.fire, delay);
    if (this.unref) this.host.unref();
  }

  private readonly fire = (): void => {
    this.host = null;
    this.hostAt = Infinity;
    const now = this.now();
    for (let e = this.queue.popDue(now); e !== null; e = this.queue.popDue(now)) {
      e.fire();
    }
    this.armHost();
  };
}
