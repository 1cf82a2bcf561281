// Verifies a ledger database in place: streams the stored receipts through LogVerifier, checks their private
// rows against the commitments and the erasure receipts (private-rows.ts), the stored log state, the latest
// stored checkpoint (signature and root), and optionally a trusted (anchored) checkpoint.
// A truncated or rolled-back database is caught by the trusted checkpoint; an edited one by the chains and root.
// With a saved state it is incremental: the latest checkpoint must be consistent with the saved one (a
// consistency proof built from the stored tiles), and only the receipts after the saved size are read; so are
// only their private rows, plus the rows of receipts erased since (docs/ledger/verification.md).
// A damaged database (or a raw driver error while reading) becomes a GOV_STORE_CORRUPT failure naming it; a
// database that cannot be reached (GOV_STORE_FAILED) is thrown, since nothing was judged.
import { GovernessError, LedgerErrors } from '../../errors/index.js';
import { openCheckpoint, type Checkpoint, type NoteVerifier } from '../checkpoint/index.js';
import { consistencyProof, hashToHex, hashesEqual, verifyConsistency, type Hash } from '../merkle/index.js';
import { PostgresStore } from '../store/postgres-store.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { storeHashReader } from '../store/tile-source.js';
import type { LedgerStore, StoredCheckpoint, StoredLogState, StoredRecords } from '../store/types.js';
import { chunkOfPacked, type PackedRecords } from './check-batch.js';
import { CheckPipeline, startCheckPool, type RecordChunk } from './check-pipeline.js';
import type { CheckPool } from './check-pool.js';
import { LogVerifier } from './log-verifier.js';
import type { RecordCheck } from './record-check.js';
import { PrivateRowCheck, type CommittedReceipt } from './private-rows.js';
import type { VerifyOutcome, VerifyRunOptions } from './report.js';
import { resumeFrom, snapshot, stateAt, type Resume, type StateSnapshot } from './resume.js';
import { sqliteFileProblem } from './sqlite-file-check.js';

/** Inputs of a database verification. */
export interface VerifyStoreOptions extends VerifyRunOptions {
  /** The log's verifier keys (trusted by the caller). */
  readonly keys: readonly NoteVerifier[];
  /** Receipts read per query (default 10,000). */
  readonly chunk?: number;
  /** Names the database in failures (default: the SQLite file path, else the store kind). */
  readonly name?: string;
  /**
   * Run SQLite's `PRAGMA quick_check` before the walk (default true). false is faster and weaker: damage in pages
   * the walk does not read (indexes, tiles) goes unnoticed; the receipts themselves are still fully checked.
   */
  readonly quickCheck?: boolean;
}

const INCONSISTENT = LedgerErrors.inconsistent.code;
const CORRUPT = LedgerErrors.storeCorrupt.code;

/**
 * Verifies `store` (opened here; the caller closes it). A broken log is reported, never thrown. Thrown: a `state`
 * that does not belong to these keys or proves itself wrong (GOV_VERIFY_STATE_INVALID), and a database that
 * cannot be reached (GOV_STORE_FAILED).
 */
export async function verifyStore(store: LedgerStore, options: VerifyStoreOptions): Promise<VerifyOutcome> {
  const resume = options.state === undefined ? null : resumeFrom(options.state, options.keys, 'verify state');
  const run = new StoreRun(store, options, resume);
  try {
    await run.verify();
  } catch (err) {
    if (GovernessError.is(err, LedgerErrors.badVerifyState)) throw err;
    // A database that stops answering (GOV_STORE_FAILED) is not a verdict on the log either.
    if (GovernessError.is(err, LedgerErrors.storeFailed)) throw err;
    // A store that fails while being read (a damaged page, a lost connection) is named, never a raw driver error.
    run.v.fail(run.name, message(err), GovernessError.is(err) ? err.code : CORRUPT);
  } finally {
    await run.pool?.close();
  }
  return run.outcome();
}

/** One verification of one store: the steps share the verifier, the checkpoints and the snapshot. */
class StoreRun {
  readonly v: LogVerifier;
  readonly name: string;
  private readonly notes: string[] = [];
  private readonly begin: number;
  private cp: Checkpoint | null = null;
  private cpNote: string | null = null;
  private atCheckpoint: StateSnapshot | null = null;
  /** Worker threads started as soon as the log's size is known, until the walk's pipeline takes them over. */
  pool: CheckPool | null | undefined;

  constructor(
    private readonly store: LedgerStore,
    private readonly options: VerifyStoreOptions,
    private readonly resume: Resume | null,
  ) {
    this.v = new LogVerifier(resume?.verifier, 100, options.receipt ?? {});
    this.name =
      options.name ??
      (store instanceof SqliteStore
        ? store.path
        : store instanceof PostgresStore
          ? `postgres schema ${store.schema}`
          : `${store.kind} database`);
    this.begin = resume?.verifier.size ?? 0;
  }

