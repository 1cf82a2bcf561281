// Key files: one key string followed by a newline. A signer key file is created with mode 0600 and refused on
// read when group or others can access it (as ssh does), because whoever reads it can sign checkpoints. A
// verifier key file is public and may hold several keys, one per line, for a rotation (old and new key).
import { open, readFile, writeFile } from 'node:fs/promises';
import { GovernessError, LedgerErrors } from '../../errors/index.js';
import { parseSignerKey, parseVerifierKey, type NoteSigner, type NoteVerifier } from './keys.js';

/** File mode of signer key files: read/write for the owner only. */
export const SIGNER_KEY_FILE_MODE = 0o600;
/** File mode of verifier key files: public. */
export const VERIFIER_KEY_FILE_MODE = 0o644;

function badKey(where: string, problem: string, cause?: unknown): GovernessError {
  return new GovernessError(LedgerErrors.badKey, { where, problem }, { cause });
}

function fsProblem(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Writes a signer key string to a new file with mode 0600. Refuses to overwrite an existing file: replacing a
 * signing key by accident would lose the only key able to continue the log's checkpoints.
 */
export async function writeSignerKeyFile(path: string, signerKey: string): Promise<void> {
  const where = `signer key file ${path}`;
  parseSignerKey(signerKey, where); // never write a key that could not be read back
  try {
    await writeFile(path, `${signerKey}\n`, { mode: SIGNER_KEY_FILE_MODE, flag: 'wx' });
  } catch (err) {
    const exists = (err as NodeJS.ErrnoException).code === 'EEXIST';
    throw badKey(
      where,
      exists ? 'file already exists; refusing to overwrite a signer key' : fsProblem(err),
      err,
    );
  }
}

/** Reads a signer key file, refusing it when group or others may access it (POSIX systems). */
export async function readSignerKeyFile(path: string): Promise<NoteSigner> {
  const where = `signer key file ${path}`;
  let text: string;
  try {
    // Check the mode of the file we read (fstat on the open handle), not of whatever the path names later.
    const handle = await open(path, 'r');
    try {
      const info = await handle.stat();
      if (process.platform !== 'win32' && (info.mode & 0o077) !== 0) {
        const mode = (info.mode & 0o777).toString(8).padStart(4, '0');
        throw badKey(where, `file mode ${mode} lets other users read the key; run chmod 600 on it`);
      }
      text = await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  } catch (err) {
    if (GovernessError.is(err)) throw err;
    throw badKey(where, fsProblem(err), err);
  }
  return parseSignerKey(stripFinalNewline(text), where);
}

/** Writes verifier key strings (one per line) to a file with mode 0644, replacing it if it exists. */
export async function writeVerifierKeyFile(path: string, verifierKeys: readonly string[]): Promise<void> {
  const where = `verifier key file ${path}`;
  if (verifierKeys.length === 0) throw badKey(where, 'no verifier key to write');
  verifierKeys.forEach((key, i) => parseVerifierKey(key, `${where} line ${i + 1}`));
  try {
    await writeFile(path, verifierKeys.map((key) => `${key}\n`).join(''), { mode: VERIFIER_KEY_FILE_MODE });
  } catch (err) {
    throw badKey(where, fsProblem(err), err);
  }
}

/** Reads a verifier key file: one or more verifier key strings, each on its own line. */
export async function readVerifierKeyFile(path: string): Promise<NoteVerifier[]> {
  const where = `verifier key file ${path}`;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw badKey(where, fsProblem(err), err);
  }
  const lines = stripFinalNewline(text).split('\n');
  if (lines.length === 1 && lines[0] === '') throw badKey(where, 'file is empty');
  return lines.map((line, i) => parseVerifierKey(line, `${where} line ${i + 1}`));
}

/** Removes the one newline that ends a key file; any other whitespace stays and is reported by the parser. */
function stripFinalNewline(text: string): string {
  return text.endsWith('\n') ? text.slice(0, -1) : text;
}
