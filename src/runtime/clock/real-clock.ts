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
   * After a wake-up that fired timers, how close the next due time must be for the clock to check on every
   * event-loop turn instead of sleeping on a host timer (default 1 ms; 0 never checks). Node's setTimeout counts
   * whole milliseconds and wakes no sooner than about 1.1 ms after it is armed, so in a stream of expiries every
   * timer would otherwise fire about that late.
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
   * Arms the host timer for the earliest entry. Right after a wake-up that fired timers, when the next is due within
   * spinMs, it checks on every turn of the event loop instead (a setImmediate, so I/O still runs between checks)
   * until that one is due: in a stream of expiries each check finds work, and none waits for a 1.1 ms setTimeout.
   * A lone timer (a group-commit window, a call timeout) always waits on setTimeout, so a busy server does not
   * spend a core polling for it — on 2 cores that cost the PostgreSQL ledger ~10% of its throughput.
   */
  private armHost(burst = false): void {
    if (this.disposed) return;
    this.clearHost();
    const at = this.queue.nextAt;
    if (at === Infinity) return;
    const delay = at - this.now();
    this.hostAt = at;
    if (burst && delay <= this.spinMs) {
      this.turn = setImmediate(this.fire);
      if (this.unref) this.turn.unref();
      return;
    }
    this.host = setTimeout(this.fire, Math.min(MAX_HOST_DELAY_MS, Math.max(0, delay)));
    if (this.unref) this.host.unref();
  }

  private readonly fire = (): void => {
    // A turn-by-turn check that finds nothing due yet goes on checking: the stream it follows is not over.
    let burst = this.turn !== null;
    this.host = null;
    this.turn = null;
    this.hostAt = Infinity;
    const now = this.now();
    for (let e = this.queue.popDue(now); e !== null; e = this.queue.popDue(now)) {
      burst = true;
      e.fire();
    }
    this.armHost(burst);
  };
}
