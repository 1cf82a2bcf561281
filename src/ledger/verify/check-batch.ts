// The wire form of the parallel record check (check-pool.ts): a chunk of records crosses to a worker thread as
// ONE byte buffer plus start and end offsets (copied, not transferred: the main thread keeps the chunk to word
// a bad record's failure), and its results come back as a few typed arrays (leaf and prev hashes packed
// 32 bytes each, seq and ts as numbers, flags) plus the chunk's distinct ledger ids. Thousands of small objects
// would cost more to clone than to check. A bad record comes back only as a flag: the main thread checks it again
// in-thread, so its failure is worded, and names its place, exactly as the single-threaded path does.
import type { ErasureTarget, ReceiptOptions } from '../receipt/index.js';
import type { PackedBytes } from '../store/packed-bytes.js';
import { checkRecord, type RecordCheck } from './record-check.js';

/**
 * Records packed in one buffer: record i is bytes[starts[i], ends[i]) (an export's lines keep their newlines).
 * `bytes` should be a buffer of its own: a view of a larger one would be copied whole to a worker.
 */
export interface PackedRecords {
  readonly bytes: Uint8Array;
  readonly starts: Uint32Array;
  readonly ends: Uint32Array;
}

/** The checked facts of a chunk, in the chunk's order. */
export interface CheckedChunk {
  readonly count: number;
  /** Leaf hashes, 32 bytes each. */
  readonly leaves: Uint8Array;
  /** `prev` hashes, 32 bytes each (zeros for a bad record). */
  readonly prevs: Uint8Array;
  readonly seqs: Float64Array;
  readonly tsMs: Float64Array;
  /** FLAG_* bits per record. */
  readonly flags: Uint8Array;
  /** Position of each record's ledger id in `ledgers`. */
  readonly ledgerOf: Uint32Array;
  /** The chunk's distinct ledger ids. */
  readonly ledgers: string[];
  /** The private commitments, one per record flagged FLAG_PRIVATE, in order. */
  readonly commitments: string[];
  /** For each record flagged FLAG_ERASURE, in order: what it names, or what is wrong with it. */
  readonly erasures: (ErasureTarget | string)[];
}

/** The record is not a canonical, valid receipt (check it again in-thread for the failure). */
const FLAG_BAD = 1;
/** The record carries a private commitment. */
const FLAG_PRIVATE = 2;
/** The record is an erasure receipt. */
const FLAG_ERASURE = 4;

const HASH = 32;

/** Records packed back to back (a store's read, see StoredRecords) as a chunk: offsets only, no copy. */
export function chunkOfPacked(packed: PackedBytes): PackedRecords {
  const { bytes, ends } = packed;
  const starts = new Uint32Array(ends.length);
  for (let i = 1; i < ends.length; i++) starts[i] = ends[i - 1]!;
  return { bytes, starts, ends };
}

/** Record i of a packed chunk (a view, no copy). */
export function packedRecord(packed: PackedRecords, i: number): Uint8Array {
  return packed.bytes.subarray(packed.starts[i], packed.ends[i]);
}

/** Runs the order-independent check over a packed chunk (in a worker thread, or in-thread). */
export function checkChunk(packed: PackedRecords, options: ReceiptOptions): CheckedChunk {
  const count = packed.ends.length;
  const out: CheckedChunk = {
    count,
    leaves: new Uint8Array(count * HASH),
    prevs: new Uint8Array(count * HASH),
    seqs: new Float64Array(count),
    tsMs: new Float64Array(count),
    flags: new Uint8Array(count),
    ledgerOf: new Uint32Array(count),
    ledgers: [],
    commitments: [],
    erasures: [],
  };
  const ledgerIds = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    // The place is only worded for a failure, and a failure is worded again by the main thread.
    const r = checkRecord(packedRecord(packed, i), 'a record', options);
    out.leaves.set(r.leaf, i * HASH);
    if (!r.ok) {
      out.flags[i] = FLAG_BAD;
      continue;
    }
    out.prevs.set(r.prev, i * HASH);
    out.seqs[i] = r.seq;
    out.tsMs[i] = r.tsMs;
    let id = ledgerIds.get(r.ledger);
    if (id === undefined) {
      id = out.ledgers.length;
      ledgerIds.set(r.ledger, id);
      out.ledgers.push(r.ledger);
    }
    out.ledgerOf[i] = id;
    let flags = 0;
    if (r.commitment !== undefined) {
      flags |= FLAG_PRIVATE;
      out.commitments.push(r.commitment);
    }
    if (r.erasure !== null) {
      flags |= FLAG_ERASURE;
      out.erasures.push(r.erasure);
    }
    out.flags[i] = flags;
  }
  return out;
}

/** The buffers of a checked chunk, to transfer rather than copy. */
export function chunkTransfers(c: CheckedChunk): ArrayBuffer[] {
  return [c.leaves, c.prevs, c.seqs, c.tsMs, c.flags, c.ledgerOf].map((a) => a.buffer as ArrayBuffer);
}

/**
 * Reads a checked chunk back as RecordChecks, in order. `recheck(i)` checks record i again in-thread; it is
 * called for bad records only, so their failure reads exactly as on the single-threaded path.
 */
export function* checkedRecords(
  c: CheckedChunk,
  recheck: (i: number) => RecordCheck,
): Generator<RecordCheck, void, undefined> {
  let privateAt = 0;
  let erasureAt = 0;
  for (let i = 0; i < c.count; i++) {
    const flags = c.flags[i]!;
    if ((flags & FLAG_BAD) !== 0) {
      yield recheck(i);
      continue;
    }
    yield {
      ok: true,
      leaf: c.leaves.subarray(i * HASH, i * HASH + HASH),
      ledger: c.ledgers[c.ledgerOf[i]!]!,
      seq: c.seqs[i]!,
      prev: c.prevs.subarray(i * HASH, i * HASH + HASH),
      tsMs: c.tsMs[i]!,
      commitment: (flags & FLAG_PRIVATE) !== 0 ? c.commitments[privateAt++] : undefined,
      erasure: (flags & FLAG_ERASURE) !== 0 ? c.erasures[erasureAt++]! : null,
    };
  }
}
