// RFC 8785 JSON Canonicalization Scheme (JCS): the one byte form of a JSON value that receipts are stored,
// hashed and verified in.
//
// - Object members are sorted by the UTF-16 code units of their names (§3.2.3); `Array.prototype.sort` with no
//   comparator compares strings by code units, which is exactly that order.
// - Strings are written as ECMAScript's JSON.stringify writes them (§3.2.2.2): only `"`, `\` and U+0000..U+001F
//   are escaped, with `\b \t \n \f \r` short forms and `\u00xx` (lower-case hex) for the rest; U+2028/U+2029
//   and everything else are written as themselves. JSON.stringify escapes a lone surrogate as `\udxxx` instead of
//   failing (ES2019 "well-formed JSON.stringify"), so every string is checked first: JCS requires an error.
// - Numbers are written with ECMAScript Number::toString (§3.2.2.3), i.e. JSON.stringify of a finite number
//   (-0 becomes 0); NaN and ±Infinity are errors.
// - No whitespace anywhere (§3.2.1).
//
// Only plain data is accepted: a receipt is plain data, so `toJSON` is deliberately NOT honoured (a Date or a
// class instance would otherwise serialize as something other than what it is, and the hashed bytes would depend
// on code rather than data). `undefined`, functions, symbols, BigInt, cycles and non-plain objects are errors
// instead of being dropped or mapped to null as JSON.stringify does.
import { GovernessError, LedgerErrors } from '../../errors/index.js';
import { describeLoneSurrogate, isWellFormed, jsonPointer } from './text.js';

/**
 * Deepest nesting accepted. RFC 8259 §9 lets a parser limit nesting depth; receipts nest two levels, and the
 * limit turns a cycle or a hostile document into a clear error instead of a stack overflow.
 */
export const MAX_DEPTH = 512;

/**
 * What is wrong and where, collected while the recursion unwinds so that the happy path keeps no path stack:
 * each container frame adds its key (and itself, to tell a cycle from mere depth) on the way out.
 */
export class CanonicalFault {
  /** Property names and indexes from the bad value up to the root (reversed when reported). */
  readonly segments: (string | number)[] = [];
  /** The containers passed through, innermost first; a repeated one means a cycle. */
  readonly holders: object[] = [];

  constructor(
    /** Human explanation of the problem. */
    readonly problem: string,
    /** True when the fault is the depth limit (possibly a cycle, decided when reporting). */
    readonly tooDeep = false,
  ) {}

  /** Where the fault is, as a JSON Pointer, and the problem, with a cycle told apart from plain depth. */
  locate(): { pointer: string; problem: string } {
    const segments = [...this.segments].reverse();
    const holders = [...this.holders].reverse();
    if (this.tooDeep) {
      // holders[j] is the value at segments[0..j); a holder seen again deeper is a reference back to an ancestor.
      for (let j = 1; j < holders.length; j++) {
        const i = holders.indexOf(holders[j] as object);
        if (i < j) {
          return {
            pointer: jsonPointer(segments.slice(0, j)),
            problem: `cycle: this value is its own ancestor at ${jsonPointer(segments.slice(0, i)) || '(root)'}`,
          };
        }
      }
    }
    return { pointer: jsonPointer(segments), problem: this.problem };
  }
}

/** Canonical JSON text of `value`, or a thrown CanonicalFault (internal form used by the parser's diagnostics). */
export function canonicalizeOrFault(value: unknown): string {
  assertStringifyUnhooked();
  return emit(value, 0);
}

/** Turns a CanonicalFault into the public error; `at` prefixes the JSON Pointer (e.g. `/private`). */
export function faultToError(fault: CanonicalFault, at: string): GovernessError {
  const { pointer, problem } = fault.locate();
  return new GovernessError(LedgerErrors.notCanonical, { where: at + pointer || '(root)', problem });
}

/**
 * RFC 8785 canonical JSON text of `value`. Throws `GOV_NOT_CANONICAL` whose `where` is a JSON Pointer to the
 * offending value (e.g. `/metadata/amount`), prefixed by `at` when given.
 */
export function canonicalize(value: unknown, at = ''): string {
  // Fast path: plain data whose objects already list their names in canonical order (receipts are built that
  // way) is serialized by one native JSON.stringify, which writes strings and numbers exactly as JCS does.
  assertStringifyUnhooked();
  if (alreadyCanonical(value, 0)) return JSON.stringify(value);
  try {
    return emit(value, 0);
  } catch (err) {
    if (err instanceof CanonicalFault) throw faultToError(err, at);
    throw err;
  }
}

/** UTF-8 bytes of the RFC 8785 canonical text of `value` (§3.2.4); errors as for `canonicalize`. */
export function canonicalBytes(value: unknown, at = ''): Uint8Array {
  return Buffer.from(canonicalize(value, at), 'utf8');
}

/**
 * Throws unless JSON.stringify is free of a `toJSON` planted on a built-in prototype (it looks one up on every
 * object and primitive it writes, so such a hook would change the bytes that get hashed). All JSON writing here
 * relies on it; refusing to run is the only safe answer in a realm where it was tampered with.
 */
