// The statements a PostgreSQL batch is written with, as data: each piece is one INSERT, UPDATE, DELETE or SELECT
// over arrays (unnest), and some must touch an exact number of rows (the log-state check, the side tables'
// expectations, which are part of their write's statement). The batch writer (pg-batch-writer.ts) runs them one
// by one inside BEGIN … COMMIT and checks each count as it comes back.

/** The parameters of one statement: values in order, each referred to as `$n::type`. */
export class Params {
  readonly values: unknown[] = [];

  /** Adds a value; returns its `$n::type` reference, the cast telling PostgreSQL its type. */
  add(value: unknown, type: string): string {
    this.values.push(value);
    return `$${this.values.length}::${type}`;
  }
}

/** What a piece's row count must be: all of `n` rows, or none. */
export type PieceWant = { readonly all: number } | 'none';

/** One statement of a batch. */
export interface PgPiece {
  /** The statement's text, its values added to `params`. */
  readonly render: (params: Params) => string;
  /** The rows it must return (its RETURNING rows, or a SELECT's), or undefined: not checked. */
  readonly want?: PieceWant;
}

/** Whether `rows` rows returned meet `want`. */
export function meets(want: PieceWant | undefined, rows: number): boolean {
  if (want === undefined) return true;
  return want === 'none' ? rows === 0 : rows === want.all;
}
