// Verifies an export directory without any database: manifest, signed checkpoint, every line of receipts.jsonl
// (canonical bytes, valid receipt, gapless index, chains, ts order), the recomputed Merkle root against the
// checkpoint, the consistency proof from the previous export, and optionally an earlier trusted checkpoint
// (e.g. the last one pushed to an anchor). The report names the first broken place. With a saved state it is
// incremental: the export must start where the state ends, the chains continue from the saved heads, and the
// root is recomputed from the saved frontier, so the signed checkpoint shows the new log extends the old one.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GovernessError, LedgerErrors } from '../../errors/index.js';
import {
  decodeBase64Strict,
  openCheckpoint,
  parseVerifierKey,
  type Checkpoint,
  type NoteVerifier,
} from '../checkpoint/index.js';
import { CompactRange, hashToHex, hashesEqual, verifyConsistency, type Hash } from '../merkle/index.js';
import type { ExportManifest } from '../ledger.js';
import { parseExportManifest } from './export-manifest.js';
import { CHUNK_RECORDS, CheckPipeline, startCheckPool, type RecordChunk } from './check-pipeline.js';
import { LogVerifier } from './log-verifier.js';
import type { PackedRecords } from './check-batch.js';
import type { RecordCheck } from './record-check.js';
import type { VerifyOutcome, VerifyRunOptions } from './report.js';
import { resumeFrom, snapshot, stateAt, type Resume } from './resume.js';
import type { VerifyState } from './state-file.js';

/** Inputs of an export verification. */
export interface VerifyExportOptions extends VerifyRunOptions {
  /** Verifier keys the caller trusts; when absent the manifest's key is used and the report says so. */
  readonly keys?: readonly NoteVerifier[];
  /** Receipt lines per chunk handed to a worker (default 4096). */
  readonly chunk?: number;
}

const INCONSISTENT = LedgerErrors.inconsistent.code;
const BAD_EXPORT = LedgerErrors.badExport.code;

/**
 * Verifies the export in `dir`. A broken export is reported, never thrown; only a `state` that does not belong
 * to this log, key or range throws GOV_VERIFY_STATE_INVALID.
 */
export async function verifyExport(dir: string, options: VerifyExportOptions = {}): Promise<VerifyOutcome> {
  const run = new ExportRun(dir, options);
  await run.verify();
  return run.outcome();
}

/** One verification of one export directory. */
class ExportRun {
  private v: LogVerifier | null = null;
  private readonly early: { where: string; problem: string; code?: string }[] = [];
  private readonly notes: string[] = [];
  private resume: Resume | null = null;
  private keys: readonly NoteVerifier[] = [];
  private from = 0;
  private cp: Checkpoint | null = null;
  private cpNote = '';

  constructor(
    private readonly dir: string,
    private readonly options: VerifyExportOptions,
  ) {}

