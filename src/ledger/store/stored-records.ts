// A range of stored receipts as one buffer (what readRecords returns): a verifier or an export walks millions of
// receipts, and one row object per receipt, with its own small Buffer, cost more than checking it. The SQL stores
// read a range as ONE aggregate row (the concatenated bytes and the list of their lengths) and fall back to a
// row-by-row read whenever that row does not describe a gapless range exactly (a deleted row, a NULL, a value
// whose length and bytes disagree), so a damaged database is reported from the rows as they really are.
import { GovernessError, LedgerErrors } from '../../errors/index.js';
import { packBytes, type PackedBytes } from './packed-bytes.js';

/** Stored receipts: record i is at log index indexes[i], its bytes are packed string i. */
export interface StoredRecords {
  /** Log index of each record, ascending (gapless unless the database was damaged). */
  readonly indexes: Float64Array;
  /**
   * The records' stored bytes, back to back. Unlike a batch's PackedBytes, `packed.bytes` is the driver's buffer
   * and may be a view of a larger one (a small read can come from Node's Buffer pool): copy it to transfer it.
   */
  readonly packed: PackedBytes;
}

/** One stored receipt, as the row-by-row read gives it. */
export interface StoredRecord {
  readonly index: number;
  readonly bytes: Uint8Array;
}

/** How many records `records` holds. */
export function recordCount(records: StoredRecords): number {
  return records.indexes.length;
}

/** The bytes of record i (a view, no copy). */
export function recordBytes(records: StoredRecords, i: number): Uint8Array {
  const { bytes, ends } = records.packed;
  return bytes.subarray(i === 0 ? 0 : ends[i - 1], ends[i]);
}

/** Packs records read row by row. */
export function packStoredRecords(rows: readonly StoredRecord[]): StoredRecords {
  return { indexes: Float64Array.from(rows, (r) => r.index), packed: packBytes(rows.map((r) => r.bytes)) };
}

/** A stored row as a driver gives it: its log index and its value, which should be a blob. */
export interface StoredRow {
  readonly index: number;
  readonly bytes: unknown;
}

/**
 * Packs rows read one by one from SQL. A blob is taken as it is, a text (SQLite stores what it is given) as its
 * UTF-8 bytes, as the aggregate read gives them; anything else is a damaged row, named by `where(index)`.
 */
export function packStoredRows(rows: readonly StoredRow[], where: (index: number) => string): StoredRecords {
  return packStoredRecords(
    rows.map((r) => ({ index: r.index, bytes: storedBytes(r.bytes, where(r.index)) })),
  );
}

/** The bytes of one stored value (see packStoredRows), or GOV_STORE_CORRUPT naming `where`. */
export function storedBytes(value: unknown, where: string): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  throw new GovernessError(LedgerErrors.storeCorrupt, {
    where,
    problem: `the receipt bytes are ${value === null ? 'NULL' : `a ${typeof value}`}, not a blob`,
  });
}

/**
 * The aggregate row a SQL store reads a range as: the row count, the least and greatest index, the
 * comma-separated byte length of each record in index order, and all the records' bytes concatenated in that order.
 */
export interface AggregateRecordsRow {
  readonly n: number;
  readonly lo: number | null;
  readonly hi: number | null;
  readonly lengths: string | null;
  readonly bytes: Uint8Array | null;
}

/**
 * The records of [from, from + row.n) from an aggregate row. Null when the row does not describe exactly `row.n`
 * gapless records starting at `from` (the caller then reads row by row, which names what is missing or wrong).
 */
export function recordsFromAggregate(from: number, row: AggregateRecordsRow): StoredRecords | null {
  const { n: count, lo, hi, lengths, bytes } = row;
  if (count === 0)
    return { indexes: new Float64Array(0), packed: { bytes: new Uint8Array(0), ends: new Uint32Array(0) } };
  if (lo !== from || hi !== from + count - 1 || lengths === null || bytes === null) return null;
  const ends = new Uint32Array(count);
  let n = 0;
  let value = 0;
  let digits = 0;
  let total = 0;
  // A hand loop: split(',').map(Number) allocates a string and a number per record.
  for (let i = 0; i <= lengths.length; i++) {
    const c = i < lengths.length ? lengths.charCodeAt(i) : 0x2c;
    if (c === 0x2c) {
      if (digits === 0 || n === count) return null;
      total += value;
      ends[n++] = total;
      value = 0;
      digits = 0;
    } else if (c >= 0x30 && c <= 0x39 && digits < 10) {
      value = value * 10 + (c - 0x30);
      digits++;
    } else {
      return null;
    }
  }
  if (n !== count || total !== bytes.length) return null;
  const indexes = new Float64Array(count);
  for (let i = 0; i < count; i++) indexes[i] = from + i;
  return { indexes, packed: { bytes, ends } };
}
