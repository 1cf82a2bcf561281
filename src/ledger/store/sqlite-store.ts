// The embedded default store: SQLite through better-sqlite3, WAL journal and synchronous=FULL so a COMMIT that
// returned survives a power loss (with NORMAL, a WAL commit may roll back after a crash: sqlite.org/pragma.html
// #pragma_synchronous). Writes go to a writer thread (sqlite-writer.ts): a batch is one transaction and one
// fsync there, while this thread keeps serving reads (WAL readers never block the writer) and the sequencer
// seals the next batch. Reads use a connection of their own on this thread.
//
// Layout (docs/ledger/storage.md): receipts are rows keyed by their global index, so appends land at the right
// edge of the table's B-tree; the only per-receipt secondary indexes are (ledger_no, seq), receipt_id (time-
// ordered UUIDv7, so also right-edge) and the partial idempotency index. Ledger ids are numbered once in
// gov_ledgers, which keeps the per-receipt index entries small; this writer assigns the numbers.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { GovernessError, LedgerErrors } from '../../errors/index.js';
import {
  ENTRY_COLUMNS,
  ENTRY_FROM,
  STORAGE_SCHEMA_VERSION,
  checkContinuity,
  checkStatus,
  ledgerDdl,
  querySql,
  scanRowsSql,
  sideIndexDdl,
  sideTableDdl,
} from './sql-schema.js';
import { SideTables, conflictError, keyOfWrite } from './side-tables.js';
import { BoundedCache } from './bounded-cache.js';
import { groupBy, writeSegments, type SegmentItem } from './write-segments.js';
import { entryColumns } from './entry-columns.js';
import {
  packStoredRows,
  recordsFromAggregate,
  type AggregateRecordsRow,
  type StoredRow,
} from './stored-records.js';
import {
  SqliteWriter,
  stepSize,
  type CheckStep,
  type WriteColumn,
  type WriteConflict,
  type WriteStep,
} from './sqlite-writer.js';
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
} from './types.js';

interface EntryRow {
  idx: number;
  ledger: string;
  seq: number;
  ts: number;
  rid: string;
  status: string;
  reason: string;
  idem: string | null;
  bytes: Buffer;
}

/** Keys per statement of `getRows` (SQLite's default limit is 32,766 parameters). */
const GET_ROWS_CHUNK = 64;

/**
 * The writer connection's settings (docs/ledger/storage.md, "SQLite settings"). `page_size` comes first: it takes
 * effect only on a new file, before WAL mode is set, and an existing file keeps its own. Pages of 16 KiB instead
 * of SQLite's 4 KiB: a WAL checkpoint copies the B-tree pages its interval changed to random places in the file,
 * and on the bench machine's disk it is that count of random writes, not their bytes, that makes the
 * checkpoint's fsync take 10-50 ms (and the commits behind it wait); bigger pages hold more of the rows steps
 * touch at random, so a checkpoint has fewer of them to write. `wal_autocheckpoint` is in pages: 2,500 of 16 KiB
 * is 40 MiB of WAL, the size measured best for durable batches (SQLite's default of 1,000 4-KiB pages made
 * every COMMIT of a few thousand dirty pages also run a checkpoint). Durability is unchanged: a COMMIT returns
 * after the WAL is synced.
 */
const PRAGMAS = [
  'page_size = 16384',
  'journal_mode = WAL',
  'synchronous = FULL',
  'busy_timeout = 5000',
  'wal_autocheckpoint = 2500',
];

/** readRecords' query: a range of receipts as one aggregate row (see readRecords for why it has no ORDER BY). */
export const SQLITE_RECORDS_SQL = `SELECT count(*) AS n, min(idx) AS lo, max(idx) AS hi,
    group_concat(octet_length(bytes), ',') AS lengths, CAST(group_concat(bytes, '') AS BLOB) AS bytes
  FROM gov_receipts WHERE idx >= ? AND idx < ?`;

