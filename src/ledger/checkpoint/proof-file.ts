// C2SP tlog-proof files (c2sp.org/tlog-proof §Format), a receipt's offline-verifiable proof of inclusion:
//   c2sp.org/tlog-proof@v1\n
//   [extra <base64 opaque data>\n]     optional, NOT authenticated: never trust it implicitly
//   index <N>\n                        zero-based leaf index, ASCII decimal, no leading zeros
//   <base64 hash>\n ...                zero or more: the RFC 6962 §2.1.1 inclusion proof, leaf's sibling first
//   \n                                 one empty line
//   <signed checkpoint note>           verbatim (c2sp.org/tlog-checkpoint), with all its signature lines
// The Merkle check is injected (verifyInclusion) so this file does not depend on the Merkle module.
import { createHash } from 'node:crypto';
import { GovernessError, LedgerErrors } from '../../errors/index.js';
import { decodeBase64Strict, describeBase64Problem, encodeBase64 } from './base64.js';
import { HASH_BYTES, openCheckpoint, parseCheckpoint, type Checkpoint } from './checkpoint.js';
import { isTreeSize, MAX_TREE_SIZE, parseCanonicalDecimal } from './decimal.js';
import type { NoteVerifier } from './keys.js';
import { parseNoteLayout, type OpenedNote } from './note.js';
import { countNewlines, decodeUtf8, firstTextFault, linePlace } from './text-checks.js';

/** First line of every proof file (tlog-proof §Format). */
export const PROOF_FILE_HEADER = 'c2sp.org/tlog-proof@v1';
/** Most inclusion-proof hashes accepted: a tree of at most 2^53 - 1 leaves needs at most 53. */
export const MAX_PROOF_HASHES = 64;

/** A 32-byte SHA-256 hash (RFC 6962 §2.1). */
export type Hash = Uint8Array;

/**
 * RFC 6962 §2.1.1 inclusion check supplied by the Merkle module: true when `proof` leads from `leafHash` at
 * `index` to `root` for a tree of `size` leaves. It may also throw; returning false or throwing both reject.
 */
export type InclusionVerifier = (
  index: number,
  size: number,
  leafHash: Hash,
  proof: readonly Hash[],
  root: Hash,
) => boolean;

/** The parts of a proof file. */
export interface ProofFile {
  /** Opaque extra data from the `extra` line, if present (unauthenticated). */
  readonly extra?: Uint8Array;
  /** Zero-based index of the leaf in the log. */
  readonly index: number;
  /** Inclusion proof hashes, from the leaf's sibling up to the root's child. */
  readonly proof: readonly Hash[];
  /** The signed checkpoint note, verbatim. */
  readonly checkpointNote: string;
}

/** A parsed proof file, with the line number where its checkpoint note starts (for error messages). */
export interface ParsedProofFile extends ProofFile {
  /** 1-based line number of the checkpoint note's first line within the file. */
  readonly checkpointFirstLine: number;
}

/** What verifyProofFile needs besides the file and the trusted keys. */
export interface VerifyProofFileOptions {
  /** The logged entry's bytes (for a receipt: its stored canonical bytes). */
  readonly leafData: Uint8Array;
  /** RFC 6962 inclusion check, from the Merkle module. */
  readonly verifyInclusion: InclusionVerifier;
  /** Origin of the log the proof must come from; any other log is refused. */
  readonly expectedOrigin?: string;
  /** Names the file in errors, e.g. its path (default `proof file`); errors say `<where> line <n>`. */
  readonly where?: string;
}

/** The result of a successful verifyProofFile. */
export interface VerifiedProofFile {
  /** The proved leaf index. */
  readonly index: number;
  /** RFC 6962 leaf hash of `leafData`. */
  readonly leafHash: Hash;
  /** The checkpoint that includes the leaf. */
  readonly checkpoint: Checkpoint;
  /** The checkpoint note with its verified and ignored signatures. */
  readonly note: OpenedNote;
  /** Extra data (unauthenticated), if the file had any. */
  readonly extra?: Uint8Array;
}

const WHERE = 'proof file';

function badProof(where: string, problem: string): GovernessError {
  return new GovernessError(LedgerErrors.badProof, { where, problem });
}

