import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GovernessError, LedgerErrors } from '../../../src/errors/index.js';
import {
  computeKeyId,
  formatKeyId,
  formatSignerKey,
  formatVerifierKey,
  generateSigner,
  isValidKeyName,
  keyNameProblem,
  parseSignerKey,
  parseVerifierKey,
  signerFromSeed,
  verifierFromPublicKey,
} from '../../../src/ledger/checkpoint/index.js';
import { expectGovernessError } from './expect-error.js';
import { C2SP_SIGNED_NOTE_EXAMPLE, GO_NOTE, TD_FORMATS } from './golden-vectors.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const seedOf = (signerKey: string): Uint8Array =>
  Buffer.from(signerKey.split('+').slice(4).join('+'), 'base64').subarray(1);
const publicKeyOf = (verifierKey: string): Uint8Array =>
  Buffer.from(verifierKey.split('+').slice(2).join('+'), 'base64').subarray(1);

/** Valid key names: non-empty, no '+', no White_Space, no control characters, well-formed. */
const keyName = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 24 })
  .filter((name) => isValidKeyName(name));

describe('golden keys from golang/mod sumdb/note', () => {
  it('parses the PeterNeumann signer key and derives the published verifier key and key ID', () => {
    const signer = parseSignerKey(GO_NOTE.peterSignerKey);
    expect(signer.name).toBe('PeterNeumann');
    expect(signer.keyId).toBe(GO_NOTE.peterKeyId);
    expect(signer.verifierKey).toBe(GO_NOTE.peterVerifierKey);
  });

  it('parses the verifier keys with their key IDs', () => {
    expect(parseVerifierKey(GO_NOTE.peterVerifierKey).keyId).toBe(GO_NOTE.peterKeyId);
    expect(parseVerifierKey(GO_NOTE.enochVerifierKey).keyId).toBe(GO_NOTE.enochKeyId);
  });

  it("re-encodes Go's signer key string exactly from its seed", () => {
    expect(formatSignerKey('PeterNeumann', seedOf(GO_NOTE.peterSignerKey))).toBe(GO_NOTE.peterSignerKey);
    expect(formatVerifierKey('PeterNeumann', publicKeyOf(GO_NOTE.peterVerifierKey))).toBe(
      GO_NOTE.peterVerifierKey,
    );
  });

  it('signs like Go: the same seed and text give the published signature bytes', () => {
    const signer = parseSignerKey(GO_NOTE.peterSignerKey);
    const sig = signer.sign(bytes(GO_NOTE.text));
    expect(Buffer.from(sig).toString('base64')).toBe(
      Buffer.from(GO_NOTE.peterSigBase64, 'base64').subarray(4).toString('base64'),
    );
  });

  it('rejects the wrong-length and unknown-algorithm keys of TestNewVerifier', () => {
    expectGovernessError(
      () => parseVerifierKey(GO_NOTE.wrongLengthVerifierKey),
      LedgerErrors.badKey,
      'verifier key, field 3 (key data)',
    );
    expectGovernessError(
      () => parseVerifierKey(GO_NOTE.unknownAlgorithmVerifierKey),
      LedgerErrors.badKey,
      'verifier key, field 3 (key data)',
      /signature type 0x65 is not supported/,
    );
  });

  it('rejects every substring and every one-byte change of the Go keys (as TestNewVerifier/TestNewSigner do)', () => {
    const cases: [string, (text: string) => unknown][] = [
      [GO_NOTE.peterVerifierKey, (t) => parseVerifierKey(t)],
      [GO_NOTE.peterSignerKey, (t) => parseSignerKey(t)],
    ];
    for (const [key, parse] of cases) {
      const variants: string[] = [];
      for (let i = 0; i <= key.length; i++) {
        for (let j = i + 1; j <= key.length; j++)
          if (i !== 0 || j !== key.length) variants.push(key.slice(i, j));
      }
      for (let i = 0; i < key.length; i++) {
        variants.push(key.slice(0, i) + String.fromCharCode(key.charCodeAt(i) + 1) + key.slice(i + 1));
      }
      for (const variant of variants) {
        let thrown: unknown;
        try {
          parse(variant);
        } catch (err) {
          thrown = err;
        }
        expect(GovernessError.is(thrown, LedgerErrors.badKey), variant).toBe(true);
      }
    }
  });
});

