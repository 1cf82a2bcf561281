// Incremental verification of a receipt log, fed one stored record at a time (from a database, an export file
// or a resume state): every record is canonical RFC 8785 bytes of a valid v1 receipt; the log index is gapless;
// `ts` never decreases; every ledger's chain is gapless and linked (`ledger_seq`, `prev`); every erasure receipt
// names an earlier receipt of its ledger that carries a private_commitment, erased once; and the Merkle root
// recomputed over the leaves equals a signed checkpoint's. It keeps the frontier, the ledger heads and the position
// of each receipt with a private commitment not yet erased (to check erasures), so its memory grows with those,
// not with the log, and its state can be saved to resume later (docs/ledger/verification.md).
import { GovernessError, LedgerErrors } from '../../errors/index.js';
import { CompactRange, hashToHex, hashesEqual, type Hash } from '../merkle/index.js';
import { GENESIS_PREV, formatTimestamp, type ErasureTarget, type ReceiptOptions } from '../receipt/index.js';
import { checkRecord, type GoodRecord, type RecordCheck } from './record-check.js';

const GENESIS_PREV_BYTES: Hash = Buffer.from(GENESIS_PREV, 'hex');

/** The first broken place found, with what is wrong there. */
export interface VerifyFailure {
  /** Where: `index 17 (ledger quota/sku/t1 seq 4)`, `checkpoint`, `line 12`... */
  readonly where: string;
  /** What is wrong there. */
  readonly problem: string;
  /** Registered error code of the underlying check, when there is one. */
  readonly code?: string;
}

/** A ledger's last verified receipt. */
export interface ChainHead {
  readonly seq: number;
  readonly hash: string;
}

/** A receipt with a private commitment, by its ledger and seq (what an erasure receipt must match). */
export interface PrivateRef {
  readonly ledger: string;
  readonly seq: number;
}

/** What a verifier carries from one run to the next (`--state FILE`). */
export interface VerifierState {
  readonly size: number;
  /** Base64-free hex of the serialised frontier. */
  readonly frontier: string;
  readonly lastTsMs: number;
  /** Each ledger's last receipt; a Map is taken as it is given (a resume of millions of ledgers). */
  readonly heads: Readonly<Record<string, ChainHead>> | ReadonlyMap<string, ChainHead>;
  /** Ledgers whose earlier receipts were not seen (a range export): their first seen receipt starts the check. */
  readonly partial: boolean;
  /**
   * First log index seen by the runs this state continues (a range export's `from`; default `size`). An erasure
   * naming a receipt before it cannot be checked; one naming a later receipt must find it in `privates`.
   */
  readonly start?: number;
  /** Receipts with a private commitment not erased yet, by log index (absent: none). */
  readonly privates?: Readonly<Record<string, PrivateRef>> | ReadonlyMap<number, PrivateRef>;
  /** Erased log index → log index of its erasure receipt (absent: none). */
  readonly erased?: Readonly<Record<string, number>> | ReadonlyMap<number, number>;
}

/** The resume state without the maps that grow with the log (read those through the verifier's accessors). */
export type VerifierPosition = Omit<VerifierState, 'heads' | 'privates' | 'erased'>;

/** Checks records in log order. Stops at nothing: collects every failure, the first is the headline. */
export class LogVerifier {
  private frontier: CompactRange;
  private lastTsMs: number;
  private readonly heads: Map<string, Head>;
  private readonly partial: boolean;
  /** Log index where this run started: a range export cannot check erasures of receipts before it. */
  private readonly start: number;
  private readonly privates: Map<number, PrivateRef>;
  private readonly erasures: Map<number, number>;
  readonly failures: VerifyFailure[] = [];
  /** Receipts checked in this run. */
  checked = 0;
  /** Ledgers seen in this run. */
  readonly ledgersSeen = new Set<string>();
  /** Receipts with a private commitment (whose payload may have been erased). */
  withPrivate = 0;
  /** Valid erasure receipts seen in this run. */
  redacted = 0;
  /** Erasure receipts of a range export naming a receipt before the range (not checkable there). */
  erasuresBeforeRange = 0;

  /**
   * Starts at `state` (a tree of state.size leaves). For a range export starting past 0, pass its frontier and
   * `partial: true`: a ledger's first receipt in the range is then accepted as the start of its chain.
   * `receipt` holds the limits the log was written with (LedgerConfig.receipt), so a ledger configured with a
   * larger metadata limit still verifies.
   */
  constructor(
    state?: VerifierState,
    private readonly maxFailures = 100,
    private readonly receipt: ReceiptOptions = {},
  ) {
    this.frontier = state === undefined || state.size === 0 ? CompactRange.empty() : frontierFrom(state);
    this.lastTsMs = state?.lastTsMs ?? 0;
    this.heads = new Map();
    for (const [ledger, head] of entriesOf(state?.heads)) this.heads.set(ledger, Head.saved(head));
    this.partial = state?.partial ?? false;
    this.start = state?.start ?? this.frontier.size;
    this.privates = mapOf(state?.privates, Number);
    this.erasures = mapOf(state?.erased, Number);
  }

