import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GovernessError, LedgerErrors } from '../../../src/errors/index.js';
import {
  CompactRange,
  EMPTY_ROOT,
  hashToHex,
  leafHash,
  type Hash,
  type HashReader,
  type NodeId,
} from '../../../src/ledger/merkle/index.js';
import { makeLeaves, ReferenceTree } from './reference.js';
import { COMPACT_TREES, LEAF_INPUTS, NODE_HASHES, ROOT_HASHES } from './vectors.js';

const hex = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'hex'));

function caught(fn: () => unknown): GovernessError {
  try {
    fn();
  } catch (err) {
    if (err instanceof GovernessError) return err;
    throw err;
  }
  throw new Error('expected a GovernessError');
}

function rangeOf(leaves: readonly Hash[]): CompactRange {
  const range = CompactRange.empty();
  for (const leaf of leaves) range.append(leaf);
  return range;
}

/** A HashReader answering from a reference tree. */
function referenceReader(tree: ReferenceTree): HashReader {
  return { readHashes: (nodes: readonly NodeId[]) => nodes.map((n) => tree.node(n.level, n.index)) };
}

const bigTree = new ReferenceTree(makeLeaves(2000, 'compact'));

describe('the 8-leaf reference tree (transparency-dev/merkle testonly/constants.go)', () => {
  const leaves = LEAF_INPUTS.map((input) => leafHash(hex(input)));

  it('has the published frontier (CompactTrees) and root (RootHashes) at every size 0..8', () => {
    const range = CompactRange.empty();
    for (let size = 0; size <= 8; size++) {
      if (size > 0) range.append(leaves[size - 1]!);
      expect(range.size).toBe(size);
      expect(range.hashes.map(hashToHex)).toEqual(COMPACT_TREES[size]!.map(([l, i]) => NODE_HASHES[l]![i]));
      expect(hashToHex(range.root())).toBe(ROOT_HASHES[size]);
    }
  });

  it('reports every complete subtree exactly once, with the published hash (NodeHashes)', () => {
    const seen: string[] = [];
    const range = CompactRange.empty();
    for (const leaf of leaves) {
      range.append(leaf, (level, index, hash) => {
        expect(hashToHex(hash)).toBe(NODE_HASHES[level]![index]);
        seen.push(`${level}/${index}`);
      });
    }
    expect(seen.sort()).toEqual(
      NODE_HASHES.flatMap((row, level) => row.map((_, index) => `${level}/${index}`)).sort(),
    );
  });
});

describe('CompactRange against the recursive RFC 6962 MTH', () => {
  it('root() equals MTH(D[0:n]) for every size up to 300, and EMPTY_ROOT for 0', () => {
    const range = CompactRange.empty();
    expect(range.root()).toEqual(EMPTY_ROOT);
    for (let size = 1; size <= 300; size++) {
      range.append(bigTree.leaves[size - 1]!);
      expect(range.root(), `size ${size}`).toEqual(bigTree.mth(0, size));
      expect(range.hashes).toHaveLength(range.nodes().length);
    }
  });

  it('root() equals the reference for random sizes up to 2000; frontier nodes carry the reference hashes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2000 }), (size) => {
        const range = rangeOf(bigTree.leaves.slice(0, size));
        expect(range.root()).toEqual(bigTree.mth(0, size));
        range
          .nodes()
          .forEach((node, i) => expect(range.hashes[i]).toEqual(bigTree.node(node.level, node.index)));
      }),
      { numRuns: 60 },
    );
  });

  it('visits each new node with the reference hash of that subtree', () => {
    const range = CompactRange.empty();
    let visits = 0;
    for (const leaf of bigTree.leaves.slice(0, 700)) {
      range.append(leaf, (level, index, hash) => {
        visits++;
        expect(hash).toEqual(bigTree.node(level, index));
      });
    }
    // A tree of n leaves has n leaf nodes and n - popcount(n) interior complete subtrees: 700 + 700 - 6.
    expect(visits).toBe(1394);
  });

  it('fromReader rebuilds the same frontier in one read', async () => {
    for (const size of [0, 1, 2, 3, 255, 256, 257, 1000, 1999]) {
      let calls = 0;
      const reader = referenceReader(bigTree);
      const counting: HashReader = {
        readHashes: (nodes) => {
          calls++;
          return reader.readHashes(nodes);
        },
      };
      const rebuilt = await CompactRange.fromReader(size, counting);
      expect(rebuilt.equals(rangeOf(bigTree.leaves.slice(0, size)))).toBe(true);
      expect(calls).toBe(size === 0 ? 0 : 1);
    }
  });

  it('clone is independent of the original', () => {
    const range = rangeOf(bigTree.leaves.slice(0, 5));
    const copy = range.clone();
    copy.append(bigTree.leaves[5]!);
    expect(range.size).toBe(5);
    expect(range.root()).toEqual(bigTree.mth(0, 5));
    expect(copy.root()).toEqual(bigTree.mth(0, 6));
    expect(range.equals(copy)).toBe(false);
  });

  it('refuses a leaf hash that is not 32 bytes', () => {
    const err = caught(() => CompactRange.empty().append(new Uint8Array(31)));
    expect(err.code).toBe(LedgerErrors.appendFailed.code);
    expect(err.message).toBe('append failed: leaf hash for index 0 must be 32 bytes');
  });
});

