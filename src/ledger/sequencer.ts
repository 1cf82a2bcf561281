// The single writer of a ledger database: group commit, pipelined. Appends queue here. A batch (up to maxBatch
// receipts, or whatever queued within maxDelayMs) is SEALED in memory — ledger_seq, prev, ts, receipt_id,
// canonical bytes, leaf hash, Merkle tiles — on top of the committed log plus every batch sealed before it, and
// then COMMITTED: while the store commits one group, the next batches are sealed, and every sealed batch
// waiting (up to maxCommit receipts) goes into the next transaction, handed to the store as soon as it takes
// one more (a pipelined store takes a second while it writes the first). Every append's promise settles only
// after the COMMIT that carries it: resolved if it committed, rejected (all of that group) if not; batches
// sealed on top of a failed group, sent or not, are unsealed and sealed again once every commit in flight has
// answered and the writer has re-read its state from the store. The committed view (size, root: what
// checkpoints sign) advances only after COMMIT (docs/ledger/storage.md, "Group commit").
import { GovernessError, LedgerErrors } from '../errors/index.js';
import type { Clock, TimerHandle, TimerTarget } from '../runtime/clock/clock.js';
import {
  CompactRange,
  hashToHex,
  leafHash,
  tileKeyString,
  type Hash,
  type TileSource,
} from './merkle/index.js';
import {
  Uuidv7Generator,
  decodeReceipt,
  ledgerId,
  validateDraft,
  type ReceiptDraft,
  type ReceiptOptions,
} from './receipt/index.js';
import {
  idempotencyKeyOf,
  mergeBatches,
  sealBatch,
  type AppendAck,
  type LedgerHead,
  type SealRequest,
  type SealView,
  type SealedBatch,
} from './seal-batch.js';
import type { LedgerStore, RowWrite, StoredLogState } from './store/types.js';
import { BoundedCache } from './store/bounded-cache.js';
import { tileSourceOf } from './store/tile-source.js';

export type { AppendAck } from './seal-batch.js';

/** Tuning of the group commit. */
export interface GroupCommitOptions {
  /** Most receipts per sealed batch (default 256, one tile). */
  readonly maxBatch?: number;
  /** Most receipts per store transaction: sealed batches that waited for the store go in together (default 1024). */
  readonly maxCommit?: number;
  /**
   * While the store is busy, how long appends gather before a partial batch is sealed (default 2 ms; 0 = next
   * macrotask). An idle store gets each macrotask's appends at once.
   */
  readonly maxDelayMs?: number;
  /** Ledger heads kept in memory (default 100,000); others are read from the store when next appended to. */
  readonly headCacheSize?: number;
  /** Most commits in the store's hands at once (default and upper bound: the store's `pipelineDepth`). */
  readonly commitPipeline?: number;
}

/** Per-append options. */
export interface AppendOptions {
  /** Side-table writes committed in the same transaction as the receipt (durable state, timers...). */
  readonly rows?: readonly RowWrite[];
  /** Log indexes whose private payload (salt and payload) is deleted in the same transaction (erasure). */
  readonly erase?: readonly number[];
  /** Seal state_from and state_to as the ledger's current state (a receipt that records no transition). */
  readonly keepState?: boolean;
  /**
   * The caller keeps its own unique record of the draft's idempotency key, written in the same transaction
   * (the durable layer's reply row), and has checked it: the ledger neither looks the key up nor stores it in
   * its (ledger, key) index, one B-tree insert fewer per append. The key stays in the receipt's cause, but
   * `findByIdempotencyKey` does not find the receipt and a repeat is not answered as a duplicate here.
   */
  readonly callerDedupes?: boolean;
}

/** Shared by every append without side-table rows or erasures (the request only reads them). */
const NO_ROWS: readonly RowWrite[] = Object.freeze([]);
const NO_ERASE: readonly number[] = Object.freeze([]);

interface Request extends SealRequest {
  readonly resolve: (ack: AppendAck) => void;
  readonly reject: (err: unknown) => void;
}

/** A sealed batch waiting for (or in) its commit. */
interface InFlight {
  readonly id: number;
  readonly reqs: readonly Request[];
  readonly sealed: SealedBatch;
}

/** Something sealed-but-uncommitted, remembered with the batch that wrote it. */
interface Tentative<T> {
  readonly value: T;
  readonly batch: number;
}

