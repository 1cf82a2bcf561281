import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GovernessError, LedgerErrors } from '../../../src/errors/index.js';
import {
  formatProofFile,
  generateSigner,
  leafHashOf,
  parseProofFile,
  signCheckpoint,
  verifyProofFile,
  type InclusionVerifier,
} from '../../../src/ledger/checkpoint/index.js';
import { expectGovernessError } from './expect-error.js';
import {
  C2SP_TLOG_PROOF_EXAMPLE,
  TD_BAD_PROOFS,
  TD_MERKLE_INCLUSION,
  TD_MERKLE_LEAF_INPUTS,
} from './golden-vectors.js';
import { inclusionPath, leafHash, treeHash, verifyInclusion } from './rfc6962-reference.js';

const hex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));
const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');
const sha = (s: string): Uint8Array => new Uint8Array(createHash('sha256').update(s).digest());
const origin = 'governess.example/receipts/0';
const log = generateSigner(origin);

/** A tree over `leaves`, its signed checkpoint and the proof file for leaf `index`. */
function proofFor(leaves: readonly Uint8Array[], index: number, extra?: Uint8Array): string {
  const checkpointNote = signCheckpoint(
    { origin, size: leaves.length, rootHash: treeHash(leaves) },
    log.signer,
  );
  return formatProofFile({
    ...(extra === undefined ? {} : { extra }),
    index,
    proof: inclusionPath(index, leaves),
    checkpointNote,
  });
}

describe('transparency-dev/formats tlog_proof_test.go vectors', () => {
  const [h1, h2] = [sha('hash1'), sha('hash2')];
  const cases = [
    {
      file: { index: 5, proof: [h1, h2], checkpointNote: 'test checkpoint\n' },
      want: `c2sp.org/tlog-proof@v1\nindex 5\n${b64(h1)}\n${b64(h2)}\n\ntest checkpoint\n`,
    },
    {
      file: {
        index: 10,
        proof: [h1],
        checkpointNote: 'checkpoint data\n',
        extra: new TextEncoder().encode('extra information'),
      },
      want: `c2sp.org/tlog-proof@v1\nextra ${b64(new TextEncoder().encode('extra information'))}\nindex 10\n${b64(h1)}\n\ncheckpoint data\n`,
    },
    {
      file: { index: 0, proof: [], checkpointNote: 'checkpoint\n' },
      want: 'c2sp.org/tlog-proof@v1\nindex 0\n\ncheckpoint\n',
    },
  ];

  it.each(cases)('formats and parses back exactly (index $file.index)', ({ file, want }) => {
    expect(formatProofFile(file)).toBe(want);
    const parsed = parseProofFile(want);
    expect(parsed.index).toBe(file.index);
    expect(parsed.proof).toEqual(file.proof);
    expect(parsed.checkpointNote).toBe(file.checkpointNote);
    expect(parsed.extra).toEqual(file.extra);
  });

  it('keeps an empty extra line distinct from none', () => {
    const text = formatProofFile({ extra: new Uint8Array(0), index: 1, proof: [], checkpointNote: 'c\n' });
    expect(text).toBe('c2sp.org/tlog-proof@v1\nextra \nindex 1\n\nc\n');
    expect(parseProofFile(text).extra).toEqual(new Uint8Array(0));
  });

  it.each(TD_BAD_PROOFS.map(([label, text, line]) => [label, line, text] as const))(
    'rejects %s, naming line %i',
    (_label, line, text) => {
      expectGovernessError(
        () => parseProofFile(text),
        LedgerErrors.badProof,
        new RegExp(`^proof file line ${line}\\b`),
      );
    },
  );
});