  /** Tree size verified so far. */
  get size(): number {
    return this.frontier.size;
  }

  /** Root of the leaves verified so far. */
  root(): Hash {
    return this.frontier.root();
  }

  /** True when nothing failed. */
  get ok(): boolean {
    return this.failures.length === 0;
  }

  /** Records a failure (kept up to maxFailures). */
  fail(where: string, problem: string, code?: string): void {
    if (this.failures.length < this.maxFailures) {
      this.failures.push(code === undefined ? { where, problem } : { where, problem, code });
    }
  }

  /**
   * Checks the record at log position `index` whose stored bytes are `bytes`; `where` names it for the report
   * (e.g. `line 12`). The leaf goes into the tree even when the record is bad, so one bad record does not hide
   * whether the rest match the checkpoint. Returns the record's facts (null when its bytes are bad).
   */
  add(index: number, bytes: Uint8Array, where = `index ${index}`): GoodRecord | null {
    return this.link(index, checkRecord(bytes, where, this.receipt), where);
  }

  /**
   * The order-dependent half of `add`, for a record already checked by checkRecord (maybe on another thread):
   * gapless index, ts order, chains, the Merkle frontier and erasure bookkeeping. Records must come in log order.
   */
  link(index: number, record: RecordCheck, where = `index ${index}`): GoodRecord | null {
    this.checked++;
    if (index !== this.frontier.size) {
      this.fail(
        where,
        `log index ${index} where ${this.frontier.size} was expected (a receipt is missing or out of place)`,
      );
    }
    this.frontier.append(record.leaf);
    if (!record.ok) {
      this.fail(where, record.problem, record.code);
      return null;
    }
    const place = `${where} (${record.ledger} seq ${record.seq})`;
    this.ledgersSeen.add(record.ledger);
    if (record.commitment !== undefined) this.withPrivate++;
    if (record.tsMs < this.lastTsMs) {
      this.fail(place, `ts ${formatTimestamp(record.tsMs)} is earlier than the previous receipt's`);
    } else this.lastTsMs = record.tsMs;
    const head = this.heads.get(record.ledger);
    if (head === undefined) {
      if (!this.partial && (record.seq !== 1 || !hashesEqual(record.prev, GENESIS_PREV_BYTES))) {
        this.fail(place, `first receipt of the ledger has seq ${record.seq} (earlier receipts are missing)`);
      }
      this.heads.set(record.ledger, Head.first(record.seq, record.leaf));
    } else {
      if (record.seq !== head.seq + 1) {
        this.fail(place, `seq ${record.seq} follows seq ${head.seq}: the chain has a gap or is out of order`);
      } else if (!head.precedes(record.prev)) {
        this.fail(
          place,
          `prev ${hashToHex(record.prev)} is not the leaf hash of seq ${head.seq} (${head.hash})`,
        );
      }
      head.advance(record.seq, record.leaf);
    }
    if (record.commitment !== undefined) {
      this.privates.set(index, { ledger: record.ledger, seq: record.seq });
    }
    if (record.erasure !== null) this.checkErasure(record, record.erasure, index, place);
    return record;
  }

  /** Erased log index → log index of the erasure receipt, for every erasure seen (also from a resume state). */
  erased(): ReadonlyMap<number, number> {
    return this.erasures;
  }

  /** Receipts with a private commitment not erased yet, by log index (also from a resume state). */
  unerased(): ReadonlyMap<number, PrivateRef> {
    return this.privates;
  }

  private checkErasure(r: GoodRecord, target: ErasureTarget | string, index: number, place: string): void {
    if (typeof target === 'string') {
      this.fail(place, `erasure receipt: ${target}`);
      return;
    }
    const named = `erasure receipt names index ${target.index} (seq ${target.seq})`;
    const earlier = this.erasures.get(target.index);
    if (target.index >= index) {
      this.fail(place, `${named}, which is not an earlier receipt`);
    } else if (earlier !== undefined) {
      this.fail(place, `${named}, already erased by the erasure receipt at index ${earlier}`);
    } else if (this.partial && target.index < this.start && !this.privates.has(target.index)) {
      // Before a range export's first line: nothing here says what that receipt was.
      this.erasuresBeforeRange++;
      this.erasures.set(target.index, index);
      this.redacted++;
    } else {
      const ref = this.privates.get(target.index);
      if (ref === undefined) {
        this.fail(place, `${named}, which carries no private_commitment`);
      } else if (ref.ledger !== r.ledger || ref.seq !== target.seq) {
        this.fail(place, `${named}, but that index is ${ref.ledger} seq ${ref.seq}`);
      } else {
        this.privates.delete(target.index);
        this.erasures.set(target.index, index);
        this.redacted++;
      }
    }
  }

