// Signs checkpoints of the Merkle log (C2SP tlog-checkpoint in a signed note) on an interval and on demand,
// only when the tree grew, and only after checking that the new tree is consistent with the last signed one:
// "a log MUST not sign any checkpoint which is inconsistent with any checkpoint it previously signed"
// (C2SP tlog-checkpoint). Each new checkpoint is stored (append-only) and then pushed to every anchor.
import { GovernessError, LedgerErrors } from '../errors/index.js';
import type { Clock, TimerHandle, TimerTarget } from '../runtime/clock/clock.js';
import type { Anchor } from './anchors.js';
import {
  openCheckpoint,
  parseVerifierKey,
  signCheckpoint,
  type NoteSigner,
  type NoteVerifier,
} from './checkpoint/index.js';
import { EMPTY_ROOT, consistencyProof, hashesEqual, verifyConsistency, type Hash } from './merkle/index.js';
import { storeHashReader } from './store/tile-source.js';
import type { LedgerStore, StoredCheckpoint } from './store/types.js';

/** The log as the checkpointer sees it: its committed size and root, read together. */
export interface LogView {
  /** Size and root of the committed log, taken at the same instant. */
  snapshot(): { size: number; root: Hash };
}

/** An anchor that failed, kept for status and metrics. */
export interface AnchorFailure {
  readonly anchor: string;
  readonly size: number;
  readonly error: string;
}

/** Makes, stores and anchors signed checkpoints. */
export class Checkpointer implements TimerTarget {
  private timer: TimerHandle | null = null;
  private running: Promise<StoredCheckpoint> | null = null;
  private stopped = false;
  private ownVerifier: NoteVerifier | null = null;
  /** The last checkpoint this checkpointer saved (see make). */
  private saved: StoredCheckpoint | null = null;
  /** Anchor publications that failed (the checkpoint itself is stored; the next one is pushed again). */
  readonly anchorFailures: AnchorFailure[] = [];
  private readonly listeners = new Set<(cp: StoredCheckpoint) => void>();

  constructor(
    private readonly store: LedgerStore,
    private readonly log: LogView,
    private readonly signer: NoteSigner,
    private readonly clock: Clock,
    private readonly anchors: readonly Anchor[] = [],
    private readonly intervalMs = 1000,
  ) {}

  /** The log origin: the signer's key name (C2SP: the origin line names the log's key). */
  get origin(): string {
    return this.signer.name;
  }

  /** The verifier key matching the signer (publish it). */
  get verifierKey(): string {
    return this.signer.verifierKey;
  }

  /** Calls `listener` with each new checkpoint once it is stored and anchored; returns the unsubscribe function. */
  onCheckpoint(listener: (cp: StoredCheckpoint) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Starts signing every intervalMs (when the tree grew). */
  start(): void {
    if (this.timer === null && !this.stopped && this.intervalMs > 0) {
      this.timer = this.clock.schedule(this.clock.now() + this.intervalMs, this, 0);
    }
  }

  /** Stops the interval; a checkpoint in progress completes. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) this.clock.cancel(this.timer);
    this.timer = null;
    await this.running;
  }

  /** @internal interval tick */
  onTimer(): void {
    this.timer = null;
    this.checkpoint().then(
      () => this.start(),
      () => this.start(),
    );
  }

  /** Signs a checkpoint of the committed log now, unless the latest one already covers it; returns the latest. */
  checkpoint(): Promise<StoredCheckpoint> {
    // One at a time: two concurrent signers could both pass the consistency check against the same predecessor.
    const run = (this.running ?? Promise.resolve()).then(
      () => this.make(),
      () => this.make(),
    );
    this.running = run;
    return run;
  }

  private async make(): Promise<StoredCheckpoint> {
    const { size, root } = this.log.snapshot();
    // The store may not show our own last checkpoint yet (PostgreSQL reads through other connections than the
    // writer's): trust what we saved ourselves too, or the same size would be signed and inserted twice.
    const stored = await this.store.latestCheckpoint();
    const last =
      this.saved !== null && (stored === null || stored.size < this.saved.size) ? this.saved : stored;
    if (last !== null && last.size >= size) return last;
    if (last !== null) await this.checkConsistent(last, size, root);
    const note = signCheckpoint({ origin: this.origin, size, rootHash: root }, this.signer);
    const cp: StoredCheckpoint = { size, tsMs: Math.floor(this.clock.wallNow()), note };
    await this.store.saveCheckpoint(cp);
    this.saved = cp;
    for (const a of this.anchors) {
      try {
        await a.publish(note);
      } catch (err) {
        this.anchorFailures.push({
          anchor: a.name,
          size,
          error: err instanceof Error ? err.message : String(err),
        });
      }
    }
    for (const listener of this.listeners) listener(cp);
    return cp;
  }

  private async checkConsistent(last: StoredCheckpoint, size: number, root: Hash): Promise<void> {
    const opened = openCheckpoint(last.note, this.verifier(), {
      expectedOrigin: this.origin,
      where: `stored checkpoint ${last.size}`,
    });
    if (opened.checkpoint.size !== last.size) {
      throw new GovernessError(LedgerErrors.storeCorrupt, {
        where: `checkpoint ${last.size}`,
        problem: `the stored note says size ${opened.checkpoint.size}`,
      });
    }
    // Every tree extends the empty one and RFC 9162 defines no proof from size 0: a checkpoint signed while the
    // log was empty (the first interval tick of a new log) only has to carry the empty root.
    if (last.size === 0) {
      if (!hashesEqual(opened.checkpoint.rootHash, EMPTY_ROOT)) {
        throw new GovernessError(LedgerErrors.inconsistent, {
          size,
          earlier: 0,
          problem: 'the stored checkpoint of size 0 does not carry the empty tree root',
        });
      }
      return;
    }
    const proof = await consistencyProof(last.size, size, storeHashReader(this.store, size));
    verifyConsistency(last.size, size, proof, opened.checkpoint.rootHash, root);
  }

  private verifier(): NoteVerifier {
    return (this.ownVerifier ??= parseVerifierKey(this.signer.verifierKey, 'the log signer'));
  }
}
