// Side tables let a higher layer (durable snapshots, timers, outbox) write rows in the same transaction as the
// receipts that justify them, so no state change can exist without its receipt. Writes are data, not SQL, so
// every store (and a store running in a worker thread) applies them the same way; this module validates them.
import { GovernessError, LedgerErrors } from '../../errors/index.js';
import type { RowExpect, RowScan, RowWrite, SqlValue, TableDef } from './types.js';

const NAME = /^[a-z][a-z0-9_]{0,47}$/;

/** The registered side tables of one store, with validation of every write against its definition. */
export class SideTables {
  private readonly defs = new Map<string, TableDef>();
  private readonly indexNames = new Set<string>();

  /** Registers a table; names and columns must be simple identifiers and the key must name columns. */
  define(def: TableDef): void {
    const where = `table ${def.name}`;
    if (!NAME.test(def.name)) throw bad(where, 'name must match [a-z][a-z0-9_]*');
    const known = this.defs.get(def.name);
    // The same definition again is a no-op, so a store can be reopened by a layer that registers its tables.
    if (known !== undefined && JSON.stringify(known) === JSON.stringify(def)) return;
    if (known !== undefined) throw bad(where, 'already defined differently');
    const cols = Object.keys(def.columns);
    if (cols.length === 0) throw bad(where, 'has no columns');
    for (const c of cols) if (!NAME.test(c)) throw bad(where, `column ${c} must match [a-z][a-z0-9_]*`);
    if (def.primaryKey.length === 0) throw bad(where, 'has no primary key');
    for (const k of def.primaryKey)
      if (!(k in def.columns)) throw bad(where, `key column ${k} is not a column`);
    const names = new Set<string>();
    for (const ix of def.indexes ?? []) {
      const at = `${where} index ${ix.name}`;
      if (!NAME.test(ix.name)) throw bad(at, 'name must match [a-z][a-z0-9_]*');
      // Index names share one namespace per database (SQLite) or schema (PostgreSQL).
      if (
        this.indexNames.has(ix.name) ||
        names.has(ix.name) ||
        this.defs.has(ix.name) ||
        ix.name === def.name
      )
        throw bad(at, 'name already used by another index or table');
      names.add(ix.name);
      if (ix.columns.length === 0) throw bad(at, 'has no columns');
      for (const c of ix.columns) if (!(c in def.columns)) throw bad(at, `column ${c} is not a column`);
      if (ix.whereNotNull !== undefined && !(ix.whereNotNull in def.columns))
        throw bad(at, `whereNotNull column ${ix.whereNotNull} is not a column`);
    }
    for (const n of names) this.indexNames.add(n);
    this.defs.set(def.name, def);
  }

  /** All registered tables. */
  all(): readonly TableDef[] {
    return [...this.defs.values()];
  }

  /** The definition of a table; throws when it is not registered. */
  get(name: string): TableDef {
    const def = this.defs.get(name);
    if (def === undefined) throw bad(`table ${name}`, 'not defined (call defineTable before open)');
    return def;
  }

  /** Checks every write of a batch (see check). */
  checkAll(rows: readonly RowWrite[]): void {
    for (const w of rows) this.check(w);
  }

  /** Checks a write: known table, known columns of the right type, the full key present, a valid expectation. */
  check(w: RowWrite): void {
    const def = this.get(w.table);
    const values = w.op === 'upsert' ? w.row : w.key;
    // Writes may come from untyped callers: an unknown op must not pass as a delete.
    const op: string = w.op;
    if (op !== 'upsert' && op !== 'delete' && op !== 'check')
      throw bad(`table ${w.table}`, `unknown op ${op}`);
    if (w.op === 'check' && w.expect === undefined) throw bad(`table ${w.table}`, 'check needs an expect');
    if (w.expect !== undefined) {
      const type = def.columns[w.expect.column];
      if (type === undefined) throw bad(`table ${w.table}`, `expect names unknown column ${w.expect.column}`);
      if (!fits(type, w.expect.value))
        throw bad(`table ${w.table}`, `expect value for column ${w.expect.column} must be ${type} or null`);
    }
    // for-in, not Object.entries: this runs for every row of every durable step, and entries() allocates a pair
    // per column. Rows are plain objects (own enumerable properties only), so the two iterate the same columns.
    for (const col in values) {
      const v = values[col];
      const type = def.columns[col];
      if (type === undefined) throw bad(`table ${w.table}`, `unknown column ${col}`);
      if (!fits(type, v)) throw bad(`table ${w.table}`, `column ${col} expects ${type}`);
    }
    for (const k of def.primaryKey) {
      if (values[k] === undefined || values[k] === null)
        throw bad(`table ${w.table}`, `key column ${k} missing`);
    }
    if (w.op !== 'upsert' && Object.keys(w.key).length !== def.primaryKey.length) {
      throw bad(`table ${w.table}`, `${w.op} takes exactly the primary-key columns`);
    }
  }

