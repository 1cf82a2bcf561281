// RFC 6962 §2.1 hashing with SHA-256: leaves are SHA-256(0x00 ‖ data), interior nodes SHA-256(0x01 ‖ left ‖
// right), the empty tree SHA-256(""). The distinct prefixes keep a leaf from ever being passed off as a node
// (second-preimage resistance). Both functions run on hot paths (the writer hashes ~2 hashes per receipt, a
// full verify as many), so they hash from one reused input buffer through Node's one-shot crypto.hash.
import { createHash, hash as oneShotHash } from 'node:crypto';
import { GovernessError, LedgerErrors } from '../../errors/index.js';

/** A SHA-256 hash: always 32 bytes. */
export type Hash = Uint8Array;

/** Size of a Hash in bytes (SHA-256). */
export const HASH_SIZE = 32;

/** RFC 6962 §2.1 domain-separation prefix of a leaf hash input. */
export const LEAF_PREFIX = 0x00;

/** RFC 6962 §2.1 domain-separation prefix of an interior node hash input. */
export const NODE_PREFIX = 0x01;

// crypto.hash exists from Node 20.12 / 21.7; older 20.x falls back to the streaming API (about 30% slower).
const sha256Buffer: (data: Uint8Array) => Buffer =
  typeof oneShotHash === 'function'
    ? (data) => oneShotHash('sha256', data, 'buffer')
    : (data) => createHash('sha256').update(data).digest();

// Hashes are plain Uint8Arrays (a view of the digest, no copy): Buffer's slice() shares memory where
// Uint8Array's copies, and one type keeps comparisons and callers' expectations simple.
function plain(digest: Buffer): Hash {
  return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength);
}

/** SHA-256 of `data` (one-shot where Node has it); also what the durable layer hashes a request with. */
export function sha256(data: Uint8Array): Hash {
  return plain(sha256Buffer(data));
}

/** MTH({}) = SHA-256() (RFC 6962 §2.1): the root of the empty tree. */
export const EMPTY_ROOT: Hash = sha256(new Uint8Array(0));

// Leaf inputs up to this size are copied behind the prefix byte in a reused buffer; larger ones are streamed.
const LEAF_SCRATCH_LIMIT = 64 * 1024;
let leafInput = new Uint8Array(1024);
const leafPrefixByte = Uint8Array.of(LEAF_PREFIX);

/** RFC 6962 §2.1 leaf hash: MTH({d}) = SHA-256(0x00 ‖ d). */
export function leafHash(data: Uint8Array): Hash {
  const length = data.length + 1;
  if (length > LEAF_SCRATCH_LIMIT) {
    return plain(createHash('sha256').update(leafPrefixByte).update(data).digest());
  }
  if (length > leafInput.length) leafInput = new Uint8Array(Math.max(length, leafInput.length * 2));
  leafInput[0] = LEAF_PREFIX;
  leafInput.set(data, 1);
  return sha256(leafInput.subarray(0, length));
}

/**
 * The leaf hash of data stored right behind a 0x00 byte: `prefixed` is 0x00 ‖ d, hashed in place with no copy
 * (the sealer lays a batch's receipts out that way, see ReceiptArena).
 */
export function leafHashOfPrefixed(prefixed: Uint8Array): Hash {
  if (prefixed[0] !== LEAF_PREFIX) throw new RangeError('leafHashOfPrefixed needs input starting with 0x00');
  return sha256(prefixed);
}

const nodeInput = new Uint8Array(1 + 2 * HASH_SIZE);
nodeInput[0] = NODE_PREFIX;

/** RFC 6962 §2.1 interior node hash: SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Hash {
  if (left.length === HASH_SIZE && right.length === HASH_SIZE) {
    nodeInput.set(left, 1);
    nodeInput.set(right, 1 + HASH_SIZE);
    return sha256(nodeInput);
  }
  // Only test vectors hash children of other sizes; the ledger's nodes are always 32-byte hashes.
  return plain(createHash('sha256').update(Uint8Array.of(NODE_PREFIX)).update(left).update(right).digest());
}

/** A copy of bytes[start, end) in a new Uint8Array (Buffer's slice would share memory instead). */
export function copyBytes(bytes: Uint8Array, start = 0, end = bytes.length): Uint8Array {
  return new Uint8Array(bytes.subarray(start, end));
}

/** True when a and b hold the same bytes. */
export function hashesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The error specs whose messages take `{ where, problem }`: a parse helper throws whichever its caller names. */
export type WhereProblemSpec = (typeof LedgerErrors)[
  'badProof' | 'badCheckpoint' | 'badKey' | 'storeCorrupt' | 'verifyFailed' | 'badExport'];

/** Throws `spec` unless `value` is a 32-byte hash; `where` names the field. */
export function assertHash(
  value: unknown,
  where: string,
  spec: WhereProblemSpec = LedgerErrors.badProof,
): asserts value is Hash {
  if (!(value instanceof Uint8Array)) {
    throw new GovernessError(spec, {
      where,
      problem: `expected a ${HASH_SIZE}-byte hash, got ${typeof value}`,
    });
  }
  if (value.length !== HASH_SIZE) {
    throw new GovernessError(spec, { where, problem: `hash is ${value.length} bytes, want ${HASH_SIZE}` });
  }
}

function bufferView(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Lowercase hex of a hash (64 characters). */
export function hashToHex(hash: Hash): string {
  return bufferView(hash).toString('hex');
}

/** Standard base64 with padding of a hash (44 characters), as in C2SP checkpoints and tlog-proof files. */
export function hashToBase64(hash: Hash): string {
  return bufferView(hash).toString('base64');
}

const HEX_HASH = /^[0-9a-f]{64}$/;
const BASE64_HASH = /^[A-Za-z0-9+/]{43}=$/;

/** Parses 64 lowercase hex digits into a hash; anything else throws `spec` naming `where`. */
export function hashFromHex(
  text: string,
  where: string,
  spec: WhereProblemSpec = LedgerErrors.badProof,
): Hash {
  if (!HEX_HASH.test(text)) {
    throw new GovernessError(spec, {
      where,
      problem: `expected 64 lowercase hex digits, got ${describeText(text)}`,
    });
  }
  return new Uint8Array(Buffer.from(text, 'hex'));
}

/** Parses the 44-character padded standard base64 of a hash; anything else throws `spec` naming `where`. */
export function hashFromBase64(
  text: string,
  where: string,
  spec: WhereProblemSpec = LedgerErrors.badProof,
): Hash {
  const bytes = BASE64_HASH.test(text) ? Buffer.from(text, 'base64') : undefined;
  // Re-encoding rejects a final character with non-zero unused bits, so each hash has exactly one spelling.
  if (bytes === undefined || bytes.length !== HASH_SIZE || bytes.toString('base64') !== text) {
    throw new GovernessError(spec, {
      where,
      problem: `expected the 44-character padded base64 of a ${HASH_SIZE}-byte hash, got ${describeText(text)}`,
    });
  }
  return new Uint8Array(bytes);
}

function describeText(text: unknown): string {
  if (typeof text !== 'string') return typeof text;
  return text.length > 80
    ? `${JSON.stringify(text.slice(0, 80))}… (${text.length} characters)`
    : JSON.stringify(text);
}
