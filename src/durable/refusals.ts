// The receipts the durable layer itself writes when it turns something down (docs/durable/guarantees.md §4–6).
// One table, so the docs and tests can list every `durable.*` reason code, and every such receipt has the same
// shape: a `system` event, status `refuse`, the ledger's current state kept (`keepState` at append).
import type { ReceiptDraft, ReceiptMetadata, PrivatePayload, ReceiptCause } from '../ledger/index.js';
import type { GkeyParts } from './keys.js';

/** Every refusal the host records, by reason code suffix: the event summary and the fixed message. */
export const DURABLE_REFUSALS = Object.freeze({
  idempotency_conflict: {
    summary: 'idempotency key reused with different content',
    message: 'an idempotency key was reused for a different request; nothing was applied',
  },
  crashed: {
    summary: 'crash',
    message: 'the machine crashed; the event it was handling was not applied',
  },
  unknown_governor: {
    summary: 'due timer',
    message: 'a timer fell due for a governor kind this host has no definition for',
  },
  load_failed: {
    summary: 'load',
    message: 'the stored governor could not be loaded and was quarantined',
  },
  undeliverable: {
    summary: 'outbox delivery',
    message: 'an outbox effect could not be delivered and was dropped',
  },
} as const);

/** A reason code suffix of DURABLE_REFUSALS (the receipt's reason code is `durable.<name>`). */
export type DurableRefusal = keyof typeof DURABLE_REFUSALS;

const NO_CAUSE: ReceiptCause = Object.freeze({ request_id: null, idempotency_key: null, actor: null });

/** The refusal receipt `durable.<which>` for a governor; append it with `keepState: true`. */
export function refusalDraft(
  parts: GkeyParts,
  which: DurableRefusal,
  metadata: ReceiptMetadata,
  extra: { readonly cause?: ReceiptCause; readonly private?: PrivatePayload } = {},
): ReceiptDraft {
  const r = DURABLE_REFUSALS[which];
  const draft: ReceiptDraft = {
    governor: parts.kind,
    sku_id: parts.sku,
    tenant_id: parts.tenant,
    // Replaced when sealed: appended with `keepState`, both record the ledger's current state.
    state_from: '-',
    state_to: '-',
    event: { type: 'system', summary: r.summary },
    status: 'refuse',
    reason: { code: `durable.${which}`, message: r.message },
    metadata,
    cause: extra.cause ?? NO_CAUSE,
  };
  return extra.private === undefined ? draft : { ...draft, private: extra.private };
}
