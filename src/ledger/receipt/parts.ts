// The parts shared by drafts and receipts: governor and ids, event, status, reason, metadata, cause and the
// private payload. Each check names the field and returns the value, or a frozen copy with its members in
// RFC 8785 order (§3.2.3) for the nested objects, so that JSON.stringify of the assembled copy is canonical.
import { GovernessError, LedgerErrors } from '../../errors/index.js';
import { sortKeys } from '../canonical/canonicalize.js';
import { isWellFormed } from '../canonical/text.js';
import {
  GOVERNOR_PATTERN,
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
  unknownName,
} from './fields.js';
import { privatePayloadBytes } from './private-commitment.js';
import {
  DEFAULT_MAX_METADATA_BYTES,
  EVENT_TYPES,
  type EventType,
  type MetadataValue,
  type PrivatePayload,
  type ReceiptCause,
  type ReceiptEvent,
  type ReceiptMetadata,
  type ReceiptOptions,
  type ReceiptReason,
  type ReceiptStatus,
} from './types.js';

const EVENT_FIELDS: ReadonlySet<string> = new Set(['type', 'summary']);
const REASON_FIELDS: ReadonlySet<string> = new Set(['code', 'message']);
const CAUSE_FIELDS: ReadonlySet<string> = new Set(['request_id', 'idempotency_key', 'actor']);
const EVENT_TYPE_SET: ReadonlySet<string> = new Set(EVENT_TYPES);

/** Longest `state_from` / `state_to`, in UTF-16 code units. */
export const MAX_STATE = 256;
const MAX_SUMMARY = 256;
const MAX_MESSAGE = 1024;
const MAX_CAUSE = 256;

/** A property name as shown in an error (cut at 64 code units). */
export function fieldName(key: string): string {
  return key.length > 64 ? `${key.slice(0, 64)}…` : key;
}

/** `governor`: a kind matching GOVERNOR_PATTERN. */
export function checkGovernor(value: unknown): string {
  return checkPattern('governor', value, GOVERNOR_PATTERN, 'a governor kind matching [a-z][a-z0-9_-]{0,31}');
}

/** `sku_id` / `tenant_id`: an id matching IDENTIFIER_PATTERN. */
export function checkIdentifier(field: string, value: unknown): string {
  return checkPattern(field, value, IDENTIFIER_PATTERN, 'an id matching [A-Za-z0-9._:@-]{1,128}');
}

/** `event`: `{ type, summary }`, returned as a frozen copy in canonical member order. */
export function checkEvent(value: unknown): ReceiptEvent {
  const event = checkObject('event', value, EVENT_FIELDS);
  const type = event.type;
  if (typeof type !== 'string' || !EVENT_TYPE_SET.has(type)) {
    fail('event.type', `must be one of ${EVENT_TYPES.join(', ')}; got ${preview(type)}`);
  }
  const summary = checkText('event.summary', event.summary, MAX_SUMMARY);
  return Object.freeze({ summary, type: type as EventType });
}

/** `status`: `accept` or `refuse`. */
export function checkStatus(value: unknown): ReceiptStatus {
  if (value === 'accept' || value === 'refuse') return value;
  if (value === undefined) fail('status', 'is required');
  return fail('status', `must be "accept" or "refuse", got ${preview(value)}`);
}

/** `reason`: `{ code, message }`, returned as a frozen copy in canonical member order. */
export function checkReason(value: unknown): ReceiptReason {
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

/** `cause`: `{ actor, idempotency_key, request_id }`, each text or null, returned as a frozen copy. */
export function checkCause(value: unknown): ReceiptCause {
  if (value === undefined) fail('cause', 'is required');
  if (!isPlainObject(value)) fail('cause', `must be a JSON object, not ${kindOf(value)}`);
  const unknown = unknownName(value, CAUSE_FIELDS);
  if (unknown !== undefined) fail(`cause.${fieldName(unknown)}`, 'unknown field');
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

/** `metadata`: flat, no floats, within its size limit; returned as a frozen copy with sorted names. */
export function checkMetadata(value: unknown, options: ReceiptOptions): ReceiptMetadata {
  if (value === undefined) fail('metadata', 'is required (use {} for none)');
  if (!isPlainObject(value)) fail('metadata', `must be a JSON object of flat values, not ${kindOf(value)}`);
  const keys = Object.keys(value);
  // RFC 8785 §3.2.3 order, so the copy serializes canonically as it is.
  if (keys.length > 1) sortKeys(keys);
  const copy: Record<string, MetadataValue> = {};
  // Braces, commas, and per entry the quoted key (ASCII by its pattern) and a colon; values are added below.
  let upperBound = 2 + keys.length * 4;
  for (const key of keys) {
    upperBound += key.length;
    if (!METADATA_KEY_PATTERN.test(key)) {
      fail(metadataField(key), 'key must match [A-Za-z_][A-Za-z0-9_.-]{0,63}');
    }
    const entry = value[key];
    if (typeof entry === 'number') {
      if (!Number.isSafeInteger(entry) || Object.is(entry, -0)) {
        fail(metadataField(key), numberProblem(entry));
      }
      // At most 16 digits and a sign.
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
      // true, false, null.
      upperBound += 5;
    }
    defineEntry(copy, key, entry);
  }
  const limit = options.maxMetadataBytes ?? DEFAULT_MAX_METADATA_BYTES;
  // The exact canonical size needs a serialization; a cheap upper bound settles the usual small case without one.
  if (upperBound > limit) {
    const size = Buffer.byteLength(JSON.stringify(copy), 'utf8');
    if (size > limit) {
      throw new GovernessError(LedgerErrors.receiptTooLarge, { field: 'metadata', size, limit });
    }
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

/** A draft's `private` payload, checked and deep-copied through its canonical text. */
export function copyPrivate(value: unknown, options: ReceiptOptions): PrivatePayload {
  if (!isPlainObject(value)) fail('private', `must be a JSON object, not ${kindOf(value)}`);
  // The canonical text doubles as a deep copy, so a payload mutated after validation cannot change what is stored.
  const bytes = privatePayloadBytes(value, options);
  return Object.freeze(JSON.parse(Buffer.from(bytes).toString('utf8')) as PrivatePayload);
}

/** `<governor>/<sku_id>/<tenant_id>`, after checking each part (none can contain `/`). */
export function ledgerId(governor: string, skuId: string, tenantId: string): string {
  return `${checkGovernor(governor)}/${checkIdentifier('sku_id', skuId)}/${checkIdentifier('tenant_id', tenantId)}`;
}
