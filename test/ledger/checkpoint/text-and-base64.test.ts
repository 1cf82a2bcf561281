import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBase64Strict, encodeBase64 } from '../../../src/ledger/checkpoint/base64.js';
import { parseCanonicalDecimal } from '../../../src/ledger/checkpoint/decimal.js';
import { decodeUtf8, firstInvalidUtf8, firstTextFault } from '../../../src/ledger/checkpoint/text-checks.js';

describe('strict standard base64 (RFC 4648 §4)', () => {
  it('round-trips any bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        expect(decodeBase64Strict(encodeBase64(bytes))).toEqual(bytes);
      }),
    );
  });

  it('matches the RFC 4648 §10 test vectors', () => {
    const vectors = ['', 'Zg==', 'Zm8=', 'Zm9v', 'Zm9vYg==', 'Zm9vYmE=', 'Zm9vYmFy'];
    const plain = ['', 'f', 'fo', 'foo', 'foob', 'fooba', 'foobar'];
    vectors.forEach((b64, i) => {
      expect(Buffer.from(decodeBase64Strict(b64)!).toString()).toBe(plain[i]);
      expect(encodeBase64(Buffer.from(plain[i]!))).toBe(b64);
    });
  });

  it.each([
    'Zg',
    'Zg=',
    'Zg===',
    'Zh==',
    'Zm9=',
    'Z===',
    'Zm9v\n',
    ' Zm9v',
    'Zm-v',
    'Zm_v',
    'Zm9v=',
    '=Zm9',
    'Zg==Zg==',
  ])('refuses %j', (text) => {
    expect(decodeBase64Strict(text)).toBeUndefined();
  });
});

describe('text checks', () => {
  it('finds control characters and lone surrogates with line and column', () => {
    expect(firstTextFault('ab\ncd\r\n')).toMatchObject({ line: 2, column: 3 });
    expect(firstTextFault('😀\n\udc00')).toMatchObject({ line: 2, column: 1 });
    expect(firstTextFault('😀x\u007f\u0085\n')).toBeUndefined();
  });

  it('agrees with TextDecoder on which byte strings are UTF-8 (property)', () => {
    const fatal = new TextDecoder('utf-8', { fatal: true });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 12 }), (bytes) => {
        let valid = true;
        try {
          fatal.decode(bytes);
        } catch {
          valid = false;
        }
        expect(firstInvalidUtf8(bytes) < 0).toBe(valid);
      }),
      { numRuns: 2000 },
    );
  });

  it('locates invalid UTF-8 (overlong, surrogate, truncated, above U+10FFFF)', () => {
    expect(decodeUtf8(Uint8Array.of(0x61, 0x0a, 0x62, 0xc0, 0xaf))).toEqual({
      fault: { line: 2, column: 2, problem: 'byte 0xc0 starts invalid UTF-8' },
    });
    expect(firstInvalidUtf8(Uint8Array.of(0xed, 0xa0, 0x80))).toBe(0);
    expect(firstInvalidUtf8(Uint8Array.of(0x61, 0xe2, 0x82))).toBe(1);
    expect(firstInvalidUtf8(Uint8Array.of(0xf4, 0x90, 0x80, 0x80))).toBe(0);
    expect(firstInvalidUtf8(new TextEncoder().encode('é€😀'))).toBe(-1);
    expect(decodeUtf8(Uint8Array.of(0xef, 0xbb, 0xbf, 0x61))).toEqual({ text: '\ufeffa' });
  });
});

describe('canonical decimals', () => {
  it.each([
    ['0', 0],
    ['7', 7],
    ['9007199254740991', Number.MAX_SAFE_INTEGER],
  ])('accepts %s', (text, value) => {
    expect(parseCanonicalDecimal(text)).toBe(value);
  });

  it.each([
    '',
    '00',
    '01',
    '-1',
    '+1',
    '1e3',
    '0x10',
    ' 1',
    '1 ',
    '9007199254740992',
    '99999999999999999999',
  ])('refuses %j', (text) => {
    expect(parseCanonicalDecimal(text)).toHaveProperty('problem');
  });
});
