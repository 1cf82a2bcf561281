// C2SP signed notes (c2sp.org/signed-note, the format of Go's golang.org/x/mod/sumdb/note):
//   <text, ending in \n>          UTF-8, no control characters except \n (signed-note §Format)
//   \n                            one blank line; the text ends at the LAST blank line of the note
//   — <key name> <base64(4-byte big-endian key ID ‖ signature)>\n    one line per signature (U+2014, U+0020)
// The signature covers the text including its final \n, not the blank line (signed-note §Format).
import { GovernessError, LedgerErrors } from '../../errors/index.js';
import { decodeBase64Strict, describeBase64Problem, encodeBase64 } from './base64.js';
import { formatKeyId, keyNameProblem } from './key-id.js';
import type { NoteSigner, NoteVerifier } from './keys.js';
import { countNewlines, decodeUtf8, firstTextFault, linePlace, type TextFault } from './text-checks.js';

/** Start of every signature line: em dash U+2014 and a space (signed-note §Format). */
export const SIGNATURE_LINE_PREFIX = '\u2014 ';
/** Default cap on signature lines; Go's note.Open allows 100, the spec requires accepting at least 16. */
export const DEFAULT_MAX_SIGNATURES = 100;

/** One signature line of a note. */
export interface NoteSignature {
  /** Key name from the signature line. */
  readonly name: string;
  /** Key ID: the first 4 bytes of the decoded signature, big-endian. */
  readonly keyId: number;
  /** The base64 field as written: base64(key ID ‖ signature). */
  readonly base64: string;
}

/** A note whose signatures were checked: the text, signatures by known keys, and the others (ignored). */
export interface OpenedNote {
  /** Note text, including its final newline, excluding the blank separator line. */
  readonly text: string;
  /** Signatures by known keys, each verified (one per key). */
  readonly verified: readonly NoteSignature[];
  /** Signatures by unknown keys, not checked (signed-note §Signatures: verifiers MUST ignore them). */
  readonly unverified: readonly NoteSignature[];
}

/** Where a note sits, for error messages, and how many signature lines to accept. */
export interface OpenNoteOptions {
  /** Name of the text being read, e.g. `checkpoint` or `proof file`; errors say `<where> line <n>`. */
  readonly where?: string;
  /** Line number of the note's first line inside `where` (when the note is embedded in a larger file). */
  readonly firstLine?: number;
  /** Maximum number of signature lines (default 100). */
  readonly maxSignatures?: number;
}

/** A note split into text and parsed signature lines, with the line number of each signature line. */
interface SplitNote {
  readonly text: string;
  readonly signatures: readonly (NoteSignature & { readonly line: number; readonly bytes: Uint8Array })[];
}

function badNote(where: string, problem: string): GovernessError {
  return new GovernessError(LedgerErrors.badSignature, { where, problem });
}

function faultError(where: string, firstLine: number, fault: TextFault): GovernessError {
  return badNote(linePlace(where, firstLine + fault.line - 1), `column ${fault.column}: ${fault.problem}`);
}

/** Checks a note text before signing: ends with \n, no control characters, valid UTF-8. */
function checkNoteText(text: string, where: string): void {
  if (!text.endsWith('\n')) {
    throw badNote(linePlace(where, countNewlines(text) + 1), 'note text must end with a newline');
  }
  const fault = firstTextFault(text);
  if (fault) throw faultError(where, 1, fault);
}

function signatureLine(signer: NoteSigner, text: Uint8Array): string {
  const problem = keyNameProblem(signer.name);
  if (problem !== undefined) {
    throw new GovernessError(LedgerErrors.badKey, {
      where: `signer ${JSON.stringify(signer.name)}`,
      problem,
    });
  }
  const keyId = Buffer.alloc(4);
  keyId.writeUInt32BE(signer.keyId >>> 0);
  const sig = Buffer.concat([keyId, signer.sign(text)]);
  return `${SIGNATURE_LINE_PREFIX}${signer.name} ${encodeBase64(sig)}\n`;
}

