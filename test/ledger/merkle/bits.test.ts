import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bitAt,
  bitLength,
  largestPowerOfTwoBelow,
  MAX_TREE_SIZE,
  onesCount,
  shiftLeft,
  shiftRight,
  trailingZeros,
  xor,
} from '../../../src/ledger/merkle/bits.js';

// Sizes near 2^32 and 2^53 are where splitting into 32-bit halves can go wrong, so bias the generator there.
const count = fc.oneof(
  fc.integer({ min: 0, max: MAX_TREE_SIZE }),
  fc.integer({ min: 0, max: 70_000 }),
  fc.integer({ min: 2 ** 32 - 300, max: 2 ** 32 + 300 }),
  fc.integer({ min: MAX_TREE_SIZE - 300, max: MAX_TREE_SIZE }),
  fc.nat({ max: 52 }).map((k) => 2 ** k),
  fc.nat({ max: 53 }).map((k) => 2 ** k - 1),
);

const big = (n: number): bigint => BigInt(n);

describe('53-bit bit helpers agree with BigInt arithmetic', () => {
  it('bitLength', () => {
    fc.assert(
      fc.property(count, (n) => {
        expect(bitLength(n)).toBe(n === 0 ? 0 : big(n).toString(2).length);
      }),
    );
  });

  it('onesCount', () => {
    fc.assert(
      fc.property(count, (n) => {
        expect(onesCount(n)).toBe([...big(n).toString(2)].filter((c) => c === '1').length);
      }),
    );
  });

  it('trailingZeros (64 for zero, as Go)', () => {
    fc.assert(
      fc.property(count, (n) => {
        const bits = big(n).toString(2);
        expect(trailingZeros(n)).toBe(n === 0 ? 64 : bits.length - 1 - bits.lastIndexOf('1'));
      }),
    );
  });

  it('xor', () => {
    fc.assert(
      fc.property(count, count, (a, b) => {
        expect(big(xor(a, b))).toBe(big(a) ^ big(b));
      }),
    );
  });

  it('shifts and bitAt', () => {
    fc.assert(
      fc.property(count, fc.nat({ max: 60 }), (n, k) => {
        expect(big(shiftRight(n, k))).toBe(big(n) >> BigInt(k));
        expect(bitAt(n, k)).toBe(Number((big(n) >> BigInt(k)) & 1n));
        if (bitLength(n) + k <= 53) expect(big(shiftLeft(n, k))).toBe(big(n) << BigInt(k));
      }),
    );
  });

  it('largestPowerOfTwoBelow is the RFC 6962 split point k < n <= 2k', () => {
    fc.assert(
      fc.property(count, (n) => {
        if (n < 2) return;
        const k = largestPowerOfTwoBelow(n);
        expect(onesCount(k)).toBe(1);
        expect(k < n && n <= 2 * k).toBe(true);
      }),
    );
  });
});
