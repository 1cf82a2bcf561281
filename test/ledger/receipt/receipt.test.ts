// Receipt v1: sealing, the canonical byte form and reading it back, and every field's rules (each violation
// rejected with the field named).
import { describe, expect, it } from 'vitest';
import { LedgerErrors } from '../../../src/errors/index.js';
import { canonicalBytes, canonicalize } from '../../../src/ledger/canonical/index.js';
import {
  GENESIS_PREV,
  RECEIPT_SCHEMA,
  decodeReceipt,
  encodeReceipt,
  ledgerId,
  sealReceipt,
  validateDraft,
  validateReceipt,
  type Receipt,
} from '../../../src/ledger/receipt/index.js';
import { FIRST_SEAL, draftFixture, receiptFixture, receiptObject, thrown } from './fixtures.js';
import { metadataOfSize } from '../../support/ledger.js';

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');
const bytesOf = (value: unknown): Uint8Array => Buffer.from(JSON.stringify(value), 'utf8');
const HASH = 'ab'.repeat(32);

describe('sealing and the canonical byte form', () => {
  it('seals a draft into a receipt whose bytes are the RFC 8785 text, members sorted', () => {
    const receipt = receiptFixture();
    expect(text(encodeReceipt(receipt))).toBe(
      '{"cause":{"actor":"user:42","idempotency_key":"idem-000123","request_id":"req-8f1c2d"},' +
        '"event":{"summary":"upgrade to pro","type":"call"},"governor":"entitlement",' +
        '"ledger":"entitlement/sku-pro-monthly/tenant-7f3a","ledger_seq":1,' +
        '"metadata":{"amount":"12.50","coupon":null,"currency":"EUR","seats":5,"trial":false},' +
        `"prev":"${GENESIS_PREV}","reason":{"code":"ok.upgraded","message":"plan upgraded"},` +
        '"receipt_id":"019ab1c2-d3e4-7f05-8a6b-7c8d9e0f1a2b","schema":"governess.receipt/v1",' +
        '"sku_id":"sku-pro-monthly","state_from":"trial","state_to":"active","status":"accept",' +
        '"tenant_id":"tenant-7f3a","ts":"2026-11-23T10:00:00.000Z"}',
    );
  });

  it('encodeReceipt equals the generic canonicalizer, with and without a private commitment', () => {
    const plain = receiptFixture();
    expect(Buffer.from(encodeReceipt(plain)).equals(Buffer.from(canonicalBytes(plain)))).toBe(true);
    const withPrivate = sealReceipt({ ...draftFixture(), private: { note: 'x' } }, FIRST_SEAL, HASH);
    const encoded = text(encodeReceipt(withPrivate));
    expect(encoded).toBe(canonicalize(withPrivate));
    expect(encoded).toContain(`"prev":"${GENESIS_PREV}","private_commitment":"${HASH}","reason":`);
  });

  it('encodes a hand-built receipt object with its members in any order to the same bytes', () => {
    const reversed = Object.fromEntries(Object.entries(receiptObject()).reverse()) as unknown as Receipt;
    expect(text(encodeReceipt(reversed))).toBe(text(encodeReceipt(receiptFixture())));
  });

  it('round-trips: decodeReceipt(encodeReceipt(r)) equals r', () => {
    const receipt = receiptFixture();
    expect(decodeReceipt(encodeReceipt(receipt), 'line 1')).toEqual(receipt);
    const withPrivate = sealReceipt({ ...draftFixture(), private: { a: 1 } }, FIRST_SEAL, HASH);
    expect(decodeReceipt(encodeReceipt(withPrivate), 'line 2')).toEqual(withPrivate);
  });

  it('returns deeply frozen receipts that a later change to the draft cannot reach', () => {
    const draft = JSON.parse(JSON.stringify(draftFixture())) as { metadata: Record<string, unknown> };
    const receipt = sealReceipt(draft as never, FIRST_SEAL);
    draft.metadata.seats = 999;
    expect(receipt.metadata.seats).toBe(5);
    for (const part of [receipt, receipt.event, receipt.reason, receipt.cause, receipt.metadata]) {
      expect(Object.isFrozen(part)).toBe(true);
    }
    const decoded = decodeReceipt(encodeReceipt(receipt), 'x');
    expect(Object.isFrozen(decoded) && Object.isFrozen(decoded.metadata)).toBe(true);
  });

  it('requires the commitment when the draft has a private payload, and keeps the payload out of the receipt', () => {
    const draft = { ...draftFixture(), private: { email: 'a@example.com' } };
    const err = thrown(() => sealReceipt(draft, FIRST_SEAL), LedgerErrors.badReceipt);
    expect(err.details.field).toBe('private_commitment');
    const receipt = sealReceipt(draft, FIRST_SEAL, HASH);
    expect(text(encodeReceipt(receipt))).not.toContain('example.com');
    expect('private' in receipt).toBe(false);
  });

  it('ledgerId joins checked parts and refuses a part that could forge another ledger', () => {
    expect(ledgerId('billing', 'sku.1', 'tenant@x')).toBe('billing/sku.1/tenant@x');
    expect(thrown(() => ledgerId('billing', 'a/b', 't'), LedgerErrors.badReceipt).details.field).toBe(
      'sku_id',
    );
    expect(thrown(() => ledgerId('Billing', 's', 't'), LedgerErrors.badReceipt).details.field).toBe(
      'governor',
    );
  });
});

