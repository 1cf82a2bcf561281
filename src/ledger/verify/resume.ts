// Resuming a verification from a saved state, and making the state to save. A state is trusted only as far as
// it proves itself: its checkpoint must verify with a key the caller gives (the one it was saved with), and its
// frontier must reproduce that checkpoint's root. A state that does not belong to the keys or the log, or that
// does not prove itself, is refused (GOV_VERIFY_STATE_INVALID): the caller can start over with a full run.
import { GovernessError, LedgerErrors } from '../../errors/index.js';
import { formatKeyId, openCheckpoint, type Checkpoint, type NoteVerifier } from '../checkpoint/index.js';
import { CompactRange, hashToHex, hashesEqual } from '../merkle/index.js';
import type { ChainHead, LogVerifier, VerifierState } from './log-verifier.js';
import { VERIFY_STATE_FORMAT, type SavedHead, type VerifyState } from './state-file.js';

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
  return {
    checkpoint,
    verifier: {
      size: state.size,
      frontier: state.frontier,
      lastTsMs: state.last_ts_ms,
      heads,
      partial: state.partial,
    },
  };
}

/** What a run must capture when its verifier reaches the checkpoint's size, to save a state later. */
export interface StateSnapshot extends Omit<VerifierState, 'heads'> {
  readonly heads: readonly SavedHead[];
}

/** Copies the verifier's position now (the heads map keeps changing as the run goes on). */
export function snapshot(v: LogVerifier): StateSnapshot {
  const heads: SavedHead[] = [];
  for (const [ledger, head] of v.chainHeads()) heads.push([ledger, head.seq, head.hash]);
  return { ...v.position(), heads };
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
    partial: at.partial,
    heads: at.heads,
  };
}
