import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LedgerErrors } from '../../../src/errors/index.js';
import {
  MAX_TREE_SIZE,
  addSignatures,
  formatCheckpoint,
  generateSigner,
  isValidKeyName,
  leafHashOf,
  openCheckpoint,
  openNote,
  parseCheckpoint,
  parseVerifierKey,
  signCheckpoint,
  signNote,
} from '../../../src/ledger/checkpoint/index.js';
import { expectGovernessError } from './expect-error.js';
import { GO_TLOG_TREE, TD_BAD_CHECKPOINTS, TD_FORMATS } from './golden-vectors.js';

const root = new Uint8Array(32).map((_, i) => i);
const rootB64 = Buffer.from(root).toString('base64');

describe('golden checkpoints', () => {
  it('formats the golang/mod tlog tree note exactly (root = SHA-256(0x00 ‖ "hello world"))', () => {
    const rootHash = leafHashOf(new TextEncoder().encode(GO_TLOG_TREE.leafData));
    const text = formatCheckpoint({ origin: 'go.sum database tree', size: GO_TLOG_TREE.size, rootHash });
    expect(text).toBe(GO_TLOG_TREE.text);
    expect(parseCheckpoint(text)).toEqual({
      origin: 'go.sum database tree',
      size: GO_TLOG_TREE.size,
      rootHash,
      extensions: [],
    });
  });

  it("rejects golang/mod's bad trees, naming the line", () => {
    const [hexSize, badRoot] = GO_TLOG_TREE.badTrees;
    expectGovernessError(
      () => parseCheckpoint(hexSize),
      LedgerErrors.badCheckpoint,
      'checkpoint line 2 (tree size)',
      /not a decimal/,
    );
    expectGovernessError(
      () => parseCheckpoint(badRoot),
      LedgerErrors.badCheckpoint,
      'checkpoint line 3 (root hash)',
    );
  });

  it.each(TD_BAD_CHECKPOINTS.map(([label, text]) => [label, text]))(
    "rejects transparency-dev/formats' invalid checkpoint: %s",
    (_label, text) => {
      expectGovernessError(() => parseCheckpoint(text), LedgerErrors.badCheckpoint, /^checkpoint line [1-3]/);
    },
  );

  it('opens the real sum.golang.org note but refuses it as a checkpoint: origin is not the key name', () => {
    const verifier = parseVerifierKey(TD_FORMATS.sumdbVerifierKey);
    const opened = openNote(TD_FORMATS.sumdbCheckpoint, [verifier]);
    const checkpoint = parseCheckpoint(opened.text);
    expect(checkpoint.origin).toBe('go.sum database tree');
    expect(checkpoint.size).toBe(6476701);
    expectGovernessError(
      () => openCheckpoint(TD_FORMATS.sumdbCheckpoint, verifier),
      LedgerErrors.badCheckpoint,
      'checkpoint line 1 (origin)',
      /no verified signature by a key named like the origin "go\.sum database tree" \(verified: sum\.golang\.org\+033de0ae\)/,
    );
  });
});

