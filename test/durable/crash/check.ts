// What must hold after a durable host was SIGKILLed (or, at the end, closed): checked on a freshly opened ledger
// over the database, against the history replayed from every receipt so far (history.ts) and what the host
// printed. (1) Every acknowledged command has its receipt, exactly one, and its reply row with the acknowledged
// reply; (2) no key was applied twice, and each governor's stored total is the sum of its receipted adds; (3) no
// timer generation fired twice, and every timer a stored row held earlier either still is there or fired;
// timers that were due while no host ran fire later, late; (4) each row's version is its number of step
// receipts; (5) the ledger verifies; (6) every outbox cast a committed step made is either applied, once, or
// still in its outbox row, never both and never neither; (7) after the switch to data version 1, every governor
// that took a step holds version 1 data, migrated once (with its receipt) or made new. Commands sent but never
// acknowledged are kept to be retried with their keys.
import { expect } from 'vitest';
import {
  GOVERNORS_TABLE,
  OUTBOX_TABLE,
  REPLIES_TABLE,
  decodeSnapshot,
  decodeTimerRows,
} from '../../../src/durable/index.js';
import { parseCanonical } from '../../../src/ledger/canonical/index.js';
import { Ledger, type NoteSigner, type NoteVerifier, type SqlValue } from '../../../src/ledger/index.js';
import { RealClock, SimulatedClock } from '../../../src/runtime/clock/index.js';
import { checkVerifies, readNew } from '../../ledger/crash/check-after-crash.js';
import type { CrashTarget } from '../../ledger/crash/crash-targets.js';
import type { Command } from './events.js';
import { History } from './history.js';
import type { HostRun } from './host-process.js';
import type { TallyData } from './tally.js';

/** Governors per check whose receipts are read back through `Ledger.readLedger` as well. */
const LEDGER_SAMPLES = 5;

type Row = Readonly<Record<string, SqlValue>>;

/** A timer as a stored governor row holds it. */
interface ArmedTimer {
  readonly gkey: string;
  readonly gen: number;
  readonly kind: string;
  readonly dueMs: number;
}

/** A timer a check found already due: no host was running, so it must fire in a later run, late. */
interface Overdue extends ArmedTimer {
  /** Wall time of the check that saw it due. */
  readonly notedAt: number;
}

/** Counts over all checks. */
export interface CheckTotals {
  acks: number;
  commandsChecked: number;
  appliedUnacked: number;
  /** Retries of a command whose step had committed: answered from the reply row, nothing applied. */
  retriesDeduped: number;
  retriesApplied: number;
  /** Re-sends of an acknowledged key: answered from the reply row. */
  resendsDeduped: number;
  /** Re-sends with other content under an acknowledged key: refused. */
  conflictsRefused: number;
  overdueFired: number;
  overdueMaxLateMs: number;
  /** Outbox rows found at the last check (casts made, not yet applied). */
  outboxWaiting: number;
  /** Casts whose row was still in the outbox at a check after a kill, applied by a later host. */
  outboxAfterKill: number;
}

const id = (gkey: string, gen: number): string => `${gkey}#${gen}`;

function bytesOf(row: Row, column: string): Uint8Array {
  const v = row[column];
  if (!(v instanceof Uint8Array)) throw new Error(`column ${column} of ${String(row.gkey)} is not bytes`);
  return v;
}

/** Checks a growing database after each run; keeps what must carry over from one run to the next. */
export class CrashChecker {
  /** Every governor's replayed history. */
  readonly history = new History();
  /** Commands sent and never acknowledged: the next run sends them again, with their keys. */
  readonly pending = new Map<string, Command>();
  /** Timers seen due and not yet fired. */
  readonly overdue = new Map<string, Overdue>();
  /** Running totals. */
  readonly totals: CheckTotals = {
    acks: 0,
    commandsChecked: 0,
    appliedUnacked: 0,
    retriesDeduped: 0,
    retriesApplied: 0,
    resendsDeduped: 0,
    conflictsRefused: 0,
    overdueFired: 0,
    overdueMaxLateMs: 0,
    outboxWaiting: 0,
    outboxAfterKill: 0,
  };
  /** Log size after the last check. */
  size = 0;
  /** Log size when the hosts switched to data version 1 (null: not yet). */
  switchedAt: number | null = null;
  private trusted: string | null = null;
  /** Timers in the stored rows at the last check. */
  private armed = new Map<string, ArmedTimer>();
  /** Outbox rows seen at a check and not applied yet. */
  private readonly outboxSeen = new Set<string>();
  /** Keys found applied while unacknowledged (their retry must be answered from the reply row). */
  private readonly appliedBeforeAck = new Set<string>();
  private readonly wall = new RealClock();