/** Options for SqliteStore. */
export interface SqliteStoreOptions {
  /** Database file; its folder is created (default `./data/governess.sqlite`). */
  readonly path?: string;
  /**
   * Open an existing ledger file for reading only (verification, export): no writer thread, no schema creation,
   * nothing written to the file; commits and checkpoints are refused.
   */
  readonly readonly?: boolean;
}

/** Ledger numbers kept in memory (the rest are read back when next appended to). */
const LEDGER_NO_CACHE = 100_000;

/** A LedgerStore in one SQLite file. */
export class SqliteStore implements LedgerStore {
  readonly kind = 'sqlite';
  /** The database file. */
  readonly path: string;
  private db: Database.Database | null = null;
  private writer: SqliteWriter | null = null;
  private readonly tables = new SideTables();
  /** Ledger id → ledger_no, bounded so a long-running host does not keep one entry per ledger ever touched. */
  private readonly ledgerNos = new BoundedCache<string, number>(LEDGER_NO_CACHE);
  /** SQL of side-table writes by shape (table, operation, columns): a handful of shapes, made once each. */
  private readonly writeSql = new Map<string, string>();
  /** Check SELECTs by table and column (checkSql). */
  private readonly checkSqls = new Map<TableDef, Map<string, string>>();
  /** The committed log: its size and the next ledger number. */
  private nextLedgerNo = 1;
  private size = 0;
  /**
   * Where the commits handed to the writer thread leave the log (pipelined: the next commit is built on them).
   * Equal to the committed values whenever no commit is in flight.
   */
  private sentSize = 0;
  private sentNextLedgerNo = 1;
  /** Ledgers numbered by commits in flight; moved to `ledgerNos` once their commit is done. */
  private readonly sentLedgerNos = new Map<string, number>();
  private commitsInFlight = 0;

  /**
   * The writer thread runs commits one after another in the order given, so a second one is sent while the
   * first is written: the writer starts on it the moment the first's fsync returns (docs/ledger/storage.md,
   * "Group commit"). Each expects the log size the one before leaves.
   */
  readonly pipelineDepth = 2;

  /** True when opened for reading only (SqliteStoreOptions.readonly). */
  readonly readonly: boolean;

  constructor(options: SqliteStoreOptions = {}) {
    this.path = options.path ?? './data/governess.sqlite';
    this.readonly = options.readonly === true;
    if (this.path === ':memory:' || this.path === '') {
      // The writer thread and the readers need one shared database: an in-memory one is private to a connection.
      throw this.failed('needs a file (use MemoryStore for a database in memory)');
    }
  }

  checkRows(rows: readonly RowWrite[]): void {
    this.tables.checkAll(rows);
  }

  defineTable(def: TableDef): void {
    if (this.db !== null) throw this.failed('defineTable must be called before open');
    this.tables.define(def);
  }