describe('decodeReceipt: only canonical v1 bytes', () => {
  it('rejects valid fields in a non-canonical spelling, naming where', () => {
    const unsorted = bytesOf(Object.fromEntries(Object.entries(receiptObject()).reverse()));
    const err = thrown(() => decodeReceipt(unsorted, 'line 12'), LedgerErrors.notCanonical);
    expect(err.message).toMatch(
      /^bytes at line 12 are not canonical JSON \(RFC 8785\): first difference at byte 2/,
    );
    const spaced = Buffer.from(JSON.stringify(receiptFixture(), null, 2));
    expect(thrown(() => decodeReceipt(spaced, 'line 13'), LedgerErrors.notCanonical).details.where).toBe(
      'line 13',
    );
  });

  it('rejects a duplicated member even when its last value is valid', () => {
    const canonical = text(encodeReceipt(receiptFixture()));
    const doubled = canonical.replace(
      '"governor":"entitlement",',
      '"governor":"x","governor":"entitlement",',
    );
    const err = thrown(
      () => decodeReceipt(Buffer.from(doubled), 'receipt 019ab1c2'),
      LedgerErrors.notCanonical,
    );
    expect(err.details.problem).toMatch(/^duplicate property name "governor" at byte \d+/);
  });

  it('reports non-canonical bytes first, even when a field is also invalid', () => {
    const bad = { ...receiptObject(), ledger_seq: 0 };
    const spaced = Buffer.from(JSON.stringify(bad, null, 1));
    expect(thrown(() => decodeReceipt(spaced, 'line 4'), LedgerErrors.notCanonical).details.where).toBe(
      'line 4',
    );
  });

  it('rejects invalid UTF-8 and a lone surrogate escape, naming where', () => {
    const canonical = Buffer.from(encodeReceipt(receiptFixture()));
    const broken = Buffer.concat([canonical.subarray(0, 10), Buffer.from([0xff]), canonical.subarray(11)]);
    expect(thrown(() => decodeReceipt(broken, 'line 5'), LedgerErrors.notCanonical).details.problem).toBe(
      'invalid UTF-8 at byte 10: 0xff',
    );
    const lone = text(canonical).replace('"summary":"upgrade to pro"', '"summary":"\\ud800"');
    const err = thrown(() => decodeReceipt(Buffer.from(lone), 'line 6'), LedgerErrors.notCanonical);
    expect(err.details.where).toBe('line 6 at /event/summary');
  });

  it('names the schema and where for another schema version, before anything else', () => {
    const v2 = { ...receiptObject(), schema: 'governess.receipt/v2', extra: 1 };
    const sorted = canonicalBytes(v2);
    const err = thrown(() => decodeReceipt(sorted, 'line 9'), LedgerErrors.unknownSchema);
    expect(err.message).toBe('unknown receipt schema "governess.receipt/v2" at line 9');
    const missing = receiptObject();
    delete missing.schema;
    expect(
      thrown(() => decodeReceipt(canonicalBytes(missing), 'line 10'), LedgerErrors.unknownSchema).details,
    ).toEqual({ schema: '(missing)', where: 'line 10' });
    expect(thrown(() => validateReceipt({ schema: 7 }), LedgerErrors.unknownSchema).details.schema).toBe('7');
  });

  it('adds where to field errors and size errors', () => {
    const bad = canonicalBytes({ ...receiptObject(), ledger_seq: 0 });
    const err = thrown(() => decodeReceipt(bad, 'line 12'), LedgerErrors.badReceipt);
    expect(err.details.field).toBe('ledger_seq');
    expect(err.message).toBe(
      'invalid receipt field ledger_seq: must be an integer from 1 to 2^53-1, got 0 (in line 12)',
    );
    const big = canonicalBytes({ ...receiptObject(), metadata: { note: 'x'.repeat(100) } });
    const tooLarge = thrown(
      () => decodeReceipt(big, 'line 3', { maxMetadataBytes: 64 }),
      LedgerErrors.receiptTooLarge,
    );
    expect(tooLarge.message).toBe('receipt field metadata (in line 3) is 111 bytes, over the 64-byte limit');
  });

  it('rejects JSON that is not an object', () => {
    for (const value of [[], 'x', 1, null]) {
      const err = thrown(() => decodeReceipt(canonicalBytes(value), 'line 1'), LedgerErrors.badReceipt);
      expect(err.details.field).toBe('(receipt)');
    }
  });
});