  async verify(): Promise<void> {
    const manifest = await this.readManifest();
    if (manifest === null) return;
    this.from = manifest.from;
    if (!this.chooseKeys(manifest)) return;
    if (this.options.state !== undefined) this.resume = this.resumeAt(manifest, this.options.state);
    const cp = this.openCheckpoint(manifest);
    if (cp === null) return;
    const trusted = this.openTrusted(manifest, cp);
    if (trusted === undefined) return;
    const v = this.startVerifier(manifest);
    if (v === null) return;

    // The workers load while the file is read.
    const receipt = this.options.receipt ?? {};
    const pool = startCheckPool(receipt, this.options.workers, manifest.to - manifest.from);
    let data: Buffer;
    try {
      data = await readFile(join(this.dir, 'receipts.jsonl'));
    } catch (err) {
      await pool?.close();
      v.fail('receipts.jsonl', `cannot read: ${message(err)}`, BAD_EXPORT);
      return;
    }
    let trustedRoot: Hash | null = trusted !== null && trusted.size === v.size ? v.root() : null;
    const linkChunk = (checks: Iterable<RecordCheck>, chunk: LineChunk): void => {
      let i = 0;
      for (const check of checks) {
        v.link(chunk.first + i, check, chunk.where(i));
        if (trusted !== null && v.size === trusted.size) trustedRoot = v.root();
        i++;
      }
    };
    await using pipeline = new CheckPipeline(receipt, linkChunk, pool);
    const chunkSize = this.options.chunk ?? CHUNK_RECORDS;
    let chunk = new LineChunk(data, manifest.from);
    // A failure of the file's layout must come after the failures of the lines before it, as in log order.
    const failInOrder = async (where: string, problem: string): Promise<void> => {
      await pipeline.push(chunk);
      chunk = new LineChunk(data, chunk.first + chunk.size);
      await pipeline.drain();
      v.fail(where, problem, BAD_EXPORT);
    };
    let start = 0;
    let line = 0;
    while (start < data.length) {
      let end = data.indexOf(0x0a, start);
      line++;
      if (end < 0) {
        await failInOrder(`receipts.jsonl line ${line}`, 'last line has no final newline (file truncated?)');
        end = data.length;
      }
      if (end === start) {
        // A blank line is not a receipt: it is named and skipped, so the lines after it keep their indexes.
        await failInOrder(
          `receipts.jsonl line ${line}`,
          'blank line: every line must hold exactly one receipt',
        );
      } else {
        chunk.add(start, end, line);
        if (chunk.size === chunkSize) {
          await pipeline.push(chunk);
          chunk = new LineChunk(data, chunk.first + chunkSize);
        }
      }
      start = end + 1;
    }
    await pipeline.push(chunk);
    await pipeline.drain();
    v.checkRoot(cp.size, cp.rootHash, 'manifest.json checkpoint');
    if (trusted !== null) this.compareTrusted(trusted, trustedRoot);
    this.checkPrevious(manifest, cp);
    this.noteRedactions(v);
  }

  /** Erasures this run could not check (before a range's start), and in incremental mode the total so far. */
  private noteRedactions(v: LogVerifier): void {
    if (v.erasuresBeforeRange > 0) {
      this.notes.push(
        `${v.erasuresBeforeRange} erasure receipt(s) name receipts before ${this.resume === null ? "this export's start" : "the saved state's range start"} (${this.rangeStart(v)}); those targets were not checked`,
      );
    }
    if (this.resume !== null && v.erased().size !== v.redacted) {
      this.notes.push(
        `redacted: ${v.redacted} in this run, ${v.erased().size} since log index ${this.rangeStart(v)}`,
      );
    }
  }

  /** First log index the verification has seen (a range export's `from`, kept across resumed runs). */
  private rangeStart(v: LogVerifier): number {
    return v.position().start ?? this.from;
  }

  private async readManifest(): Promise<ExportManifest | null> {
    let text: string;
    try {
      text = await readFile(join(this.dir, 'manifest.json'), 'utf8');
    } catch (err) {
      this.early.push({ where: 'manifest.json', problem: `cannot read: ${message(err)}`, code: BAD_EXPORT });
      return null;
    }
    try {
      const parsed = parseExportManifest(text);
      if (parsed.ignored.length > 0) {
        this.notes.push(
          `manifest.json fields not known to this build, ignored: ${parsed.ignored.join(', ')}`,
        );
      }
      return parsed.manifest;
    } catch (err) {
      this.failEarly('manifest.json', err);
      return null;
    }
  }

  private chooseKeys(manifest: ExportManifest): boolean {
    if (this.options.keys !== undefined && this.options.keys.length > 0) {
      this.keys = this.options.keys;
      return true;
    }
    try {
      this.keys = [parseVerifierKey(manifest.verifier_key, 'manifest.json field verifier_key')];
    } catch (err) {
      this.failEarly('manifest.json field verifier_key', err);
      return false;
    }
    this.notes.push('key: taken from the export itself (pass --key to check against a key you trust)');
    return true;
  }

  /** The saved state must be of this log and key, and end exactly where this export starts. */
  private resumeAt(manifest: ExportManifest, state: VerifyState): Resume {
    const bad = (problem: string): GovernessError =>
      new GovernessError(LedgerErrors.badVerifyState, { where: 'verify state', problem });
    if (state.origin !== manifest.origin) {
      throw bad(
        `it was saved for the log ${JSON.stringify(state.origin)}, this export is of ${JSON.stringify(manifest.origin)}`,
      );
    }
    const resume = resumeFrom(state, this.keys, 'verify state');
    if (manifest.from !== resume.checkpoint.size) {
      throw bad(
        `it ends at log index ${resume.checkpoint.size}, this export starts at ${manifest.from}: verify the export that starts at ${resume.checkpoint.size}, or use --full`,
      );
    }
    return resume;
  }

