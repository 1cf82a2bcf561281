// A batch's side-table writes on PostgreSQL, in a few statements instead of one or two per row: a durable batch
// of ~380 steps carries ~750 rows, which took 0.2-1 s written row by row and 25-160 ms as below (1,000 governor
// and 1,000 reply upserts: 0.3-1.3 s before, 60-200 ms now; indicative, measured on a loaded machine).
// The contract is RowWrite's (types.ts; docs/ledger/storage.md, "Side tables"):
// - Writes apply in batch order and an expectation sees the batch's earlier writes: the list is cut into
//   segments of distinct rows (write-segments.ts), each fully applied before the next.
// - Within a segment, every expectation is checked before anything of it is written, and the conflict reported
//   is the FIRST conflicting write in batch order, as if the writes had been applied one by one.
// - An expectation on a row locks it (FOR UPDATE, or FOR SHARE for a `check`, the future cluster fencing point)
//   and is compared in JS by meetsExpectation, the rule every store shares. A "no row" upsert cannot lock a
//   missing row: it is an INSERT … ON CONFLICT DO NOTHING whose RETURNING tells which rows were not inserted.
import type pg from 'pg';
import { sortKeys } from '../canonical/canonicalize.js';
import { conflictError, meetsExpectation, rowIdOf, type SideTables } from './side-tables.js';
import type { RowWrite, SqlValue, TableDef } from './types.js';
import { groupBy, writeSegments, type SegmentItem } from './write-segments.js';

/** At most this many named prepared statements (one per group shape); further shapes are parsed each time. */
const MAX_NAMED = 256;

type Item = SegmentItem;

/** Stands for the value a "no row" upsert ran into, read only if its conflict is the one reported. */
const UNREAD = Symbol('unread');

/** A failed expectation and what its row held (undefined: no row). */
interface Conflict {
  readonly item: Item;
  readonly found: SqlValue | undefined | typeof UNREAD;
}

/** Applies side-table writes in batched statements; keeps the names of the prepared statements it made. */
export class PgSideRows {
  private readonly names = new Map<string, string>();

  constructor(private readonly tables: SideTables) {}

  /** Applies `rows` (already validated by SideTables.checkAll) inside the caller's open transaction. */
  async apply(db: pg.Client, rows: readonly RowWrite[]): Promise<void> {
    for (const segment of writeSegments(this.tables, rows)) await this.applySegment(db, segment);
  }

  private async applySegment(db: pg.Client, items: readonly Item[]): Promise<void> {
    const conflicts: Conflict[] = [];
    const reads = items.filter((x) => x.w.expect !== undefined && !isNoRowUpsert(x.w));
    for (const g of groupBy(reads, (x) => `${x.w.table}\0${lockOf(x.w)}\0${x.w.expect?.column}`)) {
      const column = g[0]?.w.expect?.column as string;
      const found = await this.lockedValues(db, g, column, lockOf((g[0] as Item).w));
      for (const x of g) {
        const got = found.get(x.id);
        if (!meetsExpectation(x.w.expect as NonNullable<RowWrite['expect']>, got))
          conflicts.push({ item: x, found: got });
      }
    }
    const fresh = items.filter((x) => isNoRowUpsert(x.w));
    for (const g of groupBy(fresh, (x) => `${x.w.table}\0${columnsOf(x).join(',')}`)) {
      const inserted = await this.insertNew(db, g);
      for (const x of g) if (!inserted.has(x.id)) conflicts.push({ item: x, found: UNREAD });
    }
    if (conflicts.length > 0) throw await this.firstConflict(db, conflicts);
    // Every row with an expectation is now locked and checked, so the writes themselves need no condition.
    const writes = items.filter((x) => x.w.op !== 'check' && !isNoRowUpsert(x.w));
    for (const g of groupBy(writes, (x) => `${x.w.table}\0${x.w.op}\0${columnsOf(x).join(',')}`)) {
      if ((g[0] as Item).w.op === 'upsert') await this.upsert(db, g);
      else await this.remove(db, g);
    }
  }

