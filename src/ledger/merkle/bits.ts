// Bit arithmetic on tree sizes and leaf indexes. Sizes are JavaScript numbers up to 2^53 - 1 (the ledger's
// global index never gets near that), but the `>>`, `&`, `^` operators only see 32 bits, so every helper here
// splits a value into a high and a low 32-bit half. Go's math/bits functions are the model.

const TWO_32 = 2 ** 32;

/** The largest tree size or index these helpers accept: 2^53 - 1 (Number.MAX_SAFE_INTEGER). */
export const MAX_TREE_SIZE = Number.MAX_SAFE_INTEGER;

function high(n: number): number {
  return Math.floor(n / TWO_32);
}

function low(n: number): number {
  return (n % TWO_32) >>> 0;
}

function popcount32(x: number): number {
  let v = x >>> 0;
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

function trailingZeros32(x: number): number {
  // x & -x isolates the lowest set bit; clz32 of it gives its position from the top.
  return 31 - Math.clz32(x & -x);
}

/** Number of bits needed to write n (Go's bits.Len64): 0 for 0, 1 for 1, 3 for 4..7. */
export function bitLength(n: number): number {
  const h = high(n);
  return h > 0 ? 64 - Math.clz32(h) : 32 - Math.clz32(low(n));
}

/** Number of one bits in n (Go's bits.OnesCount64). */
export function onesCount(n: number): number {
  return popcount32(high(n)) + popcount32(low(n));
}

/** Number of zero bits below the lowest one bit of n > 0 (Go's bits.TrailingZeros64); 64 for n = 0. */
export function trailingZeros(n: number): number {
  const l = low(n);
  if (l !== 0) return trailingZeros32(l);
  const h = high(n);
  return h !== 0 ? 32 + trailingZeros32(h) : 64;
}

/** Bitwise exclusive or of two non-negative safe integers. */
export function xor(a: number, b: number): number {
  return ((high(a) ^ high(b)) >>> 0) * TWO_32 + ((low(a) ^ low(b)) >>> 0);
}

/** n >> k for a non-negative safe integer n (floor division by 2^k). */
export function shiftRight(n: number, k: number): number {
  return Math.floor(n / 2 ** k);
}

/** n << k, exact while the result stays below 2^53. */
export function shiftLeft(n: number, k: number): number {
  return n * 2 ** k;
}

/** Bit i of n (0 or 1). */
export function bitAt(n: number, i: number): number {
  return Math.floor(n / 2 ** i) % 2;
}

/** The largest power of two strictly below n, for n >= 2 (RFC 6962 §2.1: "the largest power of two smaller than n"). */
export function largestPowerOfTwoBelow(n: number): number {
  return 2 ** (bitLength(n - 1) - 1);
}

/** True when n is a non-negative integer no larger than 2^53 - 1. */
export function isTreeCount(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}