/** Signs `text` (which must end with \n) with every signer, in order; returns the signed note. */
export function signNote(text: string, signers: readonly NoteSigner[]): string {
  checkNoteText(text, 'note text');
  if (signers.length === 0) throw badNote('note text', 'a signed note needs at least one signer');
  const bytes = Buffer.from(text, 'utf8');
  return `${text}\n${signers.map((signer) => signatureLine(signer, bytes)).join('')}`;
}

/** Parses the note's layout and signature lines without checking any signature. */
function splitNote(input: string | Uint8Array, where: string, firstLine: number, max: number): SplitNote {
  let note: string;
  if (typeof input === 'string') {
    note = input;
  } else {
    const decoded = decodeUtf8(input);
    if ('fault' in decoded) throw faultError(where, firstLine, decoded.fault);
    note = decoded.text;
  }
  const fault = firstTextFault(note);
  if (fault) throw faultError(where, firstLine, fault);
  const lastLine = firstLine + countNewlines(note);
  if (!note.endsWith('\n')) throw badNote(linePlace(where, lastLine), 'note must end with a newline');
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw badNote(where, 'no blank line separates the text from the signature lines');
  const text = note.slice(0, split + 1);
  const lines = note
    .slice(split + 2)
    .split('\n')
    .slice(0, -1);
  const sigLine = firstLine + countNewlines(text) + 1; // the text's lines, then the blank line
  if (lines.length === 0)
    throw badNote(linePlace(where, sigLine - 1), 'no signature lines after the blank line');
  if (lines.length > max) {
    throw badNote(
      linePlace(where, sigLine + max),
      `note has ${lines.length} signature lines, over the limit of ${max}`,
    );
  }
  return {
    text,
    signatures: lines.map((line, i) => parseSignatureLine(line, linePlace(where, sigLine + i), sigLine + i)),
  };
}

/**
 * Checks a note's layout without checking any signature: text, blank line and well-formed signature lines.
 * Returns the text and the signature lines; throws GOV_SIGNATURE_INVALID naming the line.
 */
export function parseNoteLayout(
  note: string | Uint8Array,
  options: OpenNoteOptions = {},
): { readonly text: string; readonly signatures: readonly NoteSignature[] } {
  const { text, signatures } = splitNote(
    note,
    options.where ?? 'note',
    options.firstLine ?? 1,
    options.maxSignatures ?? DEFAULT_MAX_SIGNATURES,
  );
  return { text, signatures: signatures.map(plain) };
}

function parseSignatureLine(
  line: string,
  place: string,
  lineNumber: number,
): SplitNote['signatures'][number] {
  if (!line.startsWith(SIGNATURE_LINE_PREFIX)) {
    throw badNote(place, 'a signature line must start with an em dash (U+2014) and a space');
  }
  const body = line.slice(SIGNATURE_LINE_PREFIX.length);
  const space = body.indexOf(' ');
  if (space < 0) throw badNote(place, 'signature line has no space between key name and signature');
  const name = body.slice(0, space);
  const base64 = body.slice(space + 1);
  const nameProblem = keyNameProblem(name);
  if (nameProblem !== undefined) throw badNote(place, nameProblem);
  const bytes = decodeBase64Strict(base64);
  if (bytes === undefined) throw badNote(place, `signature ${describeBase64Problem(base64)}`);
  if (bytes.length < 5) {
    throw badNote(place, `signature is ${bytes.length} bytes; it needs a 4-byte key ID and a signature`);
  }
  const keyId = Buffer.from(bytes.buffer, bytes.byteOffset, 4).readUInt32BE(0);
  return { name, keyId, base64, line: lineNumber, bytes };
}

function keyLabel(name: string, keyId: number): string {
  return `${name}+${formatKeyId(keyId)}`;
}

/** Index of verifiers by (name, key ID); two different keys with the same pair make the list ambiguous. */
function indexVerifiers(verifiers: readonly NoteVerifier[]): Map<string, NoteVerifier> {
  const byKey = new Map<string, NoteVerifier>();
  for (const v of verifiers) {
    const label = keyLabel(v.name, v.keyId);
    const seen = byKey.get(label);
    if (seen !== undefined && seen.verifierKey !== v.verifierKey) {
      throw new GovernessError(LedgerErrors.badKey, {
        where: 'verifier list',
        problem: `two different verifier keys share the name and key ID ${label}`,
      });
    }
    byKey.set(label, v);
  }
  return byKey;
}

