// Verifies a ledger database in place: streams every stored receipt through LogVerifier, checks every private
// row against its receipt's commitment and against the erasure receipts (private-rows.ts), the stored log
// state, the latest stored checkpoint (signature and root), and optionally a trusted (anchored) checkpoint.
// A truncated or rolled-back database is caught by the trusted checkpoint; an edited one by the chains and root.
import { GovernessError } from '../../errors/index.js';
import { openCheckpoint, type Checkpoint, type NoteVerifier } from '../checkpoint/index.js';
import { hashToHex, hashesEqual, type Hash } from '../merkle/index.js';
import type { LedgerStore } from '../store/types.js';
import { LogVerifier } from './log-verifier.js';
import { PrivateRowCheck, type CommittedReceipt } from './private-rows.js';
import type { VerifyReport } from './report.js';

/** Inputs of a database verification. */
export interface VerifyStoreOptions {
  /** The log's verifier keys (trusted by the caller). */
  readonly keys: readonly NoteVerifier[];
  /** A checkpoint note trusted earlier (e.g. the last one pushed to an anchor). */
  readonly trusted?: string;
  /** Receipts read per query (default 10,000). */
  readonly chunk?: number;
}

/** Verifies everything in `store` (opened here; the caller closes it). */
export async function verifyStore(store: LedgerStore, options: VerifyStoreOptions): Promise<VerifyReport> {
  const v = new LogVerifier();
  const notes: string[] = [];
  let state;
  try {
    state = await store.open();
  } catch (err) {
    v.fail('database', err instanceof Error ? err.message : String(err), codeOf(err));
    return toReport(v, notes, null);
  }
  let trusted: Checkpoint | null = null;
  if (options.trusted !== undefined) {
    try {
      trusted = openCheckpoint(options.trusted, options.keys, { where: 'trusted checkpoint' }).checkpoint;
    } catch (err) {
      v.fail('trusted checkpoint', err instanceof Error ? err.message : String(err), codeOf(err));
      return toReport(v, notes, null);
    }
  }
  const latest = await store.latestCheckpoint();
  let cp: Checkpoint | null = null;
  if (latest === null) {
    notes.push('no checkpoint stored yet: the root is not covered by a signature');
  } else {
    try {
      cp = openCheckpoint(latest.note, options.keys, {
        where: `stored checkpoint ${latest.size}`,
      }).checkpoint;
    } catch (err) {
      v.fail(
        `stored checkpoint ${latest.size}`,
        err instanceof Error ? err.message : String(err),
        codeOf(err),
      );
    }
  }

  // One pass over the receipts, taking the roots at the two checkpoint sizes on the way.
  const chunk = options.chunk ?? 10_000;
  const rootAt = (size: number | undefined): Hash | null => (size === v.size ? v.root() : null);
  let trustedRoot = rootAt(trusted?.size);
  let cpRoot = rootAt(cp?.size);
  const privateRows = new PrivateRowCheck(store, v);
  for (let i = 0; ; i += chunk) {
    const rows = await store.readRange(i, i + chunk);
    const committed: CommittedReceipt[] = [];
    for (const e of rows) {
      const r = v.add(e.index, e.bytes, `receipt index ${e.index}`);
      if (r?.private_commitment !== undefined) {
        committed.push({ index: e.index, commitment: r.private_commitment });
      }
      trustedRoot ??= rootAt(trusted?.size);
      cpRoot ??= rootAt(cp?.size);
    }
    await privateRows.check(committed);
    if (rows.length < chunk) break;
  }
  await privateRows.finish();
  if (state.size !== v.size) v.fail('log state', `says ${state.size} receipts, ${v.size} are stored`);

  if (cp !== null && cp.size > v.size) {
    v.fail(
      `stored checkpoint ${cp.size}`,
      `covers ${cp.size} receipts, only ${v.size} are stored: receipts were removed`,
    );
  }
  if (cp !== null && cpRoot !== null && !hashesEqual(cpRoot, cp.rootHash)) {
    v.fail(
      `stored checkpoint ${cp.size}`,
      `signed root ${hashToHex(cp.rootHash)} differs from the stored receipts' root ${hashToHex(cpRoot)}`,
    );
  }
  if (trusted !== null) {
    if (trusted.size > v.size) {
      v.fail(
        'trusted checkpoint',
        `covers ${trusted.size} receipts, the database holds ${v.size}: it was truncated or restored from an older copy`,
      );
    } else if (trustedRoot !== null && !hashesEqual(trustedRoot, trusted.rootHash)) {
      v.fail(
        'trusted checkpoint',
        `the first ${trusted.size} stored receipts do not match the trusted root: history was rewritten`,
      );
    }
  }
  return toReport(v, notes, cp);
}

function toReport(v: LogVerifier, notes: string[], cp: Checkpoint | null): VerifyReport {
  return {
    ok: v.ok,
    receipts: v.checked,
    ledgers: v.ledgersSeen.size,
    tree_size: v.size,
    root: hashToHex(v.root()),
    checkpoint_size: cp?.size ?? null,
    with_private: v.withPrivate,
    redacted: v.redacted,
    first_failure: v.failures[0] ?? null,
    failures: v.failures,
    notes,
  };
}

function codeOf(err: unknown): string | undefined {
  return err instanceof GovernessError ? err.code : undefined;
}
