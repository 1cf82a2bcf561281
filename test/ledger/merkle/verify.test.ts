import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GovernessError, LedgerErrors } from '../../../src/errors/index.js';
import {
  rootFromConsistencyProof,
  rootFromInclusionProof,
  verifyConsistency,
  verifyInclusion,
  type Hash,
} from '../../../src/ledger/merkle/index.js';
import {
  makeLeaves,
  ReferenceTree,
  refLeafHash,
  rfc9162VerifyConsistency,
  rfc9162VerifyInclusion,
} from './reference.js';
import {
  CONSISTENCY_PROBES,
  INCLUSION_PROBES,
  LEAF_INPUTS,
  REFERENCE_CONSISTENCY_PROOFS,
  REFERENCE_INCLUSION_PROOFS,
  ROOT_HASHES,
} from './vectors.js';

const b64 = (text: string): Hash => new Uint8Array(Buffer.from(text, 'base64'));
const hex = (text: string): Hash => new Uint8Array(Buffer.from(text, 'hex'));

/** Runs fn and returns the GovernessError it throws (fails the test if it throws nothing or something else). */
function caught(fn: () => unknown): GovernessError {
  try {
    fn();
  } catch (err) {
    if (err instanceof GovernessError) return err;
    throw new Error(`expected a GovernessError, got ${String(err)}`, { cause: err });
  }
  throw new Error('expected a GovernessError, but nothing was thrown');
}

// Probes that verify.go accepts but this port rejects, because it also requires every root to be 32 bytes:
// both roots are the 12-byte placeholder "don't care 2", so no real tree has them.
const STRICTER_THAN_GO = new Set([
  'testdata/consistency/additional/sizes-are-equal-one-and-proof-is-empty.json',
]);

describe('verifyInclusion: transparency-dev/merkle testdata/inclusion probes', () => {
  it.each(INCLUSION_PROBES.map((p) => [p.file, p] as const))('%s', (_file, probe) => {
    const run = (): void =>
      verifyInclusion(
        probe.leafIdx,
        probe.treeSize,
        b64(probe.leafHash),
        probe.proof.map(b64),
        b64(probe.root),
      );
    if (!probe.wantErr) {
      run();
      const root = rootFromInclusionProof(
        probe.leafIdx,
        probe.treeSize,
        b64(probe.leafHash),
        probe.proof.map(b64),
      );
      expect(Buffer.from(root).toString('base64')).toBe(probe.root);
      return;
    }
    const err = caught(run);
    expect(err.code).toBe(LedgerErrors.badProof.code);
    expect(err.message).toMatch(/^invalid proof inclusion proof \(leaf \d+, tree size \d+\): .+/);
  });

  it('has the published number of probes', () => {
    // 98 files under testdata/inclusion; 6 are happy paths (0 of 1 twice, 0 and 5 of 8, 2 of 3, 1 of 5).
    expect(INCLUSION_PROBES).toHaveLength(98);
    expect(INCLUSION_PROBES.filter((p) => !p.wantErr)).toHaveLength(6);
    // 98 files under testdata/consistency; 6 are meant to verify (5 happy paths and 1 → 1 with an empty proof).
    expect(CONSISTENCY_PROBES).toHaveLength(98);
    expect(CONSISTENCY_PROBES.filter((p) => !p.wantErr)).toHaveLength(6);
  });
});

