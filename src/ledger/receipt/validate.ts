// Validation of drafts (at the API boundary, before anything is queued) and of receipts (when sealed and when
// read back). Both return a fresh, frozen copy built with its members in RFC 8785 order (§3.2.3) and metadata
// keys sorted, so that the copy cannot change after validation and JSON.stringify of a validated receipt is
// already its canonical text (every string is checked well-formed, every number is a safe integer).
import { GovernessError, LedgerErrors } from '../../errors/index.js';
import { isWellFormed } from '../canonical/text.js';
import { privatePayloadBytes } from './private-commitment.js';
import { parseTimestamp } from './timestamp.js';
import {
  DEFAULT_MAX_METADATA_BYTES,
  EVENT_TYPES,
  GENESIS_PREV,
  RECEIPT_SCHEMA,
  type EventType,
  type MetadataValue,
  type PrivatePayload,
  type Receipt,
  type ReceiptCause,
  type ReceiptDraft,
  type ReceiptEvent,
  type ReceiptMetadata,
  type ReceiptOptions,
  type ReceiptReason,
  type ReceiptStatus,
} from './types.js';
import {
  GOVERNOR_PATTERN,
  HEX64_PATTERN,
  IDENTIFIER_PATTERN,
  METADATA_KEY_PATTERN,
  REASON_CODE_PATTERN,
  checkObject,
  checkPattern,
  checkText,
  defineEntry,
  fail,
  isPlainObject,
  kindOf,
  preview,
} from './fields.js';
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
const EVENT_FIELDS: ReadonlySet<string> = new Set(['type', 'summary']);
const REASON_FIELDS: ReadonlySet<string> = new Set(['code', 'message']);
const CAUSE_FIELDS: ReadonlySet<string> = new Set(['request_id', 'idempotency_key', 'actor']);
const EVENT_TYPE_SET: ReadonlySet<string> = new Set(EVENT_TYPES);

const MAX_STATE = 256;
const MAX_SUMMARY = 256;
const MAX_MESSAGE = 1024;
const MAX_CAUSE = 256;

/** `<governor>/<sku_id>/<tenant_id>`, after checking each part (none can contain `/`). */
export function ledgerId(governor: string, skuId: string, tenantId: string): string {
  return `${checkGovernor(governor)}/${checkIdentifier('sku_id', skuId)}/${checkIdentifier('tenant_id', tenantId)}`;
}

/**
 * Checks a governor's draft at the API boundary and returns a frozen copy (members in canonical order, the
 * private payload copied through its canonical form). Throws `GOV_RECEIPT_INVALID` naming the field, or
 * `GOV_RECEIPT_TOO_LARGE` for oversized metadata or private payload.
 */
export function validateDraft(draft: unknown, options: ReceiptOptions = {}): ReceiptDraft {
  if (!isPlainObject(draft)) fail('(draft)', `must be a JSON object, not ${kindOf(draft)}`);
  for (const key of Object.keys(draft)) {
    if (!DRAFT_FIELDS.has(key)) fail(fieldName(key), 'unknown field');
  }
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
  for (const key of Object.keys(value)) {
    if (!RECEIPT_FIELDS.has(key)) fail(fieldName(key), 'unknown field');
  }
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
  const ledger = expectedLedger;
  const schema = RECEIPT_SCHEMA;
  // Two literals rather than spreads: this runs for every receipt written and read, and literals keep one shape.
  if (!('private_commitment' in value)) {
    return Object.freeze({
      cause,
      event,
      governor,
      ledger,
      ledger_seq,
      metadata,
      prev,
      reason,
      receipt_id,
      schema,
      sku_id,
      state_from,
      state_to,
      status,
      tenant_id,
      ts,
    });
  }
  if (value.private_commitment === undefined) {
    fail('private_commitment', 'must be absent or 64 lower-case hex characters, not undefined');
  }
  const private_commitment = checkPattern(
    'private_commitment',
    value.private_commitment,
    HEX64_PATTERN,
    'absent or 64 lower-case hex characters',
  );
  return Object.freeze({
    cause,
    event,
    governor,
    ledger,
    ledger_seq,
    metadata,
    prev,
    private_commitment,
    reason,
    receipt_id,
    schema,
    sku_id,
    state_from,
    state_to,
    status,
    tenant_id,
    ts,
  });
}

function fieldName(key: string): string {
  return key.length > 64 ? `${key.slice(0, 64)}…` : key;
}

function checkGovernor(value: unknown): string {
  return checkPattern('governor', value, GOVERNOR_PATTERN, 'a governor kind matching [a-z][a-z0-9_-]{0,31}');
}

