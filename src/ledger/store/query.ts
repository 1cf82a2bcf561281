// Pieces of the query contract shared by every store, so they cannot disagree on what a filter means.
import type { LedgerParts, ReceiptQuery, StoredEntry } from './types.js';

/** True when an entry (with its ledger's parts) passes every filter of the query. */
export function matchesQuery(e: StoredEntry, parts: LedgerParts | undefined, q: ReceiptQuery): boolean {
  if (q.afterIndex !== undefined && e.index <= q.afterIndex) return false;
  if (q.ledger !== undefined && e.ledger !== q.ledger) return false;
  if (q.status !== undefined && e.status !== q.status) return false;
  if (q.reasonCode !== undefined && e.reasonCode !== q.reasonCode) return false;
  if (q.fromMs !== undefined && e.tsMs < q.fromMs) return false;
  if (q.toMs !== undefined && e.tsMs >= q.toMs) return false;
  if (q.tenant !== undefined && parts?.tenant !== q.tenant) return false;
  if (q.sku !== undefined && parts?.sku !== q.sku) return false;
  if (q.governor !== undefined && parts?.governor !== q.governor) return false;
  return true;
}

/** Map key of a tile. */
export function tileKey(level: number, index: number): string {
  return `${level}/${index}`;
}
