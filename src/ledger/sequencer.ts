// The single writer of a ledger database: group commit. Appends queue here; a batch (up to maxBatch receipts,
// gathered for at most maxDelayMs while the writer is idle, or whatever queued while the previous batch was
// committing) is sealed in memory — ledger_seq, prev, ts, receipt_id, canonical bytes, leaf hash, Merkle tiles
// — and written in ONE store transaction. Every append's promise settles only after that COMMIT: resolved if it
// committed, rejected (all of them) if it did not. In-memory state (ledger heads, the Merkle frontier, the
// partial tiles) advances only after COMMIT, so a failed batch leaves nothing half-applied; after a failure the
// writer re-reads its state from the store before the next batch (docs/ledger/storage.md, "Group commit").
import { GovernessError, LedgerErrors } from '../errors/index.js';
import type { Clock, TimerHandle, TimerTarget } from '../runtime/clock/clock.js';
import { CompactRange, hashToHex, leafHash, tilesForAppend, type Hash } from './merkle/index.js';
import {
  GENESIS_PREV,
  Uuidv7Generator,
  decodeReceipt,
  encodeReceipt,
  formatTimestamp,
  ledgerId,
  newSalt,
  privateCommitmentOfBytes,
  privatePayloadBytes,
  sealReceipt,
  validateDraft,
  type Receipt,
  type ReceiptDraft,
  type ReceiptOptions,
} from './receipt/index.js';
import type {
  CommitBatch,
  LedgerParts,
  LedgerStore,
  RowWrite,
  StoredEntry,
  StoredLogState,
  StoredPrivate,
  StoredTile,
} from './store/types.js';
import { tileSourceOf } from './store/tile-source.js';

/** Tuning of the group commit. */
export interface GroupCommitOptions {
  /** Most receipts per transaction (default 256, one tile). */
  readonly maxBatch?: number;
  /** How long an idle writer waits for more appends before committing (default 2 ms; 0 = next macrotask). */
  readonly maxDelayMs?: number;
  /** Ledger heads kept in memory (default 100,000); others are read from the store when next appended to. */
  readonly headCacheSize?: number;
}

/** Per-append options. */
export interface AppendOptions {
  /** Side-table writes committed in the same transaction as the receipt (durable state, timers...). */
  readonly rows?: readonly RowWrite[];
  /** Log indexes whose private payload (salt and payload) is deleted in the same transaction (erasure). */
  readonly erase?: readonly number[];
}

/** What an append resolves with, once its batch is committed. */
export interface AppendAck {
  /** The stored receipt. */
  readonly receipt: Receipt;
  /** Its position in the global Merkle log. */
  readonly index: number;
  /** Its RFC 6962 leaf hash, hex. */
  readonly leafHash: string;
  /** True when the idempotency key matched an earlier receipt: that one is returned, nothing was written. */
  readonly duplicate: boolean;
}

interface Request {
  readonly draft: ReceiptDraft;
  readonly ledger: string;
  readonly rows: readonly RowWrite[];
  readonly erase: readonly number[];
  readonly resolve: (ack: AppendAck) => void;
  readonly reject: (err: unknown) => void;
}

interface Head {
  readonly seq: number;
  readonly hash: string;
}

/** The group-commit writer over one store. Create with `Sequencer.open`. */
export class Sequencer implements TimerTarget {
  private pending: Request[] = [];
  private committing = false;
  private timer: TimerHandle | null = null;
  private stale = false;
  private closed = false;
  private readonly heads = new Map<string, Head>();
  private readonly uuids = new Uuidv7Generator();
  private readonly maxBatch: number;
  private readonly maxDelayMs: number;
  private readonly headCacheSize: number;
  private drained: (() => void)[] = [];
  /** Number of committed batches (statistics). */
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
    this.maxDelayMs = options.maxDelayMs ?? 2;
    if (!(this.maxDelayMs >= 0)) throw badOption('maxDelayMs', 'must be >= 0');
    this.headCacheSize = positiveInt(options.headCacheSize ?? 100_000, 'headCacheSize');
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

