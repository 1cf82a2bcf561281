import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GovernessError, LedgerErrors } from '../../../src/errors/index.js';
import {
  consistencyProof,
  hashToHex,
  inclusionProof,
  leafHash,
  MemoryTileStore,
  tilesForAppend,
  treeHash,
  verifyConsistency,
  verifyInclusion,
  type Hash,
  type HashReader,
} from '../../../src/ledger/merkle/index.js';
import { makeLeaves, ReferenceTree } from './reference.js';
import {
  LEAF_INPUTS,
  REFERENCE_CONSISTENCY_PROOFS,
  REFERENCE_INCLUSION_PROOFS,
  ROOT_HASHES,
} from './vectors.js';

async function caughtAsync(fn: () => Promise<unknown>): Promise<GovernessError> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof GovernessError) return err;
    throw err;
  }
  throw new Error('expected a GovernessError');
}

/** A tile store holding `leaves`, appended in batches of `batch`. */
async function storeOf(leaves: readonly Hash[], batch = 256): Promise<MemoryTileStore> {
  const store = new MemoryTileStore();
  for (let at = 0; at < leaves.length; at += batch) {
    store.writeTiles((await tilesForAppend(at, leaves.slice(at, at + batch), store)).tiles);
  }
  return store;
}

/** Wraps a reader to count its calls. */
function counting(reader: HashReader): HashReader & { calls: number } {
  const wrapped = {
    calls: 0,
    readHashes: (nodes: Parameters<HashReader['readHashes']>[0]) => {
      wrapped.calls++;
      return reader.readHashes(nodes);
    },
  };
  return wrapped;
}

describe('proofs over the 8-leaf reference tree (transparency-dev/merkle testonly/reference_test.go)', () => {
  const leaves = LEAF_INPUTS.map((input) => leafHash(new Uint8Array(Buffer.from(input, 'hex'))));

  it('tree hashes of every size 0..8 from a store of size 8 (RootHashes)', async () => {
    const store = await storeOf(leaves);
    for (let size = 0; size <= 8; size++)
      expect(hashToHex(await treeHash(size, store))).toBe(ROOT_HASHES[size]);
  });

  it.each(REFERENCE_INCLUSION_PROOFS.map((v) => [v.index, v.size, v] as const))(
    'inclusion proof of %i in %i',
    async (index, size, v) => {
      const store = await storeOf(leaves);
      expect((await inclusionProof(index, size, store)).map(hashToHex)).toEqual(v.proof);
    },
  );

  it.each(REFERENCE_CONSISTENCY_PROOFS.map((v) => [v.size1, v.size2, v] as const))(
    'consistency proof %i → %i',
    async (size1, size2, v) => {
      const store = await storeOf(leaves);
      expect((await consistencyProof(size1, size2, store)).map(hashToHex)).toEqual(v.proof);
    },
  );
});