  private openCheckpoint(manifest: ExportManifest): Checkpoint | null {
    try {
      this.cp = openCheckpoint(manifest.checkpoint, this.keys, {
        where: 'manifest.json checkpoint',
        expectedOrigin: manifest.origin,
      }).checkpoint;
      this.cpNote = manifest.checkpoint;
    } catch (err) {
      this.failEarly('manifest.json checkpoint', err);
      return null;
    }
    if (this.cp.size !== manifest.to) {
      this.early.push({
        where: 'manifest.json checkpoint',
        problem: `checkpoint size ${this.cp.size} but the export ends at ${manifest.to}`,
        code: BAD_EXPORT,
      });
      return null;
    }
    return this.cp;
  }

  /** The trusted checkpoint; null when none was given, undefined when it fails (failure recorded). */
  private openTrusted(manifest: ExportManifest, cp: Checkpoint): Checkpoint | null | undefined {
    if (this.options.trusted === undefined) return null;
    let trusted: Checkpoint;
    try {
      trusted = openCheckpoint(this.options.trusted, this.keys, {
        where: 'trusted checkpoint',
        expectedOrigin: manifest.origin,
      }).checkpoint;
    } catch (err) {
      this.failEarly('trusted checkpoint', err);
      return undefined;
    }
    if (trusted.size > cp.size) {
      this.early.push({
        where: 'trusted checkpoint',
        problem: `the trusted checkpoint covers ${trusted.size} receipts but this export's log has only ${cp.size}: the log was truncated or rolled back`,
      });
      return undefined;
    }
    return trusted;
  }

  /** From the saved state, else from the manifest's frontier (a range export) or the empty tree. */
  private startVerifier(manifest: ExportManifest): LogVerifier | null {
    const receipt = this.options.receipt ?? {};
    if (this.resume !== null) {
      this.v = new LogVerifier(this.resume.verifier, 100, receipt);
      if (manifest.frontier_at_from !== '' && manifest.frontier_at_from !== this.resume.verifier.frontier) {
        this.v.fail(
          'manifest.json field frontier_at_from',
          "differs from the saved state's frontier at the same size: the log before this export was rewritten",
          INCONSISTENT,
        );
      }
      return this.v;
    }
    if (manifest.from === 0) {
      this.v = new LogVerifier(undefined, 100, receipt);
      return this.v;
    }
    try {
      const frontier = manifest.frontier_at_from;
      const start = CompactRange.fromBytes(
        new Uint8Array(Buffer.from(frontier, 'hex')),
        'manifest.json field frontier_at_from',
      );
      if (start.size !== manifest.from) {
        throw new GovernessError(LedgerErrors.badExport, {
          where: 'manifest.json field frontier_at_from',
          problem: `covers ${start.size} receipts, not from (${manifest.from})`,
        });
      }
      this.v = new LogVerifier(
        { size: manifest.from, frontier, lastTsMs: 0, heads: {}, partial: true },
        100,
        receipt,
      );
      return this.v;
    } catch (err) {
      this.failEarly('manifest.json field frontier_at_from', err);
      return null;
    }
  }

  private compareTrusted(trusted: Checkpoint, trustedRoot: Hash | null): void {
    if (trustedRoot === null) {
      this.notes.push(
        `trusted checkpoint of size ${trusted.size} lies before this export's start (${this.from}); not compared`,
      );
    } else if (!hashesEqual(trustedRoot, trusted.rootHash)) {
      this.v!.fail(
        'trusted checkpoint',
        `the log's first ${trusted.size} receipts do not match the trusted root: history was rewritten`,
      );
    }
  }

