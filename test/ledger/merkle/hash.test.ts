import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GovernessError, LedgerErrors } from '../../../src/errors/index.js';
import {
  assertHash,
  EMPTY_ROOT,
  hashesEqual,
  hashFromBase64,
  hashFromHex,
  hashToBase64,
  hashToHex,
  leafHash,
  nodeHash,
} from '../../../src/ledger/merkle/index.js';
import { refLeafHash, refNodeHash } from './reference.js';
import { HASHER_VECTORS } from './vectors.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

function caught(fn: () => unknown): GovernessError {
  try {
    fn();
  } catch (err) {
    if (err instanceof GovernessError) return err;
    throw err;
  }
  throw new Error('expected a GovernessError');
}

describe('RFC 6962 §2.1 hashing (rfc6962/rfc6962_test.go vectors)', () => {
  it('EMPTY_ROOT is SHA-256 of nothing', () => {
    expect(hashToHex(EMPTY_ROOT)).toBe(HASHER_VECTORS.emptyRoot);
  });

  it('hashes the empty leaf as SHA-256(0x00), distinct from the empty root', () => {
    expect(hashToHex(leafHash(new Uint8Array(0)))).toBe(HASHER_VECTORS.emptyLeaf);
  });

  it('hashes a leaf as SHA-256(0x00 ‖ data)', () => {
    expect(hashToHex(leafHash(text(HASHER_VECTORS.leaf.input)))).toBe(HASHER_VECTORS.leaf.hash);
  });

  it('hashes a node as SHA-256(0x01 ‖ left ‖ right), also for children that are not 32 bytes', () => {
    const { left, right, hash } = HASHER_VECTORS.node;
    expect(hashToHex(nodeHash(text(left), text(right)))).toBe(hash);
  });

  it('keeps leaves and nodes apart, and node order matters (rfc6962_test.go collision checks)', () => {
    const a = leafHash(text('Hello'));
    const b = leafHash(text('World'));
    expect(hashesEqual(a, b)).toBe(false);
    const node = nodeHash(a, b);
    expect(hashesEqual(node, leafHash(new Uint8Array([...a, ...b])))).toBe(false);
    expect(hashesEqual(node, nodeHash(b, a))).toBe(false);
  });
});

describe('fast paths agree with plain createHash', () => {
  it('leafHash for any input, including inputs past the reused buffer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), (data) => {
        expect(leafHash(data)).toEqual(refLeafHash(data));
      }),
      { numRuns: 300 },
    );
    for (const size of [1023, 1024, 4097, 64 * 1024 - 1, 64 * 1024, 200_000]) {
      const data = new Uint8Array(size).map((_, i) => (i * 7) & 0xff);
      expect(leafHash(data), `size ${size}`).toEqual(refLeafHash(data));
    }
  });

  it('nodeHash for any pair of 32-byte hashes; results are independent arrays', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (l, r) => {
          const first = nodeHash(l, r);
          const copy = new Uint8Array(first);
          const second = nodeHash(r, l);
          expect(first).toEqual(refNodeHash(l, r));
          expect(second).toEqual(refNodeHash(r, l));
          expect(first).toEqual(copy); // the second call did not overwrite the first result
        },
      ),
      { numRuns: 300 },
    );
  });

  it('leafHash results do not alias the reused input buffer', () => {
    const a = leafHash(text('a'));
    const saved = new Uint8Array(a);
    leafHash(text('b'));
    expect(a).toEqual(saved);
    expect(a).toEqual(new Uint8Array(createHash('sha256').update(Uint8Array.of(0, 0x61)).digest()));
  });
});

describe('hex and base64 helpers', () => {
  const hash32 = fc.uint8Array({ minLength: 32, maxLength: 32 });

  it('round-trip every hash', () => {
    fc.assert(
      fc.property(hash32, (h) => {
        expect(hashFromHex(hashToHex(h), 'test')).toEqual(h);
        expect(hashFromBase64(hashToBase64(h), 'test')).toEqual(h);
        expect(hashToHex(h)).toMatch(/^[0-9a-f]{64}$/);
        expect(hashToBase64(h)).toMatch(/^[A-Za-z0-9+/]{43}=$/);
      }),
    );
  });

  it.each([
    ['uppercase', 'E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855'],
    ['63 digits', HASHER_VECTORS.emptyRoot.slice(1)],
    ['65 digits', `${HASHER_VECTORS.emptyRoot}0`],
    ['a space', ` ${HASHER_VECTORS.emptyRoot.slice(1)}`],
    ['empty', ''],
  ])('hashFromHex rejects %s, naming the place', (_name, input) => {
    const err = caught(() => hashFromHex(input, 'receipt 7 field prev'));
    expect(err.code).toBe(LedgerErrors.badProof.code);
    expect(err.message).toMatch(
      /^invalid proof receipt 7 field prev: expected 64 lowercase hex digits, got /,
    );
  });

  it.each([
    ['no padding', '47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU'],
    ['url-safe alphabet', '47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU='],
    ['non-zero unused bits', '47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFV='],
    ['too short', 'ZG9uJ3QgY2FyZSAy'],
    ['whitespace', '47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuF U='],
  ])('hashFromBase64 rejects %s', (_name, input) => {
    const err = caught(() => hashFromBase64(input, 'checkpoint line 3', LedgerErrors.badCheckpoint));
    expect(err.code).toBe(LedgerErrors.badCheckpoint.code);
    expect(err.details['where']).toBe('checkpoint line 3');
  });

  it('hashFromBase64 accepts the canonical spelling of EMPTY_ROOT', () => {
    expect(hashFromBase64('47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=', 'x')).toEqual(EMPTY_ROOT);
  });

  it('assertHash names the field and the size', () => {
    expect(() => assertHash(new Uint8Array(32), 'leaf')).not.toThrow();
    expect(caught(() => assertHash(new Uint8Array(31), 'leaf')).message).toBe(
      'invalid proof leaf: hash is 31 bytes, want 32',
    );
    expect(caught(() => assertHash('abc', 'root', LedgerErrors.storeCorrupt)).code).toBe(
      LedgerErrors.storeCorrupt.code,
    );
  });
});