  async verify(): Promise<void> {
    const stored = await this.open();
    if (stored === null) return;
    const trusted = this.openTrusted();
    if (trusted === undefined) return;
    await this.openLatest();
    if (this.resume !== null && !(await this.consistentWithSaved(stored))) return;
    const rootAt = (size: number | undefined): Hash | null => (size === this.v.size ? this.v.root() : null);
    let trustedRoot = rootAt(trusted?.size);
    let cpRoot = rootAt(this.cp?.size);
    this.capture();
    const privateRows = new PrivateRowCheck(this.store, this.v, this.begin);
    const linkChunk = async (checks: Iterable<RecordCheck>, chunk: RowChunk): Promise<void> => {
      const committed: CommittedReceipt[] = [];
      let i = 0;
      for (const check of checks) {
        const index = chunk.indexes[i]!;
        const r = this.v.link(index, check, chunk.where(i));
        if (r?.commitment !== undefined) committed.push({ index, commitment: r.commitment });
        trustedRoot ??= rootAt(trusted?.size);
        cpRoot ??= rootAt(this.cp?.size);
        this.capture();
        i++;
      }
      await privateRows.check(committed);
    };
    await using pipeline = new CheckPipeline(
      this.options.receipt ?? {},
      linkChunk,
      this.takePool(stored.size),
    );
    const chunk = this.options.chunk ?? 10_000;
    for (let i = this.begin; ; i += chunk) {
      // Read while the workers check the chunks before this one.
      const records = await this.store.readRecords(i, i + chunk);
      await pipeline.push(new RowChunk(records));
      if (records.indexes.length < chunk) break;
    }
    await pipeline.drain();
    await privateRows.finish();
    this.noteRedactions();
    const v = this.v;
    if (stored.size !== v.size) v.fail('log state', `says ${stored.size} receipts, ${v.size} are stored`);
    const cp = this.cp;
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
    if (trusted !== null) await this.checkTrusted(trusted, trustedRoot);
  }

  /** Opens the store (a SQLite file is checked read-only first); null when it cannot be read. */
  private async open(): Promise<StoredLogState | null> {
    if (this.store instanceof SqliteStore && this.store.path !== ':memory:') {
      // The workers load while PRAGMA quick_check reads the file.
      const problem = sqliteFileProblem(this.store.path, this.options.quickCheck ?? true, (size) =>
        this.startPool(size),
      );
      if (problem !== null) {
        this.v.fail(this.name, problem, CORRUPT);
        return null;
      }
    }
    try {
      return await this.store.open();
    } catch (err) {
      // A database that cannot be reached is not a verdict on the log: the caller gets the error (CLI exit 2).
      if (GovernessError.is(err, LedgerErrors.storeFailed)) throw err;
      this.v.fail(this.name, message(err), GovernessError.is(err) ? err.code : CORRUPT);
      return null;
    }
  }

  private startPool(size: number): void {
    this.pool ??= startCheckPool(this.options.receipt ?? {}, this.options.workers, size - this.begin);
  }

  /** The pool for the walk's pipeline (which closes it), started now if it was not yet. */
  private takePool(size: number): CheckPool | null {
    this.startPool(size);
    const pool = this.pool!;
    this.pool = null;
    return pool;
  }

  /** The trusted checkpoint, null when none was given, undefined when it does not verify (failure recorded). */
  private openTrusted(): Checkpoint | null | undefined {
    if (this.options.trusted === undefined) return null;
    try {
      return openCheckpoint(this.options.trusted, this.options.keys, { where: 'trusted checkpoint' })
        .checkpoint;
    } catch (err) {
      this.v.fail('trusted checkpoint', message(err), codeOf(err));
      return undefined;
    }
  }

  private async openLatest(): Promise<void> {
    const latest: StoredCheckpoint | null = await this.store.latestCheckpoint();
    if (latest === null) {
      this.notes.push('no checkpoint stored yet: the root is not covered by a signature');
      return;
    }
    const where = `stored checkpoint ${latest.size}`;
    const origin = this.resume === null ? undefined : this.options.state?.origin;
    const firstLine = latest.note.slice(0, latest.note.indexOf('\n'));
    if (origin !== undefined && firstLine !== origin) {
      throw new GovernessError(LedgerErrors.badVerifyState, {
        where: 'verify state',
        problem: `it was saved for the log ${JSON.stringify(origin)}, this database holds the log ${JSON.stringify(firstLine)}`,
      });
    }
    try {
      this.cp = openCheckpoint(latest.note, this.options.keys, {
        where,
        ...(origin === undefined ? {} : { expectedOrigin: origin }),
      }).checkpoint;
      this.cpNote = latest.note;
    } catch (err) {
      this.v.fail(where, message(err), codeOf(err));
    }
  }

