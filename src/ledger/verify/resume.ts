// Resuming a verification from a saved state, and making the state to save. A state is trusted only as far as
// it proves itself: its checkpoint must verify with a key the caller gives (the one it was saved with), and its
// frontier must reproduce that checkpoint's root. A state that does not belong to the keys or the log, or that
// does not prove itself, is refused (GOV_VERIFY_STATE_INVALID): the caller can start over with a full run.
import { GovernessError, LedgerErrors } from '../../errors/index.js';
import { formatKeyId, openCheckpoint, type Checkpoint, type NoteVerifier } from '../checkpoint/index.js';
import { CompactRange, hashToHex, hashesEqual } from '../merkle/index.js';
import type { ChainHead, LogVerifier, PrivateRef, VerifierPosition, VerifierState } from './log-verifier.js';
import {
  VERIFY_STATE_FORMAT,
  type SavedErasure,
  type SavedHead,
  type SavedPrivate,
  type VerifyState,
} from './state-file.js';

/** A saved state that proved itself: where the new run starts. */
export interface Resume {
  /** The checkpoint the saved run ended at (its signature verified). */
  readonly checkpoint: Checkpoint;
  /** The LogVerifier state to start from. */
  readonly verifier: VerifierState;
}

function bad(where: string, problem: string, cause?: unknown): GovernessError {
  return new GovernessError(LedgerErrors.badVerifyState, { where, problem }, { cause });
}

/** Checks `state` against the caller's keys and its own checkpoint; `where` names it in errors. */
export function resumeFrom(state: VerifyState, keys: readonly NoteVerifier[], where: string): Resume {
  const label = `${state.origin}+${state.key_hash}`;
  if (!keys.some((k) => k.name === state.origin && formatKeyId(k.keyId) === state.key_hash)) {
    const given = keys.map((k) => `${k.name}+${formatKeyId(k.keyId)}`).join(', ') || 'none';
    throw bad(
      where,
      `it was saved for the log key ${label}, which is not among the keys given (${given}); pass that key, or use --full to verify everything again`,
    );
  }
  let checkpoint: Checkpoint;
  try {
    checkpoint = openCheckpoint(state.checkpoint, keys, {
      where: `${where} field checkpoint`,
      expectedOrigin: state.origin,
    }).checkpoint;
  } catch (err) {
    throw bad(
      where,
      `its checkpoint does not verify: ${err instanceof Error ? err.message : String(err)}`,
      err,
    );
  }
  if (checkpoint.size !== state.size) {
    throw bad(where, `field size is ${state.size} but its checkpoint covers ${checkpoint.size} receipts`);
  }
  let frontier: CompactRange;
  try {
    frontier = CompactRange.fromBytes(
      new Uint8Array(Buffer.from(state.frontier, 'hex')),
      `${where} field frontier`,
    );
  } catch (err) {
    throw bad(where, `field frontier is damaged: ${err instanceof Error ? err.message : String(err)}`, err);
  }
  if (frontier.size !== state.size) {
    throw bad(where, `field frontier covers ${frontier.size} receipts, field size says ${state.size}`);
  }
  if (!hashesEqual(frontier.root(), checkpoint.rootHash)) {
    throw bad(
      where,
      `field frontier has root ${hashToHex(frontier.root())}, its checkpoint ${hashToHex(checkpoint.rootHash)}: the file was edited or damaged`,
    );
  }
  const heads = new Map<string, ChainHead>();
  state.heads.forEach(([ledger, seq, hash], i) => {
    if (heads.has(ledger)) throw bad(where, `field heads[${i}] repeats the ledger ${JSON.stringify(ledger)}`);
    heads.set(ledger, { seq, hash });
  });
  const { privates, erased } = redactionsOf(state, heads, where);
  return {
    checkpoint,
    verifier: {
      size: state.size,
      frontier: state.frontier,
      lastTsMs: state.last_ts_ms,
      heads,
      partial: state.start > 0,
      start: state.start,
      privates,
      erased,
    },
  };
}

/**
 * The saved private receipts and erasures as the verifier's maps. Each entry must fit the heads (a receipt the
 * saved runs saw has its ledger's head at or after it) and no index may appear twice, so a hand-edited list
 * cannot make a later erasure pass or fail for the wrong reason.
 */
function redactionsOf(
  state: VerifyState,
  heads: ReadonlyMap<string, ChainHead>,
  where: string,
): { privates: Map<number, PrivateRef>; erased: Map<number, number> } {
  const privates = new Map<number, PrivateRef>();
  state.privates.forEach(([index, ledger, seq], i) => {
    const at = `field privates[${i}]`;
    const head = heads.get(ledger);
    if (head === undefined || head.seq < seq) {
      throw bad(where, `${at} names ${ledger} seq ${seq}, past that ledger's head in field heads`);
    }
    if (index < state.start)
      throw bad(where, `${at} names index ${index}, before field start ${state.start}`);
    if (privates.has(index)) throw bad(where, `${at} repeats the index ${index}`);
    privates.set(index, { ledger, seq });
  });
  const erased = new Map<number, number>();
  state.erased.forEach(([index, by], i) => {
    const at = `field erased[${i}]`;
    if (erased.has(index)) throw bad(where, `${at} repeats the index ${index}`);
    if (privates.has(index))
      throw bad(where, `${at} names index ${index}, which field privates lists as not erased`);
    erased.set(index, by);
  });
  return { privates, erased };
}

/** What a run must capture when its verifier reaches the checkpoint's size, to save a state later. */
export interface StateSnapshot extends VerifierPosition {
  readonly heads: readonly SavedHead[];
  readonly privates: readonly SavedPrivate[];
  readonly erased: readonly SavedErasure[];
}

/** Copies the verifier's position now (its maps keep changing as the run goes on). */
export function snapshot(v: LogVerifier): StateSnapshot {
  const heads: SavedHead[] = [];
  for (const [ledger, head] of v.chainHeads()) heads.push([ledger, head.seq, head.hash]);
  const privates: SavedPrivate[] = [];
  for (const [index, ref] of v.unerased()) privates.push([index, ref.ledger, ref.seq]);
  // Map order is insertion order: ascending log index for privates, erasure-receipt order for erasures.
  const erased: SavedErasure[] = [...v.erased()];
  return { ...v.position(), heads, privates, erased };
}

/**
 * The state to save after a successful run: the snapshot taken at the verified checkpoint `note`, whose log
 * key (the verified signature named like the origin) is recorded as key_hash. Null when `note` has no such
 * signature by one of `keys` (cannot happen for a checkpoint that verified).
 */
export function stateAt(note: string, keys: readonly NoteVerifier[], at: StateSnapshot): VerifyState | null {
  const opened = openCheckpoint(note, keys);
  const origin = opened.checkpoint.origin;
  const logKey = opened.note.verified.find((sig) => sig.name === origin);
  if (logKey === undefined || opened.checkpoint.size !== at.size) return null;
  return {
    format: VERIFY_STATE_FORMAT,
    origin,
    key_hash: formatKeyId(logKey.keyId),
    checkpoint: note,
    size: at.size,
    frontier: at.frontier,
    last_ts_ms: at.lastTsMs,
    // A whole-log verification saves 0: `start` > 0 would make the next run treat it as a range.
    start: at.partial ? (at.start ?? 0) : 0,
    heads: at.heads,
    privates: at.privates,
    erased: at.erased,
  };
}