/** A receipt object with `path` (dotted) set to `value`, or removed when `value` is the REMOVE marker. */
const REMOVE = Symbol('remove');
function variant(path: string, value: unknown): Record<string, unknown> {
  const obj = receiptObject();
  const parts = path.split('.');
  let holder = obj;
  for (const part of parts.slice(0, -1)) holder = holder[part] as Record<string, unknown>;
  const last = parts[parts.length - 1] as string;
  if (value === REMOVE) delete holder[last];
  else holder[last] = value;
  return obj;
}

describe('validateReceipt: every field', () => {
  // [field named in the error, path to change, bad value, problem]
  const cases: readonly [string, string, unknown, RegExp][] = [
    ['receipt_id', 'receipt_id', REMOVE, /is required/],
    ['receipt_id', 'receipt_id', '019AB1C2-D3E4-7F05-8A6B-7C8D9E0F1A2B', /lower-case UUIDv7/],
    ['receipt_id', 'receipt_id', '019ab1c2-d3e4-4f05-8a6b-7c8d9e0f1a2b', /UUIDv7/],
    ['receipt_id', 'receipt_id', '019ab1c2-d3e4-7f05-ca6b-7c8d9e0f1a2b', /UUIDv7/],
    ['receipt_id', 'receipt_id', '019ab1c2d3e47f058a6b7c8d9e0f1a2b', /UUIDv7/],
    ['receipt_id', 'receipt_id', 42, /must be a string/],
    ['governor', 'governor', 'Entitlement', /\[a-z\]\[a-z0-9_-\]\{0,31\}/],
    ['governor', 'governor', 'a'.repeat(33), /governor kind/],
    ['governor', 'governor', '', /governor kind/],
    ['sku_id', 'sku_id', 'sku/1', /\[A-Za-z0-9._:@-\]\{1,128\}/],
    ['sku_id', 'sku_id', '', /an id matching/],
    ['tenant_id', 'tenant_id', 'x'.repeat(129), /an id matching/],
    ['tenant_id', 'tenant_id', 'tenant 7', /an id matching/],
    ['tenant_id', 'tenant_id', null, /must be a string/],
    [
      'ledger',
      'ledger',
      'entitlement/sku-pro-monthly/other',
      /must be "entitlement\/sku-pro-monthly\/tenant-7f3a"/,
    ],
    ['ledger', 'ledger', 'tenant-7f3a/entitlement', /governor\/sku_id\/tenant_id/],
    ['ledger', 'ledger', REMOVE, /is required/],
    ['ledger_seq', 'ledger_seq', 0, /integer from 1/],
    ['ledger_seq', 'ledger_seq', 1.5, /integer from 1/],
    ['ledger_seq', 'ledger_seq', 2 ** 53, /integer from 1/],
    ['ledger_seq', 'ledger_seq', '1', /integer from 1/],
    ['prev', 'prev', 'AB'.repeat(32), /64 lower-case hex/],
    ['prev', 'prev', 'ab'.repeat(31), /64 lower-case hex/],
    ['prev', 'prev', HASH, /must be 64 zeros when ledger_seq is 1/],
    ['ts', 'ts', '2026-11-23T10:00:00Z', /RFC 3339 UTC/],
    ['ts', 'ts', '2026-11-23T10:00:00.000+00:00', /RFC 3339 UTC/],
    ['ts', 'ts', '2026-02-30T10:00:00.000Z', /RFC 3339 UTC/],
    ['ts', 'ts', '2026-11-23t10:00:00.000z', /RFC 3339 UTC/],
    ['ts', 'ts', 1795000000000, /RFC 3339 UTC/],
    ['state_from', 'state_from', '', /1\.\.256 UTF-16 code units/],
    ['state_to', 'state_to', 'x'.repeat(257), /is 257/],
    ['state_to', 'state_to', 'a\u0000b', /U\+0000 at index 1/],
    ['state_from', 'state_from', 'ok\uD800', /lone surrogate U\+D800 at index 2/],
    ['event', 'event', 'call', /must be a JSON object, not string/],
    ['event', 'event', REMOVE, /is required/],
    ['event.type', 'event.type', 'click', /must be one of call, cast, info, internal, timeout/],
    ['event.summary', 'event.summary', 'x'.repeat(257), /0\.\.256/],
    ['event.summary', 'event.summary', REMOVE, /is required/],
    ['event.extra', 'event.extra', 1, /unknown field/],
    ['status', 'status', 'ok', /"accept" or "refuse"/],
    ['status', 'status', REMOVE, /is required/],
    ['reason.code', 'reason.code', '1abc', /\[A-Za-z\]\[A-Za-z0-9_.:-\]\{0,63\}/],
    ['reason.code', 'reason.code', 'a'.repeat(65), /a code matching/],
    ['reason.message', 'reason.message', 'x'.repeat(1025), /0\.\.1024/],
    ['reason.message', 'reason.message', '\uDFFF', /lone surrogate U\+DFFF/],
    ['reason.detail', 'reason.detail', 'x', /unknown field/],
    ['metadata', 'metadata', [], /JSON object of flat values, not array/],
    ['metadata', 'metadata', REMOVE, /use \{\} for none/],
    [
      'metadata.ratio',
      'metadata.ratio',
      0.5,
      /0\.5 is a float, and floats are not allowed; use an integer or a decimal string/,
    ],
    ['metadata.amount', 'metadata.amount', 12.5, /use an integer or a decimal string/],
    ['metadata.zero', 'metadata.zero', -0, /-0 is not allowed.*use an integer or a decimal string/],
    ['metadata.big', 'metadata.big', 2 ** 53, /outside ±\(2\^53-1\).*"9007199254740992"/],
    ['metadata.nan', 'metadata.nan', NaN, /NaN is not a JSON number; use an integer or a decimal string/],
    ['metadata.nested', 'metadata.nested', { a: 1 }, /no nesting\), not object/],
    ['metadata.list', 'metadata.list', [1], /not array/],
    ['metadata.1st', 'metadata.1st', 1, /key must match/],
    ['metadata.has space', 'metadata.has space', 1, /key must match/],
    ['metadata.note', 'metadata.note', 'a\uD83D', /lone surrogate U\+D83D at index 1/],
    ['metadata.note', 'metadata.note', '\u0000', /U\+0000/],
    ['cause', 'cause', null, /must be a JSON object, not null/],
    ['cause.actor', 'cause.actor', REMOVE, /use null for none/],
    ['cause.actor', 'cause.actor', 7, /must be a string, not number/],
    ['cause.request_id', 'cause.request_id', 'r'.repeat(257), /0\.\.256/],
    ['cause.idempotency_key', 'cause.idempotency_key', '\uDC00x', /lone surrogate/],
    ['cause.user', 'cause.user', 'x', /unknown field/],
    ['private_commitment', 'private_commitment', null, /absent or 64 lower-case hex/],
    [
      'private_commitment',
      'private_commitment',
      undefined,
      /absent or 64 lower-case hex characters, not undefined/,
    ],
    ['private_commitment', 'private_commitment', 'AB'.repeat(32), /absent or 64 lower-case hex/],
    ['extra', 'extra', 1, /unknown field/],
    ['Schema', 'Schema', 'x', /unknown field/],
  ];

  for (const [field, path, value, problem] of cases) {
    const shown =
      value === REMOVE
        ? 'removed'
        : typeof value === 'string'
          ? JSON.stringify(value.slice(0, 40))
          : String(value);
    it(`${path} = ${shown} → ${field}`, () => {
      const err = thrown(() => validateReceipt(variant(path, value)), LedgerErrors.badReceipt);
      expect(err.details.field).toBe(field);
      expect(String(err.details.problem)).toMatch(problem);
      expect(err.message.startsWith(`invalid receipt field ${field}: `)).toBe(true);
    });
  }

  it('allows prev to be any hash after the first receipt, but never the genesis value', () => {
    expect(validateReceipt({ ...receiptObject(), ledger_seq: 2, prev: HASH }).prev).toBe(HASH);
    const err = thrown(() => validateReceipt({ ...receiptObject(), ledger_seq: 2 }), LedgerErrors.badReceipt);
    expect(err.details).toEqual({
      field: 'prev',
      problem: 'is 64 zeros, which only the first receipt of a ledger may have (ledger_seq is 2)',
    });
  });

  it('accepts the boundary values of every length rule', () => {
    const longest = validateReceipt({
      ...receiptObject(),
      governor: 'g' + 'a'.repeat(31),
      ledger: `g${'a'.repeat(31)}/${'S'.repeat(128)}/${'T'.repeat(128)}`,
      sku_id: 'S'.repeat(128),
      tenant_id: 'T'.repeat(128),
      state_from: 's'.repeat(256),
      state_to: 's',
      event: { type: 'generic_timeout', summary: '' },
      reason: { code: 'R' + 'r'.repeat(63), message: 'm'.repeat(1024) },
      cause: { request_id: null, idempotency_key: null, actor: 'a'.repeat(256) },
      metadata: { ['_' + 'k'.repeat(63)]: -(2 ** 53 - 1), max: 2 ** 53 - 1, t: true, n: null, s: '' },
      ledger_seq: 2 ** 53 - 1,
      prev: HASH,
      status: 'refuse',
    });
    expect(longest.ledger_seq).toBe(2 ** 53 - 1);
    expect(decodeReceipt(encodeReceipt(longest), 'x')).toEqual(longest);
  });

  it('accepts every event type and both statuses, and non-ASCII text', () => {
    for (const type of [
      'call',
      'cast',
      'info',
      'internal',
      'timeout',
      'state_timeout',
      'generic_timeout',
      'enter',
      'system',
    ]) {
      for (const status of ['accept', 'refuse']) {
        const r = validateReceipt({ ...receiptObject(), event: { type, summary: 'é€😀\u2028' }, status });
        expect(decodeReceipt(encodeReceipt(r), 'x')).toEqual(r);
      }
    }
  });

  it('keeps a metadata key named __proto__ as data', () => {
    const obj = receiptObject();
    obj.metadata = JSON.parse('{"__proto__":1,"a":2}') as unknown;
    const r = validateReceipt(obj);
    expect(Object.keys(r.metadata)).toEqual(['__proto__', 'a']);
    expect(text(encodeReceipt(r))).toContain('"metadata":{"__proto__":1,"a":2}');
    expect(decodeReceipt(encodeReceipt(r), 'x')).toEqual(r);
  });
});

