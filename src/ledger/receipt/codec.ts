// Receipt bytes: the stored form of a receipt is exactly its RFC 8785 canonical UTF-8 text, and only such bytes
// are read back. The leaf hash of the global log is SHA-256(0x00 ‖ these bytes) (RFC 6962 §2.1).
import { GovernessError, LedgerErrors } from '../../errors/index.js';
import { assertStringifyUnhooked } from '../canonical/canonicalize.js';
import { checkSlowly, decodeUtf8Strict, parseJson } from '../canonical/parse-canonical.js';
import type { Receipt, ReceiptOptions } from './types.js';
import { checkReceipt, isValidatedReceipt, validateReceipt } from './validate.js';

/**
 * The canonical bytes of a receipt. The receipt is validated first (unless it is already a copy made by
 * validateReceipt or sealReceipt); the validated copy has its members in RFC 8785 order and only well-formed
 * strings and safe integers, so JSON.stringify of it is the canonical text.
 */
export function encodeReceipt(receipt: Receipt, options?: ReceiptOptions): Uint8Array {
  return Buffer.from(receiptText(receipt, options), 'utf8');
}

/** The canonical text of a receipt, validated as encodeReceipt does: its stored bytes are this text in UTF-8. */
export function receiptText(receipt: Receipt, options?: ReceiptOptions): string {
  const valid = isValidatedReceipt(receipt) ? receipt : validateReceipt(receipt, options);
  assertStringifyUnhooked();
  return JSON.stringify(valid);
}

/**
 * Reads stored receipt bytes: strict UTF-8, JSON, canonical (RFC 8785), schema v1, every field valid. Errors name
 * `where` (e.g. `line 12` or `receipt 0193…`): `GOV_NOT_CANONICAL`, `GOV_RECEIPT_SCHEMA`, `GOV_RECEIPT_INVALID`
 * or `GOV_RECEIPT_TOO_LARGE`.
 */
export function decodeReceipt(bytes: Uint8Array, where: string, options: ReceiptOptions = {}): Receipt {
  const text = decodeUtf8Strict(bytes, where);
  const value = parseJson(text, where);
  assertStringifyUnhooked();
  let receipt: Receipt;
  try {
    receipt = checkReceipt(value, {
      maxMetadataBytes: options.maxMetadataBytes,
      maxPrivateBytes: options.maxPrivateBytes,
      where,
    });
  } catch (err) {
    // Bytes that are not canonical are reported as such first, whatever else is wrong with them.
    checkSlowly(bytes, text, value, where);
    throw locate(err, where);
  }
  // The validated copy serializes canonically (see encodeReceipt), so comparing its text with the input is the
  // RFC 8785 check: any other spelling, key order, duplicate member or escape makes the texts differ.
  if (JSON.stringify(receipt) !== text) {
    checkSlowly(bytes, text, value, where);
    throw new GovernessError(LedgerErrors.notCanonical, {
      where,
      problem: 'bytes differ from the re-encoded receipt',
    });
  }
  return receipt;
}

/** Adds `where` to a field error so that a message read from a log names the line or receipt. */
function locate(err: unknown, where: string): unknown {
  if (GovernessError.is(err, LedgerErrors.badReceipt)) {
    const { field, problem } = err.details;
    return new GovernessError(
      LedgerErrors.badReceipt,
      { field, problem: `${String(problem)} (in ${where})` },
      { cause: err },
    );
  }
  if (GovernessError.is(err, LedgerErrors.receiptTooLarge)) {
    const { field, size, limit } = err.details;
    return new GovernessError(
      LedgerErrors.receiptTooLarge,
      { field: `${String(field)} (in ${where})`, size, limit },
      { cause: err },
    );
  }
  return err;
}
