// ReceiptArena: a batch's receipt texts laid out behind 0x00 bytes in shared chunks; each entry's bytes are the
// text's UTF-8 and its leaf hash is RFC 6962's SHA-256(0x00 ‖ bytes), whatever the text and chunk boundary.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { leafHash, leafHashOfPrefixed } from '../../src/ledger/merkle/index.js';
import { ReceiptArena } from '../../src/ledger/receipt-arena.js';

describe('ReceiptArena', () => {
  it('gives each text its UTF-8 bytes and leaf hash, across chunk boundaries and multi-byte characters', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme', maxLength: 3000 }), { maxLength: 80 }), (texts) => {
        const arena = new ReceiptArena();
        const entries = texts.map((t) => arena.add(t));
        // Checked after every add: a later write must not disturb an earlier entry's bytes.
        entries.forEach((e, i) => {
          const want = Buffer.from(texts[i] as string, 'utf8');
          expect(Buffer.from(e.bytes).equals(want)).toBe(true);
          expect(Buffer.from(e.leaf).equals(Buffer.from(leafHash(want)))).toBe(true);
        });
      }),
    );
  });

  it('gives a text longer than a chunk a chunk of its own', () => {
    const arena = new ReceiptArena();
    const small = arena.add('a');
    const big = arena.add('é'.repeat(40_000)); // 80,000 bytes, more than one 64 KiB chunk
    expect(big.bytes.length).toBe(80_000);
    expect(Buffer.from(small.bytes).toString()).toBe('a');
  });
});

describe('leafHashOfPrefixed', () => {
  it('equals leafHash of the bytes after the prefix', () => {
    const data = Buffer.from('{"a":1}');
    expect(leafHashOfPrefixed(Buffer.concat([Buffer.of(0), data]))).toEqual(leafHash(data));
  });

  it('refuses input that does not start with the leaf prefix', () => {
    expect(() => leafHashOfPrefixed(Buffer.of(1, 2, 3))).toThrow(RangeError);
  });
});
