// Every tally governor's history as its receipts tell it, replayed in log order across all cycles of a crash
// test: its step count (the row version it must have), the total of its applied adds, the reply each keyed add
// gave, the timers that fired. Applying a receipt also checks what the log alone can prove: consecutive ledger
// sequence numbers and durable versions, each idempotency key in one receipt only, each timer generation fired
// once, each outbox cast applied once. The checker then compares the stored rows and the child's acks with this.
import { decodeReceipt, type Receipt, type StoredEntry } from '../../../src/ledger/index.js';
import { castKey, partnerOf } from './tally.js';

/** A keyed add as applied by one step. */
export interface Applied {
  readonly n: number;
  /** The total after it: the reply the add gave. */
  readonly total: number;
  /** The step's durable version. */
  readonly version: number;
}

/** A timer firing. */
export interface Fired {
  readonly kind: string;
  readonly lateMs: number;
}

/** One governor, from its receipts. */
export interface GovernorHistory {
  /** Last ledger sequence number seen. */
  seq: number;
  /** Step receipts (the row's version must be this). */
  steps: number;
  /** state_to of the last step receipt. */
  state: string;
  total: number;
  cycles: number;
  cools: number;
  /** `cooled` casts applied. */
  received: number;
  /** `durable.migrated` receipts (at most one: the test has one data version change). */
  migrations: number;
  /** Log index of the last step receipt (-1 before any). */
  lastStepIndex: number;
  /** Applied adds by idempotency key. */
  readonly keys: Map<string, Applied>;
  /** Fired timers by generation. */
  readonly fired: Map<number, Fired>;
  /** Keys re-sent with other content and refused. */
  readonly refused: Set<string>;
  /** Receipt ids in ledger order. */
  readonly receiptIds: string[];
}

/** What the whole log holds, counted. */
export interface HistoryCounts {
  receipts: number;
  steps: number;
  adds: number;
  timersFired: number;
  /** timer_late_ms of every firing, in log order. */
  readonly lateMs: number[];
  conflictsRefused: number;
  /** `durable.migrated` receipts. */
  migrations: number;
  /** Outbox casts made (one per cool-down) and applied by their target. */
  castsSent: number;
  castsApplied: number;
}

const TIMEOUTS: ReadonlySet<string> = new Set(['timeout', 'state_timeout', 'generic_timeout']);

/** A refusal the host writes about a governor without being one of its steps (their version is not a new one). */
function isHostRefusal(r: Receipt): boolean {
  return (
    r.status === 'refuse' && r.reason.code.startsWith('durable.') && r.reason.code !== 'durable.migrated'
  );
}

/** The replayed history of every governor. */
export class History {
  /** Governors by gkey. */
  readonly governors = new Map<string, GovernorHistory>();
  /** Counts over the whole log. */
  readonly counts: HistoryCounts = {
    receipts: 0,
    steps: 0,
    adds: 0,
    timersFired: 0,
    lateMs: [],
    conflictsRefused: 0,
    migrations: 0,
    castsSent: 0,
    castsApplied: 0,
  };
  /** Outbox keys of the casts made so far, with the gkey they were sent to. */
  readonly sent = new Map<string, string>();
  /** Outbox keys applied by their target, with the durable version of the step that applied each. */
  readonly applied = new Map<string, number>();
  private readonly keyOwner = new Map<string, string>();

  /** The governor's history, created empty on first use. */
  of(gkey: string): GovernorHistory {
    let h = this.governors.get(gkey);
    if (h === undefined) {
      h = {
        seq: 0,
        steps: 0,
        state: '',
        total: 0,
        cycles: 0,
        cools: 0,
        received: 0,
        migrations: 0,
        lastStepIndex: -1,
        keys: new Map(),
        fired: new Map(),
        refused: new Set(),
        receiptIds: [],
      };
      this.governors.set(gkey, h);
    }
    return h;
  }

  /** The gkey whose receipt holds idempotency key `key`, if any. */
  ownerOf(key: string): string | undefined {
    return this.keyOwner.get(key);
  }