/** RFC 6962 §2.1 leaf hash: SHA-256(0x00 ‖ data). */
export function leafHashOf(data: Uint8Array): Hash {
  return new Uint8Array(createHash('sha256').update(Buffer.of(0x00)).update(data).digest());
}

/** Formats a proof file; the checkpoint note is copied verbatim after the empty line. */
export function formatProofFile(file: ProofFile): string {
  if (!isTreeSize(file.index)) {
    throw badProof(`${WHERE} index`, `${file.index} is not an integer from 0 to ${MAX_TREE_SIZE}`);
  }
  if (file.proof.length > MAX_PROOF_HASHES) {
    throw badProof(`${WHERE} inclusion proof`, `has ${file.proof.length} hashes, over ${MAX_PROOF_HASHES}`);
  }
  file.proof.forEach((hash, i) => {
    if (hash.length !== HASH_BYTES) {
      throw badProof(`${WHERE} inclusion proof hash ${i + 1}`, `is ${hash.length} bytes, not ${HASH_BYTES}`);
    }
  });
  if (file.checkpointNote === '' || !file.checkpointNote.endsWith('\n')) {
    throw badProof(`${WHERE} checkpoint note`, 'must be a non-empty signed note ending with a newline');
  }
  const fault = firstTextFault(file.checkpointNote);
  if (fault) throw badProof(`${WHERE} checkpoint note line ${fault.line}`, fault.problem);
  const lines = [PROOF_FILE_HEADER];
  if (file.extra !== undefined) lines.push(`extra ${encodeBase64(file.extra)}`);
  lines.push(`index ${file.index}`, ...file.proof.map(encodeBase64), '');
  return `${lines.join('\n')}\n${file.checkpointNote}`;
}

/** Reads the proof file line by line, each line checked for control characters before it is interpreted. */
class LineReader {
  private pos = 0;
  line = 0;

  constructor(
    private readonly text: string,
    private readonly where: string,
  ) {}

  /** The next line without its newline; throws when the file ends first, saying what was expected. */
  next(expected: string): string {
    this.line++;
    const end = this.text.indexOf('\n', this.pos);
    if (end < 0) {
      throw badProof(
        linePlace(this.where, this.line),
        `file ends (or its last line has no newline) before ${expected}`,
      );
    }
    const line = this.text.slice(this.pos, end);
    this.pos = end + 1;
    const fault = firstTextFault(line);
    if (fault) throw badProof(linePlace(this.where, this.line), `column ${fault.column}: ${fault.problem}`);
    return line;
  }

  /** Everything after the lines read so far. */
  rest(): string {
    return this.text.slice(this.pos);
  }
}

/**
 * Parses a proof file's layout (the checkpoint note is returned verbatim, not yet verified); `where` names the
 * file in errors.
 */
export function parseProofFile(input: string | Uint8Array, where = WHERE): ParsedProofFile {
  let text: string;
  if (typeof input === 'string') {
    text = input;
  } else {
    const decoded = decodeUtf8(input);
    if ('fault' in decoded) {
      throw badProof(
        linePlace(where, decoded.fault.line),
        `column ${decoded.fault.column}: ${decoded.fault.problem}`,
      );
    }
    text = decoded.text;
  }
  const reader = new LineReader(text, where);
  const header = reader.next(`the header ${PROOF_FILE_HEADER}`);
  if (header !== PROOF_FILE_HEADER) {
    throw badProof(linePlace(where, reader.line), `expected the header ${JSON.stringify(PROOF_FILE_HEADER)}`);
  }
  let line = reader.next('the index line');
  let extra: Uint8Array | undefined;
  if (line.startsWith('extra ')) {
    const field = line.slice('extra '.length);
    extra = decodeBase64Strict(field);
    if (extra === undefined)
      throw badProof(linePlace(where, reader.line), `extra data ${describeBase64Problem(field)}`);
    line = reader.next('the index line');
  }
  const indexPlace = `${linePlace(where, reader.line)} (index)`;
  if (!line.startsWith('index ')) throw badProof(indexPlace, 'expected "index <N>" with a single space');
  const index = parseCanonicalDecimal(line.slice('index '.length));
  if (typeof index !== 'number') throw badProof(indexPlace, `index ${index.problem}`);
  const proof: Hash[] = [];
  for (;;) {
    line = reader.next('the empty line that ends the inclusion proof');
    if (line === '') break;
    const place = `${linePlace(where, reader.line)} (inclusion proof hash ${proof.length + 1})`;
    if (proof.length === MAX_PROOF_HASHES)
      throw badProof(place, `more than ${MAX_PROOF_HASHES} proof hashes`);
    const hash = decodeBase64Strict(line);
    if (hash === undefined) throw badProof(place, `hash ${describeBase64Problem(line)}`);
    if (hash.length !== HASH_BYTES) throw badProof(place, `hash is ${hash.length} bytes, not ${HASH_BYTES}`);
    proof.push(hash);
  }
  const checkpointNote = reader.rest();
  const checkpointFirstLine = reader.line + 1;
  if (checkpointNote === '') {
    throw badProof(
      linePlace(where, checkpointFirstLine),
      'the signed checkpoint is missing after the empty line',
    );
  }
  return { ...(extra === undefined ? {} : { extra }), index, proof, checkpointNote, checkpointFirstLine };
}

