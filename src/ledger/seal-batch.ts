// Sealing: turns a batch of validated drafts into stored receipts — ledger_seq, prev, ts, receipt_id, canonical
// bytes, leaf hash, private commitment — plus the Merkle tiles and log state the batch leaves behind. It reads
// the log only through a SealView, so the sequencer can seal a batch on top of batches that are sealed but not
// yet committed (docs/ledger/storage.md, "Group commit").
import {
  CompactRange,
  hashToHex,
  tileKeyString,
  tilesForAppend,
  type Hash,
  type TileSource,
} from './merkle/index.js';
import {
  GENESIS_PREV,
  formatTimestamp,
  newSalt,
  privateCommitmentOfBytes,
  privatePayloadBytes,
  receiptText,
  sealReceipt,
  type Receipt,
  type ReceiptDraft,
  type ReceiptOptions,
  type Uuidv7Generator,
} from './receipt/index.js';
import { ReceiptArena } from './receipt-arena.js';
import type {
  CommitBatch,
  LedgerParts,
  RowWrite,
  StoredEntry,
  StoredPrivate,
  StoredTile,
} from './store/types.js';

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

/** The last receipt of a ledger: what the next one chains to. */
export interface LedgerHead {
  readonly seq: number;
  /** Leaf hash (hex) of the ledger's last receipt. */
  readonly hash: string;
  /** `state_to` of the ledger's last receipt: the ledger's current state. */
  readonly state: string;
}

/** One queued append. */
export interface SealRequest {
  readonly draft: ReceiptDraft;
  /** Ledger id of the draft. */
  readonly ledger: string;
  readonly rows: readonly RowWrite[];
  readonly erase: readonly number[];
  /**
   * The receipt records no transition: its state_from and state_to are set here to the ledger's current state
   * (an erasure), so a receipt appended just before it in the same ledger cannot make it stale.
   */
  readonly keepState: boolean;
  /** The caller keeps the key's unique record itself: no lookup, no ledger index entry (AppendOptions). */
  readonly callerDedupes?: boolean;
}

/**
 * The idempotency key the ledger dedupes and indexes for a request: none when the caller keeps the key's record
 * itself (AppendOptions.callerDedupes), though the receipt's cause still carries it.
 */
function ledgerKeyOf(r: SealRequest): string | null {
  return r.callerDedupes === true ? null : r.draft.cause.idempotency_key;
}

/** The log as a batch is sealed on top of it: committed state plus every batch sealed before this one. */
export interface SealView {
  /** Log size the batch starts at. */
  readonly size: number;
  /** Largest `ts` so far (epoch ms). */
  readonly lastTsMs: number;
  /** Frontier of the tree of `size` leaves. */
  readonly frontier: CompactRange;
  /** Tiles of the tree of `size` leaves. */
  readonly tiles: TileSource;
  /** The head of a ledger if it is in memory (null: the ledger has no receipt yet), undefined when it must be read. */
  knownHead(ledger: string): LedgerHead | null | undefined;
  /** The head of a ledger, or null when it has no receipt yet. */
  headOf(ledger: string): Promise<LedgerHead | null>;
  /** The receipt an idempotency key of a ledger already names, or null. */
  duplicateOf(ledger: string, key: string): Promise<AppendAck | null>;
  /** Resolves on a later macrotask, after pending I/O callbacks (Clock.defer). */
  pause(): Promise<void>;
}

/**
 * Receipts sealed between two pauses. Sealing a batch is milliseconds of CPU; without a pause the store's answer
 * to the batch before (a PostgreSQL round trip, the SQLite writer's message) waits for all of it, and the next
 * commit starts that much later. With one every 32 receipts the PostgreSQL ledger went from ~24k to ~28k
 * receipts/s on the bench machine (10k ledgers, 1,024 appends in flight).
 */
const PAUSE_EVERY = 32;

/** A sealed batch: what to commit, and what the log looks like once it is committed. */
export interface SealedBatch {
  readonly batch: CommitBatch;
  readonly frontier: CompactRange;
  /** New head of every ledger the batch appended to. */
  readonly heads: ReadonlyMap<string, LedgerHead>;
  /** One ack per request, in request order. */
  readonly acks: readonly AppendAck[];
  /** Idempotency keys (`ledger\nkey`) first written by this batch. */
  readonly keys: ReadonlyMap<string, AppendAck>;
}

/** The key under which an idempotency key of a ledger is remembered. */
export function idempotencyKeyOf(ledger: string, key: string): string {
  return `${ledger}\n${key}`;
}

/**
 * Seals `reqs` on top of `view`. `wallMs` is the batch's time (clamped so ts never decreases). Pure apart from
 * the view's reads, the uuid generator and the salts: nothing outside the returned batch changes.
 */