  async open(): Promise<StoredLogState> {
    // A second open (the sequencer re-reading its state after a failed batch) starts from scratch with a new
    // writer thread and connection, but the first connection goes on serving reads until the new one is ready:
    // a failed batch must not fail the reads made meanwhile (an activation, a reply-row lookup).
    const previous = { db: this.db, writer: this.writer };
    this.writer = null;
    if (!this.readonly) mkdirSync(dirname(this.path), { recursive: true });
    let db: Database.Database | null = null;
    try {
      if (!this.readonly) await this.startWriter();
      db = new Database(this.path, { fileMustExist: true, readonly: this.readonly });
      db.pragma('busy_timeout = 5000');
      const version = (
        db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'gov_meta'").get() ===
        undefined
          ? undefined
          : db.prepare('SELECT value FROM gov_meta WHERE key = ?').get('schema_version')
      ) as { value: string } | undefined;
      if (version?.value !== STORAGE_SCHEMA_VERSION) {
        throw new GovernessError(LedgerErrors.storeCorrupt, {
          where: this.path,
          problem:
            version === undefined
              ? 'not a Governess ledger (no storage schema version)'
              : `storage schema version ${version.value}, this build reads ${STORAGE_SCHEMA_VERSION}`,
        });
      }
      const row = db.prepare('SELECT size, frontier, last_ts FROM gov_log_state WHERE id = 1').get() as {
        size: number;
        frontier: Buffer;
        last_ts: number;
      };
      const count = (
        db.prepare('SELECT COALESCE(MAX(idx) + 1, 0) AS n FROM gov_receipts').get() as { n: number }
      ).n;
      const state: StoredLogState = {
        size: row.size,
        frontier: new Uint8Array(row.frontier),
        lastTsMs: row.last_ts,
      };
      if (state.size !== count) {
        throw new GovernessError(LedgerErrors.storeCorrupt, {
          where: `${this.path} gov_log_state`,
          problem: `log state says ${state.size} receipts, gov_receipts holds ${count}`,
        });
      }
      this.nextLedgerNo =
        (db.prepare('SELECT COALESCE(MAX(ledger_no), 0) AS n FROM gov_ledgers').get() as { n: number }).n + 1;
      this.size = state.size;
      this.rewind();
      this.statements.clear();
      this.db = db;
      previous.db?.close();
      await previous.writer?.close();
      return state;
    } catch (err) {
      db?.close();
      // A failed second open keeps the first's read connection (still `this.db`; see PostgresStore.open): reads
      // go on, and commits fail until an open succeeds.
      await previous.writer?.close();
      const started = this.writer as SqliteWriter | null; // set by startWriter, if it got that far
      this.writer = null;
      await started?.close();
      if (err instanceof GovernessError) throw err;
      throw new GovernessError(
        LedgerErrors.storeCorrupt,
        { where: this.path, problem: err instanceof Error ? err.message : String(err) },
        { cause: err },
      );
    }
  }

