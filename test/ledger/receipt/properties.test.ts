// Properties over generated receipts: sealing, encoding and decoding round-trip; the receipt encoder agrees with
// the generic canonicalizer; and whatever bytes decodeReceipt accepts (after any single-byte change) are exactly
// the canonical encoding of what it returns — a receipt has one spelling.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GovernessError } from '../../../src/errors/index.js';
import { canonicalize } from '../../../src/ledger/canonical/index.js';
import {
  GENESIS_PREV,
  Uuidv7Generator,
  decodeReceipt,
  encodeReceipt,
  formatTimestamp,
  sealReceipt,
  validateDraft,
  type Receipt,
  type ReceiptDraft,
  type ReceiptSeal,
} from '../../../src/ledger/receipt/index.js';

/** Text of well-formed UTF-16 without U+0000, at most `max` code points (so at most 2 × max code units). */
const text = (min: number, max: number) =>
  fc.string({ unit: 'binary', minLength: min, maxLength: max }).map((s) => s.replace(/\u0000/g, '0'));
const id = fc.stringMatching(/^[A-Za-z0-9._:@-]{1,40}$/);
const metadataValue = fc.oneof(fc.maxSafeInteger(), text(0, 20), fc.boolean(), fc.constant(null));

const draft: fc.Arbitrary<ReceiptDraft> = fc.record(
  {
    governor: fc.stringMatching(/^[a-z][a-z0-9_-]{0,31}$/),
    sku_id: id,
    tenant_id: id,
    state_from: text(1, 128),
    state_to: text(1, 128),
    event: fc.record({
      type: fc.constantFrom(
        'call',
        'cast',
        'info',
        'internal',
        'timeout',
        'state_timeout',
        'generic_timeout',
        'enter',
        'system',
      ),
      summary: text(0, 128),
    }),
    status: fc.constantFrom('accept', 'refuse'),
    reason: fc.record({ code: fc.stringMatching(/^[A-Za-z][A-Za-z0-9_.:-]{0,63}$/), message: text(0, 200) }),
    metadata: fc.dictionary(fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/), metadataValue, {
      maxKeys: 8,
    }),
    cause: fc.record({
      request_id: fc.option(text(0, 128), { nil: null }),
      idempotency_key: fc.option(text(0, 128), { nil: null }),
      actor: fc.option(text(0, 128), { nil: null }),
    }),
  },
  {
    requiredKeys: [
      'governor',
      'sku_id',
      'tenant_id',
      'state_from',
      'state_to',
      'event',
      'status',
      'reason',
      'metadata',
      'cause',
    ],
  },
) as fc.Arbitrary<ReceiptDraft>;

const hex64 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex'));

const seal: fc.Arbitrary<ReceiptSeal> = fc
  .record({
    ms: fc.integer({ min: 0, max: 253402300799999 }),
    seq: fc.oneof(fc.constant(1), fc.integer({ min: 2, max: Number.MAX_SAFE_INTEGER })),
    prev: hex64.filter((h) => h !== GENESIS_PREV),
  })
  .map(({ ms, seq, prev }) => ({
    receipt_id: new Uuidv7Generator().next(ms),
    ledger_seq: seq,
    prev: seq === 1 ? GENESIS_PREV : prev,
    ts: formatTimestamp(ms),
  }));

const receipt: fc.Arbitrary<Receipt> = fc
  .tuple(draft, seal, fc.option(hex64, { nil: undefined }))
  .map(([d, s, commitment]) => sealReceipt(validateDraft(d), s, commitment));

describe('receipt properties', () => {
  it('round-trips through its bytes, and the bytes are the generic canonical text', () => {
    fc.assert(
      fc.property(receipt, (r) => {
        const bytes = encodeReceipt(r);
        expect(Buffer.from(bytes).toString('utf8')).toBe(canonicalize(r));
        const back = decodeReceipt(bytes, 'generated');
        expect(back).toEqual(r);
        expect(Buffer.from(encodeReceipt(back)).equals(Buffer.from(bytes))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('sealing a checked draft (seal fields checked only) gives the same receipt as sealing with full validation', () => {
    fc.assert(
      fc.property(draft, seal, fc.option(hex64, { nil: undefined }), (d, s, commitment) => {
        const checked = validateDraft(d);
        const fast = sealReceipt(checked, s, commitment);
        const full = sealReceipt({ ...checked }, s, commitment);
        expect(fast).toEqual(full);
        expect(Buffer.from(encodeReceipt(fast)).equals(Buffer.from(encodeReceipt(full)))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('encodes the same bytes whatever order the members of the input object are in', () => {
    fc.assert(
      fc.property(receipt, (r) => {
        const reversed = JSON.parse(JSON.stringify(r), (_key, value: unknown) =>
          value !== null && typeof value === 'object' && !Array.isArray(value)
            ? Object.fromEntries(Object.entries(value).reverse())
            : value,
        ) as Receipt;
        expect(Buffer.from(encodeReceipt(reversed)).equals(Buffer.from(encodeReceipt(r)))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('accepts after any one-byte change only bytes that are the canonical encoding of what it returns', () => {
    fc.assert(
      fc.property(receipt, fc.nat(), fc.integer({ min: 0, max: 255 }), (r, at, byte) => {
        const bytes = Buffer.from(encodeReceipt(r));
        const position = at % bytes.length;
        const changed = Buffer.from(bytes);
        changed[position] = byte;
        let decoded: Receipt;
        try {
          decoded = decodeReceipt(changed, `byte ${position}`);
        } catch (err) {
          expect(err).toBeInstanceOf(GovernessError);
          return;
        }
        expect(Buffer.from(encodeReceipt(decoded)).equals(changed)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
