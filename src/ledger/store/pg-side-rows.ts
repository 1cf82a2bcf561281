// A batch's side-table writes on PostgreSQL as a few statements over arrays (pg-piece.ts) instead of one or two
// per row: a durable batch of ~380 steps carries ~750 rows, which took 0.2-1 s written row by row.
// The contract is RowWrite's (types.ts; docs/ledger/storage.md, "Side tables"):
// - Writes apply in batch order and an expectation sees the batch's earlier writes: the list is cut into
//   segments of distinct rows (write-segments.ts), each fully applied before the next.
// - An expectation is part of its write's statement: an UPDATE or DELETE only where the column holds the expected
//   value, an INSERT … ON CONFLICT DO NOTHING for "no row", a SELECT … FOR SHARE for a `check` (the future cluster
//   fencing point). Each returns the keys it met, so a short count is a conflict, and the batch's transaction is
//   rolled back: nothing of it is written. One statement per group thus both checks and writes: locking the
//   rows first (SELECT … FOR UPDATE) and writing them after cost a round trip and a WAL record per row more.
// - The conflict reported is the FIRST failed expectation in batch order, as if the writes had been applied one by
//   one (firstConflict): within a segment the rows are distinct, so every expectation of it is decided by the
//   rows as the segment found them.
import type pg from 'pg';
import { sortKeys } from '../canonical/canonicalize.js';
import { conflictError, meetsExpectation, rowIdOf, type SideTables } from './side-tables.js';
import { meets, type Params, type PgPiece } from './pg-piece.js';
import type { RowExpect, RowWrite, SqlValue, TableDef } from './types.js';
import { groupBy, writeSegments, type SegmentItem } from './write-segments.js';

type Item = SegmentItem;

/** A side-table statement and the writes it carries (to tell which of them failed their expectation). */
export interface SidePiece extends PgPiece {
  readonly def: TableDef;
  readonly items: readonly Item[];
  /** A "no row" upsert: its conflict met a row whose column may since have gone (reported as null). */
  readonly noRow: boolean;
}

/** The side-table writes of a batch (already validated by SideTables.checkAll) as pieces, one list per segment. */
export function sidePieces(tables: SideTables, rows: readonly RowWrite[]): SidePiece[][] {
  return writeSegments(tables, rows).map(segmentPieces);
}

/** One piece per group of writes to the same table, done the same way, naming the same columns. */
function segmentPieces(items: readonly Item[]): SidePiece[] {
  const groups = groupBy(
    items,
    (x) => `${x.w.table}\0${kindOf(x.w)}\0${x.w.expect?.column}\0${columnsOf(x)}`,
  );
  return groups.map((g) => {
    const first = g[0] as Item;
    return PIECES[kindOf(first.w)](first.def, g);
  });
}

/** How a write is done, which decides its statement. */
type Kind =
  | 'check' // expectation on an existing value, nothing written
  | 'checkAbsent' // check or delete expecting no row: nothing written, the row must not exist
  | 'insertNew' // upsert expecting no row
  | 'update' // upsert expecting a value
  | 'upsert' // upsert without expectation
  | 'deleteExpected' // delete expecting a value
  | 'delete'; // delete without expectation

function kindOf(w: RowWrite): Kind {
  const e = w.expect;
  if (w.op === 'upsert') return e === undefined ? 'upsert' : e.value === null ? 'insertNew' : 'update';
  if (e !== undefined && e.value === null) return 'checkAbsent';
  if (w.op === 'check') return 'check';
  return e === undefined ? 'delete' : 'deleteExpected';
}

