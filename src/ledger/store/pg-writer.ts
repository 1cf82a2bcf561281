// The main-thread side of the PostgreSQL writer thread (pg-writer-thread.ts): one thread per process, started on
// the first PostgresStore.open and shared by every store after it (starting a thread that loads TypeScript costs
// about a third of a second). Each store has a connection of its own in it. Requests go through
// worker-requests.ts, as the SQLite writer's do; a thread that dies fails every outstanding request, and the
// next open starts a new one.
import { Worker } from 'node:worker_threads';
import { AllErrors, GovernessError, LedgerErrors, type ErrorDetails } from '../../errors/index.js';
import { toWire, type WireBatch } from './pg-batch-writer.js';
import type { CommitBatch, TableDef } from './types.js';
import { bundledWorker } from '../worker-bundle.js';
import { WorkerRequests, type WorkerReply } from './worker-requests.js';

/** What a store's writer connection is opened with. */
export interface PgWriterOpenOptions {
  readonly connectionString: string;
  /** The `options` of the connection (search_path, synchronous_commit). */
  readonly options: string;
  readonly tables: readonly TableDef[];
  /** The log's size (receipts committed). */
  readonly size: number;
  /** The ledger number the next new ledger gets. */
  readonly nextLedgerNo: number;
  /** Names the store in error messages and the connection's application_name. */
  readonly store: string;
  /** How long connecting may take (PostgresStoreOptions.connectTimeoutMs). */
  readonly connectTimeoutMs: number;
}

/** What the main thread asks of the writer thread. */
export type PgWriterRequest =
  | ({ readonly type: 'open'; readonly id: number; readonly conn: number } & PgWriterOpenOptions)
  | { readonly type: 'commit'; readonly id: number; readonly conn: number; readonly batch: WireBatch }
  | { readonly type: 'close'; readonly id: number; readonly conn: number };

/** The writer thread's answer to one request. */
export interface PgWriterReply extends WorkerReply {
  /** A GovernessError's code and details, or just a message. */
  readonly error?: { readonly code?: string; readonly details?: ErrorDetails; readonly message: string };
}

/** A request before the thread numbers it. */
type Unnumbered<T> = T extends unknown ? Omit<T, 'id'> : never;

const SPECS = new Map(AllErrors.map((s) => [s.code, s]));

/** The error a failed request rejects with: the thread's GovernessError rebuilt, or GOV_STORE_FAILED. */
function errorOf(e: NonNullable<PgWriterReply['error']>, store: string): Error {
  const spec = e.code === undefined ? undefined : SPECS.get(e.code);
  if (spec !== undefined) return new GovernessError(spec, e.details ?? {});
  return new GovernessError(LedgerErrors.storeFailed, { store, problem: e.message });
}

let thread: WorkerRequests<PgWriterReply> | null = null;

/** The writer thread, started on first use and again after one died. */
function writerThread(): WorkerRequests<PgWriterReply> {
  if (thread === null) {
    const t: WorkerRequests<PgWriterReply> = new WorkerRequests<PgWriterReply>(
      // One bundled module (../worker-bundle.ts): the parent's loader flags would only slow the thread's start.
      new Worker(bundledWorker(new URL('./pg-writer-thread.ts', import.meta.url)), { execArgv: [] }),
      'PostgreSQL writer thread',
      () => {
        if (thread === t) thread = null;
      },
    );
    thread = t;
  }
  return thread;
}

let connections = 0;

/** One store's writer connection in the writer thread. */
export class PgWriterConnection {
  private constructor(
    private readonly thread: WorkerRequests<PgWriterReply>,
    private readonly conn: number,
    private readonly store: string,
  ) {}

  /** Connects a writer connection for a store whose log has `size` receipts and `nextLedgerNo - 1` ledgers. */
  static async open(options: PgWriterOpenOptions): Promise<PgWriterConnection> {
    const c = new PgWriterConnection(writerThread(), ++connections, options.store);
    await c.call({ type: 'open', conn: c.conn, ...options });
    return c;
  }

  /** Commits a batch (pg-batch-writer.ts); resolves after COMMIT. It crosses to the thread in its wire form. */
  commit(batch: CommitBatch): Promise<void> {
    const { wire, transfer } = toWire(batch);
    return this.call({ type: 'commit', conn: this.conn, batch: wire }, transfer);
  }

  /** Ends the connection. */
  async close(): Promise<void> {
    if (this.thread.dead !== null) return;
    await this.call({ type: 'close', conn: this.conn });
  }

  private async call(message: Unnumbered<PgWriterRequest>, transfer: ArrayBuffer[] = []): Promise<void> {
    const reply = await this.thread.request(message, transfer);
    if (!reply.ok) throw errorOf(reply.error ?? { message: 'unknown writer thread failure' }, this.store);
  }
}
