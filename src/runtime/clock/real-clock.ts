// The production clock: monotonic time from performance.now(), wall time from Date.now(), and one host timer
// that always points at the earliest entry of the shared TimerQueue. Node's setTimeout cannot wait longer than
// 2^31-1 ms (24.8 days), so a longer wait is taken in hops of at most that length.
// The module's performance, not the global: Node defines the global as a lazy getter, which every now() would call.
import { performance } from 'node:perf_hooks';
import type { Clock, TimerHandle, TimerTarget } from './clock.js';
import { TimerQueue, type Timer } from './timer-queue.js';

/** The longest delay Node's setTimeout accepts. */
const MAX_HOST_DELAY_MS = 2 ** 31 - 1;

/** Default of RealClockOptions.spinMs. */
const DEFAULT_SPIN_MS = 1;

/** Defaults of IdleCollectOptions. */
const DEFAULT_COLLECT_AFTER_OPS = 10_000;
const DEFAULT_COLLECT_GAP_MS = 50;
/** How long the event loop must be seen idle (no timer armed or fired, utilization below the next) first. */
const IDLE_PROBE_MS = 10;
const IDLE_UTILIZATION = 0.1;

/**
 * Idle-time collection (docs/runtime/time.md, "Idle-time collection"): after a burst of timer activity, when the
 * event loop goes quiet and no timer is due for a while, the clock runs two young-generation collections, so
 * the burst's surviving objects are promoted while nothing is waiting instead of being copied by the first
 * scavenges of the next burst, while its timers are due.
 */
export interface IdleCollectOptions {
  /**
   * One young-generation collection. Default: V8's `gc({ type: 'minor' })`, which exists only when Node runs
   * with `--expose-gc`.
   */
  readonly collect?: () => void;
  /** Timers armed and fired since the last collection that make another worthwhile (default 10,000). */
  readonly afterOps?: number;
  /** The next timer must be at least this many ms away (default 50). */
  readonly gapMs?: number;
}

type Collector = Required<IdleCollectOptions>;

type ExposedGc = (options?: { type?: 'minor' | 'major' }) => void;

/** V8's collector when Node runs with --expose-gc, else null. */
function exposedGc(): ExposedGc | null {
  const gc = (globalThis as { gc?: unknown }).gc;
  return typeof gc === 'function' ? (gc as ExposedGc) : null;
}

function collectorOf(option: boolean | IdleCollectOptions | undefined): Collector | null {
  if (option === false) return null;
  const given = typeof option === 'object' ? option : {};
  let collect = given.collect;
  if (collect === undefined) {
    const gc = exposedGc();
    if (gc === null) {
      // On by default only where it can work; asked for explicitly, a missing collector is a setup error.
      if (option === undefined) return null;
      throw new RangeError('idleCollect needs a collect function or Node started with --expose-gc');
    }
    collect = () => gc({ type: 'minor' });
  }
  const afterOps = given.afterOps ?? DEFAULT_COLLECT_AFTER_OPS;
  const gapMs = given.gapMs ?? DEFAULT_COLLECT_GAP_MS;
  if (!(Number.isInteger(afterOps) && afterOps >= 1)) {
    throw new RangeError(`idleCollect.afterOps must be a positive integer, got ${String(afterOps)}`);
  }
  if (!(gapMs >= 0 && gapMs <= 60_000)) {
    throw new RangeError(`idleCollect.gapMs must be 0..60000 ms, got ${String(gapMs)}`);
  }
  return { collect, afterOps, gapMs };
}

