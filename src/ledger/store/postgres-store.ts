// The production store: PostgreSQL through `pg`. Batches are committed by the writer thread (pg-writer.ts,
// pg-batch-writer.ts) on a connection with synchronous_commit = on, so COMMIT returns only after the WAL is
// flushed (with `off`, success can be reported up to 3 x wal_writer_delay before the commit is durable). Reads
// go through a pool of their own; this thread's own connection creates the schema and saves checkpoints.
// Tables live in their own schema (default `governess`), so tests can use a throwaway schema each.
import pg from 'pg';
import { GovernessError, LedgerErrors } from '../../errors/index.js';
import { fromPgRow, toParam } from './pg-side-rows.js';
import { PgWriterConnection } from './pg-writer.js';
import { SideTables } from './side-tables.js';
import {
  packStoredRows,
  recordsFromAggregate,
  type AggregateRecordsRow,
  type StoredRow,
} from './stored-records.js';
import {
  ENTRY_COLUMNS,
  ENTRY_FROM,
  STORAGE_SCHEMA_VERSION,
  checkStatus,
  ledgerDdl,
  querySql,
  scanRowsSql,
  sideIndexDdl,
  sideTableDdl,
} from './sql-schema.js';
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

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

function ddl(schema: string): string {
  return `CREATE SCHEMA IF NOT EXISTS ${schema};\nSET search_path TO ${schema};\n${ledgerDdl('postgres')}`;
}

interface EntryRow {
  idx: string;
  ledger: string;
  seq: string;
  ts: string;
  rid: string;
  status: string;
  reason: string;
  idem: string | null;
  bytes: Buffer;
}

/** Options for PostgresStore. */
export interface PostgresStoreOptions {
  /** libpq-style connection string (default `postgres://postgres@127.0.0.1:5432/test`, or $DATABASE_URL). */
  readonly connectionString?: string;
  /** Schema holding the tables (default `governess`). */
  readonly schema?: string;
  /** Connections for reads (default 4); the writer has its own. */
  readonly readers?: number;
  /**
   * How long a new connection may take (default 10,000 ms). Past it the open, read or commit that needed it fails
   * with GOV_STORE_FAILED instead of waiting as long as the operating system keeps trying (minutes, when the
   * server's packets are dropped rather than refused).
   */
  readonly connectTimeoutMs?: number;
}

/** A LedgerStore in PostgreSQL. */
export class PostgresStore implements LedgerStore {
  readonly kind = 'postgres';
  /** Schema holding the tables. */
  readonly schema: string;
  private readonly connectionString: string;
  private pool: pg.Pool | null = null;
  private readonly readers: number;
  private readonly connectTimeoutMs: number;
  private readonly tables = new SideTables();
  /** The writer connection commits run on, in the writer thread (pg-writer.ts). */
  private committer: PgWriterConnection | null = null;

  constructor(options: PostgresStoreOptions = {}) {
    this.connectionString =
      options.connectionString ?? process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
    this.schema = options.schema ?? 'governess';
    this.readers = options.readers ?? 4;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    if (!SCHEMA_NAME.test(this.schema))
      throw this.failed(`schema name ${this.schema} must match [a-z_][a-z0-9_]*`);
    for (const [name, v] of [
      ['readers', this.readers],
      ['connectTimeoutMs', this.connectTimeoutMs],
    ] as const) {
      if (!Number.isSafeInteger(v) || v < 1) throw this.failed(`option ${name} must be a positive integer`);
    }
  }

  checkRows(rows: readonly RowWrite[]): void {
    this.tables.checkAll(rows);
  }

  defineTable(def: TableDef): void {
    if (this.pool !== null) throw this.failed('defineTable must be called before open');
    this.tables.define(def);
  }