  async commit(batch: CommitBatch): Promise<void> {
    const writer = this.writerThread();
    const at = this.sentSize;
    checkContinuity(
      at,
      batch.entries.map((e) => e.index),
      batch.state.size,
      'sqlite',
    );
    this.tables.checkAll(batch.rows);
    const added = new Map<string, number>();
    let next = this.sentNextLedgerNo;
    for (const ledger of batch.newLedgers.keys()) added.set(ledger, next++);
    const steps: WriteStep[] = [
      {
        // The single-writer check made by the database itself: the log must be exactly where this writer
        // believes it is, or nothing of the batch is written.
        what: `log state at size ${at}`,
        sql: 'UPDATE gov_log_state SET size = ?, frontier = ?, last_ts = ? WHERE id = 1 AND size = ?',
        rows: [[batch.state.size, batch.state.frontier, batch.state.lastTsMs, at]],
        expectChanges: 1,
      },
      {
        what: 'new ledgers',
        sql: 'INSERT INTO gov_ledgers (ledger_no, ledger, governor, sku, tenant) VALUES (?, ?, ?, ?, ?)',
        rows: [...batch.newLedgers].map(([l, p]) => [added.get(l) as number, l, p.governor, p.sku, p.tenant]),
      },
      {
        what: 'receipts',
        sql: 'INSERT INTO gov_receipts (idx, ledger_no, seq, ts, rid, status, reason, idem, bytes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        ...receiptColumns(
          batch.entries,
          (l) => added.get(l) ?? this.sentLedgerNos.get(l) ?? this.ledgerNo(l),
        ),
      },
      {
        what: 'tiles',
        sql: 'INSERT OR REPLACE INTO gov_tiles (level, idx, hashes) VALUES (?, ?, ?)',
        rows: batch.tiles.map((t) => [t.level, t.index, t.hashes]),
      },
      {
        what: 'private payloads',
        sql: 'INSERT INTO gov_private (idx, salt, payload) VALUES (?, ?, ?)',
        rows: batch.privates.map((p) => [p.index, p.salt, p.payload]),
      },
      {
        what: 'erasures',
        sql: 'DELETE FROM gov_private WHERE idx = ?',
        rows: batch.erase.map((i) => [i]),
      },
    ];
    // The side-table writes each check step checks, row by row, to name a conflict.
    const checked = new Map<WriteStep, readonly RowWrite[]>();
    // Per segment of distinct rows (write-segments.ts): one step checking every expectation in batch order, so
    // the first to fail is the first conflict in batch order, then the writes, one statement per table,
    // operation and columns.
    for (const segment of writeSegments(this.tables, batch.rows)) {
      const check = this.checkStep(segment);
      if (check !== null) {
        steps.push(check.step);
        checked.set(check.step, check.writes);
      }
      const writes = segment.filter((x) => x.w.op !== 'check');
      for (const group of groupBy(writes, (x) => this.shapeOf(x.w))) steps.push(this.rowsStep(group));
    }
    const sent = steps.filter((s) => stepSize(s) > 0);
    this.sentSize = batch.state.size;
    this.sentNextLedgerNo = next;
    for (const [ledger, no] of added) this.sentLedgerNos.set(ledger, no);
    this.commitsInFlight++;
    try {
      await writer.run(sent);
    } catch (err) {
      // Nothing of this batch was written. Commits sent after it expect the size it would have left, so the
      // database refuses them too (GOV_LOG_MOVED); the next one is built on the committed log again.
      this.rewind();
      const conflict = (err as { conflict?: WriteConflict } | null)?.conflict;
      if (conflict !== undefined && sent[conflict.step] === steps[0]) {
        throw new GovernessError(LedgerErrors.logMoved, { store: 'sqlite', size: at }, { cause: err });
      }
      const w =
        conflict === undefined ? undefined : checked.get(sent[conflict.step] as WriteStep)?.[conflict.row];
      if (conflict !== undefined && w?.expect !== undefined) {
        throw conflictError(w.table, keyOfWrite(this.tables.get(w.table), w), w.expect, conflict.found);
      }
      throw this.driverError(err, 'writing a batch');
    } finally {
      this.commitsInFlight--;
    }
    for (const [ledger, no] of added) {
      this.ledgerNos.set(ledger, no);
      this.sentLedgerNos.delete(ledger);
    }
    this.nextLedgerNo = next;
    this.size = batch.state.size;
    if (this.commitsInFlight === 0) this.rewind();
  }

  /** The next commit is built on the committed log (nothing in flight, or what is in flight will fail). */
  private rewind(): void {
    this.sentSize = this.size;
    this.sentNextLedgerNo = this.nextLedgerNo;
    this.sentLedgerNos.clear();
  }

  async lastOfLedger(ledger: string): Promise<StoredEntry | null> {
    const no = this.findLedgerNo(ledger);
    if (no === null) return null;
    const row = this.read(
      'get',
      `SELECT ${ENTRY_COLUMNS} FROM ${ENTRY_FROM} WHERE r.ledger_no = ? ORDER BY r.seq DESC LIMIT 1`,
      no,
    ) as EntryRow | undefined;
    return row === undefined ? null : toEntry(row);
  }

  async findByIdempotencyKey(ledger: string, key: string): Promise<StoredEntry | null> {
    const no = this.findLedgerNo(ledger);
    if (no === null) return null;
    const row = this.read(
      'get',
      `SELECT ${ENTRY_COLUMNS} FROM ${ENTRY_FROM} WHERE r.ledger_no = ? AND r.idem = ?`,
      no,
      key,
    ) as EntryRow | undefined;
    return row === undefined ? null : toEntry(row);
  }

  async findByReceiptId(receiptId: string): Promise<StoredEntry | null> {
    const row = this.read('get', `SELECT ${ENTRY_COLUMNS} FROM ${ENTRY_FROM} WHERE r.rid = ?`, receiptId) as
      EntryRow | undefined;
    return row === undefined ? null : toEntry(row);
  }

  async readRecords(from: number, to: number): Promise<StoredRecords> {
    // One aggregate row for the whole range (stored-records.ts): octet_length counts bytes whatever the value's
    // type, as group_concat appends them, so the lengths cut the concatenation exactly where the values meet.
    // No ORDER BY inside the aggregates: SQLite would copy every row into a temporary B-tree to sort it (2.7
    // times the cost of the read), while the plan is a range SEARCH of the table B-tree, which visits rows in
    // ascending idx (its rowid). A test pins that plan (test/ledger/store/read-records.test.ts).
    const agg = this.read('get', SQLITE_RECORDS_SQL, from, to) as AggregateRecordsRow;
    const packed = recordsFromAggregate(from, agg);
    if (packed !== null) return packed;
    const rows = this.read(
      'all',
      'SELECT idx AS "index", bytes FROM gov_receipts WHERE idx >= ? AND idx < ? ORDER BY idx',
      from,
      to,
    ) as StoredRow[];
    return packStoredRows(rows, (index) => `${this.path} receipt index ${index}`);
  }

  async readRange(from: number, to: number): Promise<StoredEntry[]> {
    const rows = this.read(
      'all',
      `SELECT ${ENTRY_COLUMNS} FROM ${ENTRY_FROM} WHERE r.idx >= ? AND r.idx < ? ORDER BY r.idx`,
      from,
      to,
    ) as EntryRow[];
    return rows.map(toEntry);
  }

  async readLedger(ledger: string, fromSeq: number, limit: number): Promise<StoredEntry[]> {
    const no = this.findLedgerNo(ledger);
    if (no === null) return [];
    const rows = this.read(
      'all',
      `SELECT ${ENTRY_COLUMNS} FROM ${ENTRY_FROM} WHERE r.ledger_no = ? AND r.seq >= ? ORDER BY r.seq LIMIT ?`,
      no,
      fromSeq,
      limit,
    ) as EntryRow[];
    return rows.map(toEntry);
  }

  async query(q: ReceiptQuery): Promise<StoredEntry[]> {
    const { sql, params } = querySql(q, 'sqlite');
    return (this.read('all', sql, ...params) as EntryRow[]).map(toEntry);
  }

  async readTiles(ids: readonly { level: number; index: number }[]): Promise<(Uint8Array | null)[]> {
    return ids.map((id) => {
      const row = this.read(
        'get',
        'SELECT hashes FROM gov_tiles WHERE level = ? AND idx = ?',
        id.level,
        id.index,
      ) as { hashes: Buffer } | undefined;
      return row === undefined ? null : new Uint8Array(row.hashes);
    });
  }

  async saveCheckpoint(cp: StoredCheckpoint): Promise<void> {
    try {
      await this.writerThread().run([
        {
          what: `checkpoint of size ${cp.size}`,
          sql: 'INSERT INTO gov_checkpoints (size, ts, note) VALUES (?, ?, ?)',
          rows: [[cp.size, cp.tsMs, cp.note]],
        },
      ]);
    } catch (err) {
      throw this.driverError(err, `saving checkpoint of size ${cp.size}`);
    }
  }

  async latestCheckpoint(): Promise<StoredCheckpoint | null> {
    const row = this.read('get', 'SELECT size, ts, note FROM gov_checkpoints ORDER BY size DESC LIMIT 1') as
      { size: number; ts: number; note: string } | undefined;
    return row === undefined ? null : { size: row.size, tsMs: row.ts, note: row.note };
  }

  async readPrivate(index: number): Promise<StoredPrivate | null> {
    const row = this.read('get', 'SELECT salt, payload FROM gov_private WHERE idx = ?', index) as
      { salt: Buffer; payload: Buffer } | undefined;
    return row === undefined
      ? null
      : { index, salt: new Uint8Array(row.salt), payload: new Uint8Array(row.payload) };
  }

  async getRow(
    table: string,
    key: Readonly<Record<string, SqlValue>>,
  ): Promise<Record<string, SqlValue> | null> {
    const def = this.tables.get(table);
    const cols = def.primaryKey;
    const row = this.read(
      'get',
      `SELECT * FROM gov_x_${def.name} WHERE ${cols.map((c) => `${c} = ?`).join(' AND ')}`,
      ...cols.map((c) => key[c] ?? null),
    ) as Record<string, SqlValue> | undefined;
    if (row === undefined) return null;
    for (const [k, v] of Object.entries(row)) if (Buffer.isBuffer(v)) row[k] = new Uint8Array(v);
    return row;
  }

  async getRows(
    table: string,
    keys: readonly Readonly<Record<string, SqlValue>>[],
  ): Promise<(Record<string, SqlValue> | null)[]> {
    const def = this.tables.get(table);
    const cols = def.primaryKey;
    const out: (Record<string, SqlValue> | null)[] = [];
    // Chunks of up to GET_ROWS_CHUNK keys, each padded to a power of two by repeating its first key: a few
    // prepared statements serve every batch (not one per distinct count), and a small batch, the usual case
    // at a light load, looks up at most twice its keys rather than a full chunk's.
    for (let at = 0; at < keys.length; at += GET_ROWS_CHUNK) {
      const chunk = keys.slice(at, at + GET_ROWS_CHUNK);
      let size = 1;
      while (size < chunk.length) size *= 2;
      const params: unknown[] = [];
      for (let i = 0; i < size; i++) {
        const k = chunk[i] ?? (chunk[0] as Readonly<Record<string, SqlValue>>);
        for (const c of cols) params.push(k[c] ?? null);
      }
      const sql = this.getRowsSql(def, size);
      const rows = this.read('all', sql, ...params) as Record<string, SqlValue>[];
      const byKey = new Map<string, Record<string, SqlValue>>();
      for (const row of rows) {
        for (const [k, v] of Object.entries(row)) if (Buffer.isBuffer(v)) row[k] = new Uint8Array(v);
        byKey.set(this.tables.keyOf(table, row), row);
      }
      for (const k of chunk) {
        const row = byKey.get(this.tables.keyOf(table, k));
        out.push(row === undefined ? null : { ...row });
      }
    }
    return out;
  }

  /** The SQL of a getRows chunk of `size` keys, made once per table and size. */
  private getRowsSql(def: TableDef, size: number): string {
    return this.statement(`${def.name}\0get\0${size}`, () => {
      const cols = def.primaryKey;
      const tuple = `(${cols.map(() => '?').join(', ')})`;
      return (
        `SELECT * FROM gov_x_${def.name} WHERE (${cols.join(', ')}) IN ` +
        `(VALUES ${Array.from({ length: size }, () => tuple).join(', ')})`
      );
    });
  }

  async scanRows(table: string, q: RowScan): Promise<Record<string, SqlValue>[]> {
    const def = this.tables.checkScan(table, q);
    const { sql, params } = scanRowsSql(def, q, 'sqlite');
    const rows = this.read('all', sql, ...params) as Record<string, SqlValue>[];
    for (const row of rows)
      for (const [k, v] of Object.entries(row)) if (Buffer.isBuffer(v)) row[k] = new Uint8Array(v);
    return rows;
  }

  async close(): Promise<void> {
    const writer = this.writer;
    this.writer = null;
    this.db?.close();
    this.db = null;
    this.statements.clear();
    await writer?.close();
  }

  // ---- internals ----

  private readonly statements = new Map<string, Database.Statement>();

  /**
   * Runs a read; a damaged file (SQLITE_CORRUPT, SQLITE_NOTADB) becomes GOV_STORE_CORRUPT naming the file, any
   * other driver error GOV_STORE_FAILED, never a raw SqliteError.
   */
  private read(mode: 'get' | 'all', sql: string, ...params: unknown[]): unknown {
    try {
      const s = this.stmt(sql);
      return mode === 'get' ? s.get(...params) : s.all(...params);
    } catch (err) {
      throw this.driverError(err, `reading (${sql.slice(0, 60)}…)`);
    }
  }

  private driverError(err: unknown, doing: string): GovernessError {
    if (err instanceof GovernessError) return err;
    const message = err instanceof Error ? err.message : String(err);
    if (isCorruption(err)) {
      return new GovernessError(
        LedgerErrors.storeCorrupt,
        { where: this.path, problem: `${doing}: ${message}` },
        { cause: err },
      );
    }
    return this.failed(`${doing}: ${message}`, err);
  }

  private stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (s === undefined) this.statements.set(sql, (s = this.handle().prepare(sql)));
    return s;
  }

  private handle(): Database.Database {
    if (this.db === null) throw this.failed('not open');
    return this.db;
  }

  private findLedgerNo(ledger: string): number | null {
    const cached = this.ledgerNos.get(ledger);
    if (cached !== undefined) return cached;
    const row = this.read('get', 'SELECT ledger_no FROM gov_ledgers WHERE ledger = ?', ledger) as
      { ledger_no: number } | undefined;
    if (row === undefined) return null;
    this.ledgerNos.set(ledger, row.ledger_no);
    return row.ledger_no;
  }

  private ledgerNo(ledger: string): number {
    const no = this.findLedgerNo(ledger);
    if (no === null)
      throw this.failed(`ledger ${ledger} is not registered (the batch did not declare it new)`);
    return no;
  }

  private writerThread(): SqliteWriter {
    if (this.readonly) throw this.failed('opened read-only');
    if (this.writer === null) throw this.failed('not open');
    return this.writer;
  }

  /** Starts the writer thread: it creates the tables when missing and seeds the meta and log-state rows. */
  private async startWriter(): Promise<void> {
    const ddl = [
      ledgerDdl('sqlite'),
      ...this.tables
        .all()
        .flatMap((def) => [sideTableDdl(def, 'sqlite'), ...sideIndexDdl(def)].map((d) => `${d};`)),
      `INSERT OR IGNORE INTO gov_meta (key, value) VALUES ('schema_version', '${STORAGE_SCHEMA_VERSION}');`,
      "INSERT OR IGNORE INTO gov_log_state (id, size, frontier, last_ts) VALUES (1, 0, x'', 0);",
    ].join('\n');
    this.writer = await SqliteWriter.start(this.path, PRAGMAS, ddl);
  }

  /**
   * The checks of a segment's expectations: a SELECT each in the writer's transaction, before the segment's
   * writes. SQLite has one writer (BEGIN IMMEDIATE), so nothing can change a row between its check and its
   * write; a SELECT also tells what was found, which a conditional UPDATE's change count cannot.
   */
  private checkStep(segment: readonly SegmentItem[]): { step: CheckStep; writes: RowWrite[] } | null {
    const checks: string[] = [];
    const which: number[] = [];
    const expect: SqlValue[] = [];
    const rows: SqlValue[][] = [];
    const writes: RowWrite[] = [];
    for (const { w, def, key } of segment) {
      if (w.expect === undefined) continue;
      const sql = this.checkSql(def, w.expect.column);
      let at = checks.indexOf(sql);
      if (at < 0) at = checks.push(sql) - 1;
      which.push(at);
      expect.push(w.expect.value);
      rows.push(def.primaryKey.map((c) => key[c] ?? null));
      writes.push(w);
    }
    if (writes.length === 0) return null;
    return { step: { what: 'side-table expectations', checks, which, expect, rows }, writes };
  }

  /** The SELECT that checks `column` of a row of `def` by primary key, made once (a check runs per step). */
  private checkSql(def: TableDef, column: string): string {
    let byColumn = this.checkSqls.get(def);
    if (byColumn === undefined) this.checkSqls.set(def, (byColumn = new Map()));
    let sql = byColumn.get(column);
    if (sql === undefined) {
      sql = `SELECT ${column} FROM gov_x_${def.name} WHERE ${def.primaryKey.map((c) => `${c} = ?`).join(' AND ')}`;
      byColumn.set(column, sql);
    }
    return sql;
  }

  /** What decides a write's statement: table, operation and, for an upsert, the columns it names. */
  private shapeOf(w: RowWrite): string {
    return w.op === 'upsert' ? `${w.table}\0upsert\0${Object.keys(w.row).join(',')}` : `${w.table}\0${w.op}`;
  }

  /** One statement for writes of one shape, run once per row. */
  private rowsStep(group: readonly SegmentItem[]): WriteStep {
    const first = (group[0] as SegmentItem).w;
    const def = this.tables.get(first.table);
    if (first.op === 'upsert') {
      const cols = Object.keys(first.row);
      return {
        what: `upsert into ${first.table}`,
        sql: this.statement(this.shapeOf(first), () => {
          const updates = cols.filter((c) => !def.primaryKey.includes(c));
          return (
            `INSERT INTO gov_x_${def.name} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')}) ` +
            `ON CONFLICT (${def.primaryKey.join(', ')}) DO ` +
            (updates.length === 0
              ? 'NOTHING'
              : `UPDATE SET ${updates.map((c) => `${c} = excluded.${c}`).join(', ')}`)
          );
        }),
        rows: group.map(({ w }) => cols.map((c) => (w.op === 'upsert' ? w.row[c] : null) ?? null)),
      };
    }
    const cols = def.primaryKey;
    return {
      what: `delete from ${first.table}`,
      sql: this.statement(
        this.shapeOf(first),
        () => `DELETE FROM gov_x_${def.name} WHERE ${cols.map((c) => `${c} = ?`).join(' AND ')}`,
      ),
      rows: group.map((x) => cols.map((c) => x.key[c] ?? null)),
    };
  }

  /** The SQL of a statement shape, made once. */
  private statement(shape: string, make: () => string): string {
    let sql = this.writeSql.get(shape);
    if (sql === undefined) {
      sql = make();
      this.writeSql.set(shape, sql);
    }
    return sql;
  }

  private failed(problem: string, cause?: unknown): GovernessError {
    return new GovernessError(LedgerErrors.storeFailed, { store: `sqlite ${this.path}`, problem }, { cause });
  }
}