describe('metadata size limit', () => {
  const sized = metadataOfSize;

  it('accepts exactly the default 16384 bytes and rejects one more, with the sizes', () => {
    expect(canonicalize(sized(16384))).toHaveLength(16384);
    expect(validateReceipt({ ...receiptObject(), metadata: sized(16384) }).metadata).toEqual(sized(16384));
    const err = thrown(
      () => validateReceipt({ ...receiptObject(), metadata: sized(16385) }),
      LedgerErrors.receiptTooLarge,
    );
    expect(err.details).toEqual({ field: 'metadata', size: 16385, limit: 16384 });
    expect(err.message).toBe('receipt field metadata is 16385 bytes, over the 16384-byte limit');
  });

  it('counts UTF-8 bytes of the canonical form, escapes included, and honours the option', () => {
    const multiByte = { note: '€'.repeat(10) }; // 11 + 30 bytes
    expect(
      thrown(
        () => validateDraft({ ...draftFixture(), metadata: multiByte }, { maxMetadataBytes: 40 }),
        LedgerErrors.receiptTooLarge,
      ).details.size,
    ).toBe(41);
    expect(
      validateDraft({ ...draftFixture(), metadata: multiByte }, { maxMetadataBytes: 41 }).metadata,
    ).toEqual(multiByte);
    const escaped = { note: '\u0001'.repeat(5) }; // 11 + 5 × 6 bytes
    expect(
      thrown(
        () => validateReceipt({ ...receiptObject(), metadata: escaped }, { maxMetadataBytes: 40 }),
        LedgerErrors.receiptTooLarge,
      ).details.size,
    ).toBe(41);
    expect(
      validateReceipt({ ...receiptObject(), metadata: sized(20000) }, { maxMetadataBytes: 20000 }).metadata
        .note,
    ).toHaveLength(19989);
  });
});