  /** Applies new log entries in index order; returns what is wrong with them (empty when all is well). */
  apply(entries: readonly StoredEntry[]): string[] {
    const problems: string[] = [];
    for (const e of entries) {
      const r = decodeReceipt(e.bytes, `receipt index ${e.index}`);
      problems.push(
        ...this.applyOne(r, e.index).map(
          (p) => `receipt ${e.index} of ${r.ledger} (seq ${r.ledger_seq}): ${p}`,
        ),
      );
    }
    return problems;
  }

  private applyOne(r: Receipt, index: number): string[] {
    const problems: string[] = [];
    const h = this.of(r.ledger);
    this.counts.receipts++;
    if (r.ledger_seq !== h.seq + 1) problems.push(`follows seq ${h.seq}`);
    h.seq = r.ledger_seq;
    h.receiptIds.push(r.receipt_id);
    const m = r.metadata;
    if (isHostRefusal(r)) {
      if (r.reason.code === 'durable.idempotency_conflict') {
        h.refused.add(String(m.conflicting_key));
        this.counts.conflictsRefused++;
      } else {
        problems.push(`unexpected host refusal ${r.reason.code}: ${r.reason.message}`);
      }
      return problems;
    }
    const version = m.durable_version;
    if (typeof version !== 'number') return [...problems, 'a step receipt without durable_version'];
    if (version !== h.steps + 1) problems.push(`durable_version ${version} follows ${h.steps}`);
    h.steps++;
    h.state = r.state_to;
    h.lastStepIndex = index;
    this.counts.steps++;
    if (r.reason.code === 'durable.migrated') {
      h.migrations++;
      this.counts.migrations++;
      if (h.migrations > 1) problems.push('migrated a second time');
      if (m.from_version !== 0 || m.to_version !== 1) {
        problems.push(`migrated from ${String(m.from_version)} to ${String(m.to_version)}, not 0 to 1`);
      }
    }
    if (r.event.type === 'call') problems.push(...this.applyAdd(r, h, version));
    else if (r.event.type === 'cast') problems.push(...this.applyCast(r, h, version));
    else if (TIMEOUTS.has(r.event.type)) problems.push(...this.applyTimer(r, h, version));
    return problems;
  }

  /** A `cooled` cast: its key names a cast made by a committed cool-down, applied nowhere before. */
  private applyCast(r: Receipt, h: GovernorHistory, version: number): string[] {
    const key = r.cause.idempotency_key;
    if (key === null) return ['a cast without the idempotency key of its outbox row'];
    const to = this.sent.get(key);
    if (to === undefined) return [`cast ${key} applied, but no committed step made it`];
    if (to !== r.ledger) return [`cast ${key} for ${to} applied by ${r.ledger}`];
    if (this.applied.has(key)) return [`cast ${key} applied twice`];
    this.applied.set(key, version);
    h.received++;
    this.counts.castsApplied++;
    return [];
  }

  private applyAdd(r: Receipt, h: GovernorHistory, version: number): string[] {
    const key = r.cause.idempotency_key;
    const n = r.metadata.n;
    if (key === null || typeof n !== 'number') return ['an add without idempotency key or n'];
    const owner = this.keyOwner.get(key);
    if (owner !== undefined) return [`idempotency key ${key} applied again (first by ${owner})`];
    this.keyOwner.set(key, r.ledger);
    h.total += n;
    h.keys.set(key, { n, total: h.total, version });
    this.counts.adds++;
    return [];
  }

  private applyTimer(r: Receipt, h: GovernorHistory, version: number): string[] {
    const gen = r.metadata.timer_gen;
    const late = r.metadata.timer_late_ms;
    if (typeof gen !== 'number' || typeof late !== 'number')
      return ['a timeout without timer_gen/timer_late_ms'];
    if (h.fired.has(gen)) return [`timer generation ${gen} fired twice`];
    h.fired.set(gen, { kind: r.event.type, lateMs: late });
    if (r.event.type === 'generic_timeout') h.cycles++;
    else if (r.event.type === 'state_timeout') {
      h.cools++;
      // The cool-down's only effect: a cast to the partner, keyed by this step's version.
      this.sent.set(castKey(r.ledger, version), partnerOf(Number(r.sku_id.slice(1))));
      this.counts.castsSent++;
    }
    this.counts.timersFired++;
    this.counts.lateMs.push(late);
    return [];
  }
}
