// `governess verify`: checks an export directory, a database, or a single receipt against its proof file, and
// prints a machine-readable JSON report. Exit 0: verified. Exit 1: something is broken (the report names the
// first broken place). Exit 2: the command was used wrongly or an input could not be read.
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  parseVerifierKey,
  readAnchorFile,
  readVerifierKeyFile,
  verifyExport,
  verifyProofFile,
  verifyStore,
  type NoteVerifier,
  type VerifyReport,
} from '../../ledger/index.js';
import { verifyInclusion } from '../../ledger/merkle/index.js';
import type { CliIo } from './io.js';
import { storeFromArgument } from './open-store.js';

/** Usage of the verify command. */
export const VERIFY_USAGE = [
  'usage: governess verify <export-dir> [--key KEY|FILE] [--trusted FILE]',
  '       governess verify --db sqlite:PATH|postgres://URL[#schema] --key KEY|FILE [--trusted FILE]',
  '       governess verify --proof FILE --receipt FILE --key KEY|FILE',
  '  --key      the log verifier key (name+hash+base64) or a file of them',
  '  --trusted  a checkpoint note trusted earlier, or an anchor file (its last note is used)',
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
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    return usage(io, err instanceof Error ? err.message : String(err));
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    io.out(VERIFY_USAGE);
    return 0;
  }
  try {
    const keys = values.key === undefined ? undefined : await loadKeys(values.key);
    const trusted = values.trusted === undefined ? undefined : await loadTrusted(values.trusted);
    if (values.proof !== undefined || values.receipt !== undefined) {
      if (values.proof === undefined || values.receipt === undefined || keys === undefined) {
        return usage(io, '--proof needs --receipt and --key');
      }
      return proofMode(values.proof, values.receipt, keys, io);
    }
    let report: VerifyReport;
    if (values.db !== undefined) {
      if (keys === undefined)
        return usage(io, '--db needs --key (the key must come from somewhere you trust)');
      const store = storeFromArgument(values.db);
      try {
        report = await verifyStore(store, { keys, ...(trusted === undefined ? {} : { trusted }) });
      } finally {
        await store.close();
      }
    } else {
      if (positionals.length !== 1) return usage(io, 'give one export directory, or --db, or --proof');
      report = await verifyExport(positionals[0] as string, {
        ...(keys === undefined ? {} : { keys }),
        ...(trusted === undefined ? {} : { trusted }),
      });
    }
    io.out(JSON.stringify(report, null, 2));
    io.err(
      report.ok
        ? `verified: ${report.receipts} receipts, ${report.ledgers} ledgers, tree size ${report.tree_size}, ${report.redacted} redacted`
        : `FAILED at ${report.first_failure?.where}: ${report.first_failure?.problem}`,
    );
    return report.ok ? 0 : 1;
  } catch (err) {
    io.err(`governess verify: ${err instanceof Error ? err.message : String(err)}`);
    return 2;
  }
}

function proofMode(proofPath: string, receiptPath: string, keys: readonly NoteVerifier[], io: CliIo): number {
  const proof = readFileSync(proofPath);
  let leaf = readFileSync(receiptPath);
  if (leaf.length > 0 && leaf[leaf.length - 1] === 0x0a) leaf = leaf.subarray(0, leaf.length - 1);
  try {
    const v = verifyProofFile(proof, keys, {
      leafData: new Uint8Array(leaf),
      verifyInclusion: (index, size, leafHash, p, root) => {
        verifyInclusion(index, size, leafHash, p, root);
        return true;
      },
    });
    io.out(
      JSON.stringify({
        ok: true,
        index: v.index,
        checkpoint_size: v.checkpoint.size,
        origin: v.checkpoint.origin,
      }),
    );
    io.err(`verified: receipt at index ${v.index} is in the log of ${v.checkpoint.size} receipts`);
    return 0;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    io.out(JSON.stringify({ ok: false, first_failure: { where: proofPath, problem: message } }));
    io.err(`FAILED: ${message}`);
    return 1;
  }
}

async function loadKeys(arg: string): Promise<NoteVerifier[]> {
  if (existsSync(arg)) return readVerifierKeyFile(arg);
  return [parseVerifierKey(arg, '--key')];
}

async function loadTrusted(path: string): Promise<string> {
  const notes = await readAnchorFile(path);
  const last = notes[notes.length - 1];
  if (last === undefined) throw new Error(`--trusted ${path} holds no checkpoint`);
  return last;
}

function usage(io: CliIo, message: string): number {
  io.err(`governess verify: ${message}`);
  io.err(VERIFY_USAGE);
  return 2;
}