/**
 * Parses a proof file and the layout of its checkpoint note (signed-note lines, then the checkpoint's origin,
 * size and root lines) without checking signatures or the proof: every structural fault, as GOV_PROOF_INVALID
 * naming the file line. `governess verify --proof` uses it to tell a damaged file (exit 2) from one that does
 * not verify (exit 1).
 */
export function parseProofFileLayout(input: string | Uint8Array, where = WHERE): ParsedProofFile {
  const file = parseProofFile(input, where);
  const first = file.checkpointFirstLine;
  try {
    const { text } = parseNoteLayout(file.checkpointNote, { where, firstLine: first });
    parseCheckpoint(text, where, first);
  } catch (err) {
    if (!GovernessError.is(err)) throw err;
    const at = String(err.details['where'] ?? where);
    // Some note faults name no line; the checkpoint's lines are then the place.
    const last = first + countNewlines(file.checkpointNote) - 1;
    const lines = last > first ? `lines ${first}-${last}` : `line ${first}`;
    const place = at === where ? `${where} ${lines} (checkpoint)` : at;
    throw badProof(place, String(err.details['problem'] ?? err.message));
  }
  return file;
}

/**
 * Verifies a proof file offline (tlog-proof §Verifying): the checkpoint is signed by a trusted key named like
 * its origin (and is from `expectedOrigin`, if given), the index is inside the tree, and the inclusion proof leads
 * from SHA-256(0x00 ‖ leafData) to the checkpoint's root.
 */
export function verifyProofFile(
  input: string | Uint8Array,
  verifiers: NoteVerifier | readonly NoteVerifier[],
  options: VerifyProofFileOptions,
): VerifiedProofFile {
  const where = options.where ?? WHERE;
  const file = parseProofFile(input, where);
  const opened = openCheckpoint(file.checkpointNote, verifiers, {
    where,
    firstLine: file.checkpointFirstLine,
    ...(options.expectedOrigin === undefined ? {} : { expectedOrigin: options.expectedOrigin }),
  });
  const { checkpoint } = opened;
  const indexLine = file.extra === undefined ? 2 : 3;
  if (file.index >= checkpoint.size) {
    throw badProof(
      `${linePlace(where, indexLine)} (index)`,
      `index ${file.index} is not below the checkpoint's tree size ${checkpoint.size}`,
    );
  }
  const leafHash = leafHashOf(options.leafData);
  const proofPlace =
    file.proof.length === 0
      ? `${where} inclusion proof (empty)`
      : `${where} lines ${indexLine + 1}-${indexLine + file.proof.length} (inclusion proof)`;
  if (!options.verifyInclusion(file.index, checkpoint.size, leafHash, file.proof, checkpoint.rootHash)) {
    throw badProof(
      proofPlace,
      "the inclusion proof does not lead from the leaf's hash to the checkpoint root hash",
    );
  }
  return {
    index: file.index,
    leafHash,
    checkpoint,
    note: opened.note,
    ...(file.extra === undefined ? {} : { extra: file.extra }),
  };
}
