// The verify state file (`governess verify --state FILE`): what one successful run hands to the next so that it
// checks only the receipts appended since. JSON, versioned `governess.verify-state/v2`, one head (and one private
// receipt, one erasure) per line so a state of millions of ledgers stays diffable; v2 added what the
// redaction-aware verifier carries (`start`, `privates`, `erased`); the byte format is in
// docs/ledger/verification.md. This module
// only reads and writes the file and checks its shape; resume.ts checks it against the keys and the log.
import { randomBytes } from 'node:crypto';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { GovernessError, LedgerErrors } from '../../errors/index.js';

/** The `format` of every verify state file this build reads and writes. */
export const VERIFY_STATE_FORMAT = 'governess.verify-state/v2';

/** The format before erasure checks: refused with a pointer to `--full`, since it lacks `privates`. */
const FORMAT_V1 = 'governess.verify-state/v1';

/** A ledger's last verified receipt in a saved state: `[ledger id, ledger_seq, leaf hash as 64 lower-case hex]`. */
export type SavedHead = readonly [ledger: string, seq: number, hash: string];

/** A receipt with a private commitment, not erased yet: `[log index, ledger id, ledger_seq]`. */
export type SavedPrivate = readonly [index: number, ledger: string, seq: number];

/** An erased receipt: `[its log index, log index of the erasure receipt]`. */
export type SavedErasure = readonly [index: number, by: number];

/** The saved state of a verification that ended at a signed checkpoint (the file's JSON, field for field). */
export interface VerifyState {
  /** Always `governess.verify-state/v2`. */
  readonly format: typeof VERIFY_STATE_FORMAT;
  /** The log origin (its key name). */
  readonly origin: string;
  /** Key ID (8 lower-case hex digits, the `<hash>` of the verifier key) of the log key that signed `checkpoint`. */
  readonly key_hash: string;
  /** The signed checkpoint note the run ended at; `size` and `frontier` describe exactly its tree. */
  readonly checkpoint: string;
  /** Receipts verified: the checkpoint's tree size. */
  readonly size: number;
  /** Hex of the serialised Merkle frontier of those `size` leaves (docs/ledger/merkle.md). */
  readonly frontier: string;
  /** Largest receipt `ts` seen, in epoch milliseconds (the next receipt may not be earlier). */
  readonly last_ts_ms: number;
  /**
   * First log index the saved runs saw: 0, or a range export's `from` (then ledgers not in `heads` may start
   * past seq 1, and erasures of receipts before it are not checkable).
   */
  readonly start: number;
  /**
   * Every ledger seen, in the order first seen. An array rather than an object keyed by ledger id: JSON.parse
   * builds arrays much faster than objects with millions of keys, and the order keeps the file stable.
   */
  readonly heads: readonly SavedHead[];
  /** Receipts with a private commitment not erased yet, by ascending log index (what an erasure must name). */
  readonly privates: readonly SavedPrivate[];
  /** Erasures seen, in the order of their erasure receipts (an index may be erased only once). */
  readonly erased: readonly SavedErasure[];
}

/** The fields in file order: the scalars, then the lists written one entry per line. */
const FIELDS = [
  'format',
  'origin',
  'key_hash',
  'size',
  'frontier',
  'last_ts_ms',
  'start',
  'checkpoint',
  'heads',
  'privates',
  'erased',
] as const;
const HEX64 = /^[0-9a-f]{64}$/;

function bad(where: string, problem: string, cause?: unknown): GovernessError {
  return new GovernessError(LedgerErrors.badVerifyState, { where, problem }, { cause });
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Checks the shape of a state file's text; errors name `where` (the file) and the field. */
export function parseVerifyState(text: string, where: string): VerifyState {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw bad(where, `not valid JSON (${message(err)}): the file is damaged; use --full to start over`, err);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw bad(where, 'must be a JSON object');
  }
  const v = value as Record<string, unknown>;
  const field = (name: string): string => `${where} field ${name}`;
  if (v['format'] === FORMAT_V1) {
    throw bad(
      field('format'),
      `is ${FORMAT_V1}, saved by a build that did not track private receipts and erasures; this build reads ${VERIFY_STATE_FORMAT}: run once with --full to rewrite it`,
    );
  }
  if (v['format'] !== VERIFY_STATE_FORMAT) {
    throw bad(field('format'), `is ${JSON.stringify(v['format'])}, this build reads ${VERIFY_STATE_FORMAT}`);
  }
  for (const name of FIELDS) {
    if (!(name in v)) throw bad(field(name), 'is missing');
  }
  for (const key of Object.keys(v)) {
    if (!(FIELDS as readonly string[]).includes(key)) throw bad(field(key), 'unknown field');
  }
  const origin = v['origin'];
  if (typeof origin !== 'string' || origin === '') throw bad(field('origin'), 'must be a non-empty string');
  const keyHash = v['key_hash'];
  if (typeof keyHash !== 'string' || !/^[0-9a-f]{8}$/.test(keyHash)) {
    throw bad(field('key_hash'), 'must be the 8 lower-case hex digits of a key ID');
  }
  const checkpoint = v['checkpoint'];
  if (typeof checkpoint !== 'string' || checkpoint === '') {
    throw bad(field('checkpoint'), 'must be a signed checkpoint note');
  }
  const size = count(v['size'], field('size'));
  const frontier = v['frontier'];
  if (typeof frontier !== 'string' || !/^(?:[0-9a-f]{2})*$/.test(frontier)) {
    throw bad(field('frontier'), 'must be lower-case hex bytes');
  }
  const lastTs = count(v['last_ts_ms'], field('last_ts_ms'));
  const start = count(v['start'], field('start'));
  if (start > size) throw bad(field('start'), `is ${start}, past size ${size}`);
  const heads = v['heads'];
  if (!Array.isArray(heads)) throw bad(field('heads'), 'must be an array of [ledger, seq, hash]');
  heads.forEach((head: unknown, i) => checkHead(head, field(`heads[${i}]`)));
  const privates = v['privates'];
  if (!Array.isArray(privates)) throw bad(field('privates'), 'must be an array of [index, ledger, seq]');
  privates.forEach((p: unknown, i) => checkPrivate(p, size, field(`privates[${i}]`)));
  const erased = v['erased'];
  if (!Array.isArray(erased)) throw bad(field('erased'), 'must be an array of [index, by]');
  erased.forEach((e: unknown, i) => checkErasure(e, size, field(`erased[${i}]`)));
  return {
    format: VERIFY_STATE_FORMAT,
    origin,
    key_hash: keyHash,
    checkpoint,
    size,
    frontier,
    last_ts_ms: lastTs,
    start,
    heads: heads as SavedHead[],
    privates: privates as SavedPrivate[],
    erased: erased as SavedErasure[],
  };
}

