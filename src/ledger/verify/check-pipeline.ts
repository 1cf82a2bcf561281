// Feeds chunks of records through the record check and hands the results to the in-order link step. With a pool,
// several chunks are in the workers at once (the caller reads or splits the next chunk meanwhile) and results are
// applied strictly in the order the chunks were pushed; without one, each record is checked and applied at once.
// Either way the caller's `apply` sees the same RecordChecks, so both paths give the same report.
import type { ReceiptOptions } from '../receipt/index.js';
import { checkedRecords, packedRecord, type CheckedChunk, type PackedRecords } from './check-batch.js';
import { CheckPool, defaultWorkers } from './check-pool.js';
import { checkRecord, type RecordCheck } from './record-check.js';

/** Below this many records a verification stays in-thread: starting workers would cost more than it saves. */
export const PARALLEL_THRESHOLD = 20_000;

/** Records per chunk sent to a worker: large enough to amortise a message, small enough to keep both busy. */
export const CHUNK_RECORDS = 4096;

/**
 * The worker threads a verification of about `expected` records checks with: `workers` of them when given (0:
 * none, checked in-thread), else defaultWorkers() but only from PARALLEL_THRESHOLD records. Null for none. Start
 * it as early as the count is known: a worker takes a few hundred milliseconds to load its modules.
 */
export function startCheckPool(
  receipt: ReceiptOptions,
  workers: number | undefined,
  expected: number,
): CheckPool | null {
  const size = workers ?? (expected >= PARALLEL_THRESHOLD ? defaultWorkers() : 0);
  return size > 0 ? new CheckPool(size, receipt) : null;
}

/** A chunk of records, in log order, and how to name record i in a failure. */
export interface RecordChunk {
  readonly packed: PackedRecords;
  readonly where: (i: number) => string;
}

/** Receives a chunk's checks, in log order (the i-th check is of record i of `chunk.packed`). */
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

  /** Checks with `pool` (from startCheckPool; the pipeline closes it), or in-thread when it is null. */
  constructor(
    private readonly receipt: ReceiptOptions,
    private readonly apply: ApplyChecks<C>,
    pool: CheckPool | null,
  ) {
    this.pool = pool;
    // Two chunks per worker: one being checked, one waiting, so a worker never idles while the main thread links.
    this.depth = 2 * (pool?.size ?? 0);
  }

  /** True when records are checked in worker threads. */
  get parallel(): boolean {
    return this.pool !== null;
  }

  /** Checks a chunk; may first wait for (and apply) the oldest chunks so that at most `depth` are in flight. */
  async push(chunk: C): Promise<void> {
    if (chunk.packed.ends.length === 0) return;
    if (this.pool === null) {
      await this.apply(this.inThread(chunk), chunk);
      return;
    }
    const checked = this.pool.check(chunk.packed);
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
      checkedRecords(results, (i) =>
        checkRecord(packedRecord(chunk.packed, i), chunk.where(i), this.receipt),
      ),
      chunk,
    );
  }

  private *inThread(chunk: RecordChunk): Generator<RecordCheck, void, undefined> {
    for (let i = 0; i < chunk.packed.ends.length; i++) {
      yield checkRecord(packedRecord(chunk.packed, i), chunk.where(i), this.receipt);
    }
  }
}
