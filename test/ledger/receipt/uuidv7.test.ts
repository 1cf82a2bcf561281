// UUIDv7 receipt ids: the RFC 9562 layout (checked against its Appendix A.6 example), strict monotonicity within
// a millisecond, across a wall clock stepping back and across counter overflow, and block-wise randomness.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LedgerErrors } from '../../../src/errors/index.js';
import {
  MAX_UUIDV7_MS,
  UUIDV7_PATTERN,
  Uuidv7Generator,
  uuidv7Timestamp,
} from '../../../src/ledger/receipt/index.js';
import { thrown } from './fixtures.js';

// RFC 9562 Appendix A.6: unix_ts_ms 0x017F22E279B0 (2022-02-22T19:22:22.000Z), rand_a 0xCC3,
// rand_b 0x18C4DC0C0C07398F → 017F22E2-79B0-7CC3-98C4-DC0C0C07398F.
const RFC_EXAMPLE = '017f22e2-79b0-7cc3-98c4-dc0c0c07398f';
const RFC_MS = 0x017f22e279b0;

/** A fillRandom that writes `pattern` over and over, and counts its calls. */
function repeating(pattern: readonly number[]): { fill: (b: Uint8Array) => void; calls: () => number } {
  let calls = 0;
  return {
    fill: (buffer) => {
      calls++;
      for (let i = 0; i < buffer.length; i++) buffer[i] = pattern[i % pattern.length] as number;
    },
    calls: () => calls,
  };
}

describe('UUIDv7 layout (RFC 9562 §5.7)', () => {
  it('reads the timestamp of the RFC 9562 example', () => {
    expect(UUIDV7_PATTERN.test(RFC_EXAMPLE)).toBe(true);
    expect(uuidv7Timestamp(RFC_EXAMPLE)).toBe(RFC_MS);
    expect(new Date(RFC_MS).toISOString()).toBe('2022-02-22T19:22:22.000Z');
    expect(uuidv7Timestamp(RFC_EXAMPLE.toUpperCase())).toBeUndefined();
  });

  it('lays out the RFC example bits, except the counter seed whose top bit the rollover guard clears', () => {
    // Random stream: 2 bytes of counter seed (0x0CC3 → 0x4C3 after the 11-bit mask), then 8 bytes of rand_b
    // whose first byte gets the variant bits 10 (0x18 → 0x98).
    const rng = repeating([0x0c, 0xc3, 0x18, 0xc4, 0xdc, 0x0c, 0x0c, 0x07, 0x39, 0x8f]);
    const id = new Uuidv7Generator({ fillRandom: rng.fill }).next(RFC_MS);
    expect(id).toBe('017f22e2-79b0-74c3-98c4-dc0c0c07398f');
    expect(id.replace('-74c3-', '-7cc3-')).toBe(RFC_EXAMPLE);
  });

  it('sets version 7 and variant 10 whatever the random bytes are', () => {
    for (const fill of [0x00, 0xff, 0x3f, 0xc0]) {
      const id = new Uuidv7Generator({ fillRandom: repeating([fill]).fill }).next(0);
      expect(id).toMatch(UUIDV7_PATTERN);
      expect(id.slice(0, 13)).toBe('00000000-0000');
    }
    expect(new Uuidv7Generator().next(MAX_UUIDV7_MS).slice(0, 13)).toBe('ffffffff-ffff');
  });
});

describe('UUIDv7 monotonicity (RFC 9562 §6.2, method 1)', () => {
  it('ids are strictly increasing for any sequence of wall times, including steps back', () => {
    const steps = fc.array(fc.integer({ min: -5, max: 5 }), { minLength: 1, maxLength: 300 });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 45 }), steps, (start, deltas) => {
        const gen = new Uuidv7Generator();
        let wall = start;
        let previous = '';
        for (const delta of deltas) {
          wall = Math.max(0, wall + delta);
          const id = gen.next(wall);
          expect(id).toMatch(UUIDV7_PATTERN);
          expect(id > previous).toBe(true);
          // Never earlier than the wall time it was made at (a step back reuses the last timestamp).
          expect(uuidv7Timestamp(id)).toBeGreaterThanOrEqual(wall);
          previous = id;
        }
      }),
      { numRuns: 200 },
    );
  });

  it('byte order equals string order, so ids sort the same in a database', () => {
    const gen = new Uuidv7Generator();
    const ids = Array.from({ length: 2000 }, (_, i) => gen.next(1_800_000_000_000 + (i >> 6)));
    const asBytes = ids.map((id) => Buffer.from(id.replace(/-/g, ''), 'hex'));
    for (let i = 1; i < ids.length; i++) {
      expect(Buffer.compare(asBytes[i - 1] as Buffer, asBytes[i] as Buffer)).toBe(-1);
    }
  });

  it('moves the timestamp one millisecond ahead when the counter runs out, keeping the order', () => {
    // Seed bytes ff ff → 0x7FF, the largest seed: 0xFFF − 0x7FF = 2048 more ids fit in the millisecond.
    const gen = new Uuidv7Generator({ fillRandom: repeating([0xff]).fill });
    const ms = 1_800_000_000_000;
    const ids = Array.from({ length: 5000 }, () => gen.next(ms));
    for (let i = 1; i < ids.length; i++) expect((ids[i] as string) > (ids[i - 1] as string)).toBe(true);
    expect(ids[0]?.slice(14, 18)).toBe('77ff');
    expect(ids[2048]?.slice(14, 18)).toBe('7fff');
    expect(uuidv7Timestamp(ids[2048] as string)).toBe(ms);
    expect(uuidv7Timestamp(ids[2049] as string)).toBe(ms + 1);
    expect(ids[2049]?.slice(14, 18)).toBe('77ff');
    // The wall clock catching up does not go back behind the borrowed millisecond.
    expect(uuidv7Timestamp(gen.next(ms + 1))).toBe(ms + 2);
  });

  it('a new millisecond starts a fresh counter below 0x800', () => {
    const gen = new Uuidv7Generator();
    for (let ms = 0; ms < 200; ms++) {
      const counter = parseInt(gen.next(ms).slice(15, 18), 16);
      expect(counter).toBeLessThan(0x800);
    }
  });
});

describe('UUIDv7 generator inputs and randomness', () => {
  it('rejects wall times that are not integer milliseconds in 0..2^48-1', () => {
    const gen = new Uuidv7Generator();
    for (const bad of [-1, 1.5, NaN, Infinity, 2 ** 48]) {
      const err = thrown(() => gen.next(bad), LedgerErrors.badReceipt);
      expect(err.details.field).toBe('receipt_id');
      expect(String(err.details.problem)).toContain(String(bad));
    }
  });

  it('draws randomness in 4 KiB blocks, not per id', () => {
    const rng = repeating([1, 2, 3, 4, 5]);
    const gen = new Uuidv7Generator({ fillRandom: rng.fill });
    for (let i = 0; i < 1000; i++) gen.next(1_800_000_000_000 + i);
    // 10 bytes per id (2 of seed in a new millisecond, 8 of rand_b): 1000 ids need 3 blocks of 4096 bytes.
    expect(rng.calls()).toBe(3);
  });

  it('gives different random bits to ids of different generators in the same millisecond', () => {
    const a = new Uuidv7Generator().next(1_800_000_000_000);
    const b = new Uuidv7Generator().next(1_800_000_000_000);
    expect(a.slice(19)).not.toBe(b.slice(19));
  });
});
