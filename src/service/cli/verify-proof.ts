// `governess verify --proof FILE --receipt FILE`: one receipt against the C2SP tlog-proof file a customer kept.
// A proof file that cannot be parsed (its header, index, hashes or checkpoint lines) exits 2 naming the line; a
// well-formed one that does not verify (another key, another receipt, a proof that does not reach the root)
// exits 1 with a JSON report naming what failed.
import { readFileSync } from 'node:fs';
import { GovernessError } from '../../errors/index.js';
import {
  decodeReceipt,
  verifyProofFile,
  type NoteVerifier,
  type ReceiptOptions,
} from '../../ledger/index.js';
import { parseProofFileLayout } from '../../ledger/checkpoint/index.js';
import { verifyInclusion } from '../../ledger/merkle/index.js';
import type { CliIo } from './io.js';

/** What the proof mode needs. */
export interface ProofArgs {
  readonly proofPath: string;
  readonly receiptPath: string;
  readonly keys: readonly NoteVerifier[];
  readonly receipt: ReceiptOptions;
}

/** Runs the proof mode; resolves with the exit code. File read errors propagate (the caller exits 2). */
export function runProofVerify(args: ProofArgs, io: CliIo): number {
  const proof = readFileSync(args.proofPath);
  let leaf = readFileSync(args.receiptPath);
  // A receipt saved with `> file` usually gained a final newline; the stored bytes never end with one.
  if (leaf.length > 0 && leaf[leaf.length - 1] === 0x0a) leaf = leaf.subarray(0, leaf.length - 1);
  try {
    parseProofFileLayout(proof, args.proofPath);
  } catch (err) {
    io.err(`governess verify: ${message(err)}`);
    return 2;
  }
  const failed = (where: string, err: unknown): number => {
    const code = err instanceof GovernessError ? err.code : undefined;
    io.out(JSON.stringify({ ok: false, first_failure: { where, problem: message(err), code } }));
    io.err(`FAILED at ${where}: ${message(err)}`);
    return 1;
  };
  try {
    decodeReceipt(new Uint8Array(leaf), args.receiptPath, args.receipt);
  } catch (err) {
    return failed(args.receiptPath, err);
  }
  try {
    const v = verifyProofFile(proof, args.keys, {
      leafData: new Uint8Array(leaf),
      where: args.proofPath,
      // A false answer lets verifyProofFile name the proof's lines in the file rather than the Merkle check.
      verifyInclusion: (index, size, leafHash, p, root) => {
        try {
          verifyInclusion(index, size, leafHash, p, root);
          return true;
        } catch {
          return false;
        }
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
    const where =
      err instanceof GovernessError ? String(err.details['where'] ?? args.proofPath) : args.proofPath;
    return failed(where, err);
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