/** The group-commit writer over one store. Create with `Sequencer.open`. */
export class Sequencer implements TimerTarget {
  private pending: Request[] = [];
  /** Sealed batches not yet committed, oldest first; the first `sentCount` are in the store's hands. */
  private sealedQueue: InFlight[] = [];
  private sentCount = 0;
  /** Commits the store has not answered yet, and the most it takes at once. */
  private groupsInFlight = 0;
  private readonly pipeline: number;
  /** Settles when the outcome of the last group sent has been applied: outcomes are applied in send order. */
  private lastOutcome: Promise<void> = Promise.resolve();
  /**
   * A group failed and groups sent after it are still in flight: nothing is sent or sealed until they have all
   * answered. Their appends, if the store refused them only because of the failure, wait here to be sealed again.
   */
  private recovering = false;
  private reseal: Request[] = [];
  private sealing = false;
  private timer: TimerHandle | null = null;
  /** A partial batch may be sealed (maxDelayMs passed since it started gathering, or a flush asked). */
  private due = false;
  private stale = false;
  private closed = false;
  /** Bumped when a commit fails: a seal that started before it is discarded. */
  private epoch = 0;
  private nextBatchId = 1;
  /** The log after every sealed batch (what the next batch is sealed on). */
  private tip: { size: number; lastTsMs: number; frontier: CompactRange };
  /** Heads of committed ledgers; an evicted head costs one read to bring back. */
  private readonly heads: BoundedCache<string, LedgerHead>;
  private readonly tentativeHeads = new Map<string, Tentative<LedgerHead>>();
  private readonly tentativeTiles = new Map<string, Tentative<Uint8Array>>();
  private readonly tentativeKeys = new Map<string, Tentative<AppendAck>>();
  private readonly uuids = new Uuidv7Generator();
  private readonly maxBatch: number;
  private readonly maxCommit: number;
  private readonly maxDelayMs: number;
  private drained: (() => void)[] = [];
  private readonly commitListeners = new Set<(size: number) => void>();
  /** Number of committed store transactions (statistics). */
  batches = 0;

  private constructor(
    private readonly store: LedgerStore,
    private readonly clock: Clock,
    private state: StoredLogState,
    private frontier: CompactRange,
    private readonly receiptOptions: ReceiptOptions,
    options: GroupCommitOptions,
  ) {
    this.maxBatch = positiveInt(options.maxBatch ?? 256, 'maxBatch');
    this.maxCommit = Math.max(this.maxBatch, positiveInt(options.maxCommit ?? 1024, 'maxCommit'));
    this.maxDelayMs = options.maxDelayMs ?? 2;
    if (!(this.maxDelayMs >= 0)) throw badOption('maxDelayMs', 'must be >= 0');
    this.heads = new BoundedCache(positiveInt(options.headCacheSize ?? 100_000, 'headCacheSize'));
    const depth = positiveInt(store.pipelineDepth ?? 1, 'store pipelineDepth');
    this.pipeline = Math.min(depth, positiveInt(options.commitPipeline ?? depth, 'commitPipeline'));
    this.tip = { size: state.size, lastTsMs: state.lastTsMs, frontier };
  }

  /** Opens the store (creating its tables) and resumes after its last committed batch. */
  static async open(
    store: LedgerStore,
    clock: Clock,
    receiptOptions: ReceiptOptions = {},
    options: GroupCommitOptions = {},
  ): Promise<Sequencer> {
    const state = await store.open();
    return new Sequencer(store, clock, state, frontierOf(state), receiptOptions, options);
  }

  /** Receipts committed so far (the global log's size). */
  get size(): number {
    return this.state.size;
  }

  /** The Merkle root of the committed log. */
  root(): Hash {
    return this.frontier.root();
  }

  /** Calls `listener(size)` after every commit with the new committed size; returns the unsubscribe function. */
  onCommit(listener: (size: number) => void): () => void {
    this.commitListeners.add(listener);
    return () => this.commitListeners.delete(listener);
  }

