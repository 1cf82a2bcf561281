// The machine-readable result of `governess verify` (printed as JSON; the exit code is 0 only when ok).
import type { ReceiptOptions } from '../receipt/index.js';
import type { VerifyFailure } from './log-verifier.js';
import type { VerifyState } from './state-file.js';

/** The options every verification takes, whatever it reads (an export or a database). */
export interface VerifyRunOptions {
  /** A checkpoint note the caller trusted earlier (anchored); the log must be consistent with it. */
  readonly trusted?: string;
  /** The state saved by an earlier run: check only what was appended since (throws if it does not fit). */
  readonly state?: VerifyState;
  /** Receipt limits the log was written with (LedgerConfig.receipt); default the built-in limits. */
  readonly receipt?: ReceiptOptions;
  /** Worker threads checking records; 0: in-thread; default min(2, cores), in-thread below 20,000 records. */
  readonly workers?: number;
}

/** What a verification found. */
export interface VerifyReport {
  /** True when nothing failed. */
  readonly ok: boolean;
  /** `full`: every receipt from the start; `incremental`: only those after a saved state (`--state`). */
  readonly mode: 'full' | 'incremental';
  /** First log index checked by this run (a saved state's size, or an export's `from`). */
  readonly from: number;
  /** Tree size reached: the receipts before it are verified. */
  readonly to: number;
  /** Receipts checked by this run (from `from` to the end). */
  readonly receipts: number;
  /** Distinct ledgers seen. */
  readonly ledgers: number;
  /** Size of the recomputed tree. */
  readonly tree_size: number;
  /** Recomputed Merkle root (hex). */
  readonly root: string | null;
  /** Size of the checkpoint the root was compared with. */
  readonly checkpoint_size: number | null;
  /** Receipts checked by this run that carry a private commitment. */
  readonly with_private: number;
  /**
   * Erasure receipts checked by this run: private payloads erased, with the receipts and proofs left intact
   * (incremental mode: those after `from`; a note gives the total including the saved state's).
   */
  readonly redacted: number;
  /** The first broken place, or null. */
  readonly first_failure: VerifyFailure | null;
  /** Every failure found (bounded). */
  readonly failures: readonly VerifyFailure[];
  /** Things the reader should know (e.g. where the key came from). */
  readonly notes: readonly string[];
}

/** A report plus the state to save for the next incremental run (null unless the run passed at a checkpoint). */
export interface VerifyOutcome extends VerifyReport {
  /** Not printed: hand it to writeVerifyStateFile, or pass it as `state` to the next verifyStore/verifyExport. */
  readonly state: VerifyState | null;
}

/** The printable report of an outcome (without the state, which can be megabytes of ledger heads). */
export function reportOf(outcome: VerifyOutcome): VerifyReport {
  const { state: _state, ...report } = outcome;
  return report;
}
