// Field-level checks shared by draft and receipt validation. Every check names the field (a dotted path such as
// `metadata.amount` or `cause.actor`) and says what is wrong. The patterns are anchored character classes with a
// bounded repeat: linear time, no backtracking blow-up on hostile input.
import { GovernessError, LedgerErrors } from '../../errors/index.js';
import { describeLoneSurrogate, isWellFormed } from '../canonical/text.js';

/** Governor kind, e.g. `entitlement`. */
export const GOVERNOR_PATTERN = /^[a-z][a-z0-9_-]{0,31}$/;
/** `sku_id` / `tenant_id`: pseudonymous ids; no `/`, which separates the parts of `ledger`. */
export const IDENTIFIER_PATTERN = /^[A-Za-z0-9._:@-]{1,128}$/;
/** `reason.code`. */
export const REASON_CODE_PATTERN = /^[A-Za-z][A-Za-z0-9_.:-]{0,63}$/;
/** Names of metadata entries. */
export const METADATA_KEY_PATTERN = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;
/** A SHA-256 value in lower-case hex. */
export const HEX64_PATTERN = /^[0-9a-f]{64}$/;

/** Throws `GOV_RECEIPT_INVALID` for `field`. */
export function fail(field: string, problem: string): never {
  throw new GovernessError(LedgerErrors.badReceipt, { field, problem });
}

/** A short, printable rendering of a bad value for error messages (strings quoted and cut at 80 units). */
export function preview(value: unknown): string {
  if (typeof value === 'string') {
    return value.length > 80 ? `${JSON.stringify(value.slice(0, 80))}…` : JSON.stringify(value);
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return Object.is(value, -0) ? '-0' : String(value);
  }
  return kindOf(value);
}

/** The JSON-ish kind of a value: `null`, `array`, `object`, `string`, `number`, `undefined`… */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** True for a plain object (prototype Object.prototype or null), the only kind of object a receipt holds. */
export function isPlainObject(value: unknown): value is Readonly<Record<string, unknown>> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * A text field: a string of `min..max` UTF-16 code units, well-formed (no lone surrogate, RFC 8785 §3.2.2.2)
 * and without U+0000 (which many stores and tools truncate at).
 */
export function checkText(field: string, value: unknown, max: number, min = 0): string {
  if (value === undefined) fail(field, 'is required');
  if (typeof value !== 'string') fail(field, `must be a string, not ${kindOf(value)}`);
  if (value.length < min || value.length > max) {
    fail(field, `must be ${min}..${max} UTF-16 code units long, is ${value.length}`);
  }
  if (!isWellFormed(value)) fail(field, describeLoneSurrogate(value));
  const nul = value.indexOf('\u0000');
  if (nul >= 0) fail(field, `contains U+0000 at index ${nul}`);
  return value;
}

/** A string field that must match `pattern` (described in words as `shape`). */
export function checkPattern(field: string, value: unknown, pattern: RegExp, shape: string): string {
  if (value === undefined) fail(field, 'is required');
  if (typeof value !== 'string') fail(field, `must be a string (${shape}), not ${kindOf(value)}`);
  if (!pattern.test(value)) fail(field, `must be ${shape}, got ${preview(value)}`);
  return value;
}

/**
 * A nested object with exactly the given fields: a plain object, no unknown field (named `field.key`), every
 * listed field present.
 */
export function checkObject(
  field: string,
  value: unknown,
  keys: ReadonlySet<string>,
): Readonly<Record<string, unknown>> {
  if (value === undefined) fail(field, 'is required');
  if (!isPlainObject(value)) fail(field, `must be a JSON object, not ${kindOf(value)}`);
  const unknown = unknownName(value, keys);
  if (unknown !== undefined) fail(`${field}.${unknown}`, 'unknown field');
  for (const key of keys) {
    if (value[key] === undefined) fail(`${field}.${key}`, 'is required');
  }
  return value;
}

/**
 * The first own enumerable name of `value` not in `known` (in Object.keys order), or undefined. A for-in loop
 * rather than Object.keys: this runs for every object of every receipt written and read, and Object.keys
 * allocates an array of the names each time.
 */
export function unknownName(
  value: Readonly<Record<string, unknown>>,
  known: ReadonlySet<string>,
): string | undefined {
  for (const key in value) {
    if (Object.hasOwn(value, key) && !known.has(key)) return key;
  }
  return undefined;
}

/** Adds an own enumerable property even when the key is `__proto__` (which `o[k] = v` would treat as the prototype). */
export function defineEntry(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}