/** Options for RealClock. */
export interface RealClockOptions {
  /** Let the process exit while timers are armed (default false: armed timers keep Node running). */
  readonly unref?: boolean;
  /**
   * After a wake-up that fired timers, how close the next due time must be for the clock to check on every
   * event-loop turn instead of sleeping on a host timer (default 1 ms; 0 never checks). Node's setTimeout counts
   * whole milliseconds and wakes no sooner than about 1.1 ms after it is armed, so in a stream of expiries every
   * timer would otherwise fire about that late. Ignored with `unref` (see armHost).
   */
  readonly spinMs?: number;
  /**
   * Idle-time collection after bursts of timers (see IdleCollectOptions). Default: on when Node runs with
   * `--expose-gc`, off otherwise; false turns it off, true or options turn it on (an error without a collector).
   */
  readonly idleCollect?: boolean | IdleCollectOptions;
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
  private readonly collector: Collector | null;
  /** Operations after which an idle check starts (Infinity without a collector: one comparison per arm). */
  private readonly opsToCollect: number;
  private readonly gapMs: number;
  /** Timers armed and fired since the last idle-time collection. */
  private ops = 0;
  /** The pending idle check, while one is armed. */
  private probe: ReturnType<typeof setTimeout> | null = null;
  /** Idle-time collections made (for tests and statistics). */
  collections = 0;

  constructor(options: RealClockOptions = {}) {
    this.unref = options.unref === true;
    const spin = options.spinMs ?? DEFAULT_SPIN_MS;
    if (!(spin >= 0 && spin <= 1000)) throw new RangeError(`spinMs must be 0..1000 ms, got ${String(spin)}`);
    this.spinMs = spin;
    this.collector = collectorOf(options.idleCollect);
    this.opsToCollect = this.collector === null ? Infinity : this.collector.afterOps;
    this.gapMs = this.collector === null ? Infinity : this.collector.gapMs;
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
    if (++this.ops >= this.opsToCollect && this.probe === null) this.startProbe();
    return e;
  }

  arm(timer: Timer): TimerHandle {
    this.queue.insert(timer);
    if (timer.at < this.hostAt) this.armHost();
    if (++this.ops >= this.opsToCollect && this.probe === null) this.startProbe();
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
    if (this.probe !== null) clearTimeout(this.probe);
    this.probe = null;
  }

  /**
   * Watches the event loop for IDLE_PROBE_MS: if no timer was armed or fired meanwhile and the loop was mostly
   * idle, and the next timer is at least gapMs away, collects. While timers keep being armed or fired, or other
   * work keeps the loop busy, it looks again, so a check that starts in the middle of a burst collects right
   * after it. It stops looking when the next timer is due within gapMs: the wake-up that fires it starts the next
   * check. A busy loop is never interrupted by a collection.
   */
  private startProbe(): void {
    if (this.disposed || this.collector === null) return;
    const opsAt = this.ops;
    const elu = performance.eventLoopUtilization();
    this.probe = setTimeout(() => {
      this.probe = null;
      if (this.queue.nextAt - this.now() < this.gapMs) return;
      if (this.ops !== opsAt || performance.eventLoopUtilization(elu).utilization > IDLE_UTILIZATION) {
        this.startProbe();
        return;
      }
      this.collect();
    }, IDLE_PROBE_MS);
    // The check never keeps the process alive: armed timers do that, or nothing needs the collection.
    this.probe.unref();
  }

  private collect(): void {
    const c = this.collector!;
    this.ops = 0;
    this.collections++;
    // Two scavenges: the first copies the burst's young survivors once, the second promotes them (V8 promotes
    // what has survived one scavenge), leaving the young generation empty for the next burst.
    c.collect();
    c.collect();
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
    // Not for an unref'd clock: an unref'd setImmediate does not stop the event loop from blocking in its poll,
    // so the check would wait for some unrelated event (seen as a 1 s delay); its streams sleep on setTimeout.
    if (burst && delay <= this.spinMs && !this.unref) {
      this.turn = setImmediate(this.fire);
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
    let fired = 0;
    for (let e = this.queue.popDue(now); e !== null; e = this.queue.popDue(now)) {
      fired++;
      e.fire();
    }
    if (fired > 0) {
      burst = true;
      this.ops += fired;
      // Checked when a stream of expiries ends, not during it: while timers keep falling due there is no gap.
      if (this.ops >= this.opsToCollect && this.probe === null && this.queue.nextAt - now >= this.gapMs) {
        this.startProbe();
      }
    }
    this.armHost(burst);
  };
}
