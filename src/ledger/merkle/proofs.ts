// Building tree hashes and proofs from stored nodes. Each function first plans which subtree ranges the RFC
// 6962 §2.1 recursion needs (each proof element is the MTH of one range), maps every range to its complete
// subtrees, reads all of them in ONE readHashes call, then folds each range's hashes into its MTH. Proofs are
// RFC 6962 §2.1.1 audit paths and §2.1.2 consistency proofs, which RFC 9162 §2.1.3 / §2.1.4 keep unchanged;
// the verifiers are in verify.ts.
import { GovernessError, LedgerErrors } from '../../errors/index.js';
import { isTreeCount, largestPowerOfTwoBelow, MAX_TREE_SIZE } from './bits.js';
import { EMPTY_ROOT, type Hash } from './hash.js';
import { foldSubtreeHashes, readChecked, subtreeNodes, type HashReader, type NodeId } from './nodes.js';

/** A leaf range [begin, end) whose Merkle Tree Hash is one proof element. */
type LeafRange = readonly [begin: number, end: number];

/** MTH(D[0:size]) (RFC 6962 §2.1) from the stored frontier nodes: one read of at most 53 hashes. */
export async function treeHash(size: number, reader: HashReader): Promise<Hash> {
  requireCount(size, 'tree size', `tree hash of size ${String(size)}`);
  if (size === 0) return EMPTY_ROOT;
  const [root] = await hashRanges([[0, size]], reader, `tree hash of size ${size}`);
  return root!;
}

/**
 * The RFC 6962 §2.1.1 audit path PATH(index, D[0:size]) for leaf `index`: sibling subtree hashes from the leaf
 * up to the root. Throws badProof unless 0 <= index < size.
 */
export async function inclusionProof(index: number, size: number, reader: HashReader): Promise<Hash[]> {
  const where = `inclusion proof request (leaf ${String(index)}, tree size ${String(size)})`;
  requireCount(index, 'leaf index', where);
  requireCount(size, 'tree size', where);
  if (index >= size) {
    throw new GovernessError(LedgerErrors.badProof, {
      where,
      problem: `leaf index ${index} is not below tree size ${size}`,
    });
  }
  const ranges: LeafRange[] = [];
  pathRanges(index, 0, size, ranges);
  return hashRanges(ranges, reader, where);
}

/**
 * The RFC 6962 §2.1.2 consistency proof PROOF(oldSize, D[0:newSize]). Empty when the sizes are equal; throws
 * badProof when oldSize is 0 (nothing to prove) or above newSize.
 */
export async function consistencyProof(
  oldSize: number,
  newSize: number,
  reader: HashReader,
): Promise<Hash[]> {
  const where = `consistency proof request (${String(oldSize)} → ${String(newSize)})`;
  requireCount(oldSize, 'old tree size', where);
  requireCount(newSize, 'new tree size', where);
  if (oldSize === 0) {
    throw new GovernessError(LedgerErrors.badProof, {
      where,
      problem: 'a consistency proof from the empty tree is meaningless (every tree extends it)',
    });
  }
  if (oldSize > newSize) {
    throw new GovernessError(LedgerErrors.badProof, {
      where,
      problem: `old tree size ${oldSize} is above new tree size ${newSize}`,
    });
  }
  const ranges: LeafRange[] = [];
  subproofRanges(oldSize, 0, newSize, true, ranges);
  return hashRanges(ranges, reader, where);
}

/**
 * RFC 6962 §2.1.1: PATH(m, D[lo:hi]) = PATH(m, D[lo:lo+k]) : MTH(D[lo+k:hi]) when m < lo+k, else
 * PATH(m, D[lo+k:hi]) : MTH(D[lo:lo+k]), where k is the largest power of two below hi - lo; empty for one leaf.
 */
function pathRanges(m: number, lo: number, hi: number, out: LeafRange[]): void {
  if (hi - lo <= 1) return;
  const k = largestPowerOfTwoBelow(hi - lo);
  if (m < lo + k) {
    pathRanges(m, lo, lo + k, out);
    out.push([lo + k, hi]);
  } else {
    pathRanges(m, lo + k, hi, out);
    out.push([lo, lo + k]);
  }
}

/**
 * RFC 6962 §2.1.2 SUBPROOF(m, D[lo:hi], b) with m given as the absolute end `oldEnd` of the old tree: when the
 * old tree ends at hi the subtree is common ground (sent unless it is the old root the verifier knows);
 * otherwise recurse into the half holding oldEnd and append the other half's MTH.
 */
function subproofRanges(oldEnd: number, lo: number, hi: number, knownRoot: boolean, out: LeafRange[]): void {
  if (oldEnd === hi) {
    if (!knownRoot) out.push([lo, hi]);
    return;
  }
  const k = largestPowerOfTwoBelow(hi - lo);
  if (oldEnd <= lo + k) {
    subproofRanges(oldEnd, lo, lo + k, knownRoot, out);
    out.push([lo + k, hi]);
  } else {
    subproofRanges(oldEnd, lo + k, hi, false, out);
    out.push([lo, lo + k]);
  }
}

/** The MTH of each range, from one batched read of all the complete subtrees they consist of. */
async function hashRanges(ranges: readonly LeafRange[], reader: HashReader, what: string): Promise<Hash[]> {
  const perRange = ranges.map(([begin, end]) => subtreeNodes(begin, end));
  const nodes: NodeId[] = perRange.flat();
  const hashes = await readChecked(reader, nodes, what);
  const out: Hash[] = [];
  let offset = 0;
  for (const rangeNodes of perRange) {
    out.push(foldSubtreeHashes(hashes, offset, offset + rangeNodes.length));
    offset += rangeNodes.length;
  }
  return out;
}

function requireCount(value: number, name: string, where: string): void {
  if (!isTreeCount(value)) {
    throw new GovernessError(LedgerErrors.badProof, {
      where,
      problem: `${name} must be an integer from 0 to ${MAX_TREE_SIZE}, got ${String(value)}`,
    });
  }
}
