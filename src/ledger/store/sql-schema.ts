// The table layout shared by the SQL stores (docs/ledger/storage.md, "Tables"), written once and rendered per
// dialect, plus the batch and row rules every store applies the same way.
import { GovernessError, LedgerErrors } from '../../errors/index.js';
import type { ReceiptQuery, RowScan, SqlValue, TableDef } from './types.js';

/** Version of the table layout; a database with another version is refused, never guessed at. */
export const STORAGE_SCHEMA_VERSION = '1';

/** The SQL dialects the stores speak. */
export type Dialect = 'sqlite' | 'postgres';

const TYPES: Record<Dialect, Record<'int' | 'bigint' | 'serial' | 'blob', string>> = {
  sqlite: { int: 'INTEGER', bigint: 'INTEGER', serial: 'INTEGER', blob: 'BLOB' },
  postgres: { int: 'INTEGER', bigint: 'BIGINT', serial: 'BIGSERIAL', blob: 'BYTEA' },
};

/** CREATE statements of the ledger tables (idempotent). */
export function ledgerDdl(dialect: Dialect): string {
  const t = TYPES[dialect];
  // SQLite stores the tile table clustered on its key; PostgreSQL has no WITHOUT ROWID.
  const clustered = dialect === 'sqlite' ? ' WITHOUT ROWID' : '';
  return `
CREATE TABLE IF NOT EXISTS gov_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS gov_log_state (id INTEGER PRIMARY KEY CHECK (id = 1), size ${t.bigint} NOT NULL,
  frontier ${t.blob} NOT NULL, last_ts ${t.bigint} NOT NULL);
CREATE TABLE IF NOT EXISTS gov_ledgers (ledger_no ${t.serial} PRIMARY KEY, ledger TEXT NOT NULL UNIQUE,
  governor TEXT NOT NULL, sku TEXT NOT NULL, tenant TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS gov_ledgers_tenant ON gov_ledgers (tenant);
CREATE INDEX IF NOT EXISTS gov_ledgers_sku ON gov_ledgers (sku);
CREATE TABLE IF NOT EXISTS gov_receipts (idx ${t.bigint} PRIMARY KEY, ledger_no ${t.bigint} NOT NULL,
  seq ${t.bigint} NOT NULL, ts ${t.bigint} NOT NULL, rid TEXT NOT NULL, status TEXT NOT NULL, reason TEXT NOT NULL,
  idem TEXT, bytes ${t.blob} NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS gov_receipts_ledger ON gov_receipts (ledger_no, seq);
CREATE UNIQUE INDEX IF NOT EXISTS gov_receipts_rid ON gov_receipts (rid);
CREATE UNIQUE INDEX IF NOT EXISTS gov_receipts_idem ON gov_receipts (ledger_no, idem) WHERE idem IS NOT NULL;
CREATE TABLE IF NOT EXISTS gov_tiles (level INTEGER NOT NULL, idx ${t.bigint} NOT NULL, hashes ${t.blob} NOT NULL,
  PRIMARY KEY (level, idx))${clustered};
CREATE TABLE IF NOT EXISTS gov_checkpoints (size ${t.bigint} PRIMARY KEY, ts ${t.bigint} NOT NULL, note TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS gov_private (idx ${t.bigint} PRIMARY KEY, salt ${t.blob} NOT NULL, payload ${t.blob} NOT NULL);
`;
}

/** CREATE statement of a registered side table (`gov_x_<name>`). */
export function sideTableDdl(def: TableDef, dialect: Dialect): string {
  const t = TYPES[dialect];
  const types = { text: 'TEXT', integer: t.bigint, blob: t.blob } as const;
  const cols = Object.entries(def.columns).map(([c, type]) => `${c} ${types[type]}`);
  return `CREATE TABLE IF NOT EXISTS gov_x_${def.name} (${cols.join(', ')}, PRIMARY KEY (${def.primaryKey.join(', ')}))`;
}

/** CREATE INDEX statements of a side table's indexes (`gov_x_<index>`, partial when `whereNotNull`); same SQL in both dialects. */
export function sideIndexDdl(def: TableDef): string[] {
  return (def.indexes ?? []).map(
    (ix) =>
      `CREATE INDEX IF NOT EXISTS gov_x_${ix.name} ON gov_x_${def.name} (${ix.columns.join(', ')})` +
      (ix.whereNotNull === undefined ? '' : ` WHERE ${ix.whereNotNull} IS NOT NULL`),
  );
}

