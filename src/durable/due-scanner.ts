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
  /** Time between scans (default 1000 ms). */
  readonly intervalMs?: number;
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
  /** Activates the governor from the row just read (errors are the host's to report). */
  activate(gkey: string, row: Readonly<Record<string, SqlValue>>): Promise<void>;
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
  private readonly horizonMs: number;
  private readonly page: number;
  private readonly rate: number;
  private readonly concurrency: number;
  private timer: TimerHandle | null = null;
  private running: Promise<void> | null = null;
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

  /** Runs one scan now (tests; the timer runs them otherwise). Resolves when it is done. */
  scanNow(): Promise<void> {
    this.running ??= this.scan().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  onTimer(): void {
    this.timer = null;
    void this.scanNow().then(() => this.schedule(this.intervalMs));
  }

  private schedule(delay: number): void {
    if (this.stopped || this.timer !== null) return;
    this.timer = this.clock.schedule(this.clock.now() + delay, this, 0);
  }

  private refill(): void {
    const now = this.clock.now();
    this.tokens = Math.min(this.rate, this.tokens + ((now - this.refilledAt) * this.rate) / 1000);
    this.refilledAt = now;
  }

  private async scan(): Promise<void> {
    this.scans++;
    this.refill();
    const upTo = Math.floor(this.clock.wallNow()) + this.horizonMs;
    let after: [number, string] | undefined;
    const inFlight = new Set<Promise<void>>();
    while (!this.stopped && this.tokens >= 1) {
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
        const p = this.visitor.activate(gkey, row).finally(() => inFlight.delete(p));
        inFlight.add(p);
        if (inFlight.size >= this.concurrency) await Promise.race(inFlight);
      }
      const last = rows[rows.length - 1];
      if (rows.length < this.page || last === undefined) break;
      after = [last.next_due_ms as number, last.gkey as string];
    }
    await Promise.all(inFlight);
  }
}
