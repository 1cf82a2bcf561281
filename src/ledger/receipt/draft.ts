// Draft validation at the API boundary, before anything is queued: a governor's draft is checked field by field
// and returned as a frozen copy, so a draft changed afterwards cannot change what gets sealed.
import {
  MAX_STATE,
  checkCause,
  checkEvent,
  checkGovernor,
  checkIdentifier,
  checkMetadata,
  checkReason,
  checkStatus,
  copyPrivate,
  fieldName,
} from './parts.js';
import { checkText, fail, isPlainObject, kindOf, unknownName } from './fields.js';
import type { ReceiptDraft, ReceiptOptions } from './types.js';

const DRAFT_FIELDS: ReadonlySet<string> = new Set([
  'cause',
  'event',
  'governor',
  'metadata',
  'private',
  'reason',
  'sku_id',
  'state_from',
  'state_to',
  'status',
  'tenant_id',
]);

/** Drafts returned by validateDraft: frozen checked copies, so sealing need not check their fields again. */
const validatedDrafts = new WeakSet<ReceiptDraft>();

/** True when `draft` is a frozen copy made by validateDraft. */
export function isValidatedDraft(draft: ReceiptDraft): boolean {
  return validatedDrafts.has(draft);
}

/**
 * Checks a governor's draft at the API boundary and returns a frozen copy (members in canonical order, the
 * private payload copied through its canonical form). Throws `GOV_RECEIPT_INVALID` naming the field, or
 * `GOV_RECEIPT_TOO_LARGE` for oversized metadata or private payload.
 */
export function validateDraft(draft: unknown, options: ReceiptOptions = {}): ReceiptDraft {
  const valid = checkDraft(draft, options);
  validatedDrafts.add(valid);
  return valid;
}

function checkDraft(draft: unknown, options: ReceiptOptions = {}): ReceiptDraft {
  if (!isPlainObject(draft)) fail('(draft)', `must be a JSON object, not ${kindOf(draft)}`);
  const unknown = unknownName(draft, DRAFT_FIELDS);
  if (unknown !== undefined) fail(fieldName(unknown), 'unknown field');
  const governor = checkGovernor(draft.governor);
  const sku_id = checkIdentifier('sku_id', draft.sku_id);
  const tenant_id = checkIdentifier('tenant_id', draft.tenant_id);
  const state_from = checkText('state_from', draft.state_from, MAX_STATE, 1);
  const state_to = checkText('state_to', draft.state_to, MAX_STATE, 1);
  const event = checkEvent(draft.event);
  const status = checkStatus(draft.status);
  const reason = checkReason(draft.reason);
  const metadata = checkMetadata(draft.metadata, options);
  const cause = checkCause(draft.cause);
  if (draft.private === undefined) {
    if ('private' in draft) fail('private', 'must be absent or a JSON object, not undefined');
    return Object.freeze({
      cause,
      event,
      governor,
      metadata,
      reason,
      sku_id,
      state_from,
      state_to,
      status,
      tenant_id,
    });
  }
  return Object.freeze({
    cause,
    event,
    governor,
    metadata,
    private: copyPrivate(draft.private, options),
    reason,
    sku_id,
    state_from,
    state_to,
    status,
    tenant_id,
  });
}
