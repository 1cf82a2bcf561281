// Receipt v1: types, validation, sealing, canonical bytes, timestamps, UUIDv7 ids, private commitments, erasure.
export {
  RECEIPT_SCHEMA,
  GENESIS_PREV,
  EVENT_TYPES,
  DEFAULT_MAX_METADATA_BYTES,
  DEFAULT_MAX_PRIVATE_BYTES,
  type EventType,
  type ReceiptStatus,
  type MetadataValue,
  type ReceiptMetadata,
  type ReceiptEvent,
  type ReceiptReason,
  type ReceiptCause,
  type PrivatePayload,
  type Receipt,
  type ReceiptDraft,
  type ReceiptSeal,
  type ReceiptOptions,
} from './types.js';
export { validateReceipt, type ValidateReceiptOptions } from './validate.js';
export { validateDraft } from './draft.js';
export { ledgerId } from './parts.js';
export { sealReceipt } from './seal.js';
export { encodeReceipt, decodeReceipt, receiptText } from './codec.js';
export { formatTimestamp, parseTimestamp, TimestampSequencer, MAX_TIMESTAMP_MS } from './timestamp.js';
export {
  Uuidv7Generator,
  uuidv7Timestamp,
  UUIDV7_PATTERN,
  MAX_UUIDV7_MS,
  type Uuidv7Options,
} from './uuidv7.js';
export {
  newSalt,
  privateCommitment,
  privateCommitmentOfBytes,
  privatePayloadBytes,
  privateRowProblem,
  PRIVATE_COMMITMENT_DOMAIN,
  SALT_BYTES,
} from './private-commitment.js';
export {
  ERASURE_EVENT,
  DEFAULT_ERASURE_REASON,
  ERASURE_REASON_MESSAGE,
  erasureDraft,
  erasureKey,
  erasureTarget,
  isErasure,
  refuseErasureEvent,
  type ErasureRequest,
  type ErasureTarget,
} from './erasure.js';
