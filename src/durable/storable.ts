// What a durable governor may keep on disk: plain JSON data with integer numbers (the ledger's canonical form
// has no floats worth trusting across languages), plus reply targets under the reserved tag `{ "$reply": … }`.
// The walk names the offending path (`data.items[3]`) because a governor must never commit a snapshot it cannot
// load again: the step fails instead, while the bad value is still in memory where it can be explained.
import { GovernessError, RuntimeErrors } from '../errors/index.js';
import { MAX_DEPTH, isWellFormed } from '../ledger/canonical/index.js';
import { ReplyTarget } from '../runtime/index.js';

/** The property that marks a stored reply target. Plain data may not use it as a key. */
export const REPLY_TAG = '$reply';

/** Turns reply targets into stored strings and back (a DurableReply codec; see docs/durable/design.md §1.4). */
export interface ReplyCodec {
  /** The stored form of a reply target found at `path`; throws when it cannot be stored. */
  encode(target: ReplyTarget, path: string): string;
  /** The reply target a stored string at `path` stands for; throws when the string is not one. */
  decode(tag: string, path: string): ReplyTarget;
}

/** Throws GOV_BAD_ARGUMENT naming the path of the value that cannot be stored or loaded. */
export function refuseAt(path: string, problem: string): never {
  throw new GovernessError(RuntimeErrors.badArgument, { argument: path, problem });
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `path.key` for identifier-like keys, `path["key"]` otherwise. */
export function childPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

function checkNumber(path: string, n: number): number {
  if (!Number.isSafeInteger(n))
    refuseAt(path, `${n} is not a safe integer (durable data stores integers only)`);
  return Object.is(n, -0) ? 0 : n;
}

function checkString(path: string, s: string): string {
  if (!isWellFormed(s)) refuseAt(path, 'string holds a lone surrogate, which has no UTF-8 form');
  return s;
}

/** A deep copy of `value` in storable form (reply targets tagged); throws naming the first bad path. */
export function toStorable(value: unknown, path: string, replies?: ReplyCodec, depth = 0): unknown {
  return storableAt(value, path, null, replies, depth);
}

/** The path of the value at `parent` + `key` (key null: `parent` itself). */
function pathAt(parent: string, key: string | number | null): string {
  return key === null ? parent : childPath(parent, key);
}

/**
 * toStorable of the value at `parent` + `key` (key null: at `parent` itself). The path string is built only
 * for a refusal or a container's children: a step stores its data on every commit, and a child path per
 * property (a regular-expression test and a concatenation each) was most of the walk's cost.
 */
function storableAt(
  value: unknown,
  parent: string,
  key: string | number | null,
  replies: ReplyCodec | undefined,
  depth: number,
): unknown {
  if (depth > MAX_DEPTH) refuseAt(pathAt(parent, key), `nested deeper than ${MAX_DEPTH} levels (or a cycle)`);
  switch (typeof value) {
    case 'string':
      return isWellFormed(value) ? value : checkString(pathAt(parent, key), value);
    case 'number':
      return Number.isSafeInteger(value) && !Object.is(value, -0)
        ? value
        : checkNumber(pathAt(parent, key), value);
    case 'boolean':
      return value;
    case 'undefined':
      return refuseAt(pathAt(parent, key), 'undefined cannot be stored (use null or leave the property out)');
    case 'object':
      break;
    default:
      return refuseAt(pathAt(parent, key), `a ${typeof value} cannot be stored`);
  }
  if (value === null) return null;
  const path = pathAt(parent, key);
  if (value instanceof ReplyTarget) {
    if (replies === undefined) return refuseAt(path, 'a reply target cannot be stored without a reply codec');
    return { [REPLY_TAG]: replies.encode(value, path) };
  }
  if (Array.isArray(value)) {
    const out: unknown[] = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = storableAt(value[i], path, i, replies, depth + 1);
    return out;
  }
  if (!isPlainObject(value)) {
    return refuseAt(
      path,
      `a ${value.constructor?.name ?? 'non-plain'} object cannot be stored (plain data only)`,
    );
  }
  const record = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  // for-in walks the own enumerable string keys Object.entries would, without a pair array per property
  // (the hasOwn test keeps out an enumerable property someone added to Object.prototype).
  for (const k in record) {
    if (!Object.hasOwn(record, k)) continue;
    if (k === REPLY_TAG) refuseAt(childPath(path, k), `${REPLY_TAG} is reserved for stored reply targets`);
    if (!isWellFormed(k)) checkString(childPath(path, k), k);
    out[k] = storableAt(record[k], path, k, replies, depth + 1);
  }
  return out;
}

/** The live value of parsed storable data (reply tags decoded); throws naming the first bad path. */
export function fromStorable(value: unknown, path: string, replies?: ReplyCodec, depth = 0): unknown {
  if (depth > MAX_DEPTH) refuseAt(path, `nested deeper than ${MAX_DEPTH} levels`);
  if (typeof value === 'number') return checkNumber(path, value);
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value))
    return value.map((v, i) => fromStorable(v, childPath(path, i), replies, depth + 1));
  const record = value as Record<string, unknown>;
  if (REPLY_TAG in record) {
    const tag = record[REPLY_TAG];
    if (Object.keys(record).length !== 1 || typeof tag !== 'string') {
      refuseAt(path, `a stored reply target is { "${REPLY_TAG}": string } and nothing else`);
    }
    if (replies === undefined)
      return refuseAt(path, 'a stored reply target cannot be loaded without a reply codec');
    return replies.decode(tag, path);
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record))
    out[k] = fromStorable(v, childPath(path, k), replies, depth + 1);
  return out;
}
