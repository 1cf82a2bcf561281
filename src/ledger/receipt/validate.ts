// Receipt validation, when a receipt is sealed and when it is read back. The result is a fresh, deeply frozen copy
// with its members in RFC 8785 order (§3.2.3) and metadata names sorted: it cannot change after validation, and
// JSON.stringify of it is already its canonical text (every string is checked well-formed, every number is a safe
// integer), which is what lets encodeReceipt and decodeReceipt use one native JSON.stringify.
import { GovernessError, LedgerErrors } from '../../errors/index.js';
import {
  HEX64_PATTERN,
  checkPattern,
  checkText,
  fail,
  isPlainObject,
  kindOf,
  preview,
  unknownName,
} from './fields.js';
import {
  MAX_STATE,
  checkCause,
  checkEvent,
  checkGovernor,
  checkIdentifier,
  checkMetadata,
  checkReason,
  checkStatus,
  fieldName,
} from './parts.js';
import { parseTimestamp } from './timestamp.js';
import {
  GENESIS_PREV,
  RECEIPT_SCHEMA,
  type Receipt,
  type ReceiptDraft,
  type ReceiptOptions,
  type ReceiptSeal,
} from './types.js';
import { UUIDV7_PATTERN } from './uuidv7.js';

/** Options of validateReceipt: limits, and where the value came from (named by a schema error). */
export interface ValidateReceiptOptions extends ReceiptOptions {
  /** Where the receipt came from, e.g. `line 12` (default `receipt`). */
  readonly where?: string;
}

const RECEIPT_FIELDS: ReadonlySet<string> = new Set([
  'cause',
  'event',
  'governor',
  'ledger',
  'ledger_seq',
  'metadata',
  'prev',
  'private_commitment',
  'reason',
  'receipt_id',
  'schema',
  'sku_id',
  'state_from',
  'state_to',
  'status',
  'tenant_id',
  'ts',
]);

/**
 * Receipts returned by validateReceipt (and so by sealReceipt). They are deeply frozen copies, so they are still
 * valid when encoded later and encodeReceipt can skip validating them again.
 */
const validated = new WeakSet<Receipt>();

/**
 * Checks that `value` is a v1 receipt and returns a frozen copy whose members are in canonical order. Throws
 * `GOV_RECEIPT_SCHEMA` for another schema, `GOV_RECEIPT_INVALID` naming the field, `GOV_RECEIPT_TOO_LARGE`.
 */
export function validateReceipt(value: unknown, options: ValidateReceiptOptions = {}): Receipt {
  const receipt = checkReceipt(value, options);
  validated.add(receipt);
  return receipt;
}

/** True when `receipt` is a frozen copy made by validateReceipt (valid, members in canonical order). */
export function isValidatedReceipt(receipt: Receipt): boolean {
  return validated.has(receipt);
}

/** validateReceipt without remembering the result (decodeReceipt's receipts are rarely encoded again). */
export function checkReceipt(value: unknown, options: ValidateReceiptOptions = {}): Receipt {
  if (!isPlainObject(value)) fail('(receipt)', `must be a JSON object, not ${kindOf(value)}`);
  // The schema decides which rules apply, so it is checked before anything else (a v2 receipt is not "a v1
  // receipt with unknown fields").
  if (value.schema !== RECEIPT_SCHEMA) {
    throw new GovernessError(LedgerErrors.unknownSchema, {
      schema: value.schema === undefined ? '(missing)' : preview(value.schema),
      where: options.where ?? 'receipt',
    });
  }
  const unknown = unknownName(value, RECEIPT_FIELDS);
  if (unknown !== undefined) fail(fieldName(unknown), 'unknown field');
  const receipt_id = checkPattern('receipt_id', value.receipt_id, UUIDV7_PATTERN, 'a lower-case UUIDv7');
  const governor = checkGovernor(value.governor);
  const sku_id = checkIdentifier('sku_id', value.sku_id);
  const tenant_id = checkIdentifier('tenant_id', value.tenant_id);
  const expectedLedger = `${governor}/${sku_id}/${tenant_id}`;
  if (value.ledger !== expectedLedger) {
    if (value.ledger === undefined) fail('ledger', 'is required');
    fail(
      'ledger',
      `must be ${JSON.stringify(expectedLedger)} (governor/sku_id/tenant_id), got ${preview(value.ledger)}`,
    );
  }
  const ledger_seq = checkSeq(value.ledger_seq);
  const prev = checkPrev(value.prev, ledger_seq);
  const ts = checkTs(value.ts);
  const state_from = checkText('state_from', value.state_from, MAX_STATE, 1);
  const state_to = checkText('state_to', value.state_to, MAX_STATE, 1);
  const event = checkEvent(value.event);
  const status = checkStatus(value.status);
  const reason = checkReason(value.reason);
  const metadata = checkMetadata(value.metadata, options);
  const cause = checkCause(value.cause);
  const parts: ReceiptParts = {
    cause,
    event,
    governor,
    ledger: expectedLedger,
    ledger_seq,
    metadata,
    prev,
    reason,
    receipt_id,
    sku_id,
    state_from,
    state_to,
    status,
    tenant_id,
    ts,
  };
  if (!('private_commitment' in value)) return assemble(parts, undefined);
  if (value.private_commitment === undefined) {
    fail('private_commitment', 'must be absent or 64 lower-case hex characters, not undefined');
  }
  return assemble(parts, checkCommitment(value.private_commitment));
}

