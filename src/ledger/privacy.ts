// Private payloads after they were written: reading one back (checked against the receipt's commitment, so a
// changed private row is caught) and erasing one. Erasure appends an erasure receipt to the erased receipt's own
// ledger with `erase: [index]`, so the deletion of salt and payload and the receipt that records it commit in ONE
// transaction; its idempotency key `erase:<receipt_id>` makes a repeated erasure return the first one through the
// ledger's ordinary idempotency check (docs/ledger/receipt-format.md, "Erasure receipts").
import { GovernessError, LedgerErrors } from '../errors/index.js';
import {
  decodeReceipt,
  erasureDraft,
  erasureKey,
  erasureTarget,
  isErasure,
  privateRowProblem,
  type PrivatePayload,
  type Receipt,
  type ReceiptDraft,
  type ReceiptOptions,
} from './receipt/index.js';
import type { AppendAck, AppendOptions } from './sequencer.js';
import type { LedgerStore, StoredEntry } from './store/types.js';

/** Who erases and why; nothing here may be personal data. */
export interface EraseOptions {
  /** Pseudonymous id of who asked for the erasure, or null. */
  readonly actor: string | null;
  /** A reason code such as `gdpr.art17` (pattern of `reason.code`; not free text). Default `erasure.requested`. */
  readonly reason?: string;
  /** Request id of the API call, if any. */
  readonly requestId?: string | null;
}

/** What `readPrivate` found beside a receipt. */
export type PrivateRead =
  | {
      readonly status: 'present';
      /** The payload as the draft gave it (parsed from its stored RFC 8785 bytes). */
      readonly payload: PrivatePayload;
      /** The 32-byte salt of the commitment. */
      readonly salt: Uint8Array;
    }
  | {
      readonly status: 'erased';
      /** The erasure receipt and its log index. */
      readonly erasure: { readonly receipt: Receipt; readonly index: number };
    }
  | { readonly status: 'none' };

/** What the privacy operations need from the ledger. */
export interface PrivacyContext {
  readonly store: LedgerStore;
  readonly receiptOptions: ReceiptOptions;
  /** Appends (and announces the commit to followers). */
  append(draft: ReceiptDraft, options: AppendOptions): Promise<AppendAck>;
  /** Waits until everything appended so far is committed. */
  flush(): Promise<void>;
}

/**
 * Erases the private payload of `receiptId` (see the file comment). Refuses an unknown receipt
 * (GOV_RECEIPT_NOT_FOUND) and one without a private_commitment (GOV_ERASE_REFUSED); an already erased one
 * resolves with its existing erasure receipt and `duplicate: true`.
 */
export async function eraseReceipt(
  ctx: PrivacyContext,
  receiptId: string,
  options: EraseOptions,
): Promise<AppendAck> {
  const { entry, receipt } = await findReceipt(ctx, receiptId);
  if (receipt.private_commitment === undefined) {
    throw refused(receiptId, 'it has no private payload (no private_commitment)');
  }
  // The erasure keeps the ledger's state: the writer seals it as the ledger head's state_to (`keepState`), so a
  // receipt appended to the same ledger meanwhile cannot make it stale; the erased receipt's state stands in
  // until then.
  const draft = erasureDraft({
    erased: receipt,
    erasedIndex: entry.index,
    state: receipt.state_to,
    actor: options.actor,
    ...(options.reason === undefined ? {} : { reason: options.reason }),
    ...(options.requestId === undefined ? {} : { requestId: options.requestId }),
  });
  const ack = await ctx.append(draft, { erase: [entry.index], keepState: true });
  if (ack.duplicate && !namesIndex(ack.receipt, entry.index)) {
    throw refused(
      receiptId,
      `its erasure key ${erasureKey(receiptId)} was already used by receipt index ${ack.index}, which is not its erasure`,
    );
  }
  return ack;
}

/**
 * The private payload of `receiptId`, checked against the receipt's commitment; `erased` with the erasure
 * receipt once erased; `none` when the receipt never had one. Throws GOV_RECEIPT_NOT_FOUND for an unknown receipt
 * and GOV_STORE_CORRUPT when the stored salt and payload do not match the commitment, or the payload is gone
 * without an erasure receipt.
 */
export async function readPrivatePayload(ctx: PrivacyContext, receiptId: string): Promise<PrivateRead> {
  const { entry, receipt } = await findReceipt(ctx, receiptId);
  const commitment = receipt.private_commitment;
  if (commitment === undefined) return { status: 'none' };
  const where = `private payload of receipt index ${entry.index}`;
  // The row first, then the erasure receipt: both change in one transaction, so a missing row means the
  // erasure receipt is already visible.
  const row = await ctx.store.readPrivate(entry.index);
  if (row === null) {
    const erasureEntry = await ctx.store.findByIdempotencyKey(receipt.ledger, erasureKey(receiptId));
    if (erasureEntry !== null) {
      const erasure = decode(ctx, erasureEntry);
      if (namesIndex(erasure, entry.index)) {
        return { status: 'erased', erasure: { receipt: erasure, index: erasureEntry.index } };
      }
    }
    throw new GovernessError(LedgerErrors.storeCorrupt, {
      where,
      problem: 'the payload is missing and no erasure receipt names it',
    });
  }
  const problem = privateRowProblem(row.salt, row.payload, commitment);
  if (problem !== null) throw new GovernessError(LedgerErrors.storeCorrupt, { where, problem });
  const payload = JSON.parse(Buffer.from(row.payload).toString('utf8')) as PrivatePayload;
  return { status: 'present', payload, salt: row.salt };
}

function namesIndex(r: Receipt, index: number): boolean {
  if (!isErasure(r)) return false;
  const target = erasureTarget(r);
  return typeof target !== 'string' && target.index === index;
}

async function findReceipt(
  ctx: PrivacyContext,
  receiptId: string,
): Promise<{ entry: StoredEntry; receipt: Receipt }> {
  const entry = await ctx.store.findByReceiptId(receiptId);
  if (entry === null) throw new GovernessError(LedgerErrors.receiptNotFound, { receipt_id: receiptId });
  return { entry, receipt: decode(ctx, entry) };
}

function decode(ctx: PrivacyContext, e: StoredEntry): Receipt {
  return decodeReceipt(e.bytes, `receipt index ${e.index}`, ctx.receiptOptions);
}

function refused(receiptId: string, problem: string): GovernessError {
  return new GovernessError(LedgerErrors.eraseRefused, { receipt_id: receiptId, problem });
}