describe('golden keys from transparency-dev/formats and C2SP', () => {
  it('derives each published verifier key from its signer key', () => {
    for (const [signerKey, verifierKey] of TD_FORMATS.keyPairs) {
      expect(parseSignerKey(signerKey).verifierKey).toBe(verifierKey);
      expect(parseVerifierKey(verifierKey).verifierKey).toBe(verifierKey);
    }
  });

  it('parses the signed-note spec example key (key ID 530d903a) and the sum.golang.org key', () => {
    expect(formatKeyId(parseVerifierKey(C2SP_SIGNED_NOTE_EXAMPLE.verifierKey).keyId)).toBe('530d903a');
    expect(parseVerifierKey(TD_FORMATS.sumdbVerifierKey).keyId).toBe(0x033de0ae);
  });
});

describe('key ID', () => {
  it('is the first 4 bytes of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key), big-endian', () => {
    const pub = publicKeyOf(GO_NOTE.peterVerifierKey);
    const digest = createHash('sha256')
      .update(Buffer.concat([Buffer.from('PeterNeumann\n'), Buffer.of(1), pub]))
      .digest();
    expect(computeKeyId('PeterNeumann', Buffer.concat([Buffer.of(1), pub]))).toBe(digest.readUInt32BE(0));
    expect(formatKeyId(0x0000abcd)).toBe('0000abcd');
  });
});

describe('generated keys', () => {
  it('round-trip through their strings and sign verifiably', () => {
    const key = generateSigner('governess.example/receipts/0');
    expect(key.signerKey).toMatch(
      /^PRIVATE\+KEY\+governess\.example\/receipts\/0\+[0-9a-f]{8}\+A[A-Za-z0-9+/]{43}$/,
    );
    expect(key.verifierKey).toMatch(/^governess\.example\/receipts\/0\+[0-9a-f]{8}\+A[A-Za-z0-9+/]{43}$/);
    expect(parseSignerKey(key.signerKey).verifierKey).toBe(key.verifierKey);
    const msg = bytes('hi');
    const sig = key.signer.sign(msg);
    expect(key.verifier.verify(msg, sig)).toBe(true);
    const badSig = Uint8Array.from(sig);
    badSig[0] = badSig[0]! ^ 1;
    expect(key.verifier.verify(msg, badSig)).toBe(false);
    expect(key.verifier.verify(bytes('hj'), sig)).toBe(false);
    expect(key.verifier.verify(msg, sig.subarray(0, 10))).toBe(false);
  });

  it('are different each time', () => {
    expect(generateSigner('a').verifierKey).not.toBe(generateSigner('a').verifierKey);
  });

  it('round-trip for any valid name and seed (property)', () => {
    fc.assert(
      fc.property(keyName, fc.uint8Array({ minLength: 32, maxLength: 32 }), (name, seed) => {
        const signerKey = formatSignerKey(name, seed);
        const signer = parseSignerKey(signerKey);
        const verifier = parseVerifierKey(signer.verifierKey);
        expect(signer.name).toBe(name);
        expect(verifier.keyId).toBe(signer.keyId);
        expect(verifier.verify(bytes(name), signer.sign(bytes(name)))).toBe(true);
        expect(signerFromSeed(name, seed).verifierKey).toBe(signer.verifierKey);
      }),
      { numRuns: 200 },
    );
  });
});

describe('key names (signed-note §Format, Go isValidName)', () => {
  it('accepts URL-like and Unicode names', () => {
    for (const name of ['example.com/log42', 'PeterNeumann', 'é/日本', '😀'])
      expect(isValidKeyName(name)).toBe(true);
  });

  it.each([
    ['', /empty/],
    ['a+b', /contains '\+'/],
    ['a b', /U\+0020/],
    ['a\tb', /U\+0009/],
    ['a\u00a0b', /U\+00A0/],
    ['a\u0085b', /U\+0085/],
    ['a\u2003b', /U\+2003/],
    ['a\u3000b', /U\+3000/],
    ['a\u2028b', /U\+2028/],
    ['a\u0001b', /control character/],
    ['a\ud800b', /surrogate/],
  ])('rejects %j', (name, problem) => {
    expect(keyNameProblem(name)).toMatch(problem);
    expectGovernessError(
      () => formatVerifierKey(name, new Uint8Array(32)),
      LedgerErrors.badKey,
      'verifier key name',
      problem,
    );
    expectGovernessError(
      () => signerFromSeed(name, new Uint8Array(32)),
      LedgerErrors.badKey,
      'signer key name',
    );
  });
});