  async open(): Promise<StoredLogState> {
    // A second open (the sequencer re-reading its state after a failed batch) releases the first's connections,
    // but its read pool goes on serving reads until the new one is ready: a failed batch must not fail the reads
    // made meanwhile (an activation, a reply-row lookup).
    const previous = { pool: this.pool, committer: this.committer };
    this.committer = null;
    const searchPath = `-c search_path=${this.schema} -c synchronous_commit=on`;
    let pool: pg.Pool | null = null;
    // The schema is made and read on a connection of its own, ended when open returns.
    const setup = this.client('setup', searchPath);
    try {
      await setup.connect();
      // Two stores opening the same schema at once would race on CREATE ... IF NOT EXISTS: serialise them.
      await setup.query('SELECT pg_advisory_lock(hashtext($1))', [`governess-ddl:${this.schema}`]);
      try {
        await setup.query(ddl(this.schema));
        for (const def of this.tables.all())
          for (const d of [sideTableDdl(def, 'postgres'), ...sideIndexDdl(def)]) await setup.query(d);
        const v = await setup.query<{ value: string }>('SELECT value FROM gov_meta WHERE key = $1', [
          'schema_version',
        ]);
        if (v.rows.length === 0) {
          await setup.query('INSERT INTO gov_meta (key, value) VALUES ($1, $2)', [
            'schema_version',
            STORAGE_SCHEMA_VERSION,
          ]);
        } else if (v.rows[0]?.value !== STORAGE_SCHEMA_VERSION) {
          throw new GovernessError(LedgerErrors.storeCorrupt, {
            where: `postgres schema ${this.schema}`,
            problem: `storage schema version ${v.rows[0]?.value}, this build reads ${STORAGE_SCHEMA_VERSION}`,
          });
        }
      } finally {
        await setup.query('SELECT pg_advisory_unlock(hashtext($1))', [`governess-ddl:${this.schema}`]);
      }
      pool = new pg.Pool({
        connectionString: this.connectionString,
        options: searchPath,
        max: this.readers,
        application_name: this.applicationName('reader'),
        connectionTimeoutMillis: this.connectTimeoutMs,
      });
      // PostgreSQL may end an idle connection (a restart, an administrator, a timeout, the network): the pool
      // drops that client itself and the next query opens another. Without a listener the 'error' event would
      // end the process, and every governor with it.
      pool.on('error', () => undefined);
      // The log state row always exists, so a commit's optimistic UPDATE has a row to check.
      await setup.query(
        "INSERT INTO gov_log_state (id, size, frontier, last_ts) VALUES (1, 0, ''::bytea, 0) ON CONFLICT (id) DO NOTHING",
      );
      const maxNo = await setup.query<{ n: string }>(
        'SELECT COALESCE(MAX(ledger_no), 0) AS n FROM gov_ledgers',
      );
      const nextLedgerNo = Number(maxNo.rows[0]?.n ?? 0) + 1;
      const st = await setup.query<{ size: string; frontier: Buffer; last_ts: string }>(
        'SELECT size, frontier, last_ts FROM gov_log_state WHERE id = 1',
      );
      const n = await setup.query<{ n: string }>('SELECT COALESCE(MAX(idx) + 1, 0) AS n FROM gov_receipts');
      const row = st.rows[0];
      const state: StoredLogState =
        row === undefined
          ? { size: 0, frontier: new Uint8Array(0), lastTsMs: 0 }
          : { size: Number(row.size), frontier: new Uint8Array(row.frontier), lastTsMs: Number(row.last_ts) };
      if (state.size !== Number(n.rows[0]?.n ?? 0)) {
        throw new GovernessError(LedgerErrors.storeCorrupt, {
          where: `postgres schema ${this.schema} gov_log_state`,
          problem: `log state says ${state.size} receipts, gov_receipts holds ${n.rows[0]?.n}`,
        });
      }
      this.committer = await PgWriterConnection.open({
        connectionString: this.connectionString,
        options: searchPath,
        tables: this.tables.all(),
        size: state.size,
        nextLedgerNo,
        store: `postgres ${this.schema}`,
        connectTimeoutMs: this.connectTimeoutMs,
      });
      this.pool = pool;
      // Not awaited: a connection that went silent (the network lost its packets) would hold its pool's end, and
      // so this open and every commit waiting for it, for as long as TCP keeps retrying.
      void closeConnections(previous);
      return state;
    } catch (err) {
      await pool?.end().catch(() => undefined);
      // A failed second open (the server unreachable, say) keeps the first's read pool (still `this.pool`), which
      // reconnects by itself once the server answers: closing it would fail every read from then on, and a host
      // whose commands begin with a read would never append again, so never make the ledger open the store again.
      void closeConnections({ pool: null, committer: previous.committer });
      if (err instanceof GovernessError) throw err;
      throw this.failed(`open: ${err instanceof Error ? err.message : String(err)}`, err);
    } finally {
      await setup.end().catch(() => undefined);
    }
  }

  commit(batch: CommitBatch): Promise<void> {
    if (this.committer === null) return Promise.reject(this.failed('not open'));
    return this.committer.commit(batch);
  }

  async lastOfLedger(ledger: string): Promise<StoredEntry | null> {
    const rows = await this.read(
      `SELECT ${ENTRY_COLUMNS} FROM ${ENTRY_FROM} WHERE l.ledger = $1 ORDER BY r.seq DESC LIMIT 1`,
      [ledger],
    );
    return rows[0] ?? null;
  }

  async findByIdempotencyKey(ledger: string, key: string): Promise<StoredEntry | null> {
    const rows = await this.read(
      `SELECT ${ENTRY_COLUMNS} FROM ${ENTRY_FROM} WHERE l.ledger = $1 AND r.idem = $2`,
      [ledger, key],
    );
    return rows[0] ?? null;
  }

