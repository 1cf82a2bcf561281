// Reading canonical bytes back: strict UTF-8, JSON, and the check that the bytes are exactly the RFC 8785 form
// of what they hold. Verifiers hash the stored bytes and separately require canonicalize(parse(bytes)) ===
// bytes, so a second spelling of the same data (whitespace, escapes, key order, 1.0 for 1) is refused.
//
// Duplicate property names: JSON.parse keeps the last member silently. The byte comparison alone always catches
// them: the canonical text of the parsed value has one member per distinct name, so it has fewer members than a
// text with a duplicate and cannot be equal to it. What the comparison does not give is a useful message (the
// first differing byte can sit far from the duplicate: `{"a":1,"b":2,"a":3}` parses to {"a":3,"b":2}, which
// differs at byte 5, the first value), so on failure the text is scanned for duplicates to name the property.
import { GovernessError, LedgerErrors } from '../../errors/index.js';
import { CanonicalFault, MAX_DEPTH, assertStringifyUnhooked, canonicalizeOrFault } from './canonicalize.js';
import { describeByte, findDuplicateKey, firstDifference, invalidUtf8At } from './diagnose.js';
import { isWellFormed } from './text.js';

// fatal: throw on ill-formed input instead of inserting U+FFFD; ignoreBOM: keep a leading BOM so it is refused.
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Decodes `bytes` as strict UTF-8 (RFC 3629; no BOM, no replacement characters) into a string, or throws
 * `GOV_NOT_CANONICAL` naming `where` and the offset of the first bad byte.
 */
export function decodeUtf8Strict(bytes: Uint8Array, where: string): string {
  let text: string;
  try {
    text = STRICT_UTF8.decode(bytes);
  } catch {
    const at = invalidUtf8At(bytes);
    throw notCanonical(where, `invalid UTF-8 at byte ${at}: ${describeByte(bytes, at)}`);
  }
  if (text.charCodeAt(0) === 0xfeff) {
    throw notCanonical(where, 'starts with a byte order mark (RFC 8259 §8.1: JSON text must not add one)');
  }
  return text;
}

/**
 * Parses RFC 8785 canonical bytes: strict UTF-8, JSON, then the bytes must equal the canonical form of the parsed
 * value. Throws `GOV_NOT_CANONICAL` naming `where` (e.g. `line 12`) and the first differing byte offset, the
 * duplicated property name, or the JSON Pointer of a value JCS cannot represent.
 */
export function parseCanonical(bytes: Uint8Array, where: string): unknown {
  const text = decodeUtf8Strict(bytes, where);
  const value = parseJson(text, where);
  assertStringifyUnhooked();
  // Fast path: JSON.stringify writes strings and numbers exactly as JCS does, so when it reproduces the text and
  // every object's names are in ascending code-unit order (and no escaped lone surrogate hides in a string), the
  // text is canonical. One native stringify and a key walk are several times cheaper than building the text again.
  if (fastCheck(value, text)) return value;
  return checkSlowly(bytes, text, value, where);
}

/** Parses JSON text, turning a syntax error into `GOV_NOT_CANONICAL` naming `where`. */
export function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw notCanonical(where, `not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * The exact check, for inputs the fast path did not accept: canonicalize the parsed value and compare. Also the
 * only path for texts with integer-like property names ("1", "10"), which JavaScript orders numerically.
 */
export function checkSlowly(bytes: Uint8Array, text: string, value: unknown, where: string): unknown {
  let canonical: string;
  try {
    canonical = canonicalizeOrFault(value);
  } catch (err) {
    if (!(err instanceof CanonicalFault)) throw err;
    const { pointer, problem } = err.locate();
    throw notCanonical(pointer === '' ? where : `${where} at ${pointer}`, problem);
  }
  if (canonical === text) return value;
  const duplicate = findDuplicateKey(text);
  if (duplicate !== undefined) {
    const offset = Buffer.byteLength(text.slice(0, duplicate.index), 'utf8');
    throw notCanonical(
      where,
      `duplicate property name ${JSON.stringify(duplicate.key)} at byte ${offset} (JSON.parse would keep only the last)`,
    );
  }
  const expected = Buffer.from(canonical, 'utf8');
  const offset = firstDifference(bytes, expected);
  throw notCanonical(
    where,
    `first difference at byte ${offset}: found ${describeByte(bytes, offset)}, canonical form has ${describeByte(expected, offset)}`,
  );
}

function fastCheck(value: unknown, text: string): boolean {
  try {
    return JSON.stringify(value) === text && sortedAndWellFormed(value, text.includes('\\u'), 0);
  } catch {
    // JSON.stringify recurses natively and overflows the stack on absurd nesting; the slow path reports depth.
    return false;
  }
}

/** True when every object in `value` lists its names in strictly ascending UTF-16 order (and strings are well-formed). */
function sortedAndWellFormed(value: unknown, checkStrings: boolean, depth: number): boolean {
  if (typeof value === 'string') return !checkStrings || isWellFormed(value);
  if (typeof value !== 'object' || value === null) return true;
  if (depth >= MAX_DEPTH) return false;
  if (Array.isArray(value)) {
    for (const item of value as readonly unknown[]) {
      if (!sortedAndWellFormed(item, checkStrings, depth + 1)) return false;
    }
    return true;
  }
  const record = value as Readonly<Record<string, unknown>>;
  let previous: string | undefined;
  for (const key of Object.keys(record)) {
    if (previous !== undefined && !(previous < key)) return false;
    if (checkStrings && !isWellFormed(key)) return false;
    if (!sortedAndWellFormed(record[key], checkStrings, depth + 1)) return false;
    previous = key;
  }
  return true;
}

function notCanonical(where: string, problem: string): GovernessError {
  return new GovernessError(LedgerErrors.notCanonical, { where, problem });
}
