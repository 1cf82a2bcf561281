// C2SP tlog-checkpoint (c2sp.org/tlog-checkpoint §Note text): the signed-note text of a log's tree head.
//   <origin>\n                 non-empty, unique log identity; equals the log's key name (§Signatures, SHOULD)
//   <tree size>\n              ASCII decimal, no leading zeros ("0" for the empty tree)
//   <base64 root hash>\n       standard base64 of the 32-byte RFC 6962 §2.1 Merkle tree hash
//   [<extension line>\n ...]   optional, non-empty, opaque (NOT RECOMMENDED: monitors cannot audit them)
import { GovernessError, LedgerErrors } from '../../errors/index.js';
import { decodeBase64Strict, describeBase64Problem, encodeBase64 } from './base64.js';
import { MAX_TREE_SIZE, isTreeSize, parseCanonicalDecimal } from './decimal.js';
import { formatKeyId } from './key-id.js';
import type { NoteSigner, NoteVerifier } from './keys.js';
import { openNote, signNote, type OpenedNote } from './note.js';
import { countNewlines, firstTextFault, linePlace } from './text-checks.js';

/** Size in bytes of a SHA-256 Merkle tree hash (RFC 6962 §2.1). */
export const HASH_BYTES = 32;

/** A checkpoint's content: which log, how many leaves, and the Merkle root over them. */
export interface Checkpoint {
  /** Log identity (first line); the log's key name. */
  readonly origin: string;
  /** Number of leaves in the tree. */
  readonly size: number;
  /** RFC 6962 Merkle tree hash of the first `size` leaves (32 bytes). */
  readonly rootHash: Uint8Array;
  /** Extension lines after the root hash, without their newlines; usually empty. */
  readonly extensions: readonly string[];
}

/** Input of formatCheckpoint: a Checkpoint whose extension lines may be left out. */
export type CheckpointInput = Omit<Checkpoint, 'extensions'> & { readonly extensions?: readonly string[] };

/** A checkpoint opened from a signed note: its content and the note's checked signatures. */
export interface OpenedCheckpoint {
  /** The parsed checkpoint. */
  readonly checkpoint: Checkpoint;
  /** The note: its text (the checkpoint body) and which signatures verified. */
  readonly note: OpenedNote;
}

/** How to open a checkpoint note. */
export interface OpenCheckpointOptions {
  /** Origin the caller expects; a checkpoint for any other log is refused. */
  readonly expectedOrigin?: string;
  /** Name of the containing text for errors (default `checkpoint`). */
  readonly where?: string;
  /** Line number of the note's first line within `where`. */
  readonly firstLine?: number;
}

function badCheckpoint(where: string, problem: string): GovernessError {
  return new GovernessError(LedgerErrors.badCheckpoint, { where, problem });
}

/** Why `origin` cannot be a checkpoint origin line, or undefined. */
function originProblem(origin: string): string | undefined {
  if (origin === '') return 'origin is empty';
  if (origin.includes('\n')) return 'origin contains a newline';
  return firstTextFault(origin)?.problem;
}

/** Formats the checkpoint note text `<origin>\n<size>\n<base64 root>\n[<extension>\n...]`. */
export function formatCheckpoint(checkpoint: CheckpointInput): string {
  const problem = originProblem(checkpoint.origin);
  if (problem !== undefined) throw badCheckpoint('checkpoint origin', problem);
  if (!isTreeSize(checkpoint.size)) {
    throw badCheckpoint(
      'checkpoint tree size',
      `${checkpoint.size} is not an integer from 0 to ${MAX_TREE_SIZE}`,
    );
  }
  if (checkpoint.rootHash.length !== HASH_BYTES) {
    throw badCheckpoint('checkpoint root hash', `is ${checkpoint.rootHash.length} bytes, not ${HASH_BYTES}`);
  }
  const extensions = checkpoint.extensions ?? [];
  extensions.forEach((line, i) => {
    const where = `checkpoint extension line ${i + 1}`;
    if (line === '') throw badCheckpoint(where, 'extension lines must be non-empty');
    if (line.includes('\n')) throw badCheckpoint(where, 'extension line contains a newline');
    const fault = firstTextFault(line);
    if (fault) throw badCheckpoint(where, fault.problem);
  });
  const body = [checkpoint.origin, String(checkpoint.size), encodeBase64(checkpoint.rootHash), ...extensions];
  return body.map((line) => `${line}\n`).join('');
}