describe('validateDraft', () => {
  it('returns a frozen copy in canonical member order', () => {
    const draft = validateDraft(draftFixture());
    expect(Object.keys(draft)).toEqual([
      'cause',
      'event',
      'governor',
      'metadata',
      'reason',
      'sku_id',
      'state_from',
      'state_to',
      'status',
      'tenant_id',
    ]);
    expect(Object.keys(draft.metadata)).toEqual(['amount', 'coupon', 'currency', 'seats', 'trial']);
    expect(Object.isFrozen(draft) && Object.isFrozen(draft.cause)).toBe(true);
  });

  it('rejects unknown and seal fields, naming them', () => {
    for (const field of [
      'ledger_seq',
      'receipt_id',
      'ts',
      'prev',
      'schema',
      'ledger',
      'private_commitment',
      'x',
    ]) {
      const err = thrown(() => validateDraft({ ...draftFixture(), [field]: 1 }), LedgerErrors.badReceipt);
      expect(err.details).toEqual({ field, problem: 'unknown field' });
    }
  });

  it('rejects the same field errors as a receipt', () => {
    const err = thrown(
      () => validateDraft({ ...draftFixture(), metadata: { amount: 12.5 } }),
      LedgerErrors.badReceipt,
    );
    expect(err.details.field).toBe('metadata.amount');
    expect(
      thrown(() => validateDraft({ ...draftFixture(), tenant_id: 'a/b' }), LedgerErrors.badReceipt).details
        .field,
    ).toBe('tenant_id');
    expect(thrown(() => validateDraft(null), LedgerErrors.badReceipt).details.field).toBe('(draft)');
  });

  it('checks the private payload: a JSON object, canonicalizable, within its limit, copied', () => {
    const payload = { note: 'free text', email: 'a@example.com' };
    const draft = validateDraft({ ...draftFixture(), private: payload });
    payload.note = 'changed';
    expect(draft.private).toEqual({ email: 'a@example.com', note: 'free text' });
    expect(Object.isFrozen(draft.private)).toBe(true);
    const bad: readonly [unknown, RegExp][] = [
      [[1], /must be a JSON object, not array/],
      ['x', /must be a JSON object, not string/],
      [{ n: 'a\uD800' }, /at \/private\/n: lone surrogate U\+D800 at index 1/],
      [{ d: new Date(0) }, /at \/private\/d: Date is not plain JSON data/],
      [{ f: 0.5, g: NaN }, /at \/private\/g: NaN is not a JSON number/],
      [undefined, /must be absent or a JSON object, not undefined/],
    ];
    for (const [value, problem] of bad) {
      const err = thrown(() => validateDraft({ ...draftFixture(), private: value }), LedgerErrors.badReceipt);
      expect(err.details.field).toBe('private');
      expect(String(err.details.problem)).toMatch(problem);
    }
    const big = thrown(
      () => validateDraft({ ...draftFixture(), private: { t: 'x'.repeat(100) } }, { maxPrivateBytes: 50 }),
      LedgerErrors.receiptTooLarge,
    );
    expect(big.details).toEqual({ field: 'private', size: 108, limit: 50 });
  });

  it('allows floats and nesting in the private payload (it is not hashed into the receipt)', () => {
    expect(validateDraft({ ...draftFixture(), private: { ratio: 0.5, nested: { a: [1] } } }).private).toEqual(
      {
        nested: { a: [1] },
        ratio: 0.5,
      },
    );
  });
});

describe('schema constant', () => {
  it('is governess.receipt/v1', () => {
    expect(RECEIPT_SCHEMA).toBe('governess.receipt/v1');
    expect(GENESIS_PREV).toBe('0'.repeat(64));
  });
});
