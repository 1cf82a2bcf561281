// The due-timer scanner (docs/durable/design.md §2): passive governors have no clock timer, so one scanner reads
// the partial index on `next_due_ms` and activates every passive governor whose earliest timer is due within
// the horizon; activation re-arms its timers on the clock, which fires them on time. Start-up reads one page,
// never every governor. Activations per tick are capped (a token bucket refilled by elapsed time), so a backlog
// of overdue timers after an outage is worked off at a steady rate behind live calls.
import type { LedgerStore, SqlValue } from '../ledger/index.js';
import type { Clock, TimerHandle, TimerTarget } from '../runtime/index.js';
import { GOVERNORS_TABLE } from './tables.js';

/** Scanner tuning. */
export interface DueScanOptions {
  /** Shortest time between scans (default 1000 ms). */
  readonly intervalMs?: number;
  /**
   * Longest sleep (default 3,600,000 ms). Between scans the scanner sleeps until the earliest stored timer
   * comes within the horizon, or a passivated governor's timer does (`hint`); this bounds how long a timer
   * written behind the host's back (another tool, a wall-clock jump) can go unnoticed.
   */
  readonly maxSleepMs?: number;
  /** Activate governors whose next timer is due within this much wall time (default 60,000 ms). */
  readonly horizonMs?: number;
  /** Rows per index read (default 512). */
  readonly page?: number;
  /** Most activations per second (default 2,000). */
  readonly activationRate?: number;
  /** Most activations in flight at once (default 32). */
  readonly concurrency?: number;
}

/** What the scanner asks of its host for one due row. */
export interface DueVisitor {
  /** False when the governor is active, loading, backing off or unknown: nothing to do for it now. */
  wanted(gkey: string): boolean;
  /**
   * A number the host changes whenever a row it has in memory may have been written since (a governor left
   * memory); taken before each page is read.
   */
  mark(): number;
  /**
   * Activates the governor from the row read when `mark()` returned `mark` (errors are the host's to report).
   * The row may be stale by now: the host uses it only if the mark is unchanged.
   */
  activate(gkey: string, row: Readonly<Record<string, SqlValue>>, mark: number): Promise<void>;
}

/** Statistics of the scanner. */
export interface DueScanStats {
  readonly scans: number;
  readonly rowsRead: number;
  readonly activated: number;
}

/** Periodically activates passive governors with due timers. */
export class DueScanner implements TimerTarget {
  private readonly intervalMs: number;
  private readonly maxSleepMs: number;
  /** Wall time the next scan is planned for (to tell whether a hint is earlier). */
  private wakeWall = Infinity;
  /** The earliest hint received while a scan ran (that scan's own plan must not override it). */
  private hintedWall = Infinity;
  private readonly horizonMs: number;
  private readonly page: number;
  private readonly rate: number;
  private readonly concurrency: number;
  private timer: TimerHandle | null = null;
  private running: Promise<number> | null = null;
  private stopped = false;
  private tokens: number;
  private refilledAt: number;
  private scans = 0;
  private rowsRead = 0;
  private activated = 0;

  constructor(
    private readonly store: LedgerStore,
    private readonly clock: Clock,
    private readonly visitor: DueVisitor,
    options: DueScanOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 1000;
    this.maxSleepMs = options.maxSleepMs ?? 3_600_000;
    this.horizonMs = options.horizonMs ?? 60_000;
    this.page = options.page ?? 512;
    this.rate = options.activationRate ?? 2000;
    this.concurrency = options.concurrency ?? 32;
    this.tokens = this.rate;
    this.refilledAt = clock.now();
  }

  /** How far ahead timers are activated (the idle sweep keeps governors due within it). */
  get horizon(): number {
    return this.horizonMs;
  }

  /** Scans now, then every interval. */
  start(): void {
    this.schedule(0);
  }

  /** Statistics. */
  stats(): DueScanStats {
    return { scans: this.scans, rowsRead: this.rowsRead, activated: this.activated };
  }

  /** Stops scanning; resolves when a scan in progress has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) this.clock.cancel(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Runs one scan now (tests; the timer runs them otherwise). Resolves with the delay until the next is due. */
  scanNow(): Promise<number> {
    this.running ??= this.scan().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** A governor left memory with a timer due at wall time `dueMs`: scan in time for it. */
  hint(dueMs: number): void {
    const wakeWall = dueMs - this.horizonMs;
    if (this.running !== null) this.hintedWall = Math.min(this.hintedWall, wakeWall);
    if (wakeWall >= this.wakeWall) return;
    this.reschedule(Math.max(this.intervalMs, wakeWall - this.clock.wallNow()));
  }

  onTimer(): void {
    this.timer = null;
    this.wakeWall = Infinity;
    void this.scanNow().then(
      (delay) => this.afterScan(delay),
      () => this.afterScan(this.intervalMs),
    );
  }

  /** True while a scan runs. */
  get busy(): boolean {
    return this.running !== null;
  }

  private afterScan(delay: number): void {
    const hinted = this.hintedWall - this.clock.wallNow();
    this.hintedWall = Infinity;
    this.reschedule(Math.min(delay, hinted));
  }

  private schedule(delay: number): void {
    if (this.stopped || this.timer !== null) return;
    this.wakeWall = this.clock.wallNow() + delay;
    this.timer = this.clock.schedule(this.clock.now() + delay, this, 0);
  }

  private reschedule(delay: number): void {
    if (this.timer !== null) this.clock.cancel(this.timer);
    this.timer = null;
    this.schedule(Math.min(this.maxSleepMs, Math.max(this.intervalMs, delay)));
  }

  private refill(): void {
    const now = this.clock.now();
    this.tokens = Math.min(this.rate, this.tokens + ((now - this.refilledAt) * this.rate) / 1000);
    this.refilledAt = now;
  }

  private async scan(): Promise<number> {
    this.scans++;
    this.refill();
    const upTo = Math.floor(this.clock.wallNow()) + this.horizonMs;
    let after: [number, string] | undefined;
    const inFlight = new Set<Promise<void>>();
    while (!this.stopped && this.tokens >= 1) {
      const mark = this.visitor.mark();
      const rows = await this.store.scanRows(GOVERNORS_TABLE.name, {
        column: 'next_due_ms',
        upTo,
        limit: this.page,
        ...(after === undefined ? {} : { after }),
      });
      this.rowsRead += rows.length;
      for (const row of rows) {
        const gkey = row.gkey as string;
        if (this.stopped || this.tokens < 1) break;
        if (!this.visitor.wanted(gkey)) continue;
        this.tokens--;
        this.activated++;
        const p = this.visitor.activate(gkey, row, mark).finally(() => inFlight.delete(p));
        inFlight.add(p);
        if (inFlight.size >= this.concurrency) await Promise.race(inFlight);
      }
      const last = rows[rows.length - 1];
      if (rows.length < this.page || last === undefined) break;
      after = [last.next_due_ms as number, last.gkey as string];
    }
    await Promise.all(inFlight);
    // Out of activation tokens: come back soon. Otherwise sleep until the first timer beyond this scan.
    if (this.tokens < 1) return this.intervalMs;
    const next = await this.store.scanRows(GOVERNORS_TABLE.name, {
      column: 'next_due_ms',
      upTo: Number.MAX_SAFE_INTEGER,
      after: [upTo, ''],
      limit: 1,
    });
    const due = next[0]?.next_due_ms;
    if (typeof due !== 'number') return this.maxSleepMs;
    return due - this.horizonMs - this.clock.wallNow();
  }
}
