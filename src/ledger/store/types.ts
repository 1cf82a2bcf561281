// What every ledger store provides. The sequencer (src/ledger/sequencer.ts) is the only writer: it prepares a
// whole batch in memory and hands it to `commit`, which writes it in ONE transaction; stores never compute
// hashes, assign sequence numbers or decide anything. The same contract suite (test/ledger/store) runs against
// every implementation: memory, SQLite and PostgreSQL.

import type { StoredRecords } from './stored-records.js';

export type { StoredRecord, StoredRecords } from './stored-records.js';

/** A value a side-table column can hold (see TableDef). */
export type SqlValue = string | number | Uint8Array | null;

/** One receipt as stored: its canonical bytes plus the columns the store indexes or filters on. */
export interface StoredEntry {
  /** Position in the global Merkle log, gapless from 0. */
  readonly index: number;
  /** Ledger id `<governor>/<sku_id>/<tenant_id>`. */
  readonly ledger: string;
  /** Position in its ledger, gapless from 1. */
  readonly seq: number;
  /** The receipt's `ts` in epoch milliseconds (non-decreasing in `index`). */
  readonly tsMs: number;
  /** The receipt's `receipt_id`. */
  readonly receiptId: string;
  /** `status` of the receipt. */
  readonly status: 'accept' | 'refuse';
  /** `reason.code` of the receipt. */
  readonly reasonCode: string;
  /** `cause.idempotency_key`, when present. */
  readonly idempotencyKey: string | null;
  /** The RFC 8785 canonical bytes, exactly as hashed. */
  readonly bytes: Uint8Array;
}

/** The parts of a ledger id, kept so queries by tenant or sku need no parsing. */
export interface LedgerParts {
  readonly governor: string;
  readonly sku: string;
  readonly tenant: string;
}

/** A stored tile of the Merkle log (C2SP tlog-tiles layout: up to 256 hashes of 32 bytes). */
export interface StoredTile {
  readonly level: number;
  readonly index: number;
  /** Concatenated hashes; width = length / 32. */
  readonly hashes: Uint8Array;
}

/** The private payload kept beside a receipt: erasable without touching the receipt (docs/ledger). */
export interface StoredPrivate {
  readonly index: number;
  readonly salt: Uint8Array;
  readonly payload: Uint8Array;
}

/** A signed checkpoint as stored. */
export interface StoredCheckpoint {
  readonly size: number;
  readonly tsMs: number;
  /** The signed note text (C2SP signed-note). */
  readonly note: string;
}

/** The log's persisted tail: enough to resume appending after a restart. */
export interface StoredLogState {
  readonly size: number;
  /** The serialised compact range of the tree (see src/ledger/merkle), empty when size is 0. */
  readonly frontier: Uint8Array;
  /** Largest `ts` written so far (epoch ms), 0 when empty. */
  readonly lastTsMs: number;
}

/** A side table that a higher layer (durable state, timers, outbox) writes in the same transaction as receipts. */
export interface TableDef {
  /** Table name, `[a-z][a-z0-9_]*`; created with a `gov_x_` prefix. */
  readonly name: string;
  /** Column name to type. */
  readonly columns: Readonly<Record<string, 'text' | 'integer' | 'blob'>>;
  /** Primary-key columns. */
  readonly primaryKey: readonly string[];
  /** Secondary indexes, created with the table (`CREATE INDEX IF NOT EXISTS gov_x_<name>`). */
  readonly indexes?: readonly TableIndex[];
}

/** A secondary index of a side table. */
export interface TableIndex {
  /** Index name, `[a-z][a-z0-9_]*`, unique across all side tables; created with a `gov_x_` prefix. */
  readonly name: string;
  /** Indexed columns, in order. */
  readonly columns: readonly string[];
  /** When set, a partial index holding only rows where this column is not NULL. */
  readonly whereNotNull?: string;
}

/**
 * A condition on a side-table row, checked inside the batch transaction: the row's `column` must equal `value`,
 * or, when `value` is null, the row must not exist. A failed condition aborts the whole batch (GOV_STORE_CONFLICT).
 */
export interface RowExpect {
  readonly column: string;
  readonly value: SqlValue;
}

/**
 * One write to a side table, applied inside the batch transaction in batch order (an expectation sees the
 * batch's earlier writes). `check` writes nothing: it only asserts its expectation (on PostgreSQL it also
 * share-locks the row until COMMIT, the future cluster fencing point).
 */
export type RowWrite =
  | {
      readonly table: string;
      readonly op: 'upsert';
      readonly row: Readonly<Record<string, SqlValue>>;
      readonly expect?: RowExpect;
    }
  | {
      readonly table: string;
      readonly op: 'delete';
      readonly key: Readonly<Record<string, SqlValue>>;
      readonly expect?: RowExpect;
    }
  | {
      readonly table: string;
      readonly op: 'check';
      readonly key: Readonly<Record<string, SqlValue>>;
      readonly expect: RowExpect;
    };

