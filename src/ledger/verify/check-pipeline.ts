// Feeds chunks of records through the record check and hands the results to the in-order link step. With a pool,
// several chunks are in the workers at once (the caller reads or splits the next chunk meanwhile) and results are
// applied strictly in the order the chunks were pushed; without one, each record is checked and applied at once.
// Either way the caller's `apply` sees the same RecordChecks, so both paths give the same report.
import type { ReceiptOptions } from '../receipt/index.js';
import { checkedRecords, packRecords, type CheckedChunk, type PackedRecords } from './check-batch.js';
import { CheckPool, defaultWorkers } from './check-pool.js';
import { checkRecord, type RecordCheck } from './record-check.js';

/** Below this many records a verification stays in-thread: starting workers would cost more than it saves. */
export const PARALLEL_THRESHOLD = 20_000;

/** Records per chunk sent to a worker: large enough to amortise a message, small enough to keep both busy. */
export const CHUNK_RECORDS = 4096;

/** A chunk of records, in log order, and how to name record i in a failure. */
export interface RecordChunk {
  readonly records: readonly Uint8Array[];
  readonly where: (i: number) => string;
  /** The records packed for a worker, when the chunk can do it cheaper than packRecords (one copy). */
  readonly pack?: () => PackedRecords;
}

/** Receives a chunk's checks, in log order (the i-th check is of `chunk.records[i]`). */
export type ApplyChecks<C extends RecordChunk> = (
  checks: Iterable<RecordCheck>,
  chunk: C,
) => void | Promise<void>;

interface InFlight<C extends RecordChunk> {
  readonly chunk: C;
  readonly checked: Promise<CheckedChunk>;
}

/** One verification's chunk pipeline. Close it (`await using`) to stop its workers. */
export class CheckPipeline<C extends RecordChunk> implements AsyncDisposable {
  private readonly queue: InFlight<C>[] = [];
  private readonly pool: CheckPool | null;
  private readonly depth: number;

  /**
   * `workers`: threads to use, 0 checks in-thread; when not given, defaultWorkers() threads, but only if about
   * `expected` records (at least PARALLEL_THRESHOLD) will be pushed: an explicit count is always obeyed.
   */
  constructor(
    private readonly receipt: ReceiptOptions,
    private readonly apply: ApplyChecks<C>,
    workers: number | undefined,
    expected: number,
  ) {
    const size = workers ?? (expected >= PARALLEL_THRESHOLD ? defaultWorkers() : 0);
    this.pool = size > 0 ? new CheckPool(size, receipt) : null;
    // Two chunks per worker: one being checked, one waiting, so a worker never idles while the main thread links.
    this.depth = 2 * size;
  }

  /** True when records are checked in worker threads. */
  get parallel(): boolean {
    return this.pool !== null;
  }

  /** Checks a chunk; may first wait for (and apply) the oldest chunks so that at most `depth` are in flight. */
  async push(chunk: C): Promise<void> {
    if (chunk.records.length === 0) return;
    if (this.pool === null) {
      await this.apply(this.inThread(chunk), chunk);
      return;
    }
    const checked = this.pool.check(chunk.pack?.() ?? packRecords(chunk.records));
    // Observed when its turn comes; this keeps a failure of a chunk not yet awaited from being "unhandled".
    checked.catch(() => undefined);
    this.queue.push({ chunk, checked });
    while (this.queue.length > this.depth) await this.applyOldest();
  }

  /** Applies every chunk still in flight (call before anything that must follow them in log order). */
  async drain(): Promise<void> {
    while (this.queue.length > 0) await this.applyOldest();
  }

  /** Stops the workers (chunks still in flight are dropped). */
  async [Symbol.asyncDispose](): Promise<void> {
    this.queue.length = 0;
    await this.pool?.close();
  }

  private async applyOldest(): Promise<void> {
    const { chunk, checked } = this.queue.shift()!;
    const results = await checked;
    await this.apply(
      checkedRecords(results, (i) => checkRecord(chunk.records[i]!, chunk.where(i), this.receipt)),
      chunk,
    );
  }

  private *inThread(chunk: RecordChunk): Generator<RecordCheck, void, undefined> {
    for (let i = 0; i < chunk.records.length; i++) {
      yield checkRecord(chunk.records[i]!, chunk.where(i), this.receipt);
    }
  }
}