describe('verifyConsistency: transparency-dev/merkle testdata/consistency probes', () => {
  it.each(CONSISTENCY_PROBES.map((p) => [p.file, p] as const))('%s', (file, probe) => {
    const run = (): void =>
      verifyConsistency(probe.size1, probe.size2, probe.proof.map(b64), b64(probe.root1), b64(probe.root2));
    if (!probe.wantErr && !STRICTER_THAN_GO.has(file)) {
      run();
      return;
    }
    const err = caught(run);
    expect([LedgerErrors.badProof.code, LedgerErrors.inconsistent.code]).toContain(err.code);
    if (err.code === LedgerErrors.inconsistent.code) {
      expect(err.details).toMatchObject({ size: probe.size2, earlier: probe.size1 });
    } else {
      expect(err.message).toContain(`consistency proof (${probe.size1} → ${probe.size2})`);
    }
  });

  it('rejects the probe verify.go accepts only because it does not check root lengths', () => {
    const probe = CONSISTENCY_PROBES.find((p) => STRICTER_THAN_GO.has(p.file))!;
    expect(probe.wantErr).toBe(false);
    const err = caught(() => verifyConsistency(1, 1, [], b64(probe.root1), b64(probe.root2)));
    expect(err.message).toContain('root is 12 bytes, want 32');
  });
});

describe('published reference proofs over the 8-leaf RFC 6962 tree (testonly/reference_test.go)', () => {
  const leafHashes = LEAF_INPUTS.map((input) => refLeafHash(hex(input)));

  it.each(REFERENCE_INCLUSION_PROOFS.map((v) => [v.index, v.size, v] as const))(
    'inclusion %i in %i',
    (_i, _s, v) => {
      verifyInclusion(v.index, v.size, leafHashes[v.index]!, v.proof.map(hex), hex(ROOT_HASHES[v.size]!));
      expect(
        rfc9162VerifyInclusion(
          v.index,
          v.size,
          leafHashes[v.index]!,
          v.proof.map(hex),
          hex(ROOT_HASHES[v.size]!),
        ),
      ).toBe(true);
    },
  );

  it.each(REFERENCE_CONSISTENCY_PROOFS.map((v) => [v.size1, v.size2, v] as const))(
    'consistency %i → %i',
    (_a, _b, v) => {
      verifyConsistency(
        v.size1,
        v.size2,
        v.proof.map(hex),
        hex(ROOT_HASHES[v.size1]!),
        hex(ROOT_HASHES[v.size2]!),
      );
    },
  );
});

