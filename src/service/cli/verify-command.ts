// `governess verify`: checks an export directory, a database, or a single receipt against its proof file, and
// prints a machine-readable JSON report. Exit 0: verified. Exit 1: something is broken (the report names the
// first broken place). Exit 2: the command was used wrongly or an input could not be read.
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { GovernessError, LedgerErrors } from '../../errors/index.js';
import {
  parseVerifierKey,
  readAnchorFile,
  readVerifierKeyFile,
  readVerifyStateFile,
  reportOf,
  verifyExport,
  verifyStore,
  writeVerifyStateFile,
  type NoteVerifier,
  type ReceiptOptions,
  type VerifyOutcome,
  type VerifyState,
} from '../../ledger/index.js';
import type { CliIo } from './io.js';
import { existingStoreFromArgument } from './open-store.js';
import { runProofVerify } from './verify-proof.js';

/** Usage of the verify command. */
export const VERIFY_USAGE = [
  'usage: governess verify <export-dir> [--key KEY|FILE] [--trusted FILE] [--state FILE [--full]]',
  '       governess verify --db sqlite:PATH|postgres://URL[#schema] --key KEY|FILE [--trusted FILE]',
  '                        [--state FILE [--full]]',
  '       governess verify --proof FILE --receipt FILE --key KEY|FILE',
  '  --key                   the log verifier key (name+hash+base64) or a file of them, one per line',
  '  --trusted               a checkpoint note trusted earlier, or an anchor file (its last note is used)',
  '  --state FILE            incremental: start from the state the last successful run saved in FILE, check',
  '                          only what was appended since, then rewrite FILE (created by the first run)',
  '  --full                  with --state: ignore the saved state, verify everything, then rewrite FILE',
  '  --max-metadata-bytes N  the metadata limit the ledger was configured with (default 16384)',
  '  --workers N             threads checking receipts in parallel (default: min(2, cores) from 20,000',
  '                          receipts on, else none); 0 checks everything on the main thread',
  '  --skip-quick-check      with --db sqlite: skip PRAGMA quick_check (faster, weaker: damage in pages the',
  '                          walk does not read, e.g. indexes, goes unnoticed)',
  'exit: 0 verified; 1 the log is broken or was rewritten (the JSON report names the first broken place);',
  '      2 wrong usage or unreadable input (missing file; malformed key, proof file or state file; a state',
  '        saved for another log or key)',
].join('\n');

/** Runs `governess verify`; resolves with the exit code. */
export async function runVerify(args: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        key: { type: 'string' },
        trusted: { type: 'string' },
        db: { type: 'string' },
        proof: { type: 'string' },
        receipt: { type: 'string' },
        state: { type: 'string' },
        full: { type: 'boolean' },
        'max-metadata-bytes': { type: 'string' },
        workers: { type: 'string' },
        'skip-quick-check': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    return usage(io, message(err));
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    io.out(VERIFY_USAGE);
    return 0;
  }
  const receipt = metadataLimit(values['max-metadata-bytes']);
  if (typeof receipt === 'string') return usage(io, receipt);
  const workers = workerCount(values.workers);
  if (typeof workers === 'string') return usage(io, workers);
  if (values.full === true && values.state === undefined) return usage(io, '--full goes with --state FILE');
  try {
    const keys = values.key === undefined ? undefined : await loadKeys(values.key);
    if (values.proof !== undefined || values.receipt !== undefined) {
      if (values.proof === undefined || values.receipt === undefined || keys === undefined) {
        return usage(io, '--proof needs --receipt and --key');
      }
      if (values.state !== undefined || values.db !== undefined || positionals.length > 0) {
        return usage(io, '--proof checks one receipt: it takes no export, --db or --state');
      }
      return runProofVerify({ proofPath: values.proof, receiptPath: values.receipt, keys, receipt }, io);
    }
    const trusted = values.trusted === undefined ? undefined : await loadTrusted(values.trusted);
    const state =
      values.state === undefined || values.full === true ? null : await readVerifyStateFile(values.state);
    const common = {
      receipt,
      ...(workers === undefined ? {} : { workers }),
      ...(trusted === undefined ? {} : { trusted }),
      ...(state === null ? {} : { state }),
    };
    let outcome: VerifyOutcome;
    if (values.db !== undefined) {
      if (positionals.length > 0) return usage(io, 'give an export directory or --db, not both');
      if (keys === undefined)
        return usage(io, '--db needs --key (the key must come from somewhere you trust)');
      const store = await existingStoreFromArgument(values.db);
      try {
        const quickCheck = values['skip-quick-check'] !== true;
        outcome = await verifyStore(store, { keys, quickCheck, ...common });
      } finally {
        await store.close();
      }
    } else {
      if (positionals.length !== 1) return usage(io, 'give one export directory, or --db, or --proof');
      outcome = await verifyExport(positionals[0] as string, {
        ...(keys === undefined ? {} : { keys }),
        ...common,
      });
    }
    io.out(JSON.stringify(reportOf(outcome), null, 2));
    io.err(summary(outcome));
    if (values.state !== undefined && outcome.ok) await saveState(values.state, outcome.state, io);
    return outcome.ok ? 0 : 1;
  } catch (err) {
    io.err(`governess verify: ${message(err)}`);
    return 2;
  }
}