/**
 * Opens a signed note (C2SP signed-note §Signatures): signatures by unknown keys are ignored, every signature by
 * a known key (same name AND key ID) must verify or the note is rejected, and at least one must verify.
 */
export function openNote(
  note: string | Uint8Array,
  verifiers: readonly NoteVerifier[],
  options: OpenNoteOptions = {},
): OpenedNote {
  const where = options.where ?? 'note';
  const firstLine = options.firstLine ?? 1;
  const { text, signatures } = splitNote(
    note,
    where,
    firstLine,
    options.maxSignatures ?? DEFAULT_MAX_SIGNATURES,
  );
  const known = indexVerifiers(verifiers);
  const textBytes = Buffer.from(text, 'utf8');
  const verified: NoteSignature[] = [];
  const unverified: NoteSignature[] = [];
  const seenKeys = new Set<string>(); // known keys already verified once
  const seenLines = new Set<string>(); // unknown signature lines already listed
  for (const sig of signatures) {
    const label = keyLabel(sig.name, sig.keyId);
    const verifier = known.get(label);
    if (verifier === undefined) {
      if (!seenLines.has(`${label} ${sig.base64}`)) unverified.push(plain(sig));
      seenLines.add(`${label} ${sig.base64}`);
      continue;
    }
    // signed-note §Signatures: a known key's signature MUST be verified, every time it appears.
    if (!verifier.verify(textBytes, sig.bytes.subarray(4))) {
      throw badNote(
        linePlace(where, sig.line),
        `signature by known key ${label} does not verify: the text or the signature was altered`,
      );
    }
    if (!seenKeys.has(label)) verified.push(plain(sig));
    seenKeys.add(label);
  }
  if (verified.length === 0) throw badNote(where, noKnownSignature(signatures, verifiers));
  return { text, verified, unverified };
}

function plain(sig: NoteSignature): NoteSignature {
  return { name: sig.name, keyId: sig.keyId, base64: sig.base64 };
}

/** Explains why no known key signed the note, pointing out same-name signatures with another key ID. */
function noKnownSignature(signatures: readonly NoteSignature[], verifiers: readonly NoteVerifier[]): string {
  const found = [...new Set(signatures.map((s) => keyLabel(s.name, s.keyId)))].join(', ');
  const knownKeys = [...new Set(verifiers.map((v) => keyLabel(v.name, v.keyId)))].join(', ') || 'none';
  const sameName = signatures.find((s) => verifiers.some((v) => v.name === s.name));
  const hint =
    sameName === undefined
      ? ''
      : `; the signature by ${sameName.name} has key ID ${formatKeyId(sameName.keyId)}, not that of the known key`;
  return `no signature by a known key (signed by ${found}; known keys: ${knownKeys})${hint}`;
}

/**
 * Adds signatures to an already signed note, e.g. a second key during a key rotation. Existing signature lines
 * are kept as they are (not verified here) except those by the same key as a new signer, which are replaced.
 */
export function addSignatures(
  note: string,
  signers: readonly NoteSigner[],
  options: OpenNoteOptions = {},
): string {
  const where = options.where ?? 'note';
  const { text, signatures } = splitNote(note, where, options.firstLine ?? 1, Number.MAX_SAFE_INTEGER);
  if (signers.length === 0) throw badNote(where, 'no signer given');
  const replaced = new Set(signers.map((s) => keyLabel(s.name, s.keyId)));
  const kept = signatures
    .filter((s) => !replaced.has(keyLabel(s.name, s.keyId)))
    .map((s) => `${SIGNATURE_LINE_PREFIX}${s.name} ${s.base64}\n`);
  const bytes = Buffer.from(text, 'utf8');
  return `${text}\n${kept.join('')}${signers.map((signer) => signatureLine(signer, bytes)).join('')}`;
}