/**
 * The SELECT of `scanRows` (validated by SideTables.checkScan). `column <= upTo` implies `column IS NOT NULL`, so
 * both planners may use a partial index on it; the cursor is a row-value comparison, which both turn into the
 * lower bound of the same index range.
 */
export function scanRowsSql(
  def: TableDef,
  q: RowScan,
  dialect: Dialect,
): { sql: string; params: SqlValue[] } {
  const pk = def.primaryKey[0] as string;
  const params: SqlValue[] = [];
  const mark = (v: SqlValue): string => {
    params.push(v);
    return dialect === 'sqlite' ? '?' : `$${params.length}`;
  };
  let where = `${q.column} <= ${mark(q.upTo)}`;
  if (q.after !== undefined)
    where += ` AND (${q.column}, ${pk}) > (${mark(q.after[0])}, ${mark(q.after[1])})`;
  return {
    sql: `SELECT * FROM gov_x_${def.name} WHERE ${where} ORDER BY ${q.column}, ${pk} LIMIT ${mark(q.limit)}`,
    params,
  };
}

/** The columns of a StoredEntry, selected from ENTRY_FROM. */
export const ENTRY_COLUMNS = 'r.idx, l.ledger, r.seq, r.ts, r.rid, r.status, r.reason, r.idem, r.bytes';

/** Receipts joined with their ledger ids. */
export const ENTRY_FROM = 'gov_receipts r JOIN gov_ledgers l ON l.ledger_no = r.ledger_no';

/**
 * A batch must continue the log exactly: its entries' indexes (`indexes`, in batch order) run gapless from the
 * store's size, and the size it declares is where they end.
 */
export function checkContinuity(
  size: number,
  indexes: ArrayLike<number>,
  declared: number,
  store: string,
): void {
  // The first entry must go where the log is: otherwise another writer appended, or this batch was built on
  // an earlier one that failed (a pipelined store), and the batch is refused as a whole.
  if (indexes.length > 0 && indexes[0] !== size) {
    throw new GovernessError(LedgerErrors.logMoved, { store, size: indexes[0] as number });
  }
  let expected = size;
  for (let i = 0; i < indexes.length; i++) {
    const index = indexes[i] as number;
    if (index !== expected) {
      throw new GovernessError(LedgerErrors.storeFailed, {
        store,
        problem: `batch entry has index ${index}, expected ${expected} (is another writer appending?)`,
      });
    }
    expected++;
  }
  if (declared !== expected) {
    throw new GovernessError(LedgerErrors.storeFailed, {
      store,
      problem: `batch declares log size ${declared}, its entries end at ${expected}`,
    });
  }
}

/** A stored status column that is neither value means the data was altered or damaged. */
export function checkStatus(status: string, index: number): 'accept' | 'refuse' {
  if (status === 'accept' || status === 'refuse') return status;
  throw new GovernessError(LedgerErrors.storeCorrupt, {
    where: `receipt index ${index}`,
    problem: `status column holds ${JSON.stringify(status)}`,
  });
}

/**
 * The SELECT for a query, rendered with the dialect's placeholders (`?` or `$n`); the filters mean exactly what
 * matchesQuery (query.ts) means for the memory store.
 */
export function querySql(q: ReceiptQuery, dialect: Dialect): { sql: string; params: SqlValue[] } {
  const filters: [string, SqlValue | undefined][] = [
    ['l.ledger =', q.ledger],
    ['l.tenant =', q.tenant],
    ['l.sku =', q.sku],
    ['l.governor =', q.governor],
    ['r.status =', q.status],
    ['r.reason =', q.reasonCode],
    ['r.ts >=', q.fromMs],
    ['r.ts <', q.toMs],
    ['r.idx >', q.afterIndex],
  ];
  const params: SqlValue[] = [];
  const mark = (): string => (dialect === 'sqlite' ? '?' : `$${params.length}`);
  const where: string[] = [];
  for (const [clause, v] of filters) {
    if (v === undefined) continue;
    params.push(v);
    where.push(`${clause} ${mark()}`);
  }
  params.push(q.limit);
  const filter = where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '';
  return {
    sql: `SELECT ${ENTRY_COLUMNS} FROM ${ENTRY_FROM}${filter} ORDER BY r.idx LIMIT ${mark()}`,
    params,
  };
}
