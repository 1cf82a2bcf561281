// Salted commitment to a receipt's private payload (free text, personal data). The payload and its salt are stored
// beside the receipt and can be erased; the receipt keeps only
//
//   private_commitment = hex(SHA-256("governess.receipt-private/v1\n" ‖ salt ‖ JCS(payload)))
//
// with a 32-byte random salt. The salt is what makes erasure real: without it a low-entropy payload (an email, a
// name) could be recovered from the hash by guessing. The domain string keeps these hashes apart from every other
// SHA-256 in the ledger (leaf and node hashes start with 0x00/0x01, RFC 6962 §2.1).
import { createHash, randomBytes } from 'node:crypto';
import { GovernessError, LedgerErrors } from '../../errors/index.js';
import { canonicalize } from '../canonical/index.js';
import { DEFAULT_MAX_PRIVATE_BYTES, type PrivatePayload, type ReceiptOptions } from './types.js';

/** Domain separation prefix of the private commitment, UTF-8 (it is ASCII), ending in a line feed. */
export const PRIVATE_COMMITMENT_DOMAIN = 'governess.receipt-private/v1\n';

/** Length of a private-payload salt in bytes. */
export const SALT_BYTES = 32;

const DOMAIN_BYTES = Buffer.from(PRIVATE_COMMITMENT_DOMAIN, 'utf8');

/** A fresh 32-byte random salt (crypto.randomBytes). */
export function newSalt(): Uint8Array {
  return new Uint8Array(randomBytes(SALT_BYTES));
}

/**
 * RFC 8785 bytes of a private payload: a plain JSON object, at most `maxPrivateBytes` (default 65536) bytes.
 * Throws `GOV_RECEIPT_INVALID` (field `private`) or `GOV_RECEIPT_TOO_LARGE`.
 */
export function privatePayloadBytes(payload: PrivatePayload, options: ReceiptOptions = {}): Uint8Array {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new GovernessError(LedgerErrors.badReceipt, { field: 'private', problem: 'must be a JSON object' });
  }
  let text: string;
  try {
    text = canonicalize(payload, '/private');
  } catch (err) {
    if (!GovernessError.is(err, LedgerErrors.notCanonical)) throw err;
    throw new GovernessError(
      LedgerErrors.badReceipt,
      { field: 'private', problem: `at ${String(err.details.where)}: ${String(err.details.problem)}` },
      { cause: err },
    );
  }
  const bytes = Buffer.from(text, 'utf8');
  const limit = options.maxPrivateBytes ?? DEFAULT_MAX_PRIVATE_BYTES;
  if (bytes.length > limit) {
    throw new GovernessError(LedgerErrors.receiptTooLarge, { field: 'private', size: bytes.length, limit });
  }
  return bytes;
}

/** The commitment (64 lower-case hex) to already-canonical payload bytes under a 32-byte salt. */
export function privateCommitmentOfBytes(salt: Uint8Array, payloadBytes: Uint8Array): string {
  if (salt.length !== SALT_BYTES) {
    throw new GovernessError(LedgerErrors.badReceipt, {
      field: 'private_commitment',
      problem: `salt is ${salt.length} bytes, must be ${SALT_BYTES}`,
    });
  }
  return createHash('sha256').update(DOMAIN_BYTES).update(salt).update(payloadBytes).digest('hex');
}

/** The commitment (64 lower-case hex) to a private payload under a 32-byte salt. */
export function privateCommitment(
  salt: Uint8Array,
  payload: PrivatePayload,
  options?: ReceiptOptions,
): string {
  return privateCommitmentOfBytes(salt, privatePayloadBytes(payload, options));
}

/**
 * Null when a stored salt and payload reproduce `commitment`, else what is wrong: this is how a changed private
 * row is detected (by Ledger.readPrivate and by database verification).
 */
export function privateRowProblem(salt: Uint8Array, payload: Uint8Array, commitment: string): string | null {
  let actual: string;
  try {
    actual = privateCommitmentOfBytes(salt, payload);
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  return actual === commitment
    ? null
    : "salt and payload do not reproduce the receipt's private_commitment (the private row was changed)";
}
