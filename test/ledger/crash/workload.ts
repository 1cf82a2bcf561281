// What the crash-test writer appends and how it reports it. Shared by the child writer (writer.ts) and the parent
// test, so the parent can rebuild any acknowledged draft exactly (to append it again and see it deduplicated)
// from the few fields an ack line carries.
import type { ReceiptDraft, RowWrite, TableDef } from '../../../src/ledger/index.js';

/** The side table written in the same transaction as every receipt (one row per receipt, keyed by request id). */
export const CRASH_TABLE: TableDef = {
  name: 'crash_rows',
  columns: { request_id: 'text', ledger: 'text', producer: 'integer', n: 'integer' },
  primaryKey: ['request_id'],
};

/** Number of ledgers (hash chains) the writer spreads its appends over. */
export const CRASH_LEDGERS = 50;

/** The signer key name of every crash-test run (the key itself comes from a key file). */
export const CRASH_KEY_NAME = 'governess.test/crash';

/** Everything that determines one append: the draft and its side-table row are pure functions of it. */
export interface AppendSpec {
  /** Writer run (one per cycle), so request ids and idempotency keys never repeat across cycles. */
  readonly run: string;
  readonly producer: number;
  /** The producer's n-th append. */
  readonly n: number;
  /** Which of the CRASH_LEDGERS ledgers. */
  readonly ledgerNo: number;
  /** Carries an idempotency key. */
  readonly idempotent: boolean;
  /** Carries a private payload (stored beside the receipt, committed to by a salted hash). */
  readonly private: boolean;
}

/** A line the writer prints on stdout (one JSON object per line). */
export type WriterEvent =
  | { readonly t: 'opening' }
  | { readonly t: 'ready'; readonly size: number }
  | { readonly t: 'checkpoint'; readonly phase: 'saving' | 'saved'; readonly size: number }
  | AckEvent
  | FailedEvent;

/** An acknowledged append, printed only after its promise resolved (that is, after COMMIT). */
export interface AckEvent {
  readonly t: 'ack';
  readonly spec: AppendSpec;
  /** True when the idempotency key matched an earlier receipt (nothing new was written). */
  readonly duplicate: boolean;
  readonly receiptId: string;
  readonly index: number;
  readonly ledger: string;
  readonly seq: number;
  readonly leafHash: string;
}

/** A rejected append (its whole batch failed, so none of it may be stored). */
export interface FailedEvent {
  readonly t: 'failed';
  readonly spec: AppendSpec;
  /** Whether the spec was a re-send of an acknowledged idempotency key (then its receipt exists already). */
  readonly resend: boolean;
  /** The error's code and message. */
  readonly error: string;
}

/** The request id of an append: unique per (run, producer, n). */
export function requestIdOf(spec: AppendSpec): string {
  return `${spec.run}.${spec.producer}.${spec.n}`;
}

/** The draft of an append. */
export function draftFor(spec: AppendSpec): ReceiptDraft {
  const requestId = requestIdOf(spec);
  return {
    governor: 'crash',
    sku_id: `sku-${spec.ledgerNo % 7}`,
    tenant_id: `tenant-${spec.ledgerNo}`,
    state_from: 'OPEN',
    state_to: spec.n % 5 === 4 ? 'OPEN' : 'COUNTED',
    event: { type: 'call', summary: 'crash test append' },
    status: spec.n % 5 === 4 ? 'refuse' : 'accept',
    reason: { code: spec.n % 5 === 4 ? 'crash.refused' : 'crash.ok', message: 'fixed crash-test reason' },
    metadata: { producer: spec.producer, n: spec.n, run: spec.run },
    cause: {
      request_id: requestId,
      idempotency_key: spec.idempotent ? `key.${requestId}` : null,
      actor: `producer-${spec.producer}`,
    },
    ...(spec.private ? { private: { note: `private note ${requestId}`, amount: `${spec.n}.50` } } : {}),
  };
}

/** The side-table write that goes with an append. */
export function rowFor(spec: AppendSpec, ledger: string): RowWrite {
  return {
    table: CRASH_TABLE.name,
    op: 'upsert',
    row: { request_id: requestIdOf(spec), ledger, producer: spec.producer, n: spec.n },
  };
}

/** Parses one complete stdout line of the writer; throws naming the line when it is not a writer event. */
export function parseEvent(line: string): WriterEvent {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new Error(`writer printed a line that is not JSON: ${JSON.stringify(line.slice(0, 200))}`);
  }
  const t = (value as { t?: unknown } | null)?.t;
  if (t !== 'opening' && t !== 'ready' && t !== 'checkpoint' && t !== 'ack' && t !== 'failed') {
    throw new Error(`writer printed an unknown event: ${JSON.stringify(line.slice(0, 200))}`);
  }
  return value as WriterEvent;
}