  /**
   * Validates the draft now (bad input is refused before anything is queued) and resolves once the receipt is
   * committed. Rejects with GOV_APPEND_FAILED if its batch failed; nothing of that batch is stored.
   */
  append(draft: ReceiptDraft, options: AppendOptions = {}): Promise<AppendAck> {
    if (this.closed)
      return Promise.reject(new GovernessError(LedgerErrors.appendFailed, { problem: 'ledger closed' }));
    validateDraft(draft, this.receiptOptions);
    // A bad side-table row is refused here, alone, rather than failing a whole batch of other callers' receipts.
    if (options.rows !== undefined) this.store.checkRows(options.rows);
    const ledger = ledgerId(draft.governor, draft.sku_id, draft.tenant_id);
    return new Promise<AppendAck>((resolve, reject) => {
      this.pending.push({
        draft,
        ledger,
        rows: options.rows ?? [],
        erase: options.erase ?? [],
        resolve,
        reject,
      });
      this.kick();
    });
  }

  /** Resolves when everything appended so far has been committed (or failed). */
  flush(): Promise<void> {
    if (this.pending.length === 0 && !this.committing) return Promise.resolve();
    if (this.timer !== null) {
      this.clock.cancel(this.timer);
      this.timer = null;
      void this.run();
    }
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
    void this.run();
  }

  private kick(): void {
    if (this.committing) return; // the running loop takes it after the current batch
    if (this.pending.length >= this.maxBatch) {
      if (this.timer !== null) this.clock.cancel(this.timer);
      this.timer = null;
      void this.run();
    } else if (this.timer === null) {
      if (this.maxDelayMs === 0) {
        this.timer = { at: 0 };
        this.clock.defer(() => {
          this.timer = null;
          void this.run();
        });
      } else {
        this.timer = this.clock.schedule(this.clock.now() + this.maxDelayMs, this, 0);
      }
    }
  }

