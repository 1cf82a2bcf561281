// Receipt timestamps: one RFC 3339 spelling per instant, a parser that agrees with Date's round trip, and a
// sequencer that never goes back.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LedgerErrors } from '../../../src/errors/index.js';
import {
  MAX_TIMESTAMP_MS,
  TimestampSequencer,
  formatTimestamp,
  parseTimestamp,
} from '../../../src/ledger/receipt/index.js';
import { thrown } from './fixtures.js';

/** The reference rule: the string is exactly what Date prints for the instant it parses to, from 1970 on. */
function referenceParse(ts: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(ts)) return undefined;
  const ms = new Date(ts).getTime();
  if (Number.isNaN(ms) || ms < 0 || new Date(ms).toISOString() !== ts) return undefined;
  return ms;
}

describe('formatTimestamp', () => {
  it('writes RFC 3339 UTC with exactly three fractional digits and Z', () => {
    expect(formatTimestamp(0)).toBe('1970-01-01T00:00:00.000Z');
    expect(formatTimestamp(1795428000000)).toBe('2026-11-23T10:00:00.000Z');
    expect(formatTimestamp(MAX_TIMESTAMP_MS)).toBe('9999-12-31T23:59:59.999Z');
  });

  it('rejects times that are not integer milliseconds in range, naming ts', () => {
    for (const bad of [-1, 0.5, NaN, Infinity, MAX_TIMESTAMP_MS + 1]) {
      expect(thrown(() => formatTimestamp(bad), LedgerErrors.badReceipt).details.field).toBe('ts');
    }
  });
});

describe('parseTimestamp', () => {
  it('inverts formatTimestamp over the whole range', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_TIMESTAMP_MS }), (ms) => {
        expect(parseTimestamp(formatTimestamp(ms))).toBe(ms);
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees with the Date round trip on strings of the right shape with fields slightly out of range', () => {
    const two = (max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, '0'));
    const year = fc.oneof(fc.integer({ min: 1960, max: 2500 }), fc.integer({ min: 9990, max: 9999 }));
    const ts = fc
      .tuple(year, two(13), two(32), two(25), two(61), two(61), fc.integer({ min: 0, max: 999 }))
      .map(([y, mo, d, h, mi, s, ms]) => `${y}-${mo}-${d}T${h}:${mi}:${s}.${String(ms).padStart(3, '0')}Z`);
    fc.assert(
      fc.property(ts, (s) => {
        expect(parseTimestamp(s)).toBe(referenceParse(s));
      }),
      { numRuns: 3000 },
    );
  });

  it('knows leap years and rejects other spellings', () => {
    expect(parseTimestamp('2024-02-29T00:00:00.000Z')).toBe(Date.UTC(2024, 1, 29));
    expect(parseTimestamp('2000-02-29T23:59:59.999Z')).toBe(Date.UTC(2000, 1, 29, 23, 59, 59, 999));
    const rejected = [
      '2026-02-29T00:00:00.000Z',
      '2100-02-29T00:00:00.000Z',
      '2026-04-31T00:00:00.000Z',
      '2026-11-23T24:00:00.000Z',
      '2026-12-31T23:59:60.000Z',
      '2026-11-23T10:00:00Z',
      '2026-11-23T10:00:00.00Z',
      '2026-11-23T10:00:00.0000Z',
      '2026-11-23T10:00:00.000z',
      '2026-11-23t10:00:00.000Z',
      '2026-11-23 10:00:00.000Z',
      '2026-11-23T10:00:00.000+00:00',
      '+002026-11-23T10:00:00.000Z',
      '1969-12-31T23:59:59.999Z',
      '2026-1-23T10:00:00.000Z',
      '２026-11-23T10:00:00.000Z',
      '',
    ];
    for (const ts of rejected) expect(parseTimestamp(ts), ts).toBeUndefined();
  });
});

describe('TimestampSequencer', () => {
  it('hands out max(last, wall): never decreasing, equal to the wall time when it moves forward', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 4_000_000_000_000 }), { maxLength: 100 }), (walls) => {
        const seq = new TimestampSequencer();
        let high = 0;
        let previous = '';
        for (const wall of walls) {
          high = Math.max(high, wall);
          const ts = seq.next(wall);
          expect(ts).toBe(formatTimestamp(high));
          expect(ts >= previous).toBe(true);
          previous = ts;
        }
      }),
    );
  });

  it('resumes after a stored timestamp', () => {
    const seq = TimestampSequencer.after('2026-11-23T10:00:00.500Z');
    expect(seq.last).toBe(Date.UTC(2026, 10, 23, 10, 0, 0, 500));
    expect(seq.next(Date.UTC(2026, 10, 23, 9))).toBe('2026-11-23T10:00:00.500Z');
    expect(seq.next(Date.UTC(2026, 10, 23, 11))).toBe('2026-11-23T11:00:00.000Z');
    expect(thrown(() => TimestampSequencer.after('yesterday'), LedgerErrors.badReceipt).details.field).toBe(
      'ts',
    );
  });

  it('rejects a wall time out of range even when it is behind the last one', () => {
    const seq = new TimestampSequencer(1000);
    for (const bad of [-1, 0.5, NaN])
      expect(thrown(() => seq.next(bad), LedgerErrors.badReceipt).details.field).toBe('ts');
  });
});
