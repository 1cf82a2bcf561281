// Shared receipt fixtures: one valid draft, its seal, and helpers to catch the GovernessError a call throws.
import { expect } from 'vitest';
import { GovernessError, type ErrorSpec } from '../../../src/errors/index.js';
import {
  GENESIS_PREV,
  sealReceipt,
  validateDraft,
  type Receipt,
  type ReceiptDraft,
  type ReceiptSeal,
} from '../../../src/ledger/receipt/index.js';

/** A valid draft as a governor would hand it in. */
export function draftFixture(): ReceiptDraft {
  return {
    governor: 'entitlement',
    sku_id: 'sku-pro-monthly',
    tenant_id: 'tenant-7f3a',
    state_from: 'trial',
    state_to: 'active',
    event: { type: 'call', summary: 'upgrade to pro' },
    status: 'accept',
    reason: { code: 'ok.upgraded', message: 'plan upgraded' },
    metadata: { seats: 5, amount: '12.50', currency: 'EUR', trial: false, coupon: null },
    cause: { request_id: 'req-8f1c2d', idempotency_key: 'idem-000123', actor: 'user:42' },
  };
}

/** The seal of the first receipt of its ledger. */
export const FIRST_SEAL: ReceiptSeal = {
  receipt_id: '019ab1c2-d3e4-7f05-8a6b-7c8d9e0f1a2b',
  ledger_seq: 1,
  prev: GENESIS_PREV,
  ts: '2026-11-23T10:00:00.000Z',
};

/** A valid sealed receipt (ledger_seq 1). */
export function receiptFixture(): Receipt {
  return sealReceipt(validateDraft(draftFixture()), FIRST_SEAL);
}

/** The receipt as a mutable plain object, for building bad variants. */
export function receiptObject(): Record<string, unknown> {
  return JSON.parse(JSON.stringify(receiptFixture())) as Record<string, unknown>;
}

/** The GovernessError `fn` throws; fails the test when it throws nothing or something else, or another code. */
export function thrown(fn: () => unknown, spec: ErrorSpec): GovernessError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(GovernessError);
    expect((err as GovernessError).code).toBe(spec.code);
    return err as GovernessError;
  }
  throw new Error(`expected ${spec.code}, but nothing was thrown`);
}