function checkHead(head: unknown, where: string): void {
  if (!Array.isArray(head) || head.length !== 3) throw bad(where, 'must be [ledger, seq, hash]');
  const [ledger, seq, hash] = head as unknown[];
  if (typeof ledger !== 'string' || ledger === '') throw bad(where, 'ledger must be a non-empty string');
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) {
    throw bad(where, `seq must be an integer of at least 1, got ${JSON.stringify(seq)}`);
  }
  if (typeof hash !== 'string' || !HEX64.test(hash)) {
    throw bad(where, 'hash must be 64 lower-case hex characters');
  }
}

function checkPrivate(entry: unknown, size: number, where: string): void {
  if (!Array.isArray(entry) || entry.length !== 3) throw bad(where, 'must be [index, ledger, seq]');
  const [index, ledger, seq] = entry as unknown[];
  if (count(index, where, 'index') >= size)
    throw bad(where, `index ${String(index)} is not below size ${size}`);
  if (typeof ledger !== 'string' || ledger === '') throw bad(where, 'ledger must be a non-empty string');
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) {
    throw bad(where, `seq must be an integer of at least 1, got ${JSON.stringify(seq)}`);
  }
}

function checkErasure(entry: unknown, size: number, where: string): void {
  if (!Array.isArray(entry) || entry.length !== 2) throw bad(where, 'must be [index, by]');
  const index = count(entry[0], where, 'index');
  const by = count(entry[1], where, 'by');
  if (index >= by || by >= size) {
    throw bad(where, `needs index < by < size (${size}), got [${index}, ${by}]`);
  }
}

function count(value: unknown, where: string, name?: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    const what = name === undefined ? 'must be' : `${name} must be`;
    throw bad(where, `${what} an integer of at least 0, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** The file text: scalar fields one per line, then the heads, privates and erasures, one entry per line each. */
export function formatVerifyState(state: VerifyState): string {
  const lines = FIELDS.map((f) => {
    const value = state[f];
    if (!Array.isArray(value)) return `  ${JSON.stringify(f)}: ${JSON.stringify(value)}`;
    if (value.length === 0) return `  ${JSON.stringify(f)}: []`;
    const entries = value.map((entry: unknown) => `    ${JSON.stringify(entry)}`);
    return `  ${JSON.stringify(f)}: [\n${entries.join(',\n')}\n  ]`;
  });
  return `{\n${lines.join(',\n')}\n}\n`;
}

/** Reads a state file; null when it does not exist (the first run). A damaged file throws naming it. */
export async function readVerifyStateFile(path: string): Promise<VerifyState | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw bad(`state file ${path}`, `cannot read: ${message(err)}`, err);
  }
  return parseVerifyState(text, `state file ${path}`);
}

/**
 * Replaces the state file atomically: the text goes to a new temporary file beside it, which is fsynced and then
 * renamed over the old one, and the directory is fsynced; a crash leaves either the old state or the new one.
 */
export async function writeVerifyStateFile(path: string, state: VerifyState): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const fh = await open(tmp, 'wx', 0o644);
    try {
      await fh.writeFile(formatVerifyState(state), 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw bad(`state file ${path}`, `cannot write: ${message(err)}`, err);
  }
  await syncDirectory(dirname(path));
}

/** Makes a rename durable (POSIX); platforms that cannot open a directory for fsync skip it. */
async function syncDirectory(dir: string): Promise<void> {
  let fh;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch {
    // Windows cannot fsync a directory; the rename itself is still atomic there.
  } finally {
    await fh?.close();
  }
}