const PIECES: Record<Kind, (def: TableDef, items: readonly Item[]) => SidePiece> = {
  check: (def, items) =>
    piece(def, items, false, { all: items.length }, (p) => {
      const v = keysWithExpected(def, items, p);
      return `SELECT ${pkOf(def, 't')} FROM gov_x_${def.name} t JOIN (${v.sql}) AS v (${v.names}) ON ${v.on} FOR SHARE OF t`;
    }),
  checkAbsent: (def, items) =>
    piece(def, items, false, 'none', (p) => {
      const v = keysOnly(def, items, p);
      return `SELECT ${pkOf(def, 't')} FROM gov_x_${def.name} t JOIN (${v.sql}) AS v (${v.names}) ON ${v.on}`;
    }),
  insertNew: (def, items) =>
    piece(def, items, true, { all: items.length }, (p) => {
      const cols = columnsOf(items[0] as Item);
      const src = unnestRows(p, def, cols, items.map(valuesOf));
      return (
        `INSERT INTO gov_x_${def.name} (${cols.join(', ')}) ${src} ` +
        `ON CONFLICT (${def.primaryKey.join(', ')}) DO NOTHING RETURNING ${def.primaryKey.join(', ')}`
      );
    }),
  update: (def, items) =>
    piece(def, items, false, { all: items.length }, (p) => {
      const cols = columnsOf(items[0] as Item);
      const expect = (items[0] as Item).w.expect as RowExpect;
      const src = unnestRows(p, def, cols, items.map(valuesOf), expectedOf(def, items));
      const sets = cols.filter((c) => !def.primaryKey.includes(c));
      // An upsert naming only its key changes nothing but must still find its row.
      const set = (sets.length > 0 ? sets : def.primaryKey.slice(0, 1)).map((c) => `${c} = v.${c}`);
      return (
        `UPDATE gov_x_${def.name} t SET ${set.join(', ')} FROM (${src}) AS v (${[...cols, 'x_expected'].join(', ')}) ` +
        `WHERE ${matchKey(def)} AND t.${expect.column} = v.x_expected RETURNING ${pkOf(def, 't')}`
      );
    }),
  upsert: (def, items) =>
    piece(def, items, false, undefined, (p) => {
      const cols = columnsOf(items[0] as Item);
      const updates = cols.filter((c) => !def.primaryKey.includes(c));
      const src = unnestRows(p, def, cols, items.map(valuesOf));
      return (
        `INSERT INTO gov_x_${def.name} (${cols.join(', ')}) ${src} ON CONFLICT (${def.primaryKey.join(', ')}) DO ` +
        (updates.length === 0
          ? 'NOTHING'
          : `UPDATE SET ${updates.map((c) => `${c} = excluded.${c}`).join(', ')}`)
      );
    }),
  deleteExpected: (def, items) =>
    piece(def, items, false, { all: items.length }, (p) => {
      const v = keysWithExpected(def, items, p);
      return (
        `DELETE FROM gov_x_${def.name} t USING (${v.sql}) AS v (${v.names}) WHERE ${v.on} ` +
        `RETURNING ${pkOf(def, 't')}`
      );
    }),
  delete: (def, items) =>
    piece(def, items, false, undefined, (p) => {
      const v = keysOnly(def, items, p);
      return `DELETE FROM gov_x_${def.name} t USING (${v.sql}) AS v (${v.names}) WHERE ${v.on}`;
    }),
};

function piece(
  def: TableDef,
  items: readonly Item[],
  noRow: boolean,
  want: PgPiece['want'],
  render: (p: Params) => string,
): SidePiece {
  return {
    def,
    items,
    noRow,
    render,
    ...(want === undefined ? {} : { want }),
  };
}

/**
 * The first failed expectation in batch order among pieces run one by one, given the keys each returned, as
 * GOV_STORE_CONFLICT with what its row held; null when every piece met its count. Reads the conflicting row
 * inside the caller's transaction.
 */