  constructor(
    private readonly target: CrashTarget,
    private readonly signer: NoteSigner,
    private readonly verifier: NoteVerifier,
  ) {}

  /** Runs every check after one run; fails the test naming what is wrong. */
  async check(run: HostRun): Promise<void> {
    await this.target.afterKill();
    const checkedAt = this.wall.wallNow();
    const store = this.target.openStore();
    const ledger = await Ledger.open({
      store,
      clock: new SimulatedClock(),
      signer: this.signer,
      checkpointIntervalMs: 0,
      groupCommit: { maxDelayMs: 0 },
    });
    try {
      const sizeAfter = ledger.size;
      expect(sizeAfter, 'the log never shrinks').toBeGreaterThanOrEqual(this.size);
      const entries = [...(await readNew(store, this.size, sizeAfter)).values()];
      expect(this.history.apply(entries), 'the new receipts').toEqual([]);
      const rows = await this.target.tableRows(GOVERNORS_TABLE);
      const armed = this.checkGovernors(rows);
      this.checkReplyRows(await this.target.tableRows(REPLIES_TABLE));
      this.checkOutbox(await this.target.tableRows(OUTBOX_TABLE));
      this.checkAcks(run);
      this.checkTimers(armed, checkedAt);
      await this.checkReadLedger(ledger, run);
      this.carryPending(run);

      const fresh = await ledger.checkpoint(); // refuses to sign if the tree is inconsistent with the last one
      expect(fresh.size).toBe(sizeAfter);
      await checkVerifies(this.target, this.verifier, this.trusted, sizeAfter);
      this.size = sizeAfter;
      this.trusted = fresh.note;
    } finally {
      await ledger.close();
    }
  }

  /** Checks every governor row against its history; returns the timers the rows hold. */
  private checkGovernors(rows: readonly Row[]): Map<string, ArmedTimer> {
    const problems: string[] = [];
    const armed = new Map<string, ArmedTimer>();
    const seen = new Set<string>();
    for (const row of rows) {
      const gkey = row.gkey as string;
      seen.add(gkey);
      const h = this.history.governors.get(gkey);
      if (h === undefined || h.steps === 0) {
        problems.push(`${gkey}: a governor row without step receipts`);
        continue;
      }
      const snapshot = decodeSnapshot(bytesOf(row, 'snapshot'));
      const data = snapshot.data as TallyData;
      const timers = decodeTimerRows(bytesOf(row, 'timers'));
      const stored = {
        version: row.version,
        status: row.status,
        state: snapshot.state,
        total: data.total,
        cycles: data.cycles,
        cools: data.cools,
        received: data.received,
      };
      const replayed = {
        version: h.steps,
        status: 'live',
        state: h.state,
        total: h.total,
        cycles: h.cycles,
        cools: h.cools,
        received: h.received,
      };
      if (JSON.stringify(stored) !== JSON.stringify(replayed)) {
        problems.push(`${gkey}: row ${JSON.stringify(stored)}, receipts say ${JSON.stringify(replayed)}`);
      }
      const era = data.era ?? 0;
      if (row.data_ver !== era)
        problems.push(`${gkey}: data_ver ${String(row.data_ver)}, data of era ${era}`);
      if (h.migrations > 0 && era !== 1) problems.push(`${gkey}: migrated, yet its data is of era ${era}`);
      if (this.switchedAt !== null && h.lastStepIndex >= this.switchedAt && era !== 1) {
        problems.push(`${gkey}: took a step after the switch to data version 1, holds era ${era}`);
      }
      const cycle = timers.some((t) => t.kind === 'generic_timeout');
      const cool = timers.some((t) => t.kind === 'state_timeout');
      if (
        cycle !== data.left > 0 ||
        cool !== (snapshot.state === 'busy') ||
        timers.length !== +cycle + +cool
      ) {
        problems.push(
          `${gkey}: timers ${JSON.stringify(timers)} do not match the data ${JSON.stringify(data)}`,
        );
      }
      for (const t of timers) {
        if (h.fired.has(t.gen)) problems.push(`${gkey}: timer generation ${t.gen} fired and is still armed`);
        armed.set(id(gkey, t.gen), { gkey, gen: t.gen, kind: t.kind, dueMs: t.dueMs });
      }
    }
    for (const [gkey, h] of this.history.governors) {
      if (h.steps > 0 && !seen.has(gkey)) problems.push(`${gkey}: ${h.steps} step receipts and no row`);
    }
    expect(problems, 'governor rows vs receipts').toEqual([]);
    return armed;
  }