describe('sign and open checkpoints', () => {
  const origin = 'governess.example/receipts/0';
  const log = generateSigner(origin);

  it('round-trips and returns the verified note', () => {
    const note = signCheckpoint({ origin, size: 7, rootHash: root }, log.signer);
    expect(note.startsWith(`${origin}\n7\n${rootB64}\n\n\u2014 ${origin} `)).toBe(true);
    const opened = openCheckpoint(note, log.verifier, { expectedOrigin: origin });
    expect(opened.checkpoint).toEqual({ origin, size: 7, rootHash: root, extensions: [] });
    expect(opened.note.verified.map((s) => s.name)).toEqual([origin]);
  });

  it('round-trips any origin, size, root and extension lines (property)', () => {
    const originArb = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }).filter(isValidKeyName);
    const extension = fc
      .string({ unit: 'grapheme', minLength: 1, maxLength: 20 })
      .filter((l) => !/[\u0000-\u001f]/.test(l));
    fc.assert(
      fc.property(
        originArb,
        fc.integer({ min: 0, max: MAX_TREE_SIZE }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.array(extension, { maxLength: 3 }),
        (name, size, rootHash, extensions) => {
          const key = generateSigner(name);
          const note = signCheckpoint({ origin: name, size, rootHash, extensions }, [key.signer]);
          expect(openCheckpoint(note, [key.verifier]).checkpoint).toEqual({
            origin: name,
            size,
            rootHash,
            extensions,
          });
        },
      ),
      { numRuns: 100 },
    );
  });

  it('accepts a rotated key: old and new signatures, either key trusted', () => {
    const next = generateSigner(origin);
    const note = signCheckpoint({ origin, size: 1, rootHash: root }, [log.signer, next.signer]);
    expect(openCheckpoint(note, next.verifier).checkpoint.size).toBe(1);
    expect(openCheckpoint(note, log.verifier).checkpoint.size).toBe(1);
  });

  it('refuses a checkpoint from another origin than expected', () => {
    const note = signCheckpoint({ origin, size: 1, rootHash: root }, log.signer);
    expectGovernessError(
      () => openCheckpoint(note, log.verifier, { expectedOrigin: 'other.example/log' }),
      LedgerErrors.badCheckpoint,
      'checkpoint line 1 (origin)',
      /is not the expected "other\.example\/log"/,
    );
  });

  it('refuses a checkpoint verified only by a witness key named otherwise', () => {
    const witness = generateSigner('witness.example');
    const note = addSignatures(signCheckpoint({ origin, size: 1, rootHash: root }, log.signer), [
      witness.signer,
    ]);
    expectGovernessError(
      () => openCheckpoint(note, witness.verifier),
      LedgerErrors.badCheckpoint,
      'checkpoint line 1 (origin)',
      /no verified signature by a key named like the origin/,
    );
    expect(openCheckpoint(note, [log.verifier, witness.verifier]).note.verified).toHaveLength(2);
  });

  it('refuses to sign with a key whose name is not the origin', () => {
    const stranger = generateSigner('other.example/log');
    expectGovernessError(
      () => signCheckpoint({ origin, size: 1, rootHash: root }, [log.signer, stranger.signer]),
      LedgerErrors.badKey,
      /^signer other\.example\/log\+[0-9a-f]{8}$/,
      /differs from the checkpoint origin/,
    );
  });

  it('rejects a tampered size or root through the signature', () => {
    const note = signCheckpoint({ origin, size: 10, rootHash: root }, log.signer);
    expectGovernessError(
      () => openCheckpoint(note.replace('\n10\n', '\n11\n'), log.verifier),
      LedgerErrors.badSignature,
      'checkpoint line 5',
      /does not verify/,
    );
  });

  it('rejects a well-signed note whose text is not a checkpoint, naming the line', () => {
    const text = `${origin}\n010\n${rootB64}\n`;
    // Sign the malformed text as a plain note, so only the checkpoint rule can fail.
    const signed = signNote(text, [log.signer]);
    expectGovernessError(
      () => openCheckpoint(signed, log.verifier),
      LedgerErrors.badCheckpoint,
      'checkpoint line 2 (tree size)',
      /"010" has a leading zero/,
    );
  });

  it('counts lines from the enclosing file', () => {
    const note = signCheckpoint({ origin, size: 1, rootHash: root }, log.signer);
    expectGovernessError(
      () => openCheckpoint(note, log.verifier, { where: 'proof file', firstLine: 10, expectedOrigin: 'x' }),
      LedgerErrors.badCheckpoint,
      'proof file line 10 (origin)',
    );
  });
});

