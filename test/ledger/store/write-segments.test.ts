// writeSegments: a batch's side-table writes cut where a row repeats, so each segment's writes touch distinct rows
// (both SQL stores group within a segment); rowIdOf names a row so that different keys never collide.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SideTables, rowIdOf } from '../../../src/ledger/store/side-tables.js';
import type { RowWrite, TableDef } from '../../../src/ledger/store/types.js';
import { writeSegments } from '../../../src/ledger/store/write-segments.js';

const pairs: TableDef = {
  name: 'pairs',
  columns: { a: 'text', b: 'integer', c: 'blob', v: 'integer' },
  primaryKey: ['a', 'b', 'c'],
};
const single: TableDef = { name: 'single', columns: { k: 'text', v: 'integer' }, primaryKey: ['k'] };

describe('rowIdOf', () => {
  it('gives different keys different ids (no value runs into the next)', () => {
    const key = fc.record({
      a: fc.oneof(fc.string(), fc.constant(null)),
      b: fc.oneof(fc.integer(), fc.constant(null)),
      c: fc.oneof(fc.uint8Array({ maxLength: 4 }), fc.constant(null)),
    });
    fc.assert(
      fc.property(key, key, (x, y) => {
        const same =
          JSON.stringify([x.a, x.b, x.c && [...x.c]]) === JSON.stringify([y.a, y.b, y.c && [...y.c]]);
        expect(rowIdOf(pairs, x) === rowIdOf(pairs, y)).toBe(same);
      }),
    );
    expect(rowIdOf(single, { k: 'x' })).not.toBe(rowIdOf(pairs, { a: 'x', b: null, c: null }));
  });
});

describe('writeSegments', () => {
  it('starts a new segment exactly where a row repeats, keeping batch positions', () => {
    const tables = new SideTables();
    tables.define(single);
    const up = (k: string): RowWrite => ({ table: 'single', op: 'upsert', row: { k, v: 1 } });
    const rows = [
      up('a'),
      up('b'),
      up('a'),
      { table: 'single', op: 'delete', key: { k: 'b' } } as RowWrite,
      up('c'),
    ];
    const segments = writeSegments(tables, rows);
    expect(segments.map((s) => s.map((x) => x.pos))).toEqual([
      [0, 1],
      [2, 3, 4],
    ]);
  });
});
