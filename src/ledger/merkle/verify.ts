// Proof verification: RFC 9162 §2.1.3.2 (verifying an inclusion proof) and §2.1.4.2 (verifying consistency
// between two tree heads), ported from transparency-dev/merkle proof/verify.go, which computes the RFC's
// fn/sn bit loops as "inner" and "border" chains. The proof is split where the paths to leaf `index` and to
// the last leaf `size - 1` diverge: below that point siblings sit left or right (inner), above it every
// sibling is a left one (border). Failures throw badProof, or inconsistent when a consistency proof is well
// formed but does not join the two roots.
import { GovernessError, LedgerErrors } from '../../errors/index.js';
import {
  bitAt,
  bitLength,
  isTreeCount,
  MAX_TREE_SIZE,
  onesCount,
  shiftRight,
  trailingZeros,
  xor,
} from './bits.js';
import { HASH_SIZE, hashesEqual, hashToHex, nodeHash, type Hash } from './hash.js';

/**
 * Checks that `proof` proves leaf `index` (with RFC 6962 leaf hash `leafHash`) is in the tree of `size` leaves
 * whose root is `root` (RFC 9162 §2.1.3.2). Throws badProof naming what failed.
 */
export function verifyInclusion(
  index: number,
  size: number,
  leafHash: Hash,
  proof: readonly Hash[],
  root: Hash,
): void {
  const where = inclusionWhere(index, size);
  requireHash(root, 'expected root', where);
  const calculated = rootFromInclusionProof(index, size, leafHash, proof);
  if (!hashesEqual(calculated, root)) {
    throw new GovernessError(LedgerErrors.badProof, {
      where,
      problem: `calculated root ${hashToHex(calculated)} does not match expected root ${hashToHex(root)}`,
    });
  }
}

/**
 * The root that an inclusion proof implies for leaf `index` of a tree of `size` leaves (RFC 9162 §2.1.3.2
 * steps 1-5). Requires 0 <= index < size and exactly the proof length those two imply.
 */
export function rootFromInclusionProof(
  index: number,
  size: number,
  leafHash: Hash,
  proof: readonly Hash[],
): Hash {
  const where = inclusionWhere(index, size);
  requireCount(index, 'leaf index', where);
  requireCount(size, 'tree size', where);
  if (index >= size) fail(where, `leaf index ${index} is beyond tree size ${size}`);
  requireHash(leafHash, 'leaf hash', where);
  requireProofHashes(proof, where);
  const { inner, border } = decomposeInclusionProof(index, size);
  if (proof.length !== inner + border) {
    fail(where, `wrong proof length ${proof.length}, want ${inner + border} for leaf ${index} of ${size}`);
  }
  const hash = chainInner(leafHash, proof.slice(0, inner), index);
  return chainBorderRight(hash, proof.slice(inner));
}

/**
 * Checks that `proof` shows the tree of `size2` leaves with root `root2` extends the tree of `size1` leaves with
 * root `root1` (RFC 9162 §2.1.4.2). Requires 0 < size1 <= size2; equal sizes need an empty proof and equal roots.
 */
export function verifyConsistency(
  size1: number,
  size2: number,
  proof: readonly Hash[],
  root1: Hash,
  root2: Hash,
): void {
  requireHash(root2, 'new root', consistencyWhere(size1, size2));
  const calculated = rootFromConsistencyProof(size1, size2, proof, root1);
  if (!hashesEqual(calculated, root2)) {
    throw new GovernessError(LedgerErrors.inconsistent, {
      size: size2,
      earlier: size1,
      problem: `the proof yields new root ${hashToHex(calculated)}, not the expected ${hashToHex(root2)}`,
    });
  }
}

/**
 * The root of the tree of `size2` leaves that a consistency proof implies, after checking the proof reproduces
 * `root1` for the first `size1` leaves (RFC 9162 §2.1.4.2). Requires 0 < size1 <= size2.
 */