function summary(o: VerifyOutcome): string {
  if (!o.ok) return `FAILED at ${o.first_failure?.where}: ${o.first_failure?.problem}`;
  const range = o.mode === 'incremental' ? ` (incremental: ${o.from} to ${o.to})` : '';
  return `verified${range}: ${o.receipts} receipts, ${o.ledgers} ledgers, tree size ${o.tree_size}, ${o.redacted} redacted`;
}

async function saveState(path: string, state: VerifyState | null, io: CliIo): Promise<void> {
  if (state === null) {
    io.err(`state not saved to ${path}: no signed checkpoint to end at yet`);
    return;
  }
  await writeVerifyStateFile(path, state);
  io.err(`state saved to ${path} (checkpoint of size ${state.size})`);
}

/** `--workers N`: an integer from 0 to 64 (undefined: the default). */
function workerCount(value: string | undefined): number | undefined | string {
  if (value === undefined) return undefined;
  const n = /^\d{1,2}$/.test(value) ? Number(value) : NaN;
  if (!(n <= 64)) return `--workers must be an integer from 0 to 64, got ${JSON.stringify(value)}`;
  return n;
}

function metadataLimit(value: string | undefined): ReceiptOptions | string {
  if (value === undefined) return {};
  const n = Number(value);
  if (!/^[1-9][0-9]*$/.test(value) || !Number.isSafeInteger(n)) {
    return `--max-metadata-bytes must be a positive integer, got ${JSON.stringify(value)}`;
  }
  return { maxMetadataBytes: n };
}

async function loadKeys(arg: string): Promise<NoteVerifier[]> {
  if (existsSync(arg)) return readVerifierKeyFile(arg);
  if (!arg.includes('+')) {
    // Most likely a mistyped key file path: say so rather than "expected 3 fields".
    throw new GovernessError(LedgerErrors.badKey, {
      where: '--key',
      problem: `${JSON.stringify(arg)} is neither a file nor a verifier key <name>+<hash>+<keydata>`,
    });
  }
  return [parseVerifierKey(arg, '--key')];
}

async function loadTrusted(path: string): Promise<string> {
  const notes = await readAnchorFile(path);
  const last = notes[notes.length - 1];
  if (last === undefined) throw new Error(`--trusted ${path} holds no checkpoint`);
  return last;
}

function usage(io: CliIo, text: string): number {
  io.err(`governess verify: ${text}`);
  io.err(VERIFY_USAGE);
  return 2;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