describe('clear errors', () => {
  const tree = new ReferenceTree(makeLeaves(13));
  const leaf = tree.leaves[5]!;
  const proof = tree.path(5);
  const root = tree.mth();

  it('names a leaf index beyond the tree size', () => {
    const err = caught(() => verifyInclusion(13, 13, leaf, proof, root));
    expect(err.code).toBe(LedgerErrors.badProof.code);
    expect(err.message).toBe(
      'invalid proof inclusion proof (leaf 13, tree size 13): leaf index 13 is beyond tree size 13',
    );
  });

  it('names a wrong proof length', () => {
    const err = caught(() => verifyInclusion(5, 13, leaf, proof.slice(1), root));
    expect(err.details).toMatchObject({ problem: 'wrong proof length 3, want 4 for leaf 5 of 13' });
  });

  it('names a short proof hash by position', () => {
    const bad = proof.map((h, i) => (i === 2 ? h.subarray(1) : h));
    expect(caught(() => verifyInclusion(5, 13, leaf, bad, root)).details).toMatchObject({
      problem: 'proof[2] is 31 bytes, want 32',
    });
  });

  it('shows both roots on a mismatch', () => {
    const other = tree.mth(0, 12);
    const err = caught(() => verifyInclusion(5, 13, leaf, proof, other));
    expect(err.details['problem']).toMatch(
      /^calculated root [0-9a-f]{64} does not match expected root [0-9a-f]{64}$/,
    );
  });

  it('rejects non-integer and negative indexes', () => {
    expect(caught(() => verifyInclusion(-1, 13, leaf, proof, root)).details['problem']).toMatch(
      /leaf index must be an integer/,
    );
    expect(caught(() => verifyInclusion(1.5, 13, leaf, proof, root)).details['problem']).toMatch(
      /leaf index must be an integer/,
    );
    expect(caught(() => verifyInclusion(5, 2 ** 53, leaf, proof, root)).details['problem']).toMatch(
      /tree size must be an integer/,
    );
  });

  it('reports a consistency mismatch as inconsistent, with both sizes', () => {
    const p = tree.proof(6, 13);
    const err = caught(() => verifyConsistency(6, 13, p, tree.mth(0, 6), tree.mth(0, 12)));
    expect(err.code).toBe(LedgerErrors.inconsistent.code);
    expect(err.details).toMatchObject({ size: 13, earlier: 6 });
    expect(err.message).toMatch(
      /^tree of size 13 is not consistent with the earlier tree of size 6: the proof yields new root/,
    );
    const err1 = caught(() => verifyConsistency(6, 13, p, tree.mth(0, 5), tree.mth()));
    expect(err1.details['problem']).toMatch(/^the proof yields earlier root [0-9a-f]{64}, not the expected/);
  });

  it('rejects malformed consistency requests as badProof', () => {
    const p = tree.proof(6, 13);
    expect(caught(() => verifyConsistency(0, 13, [], tree.mth(0, 0), tree.mth())).details['problem']).toMatch(
      /from the empty tree is meaningless/,
    );
    expect(caught(() => verifyConsistency(13, 6, p, tree.mth(), tree.mth(0, 6))).details['problem']).toBe(
      'size2 6 is below size1 13',
    );
    expect(caught(() => verifyConsistency(6, 13, [], tree.mth(0, 6), tree.mth())).details['problem']).toBe(
      'empty proof for different tree sizes',
    );
    expect(
      caught(() => verifyConsistency(6, 6, p, tree.mth(0, 6), tree.mth(0, 6))).details['problem'],
    ).toMatch(/the sizes are equal, so the proof must be empty/);
    expect(
      caught(() => verifyConsistency(6, 13, [...p, p[0]!], tree.mth(0, 6), tree.mth())).details['problem'],
    ).toMatch(/^wrong proof length 5, want 4/);
  });

  it('equal sizes with equal roots and an empty proof are consistent', () => {
    verifyConsistency(7, 7, [], tree.mth(0, 7), tree.mth(0, 7));
    expect(rootFromConsistencyProof(7, 7, [], tree.mth(0, 7))).toEqual(tree.mth(0, 7));
  });
});

/** Trees of every size up to 2000 as prefixes of one reference tree, so subtree hashes are computed once. */
const bigTree = new ReferenceTree(makeLeaves(2000, 'verify'));
function treeOf(size: number): ReferenceTree {
  return bigTree.prefix(size);
}

function flipBit(proof: readonly Hash[], which: number, bit: number): Hash[] {
  return proof.map((hash, i) => {
    if (i !== which) return hash;
    const copy = new Uint8Array(hash);
    copy[bit >> 3]! ^= 1 << (bit & 7);
    return copy;
  });
}

const inclusionCase = fc
  .integer({ min: 1, max: 2000 })
  .chain((size) => fc.record({ size: fc.constant(size), index: fc.integer({ min: 0, max: size - 1 }) }));

const consistencyCase = fc
  .integer({ min: 2, max: 2000 })
  .chain((size2) => fc.record({ size2: fc.constant(size2), size1: fc.integer({ min: 1, max: size2 - 1 }) }));