  /**
   * Validates the draft now (bad input is refused before anything is queued) and resolves once the receipt is
   * committed. Rejects with GOV_APPEND_FAILED if its batch failed; nothing of that batch is stored.
   */
  append(draft: ReceiptDraft, options: AppendOptions = {}): Promise<AppendAck> {
    if (this.closed)
      return Promise.reject(new GovernessError(LedgerErrors.appendFailed, { problem: 'ledger closed' }));
    // The frozen checked copy is what gets sealed: the caller cannot change it later, and it is not checked twice.
    const valid = validateDraft(draft, this.receiptOptions);
    // A bad side-table row is refused here, alone, rather than failing a whole batch of other callers' receipts.
    if (options.rows !== undefined) this.store.checkRows(options.rows);
    const ledger = ledgerId(valid.governor, valid.sku_id, valid.tenant_id);
    return new Promise<AppendAck>((resolve, reject) => {
      this.pending.push({
        draft: valid,
        ledger,
        rows: options.rows ?? NO_ROWS,
        erase: options.erase ?? NO_ERASE,
        keepState: options.keepState === true,
        callerDedupes: options.callerDedupes === true,
        resolve,
        reject,
      });
      this.kick();
    });
  }

  /** Resolves when everything appended so far has been committed (or failed). */
  flush(): Promise<void> {
    if (this.idle()) return Promise.resolve();
    this.makeDue();
    return new Promise((resolve) => this.drained.push(resolve));
  }