export function assertStringifyUnhooked(): void {
  if (
    'toJSON' in Object.prototype ||
    'toJSON' in Array.prototype ||
    'toJSON' in String.prototype ||
    'toJSON' in Number.prototype ||
    'toJSON' in Boolean.prototype
  ) {
    throw new GovernessError(LedgerErrors.notCanonical, {
      where: '(runtime)',
      problem:
        'a toJSON method was added to a built-in prototype, so JSON.stringify output cannot be trusted',
    });
  }
}

/**
 * True when JSON.stringify(value) is already the canonical text: only plain objects and arrays, well-formed
 * strings, finite numbers, booleans and null, and every object's names in strictly ascending code-unit order.
 * Anything else (including every error case) is left to the exact path, which reports it.
 */
function alreadyCanonical(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
      return isWellFormed(value);
    case 'number':
      return Number.isFinite(value);
    case 'boolean':
      return true;
    case 'object':
      break;
    default:
      return false;
  }
  if (value === null) return true;
  if (depth >= MAX_DEPTH) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === Array.prototype) {
    const items = value as readonly unknown[];
    for (let i = 0; i < items.length; i++) if (!alreadyCanonical(items[i], depth + 1)) return false;
    return true;
  }
  if ((proto !== Object.prototype && proto !== null) || Array.isArray(value)) return false;
  if (Object.getOwnPropertySymbols(value).length > 0) return false;
  const record = value as Readonly<Record<string, unknown>>;
  let previous: string | undefined;
  for (const key of Object.keys(record)) {
    if (previous !== undefined && !(previous < key)) return false;
    if (!isWellFormed(key) || !alreadyCanonical(record[key], depth + 1)) return false;
    previous = key;
  }
  return true;
}

function emit(value: unknown, depth: number): string {
  switch (typeof value) {
    case 'string':
      if (!isWellFormed(value)) throw new CanonicalFault(describeLoneSurrogate(value));
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) {
        throw new CanonicalFault(`${String(value)} is not a JSON number (RFC 8785 §3.2.2.3)`);
      }
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      return value === null ? 'null' : emitContainer(value, depth);
    case 'bigint':
      throw new CanonicalFault('BigInt is not a JSON number: use a decimal string (I-JSON, RFC 7493 §2.2)');
    default:
      throw new CanonicalFault(`${typeof value} is not a JSON value`);
  }
}

function emitContainer(value: object, depth: number): string {
  if (depth >= MAX_DEPTH) throw new CanonicalFault(`nested deeper than ${MAX_DEPTH} levels`, true);
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype) throw new CanonicalFault(notPlain(value));
    return emitArray(value as readonly unknown[], depth);
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) throw new CanonicalFault(notPlain(value));
  if (Object.getOwnPropertySymbols(value).length > 0) {
    throw new CanonicalFault('object has symbol-keyed properties, which JSON cannot represent');
  }
  return emitObject(value as Readonly<Record<string, unknown>>, depth);
}

function emitArray(items: readonly unknown[], depth: number): string {
  let out = '[';
  for (let i = 0; i < items.length; i++) {
    if (i > 0) out += ',';
    try {
      // A hole of a sparse array reads as undefined and is rejected like an explicit undefined.
      out += emit(items[i], depth + 1);
    } catch (err) {
      throw addFrame(err, i, items);
    }
  }
  return out + ']';
}

function emitObject(record: Readonly<Record<string, unknown>>, depth: number): string {
  const keys = Object.keys(record);
  if (keys.length > 1) sortKeys(keys);
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    if (i > 0) out += ',';
    try {
      if (!isWellFormed(key)) throw new CanonicalFault(`property name has a ${describeLoneSurrogate(key)}`);
      out += JSON.stringify(key) + ':' + emit(record[key], depth + 1);
    } catch (err) {
      throw addFrame(err, key, record);
    }
  }
  return out + '}';
}

/**
 * RFC 8785 §3.2.3: property names sorted by UTF-16 code units, which is how `<` compares strings and how the default
 * comparator of Array.prototype.sort orders them. Most objects here are small and often already in order (built in
 * that order, or parsed from canonical text): those are checked and sorted in place, since Array.prototype.sort
 * allocates working storage on every call (~800 bytes per durable request hashed, and per receipt's metadata).
 * Sorts `keys` in place; the receipt's metadata and the PostgreSQL side-row columns are sorted with it too.
 */
export function sortKeys(keys: string[]): void {
  const n = keys.length;
  if (n > 16) {
    keys.sort();
    return;
  }
  for (let i = 1; i < n; i++) {
    const k = keys[i] as string;
    let j = i - 1;
    if (!(k < (keys[j] as string))) continue;
    while (j >= 0 && k < (keys[j] as string)) {
      keys[j + 1] = keys[j] as string;
      j--;
    }
    keys[j + 1] = k;
  }
}

function addFrame(err: unknown, segment: string | number, holder: object): unknown {
  if (err instanceof CanonicalFault) {
    err.segments.push(segment);
    err.holders.push(holder);
  }
  return err;
}

function notPlain(value: object): string {
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  const kind = typeof name === 'string' && name !== '' ? name : 'object with a custom prototype';
  return `${kind} is not plain JSON data (only plain objects, arrays, strings, finite numbers, booleans and null)`;
}