describe('malformed verifier keys', () => {
  const [name, hash, data] = ['PeterNeumann', 'c74f20a3', 'ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'];
  it.each([
    ['too few fields', `${name}+${hash}`, 'verifier key', /expected 3 '\+'-separated fields.*found 2/],
    ['one field', name, 'verifier key', /found 1/],
    ['empty name', `+${hash}+${data}`, 'verifier key, field 1 (key name)', /empty/],
    ['name with space', `Peter Neumann+${hash}+${data}`, 'verifier key, field 1 (key name)', /U\+0020/],
    ['upper-case key ID', `${name}+C74F20A3+${data}`, 'verifier key, field 2 (key ID)', /upper-case/],
    ['short key ID', `${name}+c74f20a+${data}`, 'verifier key, field 2 (key ID)', /7 characters/],
    [
      'key ID mismatch',
      `${name}+c74f20a4+${data}`,
      'verifier key, field 2 (key ID)',
      /does not match.*c74f20a3/,
    ],
    [
      'other name, same key',
      `PeterNeuman+${hash}+${data}`,
      'verifier key, field 2 (key ID)',
      /does not match/,
    ],
    [
      'URL-safe base64',
      `${name}+${hash}+${data.replace('/', '_')}`,
      'verifier key, field 3 (key data)',
      /URL-safe/,
    ],
    [
      'missing padding',
      `${name}+${hash}+${data.slice(0, -1)}`,
      'verifier key, field 3 (key data)',
      /multiple of 4/,
    ],
    ['empty key data', `${name}+${hash}+`, 'verifier key, field 3 (key data)', /empty/],
    [
      'algorithm 0x02',
      `${name}+${hash}+Ahpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW`,
      'verifier key, field 3 (key data)',
      /0x02/,
    ],
    [
      '31-byte key',
      `${name}+${hash}+${Buffer.concat([Buffer.of(1), Buffer.alloc(31)]).toString('base64')}`,
      'verifier key, field 3 (key data)',
      /32 bytes; Ed25519 needs 1 type byte \+ 32/,
    ],
    ['trailing newline', `${GO_NOTE.peterVerifierKey}\n`, 'verifier key, field 3 (key data)', /U\+000A/],
  ])('%s', (_label, text, where, problem) => {
    expectGovernessError(() => parseVerifierKey(text), LedgerErrors.badKey, where, problem);
  });

  it('refuses a signer key given as a verifier key without echoing it', () => {
    const err = expectGovernessError(
      () => parseVerifierKey(GO_NOTE.peterSignerKey),
      LedgerErrors.badKey,
      'verifier key',
      /signer \(private\) key/,
    );
    expect(err.message).not.toContain('AYEKFALV');
  });

  it('names the caller-given place', () => {
    expectGovernessError(
      () => parseVerifierKey('x', 'trusted keys line 4'),
      LedgerErrors.badKey,
      'trusted keys line 4',
    );
  });
});

describe('malformed signer keys', () => {
  const secret = 'AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
  it.each([
    ['a verifier key', GO_NOTE.peterVerifierKey, 'signer key', /found 3.*looks like a verifier key/],
    [
      'wrong prefix',
      `PRIVATE+KEYS+PeterNeumann+c74f20a3+${secret}`,
      'signer key, fields 1-2',
      /PRIVATE\+KEY\+/,
    ],
    [
      'bad name',
      `PRIVATE+KEY+Peter\u00a0Neumann+c74f20a3+${secret}`,
      'signer key, field 3 (key name)',
      /U\+00A0/,
    ],
    [
      'key ID mismatch',
      `PRIVATE+KEY+PeterNeumann+c74f20a4+${secret}`,
      'signer key, field 4 (key ID)',
      /does not match/,
    ],
    [
      'bad base64',
      `PRIVATE+KEY+PeterNeumann+c74f20a3+${secret.replace('+', '-')}`,
      'signer key, field 5 (key data)',
      /not canonical/,
    ],
    [
      'wrong algorithm',
      `PRIVATE+KEY+PeterNeumann+c74f20a3+A${secret.slice(1)}`.replace('+AYE', '+AoE'),
      'signer key, field 5 (key data)',
      /0x02/,
    ],
  ])('%s', (_label, text, where, problem) => {
    const err = expectGovernessError(() => parseSignerKey(text), LedgerErrors.badKey, where, problem);
    expect(err.message).not.toContain(secret.slice(4, 20));
  });

  it('rejects seeds of the wrong length', () => {
    expectGovernessError(
      () => signerFromSeed('a', new Uint8Array(31)),
      LedgerErrors.badKey,
      'signer key seed',
      /31 bytes/,
    );
    expectGovernessError(
      () => verifierFromPublicKey('a', new Uint8Array(33)),
      LedgerErrors.badKey,
      'verifier key public key',
      /33 bytes/,
    );
  });
});
