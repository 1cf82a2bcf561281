// readRecords' packed form (src/ledger/store/stored-records.ts): an aggregate row is accepted only when it
// describes exactly the gapless range asked for; anything else sends the SQL stores to their row-by-row read.
import { describe, expect, it } from 'vitest';
import { GovernessError } from '../../../src/errors/index.js';
import {
  packStoredRecords,
  recordBytes,
  recordCount,
  recordsFromAggregate,
  storedBytes,
} from '../../../src/ledger/store/stored-records.js';

const text = (b: Uint8Array): string => Buffer.from(b).toString('utf8');

describe('recordsFromAggregate', () => {
  it('cuts the concatenation at the lengths, and numbers the records from `from`', () => {
    const r = recordsFromAggregate(7, { n: 3, lo: 7, hi: 9, lengths: '2,0,3', bytes: Buffer.from('abxyz') })!;
    expect(recordCount(r)).toBe(3);
    expect([...r.indexes]).toEqual([7, 8, 9]);
    expect([0, 1, 2].map((i) => text(recordBytes(r, i)))).toEqual(['ab', '', 'xyz']);
  });

  it('an empty range is empty whatever else the row holds', () => {
    expect(
      recordCount(recordsFromAggregate(5, { n: 0, lo: null, hi: null, lengths: null, bytes: null })!),
    ).toBe(0);
  });

  it.each([
    ['a gap (hi too far)', [7, 3, 7, 10, '1,1,1', 'abc']],
    ['not starting at from', [7, 3, 8, 10, '1,1,1', 'abc']],
    ['fewer lengths than rows (a NULL skipped)', [7, 3, 7, 9, '1,1', 'ab']],
    ['more lengths than rows', [7, 2, 7, 8, '1,1,1', 'abc']],
    ['lengths that do not add up to the bytes', [7, 2, 7, 8, '1,1', 'abc']],
    ['an empty length', [7, 2, 7, 8, '1,,', 'ab']],
    ['a length that is not a number', [7, 2, 7, 8, '1,x', 'ab']],
    ['no lengths at all', [7, 2, 7, 8, null, 'ab']],
    ['no bytes at all', [7, 2, 7, 8, '1,1', null]],
  ] as const)('refuses %s', (_name, [from, n, lo, hi, lengths, bytes]) => {
    expect(
      recordsFromAggregate(from, { n, lo, hi, lengths, bytes: bytes === null ? null : Buffer.from(bytes) }),
    ).toBeNull();
  });
});

describe('packStoredRecords and storedBytes', () => {
  it('packs rows with their own indexes (a row-by-row read keeps gaps visible)', () => {
    const r = packStoredRecords([
      { index: 3, bytes: Buffer.from('a') },
      { index: 5, bytes: Buffer.from('bc') },
    ]);
    expect([...r.indexes]).toEqual([3, 5]);
    expect(text(recordBytes(r, 1))).toBe('bc');
  });

  it('a text value is its UTF-8 bytes; NULL or a number is a damaged row, named', () => {
    expect(text(storedBytes('é{}', 'x'))).toBe('é{}');
    for (const bad of [null, 12]) {
      let err: unknown;
      try {
        storedBytes(bad, 'ledger.sqlite receipt index 4');
      } catch (e) {
        err = e;
      }
      expect(GovernessError.is(err)).toBe(true);
      expect(err).toMatchObject({
        code: 'GOV_STORE_CORRUPT',
        message: expect.stringContaining('ledger.sqlite receipt index 4'),
      });
    }
  });
});