  async findByReceiptId(receiptId: string): Promise<StoredEntry | null> {
    const rows = await this.read(`SELECT ${ENTRY_COLUMNS} FROM ${ENTRY_FROM} WHERE r.rid = $1`, [receiptId]);
    return rows[0] ?? null;
  }

  async readRecords(from: number, to: number): Promise<StoredRecords> {
    // One aggregate row for the whole range (stored-records.ts); a range it does not describe exactly is read
    // again row by row.
    const agg = await this.run<AggregateRecordsRow>(
      `SELECT count(*)::int AS n, min(idx)::float8 AS lo, max(idx)::float8 AS hi,
         string_agg(length(bytes)::text, ',' ORDER BY idx) AS lengths,
         string_agg(bytes, ''::bytea ORDER BY idx) AS bytes
       FROM gov_receipts WHERE idx >= $1 AND idx < $2`,
      [from, to],
    );
    const packed = recordsFromAggregate(from, agg.rows[0]!);
    if (packed !== null) return packed;
    // bigint comes back as text: read as float8 (indexes stay below 2^53).
    const res = await this.run<StoredRow>(
      'SELECT idx::float8 AS "index", bytes FROM gov_receipts WHERE idx >= $1 AND idx < $2 ORDER BY idx',
      [from, to],
    );
    return packStoredRows(res.rows, (index) => `postgres schema ${this.schema} receipt index ${index}`);
  }

  async readRange(from: number, to: number): Promise<StoredEntry[]> {
    return this.read(
      `SELECT ${ENTRY_COLUMNS} FROM ${ENTRY_FROM} WHERE r.idx >= $1 AND r.idx < $2 ORDER BY r.idx`,
      [from, to],
    );
  }

  async readLedger(ledger: string, fromSeq: number, limit: number): Promise<StoredEntry[]> {
    return this.read(
      `SELECT ${ENTRY_COLUMNS} FROM ${ENTRY_FROM} WHERE l.ledger = $1 AND r.seq >= $2 ORDER BY r.seq LIMIT $3`,
      [ledger, fromSeq, limit],
    );
  }

  async query(q: ReceiptQuery): Promise<StoredEntry[]> {
    const { sql, params } = querySql(q, 'postgres');
    return this.read(sql, params);
  }

  async readTiles(ids: readonly { level: number; index: number }[]): Promise<(Uint8Array | null)[]> {
    if (ids.length === 0) return [];
    const res = await this.run<{ level: number; idx: string; hashes: Buffer }>(
      `SELECT t.level, t.idx, t.hashes FROM gov_tiles t
       JOIN unnest($1::int[], $2::bigint[]) AS w(level, idx) ON t.level = w.level AND t.idx = w.idx`,
      [ids.map((i) => i.level), ids.map((i) => i.index)],
    );
    const found = new Map(res.rows.map((r) => [`${r.level}/${r.idx}`, new Uint8Array(r.hashes)]));
    return ids.map((i) => found.get(`${i.level}/${i.index}`) ?? null);
  }

  async saveCheckpoint(cp: StoredCheckpoint): Promise<void> {
    try {
      await this.run('INSERT INTO gov_checkpoints (size, ts, note) VALUES ($1, $2, $3)', [
        cp.size,
        cp.tsMs,
        cp.note,
      ]);
    } catch (err) {
      throw this.failed(`saving checkpoint of size ${cp.size}: ${String(err)}`, err);
    }
  }

  async latestCheckpoint(): Promise<StoredCheckpoint | null> {
    const res = await this.run<{ size: string; ts: string; note: string }>(
      'SELECT size, ts, note FROM gov_checkpoints ORDER BY size DESC LIMIT 1',
    );
    const r = res.rows[0];
    return r === undefined ? null : { size: Number(r.size), tsMs: Number(r.ts), note: r.note };
  }

  async readPrivate(index: number): Promise<StoredPrivate | null> {
    const res = await this.run<{ salt: Buffer; payload: Buffer }>(
      'SELECT salt, payload FROM gov_private WHERE idx = $1',
      [index],
    );
    const r = res.rows[0];
    return r === undefined
      ? null
      : { index, salt: new Uint8Array(r.salt), payload: new Uint8Array(r.payload) };
  }

