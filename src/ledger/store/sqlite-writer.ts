// The main-thread side of the SQLite writer thread (sqlite-writer.worker.mjs): sends it statements to run in
// one transaction and settles a promise when it answers. The thread holds the process open only while a write
// is outstanding, so a forgotten store never keeps a program alive, and a thread that dies fails every
// outstanding write instead of leaving it hanging.
import { Worker } from 'node:worker_threads';
import type { SqlValue } from './types.js';

/** A column of a columnar step: numbers in one Float64Array, strings (or nulls), or byte strings in one buffer. */
export type WriteColumn =
  | { readonly numbers: Float64Array }
  | { readonly strings: readonly (string | null)[] }
  | { readonly bytes: Uint8Array; readonly ends: Uint32Array };

/**
 * One statement run once per row of parameters, given as rows or, for the big steps, as columns: a few typed
 * arrays cross to the thread (transferred, not copied) where thousands of small row arrays would each be cloned.
 * `expectChanges` turns an unexpected changed-row count into a failure. `expectValue` makes the step a check:
 * its SQL is a SELECT of one column of at most one row, which must hold exactly that value (null: no row must
 * be found); a mismatch aborts the transaction and rejects with a WriteConflict.
 */
export type WriteStep = {
  readonly sql: string;
  readonly expectChanges?: number;
  readonly expectValue?: SqlValue;
  /** What the step does, for the error message. */
  readonly what: string;
} & (
  | { readonly rows: readonly (readonly SqlValue[])[] }
  | { readonly count: number; readonly columns: readonly WriteColumn[] }
);

/** Rows a step writes. */
export function stepSize(step: WriteStep): number {
  return 'rows' in step ? step.rows.length : step.count;
}

/** A failed `expectValue` step: its position in the steps sent, and what it found (undefined: no row). */
export interface WriteConflict {
  readonly step: number;
  readonly found?: SqlValue;
}

interface Reply {
  readonly id?: number;
  readonly ok: boolean;
  readonly message?: string;
  /** SQLite's error code, when the failure came from SQLite. */
  readonly code?: string;
  /** Set when an `expectValue` step failed. */
  readonly conflict?: WriteConflict;
}

/** A writer thread owning one SQLite connection. */
export class SqliteWriter {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private dead: Error | null = null;

  private constructor(worker: Worker) {
    this.worker = worker;
    worker.on('message', (m: Reply) => this.settle(m.id ?? 0, m));
    worker.on('error', (err) => this.die(err));
    worker.on('exit', (code) => this.die(new Error(`SQLite writer thread exited (code ${code})`)));
  }

  /** Starts a writer thread and opens `path` with the pragmas, then runs the DDL. */
  static async start(path: string, pragmas: readonly string[], ddl: string): Promise<SqliteWriter> {
    const w = new SqliteWriter(new Worker(new URL('./sqlite-writer.worker.mjs', import.meta.url)));
    try {
      await w.request(0, { type: 'open', path, pragmas, ddl });
    } catch (err) {
      await w.close();
      throw err;
    }
    return w;
  }

  /** Runs the steps in one transaction (BEGIN IMMEDIATE … COMMIT); resolves after COMMIT. */
  run(steps: readonly WriteStep[]): Promise<void> {
    const id = this.nextId++;
    const transfer: ArrayBuffer[] = [];
    for (const step of steps) {
      if ('columns' in step) {
        for (const c of step.columns) {
          if ('numbers' in c) transfer.push(c.numbers.buffer as ArrayBuffer);
          else if ('bytes' in c) transfer.push(c.bytes.buffer as ArrayBuffer, c.ends.buffer as ArrayBuffer);
        }
      }
    }
    return this.request(id, { type: 'run', id, steps }, transfer);
  }

  /** Closes the connection and ends the thread. */
  async close(): Promise<void> {
    if (this.dead !== null) return;
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    // Held open until the thread has closed the database, or the process could end with it half-closed.
    this.worker.ref();
    this.worker.postMessage({ type: 'close' });
    await exited;
  }

  private request(id: number, message: object, transfer: ArrayBuffer[] = []): Promise<void> {
    if (this.dead !== null) return Promise.reject(this.dead);
    return new Promise<void>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      if (this.waiting.size === 1) this.worker.ref();
      this.worker.postMessage(message, transfer);
    });
  }

  private settle(id: number, reply: Reply): void {
    const w = this.waiting.get(id);
    if (w === undefined) return;
    this.waiting.delete(id);
    if (this.waiting.size === 0) this.worker.unref();
    if (reply.ok) w.resolve();
    else
      w.reject(
        Object.assign(new Error(reply.message ?? 'unknown SQLite writer failure'), {
          code: reply.code,
          conflict: reply.conflict,
        }),
      );
  }

  private die(err: Error): void {
    this.dead ??= err;
    for (const w of this.waiting.values()) w.reject(err);
    this.waiting.clear();
  }
}