/** The receipts of a batch as columns, in gov_receipts' column order. */
function receiptColumns(
  entries: readonly StoredEntry[],
  ledgerNo: (ledger: string) => number,
): { count: number; columns: WriteColumn[] } {
  const c = entryColumns(entries);
  return {
    count: entries.length,
    columns: [
      { numbers: c.index },
      { numbers: Float64Array.from(c.ledger, ledgerNo) },
      { numbers: c.seq },
      { numbers: c.tsMs },
      { strings: c.receiptId },
      { strings: c.status },
      { strings: c.reasonCode },
      { strings: c.idempotencyKey },
      c.bytes,
    ],
  };
}

/** SQLite's result codes for a damaged file (sqlite.org/rescode.html#corrupt, #notadb). */
function isCorruption(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^SQLITE_(CORRUPT|NOTADB)/.test(code);
}

function toEntry(r: EntryRow): StoredEntry {
  return {
    index: r.idx,
    ledger: r.ledger,
    seq: r.seq,
    tsMs: r.ts,
    receiptId: r.rid,
    status: checkStatus(r.status, r.idx),
    reasonCode: r.reason,
    idempotencyKey: r.idem,
    bytes: new Uint8Array(r.bytes.buffer, r.bytes.byteOffset, r.bytes.byteLength),
  };
}
