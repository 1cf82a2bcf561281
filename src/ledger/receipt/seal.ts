// Sealing: the writer turns a governor's draft into a receipt by adding the fields it assigns inside its
// transaction (id, sequence number, previous hash, timestamp) and, when there is a private payload, its commitment.
import { isValidatedDraft } from './draft.js';
import { fail } from './fields.js';
import {
  RECEIPT_SCHEMA,
  type Receipt,
  type ReceiptDraft,
  type ReceiptOptions,
  type ReceiptSeal,
} from './types.js';
import { receiptFromValidatedDraft, validateReceipt } from './validate.js';

/**
 * The receipt for `draft` under `seal`. The whole result is validated (a draft may have changed since
 * validateDraft, and the seal comes from the writer), so a receipt that reaches the store is always valid;
 * for a frozen copy that validateDraft returned, only the seal is checked (its fields were checked under the
 * same limits). A draft with a private payload must be sealed with that payload's commitment
 * (privateCommitment). `options` are the ledger's limits (LedgerConfig.receipt): without them a metadata limit
 * configured above the default would pass the draft check and then fail here.
 */
export function sealReceipt(
  draft: ReceiptDraft,
  seal: ReceiptSeal,
  privateCommitment?: string,
  options: ReceiptOptions = {},
): Receipt {
  if (draft.private !== undefined && privateCommitment === undefined) {
    fail('private_commitment', 'the draft has a private payload, so the receipt needs its commitment');
  }
  if (isValidatedDraft(draft)) return receiptFromValidatedDraft(draft, seal, privateCommitment);
  const fields = {
    cause: draft.cause,
    event: draft.event,
    governor: draft.governor,
    ledger: `${draft.governor}/${draft.sku_id}/${draft.tenant_id}`,
    ledger_seq: seal.ledger_seq,
    metadata: draft.metadata,
    prev: seal.prev,
    reason: draft.reason,
    receipt_id: seal.receipt_id,
    schema: RECEIPT_SCHEMA,
    sku_id: draft.sku_id,
    state_from: draft.state_from,
    state_to: draft.state_to,
    status: draft.status,
    tenant_id: draft.tenant_id,
    ts: seal.ts,
  };
  return validateReceipt(
    privateCommitment === undefined ? fields : { ...fields, private_commitment: privateCommitment },
    options,
  );
}
