// Receipt v1: the shape of one audited governor transition as stored in the ledger, the draft a governor hands
// in, and the fields the writer assigns when it seals the draft. docs/ledger/receipt-format.md is the byte spec.

/** Value of the `schema` field of every v1 receipt. */
export const RECEIPT_SCHEMA = 'governess.receipt/v1';

/** `prev` of the first receipt of a ledger (`ledger_seq` 1): 64 zeros. */
export const GENESIS_PREV = '0'.repeat(64);

/** Kinds of event that can drive a transition (the gen_statem event types, plus enter and system). */
export const EVENT_TYPES = [
  'call',
  'cast',
  'info',
  'internal',
  'timeout',
  'state_timeout',
  'generic_timeout',
  'enter',
  'system',
] as const;

/** One of EVENT_TYPES. */
export type EventType = (typeof EVENT_TYPES)[number];

/** Outcome of the transition: a refusal is an ordinary receipt with status `refuse`. */
export type ReceiptStatus = 'accept' | 'refuse';

/** A metadata value: integers within ±(2^53−1), strings (decimal amounts as strings), booleans or null. */
export type MetadataValue = number | string | boolean | null;

/** Flat metadata of a receipt; no nesting, no floats. */
export type ReceiptMetadata = Readonly<Record<string, MetadataValue>>;

/** The event that caused the transition. */
export interface ReceiptEvent {
  /** Event type. */
  readonly type: EventType;
  /** Short, non-personal description (≤ 256 UTF-16 code units). */
  readonly summary: string;
}

/** Why the governor accepted or refused. */
export interface ReceiptReason {
  /** Machine-readable code, `[A-Za-z][A-Za-z0-9_.:-]{0,63}`. */
  readonly code: string;
  /** Fixed, non-personal explanation (≤ 1024 code units); free text goes to the private payload. */
  readonly message: string;
}

/** Who or what asked for the transition; each field is a string (≤ 256 code units) or null. */
export interface ReceiptCause {
  /** Request id of the API call, if any. */
  readonly request_id: string | null;
  /** Client idempotency key, if any. */
  readonly idempotency_key: string | null;
  /** Pseudonymous actor id, if any. */
  readonly actor: string | null;
}

/** A private payload stored beside the receipt (free text, personal data); only its salted commitment is hashed. */
export type PrivatePayload = Readonly<Record<string, unknown>>;

/** One stored receipt. Its stored form is exactly its RFC 8785 bytes (`encodeReceipt`). */
export interface Receipt {
  /** Always RECEIPT_SCHEMA. */
  readonly schema: typeof RECEIPT_SCHEMA;
  /** UUIDv7, lower-case 8-4-4-4-12. */
  readonly receipt_id: string;
  /** `<governor>/<sku_id>/<tenant_id>`. */
  readonly ledger: string;
  /** Position in the ledger, gapless from 1. */
  readonly ledger_seq: number;
  /** Leaf hash (64 lower-case hex) of the previous receipt of the ledger; GENESIS_PREV when ledger_seq is 1. */
  readonly prev: string;
  /** RFC 3339 UTC time with milliseconds, e.g. `2026-11-23T10:00:00.000Z`; non-decreasing in the log. */
  readonly ts: string;
  /** Governor kind, `[a-z][a-z0-9_-]{0,31}`. */
  readonly governor: string;
  /** Pseudonymous SKU id, `[A-Za-z0-9._:@-]{1,128}`. */
  readonly sku_id: string;
  /** Pseudonymous tenant id, `[A-Za-z0-9._:@-]{1,128}`. */
  readonly tenant_id: string;
  /** State before the transition (1..256 code units). */
  readonly state_from: string;
  /** State after the transition (1..256 code units; may equal state_from). */
  readonly state_to: string;
  /** The triggering event. */
  readonly event: ReceiptEvent;
  /** Accept or refuse. */
  readonly status: ReceiptStatus;
  /** Reason code and message. */
  readonly reason: ReceiptReason;
  /** Flat metadata (canonical size limited, 16 KiB by default). */
  readonly metadata: ReceiptMetadata;
  /** Request id, idempotency key and actor. */
  readonly cause: ReceiptCause;
  /** Salted SHA-256 commitment to the private payload (64 lower-case hex); absent when there is none. */
  readonly private_commitment?: string;
}

/** What a governor supplies for one transition; the writer seals it into a Receipt. */
export interface ReceiptDraft {
  /** Governor kind. */
  readonly governor: string;
  /** SKU id. */
  readonly sku_id: string;
  /** Tenant id. */
  readonly tenant_id: string;
  /** State before. */
  readonly state_from: string;
  /** State after. */
  readonly state_to: string;
  /** Triggering event. */
  readonly event: ReceiptEvent;
  /** Accept or refuse. */
  readonly status: ReceiptStatus;
  /** Reason. */
  readonly reason: ReceiptReason;
  /** Flat metadata. */
  readonly metadata: ReceiptMetadata;
  /** Cause. */
  readonly cause: ReceiptCause;
  /** Optional private payload: stored beside the receipt with a salt, erasable; never in the receipt itself. */
  readonly private?: PrivatePayload;
}

/** The fields the writer assigns inside its transaction. */
export interface ReceiptSeal {
  /** New UUIDv7 (Uuidv7Generator). */
  readonly receipt_id: string;
  /** Next sequence number of the ledger. */
  readonly ledger_seq: number;
  /** Leaf hash of the ledger's previous receipt, or GENESIS_PREV. */
  readonly prev: string;
  /** Timestamp from TimestampSequencer. */
  readonly ts: string;
}

/** Limits and context for validation and decoding. */
export interface ReceiptOptions {
  /** Largest canonical size of `metadata` in bytes (default 16384). */
  readonly maxMetadataBytes?: number;
  /** Largest canonical size of a draft's private payload in bytes (default 65536). */
  readonly maxPrivateBytes?: number;
}

/** Default limit on the canonical size of `metadata`. */
export const DEFAULT_MAX_METADATA_BYTES = 16384;

/** Default limit on the canonical size of a private payload. */
export const DEFAULT_MAX_PRIVATE_BYTES = 65536;
