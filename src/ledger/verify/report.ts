// The machine-readable result of `governess verify` (printed as JSON; the exit code is 0 only when ok).
import type { VerifyFailure } from './log-verifier.js';

/** What a verification found. */
export interface VerifyReport {
  /** True when nothing failed. */
  readonly ok: boolean;
  /** Receipts checked. */
  readonly receipts: number;
  /** Distinct ledgers seen. */
  readonly ledgers: number;
  /** Size of the recomputed tree. */
  readonly tree_size: number;
  /** Recomputed Merkle root (hex). */
  readonly root: string | null;
  /** Size of the checkpoint the root was compared with. */
  readonly checkpoint_size: number | null;
  /** Receipts carrying a private commitment. */
  readonly with_private: number;
  /** Erasure receipts: private payloads erased, with the receipts and proofs left intact. */
  readonly redacted: number;
  /** The first broken place, or null. */
  readonly first_failure: VerifyFailure | null;
  /** Every failure found (bounded). */
  readonly failures: readonly VerifyFailure[];
  /** Things the reader should know (e.g. where the key came from). */
  readonly notes: readonly string[];
}