export async function sealBatch(
  reqs: readonly SealRequest[],
  view: SealView,
  wallMs: number,
  uuids: Uuidv7Generator,
  options: ReceiptOptions,
): Promise<SealedBatch> {
  const heads = new Map<string, LedgerHead | null>();
  const existing = new Map<string, AppendAck>();
  // One read per ledger not in memory and per key to look up, all at once; a ledger whose head is in memory and a
  // request without a key to check cost no promise (most of a busy batch's ledgers were appended to recently).
  const reads: Promise<unknown>[] = [];
  for (const r of reqs) {
    const l = r.ledger;
    if (!heads.has(l)) {
      const known = view.knownHead(l);
      heads.set(l, known ?? null);
      if (known === undefined) reads.push(view.headOf(l).then((h) => heads.set(l, h)));
    }
    const key = ledgerKeyOf(r);
    if (key === null) continue;
    reads.push(
      view.duplicateOf(l, key).then((dup) => {
        if (dup !== null) existing.set(idempotencyKeyOf(l, key), dup);
      }),
    );
  }
  if (reads.length > 0) await Promise.all(reads);

  const wall = Math.max(view.lastTsMs, Math.floor(wallMs));
  const ts = formatTimestamp(wall);
  const entries: StoredEntry[] = [];
  const leaves: Hash[] = [];
  const privates: StoredPrivate[] = [];
  const rows: RowWrite[] = [];
  const erase: number[] = [];
  const newLedgers = new Map<string, LedgerParts>();
  const acks: AppendAck[] = [];
  const keys = new Map<string, AppendAck>();
  const newHeads = new Map<string, LedgerHead>();
  const arena = new ReceiptArena();
  let sinceBreak = 0;
  for (const r of reqs) {
    if (++sinceBreak === PAUSE_EVERY) {
      sinceBreak = 0;
      await view.pause();
    }
    const key = ledgerKeyOf(r);
    const dupKey = key === null ? null : idempotencyKeyOf(r.ledger, key);
    const dup = dupKey === null ? undefined : (existing.get(dupKey) ?? keys.get(dupKey));
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
    // A copy is no longer the checked draft, so sealReceipt validates it in full (erasures are rare).
    const draft =
      r.keepState && head !== null ? { ...r.draft, state_from: head.state, state_to: head.state } : r.draft;
    const index = view.size + entries.length;
    let commitment: string | undefined;
    if (draft.private !== undefined) {
      const salt = newSalt();
      const payload = privatePayloadBytes(draft.private, options);
      commitment = privateCommitmentOfBytes(salt, payload);
      privates.push({ index, salt, payload });
    }
    const receipt = sealReceipt(
      draft,
      {
        receipt_id: uuids.next(wall),
        ledger_seq: head === null ? 1 : head.seq + 1,
        prev: head === null ? GENESIS_PREV : head.hash,
        ts,
      },
      commitment,
      options,
    );
    const { bytes, leaf } = arena.add(receiptText(receipt, options));
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
    for (const w of r.rows) rows.push(w);
    for (const i of r.erase) erase.push(i);
    newHeads.set(r.ledger, { seq: receipt.ledger_seq, hash: ack.leafHash, state: receipt.state_to });
    if (dupKey !== null) keys.set(dupKey, ack);
    acks.push(ack);
  }
  const appended = await tilesForAppend(view.size, leaves, view.tiles, view.frontier);
  const tiles: StoredTile[] = appended.tiles.map((t) => ({
    level: t.tile.level,
    index: t.tile.index,
    hashes: t.bytes,
  }));
  const batch: CommitBatch = {
    entries,
    newLedgers,
    tiles,
    state: {
      size: view.size + entries.length,
      frontier: appended.frontier.toBytes(),
      lastTsMs: entries.length > 0 ? wall : view.lastTsMs,
    },
    privates,
    erase,
    rows,
  };
  return { batch, frontier: appended.frontier, heads: newHeads, acks, keys };
}

/** One CommitBatch carrying several sealed batches in order (a tile written twice keeps its last content). */
export function mergeBatches(batches: readonly CommitBatch[]): CommitBatch {
  const [first, ...rest] = batches;
  if (first === undefined) throw new RangeError('mergeBatches needs at least one batch');
  if (rest.length === 0) return first;
  const newLedgers = new Map(first.newLedgers);
  const tiles = new Map<string, StoredTile>();
  const entries: StoredEntry[] = [];
  const privates: StoredPrivate[] = [];
  const erase: number[] = [];
  const rows: RowWrite[] = [];
  for (const b of batches) {
    for (const [l, p] of b.newLedgers) newLedgers.set(l, p);
    for (const t of b.tiles) tiles.set(tileKeyString(t), t);
    for (const e of b.entries) entries.push(e);
    for (const p of b.privates) privates.push(p);
    for (const i of b.erase) erase.push(i);
    for (const w of b.rows) rows.push(w);
  }
  const last = batches[batches.length - 1] as CommitBatch;
  return { entries, newLedgers, tiles: [...tiles.values()], state: last.state, privates, erase, rows };
}