function checkIdentifier(field: string, value: unknown): string {
  return checkPattern(field, value, IDENTIFIER_PATTERN, 'an id matching [A-Za-z0-9._:@-]{1,128}');
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

function checkEvent(value: unknown): ReceiptEvent {
  const event = checkObject('event', value, EVENT_FIELDS);
  const type = event.type;
  if (typeof type !== 'string' || !EVENT_TYPE_SET.has(type)) {
    fail('event.type', `must be one of ${EVENT_TYPES.join(', ')}; got ${preview(type)}`);
  }
  const summary = checkText('event.summary', event.summary, MAX_SUMMARY);
  return Object.freeze({ summary, type: type as EventType });
}

function checkStatus(value: unknown): ReceiptStatus {
  if (value === 'accept' || value === 'refuse') return value;
  if (value === undefined) fail('status', 'is required');
  return fail('status', `must be "accept" or "refuse", got ${preview(value)}`);
}

function checkReason(value: unknown): ReceiptReason {
  const reason = checkObject('reason', value, REASON_FIELDS);
  const code = checkPattern(
    'reason.code',
    reason.code,
    REASON_CODE_PATTERN,
    'a code matching [A-Za-z][A-Za-z0-9_.:-]{0,63}',
  );
  const message = checkText('reason.message', reason.message, MAX_MESSAGE);
  return Object.freeze({ code, message });
}

function checkCause(value: unknown): ReceiptCause {
  if (value === undefined) fail('cause', 'is required');
  if (!isPlainObject(value)) fail('cause', `must be a JSON object, not ${kindOf(value)}`);
  for (const key of Object.keys(value)) {
    if (!CAUSE_FIELDS.has(key)) fail(`cause.${fieldName(key)}`, 'unknown field');
  }
  return Object.freeze({
    actor: nullableText('cause.actor', value.actor),
    idempotency_key: nullableText('cause.idempotency_key', value.idempotency_key),
    request_id: nullableText('cause.request_id', value.request_id),
  });
}

function nullableText(field: string, value: unknown): string | null {
  if (value === null) return null;
  if (value === undefined) fail(field, 'is required (use null for none)');
  return checkText(field, value, MAX_CAUSE);
}

function checkMetadata(value: unknown, options: ReceiptOptions): ReceiptMetadata {
  if (value === undefined) fail('metadata', 'is required (use {} for none)');
  if (!isPlainObject(value)) fail('metadata', `must be a JSON object of flat values, not ${kindOf(value)}`);
  const keys = Object.keys(value);
  // RFC 8785 §3.2.3 order, so the copy serializes canonically as it is.
  if (keys.length > 1) keys.sort();
  const copy: Record<string, MetadataValue> = {};
  // Braces, commas, and per entry the quoted key (ASCII by its pattern) and a colon; values are added below.
  let upperBound = 2 + keys.length * 4;
  for (const key of keys) {
    upperBound += key.length;
    if (!METADATA_KEY_PATTERN.test(key))
      fail(metadataField(key), 'key must match [A-Za-z_][A-Za-z0-9_.-]{0,63}');
    const entry = value[key];
    if (typeof entry === 'number') {
      if (!Number.isSafeInteger(entry) || Object.is(entry, -0))
        fail(metadataField(key), numberProblem(entry));
      upperBound += 17;
    } else if (typeof entry === 'string') {
      // Cheap checks inline; checkText (which needs the field name) only when one fails.
      if (!isWellFormed(entry) || entry.includes('\u0000')) checkText(metadataField(key), entry, Infinity);
      // A UTF-16 code unit costs at most 6 bytes in canonical text (the `\u001f` escape); plus the quotes.
      upperBound += entry.length * 6 + 2;
    } else if (typeof entry !== 'boolean' && entry !== null) {
      fail(
        metadataField(key),
        `must be an integer, a string, a boolean or null (no nesting), not ${kindOf(entry)}`,
      );
    } else {
      upperBound += 5;
    }
    defineEntry(copy, key, entry);
  }
  const limit = options.maxMetadataBytes ?? DEFAULT_MAX_METADATA_BYTES;
  // The exact canonical size needs a serialization; a cheap upper bound settles the usual small case without one.
  if (upperBound > limit) {
    const size = Buffer.byteLength(JSON.stringify(copy), 'utf8');
    if (size > limit)
      throw new GovernessError(LedgerErrors.receiptTooLarge, { field: 'metadata', size, limit });
  }
  return Object.freeze(copy);
}

function metadataField(key: string): string {
  return `metadata.${fieldName(key)}`;
}

function numberProblem(n: number): string {
  const advice = 'use an integer or a decimal string';
  if (!Number.isFinite(n)) return `${String(n)} is not a JSON number; ${advice}`;
  if (Object.is(n, -0)) return `-0 is not allowed (JCS writes it as 0); ${advice}`;
  if (!Number.isInteger(n)) return `${String(n)} is a float, and floats are not allowed; ${advice}`;
  return `${String(n)} is outside ±(2^53-1), where integers stop being exact; ${advice} (e.g. "${BigInt(n).toString()}")`;
}

function copyPrivate(value: unknown, options: ReceiptOptions): PrivatePayload {
  if (!isPlainObject(value)) fail('private', `must be a JSON object, not ${kindOf(value)}`);
  // The canonical text doubles as a deep copy, so a payload mutated after validation cannot change what is stored.
  const bytes = privatePayloadBytes(value, options);
  return Object.freeze(JSON.parse(Buffer.from(bytes).toString('utf8')) as PrivatePayload);
}