  async getRows(
    table: string,
    keys: readonly Readonly<Record<string, SqlValue>>[],
  ): Promise<(Record<string, SqlValue> | null)[]> {
    if (keys.length === 0) return [];
    const def = this.tables.get(table);
    const cols = def.primaryKey;
    const types = cols.map((c) => PG_ARRAY_TYPES[def.columns[c] as keyof typeof PG_ARRAY_TYPES]);
    // One round trip for the lot: the keys go as one array per key column, joined back by unnest.
    const res = await this.run<Record<string, unknown>>({
      name: `gov_rows_${def.name}`,
      text:
        `SELECT t.* FROM gov_x_${def.name} t JOIN unnest(${cols.map((_, i) => `$${i + 1}::${types[i]}[]`).join(', ')}) ` +
        `AS k(${cols.join(', ')}) USING (${cols.join(', ')})`,
      values: cols.map((c) => keys.map((k) => toParam(k[c] ?? null))),
    });
    const byKey = new Map<string, Record<string, SqlValue>>();
    for (const r of res.rows) {
      const row = fromPgRow(def, r);
      byKey.set(this.tables.keyOf(table, row), row);
    }
    return keys.map((k) => {
      const row = byKey.get(this.tables.keyOf(table, k));
      return row === undefined ? null : { ...row };
    });
  }

  async getRow(
    table: string,
    key: Readonly<Record<string, SqlValue>>,
  ): Promise<Record<string, SqlValue> | null> {
    const def = this.tables.get(table);
    const cols = def.primaryKey;
    const res = await this.run<Record<string, unknown>>(
      `SELECT * FROM gov_x_${def.name} WHERE ${cols.map((c, i) => `${c} = $${i + 1}`).join(' AND ')}`,
      cols.map((c) => toParam(key[c] ?? null)),
    );
    const r = res.rows[0];
    return r === undefined ? null : fromPgRow(def, r);
  }

  async scanRows(table: string, q: RowScan): Promise<Record<string, SqlValue>[]> {
    const def = this.tables.checkScan(table, q);
    const { sql, params } = scanRowsSql(def, q, 'postgres');
    const res = await this.run<Record<string, unknown>>(sql, params.map(toParam));
    return res.rows.map((r) => fromPgRow(def, r));
  }

  async close(): Promise<void> {
    const open = { pool: this.pool, committer: this.committer };
    this.pool = null;
    this.committer = null;
    await closeConnections(open);
  }

  /** Drops the store's schema and everything in it (tests and `governess` tooling only). */
  async dropSchema(): Promise<void> {
    const c = new pg.Client({ connectionString: this.connectionString });
    await c.connect();
    try {
      await c.query(`DROP SCHEMA IF EXISTS ${this.schema} CASCADE`);
    } finally {
      await c.end();
    }
  }

  // ---- internals ----

  private async read(sql: string, params: SqlValue[]): Promise<StoredEntry[]> {
    const res = await this.run<EntryRow>(sql, params.map(toParam));
    return res.rows.map(toEntry);
  }

  /** A connection of this store, named in pg_stat_activity; an 'error' on it fails its queries, not the process. */
  private client(role: string, options: string): pg.Client {
    const c = new pg.Client({
      connectionString: this.connectionString,
      options,
      application_name: this.applicationName(role),
      connectionTimeoutMillis: this.connectTimeoutMs,
    });
    c.on('error', () => undefined);
    return c;
  }

  /** `governess <role> postgres <schema>`, cut to PostgreSQL's 63 bytes. */
  private applicationName(role: string): string {
    return `governess ${role} postgres ${this.schema}`.slice(0, 63);
  }

  /**
   * A statement on the read pool. A driver failure (the server shutting down or unreachable, a connection ended)
   * becomes GOV_STORE_FAILED naming the store, like every other store failure, not a raw `pg` error.
   */
  private async run<R extends pg.QueryResultRow>(
    config: string | pg.QueryConfig<unknown[]>,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>> {
    const pool = this.readPool();
    try {
      return await pool.query<R>(config, values);
    } catch (err) {
      throw this.failed(`query failed: ${err instanceof Error ? err.message : String(err)}`, err);
    }
  }

  private readPool(): pg.Pool {
    if (this.pool === null) throw this.failed('not open');
    return this.pool;
  }

  private failed(problem: string, cause?: unknown): GovernessError {
    return new GovernessError(
      LedgerErrors.storeFailed,
      { store: `postgres ${this.schema}`, problem },
      { cause },
    );
  }
}

/** The array type of a side-table column type, for unnest parameters. */
const PG_ARRAY_TYPES = { text: 'text', integer: 'bigint', blob: 'bytea' } as const;

function toEntry(r: EntryRow): StoredEntry {
  const index = Number(r.idx);
  return {
    index,
    ledger: r.ledger,
    seq: Number(r.seq),
    tsMs: Number(r.ts),
    receiptId: r.rid,
    status: checkStatus(r.status, index),
    reasonCode: r.reason,
    idempotencyKey: r.idem,
    bytes: new Uint8Array(r.bytes.buffer, r.bytes.byteOffset, r.bytes.byteLength),
  };
}

/** Ends a store's connections, ignoring failures (they are being let go). */
async function closeConnections(c: {
  readonly pool: pg.Pool | null;
  readonly committer: PgWriterConnection | null;
}): Promise<void> {
  await c.committer?.close().catch(() => undefined);
  await c.pool?.end().catch(() => undefined);
}