  /** Locks the rows of `items` and reads `column` of each, by row id; a missing row is absent from the map. */
  private async lockedValues(
    db: pg.Client,
    items: readonly Item[],
    column: string,
    lock: 'UPDATE' | 'SHARE',
  ): Promise<Map<string, SqlValue>> {
    const def = (items[0] as Item).def;
    const pk = def.primaryKey;
    const src = unnestOf(
      def,
      pk,
      items.map((x) => x.key),
    );
    const wanted = [...new Set([...pk, column])].map((c) => `t.${c}`);
    const res = await this.run(
      db,
      `SELECT ${wanted.join(', ')} FROM gov_x_${def.name} t JOIN (${src.sql}) AS v (${pk.join(', ')}) ` +
        `ON ${pk.map((c) => `t.${c} = v.${c}`).join(' AND ')} FOR ${lock} OF t`,
      src.values,
    );
    const out = new Map<string, SqlValue>();
    for (const r of res.rows) {
      const row = fromPgRow(def, r);
      out.set(rowIdOf(def, row), row[column] ?? null);
    }
    return out;
  }

  /** Inserts the rows of "no row" upserts that do not exist yet; returns the ids of those inserted. */
  private async insertNew(db: pg.Client, items: readonly Item[]): Promise<Set<string>> {
    const def = (items[0] as Item).def;
    const cols = columnsOf(items[0] as Item);
    const src = unnestOf(def, cols, items.map(valuesOf));
    const res = await this.run(
      db,
      `INSERT INTO gov_x_${def.name} (${cols.join(', ')}) ${src.sql} ` +
        `ON CONFLICT (${def.primaryKey.join(', ')}) DO NOTHING RETURNING ${def.primaryKey.join(', ')}`,
      src.values,
    );
    return new Set(res.rows.map((r) => rowIdOf(def, fromPgRow(def, r))));
  }

  /** Upserts rows naming the same columns: inserted, or those columns set on the existing row. */
  private async upsert(db: pg.Client, items: readonly Item[]): Promise<void> {
    const def = (items[0] as Item).def;
    const cols = columnsOf(items[0] as Item);
    const updates = cols.filter((c) => !def.primaryKey.includes(c));
    const src = unnestOf(def, cols, items.map(valuesOf));
    await this.run(
      db,
      `INSERT INTO gov_x_${def.name} (${cols.join(', ')}) ${src.sql} ON CONFLICT (${def.primaryKey.join(', ')}) DO ` +
        (updates.length === 0
          ? 'NOTHING'
          : `UPDATE SET ${updates.map((c) => `${c} = excluded.${c}`).join(', ')}`),
      src.values,
    );
  }

  /** Deletes rows by primary key (a missing row is no error). */
  private async remove(db: pg.Client, items: readonly Item[]): Promise<void> {
    const def = (items[0] as Item).def;
    const pk = def.primaryKey;
    const src = unnestOf(
      def,
      pk,
      items.map((x) => x.key),
    );
    await this.run(
      db,
      `DELETE FROM gov_x_${def.name} t USING (${src.sql}) AS v (${pk.join(', ')}) ` +
        `WHERE ${pk.map((c) => `t.${c} = v.${c}`).join(' AND ')}`,
      src.values,
    );
  }

  /** GOV_STORE_CONFLICT for the conflict first in batch order, reading what a "no row" upsert ran into. */
  private async firstConflict(db: pg.Client, conflicts: readonly Conflict[]): Promise<Error> {
    const first = conflicts.reduce((a, b) => (b.item.pos < a.item.pos ? b : a));
    const { item } = first;
    const expect = item.w.expect as NonNullable<RowWrite['expect']>;
    let found = first.found;
    if (found === UNREAD) {
      const pk = item.def.primaryKey;
      const res = await db.query<Record<string, unknown>>(
        `SELECT ${expect.column} FROM gov_x_${item.def.name} WHERE ${pk.map((c, i) => `${c} = $${i + 1}`).join(' AND ')}`,
        pk.map((c) => toParam(item.key[c] ?? null)),
      );
      const r = res.rows[0];
      // The row was there when the INSERT met it; if it has gone since, say null rather than "no row".
      found = r === undefined ? null : fromPg(item.def, expect.column, r[expect.column]);
    }
    return conflictError(item.w.table, item.key, expect, found);
  }

  /** Runs a statement, as a named prepared statement while there are names to spare (parsed once per connection). */
  private run(
    db: pg.Client,
    text: string,
    values: unknown[],
  ): Promise<pg.QueryResult<Record<string, unknown>>> {
    let name = this.names.get(text);
    if (name === undefined && this.names.size < MAX_NAMED) {
      name = `gov_rows_${this.names.size}`;
      this.names.set(text, name);
    }
    return db.query<Record<string, unknown>>(name === undefined ? { text, values } : { name, text, values });
  }
}

