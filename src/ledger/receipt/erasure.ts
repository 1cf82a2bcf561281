// The erasure receipt: what `Ledger.erase` appends, in the same transaction that deletes a receipt's private
// payload (salt and payload). It is an ordinary v1 receipt, so every verifier, chain and proof treats it like any
// other; it is recognised by its event alone (`system` / `erasure`), and names the erased receipt only by integers
// in its metadata, so it carries no personal data. docs/ledger/receipt-format.md, "Erasure receipts", is the spec.
import { REASON_CODE_PATTERN, checkPattern, fail } from './fields.js';
import type { Receipt, ReceiptDraft, ReceiptEvent } from './types.js';

/** The `event` of every erasure receipt; the verifier recognises erasure receipts by it. */
export const ERASURE_EVENT: ReceiptEvent = Object.freeze({ summary: 'erasure', type: 'system' });

/** `reason.code` of an erasure receipt when the caller gives none. */
export const DEFAULT_ERASURE_REASON = 'erasure.requested';

/** `reason.message` of every erasure receipt: fixed text, so a caller cannot put personal data there. */
export const ERASURE_REASON_MESSAGE = 'private payload erased';

/** The idempotency key of the erasure of `receiptId`: a second erasure of it returns the first. */
export function erasureKey(receiptId: string): string {
  return `erase:${receiptId}`;
}

/** The receipt an erasure receipt erased: its log index and its `ledger_seq` (in the same ledger). */
export interface ErasureTarget {
  readonly index: number;
  readonly seq: number;
}

/** What an erasure receipt is built from. */
export interface ErasureRequest {
  /** The receipt whose private payload is erased. */
  readonly erased: Receipt;
  /** Its log index. */
  readonly erasedIndex: number;
  /** The ledger's current state (`state_to` of its head): an erasure does not change it. */
  readonly state: string;
  /** Who asked (pseudonymous id), or null. */
  readonly actor: string | null;
  /** A reason code such as `gdpr.art17` (never free text); default DEFAULT_ERASURE_REASON. */
  readonly reason?: string;
  /** Request id of the API call, if any. */
  readonly requestId?: string | null;
}

/** The draft of the erasure receipt for `req`, appended to the erased receipt's own ledger. */
export function erasureDraft(req: ErasureRequest): ReceiptDraft {
  const code = checkPattern(
    'reason',
    req.reason ?? DEFAULT_ERASURE_REASON,
    REASON_CODE_PATTERN,
    'a reason code matching [A-Za-z][A-Za-z0-9_.:-]{0,63} (not free text)',
  );
  return {
    governor: req.erased.governor,
    sku_id: req.erased.sku_id,
    tenant_id: req.erased.tenant_id,
    state_from: req.state,
    state_to: req.state,
    event: ERASURE_EVENT,
    status: 'accept',
    reason: { code, message: ERASURE_REASON_MESSAGE },
    metadata: { erased_index: req.erasedIndex, erased_seq: req.erased.ledger_seq },
    cause: {
      actor: req.actor,
      idempotency_key: erasureKey(req.erased.receipt_id),
      request_id: req.requestId ?? null,
    },
  };
}

/** True when the receipt (or draft) carries the erasure event. */
export function isErasure(value: { readonly event: ReceiptEvent }): boolean {
  return value.event.type === ERASURE_EVENT.type && value.event.summary === ERASURE_EVENT.summary;
}

/**
 * The receipt an erasure receipt names, or what is wrong with it as an erasure receipt: metadata must be exactly
 * `erased_index` (an integer >= 0) and `erased_seq` (an integer >= 1), the state unchanged, the status `accept`,
 * the idempotency key `erase:<receipt_id>`, and no private payload of its own.
 */
export function erasureTarget(r: Receipt): ErasureTarget | string {
  const keys = Object.keys(r.metadata);
  const index = r.metadata['erased_index'];
  const seq = r.metadata['erased_seq'];
  if (keys.length !== 2 || typeof index !== 'number' || typeof seq !== 'number') {
    return 'metadata must be exactly {erased_index, erased_seq}, two integers';
  }
  if (index < 0 || seq < 1) return `erased_index ${index} / erased_seq ${seq} out of range`;
  if (r.state_from !== r.state_to) return 'changes the state (state_from differs from state_to)';
  if (r.status !== 'accept') return 'has status refuse';
  if (r.cause.idempotency_key?.startsWith('erase:') !== true) {
    return 'idempotency key is not erase:<receipt_id>';
  }
  if (r.private_commitment !== undefined) return 'carries a private_commitment of its own';
  return { index, seq };
}

/** Throws GOV_RECEIPT_INVALID when a caller's draft uses the erasure event (only Ledger.erase may). */
export function refuseErasureEvent(draft: { readonly event?: unknown }): void {
  const event = draft.event as ReceiptEvent | undefined;
  if (typeof event === 'object' && event !== null && isErasure({ event })) {
    fail('event.summary', 'the system event "erasure" is reserved for erasure receipts (use Ledger.erase)');
  }
}
