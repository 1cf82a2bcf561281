// A store whose power can be cut: after `cut()` no transaction reaches the database any more, and one already
// on its way either lands with its acknowledgement lost (the host is told it failed) or never started. Reads
// still work, so the dying host behaves as a process whose disk went away; a new host opened on the inner store
// afterwards sees exactly what was committed, as after a real crash (nothing is flushed on the way down).
import { GovernessError, LedgerErrors } from '../../../src/errors/index.js';
import type {
  CommitBatch,
  LedgerStore,
  ReceiptQuery,
  RowScan,
  RowWrite,
  SqlValue,
  StoredCheckpoint,
  StoredEntry,
  StoredLogState,
  StoredPrivate,
  StoredRecords,
  TableDef,
} from '../../../src/ledger/index.js';

/** What happens to the transactions around a power cut. */
export interface CutPlan {
  /** Transactions still committed normally once the cut is armed, before the power goes. */
  readonly commits: number;
  /** The transaction that meets the cut lands in the database, but its caller is told it failed. */
  readonly lostAck: boolean;
}

/** Wraps a store; `arm` schedules the power cut, `cut` makes it happen now. */
export class PowerCutStore implements LedgerStore {
  private plan: CutPlan | null = null;
  private dead = false;
  private signalCut!: () => void;
  /** Resolves when the power goes. */
  readonly whenCut = new Promise<void>((resolve) => (this.signalCut = resolve));
  /** Transactions that landed but whose acknowledgement was lost. */
  lostAcks = 0;
  /** Runs when the host closes the store, after its last write: to read what a restart will find. */
  beforeClose: ((inner: LedgerStore) => Promise<void>) | null = null;

  constructor(readonly inner: LedgerStore) {}

  get kind(): string {
    return this.inner.kind;
  }

  /** Lets `plan.commits` more transactions through, then cuts the power. */
  arm(plan: CutPlan): void {
    this.plan = plan;
  }

  /** Cuts the power now (whatever was armed). */
  cut(): void {
    this.dead = true;
    this.signalCut();
  }

  async commit(batch: CommitBatch): Promise<void> {
    if (this.dead) throw this.down();
    const plan = this.plan;
    if (plan !== null) {
      if (plan.commits > 0) {
        this.plan = { ...plan, commits: plan.commits - 1 };
      } else {
        // This transaction meets the cut.
        this.cut();
        if (plan.lostAck) {
          await this.inner.commit(batch);
          this.lostAcks++;
        }
        throw this.down();
      }
    }
    await this.inner.commit(batch);
    // The power went while this transaction was committing: it landed, its caller never hears.
    if (this.dead) throw this.down();
  }

  async saveCheckpoint(cp: StoredCheckpoint): Promise<void> {
    if (this.dead) throw this.down();
    await this.inner.saveCheckpoint(cp);
  }

  private down(): GovernessError {
    return new GovernessError(LedgerErrors.storeFailed, {
      store: this.kind,
      problem: 'power cut (model test)',
    });
  }

  open(): Promise<StoredLogState> {
    return this.inner.open();
  }
  lastOfLedger(ledger: string): Promise<StoredEntry | null> {
    return this.inner.lastOfLedger(ledger);
  }
  findByIdempotencyKey(ledger: string, key: string): Promise<StoredEntry | null> {
    return this.inner.findByIdempotencyKey(ledger, key);
  }
  findByReceiptId(receiptId: string): Promise<StoredEntry | null> {
    return this.inner.findByReceiptId(receiptId);
  }
  readRange(from: number, to: number): Promise<StoredEntry[]> {
    return this.inner.readRange(from, to);
  }
  readRecords(from: number, to: number): Promise<StoredRecords> {
    return this.inner.readRecords(from, to);
  }
  readLedger(ledger: string, fromSeq: number, limit: number): Promise<StoredEntry[]> {
    return this.inner.readLedger(ledger, fromSeq, limit);
  }
  query(q: ReceiptQuery): Promise<StoredEntry[]> {
    return this.inner.query(q);
  }
  readTiles(ids: readonly { level: number; index: number }[]): Promise<(Uint8Array | null)[]> {
    return this.inner.readTiles(ids);
  }
  latestCheckpoint(): Promise<StoredCheckpoint | null> {
    return this.inner.latestCheckpoint();
  }
  readPrivate(index: number): Promise<StoredPrivate | null> {
    return this.inner.readPrivate(index);
  }
  defineTable(def: TableDef): void {
    this.inner.defineTable(def);
  }
  checkRows(rows: readonly RowWrite[]): void {
    this.inner.checkRows(rows);
  }
  getRow(table: string, key: Readonly<Record<string, SqlValue>>): Promise<Record<string, SqlValue> | null> {
    return this.inner.getRow(table, key);
  }
  getRows(
    table: string,
    keys: readonly Readonly<Record<string, SqlValue>>[],
  ): Promise<(Record<string, SqlValue> | null)[]> {
    return this.inner.getRows(table, keys);
  }
  scanRows(table: string, q: RowScan): Promise<Record<string, SqlValue>[]> {
    return this.inner.scanRows(table, q);
  }
  async close(): Promise<void> {
    await this.beforeClose?.(this.inner);
    await this.inner.close();
  }
}