/** A keyset-paginated range read of a side table on an integer column (the due-timer scan). */
export interface RowScan {
  /** An integer column, the first column of an index of the table. */
  readonly column: string;
  /** Only rows whose `column` is <= this (rows where it is NULL never match). */
  readonly upTo: number;
  /** Only rows strictly after this `(column value, primary key)` cursor: the last row of the previous page. */
  readonly after?: readonly [number, string];
  /** At most this many rows. */
  readonly limit: number;
}

/** Everything one batch writes, atomically. */
export interface CommitBatch {
  /** New receipts, in index order, continuing the log exactly at its current size. */
  readonly entries: readonly StoredEntry[];
  /** Parts of each ledger that appears in `entries` for the first time. */
  readonly newLedgers: ReadonlyMap<string, LedgerParts>;
  /** Tiles that changed (full replacement of each). */
  readonly tiles: readonly StoredTile[];
  /** The log's state after this batch. */
  readonly state: StoredLogState;
  /** Private payloads of receipts in this batch. */
  readonly privates: readonly StoredPrivate[];
  /** Indexes whose private payload is erased (salt and payload deleted) by this batch. */
  readonly erase: readonly number[];
  /** Side-table writes of higher layers (a state snapshot, timer rows...). */
  readonly rows: readonly RowWrite[];
}

/** Filters for `query`; all given filters must match. */
export interface ReceiptQuery {
  readonly ledger?: string;
  readonly tenant?: string;
  readonly sku?: string;
  readonly governor?: string;
  readonly status?: 'accept' | 'refuse';
  readonly reasonCode?: string;
  /** Inclusive lower bound on ts (epoch ms). */
  readonly fromMs?: number;
  /** Exclusive upper bound on ts (epoch ms). */
  readonly toMs?: number;
  /** Only entries with index greater than this (the pagination cursor). */
  readonly afterIndex?: number;
  /** At most this many entries (required: stores never return unbounded pages). */
  readonly limit: number;
}

/** A ledger store: one database holding one Merkle log and its per-ledger chains. */
export interface LedgerStore {
  /** `memory`, `sqlite` or `postgres`. */
  readonly kind: string;
  /** Creates tables if needed, checks the schema version, and returns the log's persisted tail. */
  open(): Promise<StoredLogState>;
  /** Writes a batch in one transaction; resolves only after COMMIT; on failure nothing of it is visible. */
  commit(batch: CommitBatch): Promise<void>;
  /**
   * How many commits the store takes at once (absent: 1). A store taking more writes them one after another in
   * the order given, each built on the log the one before leaves; when one fails, those sent after it fail
   * with GOV_LOG_MOVED having written nothing.
   */
  readonly pipelineDepth?: number;
  /** The last entry of a ledger, or null when the ledger has none. */
  lastOfLedger(ledger: string): Promise<StoredEntry | null>;
  /** The entry of a ledger carrying an idempotency key, or null. */
  findByIdempotencyKey(ledger: string, key: string): Promise<StoredEntry | null>;
  /** The entry with this receipt_id, or null. */
  findByReceiptId(receiptId: string): Promise<StoredEntry | null>;
  /** Entries with index in [from, to), in index order. */
  readRange(from: number, to: number): Promise<StoredEntry[]>;
  /** Just the stored bytes of the entries with index in [from, to), in index order, packed (verification, export). */
  readRecords(from: number, to: number): Promise<StoredRecords>;
  /** Entries of one ledger with seq >= fromSeq, in seq order, at most `limit`. */
  readLedger(ledger: string, fromSeq: number, limit: number): Promise<StoredEntry[]>;
  /** Entries matching the query, in index order. */
  query(q: ReceiptQuery): Promise<StoredEntry[]>;
  /** Reads tiles; a missing tile is null. */
  readTiles(ids: readonly { level: number; index: number }[]): Promise<(Uint8Array | null)[]>;
  /** Stores a signed checkpoint (append-only; the same size twice is an error). */
  saveCheckpoint(cp: StoredCheckpoint): Promise<void>;
  /** The checkpoint with the largest size, or null. */
  latestCheckpoint(): Promise<StoredCheckpoint | null>;
  /** The private payload of an entry, or null when there is none or it was erased. */
  readPrivate(index: number): Promise<StoredPrivate | null>;
  /** Registers a side table (call before open). */
  defineTable(def: TableDef): void;
  /** Checks side-table writes against the registered tables (throws GOV_STORE_FAILED naming the problem). */
  checkRows(rows: readonly RowWrite[]): void;
  /** Reads one side-table row by primary key. */
  getRow(table: string, key: Readonly<Record<string, SqlValue>>): Promise<Record<string, SqlValue> | null>;
  /** Reads many side-table rows by primary key in one round trip; results in key order, null where missing. */
  getRows(
    table: string,
    keys: readonly Readonly<Record<string, SqlValue>>[],
  ): Promise<(Record<string, SqlValue> | null)[]>;
  /**
   * Rows of a side table (single text primary key) with `column <= upTo`, ordered by (column, primary key),
   * strictly after `after`, at most `limit`; an index range scan, never a table scan.
   */
  scanRows(table: string, q: RowScan): Promise<Record<string, SqlValue>[]>;
  /** Releases connections and file handles. */
  close(): Promise<void>;
}