  /** Compares the root of the first `size` leaves with a checkpoint's; only valid when size === this.size. */
  checkRoot(size: number, root: Hash, where: string): boolean {
    if (size !== this.frontier.size) {
      this.fail(where, `covers ${size} receipts, the log has ${this.frontier.size}`);
      return false;
    }
    if (!hashesEqual(this.frontier.root(), root)) {
      this.fail(
        where,
        `root ${hashToHex(root)} differs from the recomputed root ${hashToHex(this.frontier.root())}`,
      );
      return false;
    }
    return true;
  }

  /** The ledger heads seen (for reports and resume). */
  chainHeads(): ReadonlyMap<string, ChainHead> {
    return this.heads;
  }

  /** A resume state. */
  state(): VerifierState {
    return {
      ...this.position(),
      heads: Object.fromEntries(
        [...this.heads].map(([ledger, head]) => [ledger, { seq: head.seq, hash: head.hash }]),
      ),
      privates: Object.fromEntries(this.privates),
      erased: Object.fromEntries(this.erasures),
    };
  }

  /** The resume state without its maps (read those from chainHeads(), unerased() and erased() when large). */
  position(): VerifierPosition {
    return {
      size: this.frontier.size,
      frontier: Buffer.from(this.frontier.toBytes()).toString('hex'),
      lastTsMs: this.lastTsMs,
      partial: this.partial,
      start: this.start,
    };
  }
}

/**
 * A ledger's head as the link step keeps it: the leaf bytes of its last receipt (so `prev` is compared as bytes,
 * with no hex conversion per receipt); the hex form is made only when asked for (reports, saved states), and a
 * head resumed from a saved state keeps its hex until the next receipt of its ledger replaces it.
 */
class Head implements ChainHead {
  private constructor(
    public seq: number,
    private leaf: Hash | null,
    private hex: string | null,
  ) {}

  /** The head after a receipt of `seq` whose leaf hash is `leaf` (copied: it may view a larger buffer). */
  static first(seq: number, leaf: Hash): Head {
    return new Head(seq, new Uint8Array(leaf), null);
  }

  /** A head read from a saved state. */
  static saved(head: ChainHead): Head {
    return new Head(head.seq, null, head.hash);
  }

  /** The leaf hash of the ledger's last receipt, 64 lower-case hex. */
  get hash(): string {
    this.hex ??= hashToHex(this.leaf!);
    return this.hex;
  }

  /** True when `prev` (32 bytes) is this head's leaf hash. */
  precedes(prev: Uint8Array): boolean {
    return this.leaf !== null ? hashesEqual(this.leaf, prev) : this.hex === hashToHex(prev);
  }

  /** Moves the head to the next receipt of its ledger. */
  advance(seq: number, leaf: Hash): void {
    this.seq = seq;
    // Copied into the head's own 32 bytes: a leaf may view a whole chunk's results, which must not stay alive.
    if (this.leaf === null) this.leaf = new Uint8Array(leaf);
    else this.leaf.set(leaf);
    this.hex = null;
  }
}

/** The entries of a state's map, given either as a Map or as a JSON object. */
function entriesOf<V>(
  from: Readonly<Record<string, V>> | ReadonlyMap<string, V> | undefined,
): Iterable<[string, V]> {
  if (from === undefined) return [];
  if (from instanceof Map) return (from as ReadonlyMap<string, V>).entries();
  return Object.entries(from as Readonly<Record<string, V>>);
}

/** A copy of a state's map, given either as a Map (taken as it is) or as a JSON object (keys converted). */
function mapOf<K, V>(
  from: Readonly<Record<string, V>> | ReadonlyMap<K, V> | undefined,
  key: (name: string) => K,
): Map<K, V> {
  if (from === undefined) return new Map();
  if (from instanceof Map) return new Map(from as ReadonlyMap<K, V>);
  return new Map(Object.entries(from as Readonly<Record<string, V>>).map(([k, v]) => [key(k), v]));
}

function frontierFrom(state: VerifierState): CompactRange {
  const f = CompactRange.fromBytes(
    new Uint8Array(Buffer.from(state.frontier, 'hex')),
    'verifier state frontier',
  );
  if (f.size !== state.size) {
    throw new GovernessError(LedgerErrors.badVerifyState, {
      where: 'verifier state',
      problem: `frontier covers ${f.size} leaves, size says ${state.size}`,
    });
  }
  return f;
}