describe('the C2SP tlog-proof spec example', () => {
  it('parses its layout', () => {
    const parsed = parseProofFile(C2SP_TLOG_PROOF_EXAMPLE);
    expect(parsed.index).toBe(73894);
    expect(parsed.proof).toHaveLength(5);
    expect(b64(parsed.proof[0]!)).toBe('gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ=');
    expect(Buffer.from(parsed.extra!).subarray(0, 30).toString()).toBe('age-v1.2.1-darwin-arm64.tar.gz');
    expect(parsed.checkpointNote.startsWith('example.com/fancylog\n109482\n')).toBe(true);
    expect(parsed.checkpointFirstLine).toBe(10);
  });
});

describe('verifyProofFile', () => {
  it.each(TD_MERKLE_INCLUSION)(
    'accepts the transparency-dev/merkle inclusion vector index $index of size $size',
    ({ index, size, leafHex, rootHex, proofHex }) => {
      const checkpointNote = signCheckpoint({ origin, size, rootHash: hex(rootHex) }, log.signer);
      const file = formatProofFile({ index, proof: proofHex.map(hex), checkpointNote });
      const leaves = TD_MERKLE_LEAF_INPUTS.slice(0, size).map(hex);
      expect(b64(treeHash(leaves))).toBe(b64(hex(rootHex))); // the reference tree agrees with the vector
      const result = verifyProofFile(file, log.verifier, {
        leafData: hex(leafHex),
        verifyInclusion,
        expectedOrigin: origin,
      });
      expect(result.index).toBe(index);
      expect(result.checkpoint.size).toBe(size);
      expect(result.leafHash).toEqual(leafHash(hex(leafHex)));
    },
  );

  it('passes exactly (index, size, SHA-256(0x00 ‖ leafData), proof, root) to verifyInclusion', () => {
    const leaves = TD_MERKLE_LEAF_INPUTS.map(hex);
    const calls: unknown[][] = [];
    const spy: InclusionVerifier = (...args) => {
      calls.push(args);
      return true;
    };
    verifyProofFile(proofFor(leaves, 6), log.verifier, { leafData: leaves[6]!, verifyInclusion: spy });
    expect(calls).toEqual([[6, 8, leafHashOf(leaves[6]!), inclusionPath(6, leaves), treeHash(leaves)]]);
    expect(leafHashOf(new Uint8Array(0))).toEqual(
      hex('6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d'),
    );
  });

  it('round-trips every leaf of random trees, with or without extra data (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 12 }), { minLength: 1, maxLength: 40 }),
        fc.nat(),
        fc.option(fc.uint8Array({ maxLength: 20 }), { nil: undefined }),
        (leaves, at, extra) => {
          const index = at % leaves.length;
          const file = proofFor(leaves, index, extra);
          const result = verifyProofFile(file, [log.verifier], { leafData: leaves[index]!, verifyInclusion });
          expect(result.index).toBe(index);
          expect(result.extra).toEqual(extra);
          expect(new TextDecoder().decode(new TextEncoder().encode(file))).toBe(file);
          expect(
            verifyProofFile(new TextEncoder().encode(file), log.verifier, {
              leafData: leaves[index]!,
              verifyInclusion,
            }).index,
          ).toBe(index);
        },
      ),
      { numRuns: 150 },
    );
  });

  const leaves = TD_MERKLE_LEAF_INPUTS.map(hex);
  const file = proofFor(leaves, 5); // lines: header, index, 3 hashes, blank, checkpoint (7-9), blank, signature (11)

  it('rejects other leaf data, naming the proof lines', () => {
    expectGovernessError(
      () => verifyProofFile(file, log.verifier, { leafData: leaves[4]!, verifyInclusion }),
      LedgerErrors.badProof,
      'proof file lines 3-5 (inclusion proof)',
      /does not lead from the leaf's hash to the checkpoint root hash/,
    );
  });

  it('rejects a changed index or a changed proof hash', () => {
    expectGovernessError(
      () =>
        verifyProofFile(file.replace('index 5', 'index 4'), log.verifier, {
          leafData: leaves[5]!,
          verifyInclusion,
        }),
      LedgerErrors.badProof,
      'proof file lines 3-5 (inclusion proof)',
    );
    const lines = file.split('\n');
    lines[3] = b64(sha('not a node'));
    expectGovernessError(
      () => verifyProofFile(lines.join('\n'), log.verifier, { leafData: leaves[5]!, verifyInclusion }),
      LedgerErrors.badProof,
      'proof file lines 3-5 (inclusion proof)',
    );
  });

  it('rejects an index outside the tree', () => {
    expectGovernessError(
      () =>
        verifyProofFile(file.replace('index 5', 'index 8'), log.verifier, {
          leafData: leaves[5]!,
          verifyInclusion,
        }),
      LedgerErrors.badProof,
      'proof file line 2 (index)',
      /index 8 is not below the checkpoint's tree size 8/,
    );
  });

  it('rejects a tampered checkpoint, naming the signature line of the file', () => {
    const tampered = file.replace(/\n8\n/, '\n9\n');
    expectGovernessError(
      () => verifyProofFile(tampered, log.verifier, { leafData: leaves[5]!, verifyInclusion }),
      LedgerErrors.badSignature,
      'proof file line 11',
      /does not verify/,
    );
  });

  it('rejects a proof under an untrusted key, and another origin than expected', () => {
    const stranger = generateSigner(origin);
    expectGovernessError(
      () => verifyProofFile(file, stranger.verifier, { leafData: leaves[5]!, verifyInclusion }),
      LedgerErrors.badSignature,
      'proof file',
      /no signature by a known key/,
    );
    expectGovernessError(
      () =>
        verifyProofFile(file, log.verifier, {
          leafData: leaves[5]!,
          verifyInclusion,
          expectedOrigin: 'other.example/log',
        }),
      LedgerErrors.badCheckpoint,
      'proof file line 7 (origin)',
    );
  });

  it('lets an error thrown by verifyInclusion through', () => {
    const boom = new GovernessError(LedgerErrors.badProof, { where: 'merkle', problem: 'boom' });
    expect(() =>
      verifyProofFile(file, log.verifier, {
        leafData: leaves[5]!,
        verifyInclusion: () => {
          throw boom;
        },
      }),
    ).toThrow(boom);
  });
});

