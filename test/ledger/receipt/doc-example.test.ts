// docs/ledger/receipt-format.md shows a receipt byte for byte, its leaf hash and its private commitment. This
// rebuilds that receipt with the code and checks the page, so the page cannot drift from what the code writes.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  decodeReceipt,
  encodeReceipt,
  erasureDraft,
  privateCommitment,
  privatePayloadBytes,
  sealReceipt,
  validateDraft,
} from '../../../src/ledger/receipt/index.js';

const page = readFileSync(new URL('../../../docs/ledger/receipt-format.md', import.meta.url), 'utf8');

const leafHex = (b: Uint8Array): string =>
  createHash('sha256')
    .update(Buffer.from([0x00]))
    .update(b)
    .digest('hex');

/** The body of the first fenced block of `lang` that follows `heading` on the page. */
function blockAfter(heading: string, lang: string): string {
  const from = page.indexOf(heading);
  expect(from, heading).toBeGreaterThanOrEqual(0);
  const open = page.indexOf('```' + lang + '\n', from) + lang.length + 4;
  return page.slice(open, page.indexOf('\n```', open));
}

describe('the example on docs/ledger/receipt-format.md', () => {
  const salt = Uint8Array.from({ length: 32 }, (_, i) => i);
  const draft = validateDraft({
    governor: 'billing',
    sku_id: 'sku-pro-monthly',
    tenant_id: 'tenant-7f3a',
    state_from: 'trialing',
    state_to: 'active',
    event: { type: 'call', summary: 'upgrade' },
    status: 'accept',
    reason: { code: 'plan.upgraded', message: 'Plan upgraded to Pro' },
    metadata: { seats: 5, amount: '12.50', currency: 'EUR', trial: false, coupon: null },
    cause: { request_id: 'req-8f1c2d', idempotency_key: 'idem-000123', actor: 'user-1042' },
    private: { note: 'Customer asked for an invoice by mail', email: 'ana@example.com' },
  });
  const commitment = privateCommitment(salt, draft.private ?? {});
  const receipt = sealReceipt(
    draft,
    {
      receipt_id: '019ab1c2-d3e4-7f05-8a6b-7c8d9e0f1a2b',
      ledger_seq: 2,
      prev: '5d3f4f1c2b8a9e7d6c5b4a3928171605f4e3d2c1b0a99887766554433221100f',
      ts: '2026-11-23T10:00:00.000Z',
    },
    commitment,
  );
  const bytes = Buffer.from(encodeReceipt(receipt));

  it('shows the exact stored bytes and their length', () => {
    expect(blockAfter('Its stored bytes', 'text')).toBe(bytes.toString('utf8'));
    expect(page).toContain(`Its stored bytes, exactly (${bytes.length} bytes,`);
  });

  it('shows the pretty-printed form of the same receipt', () => {
    expect(JSON.parse(blockAfter('## Example', 'json'))).toEqual(receipt);
    expect(decodeReceipt(bytes, 'doc')).toEqual(receipt);
  });

  it('shows its leaf hash SHA-256(0x00 ‖ bytes)', () => {
    const leaf = createHash('sha256')
      .update(Buffer.from([0x00]))
      .update(bytes)
      .digest('hex');
    expect(blockAfter('Its leaf hash', 'text')).toBe(leaf);
  });

  it('shows the private payload bytes and the commitment of the example', () => {
    expect(blockAfter('the payload is', 'text')).toBe(
      Buffer.from(privatePayloadBytes(draft.private ?? {})).toString('utf8'),
    );
    expect(page).toContain(`"private_commitment": "${commitment}"`);
  });
});

describe('the erasure receipt example on docs/ledger/receipt-format.md', () => {
  const erasedLine = blockAfter('Its stored bytes', 'text');
  const erased = decodeReceipt(Buffer.from(erasedLine), 'doc');
  const receipt = sealReceipt(
    validateDraft(
      erasureDraft({
        erased,
        erasedIndex: 41,
        state: erased.state_to,
        actor: 'dpo-3',
        reason: 'gdpr.art17',
        requestId: 'req-93a1',
      }),
    ),
    {
      receipt_id: '019ad5e0-8c41-7a2b-b3c4-d5e6f7a8b9c0',
      ledger_seq: erased.ledger_seq + 1,
      prev: leafHex(Buffer.from(erasedLine)),
      ts: '2026-12-01T09:30:00.000Z',
    },
  );
  const bytes = Buffer.from(encodeReceipt(receipt));

  it('shows what erasureDraft and sealing produce, byte for byte, with its length and leaf hash', () => {
    expect(JSON.parse(blockAfter('## Erasure receipts', 'json'))).toEqual(receipt);
    expect(blockAfter("The erasure receipt's stored bytes", 'text')).toBe(bytes.toString('utf8'));
    expect(page).toContain(`The erasure receipt's stored bytes, exactly (${bytes.length} bytes,`);
    expect(blockAfter("The erasure receipt's leaf hash", 'text')).toBe(leafHex(bytes));
  });
});
