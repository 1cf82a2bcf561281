// A batch's side-table writes cut into segments in which no row (table + primary key) repeats, the shared rule
// that lets both SQL stores group writes (docs/ledger/storage.md, "Side tables"). Writes apply in batch order and
// an expectation sees the batch's earlier writes; inside one segment the writes touch distinct rows, so they
// commute: a store may check every expectation of a segment first, in batch order (the first that fails is the
// first conflict in batch order), then apply its writes grouped by statement. The next segment starts only after
// the previous one is fully applied.
import { keyOfWrite, rowIdOf, type SideTables } from './side-tables.js';
import type { RowWrite, SqlValue, TableDef } from './types.js';

/** A write with what grouping and conflict reports need. */
export interface SegmentItem {
  /** Position in the batch. */
  readonly pos: number;
  readonly w: RowWrite;
  readonly def: TableDef;
  /** The primary-key values of the row. */
  readonly key: Record<string, SqlValue>;
  /** Which row it writes (table and encoded key), unique within a segment. */
  readonly id: string;
}

/** The writes of a batch (already validated by SideTables.checkAll), in segments of distinct rows. */
export function writeSegments(tables: SideTables, rows: readonly RowWrite[]): SegmentItem[][] {
  const segments: SegmentItem[][] = [];
  let segment: SegmentItem[] = [];
  let ids = new Set<string>();
  for (let pos = 0; pos < rows.length; pos++) {
    const w = rows[pos] as RowWrite;
    const def = tables.get(w.table);
    const key = keyOfWrite(def, w);
    const id = rowIdOf(def, key);
    if (ids.has(id)) {
      segments.push(segment);
      segment = [];
      ids = new Set();
    }
    ids.add(id);
    segment.push({ pos, w, def, key, id });
  }
  if (segment.length > 0) segments.push(segment);
  return segments;
}

/** Groups in order of first appearance. */
export function groupBy<T>(xs: readonly T[], key: (x: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const x of xs) {
    const k = key(x);
    const g = groups.get(k);
    if (g === undefined) groups.set(k, [x]);
    else g.push(x);
  }
  return [...groups.values()];
}