/** Whether a write is an upsert of a row that must not exist yet. */
function isNoRowUpsert(w: RowWrite): boolean {
  return w.op === 'upsert' && w.expect !== undefined && w.expect.value === null;
}

function lockOf(w: RowWrite): 'UPDATE' | 'SHARE' {
  return w.op === 'check' ? 'SHARE' : 'UPDATE';
}

/** The columns a write names, sorted, so writes naming the same set share a statement. */
function columnsOf(x: Item): string[] {
  const columns = Object.keys(x.w.op === 'upsert' ? x.w.row : x.key);
  sortKeys(columns);
  return columns;
}

function valuesOf(x: Item): Readonly<Record<string, SqlValue>> {
  return x.w.op === 'upsert' ? x.w.row : x.key;
}

/**
 * `SELECT <cols> FROM unnest(...)`: the rows as one array parameter per text or integer column. Blob columns are
 * cut with substring from ONE bytea parameter by offset and length arrays (length -1 for NULL), as the receipts
 * are: a bytea[] parameter travels as hex-escaped text, which costs more than the rest of the statement.
 */
function unnestOf(
  def: TableDef,
  cols: readonly string[],
  rows: readonly Readonly<Record<string, SqlValue>>[],
): { sql: string; values: unknown[] } {
  const values: unknown[] = [];
  const arrays: string[] = [];
  const names: string[] = [];
  const exprs: string[] = [];
  const blobs: Uint8Array[] = [];
  let total = 0;
  const blobParam = cols.reduce((n, c) => n + (def.columns[c] === 'blob' ? 2 : 1), 0) + 1;
  cols.forEach((c, i) => {
    const type = def.columns[c];
    if (type === 'blob') {
      const offsets: number[] = [];
      const lengths: number[] = [];
      for (const r of rows) {
        const v = r[c] ?? null;
        if (v === null) {
          offsets.push(0);
          lengths.push(-1);
        } else {
          const b = v as Uint8Array;
          offsets.push(total);
          lengths.push(b.byteLength);
          blobs.push(b);
          total += b.byteLength;
        }
      }
      values.push(offsets, lengths);
      arrays.push(`$${values.length - 1}::int[]`, `$${values.length}::int[]`);
      names.push(`o${i}`, `l${i}`);
      exprs.push(
        `CASE WHEN u.l${i} < 0 THEN NULL ELSE substring($${blobParam}::bytea FROM u.o${i} + 1 FOR u.l${i}) END`,
      );
    } else {
      values.push(rows.map((r) => r[c] ?? null));
      arrays.push(`$${values.length}::${type === 'integer' ? 'bigint' : 'text'}[]`);
      names.push(`c${i}`);
      exprs.push(`u.c${i}`);
    }
  });
  // The bytes go last: $blobParam is the parameter after the arrays.
  if (cols.some((c) => def.columns[c] === 'blob')) values.push(Buffer.concat(blobs, total));
  return {
    sql: `SELECT ${exprs.join(', ')} FROM unnest(${arrays.join(', ')}) AS u (${names.join(', ')})`,
    values,
  };
}

/** A side-table value as `pg` returns it, in the store's types (BIGINT arrives as a string). */
export function fromPg(def: TableDef, column: string, v: unknown): SqlValue {
  if (v === null || v === undefined) return null;
  if (def.columns[column] === 'integer') return Number(v);
  return Buffer.isBuffer(v) ? new Uint8Array(v) : (v as SqlValue);
}

/** A side-table row as `pg` returns it, in the store's types. */
export function fromPgRow(def: TableDef, r: Record<string, unknown>): Record<string, SqlValue> {
  const out: Record<string, SqlValue> = {};
  for (const [k, v] of Object.entries(r)) out[k] = fromPg(def, k, v);
  return out;
}

/** A side-table value as a `pg` parameter (bytes as a Buffer, sent binary). */
export function toParam(v: SqlValue): string | number | Buffer | null {
  return v instanceof Uint8Array ? bytesParam(v) : v;
}

/** A byte string as a `pg` parameter: a Buffer over the same memory, sent binary, not copied. */
export function bytesParam(b: Uint8Array): Buffer {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}
