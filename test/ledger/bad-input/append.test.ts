// Bad receipts through Ledger.append, end to end on every store: each is refused with the exact code and the
// field it names, before anything is queued, and what was stored before is untouched. The metadata limit is
// 16 KiB by default and configurable (LedgerConfig.receipt): exactly at the limit passes, one byte over fails.
import { describe, expect, it } from 'vitest';
import { GovernessError, LedgerErrors, type ErrorSpec } from '../../../src/errors/index.js';
import { verifyStore, type LedgerConfig, type ReceiptDraft } from '../../../src/ledger/index.js';
import {
  STORE_KINDS,
  draft,
  metadataOfSize,
  openLedgerOrSkip,
  type LedgerFixture,
} from '../../support/ledger.js';
import { readerOf } from '../../support/verify.js';

const sized = metadataOfSize;

/** A draft with fields a type-checked caller could not write (what arrives from JSON over HTTP). */
const raw = (over: Record<string, unknown>): ReceiptDraft =>
  ({ ...draft(), ...over }) as unknown as ReceiptDraft;

const MALFORMED: readonly [string, ReceiptDraft, ErrorSpec, string, RegExp][] = [
  ['a wrong type', raw({ state_to: 5 }), LedgerErrors.badReceipt, 'state_to', /must be a string/],
  ['an unknown field', raw({ colour: 'red' }), LedgerErrors.badReceipt, 'colour', /unknown field/],
  [
    'a lone surrogate',
    draft({ event: { type: 'cast', summary: 'bad \uD800 text' } }),
    LedgerErrors.badReceipt,
    'event.summary',
    /surrogate/,
  ],
  [
    'a float',
    draft({ metadata: { amount: 12.5 } }),
    LedgerErrors.badReceipt,
    'metadata.amount',
    /float|integer/,
  ],
  ['NaN', draft({ metadata: { amount: Number.NaN } }), LedgerErrors.badReceipt, 'metadata.amount', /NaN/],
  [
    'an unknown metadata value type',
    raw({ metadata: { nested: { a: 1 } } }),
    LedgerErrors.badReceipt,
    'metadata.nested',
    /./,
  ],
];

function refusal(fn: () => unknown): GovernessError {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err, 'append must refuse synchronously, before queueing').toBeInstanceOf(GovernessError);
  return err as GovernessError;
}

describe.each(STORE_KINDS)('bad input through Ledger.append on %s', (kind) => {
  async function open(ctx: { skip: () => void }, config: Partial<LedgerConfig> = {}): Promise<LedgerFixture> {
    return openLedgerOrSkip(ctx, kind, config);
  }

  /** Everything stored, as hex, to compare before and after. */
  async function stored(f: LedgerFixture): Promise<string[]> {
    return (await f.store.readRange(0, 1000)).map((e) => Buffer.from(e.bytes).toString('hex'));
  }

  it.for(MALFORMED)(
    'refuses %s naming the field, and stores nothing',
    async ([, bad, spec, field, problem], ctx) => {
      await using f = await open(ctx);
      await f.ledger.append(draft());
      const before = await stored(f);
      const err = refusal(() => f.ledger.append(bad));
      expect(err.code).toBe(spec.code);
      expect(err.details['field']).toBe(field);
      expect(String(err.details['problem'])).toMatch(problem);
      expect(err.message).toContain(`invalid receipt field ${field}`);
      await f.ledger.flush();
      expect(f.ledger.size).toBe(1);
      expect(await stored(f)).toEqual(before);
      // The log after the refusal still verifies and continues where it was.
      expect((await f.ledger.append(draft())).index).toBe(1);
    },
  );

  it('takes metadata of exactly 16384 bytes by default and refuses 16385, naming sizes and limit', async (ctx) => {
    await using f = await open(ctx);
    expect((await f.ledger.append(draft({ metadata: sized(16384) }))).index).toBe(0);
    const err = refusal(() => f.ledger.append(draft({ metadata: sized(16385) })));
    expect(err.code).toBe('GOV_RECEIPT_TOO_LARGE');
    expect(err.details).toEqual({ field: 'metadata', size: 16385, limit: 16384 });
    await f.ledger.flush();
    expect(f.ledger.size).toBe(1);
  });

  it('honours a configured limit, smaller or larger, and verification takes the same limit', async (ctx) => {
    await using small = await open(ctx, { receipt: { maxMetadataBytes: 1024 } });
    await small.ledger.append(draft({ metadata: sized(1024) }));
    expect(refusal(() => small.ledger.append(draft({ metadata: sized(1025) }))).details).toEqual({
      field: 'metadata',
      size: 1025,
      limit: 1024,
    });
    expect(small.ledger.size).toBe(1);

    await using large = await open(ctx, { receipt: { maxMetadataBytes: 32768 } });
    await large.ledger.append(draft({ metadata: sized(32768) }));
    expect(refusal(() => large.ledger.append(draft({ metadata: sized(32769) }))).code).toBe(
      'GOV_RECEIPT_TOO_LARGE',
    );
    await large.ledger.checkpoint();
    await using r = readerOf(large);
    const keys = [large.signer.verifier];
    const strict = await verifyStore(r.store, { keys });
    expect(strict.first_failure).toMatchObject({
      where: 'receipt index 0',
      code: 'GOV_RECEIPT_TOO_LARGE',
    });
    const matching = await verifyStore(r.store, { keys, receipt: { maxMetadataBytes: 32768 } });
    expect(matching.failures).toEqual([]);
  });
});