  /**
   * Incremental mode: the database still holds at least the saved receipts, and its latest checkpoint extends
   * the saved one (RFC 9162 consistency proof from the stored tiles). False when not (failure recorded).
   */
  private async consistentWithSaved(stored: StoredLogState): Promise<boolean> {
    const saved = this.resume!.checkpoint;
    const v = this.v;
    if (stored.size < saved.size) {
      v.fail(
        'log state',
        `the database holds ${stored.size} receipts, fewer than the ${saved.size} verified by the saved state: it was truncated or restored from an older copy`,
        INCONSISTENT,
      );
      return false;
    }
    const cp = this.cp;
    if (cp === null) {
      if (v.ok) {
        v.fail(
          'stored checkpoints',
          `none is stored, the saved state ended at a checkpoint of size ${saved.size}: checkpoints were removed`,
          INCONSISTENT,
        );
      }
      return false;
    }
    if (cp.size < saved.size) {
      v.fail(
        `stored checkpoint ${cp.size}`,
        `is the latest, older than the saved state's checkpoint of size ${saved.size}: checkpoints were removed or the database restored from an older copy`,
        INCONSISTENT,
      );
      return false;
    }
    if (saved.size === 0) return true;
    const proof = await consistencyProof(saved.size, cp.size, storeHashReader(this.store, cp.size));
    try {
      verifyConsistency(saved.size, cp.size, proof, saved.rootHash, cp.rootHash);
    } catch (err) {
      v.fail(
        `stored checkpoint ${cp.size}`,
        `is not consistent with the saved state's checkpoint of size ${saved.size}: the log was rewritten (${message(err)})`,
        INCONSISTENT,
      );
      return false;
    }
    return true;
  }

  /** A trusted checkpoint inside the part a saved state covers is checked by a consistency proof instead. */
  private async checkTrusted(trusted: Checkpoint, trustedRoot: Hash | null): Promise<void> {
    const v = this.v;
    if (trusted.size > v.size) {
      v.fail(
        'trusted checkpoint',
        `covers ${trusted.size} receipts, the database holds ${v.size}: it was truncated or restored from an older copy`,
      );
    } else if (trustedRoot !== null) {
      if (!hashesEqual(trustedRoot, trusted.rootHash)) {
        v.fail(
          'trusted checkpoint',
          `the first ${trusted.size} stored receipts do not match the trusted root: history was rewritten`,
        );
      }
    } else if (this.cp !== null && trusted.size > 0 && trusted.size <= this.cp.size) {
      const proof = await consistencyProof(
        trusted.size,
        this.cp.size,
        storeHashReader(this.store, this.cp.size),
      );
      try {
        verifyConsistency(trusted.size, this.cp.size, proof, trusted.rootHash, this.cp.rootHash);
      } catch (err) {
        v.fail(
          'trusted checkpoint',
          `not consistent with the stored checkpoint ${this.cp.size}: history was rewritten (${message(err)})`,
          INCONSISTENT,
        );
      }
    }
  }

  /** Incremental mode: which private rows were not read again, and the erasures so far. */
  private noteRedactions(): void {
    if (this.resume === null) return;
    const v = this.v;
    let unread = 0;
    for (const index of v.unerased().keys()) {
      // Ascending log index: the saved ones come first.
      if (index >= this.begin) break;
      unread++;
    }
    if (unread > 0) {
      this.notes.push(
        `incremental: the private rows of ${unread} receipt(s) before index ${this.begin} were checked by an earlier run, not read again (--full reads them all)`,
      );
    }
    if (v.erased().size !== v.redacted) {
      this.notes.push(`redacted: ${v.redacted} in this run, ${v.erased().size} in the whole log`);
    }
  }

  /** Snapshots the verifier when it stands exactly at the latest checkpoint (where a saved state ends). */
  private capture(): void {
    if (this.atCheckpoint === null && this.cp !== null && this.v.size === this.cp.size) {
      this.atCheckpoint = snapshot(this.v);
    }
  }

  outcome(): VerifyOutcome {
    const v = this.v;
    const state =
      v.ok && this.cpNote !== null && this.atCheckpoint !== null
        ? stateAt(this.cpNote, this.options.keys, this.atCheckpoint)
        : null;
    return {
      ok: v.ok,
      mode: this.resume === null ? 'full' : 'incremental',
      from: this.begin,
      to: v.size,
      receipts: v.checked,
      ledgers: v.ledgersSeen.size,
      tree_size: v.size,
      root: hashToHex(v.root()),
      checkpoint_size: this.cp?.size ?? null,
      with_private: v.withPrivate,
      redacted: v.redacted,
      first_failure: v.failures[0] ?? null,
      failures: v.failures,
      notes: this.notes,
      state,
    };
  }
}

/** Records read by one readRecords, named by their log index. */
class RowChunk implements RecordChunk {
  readonly packed: PackedRecords;
  readonly indexes: Float64Array;

  constructor(records: StoredRecords) {
    this.packed = chunkOfPacked(records.packed);
    this.indexes = records.indexes;
  }

  readonly where = (i: number): string => `receipt index ${this.indexes[i]}`;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function codeOf(err: unknown): string | undefined {
  return err instanceof GovernessError ? err.code : undefined;
}
