import { defineErrors } from './governess-error.js';

/** Errors raised by the receipt ledger: receipt format, proofs, checkpoints, keys, stores and verification. */
export const LedgerErrors = defineErrors({
  badReceipt: {
    code: 'GOV_RECEIPT_INVALID',
    message: 'invalid receipt field {field}: {problem}',
    status: 400,
  },
  receiptTooLarge: {
    code: 'GOV_RECEIPT_TOO_LARGE',
    message: 'receipt field {field} is {size} bytes, over the {limit}-byte limit',
    status: 413,
  },
  unknownSchema: {
    code: 'GOV_RECEIPT_SCHEMA',
    message: 'unknown receipt schema {schema} at {where}',
    status: 422,
  },
  notCanonical: {
    code: 'GOV_NOT_CANONICAL',
    message: 'bytes at {where} are not canonical JSON (RFC 8785): {problem}',
    status: 422,
  },
  badProof: { code: 'GOV_PROOF_INVALID', message: 'invalid proof {where}: {problem}', status: 422 },
  badCheckpoint: {
    code: 'GOV_CHECKPOINT_INVALID',
    message: 'invalid checkpoint {where}: {problem}',
    status: 422,
  },
  badKey: { code: 'GOV_KEY_INVALID', message: 'invalid key {where}: {problem}', status: 400 },
  badSignature: {
    code: 'GOV_SIGNATURE_INVALID',
    message: 'signature check failed for {where}: {problem}',
    status: 422,
  },
  inconsistent: {
    code: 'GOV_LOG_INCONSISTENT',
    message: 'tree of size {size} is not consistent with the earlier tree of size {earlier}: {problem}',
    status: 409,
  },
  storeFailed: { code: 'GOV_STORE_FAILED', message: 'ledger store {store}: {problem}', status: 503 },
  logMoved: {
    code: 'GOV_LOG_MOVED',
    message:
      'ledger store {store}: the log is not at size {size}, where this batch goes; nothing of it was written',
    status: 409,
  },
  storeConflict: {
    code: 'GOV_STORE_CONFLICT',
    message: 'side table {table} row {key}: expected {column} {expected}, found {found}',
    status: 409,
  },
  storeCorrupt: {
    code: 'GOV_STORE_CORRUPT',
    message: 'stored ledger data is corrupt at {where}: {problem}',
    status: 500,
  },
  appendFailed: { code: 'GOV_APPEND_FAILED', message: 'append failed: {problem}', status: 503 },
  verifyFailed: {
    code: 'GOV_VERIFY_FAILED',
    message: 'verification failed at {where}: {problem}',
    status: 422,
  },
  badExport: { code: 'GOV_EXPORT_INVALID', message: 'invalid export {where}: {problem}', status: 422 },
  badVerifyState: {
    code: 'GOV_VERIFY_STATE_INVALID',
    message: 'cannot resume verification from {where}: {problem}',
    status: 422,
  },
  receiptNotFound: { code: 'GOV_RECEIPT_NOT_FOUND', message: 'no receipt {receipt_id}', status: 404 },
  eraseRefused: {
    code: 'GOV_ERASE_REFUSED',
    message: 'cannot erase the private payload of receipt {receipt_id}: {problem}',
    status: 409,
  },
});