export function rootFromConsistencyProof(
  size1: number,
  size2: number,
  proof: readonly Hash[],
  root1: Hash,
): Hash {
  const where = consistencyWhere(size1, size2);
  requireCount(size1, 'size1', where);
  requireCount(size2, 'size2', where);
  if (size2 < size1) fail(where, `size2 ${size2} is below size1 ${size1}`);
  if (size1 === 0)
    fail(where, 'a consistency proof from the empty tree is meaningless (every tree extends it)');
  requireHash(root1, 'earlier root', where);
  requireProofHashes(proof, where);
  if (size1 === size2) {
    if (proof.length > 0)
      fail(where, `the sizes are equal, so the proof must be empty; it has ${proof.length} hashes`);
    return root1;
  }
  if (proof.length === 0) fail(where, 'empty proof for different tree sizes');

  // Skip the levels where the two trees share the perfect subtree of 2^shift leaves that ends at size1.
  const decomposed = decomposeInclusionProof(size1 - 1, size2);
  const shift = trailingZeros(size1);
  const inner = decomposed.inner - shift;
  const border = decomposed.border;
  // The proof starts with that subtree's hash, unless it is the whole old tree (size1 = 2^shift): then the
  // verifier already knows it as root1 (RFC 9162 §2.1.4.2 step 2).
  const oldTreeIsPerfect = size1 === 2 ** shift;
  const seed = oldTreeIsPerfect ? root1 : proof[0]!;
  const path = oldTreeIsPerfect ? proof : proof.slice(1);
  const want = (oldTreeIsPerfect ? 0 : 1) + inner + border;
  if (proof.length !== want)
    fail(where, `wrong proof length ${proof.length}, want ${want} for ${size1} → ${size2}`);
  // Now path is the suffix, from level `shift`, of the inclusion proof of leaf size1 - 1 in the tree of size2.
  const innerPath = path.slice(0, inner);
  const borderPath = path.slice(inner);
  const mask = shiftRight(size1 - 1, shift);

  const calculated1 = chainBorderRight(chainInnerRight(seed, innerPath, mask), borderPath);
  if (!hashesEqual(calculated1, root1)) {
    throw new GovernessError(LedgerErrors.inconsistent, {
      size: size2,
      earlier: size1,
      problem: `the proof yields earlier root ${hashToHex(calculated1)}, not the expected ${hashToHex(root1)}`,
    });
  }
  return chainBorderRight(chainInner(seed, innerPath, mask), borderPath);
}

/**
 * Splits the inclusion proof of leaf `index` in a tree of `size` leaves at the level where the paths to
 * `index` and `size - 1` diverge: `inner` hashes below it (left or right siblings), `border` above it (left
 * siblings only, one per one bit of index above that level).
 */
function decomposeInclusionProof(index: number, size: number): { inner: number; border: number } {
  const inner = bitLength(xor(index, size - 1));
  return { inner, border: onesCount(shiftRight(index, inner)) };
}

/** Hashes up the inner part: bit i of `index` says whether proof[i] is the left (1) or right (0) sibling. */
function chainInner(seed: Hash, proof: readonly Hash[], index: number): Hash {
  let hash = seed;
  proof.forEach((sibling, i) => {
    hash = bitAt(index, i) === 0 ? nodeHash(hash, sibling) : nodeHash(sibling, hash);
  });
  return hash;
}

/** Like chainInner, but skips right siblings: the result is the subtree hash as it was in the earlier tree. */
function chainInnerRight(seed: Hash, proof: readonly Hash[], index: number): Hash {
  let hash = seed;
  proof.forEach((sibling, i) => {
    if (bitAt(index, i) === 1) hash = nodeHash(sibling, hash);
  });
  return hash;
}

/** Hashes up the right border of the tree, where every sibling is a left one. */
function chainBorderRight(seed: Hash, proof: readonly Hash[]): Hash {
  let hash = seed;
  for (const sibling of proof) hash = nodeHash(sibling, hash);
  return hash;
}

function inclusionWhere(index: number, size: number): string {
  return `inclusion proof (leaf ${String(index)}, tree size ${String(size)})`;
}

function consistencyWhere(size1: number, size2: number): string {
  return `consistency proof (${String(size1)} → ${String(size2)})`;
}

function fail(where: string, problem: string): never {
  throw new GovernessError(LedgerErrors.badProof, { where, problem });
}

function requireCount(value: number, name: string, where: string): void {
  if (!isTreeCount(value))
    fail(where, `${name} must be an integer from 0 to ${MAX_TREE_SIZE}, got ${String(value)}`);
}

function requireHash(value: Uint8Array, name: string, where: string): void {
  if (!(value instanceof Uint8Array)) fail(where, `${name} is not a byte array`);
  if (value.length !== HASH_SIZE) fail(where, `${name} is ${value.length} bytes, want ${HASH_SIZE}`);
}

function requireProofHashes(proof: readonly Hash[], where: string): void {
  if (!Array.isArray(proof)) fail(where, 'the proof is not an array of hashes');
  proof.forEach((hash, i) => requireHash(hash, `proof[${i}]`, where));
}