describe('malformed checkpoint text', () => {
  it.each([
    ['empty origin', `\n1\n${rootB64}\n`, 'checkpoint line 1 (origin)', /origin is empty/],
    ['missing size', `log\n`, 'checkpoint line 2 (tree size)', /missing/],
    ['missing root', `log\n1\n`, 'checkpoint line 3 (root hash)', /missing/],
    ['missing final newline', `log\n1\n${rootB64}`, 'checkpoint line 3', /end with a newline/],
    ['leading zero', `log\n01\n${rootB64}\n`, 'checkpoint line 2 (tree size)', /leading zero/],
    ['plus sign', `log\n+1\n${rootB64}\n`, 'checkpoint line 2 (tree size)', /not a decimal/],
    ['space in size', `log\n 1\n${rootB64}\n`, 'checkpoint line 2 (tree size)', /not a decimal/],
    ['empty size', `log\n\n${rootB64}\n`, 'checkpoint line 2 (tree size)', /empty/],
    [
      'size 2^53',
      `log\n9007199254740992\n${rootB64}\n`,
      'checkpoint line 2 (tree size)',
      /above the limit of 9007199254740991/,
    ],
    [
      '31-byte root',
      `log\n1\n${Buffer.alloc(31).toString('base64')}\n`,
      'checkpoint line 3 (root hash)',
      /31 bytes, not 32/,
    ],
    [
      '33-byte root',
      `log\n1\n${Buffer.alloc(33).toString('base64')}\n`,
      'checkpoint line 3 (root hash)',
      /33 bytes, not 32/,
    ],
    [
      'unpadded root',
      `log\n1\n${rootB64.replace('=', '')}\n`,
      'checkpoint line 3 (root hash)',
      /multiple of 4/,
    ],
    ['URL-safe root', `log\n1\n${'_'.repeat(43)}=\n`, 'checkpoint line 3 (root hash)', /URL-safe/],
    ['hex root', `log\n1\n${'ab'.repeat(32)}\n`, 'checkpoint line 3 (root hash)', /48 bytes, not 32/],
    ['empty extension line', `log\n1\n${rootB64}\next\n\n`, 'checkpoint line 5 (extension)', /non-empty/],
    ['CRLF', `log\r\n1\r\n${rootB64}\r\n`, 'checkpoint line 1', /column 4: control character U\+000D/],
    ['control character in origin', `lo\u0007g\n1\n${rootB64}\n`, 'checkpoint line 1', /U\+0007/],
  ])('%s', (_label, text, where, problem) => {
    expectGovernessError(() => parseCheckpoint(text), LedgerErrors.badCheckpoint, where, problem);
  });

  it('accepts size 0 and 2^53 - 1 and keeps extension lines', () => {
    expect(parseCheckpoint(`log\n0\n${rootB64}\n`).size).toBe(0);
    expect(parseCheckpoint(`log\n9007199254740991\n${rootB64}\n`).size).toBe(MAX_TREE_SIZE);
    expect(parseCheckpoint(`log\n1\n${rootB64}\na\nb c\n`).extensions).toEqual(['a', 'b c']);
  });

  it('refuses to format invalid values', () => {
    const ok = { origin: 'log', size: 1, rootHash: root };
    expectGovernessError(
      () => formatCheckpoint({ ...ok, origin: '' }),
      LedgerErrors.badCheckpoint,
      'checkpoint origin',
    );
    expectGovernessError(
      () => formatCheckpoint({ ...ok, origin: 'a\nb' }),
      LedgerErrors.badCheckpoint,
      'checkpoint origin',
      /newline/,
    );
    expectGovernessError(
      () => formatCheckpoint({ ...ok, size: -1 }),
      LedgerErrors.badCheckpoint,
      'checkpoint tree size',
    );
    expectGovernessError(
      () => formatCheckpoint({ ...ok, size: 1.5 }),
      LedgerErrors.badCheckpoint,
      'checkpoint tree size',
    );
    expectGovernessError(
      () => formatCheckpoint({ ...ok, size: 2 ** 53 }),
      LedgerErrors.badCheckpoint,
      'checkpoint tree size',
    );
    expectGovernessError(
      () => formatCheckpoint({ ...ok, rootHash: new Uint8Array(20) }),
      LedgerErrors.badCheckpoint,
      'checkpoint root hash',
      /20 bytes/,
    );
    expectGovernessError(
      () => formatCheckpoint({ ...ok, extensions: ['a', ''] }),
      LedgerErrors.badCheckpoint,
      'checkpoint extension line 2',
    );
    expectGovernessError(
      () => formatCheckpoint({ ...ok, extensions: ['a\nb'] }),
      LedgerErrors.badCheckpoint,
      'checkpoint extension line 1',
      /newline/,
    );
  });
});