  private async run(): Promise<void> {
    if (this.committing) return;
    this.committing = true;
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0, this.maxBatch);
        await this.commitBatch(batch);
      }
    } finally {
      this.committing = false;
      const waiters = this.drained;
      this.drained = [];
      for (const w of waiters) w();
    }
  }

  private async commitBatch(reqs: Request[]): Promise<void> {
    let sealed: Sealed;
    try {
      if (this.stale) await this.resync();
      sealed = await this.seal(reqs);
      await this.store.commit(sealed.batch);
    } catch (err) {
      // Whether or not the store applied anything, our view may now differ from it: re-read before going on.
      this.stale = true;
      const failure = GovernessError.is(err, LedgerErrors.badReceipt)
        ? err
        : new GovernessError(
            LedgerErrors.appendFailed,
            { problem: err instanceof Error ? err.message : String(err) },
            { cause: err },
          );
      for (const r of reqs) r.reject(failure);
      return;
    }
    this.batches++;
    this.state = sealed.batch.state;
    this.frontier = sealed.frontier;
    for (const [ledger, head] of sealed.heads) this.remember(ledger, head);
    for (const [i, ack] of sealed.acks.entries()) (reqs[i] as Request).resolve(ack);
  }

  private async resync(): Promise<void> {
    this.heads.clear();
    this.state = await this.store.open();
    this.frontier = frontierOf(this.state);
    this.stale = false;
  }

  private async headOf(ledger: string): Promise<Head | null> {
    const cached = this.heads.get(ledger);
    if (cached !== undefined) return cached;
    const last = await this.store.lastOfLedger(ledger);
    if (last === null) return null;
    const head = { seq: last.seq, hash: hashToHex(leafHash(last.bytes)) };
    this.remember(ledger, head);
    return head;
  }

  private remember(ledger: string, head: Head): void {
    // Map order is insertion order: delete + set moves the ledger to the young end; evict from the old end.
    this.heads.delete(ledger);
    this.heads.set(ledger, head);
    if (this.heads.size > this.headCacheSize) {
      const oldest = this.heads.keys().next();
      if (oldest.done !== true) this.heads.delete(oldest.value);
    }
  }

  private async seal(reqs: Request[]): Promise<Sealed> {
    const heads = new Map<string, Head | null>();
    await Promise.all(
      [...new Set(reqs.map((r) => r.ledger))].map(async (l) => heads.set(l, await this.headOf(l))),
    );
    const existing = await this.findDuplicates(reqs);

    const wall = Math.max(this.state.lastTsMs, Math.floor(this.clock.wallNow()));
    const ts = formatTimestamp(wall);
    const entries: StoredEntry[] = [];
    const leaves: Hash[] = [];
    const privates: StoredPrivate[] = [];
    const rows: RowWrite[] = [];
    const erase: number[] = [];
    const newLedgers = new Map<string, LedgerParts>();
    const acks: AppendAck[] = [];
    const inBatch = new Map<string, AppendAck>();
    const newHeads = new Map<string, Head>();
    for (const r of reqs) {
      const key = r.draft.cause.idempotency_key;
      const dupKey = key === null ? null : `${r.ledger}\n${key}`;
      const dup = dupKey === null ? undefined : (existing.get(dupKey) ?? inBatch.get(dupKey));
      if (dup !== undefined) {
        acks.push({ ...dup, duplicate: true });
        continue;
      }
      const head = newHeads.get(r.ledger) ?? heads.get(r.ledger) ?? null;
      if (head === null && !newLedgers.has(r.ledger)) {
        newLedgers.set(r.ledger, {
          governor: r.draft.governor,
          sku: r.draft.sku_id,
          tenant: r.draft.tenant_id,
        });
      }
      const index = this.state.size + entries.length;
      let commitment: string | undefined;
      if (r.draft.private !== undefined) {
        const salt = newSalt();
        const payload = privatePayloadBytes(r.draft.private, this.receiptOptions);
        commitment = privateCommitmentOfBytes(salt, payload);
        privates.push({ index, salt, payload });
      }
      const receipt = sealReceipt(
        r.draft,
        {
          receipt_id: this.uuids.next(wall),
          ledger_seq: head === null ? 1 : head.seq + 1,
          prev: head === null ? GENESIS_PREV : head.hash,
          ts,
        },
        commitment,
      );
      const bytes = encodeReceipt(receipt, this.receiptOptions);
      const leaf = leafHash(bytes);
      const ack: AppendAck = { receipt, index, leafHash: hashToHex(leaf), duplicate: false };
      entries.push({
        index,
        ledger: r.ledger,
        seq: receipt.ledger_seq,
        tsMs: wall,
        receiptId: receipt.receipt_id,
        status: receipt.status,
        reasonCode: receipt.reason.code,
        idempotencyKey: key,
        bytes,
      });
      leaves.push(leaf);
      rows.push(...r.rows);
      erase.push(...r.erase);
      newHeads.set(r.ledger, { seq: receipt.ledger_seq, hash: ack.leafHash });
      if (dupKey !== null) inBatch.set(dupKey, ack);
      acks.push(ack);
    }
    const appended = await tilesForAppend(this.state.size, leaves, tileSourceOf(this.store), this.frontier);
    const tiles: StoredTile[] = appended.tiles.map((t) => ({
      level: t.tile.level,
      index: t.tile.index,
      hashes: t.bytes,
    }));
    const size = this.state.size + entries.length;
    const batch: CommitBatch = {
      entries,
      newLedgers,
      tiles,
      state: {
        size,
        frontier: appended.frontier.toBytes(),
        lastTsMs: entries.length > 0 ? wall : this.state.lastTsMs,
      },
      privates,
      erase,
      rows,
    };
    return { batch, frontier: appended.frontier, heads: newHeads, acks };
  }

  private async findDuplicates(reqs: Request[]): Promise<Map<string, AppendAck>> {
    const found = new Map<string, AppendAck>();
    await Promise.all(
      reqs.map(async (r) => {
        const key = r.draft.cause.idempotency_key;
        if (key === null) return;
        const e = await this.store.findByIdempotencyKey(r.ledger, key);
        if (e === null) return;
        const receipt = decodeReceipt(e.bytes, `receipt index ${e.index}`, this.receiptOptions);
        found.set(`${r.ledger}\n${key}`, {
          receipt,
          index: e.index,
          leafHash: hashToHex(leafHash(e.bytes)),
          duplicate: true,
        });
      }),
    );
    return found;
  }
}

interface Sealed {
  readonly batch: CommitBatch;
  readonly frontier: CompactRange;
  readonly heads: Map<string, Head>;
  readonly acks: AppendAck[];
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
