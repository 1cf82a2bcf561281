// The main-thread side of the SQLite writer thread (sqlite-writer.worker.mjs): sends it statements to run in
// one transaction and settles a promise when it answers (worker-requests.ts: the process is held open only
// while a write is outstanding, and a thread that dies fails every outstanding write).
import { Worker } from 'node:worker_threads';
import type { SqlValue } from './types.js';
import { WorkerRequests, type WorkerReply } from './worker-requests.js';

/** A column of a columnar step: numbers in one Float64Array, strings (or nulls), or byte strings in one buffer. */
export type WriteColumn =
  | { readonly numbers: Float64Array }
  | { readonly strings: readonly (string | null)[] }
  | { readonly bytes: Uint8Array; readonly ends: Uint32Array };

/**
 * One statement run once per row of parameters, given as rows or, for the big steps, as columns: a few typed
 * arrays cross to the thread (transferred, not copied) where thousands of small row arrays would each be cloned.
 * `expectChanges` turns an unexpected changed-row count into a failure.
 */
export type StatementStep = {
  readonly sql: string;
  readonly expectChanges?: number;
  /** What the step does, for the error message. */
  readonly what: string;
} & (
  | { readonly rows: readonly (readonly SqlValue[])[] }
  | { readonly count: number; readonly columns: readonly WriteColumn[] }
);

/**
 * Expectations checked in order, one row each: row i runs the SELECT `checks[which[i]]` (one column of at most
 * one row) with parameters `rows[i]`, which must find exactly `expect[i]` (null: no row). The first mismatch
 * aborts the transaction and rejects with a WriteConflict naming the step and row. One step holds every check
 * of a segment, whatever their tables, so a durable batch sends one step for its hundreds of version checks.
 */
export interface CheckStep {
  readonly what: string;
  readonly checks: readonly string[];
  readonly which: readonly number[];
  readonly expect: readonly SqlValue[];
  readonly rows: readonly (readonly SqlValue[])[];
}

/** One step of a write transaction. */
export type WriteStep = StatementStep | CheckStep;

/** Rows a step writes or checks. */
export function stepSize(step: WriteStep): number {
  return 'rows' in step ? step.rows.length : step.count;
}

/** A failed check: the step's position in the steps sent, the row within it, what it found (undefined: no row). */
export interface WriteConflict {
  readonly step: number;
  readonly row: number;
  readonly found?: SqlValue;
}

interface Reply extends WorkerReply {
  readonly message?: string;
  /** SQLite's error code, when the failure came from SQLite. */
  readonly code?: string;
  /** Set when a check failed. */
  readonly conflict?: WriteConflict;
}

/** A writer thread owning one SQLite connection. */
export class SqliteWriter {
  private readonly requests: WorkerRequests<Reply>;

  private constructor(worker: Worker) {
    this.requests = new WorkerRequests<Reply>(worker, 'SQLite writer thread');
  }

  /** Starts a writer thread and opens `path` with the pragmas, then runs the DDL. */
  static async start(path: string, pragmas: readonly string[], ddl: string): Promise<SqliteWriter> {
    const w = new SqliteWriter(new Worker(new URL('./sqlite-writer.worker.mjs', import.meta.url)));
    try {
      await w.call({ type: 'open', path, pragmas, ddl });
    } catch (err) {
      await w.close();
      throw err;
    }
    return w;
  }

  /** Runs the steps in one transaction (BEGIN IMMEDIATE … COMMIT); resolves after COMMIT. */
  run(steps: readonly WriteStep[]): Promise<void> {
    const transfer: ArrayBuffer[] = [];
    for (const step of steps) {
      if ('columns' in step) {
        for (const c of step.columns) {
          if ('numbers' in c) transfer.push(c.numbers.buffer as ArrayBuffer);
          else if ('bytes' in c) transfer.push(c.bytes.buffer as ArrayBuffer, c.ends.buffer as ArrayBuffer);
        }
      }
    }
    return this.call({ type: 'run', steps }, transfer);
  }

  /** Closes the connection and ends the thread. */
  async close(): Promise<void> {
    if (this.requests.dead !== null) return;
    const worker = this.requests.worker;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    // Held open until the thread has closed the database, or the process could end with it half-closed.
    worker.ref();
    worker.postMessage({ type: 'close' });
    await exited;
  }

  private async call(message: object, transfer: ArrayBuffer[] = []): Promise<void> {
    const reply = await this.requests.request(message, transfer);
    if (reply.ok) return;
    throw Object.assign(new Error(reply.message ?? 'unknown SQLite writer failure'), {
      code: reply.code,
      conflict: reply.conflict,
    });
  }
}