describe('proofs from tiles against the RFC 6962 definitions', () => {
  const tree = new ReferenceTree(makeLeaves(2100, 'proofs'));
  const storePromise = storeOf(tree.leaves, 97);

  it('every inclusion and consistency proof of every size up to 40 equals the reference and verifies', async () => {
    const store = await storeOf(tree.leaves.slice(0, 40), 7);
    for (let size = 1; size <= 40; size++) {
      const sized = tree.prefix(size);
      const root = sized.mth();
      expect(await treeHash(size, store)).toEqual(root);
      for (let index = 0; index < size; index++) {
        const proof = await inclusionProof(index, size, store);
        expect(proof).toEqual(sized.path(index));
        verifyInclusion(index, size, tree.leaves[index]!, proof, root);
      }
      for (let old = 1; old <= size; old++) {
        const proof = await consistencyProof(old, size, store);
        expect(proof).toEqual(sized.proof(old, size));
        verifyConsistency(old, size, proof, tree.mth(0, old), root);
      }
    }
  });

  it('random inclusion proofs up to 2100 leaves: equal to the reference, verify, one read each', async () => {
    const store = await storePromise;
    const cases = fc
      .integer({ min: 1, max: 2100 })
      .chain((size) => fc.tuple(fc.constant(size), fc.integer({ min: 0, max: size - 1 })));
    await fc.assert(
      fc.asyncProperty(cases, async ([size, index]) => {
        const reader = counting(store);
        const proof = await inclusionProof(index, size, reader);
        expect(reader.calls).toBe(size === 1 ? 0 : 1);
        expect(proof).toEqual(tree.prefix(size).path(index));
        verifyInclusion(index, size, tree.leaves[index]!, proof, await treeHash(size, store));
      }),
      { numRuns: 200 },
    );
  });

  it('random consistency proofs up to 2100 leaves: equal to the reference, verify, one read each', async () => {
    const store = await storePromise;
    const cases = fc
      .integer({ min: 1, max: 2100 })
      .chain((size2) => fc.tuple(fc.integer({ min: 1, max: size2 }), fc.constant(size2)));
    await fc.assert(
      fc.asyncProperty(cases, async ([size1, size2]) => {
        const reader = counting(store);
        const proof = await consistencyProof(size1, size2, reader);
        expect(reader.calls).toBe(size1 === size2 ? 0 : 1);
        expect(proof).toEqual(tree.prefix(size2).proof(size1, size2));
        verifyConsistency(size1, size2, proof, tree.mth(0, size1), tree.mth(0, size2));
      }),
      { numRuns: 200 },
    );
  });

  it('treeHash reads at most one hash per one bit of the size, in one call', async () => {
    const store = await storePromise;
    for (const size of [1, 255, 256, 257, 1023, 2047, 2100]) {
      const nodes: number[] = [];
      const reader: HashReader = {
        readHashes: (asked) => {
          nodes.push(asked.length);
          return store.readHashes(asked);
        },
      };
      expect(await treeHash(size, reader)).toEqual(tree.mth(0, size));
      expect(nodes).toEqual([
        size
          .toString(2)
          .split('')
          .filter((c) => c === '1').length,
      ]);
    }
  });
});

describe('bad requests', () => {
  const store = new MemoryTileStore();

  it.each([
    [
      () => inclusionProof(5, 5, store),
      'inclusion proof request (leaf 5, tree size 5)',
      'leaf index 5 is not below tree size 5',
    ],
    [
      () => inclusionProof(0, 0, store),
      'inclusion proof request (leaf 0, tree size 0)',
      'leaf index 0 is not below tree size 0',
    ],
    [
      () => inclusionProof(-1, 5, store),
      'inclusion proof request (leaf -1, tree size 5)',
      'leaf index must be an integer from 0 to 9007199254740991, got -1',
    ],
    [
      () => consistencyProof(0, 5, store),
      'consistency proof request (0 → 5)',
      'a consistency proof from the empty tree is meaningless (every tree extends it)',
    ],
    [
      () => consistencyProof(6, 5, store),
      'consistency proof request (6 → 5)',
      'old tree size 6 is above new tree size 5',
    ],
    [
      () => treeHash(0.5, store),
      'tree hash of size 0.5',
      'tree size must be an integer from 0 to 9007199254740991, got 0.5',
    ],
  ])('%#: rejected with badProof naming the request', async (fn, where, problem) => {
    const err = await caughtAsync(fn);
    expect(err.code).toBe(LedgerErrors.badProof.code);
    expect(err.details).toEqual({ where, problem });
  });

  it('a reader that answers with the wrong count is reported as storeCorrupt', async () => {
    const liar: HashReader = { readHashes: () => [] };
    const err = await caughtAsync(() => inclusionProof(1, 5, liar));
    expect(err.code).toBe(LedgerErrors.storeCorrupt.code);
    expect(err.details).toEqual({
      where: 'hash reader (inclusion proof request (leaf 1, tree size 5))',
      problem: 'asked for 3 hashes, got 0',
    });
    const short: HashReader = { readHashes: (nodes) => nodes.map(() => new Uint8Array(31)) };
    const err2 = await caughtAsync(() => treeHash(3, short));
    expect(err2.details['problem']).toBe('hash reader returned 31 bytes, want 32 bytes');
  });

  it('a proof for a tree larger than the store fails with storeCorrupt naming the missing tile', async () => {
    const small = await storeOf(makeLeaves(10));
    const err = await caughtAsync(() => inclusionProof(3, 300, small));
    expect(err.code).toBe(LedgerErrors.storeCorrupt.code);
    expect(err.details['where']).toMatch(/^tile\/0\/00[01]/);
  });
});