  /** The manifest's consistency proof from the previous export; in incremental mode, against the saved state. */
  private checkPrevious(manifest: ExportManifest, cp: Checkpoint): void {
    const v = this.v!;
    const previous = manifest.previous;
    const saved = this.resume?.checkpoint;
    if (previous === null) {
      if (saved !== undefined) {
        this.notes.push(
          'the manifest has no previous checkpoint: consistency with the saved state is shown by the recomputed root',
        );
      }
      return;
    }
    let prev: Checkpoint;
    try {
      prev = openCheckpoint(previous.checkpoint, this.keys, {
        where: 'manifest.json previous.checkpoint',
        expectedOrigin: manifest.origin,
      }).checkpoint;
      const proof = previous.consistency_proof.map((h, i) => {
        const b = decodeBase64Strict(h);
        if (b === undefined) {
          throw new GovernessError(LedgerErrors.badExport, {
            where: `manifest.json field previous.consistency_proof[${i}]`,
            problem: 'is not canonical standard base64',
          });
        }
        return b;
      });
      if (prev.size > 0) verifyConsistency(prev.size, cp.size, proof, prev.rootHash, cp.rootHash);
    } catch (err) {
      v.fail(whereOf(err, 'manifest.json previous'), message(err), codeOf(err));
      return;
    }
    if (saved !== undefined && prev.size === saved.size && !hashesEqual(prev.rootHash, saved.rootHash)) {
      v.fail(
        'manifest.json previous',
        `its checkpoint of size ${prev.size} has root ${hashToHex(prev.rootHash)}, the saved state's ${hashToHex(saved.rootHash)}: the log was rewritten`,
        INCONSISTENT,
      );
    } else if (saved !== undefined && prev.size !== saved.size) {
      this.notes.push(
        `the manifest's previous checkpoint (size ${prev.size}) is not the saved state's (size ${saved.size}); consistency with the saved state is shown by the recomputed root`,
      );
    }
  }

  /** Records an error that stops the run before any receipt is read, naming where the error says it is. */
  private failEarly(where: string, err: unknown): void {
    const at = whereOf(err, where);
    this.early.push({
      where: at,
      problem: message(err),
      ...(codeOf(err) === undefined ? {} : { code: codeOf(err) }),
    });
  }

  outcome(): VerifyOutcome {
    const v = this.v;
    const failures = [...this.early, ...(v?.failures ?? [])];
    const ok = failures.length === 0;
    const atCheckpoint = v !== null && this.cp !== null && v.size === this.cp.size ? snapshot(v) : null;
    return {
      ok,
      mode: this.resume === null ? 'full' : 'incremental',
      from: this.from,
      to: v?.size ?? this.from,
      receipts: v?.checked ?? 0,
      ledgers: v?.ledgersSeen.size ?? 0,
      tree_size: v?.size ?? 0,
      root: v === null ? null : hashToHex(v.root()),
      checkpoint_size: this.cp?.size ?? null,
      with_private: v?.withPrivate ?? 0,
      redacted: v?.redacted ?? 0,
      first_failure: failures[0] ?? null,
      failures,
      notes: this.notes,
      state: ok && atCheckpoint !== null ? stateAt(this.cpNote, this.keys, atCheckpoint) : null,
    };
  }
}

/** Consecutive receipt lines of receipts.jsonl (spans of `file`), from log index `first`. */
class LineChunk implements RecordChunk {
  private readonly lines: number[] = [];
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  private copy: PackedRecords | null = null;

  constructor(
    private readonly file: Buffer,
    readonly first: number,
  ) {}

  /** Lines added so far. */
  get size(): number {
    return this.lines.length;
  }

  add(start: number, end: number, line: number): void {
    this.starts.push(start);
    this.ends.push(end);
    this.lines.push(line);
  }

  /** The lines are one range of the file: one copy of it (a buffer of its own), with offsets into it. */
  get packed(): PackedRecords {
    if (this.copy !== null) return this.copy;
    const n = this.lines.length;
    const base = n === 0 ? 0 : this.starts[0]!;
    const bytes = new Uint8Array(n === 0 ? 0 : this.ends[n - 1]! - base);
    if (n > 0) bytes.set(this.file.subarray(base, this.ends[n - 1]));
    const starts = new Uint32Array(n);
    const ends = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      starts[i] = this.starts[i]! - base;
      ends[i] = this.ends[i]! - base;
    }
    return (this.copy = { bytes, starts, ends });
  }

  /** How the report names record i: its line and its log index. */
  readonly where = (i: number): string => `receipts.jsonl line ${this.lines[i]} (index ${this.first + i})`;
}

/** The place an error names (its `where` detail), else `fallback`. */
function whereOf(err: unknown, fallback: string): string {
  return GovernessError.is(err) && typeof err.details['where'] === 'string' ? err.details['where'] : fallback;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function codeOf(err: unknown): string | undefined {
  return err instanceof GovernessError ? err.code : undefined;
}
