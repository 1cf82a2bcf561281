// Node coordinates and the reader interface every tree algorithm reads stored hashes through. A node (level,
// index) is the root of the perfect subtree over leaves [index·2^level, (index+1)·2^level); level 0 holds the
// leaf hashes. Only such complete subtrees are ever stored; the right edge of a tree whose size is not a power
// of two is recomputed from them (RFC 6962 §2.1).
import { GovernessError, LedgerErrors } from '../../errors/index.js';
import { bitLength, largestPowerOfTwoBelow, shiftRight } from './bits.js';
import { HASH_SIZE, nodeHash, type Hash } from './hash.js';

/** Coordinates of a complete subtree: its height above the leaves and its position within that level. */
export interface NodeId {
  /** Height above the leaves; 0 is a leaf hash. */
  readonly level: number;
  /** Position within the level, from 0. */
  readonly index: number;
}

/**
 * Reads stored hashes of complete subtree nodes. One call per tree hash or proof, so a database-backed reader
 * pays one round trip; the result must hold one 32-byte hash per requested node, in request order.
 */
export interface HashReader {
  /** Returns the hash of each node, in the order asked. */
  readHashes(nodes: readonly NodeId[]): Promise<readonly Hash[]> | readonly Hash[];
}

/** Human-readable coordinates for error messages, e.g. `node (3, 17)`. */
export function describeNode(node: NodeId): string {
  return `node (${node.level}, ${node.index})`;
}

/**
 * The complete subtrees that make up leaves [begin, end), left to right, for a range the RFC 6962 recursion
 * produces (begin is a multiple of the smallest power of two >= end - begin). For [0, n) these are the
 * frontier: one node per one bit of n, largest first.
 */
export function subtreeNodes(begin: number, end: number): NodeId[] {
  const nodes: NodeId[] = [];
  let position = begin;
  while (position < end) {
    const width = largestPowerOfTwoBelow(end - position + 1);
    const level = bitLength(width) - 1;
    if (position % width !== 0) {
      throw new Error(`subtreeNodes: [${begin}, ${end}) is not an aligned range (internal error)`);
    }
    nodes.push({ level, index: shiftRight(position, level) });
    position += width;
  }
  return nodes;
}

/** MTH of a range from the hashes of its subtreeNodes (left to right): fold from the right (RFC 6962 §2.1). */
export function foldSubtreeHashes(hashes: readonly Hash[], from = 0, to = hashes.length): Hash {
  let hash = hashes[to - 1];
  if (hash === undefined) throw new Error('foldSubtreeHashes: no hashes (internal error)');
  for (let i = to - 2; i >= from; i--) hash = nodeHash(hashes[i]!, hash);
  return hash;
}

/** Reads `nodes` through `reader` and checks the answer has the right count and 32-byte hashes. */
export async function readChecked(
  reader: HashReader,
  nodes: readonly NodeId[],
  what: string,
): Promise<Hash[]> {
  if (nodes.length === 0) return [];
  const hashes = await reader.readHashes(nodes);
  if (hashes.length !== nodes.length) {
    throw new GovernessError(LedgerErrors.storeCorrupt, {
      where: `hash reader (${what})`,
      problem: `asked for ${nodes.length} hashes, got ${hashes.length}`,
    });
  }
  for (let i = 0; i < hashes.length; i++) {
    const hash = hashes[i];
    if (!(hash instanceof Uint8Array) || hash.length !== HASH_SIZE) {
      throw new GovernessError(LedgerErrors.storeCorrupt, {
        where: `${describeNode(nodes[i]!)} (${what})`,
        problem: `hash reader returned ${hash instanceof Uint8Array ? `${hash.length} bytes` : typeof hash}, want ${HASH_SIZE} bytes`,
      });
    }
  }
  return [...hashes];
}
