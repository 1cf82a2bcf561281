// The main-thread side of the PostgreSQL writer thread (pg-writer-thread.ts): one thread per process, started on
// the first PostgresStore.open and shared by every store after it (starting a thread that loads TypeScript costs
// about a third of a second). Each store has a connection of its own in it. The thread holds the process open
// only while a request is outstanding, and a thread that dies fails every outstanding request instead of
// leaving it hanging; the next open starts a new one.
import { Worker } from 'node:worker_threads';
import { AllErrors, GovernessError, LedgerErrors, type ErrorDetails } from '../../errors/index.js';
import { toWire, type WireBatch } from './pg-batch-writer.js';
import type { CommitBatch, TableDef } from './types.js';

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
}

/** What the main thread asks of the writer thread. */
export type PgWriterRequest =
  | ({ readonly type: 'open'; readonly id: number; readonly conn: number } & PgWriterOpenOptions)
  | { readonly type: 'commit'; readonly id: number; readonly conn: number; readonly batch: WireBatch }
  | { readonly type: 'close'; readonly id: number; readonly conn: number };

/** The writer thread's answer to one request. */
export interface PgWriterReply {
  readonly id: number;
  readonly ok: boolean;
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

class PgWriterThread {
  private readonly worker = new Worker(new URL('./pg-writer-thread.mjs', import.meta.url));
  private readonly waiting = new Map<
    number,
    { resolve: () => void; reject: (e: Error) => void; store: string }
  >();
  private nextId = 1;
  /** Connection numbers handed out. */
  nextConn = 1;
  dead: Error | null = null;

  constructor() {
    this.worker.unref();
    this.worker.on('message', (m: PgWriterReply) => this.settle(m));
    this.worker.on('error', (err) => this.die(err));
    this.worker.on('exit', (code) => this.die(new Error(`PostgreSQL writer thread exited (code ${code})`)));
  }

  request(message: Unnumbered<PgWriterRequest>, store: string, transfer: ArrayBuffer[] = []): Promise<void> {
    if (this.dead !== null) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject, store });
      if (this.waiting.size === 1) this.worker.ref();
      this.worker.postMessage({ ...message, id }, transfer);
    });
  }

  private settle(reply: PgWriterReply): void {
    const w = this.waiting.get(reply.id);
    if (w === undefined) return;
    this.waiting.delete(reply.id);
    if (this.waiting.size === 0) this.worker.unref();
    if (reply.ok) w.resolve();
    else w.reject(errorOf(reply.error ?? { message: 'unknown writer thread failure' }, w.store));
  }

  private die(err: Error): void {
    this.dead ??= err;
    if (thread === this) thread = null;
    for (const w of this.waiting.values()) w.reject(err);
    this.waiting.clear();
  }
}

let thread: PgWriterThread | null = null;

/** One store's writer connection in the writer thread. */
export class PgWriterConnection {
  private constructor(
    private readonly thread: PgWriterThread,
    private readonly conn: number,
    private readonly store: string,
  ) {}

  /** Connects a writer connection for a store whose log has `size` receipts and `nextLedgerNo - 1` ledgers. */
  static async open(options: PgWriterOpenOptions): Promise<PgWriterConnection> {
    thread ??= new PgWriterThread();
    const t = thread;
    const conn = t.nextConn++;
    await t.request({ type: 'open', conn, ...options }, options.store);
    return new PgWriterConnection(t, conn, options.store);
  }

  /** Commits a batch (pg-batch-writer.ts); resolves after COMMIT. It crosses to the thread in its wire form. */
  commit(batch: CommitBatch): Promise<void> {
    const { wire, transfer } = toWire(batch);
    return this.thread.request({ type: 'commit', conn: this.conn, batch: wire }, this.store, transfer);
  }

  /** Ends the connection. */
  async close(): Promise<void> {
    if (this.thread.dead !== null) return;
    await this.thread.request({ type: 'close', conn: this.conn }, this.store);
  }
}
