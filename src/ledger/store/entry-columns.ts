// A batch's receipts as columns: how both SQL stores hand them to their writer thread (typed arrays and string
// arrays cross a thread boundary as a few objects, not hundreds) and to their database (one array parameter, or
// one column of a columnar step, per field).
import { packBytes, type PackedBytes } from './packed-bytes.js';
import type { StoredEntry } from './types.js';

/** The fields of a batch's entries, one column each, in batch order. */
export interface EntryColumns {
  readonly index: Float64Array;
  readonly seq: Float64Array;
  readonly tsMs: Float64Array;
  readonly ledger: readonly string[];
  readonly receiptId: readonly string[];
  readonly status: readonly string[];
  readonly reasonCode: readonly string[];
  readonly idempotencyKey: readonly (string | null)[];
  /** The canonical bytes, packed (a fresh buffer: transferable). */
  readonly bytes: PackedBytes;
}

/** `entries` as columns. */
export function entryColumns(entries: readonly StoredEntry[]): EntryColumns {
  const n = entries.length;
  const index = new Float64Array(n);
  const seq = new Float64Array(n);
  const tsMs = new Float64Array(n);
  const ledger: string[] = [];
  const receiptId: string[] = [];
  const status: string[] = [];
  const reasonCode: string[] = [];
  const idempotencyKey: (string | null)[] = [];
  for (let i = 0; i < n; i++) {
    const e = entries[i] as StoredEntry;
    index[i] = e.index;
    seq[i] = e.seq;
    tsMs[i] = e.tsMs;
    ledger.push(e.ledger);
    receiptId.push(e.receiptId);
    status.push(e.status);
    reasonCode.push(e.reasonCode);
    idempotencyKey.push(e.idempotencyKey);
  }
  const bytes = packBytes(entries.map((e) => e.bytes));
  return { index, seq, tsMs, ledger, receiptId, status, reasonCode, idempotencyKey, bytes };
}