  /** A stable string for a row's primary key (map keys of the stores; see rowIdOf). */
  keyOf(table: string, values: Readonly<Record<string, SqlValue>>): string {
    return rowIdOf(this.get(table), values);
  }

  /**
   * Checks a scan against its table: the table has one text primary-key column (the cursor's second part), and
   * `column` is an integer column that leads an index (so the scan is an index range, never a table scan).
   */
  checkScan(table: string, q: RowScan): TableDef {
    const def = this.get(table);
    const where = `table ${table}`;
    if (def.primaryKey.length !== 1 || def.columns[def.primaryKey[0] as string] !== 'text')
      throw bad(where, 'scanRows needs a table with one text primary-key column');
    if (def.columns[q.column] !== 'integer')
      throw bad(where, `scanRows column ${q.column} is not an integer column`);
    if (!(def.indexes ?? []).some((ix) => ix.columns[0] === q.column))
      throw bad(where, `scanRows column ${q.column} leads no index of the table`);
    if (!Number.isSafeInteger(q.upTo)) throw bad(where, 'scanRows upTo must be an integer');
    if (!Number.isSafeInteger(q.limit) || q.limit < 1)
      throw bad(where, 'scanRows limit must be a positive integer');
    if (q.after !== undefined && (!Number.isSafeInteger(q.after[0]) || typeof q.after[1] !== 'string'))
      throw bad(where, 'scanRows after must be [integer, string]');
    return def;
  }
}

/** The key columns of a write (an upsert's key is taken from its row). */
export function keyOfWrite(def: TableDef, w: RowWrite): Record<string, SqlValue> {
  const values = w.op === 'upsert' ? w.row : w.key;
  const key: Record<string, SqlValue> = {};
  for (const k of def.primaryKey) key[k] = values[k] ?? null;
  return key;
}

/**
 * Whether a stored row meets an expectation: `found` is the row's column value, or undefined when there is no
 * row. Expected null means "no row"; otherwise the row must exist and hold exactly the value (bytes compared
 * byte for byte).
 */
export function meetsExpectation(expected: RowExpect, found: SqlValue | undefined): boolean {
  if (expected.value === null) return found === undefined;
  if (found === undefined || found === null) return false;
  const want = expected.value;
  if (want instanceof Uint8Array)
    return found instanceof Uint8Array && Buffer.from(want).equals(Buffer.from(found));
  return want === found;
}

/** GOV_STORE_CONFLICT for a failed expectation; `found` is undefined when the row does not exist. */
export function conflictError(
  table: string,
  key: Readonly<Record<string, SqlValue>>,
  expected: RowExpect,
  found: SqlValue | undefined,
): GovernessError {
  return new GovernessError(LedgerErrors.storeConflict, {
    table,
    key: JSON.stringify(Object.fromEntries(Object.entries(key).map(([k, v]) => [k, show(v)]))),
    column: expected.column,
    expected: expected.value === null ? 'no row' : JSON.stringify(show(expected.value)),
    found: found === undefined ? 'no row' : JSON.stringify(show(found)),
  });
}

function show(v: SqlValue): string | number | null {
  return v instanceof Uint8Array ? `0x${Buffer.from(v).toString('hex')}` : v;
}

/**
 * Which row of which table, as a string: the table name, then each primary-key value tagged by type (a string
 * length-prefixed, so no value can run into the next). Made for every side-table row of every batch, so it is
 * plain concatenation rather than JSON.
 */
export function rowIdOf(def: TableDef, values: Readonly<Record<string, SqlValue>>): string {
  let id = def.name;
  for (const c of def.primaryKey) {
    const v = values[c] ?? null;
    if (typeof v === 'string') id += `|s${v.length}:${v}`;
    else if (typeof v === 'number') id += `|n${v}`;
    else if (v === null) id += '|z';
    else id += `|b${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex')}`;
  }
  return id;
}

function fits(type: 'text' | 'integer' | 'blob', v: SqlValue | undefined): boolean {
  if (v === null) return true;
  if (type === 'text') return typeof v === 'string';
  if (type === 'integer') return typeof v === 'number' && Number.isSafeInteger(v);
  return v instanceof Uint8Array;
}

function bad(store: string, problem: string): GovernessError {
  return new GovernessError(LedgerErrors.storeFailed, { store, problem });
}