/**
 * sealReceipt's path for a draft that validateDraft returned (a frozen, already checked copy): only the fields
 * the writer assigns are checked, and the result is remembered as validated.
 */
export function receiptFromValidatedDraft(
  draft: ReceiptDraft,
  seal: ReceiptSeal,
  privateCommitment: string | undefined,
): Receipt {
  const ledger_seq = checkSeq(seal.ledger_seq);
  const receipt = assemble(
    {
      cause: draft.cause,
      event: draft.event,
      governor: draft.governor,
      ledger: `${draft.governor}/${draft.sku_id}/${draft.tenant_id}`,
      ledger_seq,
      metadata: draft.metadata,
      prev: checkPrev(seal.prev, ledger_seq),
      reason: draft.reason,
      receipt_id: checkPattern('receipt_id', seal.receipt_id, UUIDV7_PATTERN, 'a lower-case UUIDv7'),
      sku_id: draft.sku_id,
      state_from: draft.state_from,
      state_to: draft.state_to,
      status: draft.status,
      tenant_id: draft.tenant_id,
      ts: checkTs(seal.ts),
    },
    privateCommitment === undefined ? undefined : checkCommitment(privateCommitment),
  );
  validated.add(receipt);
  return receipt;
}

/** Every member of a receipt except schema and private_commitment, each already checked. */
type ReceiptParts = Omit<Receipt, 'schema' | 'private_commitment'>;

/**
 * The frozen receipt, members in RFC 8785 order. Two literals rather than spreads: this runs for every receipt
 * written and read, and literals keep one object shape per variant.
 */
function assemble(p: ReceiptParts, private_commitment: string | undefined): Receipt {
  const schema = RECEIPT_SCHEMA;
  if (private_commitment === undefined) {
    return Object.freeze({
      cause: p.cause,
      event: p.event,
      governor: p.governor,
      ledger: p.ledger,
      ledger_seq: p.ledger_seq,
      metadata: p.metadata,
      prev: p.prev,
      reason: p.reason,
      receipt_id: p.receipt_id,
      schema,
      sku_id: p.sku_id,
      state_from: p.state_from,
      state_to: p.state_to,
      status: p.status,
      tenant_id: p.tenant_id,
      ts: p.ts,
    });
  }
  return Object.freeze({
    cause: p.cause,
    event: p.event,
    governor: p.governor,
    ledger: p.ledger,
    ledger_seq: p.ledger_seq,
    metadata: p.metadata,
    prev: p.prev,
    private_commitment,
    reason: p.reason,
    receipt_id: p.receipt_id,
    schema,
    sku_id: p.sku_id,
    state_from: p.state_from,
    state_to: p.state_to,
    status: p.status,
    tenant_id: p.tenant_id,
    ts: p.ts,
  });
}

function checkCommitment(value: unknown): string {
  return checkPattern('private_commitment', value, HEX64_PATTERN, 'absent or 64 lower-case hex characters');
}

function checkSeq(value: unknown): number {
  if (value === undefined) fail('ledger_seq', 'is required');
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    fail('ledger_seq', `must be an integer from 1 to 2^53-1, got ${preview(value)}`);
  }
  return value;
}

function checkPrev(value: unknown, seq: number): string {
  const prev = checkPattern('prev', value, HEX64_PATTERN, '64 lower-case hex characters (a leaf hash)');
  if (seq === 1 && prev !== GENESIS_PREV) fail('prev', 'must be 64 zeros when ledger_seq is 1');
  if (seq !== 1 && prev === GENESIS_PREV) {
    fail('prev', `is 64 zeros, which only the first receipt of a ledger may have (ledger_seq is ${seq})`);
  }
  return prev;
}

function checkTs(value: unknown): string {
  if (value === undefined) fail('ts', 'is required');
  if (typeof value !== 'string' || parseTimestamp(value) === undefined) {
    fail('ts', `must be an RFC 3339 UTC time like 2026-11-23T10:00:00.000Z, got ${preview(value)}`);
  }
  return value;
}