export async function firstConflict(
  db: pg.Client,
  ran: readonly { readonly piece: SidePiece; readonly rows: readonly Record<string, unknown>[] }[],
): Promise<Error | null> {
  let first: { item: Item; piece: SidePiece } | null = null;
  for (const { piece: sp, rows } of ran) {
    if (meets(sp.want, rows.length)) continue;
    const returned = new Set(rows.map((r) => rowIdOf(sp.def, fromPgRow(sp.def, r))));
    for (const item of sp.items) {
      // "all": an item whose key did not come back failed; "none": one whose key did.
      const failed = sp.want === 'none' ? returned.has(item.id) : !returned.has(item.id);
      if (failed && (first === null || item.pos < first.item.pos)) first = { item, piece: sp };
    }
  }
  if (first === null) return null;
  const { item, piece: sp } = first;
  const expect = item.w.expect as RowExpect;
  const pk = item.def.primaryKey;
  const res = await db.query<Record<string, unknown>>(
    `SELECT ${expect.column} FROM gov_x_${item.def.name} WHERE ${pk.map((c, i) => `${c} = $${i + 1}`).join(' AND ')}`,
    pk.map((c) => toParam(item.key[c] ?? null)),
  );
  const r = res.rows[0];
  // A "no row" insert met a row; if it has gone since, say null rather than "no row".
  const found =
    r === undefined ? (sp.noRow ? null : undefined) : fromPg(item.def, expect.column, r[expect.column]);
  if (meetsExpectation(expect, found)) {
    // Only if another writer changed the row between the write and this read (a write whose condition failed
    // locks nothing): not a conflict this batch can name, so it is reported as what it is.
    return new Error(`side-table write to ${item.def.name} failed its expectation, but its row now meets it`);
  }
  return conflictError(item.w.table, item.key, expect, found);
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

/** The expected values of `items` (which share an expected column) as an extra typed column. */
function expectedOf(def: TableDef, items: readonly Item[]): ExtraColumn {
  const column = (items[0] as Item).w.expect?.column as string;
  return {
    type: def.columns[column] as TableDef['columns'][string],
    values: items.map((x) => x.w.expect?.value ?? null),
  };
}

function pkOf(def: TableDef, alias: string): string {
  return def.primaryKey.map((c) => `${alias}.${c}`).join(', ');
}

function matchKey(def: TableDef): string {
  return def.primaryKey.map((c) => `t.${c} = v.${c}`).join(' AND ');
}

/** The keys of `items` as a row source aliased `v`, with the join condition on `t`. */
function keysOnly(
  def: TableDef,
  items: readonly Item[],
  p: Params,
): { sql: string; names: string; on: string } {
  const pk = def.primaryKey;
  const sql = unnestRows(
    p,
    def,
    pk,
    items.map((x) => x.key),
  );
  return { sql, names: pk.join(', '), on: matchKey(def) };
}

/** The keys and expected values of `items`; `on` also requires the expected value. */
function keysWithExpected(
  def: TableDef,
  items: readonly Item[],
  p: Params,
): { sql: string; names: string; on: string } {
  const pk = def.primaryKey;
  const column = (items[0] as Item).w.expect?.column as string;
  const sql = unnestRows(
    p,
    def,
    pk,
    items.map((x) => x.key),
    expectedOf(def, items),
  );
  return {
    sql,
    names: [...pk, 'x_expected'].join(', '),
    on: `${matchKey(def)} AND t.${column} = v.x_expected`,
  };
}

/** A column of values that is not one of the table's (the expected values of a group of writes, `x_expected`). */
interface ExtraColumn {
  readonly type: TableDef['columns'][string];
  readonly values: readonly SqlValue[];
}

/**
 * `SELECT <cols> FROM unnest(...)`: the rows as one array parameter per text or integer column, then `extra`.
 * Blob columns are cut with substring from ONE bytea parameter by offset and length arrays (length -1 for NULL),
 * as the receipts are: a bytea[] parameter travels as hex-escaped text, which costs more than the rest of the
 * statement.
 */
function unnestRows(
  p: Params,
  def: TableDef,
  cols: readonly string[],
  rows: readonly Readonly<Record<string, SqlValue>>[],
  extra?: ExtraColumn,
): string {
  const columns = cols.map((c) => ({
    type: def.columns[c] as TableDef['columns'][string],
    values: rows.map((r) => r[c] ?? null),
  }));
  if (extra !== undefined) columns.push({ type: extra.type, values: [...extra.values] });
  const arrays: string[] = [];
  const names: string[] = [];
  const exprs: string[] = [];
  const blobs: Uint8Array[] = [];
  let total = 0;
  columns.forEach((col, i) => {
    if (col.type === 'blob') {
      const offsets: number[] = [];
      const lengths: number[] = [];
      for (const v of col.values) {
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
      arrays.push(p.add(offsets, 'int[]'), p.add(lengths, 'int[]'));
      names.push(`o${i}`, `l${i}`);
    } else {
      arrays.push(p.add(col.values, col.type === 'integer' ? 'bigint[]' : 'text[]'));
      names.push(`c${i}`);
    }
  });
  // The bytes go after the arrays, as one parameter.
  const blobParam = columns.some((c) => c.type === 'blob') ? p.add(Buffer.concat(blobs, total), 'bytea') : '';
  columns.forEach((col, i) => {
    exprs.push(
      col.type === 'blob'
        ? `CASE WHEN u.l${i} < 0 THEN NULL ELSE substring(${blobParam} FROM u.o${i} + 1 FOR u.l${i}) END`
        : `u.c${i}`,
    );
  });
  return `SELECT ${exprs.join(', ')} FROM unnest(${arrays.join(', ')}) AS u (${names.join(', ')})`;
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