  /** Every reply row belongs to one applied add, with its reply and version; every applied add has its row. */
  private checkReplyRows(rows: readonly Row[]): void {
    const problems: string[] = [];
    for (const row of rows) {
      const gkey = row.gkey as string;
      const key = row.idem_key as string;
      const applied = this.history.governors.get(gkey)?.keys.get(key);
      const reply = row.reply === null ? null : parseCanonical(bytesOf(row, 'reply'), 'reply');
      const cast = this.history.applied.get(key);
      if (cast !== undefined) {
        // A keyed cast's row answers a re-delivery with the version of the step that applied it.
        if (JSON.stringify(reply) !== JSON.stringify({ version: cast }) || row.version !== cast)
          problems.push(`reply row ${gkey} ${key} of a cast: ${JSON.stringify(reply)}, applied at ${cast}`);
      } else if (applied === undefined) problems.push(`reply row ${gkey} ${key} without a receipt`);
      else if (reply !== applied.total || row.version !== applied.version) {
        problems.push(
          `reply row ${gkey} ${key}: reply ${String(reply)} at version ${String(row.version)}, ` +
            `receipt says ${applied.total} at ${applied.version}`,
        );
      }
    }
    expect(problems, 'reply rows vs receipts').toEqual([]);
    expect(rows.length, 'one reply row per applied keyed add or cast').toBe(
      this.history.counts.adds + this.history.counts.castsApplied,
    );
  }

  /**
   * Exactly once across kills: the step that applies a cast deletes its outbox row in the same transaction, so
   * a cast made by a committed step is applied (history refuses a second application) or still has its row.
   */
  private checkOutbox(rows: readonly Row[]): void {
    const problems: string[] = [];
    const waiting = new Set<string>();
    for (const row of rows) {
      const key = row.idem_key as string;
      waiting.add(key);
      if (!this.history.sent.has(key)) problems.push(`outbox row ${key} without the step that made it`);
      if (this.history.applied.has(key)) problems.push(`outbox row ${key} left behind by its applied cast`);
    }
    for (const key of this.history.sent.keys()) {
      if (!this.history.applied.has(key) && !waiting.has(key))
        problems.push(`cast ${key} neither applied nor in the outbox`);
    }
    expect(problems, 'outbox rows vs receipts').toEqual([]);
    // A row that outlived a kill and was applied since: the next host delivered it from the table.
    for (const key of this.outboxSeen) {
      if (!this.history.applied.has(key)) continue;
      this.outboxSeen.delete(key);
      this.totals.outboxAfterKill++;
    }
    for (const key of waiting) this.outboxSeen.add(key);
    this.totals.outboxWaiting = waiting.size;
  }

