// The database half of redaction checks (an export has no private rows): every private row still stored must
// reproduce its receipt's private_commitment from its salt and payload, every erased receipt must have no row
// left, and a row may only be missing when an erasure receipt names it — a payload deleted outside Ledger.erase
// has no record, and is reported. An incremental run (from > 0) checks the rows of the receipts it reads and
// of the receipts erased by the erasure receipts it reads; rows checked by an earlier run are not read again.
import { privateRowProblem } from '../receipt/index.js';
import type { LedgerStore } from '../store/types.js';
import type { LogVerifier } from './log-verifier.js';

/** A receipt with a private commitment, by log index. */
export interface CommittedReceipt {
  readonly index: number;
  readonly commitment: string;
}

/** Private rows read at once (one query each; PostgreSQL spreads them over its read pool). */
const PARALLEL_READS = 32;

/** Checks a store's private rows during a verification pass; failures go to the verifier. */
export class PrivateRowCheck {
  private readonly missing = new Set<number>();

  /** `from`: the first log index this run reads; erasures by erasure receipts before it were checked earlier. */
  constructor(
    private readonly store: LedgerStore,
    private readonly verifier: LogVerifier,
    private readonly from = 0,
  ) {}

  /** Checks the rows of receipts seen in one chunk of the pass. */
  async check(receipts: readonly CommittedReceipt[]): Promise<void> {
    for (let i = 0; i < receipts.length; i += PARALLEL_READS) {
      const group = receipts.slice(i, i + PARALLEL_READS);
      const rows = await Promise.all(group.map((r) => this.store.readPrivate(r.index)));
      group.forEach((r, k) => {
        const row = rows[k];
        if (row === null || row === undefined) {
          this.missing.add(r.index);
          return;
        }
        const problem = privateRowProblem(row.salt, row.payload, r.commitment);
        if (problem !== null) this.verifier.fail(where(r.index), problem);
      });
    }
  }

  /** After the pass, once every erasure receipt is known. */
  async finish(): Promise<void> {
    for (const [index, by] of this.verifier.erased()) {
      if (by < this.from) continue;
      if (this.missing.delete(index)) continue;
      // Read again: the row may have been seen before an erasure committed during the pass.
      if ((await this.store.readPrivate(index)) !== null) {
        this.verifier.fail(
          where(index),
          `still stored, although the erasure receipt at index ${by} erased it`,
        );
      }
    }
    for (const index of this.missing) {
      this.verifier.fail(
        where(index),
        'missing, and no erasure receipt names it (deleted outside Ledger.erase)',
      );
    }
  }
}

function where(index: number): string {
  return `private payload of receipt index ${index}`;
}
