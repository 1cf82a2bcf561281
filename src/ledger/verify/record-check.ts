// The order-independent half of verifying one stored record: strict UTF-8, canonical RFC 8785 JSON, a valid v1
// receipt, its leaf hash, and the few facts the order-dependent half (LogVerifier.link) needs. It reads nothing but
// the bytes, so it can run on any thread and on records in any order (docs/ledger/verification.md).
import { GovernessError } from '../../errors/index.js';
import { leafHash, type Hash } from '../merkle/index.js';
import {
  decodeReceipt,
  erasureTarget,
  isErasure,
  parseTimestamp,
  type ErasureTarget,
  type ReceiptOptions,
} from '../receipt/index.js';

/** A record whose bytes are not a canonical, valid receipt: only its leaf goes on. */
export interface BadRecord {
  readonly ok: false;
  readonly leaf: Hash;
  /** The failure exactly as the in-thread check words it (it names `where`). */
  readonly problem: string;
  readonly code: string;
}

/** A valid receipt, reduced to what the link step checks. */
export interface GoodRecord {
  readonly ok: true;
  readonly leaf: Hash;
  readonly ledger: string;
  readonly seq: number;
  /** `prev` as 32 bytes (validation guarantees 64 lower-case hex), compared with a head's leaf bytes. */
  readonly prev: Uint8Array;
  readonly tsMs: number;
  /** `private_commitment`, when the receipt carries one. */
  readonly commitment: string | undefined;
  /** For an erasure receipt, what it names (or what is wrong with it); null for any other receipt. */
  readonly erasure: ErasureTarget | string | null;
}

/** The result of the order-independent check of one record. */
export type RecordCheck = BadRecord | GoodRecord;

/** Checks the bytes of one stored record; `where` names it in a failure (e.g. `receipt index 12`). */
export function checkRecord(bytes: Uint8Array, where: string, options: ReceiptOptions): RecordCheck {
  const leaf = leafHash(bytes);
  try {
    const r = decodeReceipt(bytes, where, options);
    return {
      ok: true,
      leaf,
      ledger: r.ledger,
      seq: r.ledger_seq,
      prev: Buffer.from(r.prev, 'hex'),
      // A valid receipt's ts always parses; 0 keeps the type honest.
      tsMs: parseTimestamp(r.ts) ?? 0,
      commitment: r.private_commitment,
      erasure: isErasure(r) ? erasureTarget(r) : null,
    };
  } catch (err) {
    if (err instanceof GovernessError) return { ok: false, leaf, problem: err.message, code: err.code };
    throw err;
  }
}
