// The filters of a receipt query without its paging: what CSV exports and follow mode select by.
import { GovernessError, LedgerErrors } from '../../errors/index.js';
import type { ReceiptQuery } from '../store/types.js';

/** Filters of a query (ledger, tenant, sku, governor, status, reason code, time range); all must match. */
export type ReceiptFilter = Omit<ReceiptQuery, 'afterIndex' | 'limit'>;

/** Largest page a projection or a follower reads at once. */
export const MAX_PAGE = 10_000;

/** A page size from 1 to MAX_PAGE (default 1000); otherwise GOV_RECEIPT_INVALID naming `field`. */
export function pageSize(value: number | undefined, field: string): number {
  const size = value ?? 1000;
  if (!Number.isSafeInteger(size) || size < 1 || size > MAX_PAGE) {
    throw new GovernessError(LedgerErrors.badReceipt, {
      field,
      problem: `must be an integer from 1 to ${MAX_PAGE}, got ${String(value)}`,
    });
  }
  return size;
}