describe('serialised frontier', () => {
  it('round-trips for any size', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2000 }), (size) => {
        const range = rangeOf(bigTree.leaves.slice(0, size));
        const restored = CompactRange.fromBytes(range.toBytes());
        expect(restored.equals(range)).toBe(true);
        expect(restored.root()).toEqual(range.root());
      }),
      { numRuns: 50 },
    );
  });

  it('has the documented layout: version 1, uint64 big-endian size, then the hashes largest first', () => {
    const range = rangeOf(bigTree.leaves.slice(0, 3));
    const bytes = range.toBytes();
    expect(bytes).toHaveLength(9 + 2 * 32);
    expect([...bytes.subarray(0, 9)]).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 3]);
    expect(bytes.subarray(9, 41)).toEqual(bigTree.node(1, 0));
    expect(bytes.subarray(41, 73)).toEqual(bigTree.node(0, 2));
    expect([...CompactRange.empty().toBytes()]).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('keeps a frontier of a size near 2^53 intact', () => {
    const size = 2 ** 53 - 1;
    const hashes = Array.from({ length: 53 }, (_, i) => bigTree.leaves[i]!);
    const range = CompactRange.fromHashes(size, hashes);
    const restored = CompactRange.fromBytes(range.toBytes());
    expect(restored.size).toBe(size);
    expect(restored.equals(range)).toBe(true);
  });

  const good = rangeOf(bigTree.leaves.slice(0, 6)).toBytes();
  const withSize = (size: bigint): Uint8Array => {
    const bytes = good.slice();
    new DataView(bytes.buffer).setBigUint64(1, size, false);
    return bytes;
  };

  it.each([
    ['empty', new Uint8Array(0), '0 bytes is shorter than the 9-byte header'],
    ['a short header', good.subarray(0, 8), '8 bytes is shorter than the 9-byte header'],
    [
      'an unknown version',
      Uint8Array.of(2, ...good.subarray(1)),
      'unknown format version 2 (this build reads version 1)',
    ],
    [
      'a truncated hash',
      good.subarray(0, good.length - 1),
      'a tree of size 6 needs 2 hashes (73 bytes), got 72 bytes',
    ],
    ['an extra byte', Uint8Array.of(...good, 0), 'a tree of size 6 needs 2 hashes (73 bytes), got 74 bytes'],
    [
      'a size that needs more hashes',
      withSize(7n),
      'a tree of size 7 needs 3 hashes (105 bytes), got 73 bytes',
    ],
    ['a size above 2^53 - 1', withSize(2n ** 53n), 'tree size 9007199254740992 exceeds 9007199254740991'],
  ])('rejects %s with storeCorrupt naming the record', (_name, bytes, problem) => {
    const err = caught(() => CompactRange.fromBytes(bytes, 'frontier row of batch 12'));
    expect(err.code).toBe(LedgerErrors.storeCorrupt.code);
    expect(err.details).toEqual({ where: 'frontier row of batch 12', problem });
  });

  it('fromHashes rejects a hash count that does not fit the size', () => {
    const err = caught(() => CompactRange.fromHashes(6, [bigTree.leaves[0]!]));
    expect(err.details['problem']).toBe('a tree of size 6 has 2 frontier hashes, got 1');
    expect(caught(() => CompactRange.fromHashes(-1, [])).details['problem']).toMatch(
      /tree size must be an integer/,
    );
    expect(caught(() => CompactRange.fromHashes(1, [new Uint8Array(3)])).details['where']).toBe(
      'merkle frontier hash 0',
    );
  });
});