  /** Commits what is queued, then refuses further appends. The store is left open (its owner closes it). */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
  }

  /** @internal the maxDelayMs timer */
  onTimer(): void {
    this.timer = null;
    this.makeDue();
  }

  // ---- scheduling ----

  private idle(): boolean {
    return (
      this.pending.length === 0 &&
      this.sealedQueue.length === 0 &&
      !this.sealing &&
      this.groupsInFlight === 0 &&
      !this.recovering
    );
  }

  private makeDue(): void {
    if (this.timer !== null) this.clock.cancel(this.timer);
    this.timer = null;
    this.due = true;
    this.pumpSeal();
  }

  /** Nothing sealed is waiting for or in the store. */
  private storeIdle(): boolean {
    return this.groupsInFlight === 0 && this.sealedQueue.length === 0 && !this.sealing;
  }

  private kick(): void {
    if (this.pending.length >= this.maxBatch || this.due) {
      this.pumpSeal();
    } else if (this.timer === null) {
      // An idle store commits at once (the appends of this tick go together): waiting would only add latency.
      // A busy one lets appends gather for up to maxDelayMs, sealing them meanwhile so the next commit is ready.
      if (this.maxDelayMs === 0 || this.storeIdle()) {
        this.timer = { at: 0 };
        this.clock.defer(() => {
          this.timer = null;
          this.makeDue();
        });
      } else {
        this.timer = this.clock.schedule(this.clock.now() + this.maxDelayMs, this, 0);
      }
    }
  }

  /** Sealed receipts waiting for the store: sealing stops at twice maxCommit so memory stays bounded. */
  private uncommitted(): number {
    let n = 0;
    for (const f of this.sealedQueue) n += f.reqs.length;
    return n;
  }

  private pumpSeal(): void {
    if (this.sealing) return;
    void this.sealLoop();
  }

  private async sealLoop(): Promise<void> {
    this.sealing = true;
    try {
      while (
        !this.recovering &&
        this.pending.length > 0 &&
        (this.due || this.pending.length >= this.maxBatch) &&
        this.uncommitted() < 2 * this.maxCommit
      ) {
        const reqs = this.pending.splice(0, this.maxBatch);
        if (this.pending.length === 0) this.due = false;
        await this.sealOne(reqs);
      }
      if (this.pending.length > 0 && !this.due && this.timer === null) this.kick();
    } finally {
      this.sealing = false;
      if (this.recovering) this.finishRecovery();
      this.settleIfIdle();
    }
  }

  private async sealOne(reqs: Request[]): Promise<void> {
    const epoch = this.epoch;
    let sealed: SealedBatch;
    try {
      if (this.stale) await this.resync();
      sealed = await sealBatch(reqs, this.view(), this.clock.wallNow(), this.uuids, this.receiptOptions);
    } catch (err) {
      if (epoch !== this.epoch) {
        this.pending.unshift(...reqs);
        return;
      }
      // A read failed or a draft could not be sealed: nothing was applied anywhere, the tip is unchanged.
      const failure = appendFailure(err);
      for (const r of reqs) r.reject(failure);
      return;
    }
    if (epoch !== this.epoch) {
      // A commit failed while this batch was being sealed on top of it: seal it again on the re-read state.
      this.pending.unshift(...reqs);
      return;
    }
    const id = this.nextBatchId++;
    this.tip = {
      size: sealed.batch.state.size,
      lastTsMs: sealed.batch.state.lastTsMs,
      frontier: sealed.frontier,
    };
    for (const [l, head] of sealed.heads) this.tentativeHeads.set(l, { value: head, batch: id });
    for (const t of sealed.batch.tiles) {
      this.tentativeTiles.set(tileKeyString(t), { value: t.hashes, batch: id });
    }
    for (const [k, ack] of sealed.keys) this.tentativeKeys.set(k, { value: ack, batch: id });
    this.sealedQueue.push({ id, reqs, sealed });
    this.pumpCommit();
  }

  /** Hands the store the next groups of sealed batches, as many as it takes at once. */
  private pumpCommit(): void {
    while (
      !this.recovering &&
      this.groupsInFlight < this.pipeline &&
      this.sentCount < this.sealedQueue.length
    ) {
      let n = 0;
      let count = 0;
      for (let i = this.sentCount; i < this.sealedQueue.length; i++) {
        const f = this.sealedQueue[i] as InFlight;
        if (count > 0 && n + f.reqs.length > this.maxCommit) break;
        n += f.reqs.length;
        count++;
      }
      const group = this.sealedQueue.slice(this.sentCount, this.sentCount + count);
      this.sentCount += count;
      this.groupsInFlight++;
      const outcome = this.store.commit(mergeBatches(group.map((f) => f.sealed.batch))).then(
        () => null,
        (err: unknown) => ({ err }),
      );
      const before = this.lastOutcome;
      const answered = outcome.then(async (o) => {
        await before;
        this.groupAnswered(group, o);
      });
      // The order holds even if applying an outcome threw (a commit listener), which stays unhandled as before.
      this.lastOutcome = answered.catch(() => undefined);
      void answered;
    }
  }

  /** Applies a group's outcome; groups are answered in the order they were sent, so it is the oldest sent. */
  private groupAnswered(group: InFlight[], outcome: { err: unknown } | null): void {
    this.groupsInFlight--;
    this.sealedQueue.splice(0, group.length);
    this.sentCount -= group.length;
    if (outcome === null) {
      this.batches++;
      for (const f of group) this.applyCommitted(f);
      for (const f of group) f.sealed.acks.forEach((ack, i) => (f.reqs[i] as Request).resolve(ack));
      for (const listener of this.commitListeners) listener(this.state.size);
    } else if (this.recovering && GovernessError.is(outcome.err, LedgerErrors.logMoved)) {
      // Sealed on top of a group that failed, and refused by the store for that alone: nothing of it was
      // written, so its appends are sealed again rather than failed.
      for (const f of group) this.reseal.push(...f.reqs);
    } else {
      const failure = appendFailure(outcome.err);
      for (const f of group) for (const r of f.reqs) r.reject(failure);
      // Whether or not the store applied anything, our view may now differ from it: a seal in progress is
      // discarded, nothing more is sent, and the writer re-reads its state once every commit has answered.
      this.recovering = true;
      this.epoch++;
    }
    if (this.recovering) {
      this.finishRecovery();
    } else {
      this.pumpCommit();
      // The store is free and nothing sealed waits: what gathered meanwhile goes now rather than at its timer.
      if (this.pending.length > 0 && this.sealedQueue.length === 0) this.makeDue();
      this.pumpSeal();
    }
    this.settleIfIdle();
  }

  /**
   * Once no commit is in flight and no seal in progress after a failure: every batch sealed on top of the
   * failed group goes back to the front of the queue, in order (those the store refused, then those never
   * sent), to be sealed again on the state the writer re-reads from the store.
   */
  private finishRecovery(): void {
    if (this.groupsInFlight > 0 || this.sealing) return;
    const unsent = this.sealedQueue.flatMap((f) => f.reqs);
    this.pending.unshift(...this.reseal, ...unsent);
    this.reseal = [];
    this.sealedQueue = [];
    this.sentCount = 0;
    this.recovering = false;
    this.stale = true;
    this.tentativeHeads.clear();
    this.tentativeTiles.clear();
    this.tentativeKeys.clear();
    this.tip = { size: this.state.size, lastTsMs: this.state.lastTsMs, frontier: this.frontier };
    this.due = true;
    this.pumpSeal();
  }

  private applyCommitted(f: InFlight): void {
    this.state = f.sealed.batch.state;
    this.frontier = f.sealed.frontier;
    for (const [l, head] of f.sealed.heads) {
      this.remember(l, head);
      if (this.tentativeHeads.get(l)?.batch === f.id) this.tentativeHeads.delete(l);
    }
    for (const t of f.sealed.batch.tiles) {
      const k = tileKeyString(t);
      if (this.tentativeTiles.get(k)?.batch === f.id) this.tentativeTiles.delete(k);
    }
    for (const k of f.sealed.keys.keys()) {
      if (this.tentativeKeys.get(k)?.batch === f.id) this.tentativeKeys.delete(k);
    }
  }

  private settleIfIdle(): void {
    if (!this.idle() || this.drained.length === 0) return;
    const waiters = this.drained;
    this.drained = [];
    for (const w of waiters) w();
  }

  private async resync(): Promise<void> {
    this.heads.clear();
    this.state = await this.store.open();
    this.frontier = frontierOf(this.state);
    this.tip = { size: this.state.size, lastTsMs: this.state.lastTsMs, frontier: this.frontier };
    this.stale = false;
  }

  // ---- the view a batch is sealed on ----

  private view(): SealView {
    const storeTiles = tileSourceOf(this.store);
    const tiles: TileSource = {
      readTiles: async (keys) => {
        const own = keys.map((k) => this.tentativeTiles.get(tileKeyString(k))?.value);
        const missing = keys.filter((_, i) => own[i] === undefined);
        if (missing.length === 0) return own;
        const read = await storeTiles.readTiles(missing);
        let j = 0;
        return own.map((t) => t ?? read[j++]);
      },
    };
    return {
      size: this.tip.size,
      lastTsMs: this.tip.lastTsMs,
      frontier: this.tip.frontier,
      tiles,
      knownHead: (ledger) => this.knownHead(ledger),
      headOf: (ledger) => this.headOf(ledger),
      duplicateOf: (ledger, key) => this.duplicateOf(ledger, key),
      pause: () => new Promise((resolve) => this.clock.defer(resolve)),
    };
  }

  /** A ledger's head from memory: sealed but uncommitted, else cached; undefined when it must be read. */
  private knownHead(ledger: string): LedgerHead | undefined {
    return this.tentativeHeads.get(ledger)?.value ?? this.heads.get(ledger);
  }

  private async headOf(ledger: string): Promise<LedgerHead | null> {
    const known = this.knownHead(ledger);
    if (known !== undefined) return known;
    const last = await this.store.lastOfLedger(ledger);
    if (last === null) return null;
    // The stored receipt was validated when written; only its state is needed here, not a full decode.
    const state = (JSON.parse(Buffer.from(last.bytes).toString('utf8')) as { state_to: string }).state_to;
    const head = { seq: last.seq, hash: hashToHex(leafHash(last.bytes)), state };
    this.remember(ledger, head);
    return head;
  }

  private async duplicateOf(ledger: string, key: string): Promise<AppendAck | null> {
    const tentative = this.tentativeKeys.get(idempotencyKeyOf(ledger, key));
    if (tentative !== undefined) return tentative.value;
    const e = await this.store.findByIdempotencyKey(ledger, key);
    if (e === null) return null;
    const receipt = decodeReceipt(e.bytes, `receipt index ${e.index}`, this.receiptOptions);
    return { receipt, index: e.index, leafHash: hashToHex(leafHash(e.bytes)), duplicate: true };
  }

  private remember(ledger: string, head: LedgerHead): void {
    // A cached ledger keeps its place (BoundedCache): moving it on every receipt (delete + set) was a tenth of
    // the ledger loop's main-thread time.
    this.heads.set(ledger, head);
  }
}

function appendFailure(err: unknown): GovernessError {
  return GovernessError.is(err, LedgerErrors.badReceipt)
    ? err
    : new GovernessError(
        LedgerErrors.appendFailed,
        { problem: err instanceof Error ? err.message : String(err) },
        { cause: err },
      );
}

function frontierOf(state: StoredLogState): CompactRange {
  if (state.size === 0) return CompactRange.empty();
  const f = CompactRange.fromBytes(state.frontier, 'stored log state');
  if (f.size !== state.size) {
    throw new GovernessError(LedgerErrors.storeCorrupt, {
      where: 'log state',
      problem: `frontier covers ${f.size} leaves, the log has ${state.size}`,
    });
  }
  return f;
}

function positiveInt(v: number, name: string): number {
  if (!Number.isSafeInteger(v) || v < 1) throw badOption(name, 'must be a positive integer');
  return v;
}

function badOption(argument: string, problem: string): GovernessError {
  return new GovernessError(LedgerErrors.appendFailed, { problem: `option ${argument} ${problem}` });
}