  /** Every ack has exactly one receipt (history refuses a second) whose total is the reply. */
  private checkAcks(run: HostRun): void {
    const problems: string[] = [];
    const keys = new Set<string>();
    for (const ack of run.acks) {
      const applied = this.history.governors.get(ack.g)?.keys.get(ack.k);
      const where = `${ack.how} ack of ${ack.g} ${ack.k} (n ${ack.n}, reply ${ack.r})`;
      if (ack.how === 'conflict') problems.push(`${where}: other content under a used key was accepted`);
      else if (applied === undefined) problems.push(`${where}: no receipt with its key`);
      else if (applied.n !== ack.n || applied.total !== ack.r) {
        problems.push(`${where}: the receipt applied n ${applied.n} giving ${applied.total}`);
      }
      keys.add(ack.k);
      if (ack.how === 'resend') this.totals.resendsDeduped++;
      if (ack.how === 'retry') {
        if (this.appliedBeforeAck.delete(ack.k)) this.totals.retriesDeduped++;
        else this.totals.retriesApplied++;
      }
    }
    for (const c of run.refused) {
      if (this.history.governors.get(c.g)?.refused.has(c.k) !== true) {
        problems.push(`refused re-send of ${c.g} ${c.k} has no refusal receipt`);
      }
    }
    expect(problems, 'acknowledgements vs the database').toEqual([]);
    expect(run.failed, 'calls that failed (only a kill may end a call)').toEqual([]);
    this.totals.acks += run.acks.length;
    this.totals.conflictsRefused += run.refused.length;
    this.totals.commandsChecked += keys.size;
  }

  /**
   * A timer a row held at the last check either fired since (once: history refuses a second firing) or is still
   * held. A timer due at a check fires in a later run, late by at least how long it had waited then.
   */
  private checkTimers(armed: Map<string, ArmedTimer>, checkedAt: number): void {
    const problems: string[] = [];
    const firedNow = (t: ArmedTimer): number | undefined =>
      this.history.governors.get(t.gkey)?.fired.get(t.gen)?.lateMs;
    for (const [key, t] of this.armed) {
      if (!armed.has(key) && firedNow(t) === undefined) {
        problems.push(`timer ${key} (${t.kind}, due ${t.dueMs}) left its row without firing`);
      }
    }
    for (const [key, t] of this.overdue) {
      const late = firedNow(t);
      if (late === undefined) continue;
      this.overdue.delete(key);
      this.totals.overdueFired++;
      this.totals.overdueMaxLateMs = Math.max(this.totals.overdueMaxLateMs, late);
      if (late < t.notedAt - t.dueMs) {
        problems.push(`timer ${key} was due ${t.notedAt - t.dueMs} ms at a check but fired ${late} ms late`);
      }
    }
    for (const [key, t] of armed) {
      if (t.dueMs < checkedAt && !this.overdue.has(key)) this.overdue.set(key, { ...t, notedAt: checkedAt });
    }
    expect(problems, 'timers').toEqual([]);
    this.armed = armed;
  }

  /** A few acknowledged governors read back through the API: the same receipts, each acked key in one of them. */
  private async checkReadLedger(ledger: Ledger, run: HostRun): Promise<void> {
    const sample = new Map(run.acks.map((a) => [a.g, a.k]));
    for (const [gkey, key] of [...sample].slice(0, LEDGER_SAMPLES)) {
      const records = await ledger.readLedger(gkey, 1, 10_000);
      const h = this.history.of(gkey);
      expect(
        records.map((r) => r.receipt.receipt_id),
        `readLedger(${gkey})`,
      ).toEqual(h.receiptIds);
      const withKey = records.filter((r) => r.receipt.cause.idempotency_key === key);
      expect(withKey.length, `receipts of ${gkey} with key ${key}`).toBe(1);
    }
  }

  /** Sent commands without an ack stay pending; counts those applied all the same (their ack was lost). */
  private carryPending(run: HostRun): void {
    for (const c of run.sends) this.pending.set(c.k, c);
    for (const a of run.acks) this.pending.delete(a.k);
    let applied = 0;
    for (const c of this.pending.values()) {
      if (this.history.ownerOf(c.k) === undefined || this.appliedBeforeAck.has(c.k)) continue;
      this.appliedBeforeAck.add(c.k);
      applied++;
    }
    this.totals.appliedUnacked += applied;
  }
}