describe('malformed proof files', () => {
  const hash = b64(sha('x'));
  const note = signCheckpoint({ origin, size: 2, rootHash: sha('r') }, log.signer);
  const good = `c2sp.org/tlog-proof@v1\nindex 1\n${hash}\n\n${note}`;

  it('accepts the well-formed base case', () => {
    expect(parseProofFile(good).proof).toHaveLength(1);
  });

  it.each([
    ['empty file', '', 'proof file line 1', /file ends .* before the header/],
    ['CRLF header', good.replace('\n', '\r\n'), 'proof file line 1', /U\+000D \(carriage return/],
    [
      'version 2 header',
      good.replace('@v1', '@v2'),
      'proof file line 1',
      /expected the header "c2sp\.org\/tlog-proof@v1"/,
    ],
    ['header only', 'c2sp.org/tlog-proof@v1\n', 'proof file line 2', /before the index line/],
    [
      'extra without index',
      'c2sp.org/tlog-proof@v1\nextra AA==\n',
      'proof file line 3',
      /before the index line/,
    ],
    ['unpadded extra', good.replace('index 1', 'extra AA\nindex 1'), 'proof file line 2', /multiple of 4/],
    [
      'two extra lines',
      good.replace('index 1', 'extra AA==\nextra AA==\nindex 1'),
      'proof file line 3 (index)',
      /expected "index <N>"/,
    ],
    [
      'index with two spaces',
      good.replace('index 1', 'index  1'),
      'proof file line 2 (index)',
      /not a decimal/,
    ],
    [
      'index with leading zero',
      good.replace('index 1', 'index 01'),
      'proof file line 2 (index)',
      /leading zero/,
    ],
    [
      'index above 2^53 - 1',
      good.replace('index 1', 'index 9007199254740992'),
      'proof file line 2 (index)',
      /above the limit/,
    ],
    ['empty index', good.replace('index 1', 'index '), 'proof file line 2 (index)', /empty/],
    ['tab in a hash line', good.replace(hash, `\t${hash}`), 'proof file line 3', /U\+0009/],
    [
      'URL-safe hash',
      good.replace(
        hash,
        hash
          .replace(/\+/g, '-')
          .replace(/\//g, '_')
          .replace(/[A-Za-z0-9]=$/, '_='),
      ),
      'proof file line 3 (inclusion proof hash 1)',
      /URL-safe/,
    ],
    [
      '31-byte hash',
      good.replace(hash, b64(new Uint8Array(31))),
      'proof file line 3 (inclusion proof hash 1)',
      /31 bytes, not 32/,
    ],
    [
      'hex hash',
      good.replace(hash, 'ab'.repeat(32)),
      'proof file line 3 (inclusion proof hash 1)',
      /48 bytes, not 32/,
    ],
    [
      'no empty line',
      `c2sp.org/tlog-proof@v1\nindex 1\n${hash}\n`,
      'proof file line 4',
      /before the empty line/,
    ],
    [
      'no checkpoint',
      `c2sp.org/tlog-proof@v1\nindex 1\n${hash}\n\n`,
      'proof file line 5',
      /signed checkpoint is missing/,
    ],
    [
      'too many hashes',
      `c2sp.org/tlog-proof@v1\nindex 1\n${`${hash}\n`.repeat(65)}\n${note}`,
      'proof file line 67 (inclusion proof hash 65)',
      /more than 64/,
    ],
  ])('rejects %s', (_label, text, where, problem) => {
    expectGovernessError(() => parseProofFile(text), LedgerErrors.badProof, where, problem);
  });

  it('rejects invalid UTF-8, naming line and byte', () => {
    const bytes = Buffer.concat([
      Buffer.from('c2sp.org/tlog-proof@v1\nindex 1\n'),
      Buffer.of(0xc0, 0x80),
      Buffer.from('\n'),
    ]);
    expectGovernessError(
      () => parseProofFile(bytes),
      LedgerErrors.badProof,
      'proof file line 3',
      /column 1: byte 0xc0/,
    );
  });

  it('rejects malformed checkpoint notes inside the file, naming the file line', () => {
    const bad = good.replace(`${origin}\n2\n`, `${origin}\n02\n`);
    // The signature breaks first (the text changed); a re-signed note with a bad size is checked in checkpoint tests.
    expectGovernessError(
      () => verifyProofFile(bad, log.verifier, { leafData: new Uint8Array(0), verifyInclusion }),
      LedgerErrors.badSignature,
      'proof file line 9',
    );
  });

  it('refuses to format invalid inputs', () => {
    const ok = { index: 0, proof: [sha('a')], checkpointNote: note };
    expectGovernessError(
      () => formatProofFile({ ...ok, index: -1 }),
      LedgerErrors.badProof,
      'proof file index',
    );
    expectGovernessError(
      () => formatProofFile({ ...ok, index: 0.5 }),
      LedgerErrors.badProof,
      'proof file index',
    );
    expectGovernessError(
      () => formatProofFile({ ...ok, proof: [sha('a'), new Uint8Array(31)] }),
      LedgerErrors.badProof,
      'proof file inclusion proof hash 2',
      /31 bytes/,
    );
    expectGovernessError(
      () => formatProofFile({ ...ok, proof: Array.from({ length: 65 }, () => sha('a')) }),
      LedgerErrors.badProof,
      'proof file inclusion proof',
    );
    expectGovernessError(
      () => formatProofFile({ ...ok, checkpointNote: 'no newline' }),
      LedgerErrors.badProof,
      'proof file checkpoint note',
    );
    expectGovernessError(
      () => formatProofFile({ ...ok, checkpointNote: 'a\r\n' }),
      LedgerErrors.badProof,
      'proof file checkpoint note line 1',
      /U\+000D/,
    );
  });
});
