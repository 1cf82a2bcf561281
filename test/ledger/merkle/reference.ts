// Test oracles written straight from the RFC text, independent of src/ledger/merkle: hashing with
// createHash, the recursive MTH / PATH / PROOF definitions of RFC 6962 §2.1, and the literal fn/sn verification
// loops of RFC 9162 §2.1.3.2 and §2.1.4.2 on BigInt. The code under test is checked against these.
import { createHash } from 'node:crypto';

/** SHA-256(0x00 ‖ data) per RFC 6962 §2.1. */
export function refLeafHash(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(Uint8Array.of(0)).update(data).digest());
}

/** SHA-256(0x01 ‖ left ‖ right) per RFC 6962 §2.1. */
export function refNodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(Uint8Array.of(1)).update(left).update(right).digest());
}

/** Leaf hashes of n distinct entries ("entry <i>" as UTF-8, with a salt so different tests use different trees). */
export function makeLeaves(n: number, salt = ''): Uint8Array[] {
  return Array.from({ length: n }, (_, i) => refLeafHash(new TextEncoder().encode(`${salt}entry ${i}`)));
}

function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** A Merkle tree over given leaf hashes, computed by the RFC 6962 §2.1 recursive definitions (memoised). */
export class ReferenceTree {
  /** Number of leaves of this tree (a prefix of `leaves` when made by `prefix`). */
  readonly size: number;

  constructor(
    readonly leaves: readonly Uint8Array[],
    private readonly memo = new Map<string, Uint8Array>(),
    size = leaves.length,
  ) {
    this.size = size;
  }

  /** The tree of the first `size` leaves, sharing this one's memo (MTH(D[lo:hi]) does not depend on the size). */
  prefix(size: number): ReferenceTree {
    return new ReferenceTree(this.leaves, this.memo, size);
  }

  /** MTH(D[lo:hi]). */
  mth(lo = 0, hi = this.size): Uint8Array {
    if (hi === lo) return new Uint8Array(createHash('sha256').digest());
    if (hi - lo === 1) return this.leaves[lo]!;
    const key = `${lo}:${hi}`;
    const known = this.memo.get(key);
    if (known !== undefined) return known;
    const k = largestPowerOfTwoBelow(hi - lo);
    const hash = refNodeHash(this.mth(lo, lo + k), this.mth(lo + k, hi));
    this.memo.set(key, hash);
    return hash;
  }

  /** Hash of the complete subtree (level, index). */
  node(level: number, index: number): Uint8Array {
    return this.mth(index * 2 ** level, (index + 1) * 2 ** level);
  }

  /** PATH(m, D[lo:hi]) of RFC 6962 §2.1.1. */
  path(m: number, lo = 0, hi = this.size): Uint8Array[] {
    if (hi - lo <= 1) return [];
    const k = largestPowerOfTwoBelow(hi - lo);
    return m < lo + k
      ? [...this.path(m, lo, lo + k), this.mth(lo + k, hi)]
      : [...this.path(m, lo + k, hi), this.mth(lo, lo + k)];
  }

  /** PROOF(m, D[0:n]) of RFC 6962 §2.1.2 (m counted from 0, so SUBPROOF's m is relative to lo). */
  proof(m: number, n: number): Uint8Array[] {
    const sub = (mm: number, lo: number, hi: number, b: boolean): Uint8Array[] => {
      if (mm === hi - lo) return b ? [] : [this.mth(lo, hi)];
      const k = largestPowerOfTwoBelow(hi - lo);
      return mm <= k
        ? [...sub(mm, lo, lo + k, b), this.mth(lo + k, hi)]
        : [...sub(mm - k, lo + k, hi, false), this.mth(lo, lo + k)];
    };
    return sub(m, 0, n, true);
  }
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** RFC 9162 §2.1.3.2, step by step: true when the inclusion proof verifies. */
export function rfc9162VerifyInclusion(
  leafIndex: number,
  treeSize: number,
  hash: Uint8Array,
  inclusionPath: readonly Uint8Array[],
  rootHash: Uint8Array,
): boolean {
  if (leafIndex >= treeSize) return false;
  let fn = BigInt(leafIndex);
  let sn = BigInt(treeSize) - 1n;
  let r = hash;
  for (const p of inclusionPath) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      r = refNodeHash(p, r);
      if ((fn & 1n) === 0n) {
        while ((fn & 1n) === 0n && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      r = refNodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && equal(r, rootHash);
}

/** RFC 9162 §2.1.4.2, step by step, for 0 < first < second: true when the consistency proof verifies. */
export function rfc9162VerifyConsistency(
  first: number,
  second: number,
  consistencyPath: readonly Uint8Array[],
  firstHash: Uint8Array,
  secondHash: Uint8Array,
): boolean {
  if (consistencyPath.length === 0) return false;
  const isPowerOfTwo = (BigInt(first) & (BigInt(first) - 1n)) === 0n;
  const path = isPowerOfTwo ? [firstHash, ...consistencyPath] : [...consistencyPath];
  let fn = BigInt(first) - 1n;
  let sn = BigInt(second) - 1n;
  while ((fn & 1n) === 1n) {
    fn >>= 1n;
    sn >>= 1n;
  }
  let fr = path[0]!;
  let sr = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      fr = refNodeHash(c, fr);
      sr = refNodeHash(c, sr);
      if ((fn & 1n) === 0n) {
        while ((fn & 1n) === 0n && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      sr = refNodeHash(sr, c);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return equal(fr, firstHash) && equal(sr, secondHash) && sn === 0n;
}