describe('properties against the RFC 6962 reference tree and the literal RFC 9162 algorithms', () => {
  it('every reference inclusion proof verifies, here and in the RFC 9162 loop', () => {
    fc.assert(
      fc.property(inclusionCase, ({ size, index }) => {
        const tree = treeOf(size);
        const proof = tree.path(index);
        verifyInclusion(index, size, tree.leaves[index]!, proof, tree.mth());
        expect(rfc9162VerifyInclusion(index, size, tree.leaves[index]!, proof, tree.mth())).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('every corrupted inclusion proof fails, here and in the RFC 9162 loop', () => {
    const corruption = fc.constantFrom('flip', 'extra', 'missing', 'index', 'double-size', 'leaf', 'root');
    fc.assert(
      fc.property(
        inclusionCase,
        corruption,
        fc.nat(),
        fc.nat({ max: 255 }),
        ({ size, index }, kind, pick, bit) => {
          const tree = treeOf(size);
          const proof = tree.path(index);
          let [i, n, leaf, path, root] = [index, size, tree.leaves[index]!, proof, tree.mth()];
          switch (kind) {
            case 'flip':
              if (proof.length === 0) return;
              path = flipBit(proof, pick % proof.length, bit);
              break;
            case 'extra':
              path = [...proof, tree.leaves[pick % size]!];
              break;
            case 'missing':
              if (proof.length === 0) return;
              path = proof.slice(0, -1);
              break;
            case 'index':
              if (size === 1) return;
              i = (index + 1 + (pick % (size - 1))) % size;
              break;
            case 'double-size':
              n = size * 2;
              break;
            case 'leaf':
              leaf = flipBit([leaf], 0, bit)[0]!;
              break;
            case 'root':
              root = flipBit([root], 0, bit)[0]!;
              break;
          }
          expect(() => verifyInclusion(i, n, leaf, path, root)).toThrow(GovernessError);
          expect(rfc9162VerifyInclusion(i, n, leaf, path, root)).toBe(false);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('every reference consistency proof verifies, here and in the RFC 9162 loop', () => {
    fc.assert(
      fc.property(consistencyCase, ({ size1, size2 }) => {
        const tree = treeOf(size2);
        const proof = tree.proof(size1, size2);
        verifyConsistency(size1, size2, proof, tree.mth(0, size1), tree.mth());
        expect(rfc9162VerifyConsistency(size1, size2, proof, tree.mth(0, size1), tree.mth())).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('every corrupted consistency proof fails, here and in the RFC 9162 loop', () => {
    const corruption = fc.constantFrom('flip', 'extra', 'missing', 'root1', 'root2', 'swap');
    fc.assert(
      fc.property(
        consistencyCase,
        corruption,
        fc.nat(),
        fc.nat({ max: 255 }),
        ({ size1, size2 }, kind, pick, bit) => {
          const tree = treeOf(size2);
          const proof = tree.proof(size1, size2);
          let [path, root1, root2] = [proof, tree.mth(0, size1), tree.mth()];
          switch (kind) {
            case 'flip':
              path = flipBit(proof, pick % proof.length, bit);
              break;
            case 'extra':
              path = [...proof, tree.leaves[pick % size2]!];
              break;
            case 'missing':
              path = proof.slice(0, -1);
              break;
            case 'root1':
              root1 = flipBit([root1], 0, bit)[0]!;
              break;
            case 'root2':
              root2 = flipBit([root2], 0, bit)[0]!;
              break;
            case 'swap':
              [root1, root2] = [root2, root1];
              break;
          }
          expect(() => verifyConsistency(size1, size2, path, root1, root2)).toThrow(GovernessError);
          expect(rfc9162VerifyConsistency(size1, size2, path, root1, root2)).toBe(false);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('rootFromInclusionProof agrees with the reference root for every leaf of small trees', () => {
    for (let size = 1; size <= 40; size++) {
      const tree = treeOf(size);
      for (let index = 0; index < size; index++) {
        expect(rootFromInclusionProof(index, size, tree.leaves[index]!, tree.path(index))).toEqual(
          tree.mth(),
        );
      }
    }
  });

  it('rootFromConsistencyProof agrees with the reference root for every pair of small sizes', () => {
    for (let size2 = 1; size2 <= 40; size2++) {
      const tree = treeOf(size2);
      for (let size1 = 1; size1 <= size2; size1++) {
        expect(rootFromConsistencyProof(size1, size2, tree.proof(size1, size2), tree.mth(0, size1))).toEqual(
          tree.mth(),
        );
      }
    }
  });
});
