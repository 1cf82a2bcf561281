// Verifies an export directory without any database: manifest, signed checkpoint, every line of receipts.jsonl
// (canonical bytes, valid receipt, gapless index, chains, ts order), the recomputed Merkle root against the
// checkpoint, the consistency proof from the previous export, and optionally an earlier trusted checkpoint
// (e.g. the last one pushed to an anchor). The report names the first broken place.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GovernessError } from '../../errors/index.js';
import {
  decodeBase64Strict,
  openCheckpoint,
  parseVerifierKey,
  type Checkpoint,
  type NoteVerifier,
} from '../checkpoint/index.js';
import { CompactRange, hashToHex, verifyConsistency, type Hash } from '../merkle/index.js';
import { LogVerifier, type VerifyFailure } from './log-verifier.js';
import type { VerifyReport } from './report.js';

/** Inputs of an export verification. */
export interface VerifyExportOptions {
  /** Verifier keys the caller trusts; when absent the manifest's key is used and the report says so. */
  readonly keys?: readonly NoteVerifier[];
  /** A checkpoint note the caller trusted earlier (anchored); the export must be consistent with it. */
  readonly trusted?: string;
}

/** Verifies the export in `dir`. Never throws for a broken export: the report carries the failures. */
export async function verifyExport(dir: string, options: VerifyExportOptions = {}): Promise<VerifyReport> {
  const failures: VerifyFailure[] = [];
  const fail = (where: string, problem: string, code?: string): VerifyReport =>
    report(null, [...failures, code === undefined ? { where, problem } : { where, problem, code }], notes);
  const notes: string[] = [];

  let manifest: Record<string, unknown>;
  try {
    manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Record<string, unknown>;
  } catch (err) {
    return fail('manifest.json', `cannot read: ${message(err)}`);
  }
  if (manifest['format'] !== 'governess.export/v1') {
    return fail('manifest.json format', `unknown export format ${JSON.stringify(manifest['format'])}`);
  }
  const from = manifest['from'];
  const to = manifest['to'];
  if (!isCount(from) || !isCount(to) || from > to) return fail('manifest.json from/to', 'not a valid range');

  let keys = options.keys;
  if (keys === undefined || keys.length === 0) {
    try {
      keys = [parseVerifierKey(String(manifest['verifier_key']), 'manifest.json verifier_key')];
    } catch (err) {
      return fail('manifest.json verifier_key', message(err), codeOf(err));
    }
    notes.push('key: taken from the export itself (pass --key to check against a key you trust)');
  }
  const origin = String(manifest['origin']);
  let cp: Checkpoint;
  try {
    cp = openCheckpoint(String(manifest['checkpoint']), keys, {
      where: 'manifest.json checkpoint',
      expectedOrigin: origin,
    }).checkpoint;
  } catch (err) {
    return fail('manifest.json checkpoint', message(err), codeOf(err));
  }
  if (cp.size !== to)
    return fail('manifest.json checkpoint', `checkpoint size ${cp.size} but the export ends at ${to}`);

  let trusted: Checkpoint | null = null;
  if (options.trusted !== undefined) {
    try {
      trusted = openCheckpoint(options.trusted, keys, {
        where: 'trusted checkpoint',
        expectedOrigin: origin,
      }).checkpoint;
    } catch (err) {
      return fail('trusted checkpoint', message(err), codeOf(err));
    }
    if (trusted.size > to) {
      return fail(
        'trusted checkpoint',
        `the trusted checkpoint covers ${trusted.size} receipts but this export's log has only ${to}: the log was truncated or rolled back`,
      );
    }
  }

  let verifier: LogVerifier;
  try {
    const frontier = String(manifest['frontier_at_from'] ?? '');
    const start =
      from === 0 ? undefined : CompactRange.fromBytes(new Uint8Array(Buffer.from(frontier, 'hex')));
    if (start !== undefined && start.size !== from)
      throw new Error(`frontier covers ${start.size}, not ${from}`);
    verifier = new LogVerifier(
      start === undefined ? undefined : { size: from, frontier, lastTsMs: 0, heads: {}, partial: true },
    );
  } catch (err) {
    return fail('manifest.json frontier_at_from', message(err), codeOf(err));
  }

  let data: Buffer;
  try {
    data = await readFile(join(dir, 'receipts.jsonl'));
  } catch (err) {
    return fail('receipts.jsonl', `cannot read: ${message(err)}`);
  }
  let trustedRoot: Hash | null = trusted !== null && trusted.size === from ? verifier.root() : null;
  let start = 0;
  let line = 0;
  let index = from;
  while (start < data.length) {
    let end = data.indexOf(0x0a, start);
    if (end < 0) {
      verifier.fail(`receipts.jsonl line ${line + 1}`, 'last line has no final newline (file truncated?)');
      end = data.length;
    }
    line++;
    verifier.add(
      index,
      new Uint8Array(data.buffer, data.byteOffset + start, end - start),
      `receipts.jsonl line ${line} (index ${index})`,
    );
    index++;
    if (trusted !== null && index === trusted.size) trustedRoot = verifier.root();
    start = end + 1;
  }
  verifier.checkRoot(cp.size, cp.rootHash, 'manifest.json checkpoint');

  if (trusted !== null) {
    if (trustedRoot !== null) {
      if (hashToHex(trustedRoot) !== hashToHex(trusted.rootHash)) {
        verifier.fail(
          'trusted checkpoint',
          `the log's first ${trusted.size} receipts do not match the trusted root: history was rewritten`,
        );
      }
    } else {
      notes.push(
        `trusted checkpoint of size ${trusted.size} lies before this export's start (${from}); not compared`,
      );
    }
  }

  if (verifier.erasuresBeforeRange > 0) {
    notes.push(
      `${verifier.erasuresBeforeRange} erasure receipt(s) name receipts before this export's start (${from}); those targets were not checked`,
    );
  }

  const previous = manifest['previous'] as
    { checkpoint?: unknown; consistency_proof?: unknown } | null | undefined;
  if (previous !== null && previous !== undefined) {
    try {
      const prev = openCheckpoint(String(previous.checkpoint), keys, {
        where: 'manifest.json previous.checkpoint',
        expectedOrigin: origin,
      }).checkpoint;
      const proof = (Array.isArray(previous.consistency_proof) ? previous.consistency_proof : []).map(
        (h, i) => {
          const b = decodeBase64Strict(String(h));
          if (b === undefined) throw new Error(`consistency_proof[${i}] is not base64`);
          return b;
        },
      );
      verifyConsistency(prev.size, cp.size, proof, prev.rootHash, cp.rootHash);
    } catch (err) {
      verifier.fail('manifest.json previous', message(err), codeOf(err));
    }
  }
  return report(verifier, verifier.failures, notes, cp);
}

function report(
  v: LogVerifier | null,
  failures: readonly VerifyFailure[],
  notes: string[],
  cp?: Checkpoint,
): VerifyReport {
  return {
    ok: failures.length === 0,
    receipts: v?.checked ?? 0,
    ledgers: v?.ledgersSeen.size ?? 0,
    tree_size: v?.size ?? 0,
    root: v === null ? null : hashToHex(v.root()),
    checkpoint_size: cp?.size ?? null,
    with_private: v?.withPrivate ?? 0,
    redacted: v?.redacted ?? 0,
    first_failure: failures[0] ?? null,
    failures,
    notes,
  };
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function codeOf(err: unknown): string | undefined {
  return err instanceof GovernessError ? err.code : undefined;
}