/** Parses a checkpoint note text; errors name the line (`<where> line <n>`, counted from `firstLine`). */
export function parseCheckpoint(text: string, where = 'checkpoint', firstLine = 1): Checkpoint {
  const fault = firstTextFault(text);
  if (fault) {
    throw badCheckpoint(
      linePlace(where, firstLine + fault.line - 1),
      `column ${fault.column}: ${fault.problem}`,
    );
  }
  if (!text.endsWith('\n')) {
    throw badCheckpoint(linePlace(where, firstLine + countNewlines(text)), 'text must end with a newline');
  }
  const lines = text.slice(0, -1).split('\n');
  const [origin, sizeText, rootText, ...extensions] = lines;
  const place = (index: number, what: string): string => `${linePlace(where, firstLine + index)} (${what})`;
  if (origin === undefined || origin === '') throw badCheckpoint(place(0, 'origin'), 'origin is empty');
  if (sizeText === undefined) throw badCheckpoint(place(1, 'tree size'), 'line is missing');
  if (rootText === undefined) throw badCheckpoint(place(2, 'root hash'), 'line is missing');
  const size = parseCanonicalDecimal(sizeText);
  if (typeof size !== 'number') throw badCheckpoint(place(1, 'tree size'), `tree size ${size.problem}`);
  const rootHash = decodeBase64Strict(rootText);
  if (rootHash === undefined)
    throw badCheckpoint(place(2, 'root hash'), `root hash ${describeBase64Problem(rootText)}`);
  if (rootHash.length !== HASH_BYTES) {
    throw badCheckpoint(place(2, 'root hash'), `root hash is ${rootHash.length} bytes, not ${HASH_BYTES}`);
  }
  extensions.forEach((line, i) => {
    if (line === '') throw badCheckpoint(place(3 + i, 'extension'), 'extension lines must be non-empty');
  });
  return { origin, size, rootHash, extensions };
}

/**
 * Signs a checkpoint. Every signer's key name must equal the origin (tlog-checkpoint §Signatures: the log's key
 * name SHOULD match the origin; openCheckpoint requires it), so a misconfigured key is caught when signing.
 */
export function signCheckpoint(
  checkpoint: CheckpointInput,
  signers: NoteSigner | readonly NoteSigner[],
): string {
  const list: readonly NoteSigner[] = Array.isArray(signers) ? signers : [signers as NoteSigner];
  const text = formatCheckpoint(checkpoint);
  for (const signer of list) {
    if (signer.name !== checkpoint.origin) {
      throw new GovernessError(LedgerErrors.badKey, {
        where: `signer ${signer.name}+${formatKeyId(signer.keyId)}`,
        problem: `key name ${JSON.stringify(signer.name)} differs from the checkpoint origin ${JSON.stringify(checkpoint.origin)}`,
      });
    }
  }
  return signNote(text, list);
}

/**
 * Opens a signed checkpoint: checks the note's signatures (openNote), parses the text, checks the origin against
 * `expectedOrigin`, and requires a verified signature by a key whose name equals the origin (a witness's
 * signature alone is not the log's).
 */
export function openCheckpoint(
  note: string | Uint8Array,
  verifiers: NoteVerifier | readonly NoteVerifier[],
  options: OpenCheckpointOptions = {},
): OpenedCheckpoint {
  const where = options.where ?? 'checkpoint';
  const firstLine = options.firstLine ?? 1;
  const list: readonly NoteVerifier[] = Array.isArray(verifiers) ? verifiers : [verifiers as NoteVerifier];
  const opened = openNote(note, list, { where, firstLine });
  const checkpoint = parseCheckpoint(opened.text, where, firstLine);
  const originPlace = `${linePlace(where, firstLine)} (origin)`;
  if (options.expectedOrigin !== undefined && checkpoint.origin !== options.expectedOrigin) {
    throw badCheckpoint(
      originPlace,
      `origin ${JSON.stringify(checkpoint.origin)} is not the expected ${JSON.stringify(options.expectedOrigin)}`,
    );
  }
  if (!opened.verified.some((sig) => sig.name === checkpoint.origin)) {
    const names = opened.verified.map((sig) => `${sig.name}+${formatKeyId(sig.keyId)}`).join(', ');
    throw badCheckpoint(
      originPlace,
      `no verified signature by a key named like the origin ${JSON.stringify(checkpoint.origin)} (verified: ${names})`,
    );
  }
  return { checkpoint, note: opened };
}
