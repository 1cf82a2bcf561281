// One durable step = one receipt appended with its rows (docs/durable/design.md §1.3). The commit hook turns a
// StepRecord into: the governor row (snapshot, timers, next due time) written only if the stored version is
// still the one this process last committed, a reply row for a keyed command, and the receipt. The ledger's
// group commit puts many governors' steps in one transaction; the runtime releases the step's replies and
// effects only when the promise returned here resolves, i.e. after COMMIT.
import { DurableErrors, GovernessError, LedgerErrors } from '../errors/index.js';
import { canonicalBytes } from '../ledger/canonical/index.js';
import type { Ledger, ReceiptDraft, ReceiptMetadata, RowWrite, SqlValue } from '../ledger/index.js';
import type { Action, Clock, MachineTypes, StatemEvent, StepRecord } from '../runtime/index.js';
import { dataVersionOf } from './definition.js';
import { DurableReply, NO_CAUSE, type CommandCause } from './durable-reply.js';
import type { Governor, PendingCast } from './governor.js';
import { outboxDelete, outboxOf, type OutboxEntry } from './outbox.js';
import { defaultReason, labelOf, receiptEventOf } from './receipt-of.js';
import { encodeSnapshot } from './snapshot-codec.js';
import type { ReplyCodec } from './storable.js';
import { toStorable } from './storable.js';
import { GOVERNORS_TABLE, REPLIES_TABLE } from './tables.js';
import { encodeTimerRows, lateMs, nextDue, timerRows, type TimerRow } from './timer-rows.js';

/** The key and cause of a cast sent through the host, found again by its content object. */
export interface CastCause {
  readonly key: string | null;
  /** Hex request hash (keyed casts). */
  readonly reqHash: string | null;
  readonly cause: CommandCause;
  /** The sender's promise, settled after the consuming step commits. */
  readonly pending: PendingCast;
  /** The outbox row this cast delivers, deleted by the consuming step; null for a cast from outside. */
  readonly outbox: string | null;
}

/** What the step committer needs from its host. */
export interface StepCommitContext {
  readonly ledger: Ledger;
  readonly clock: Clock;
  /** Cast causes by content object (the runtime hands the hook the same object the host delivered). */
  readonly casts: WeakMap<object, CastCause>;
  /** How reply targets in snapshots are stored and loaded. */
  readonly codec: ReplyCodec;
  /** The governor handled an event (it moves to the young end of the LRU order). */
  used(g: Governor<MachineTypes>): void;
  /** A committed step left these outbox entries to deliver. */
  released(entries: readonly OutboxEntry[]): void;
  /** A keyed call was consumed by a committed step (its reply row now exists). */
  consumed(gkey: string, key: string): void;
}

interface Consumed {
  readonly key: string | null;
  readonly cause: CommandCause;
  readonly reply: DurableReply | null;
  readonly cast: { readonly content: object; readonly cc: CastCause } | null;
}

/**
 * Times a step is appended again after its transaction failed on another governor's row. Such a failure is a
 * fork attempt (rare), and it drops the step that made it, so a retry fails again only if another one joined.
 */
const SHARED_RETRIES = 3;

const TIMEOUTS: ReadonlySet<string> = new Set(['timeout', 'state_timeout', 'generic_timeout']);

function sameTimers<T extends MachineTypes>(g: Governor<T>, step: StepRecord<T>): boolean {
  if (step.timerIds.length !== g.timerIds.length) return false;
  for (let i = 0; i < step.timerIds.length; i++) {
    if (step.timerIds[i] !== g.timerIds[i]) return false;
    if (step.timers[i]?.content !== g.timers[i]?.content) return false;
  }
  return true;
}

/** The command a step consumes for the first time: a keyed or unkeyed call or cast sent through the host. */
function consumedBy<T extends MachineTypes>(event: StatemEvent<T> | null, ctx: StepCommitContext): Consumed {
  if (event?.type === 'call' && event.from instanceof DurableReply && !event.from.consumed) {
    return { key: event.from.key, cause: event.from.cause, reply: event.from, cast: null };
  }
  if (event?.type === 'cast' && typeof event.content === 'object' && event.content !== null) {
    const cc = ctx.casts.get(event.content);
    if (cc !== undefined)
      return { key: cc.key, cause: cc.cause, reply: null, cast: { content: event.content, cc } };
  }
  return { key: null, cause: NO_CAUSE, reply: null, cast: null };
}

/**
 * The `durable_replies` row of a keyed command (reply NULL while a call's reply is deferred). The step that
 * consumes the command writes its row first and expects none to exist: this unique row is the database's guard
 * that a key is applied at most once per governor (the receipt does not put the key in the ledger's own
 * idempotency index; see `append`). A deferred reply given by a later step updates the row.
 */
function replyRow(
  gkey: string,
  key: string,
  reqHash: string,
  reply: Uint8Array | null,
  version: number,
  first: boolean,
): RowWrite {
  const row = {
    gkey,
    idem_key: key,
    req_hash: Buffer.from(reqHash, 'hex'),
    reply,
    version,
    receipt_id: null,
  };
  return first
    ? { table: REPLIES_TABLE.name, op: 'upsert', row, expect: { column: 'version', value: null } }
    : { table: REPLIES_TABLE.name, op: 'upsert', row };
}

/** The reply row of a keyed call's reply target. */
function callReplyRow(
  target: DurableReply,
  reply: Uint8Array | null,
  version: number,
  first: boolean,
): RowWrite {
  return replyRow(target.gkey, target.key as string, target.reqHash as string, reply, version, first);
}

/**
 * The governor row a step writes. A new governor's names every column. Later steps name only what they change:
 * the version and snapshot always, the timers and `next_due_ms` when they differ from the stored ones, the
 * status when the machine stopped. The upsert then sets only those columns, and SQLite leaves the due index
 * alone unless `next_due_ms` is among them (it maintains an index only for the columns an UPDATE names, even
 * when the value is the same), which saves a B-tree page per step. The data version and epoch of an active
 * governor's row are already its definition's and 0 (a load migrates the row first; docs/durable/design.md §1.3).
 */
function governorRow<T extends MachineTypes>(
  g: Governor<T>,
  version: number,
  snapshot: Uint8Array,
  timers: Uint8Array,
  nextDueMs: number | null,
  stopped: boolean,
): Record<string, SqlValue> {
  const status = stopped ? 'stopped' : 'live';
  if (g.version === 0) {
    return {
      gkey: g.gkey,
      version,
      data_ver: dataVersionOf(g.def),
      snapshot,
      timers,
      next_due_ms: nextDueMs,
      status,
      epoch: 0,
    };
  }
  const row: Record<string, SqlValue> = { gkey: g.gkey, version, snapshot };
  if (timers !== g.timersBytes) row.timers = timers;
  if (nextDueMs !== g.nextDueMs) row.next_due_ms = nextDueMs;
  if (stopped) row.status = status;
  return row;
}

/** The store conflict that failed an append (the ledger hands it on as the cause of GOV_APPEND_FAILED), or null. */
function conflictOf(err: unknown): GovernessError | null {
  if (GovernessError.is(err, LedgerErrors.storeConflict)) return err;
  const cause = err instanceof Error ? err.cause : undefined;
  return GovernessError.is(cause, LedgerErrors.storeConflict) ? cause : null;
}

/** True when the conflicting row belongs to governor `gkey` (its row or one of its reply rows). */
function isOwnConflict(conflict: GovernessError, gkey: string): boolean {
  const key = conflict.details.key;
  try {
    return typeof key === 'string' && (JSON.parse(key) as { gkey?: unknown }).gkey === gkey;
  } catch {
    return false;
  }
}

/** Writes durable steps: the commit hook of every durable governor of one host. */
export class StepCommitter {
  /** Steps committed (statistics). */
  committed = 0;
  /** Steps that changed nothing and wrote nothing. */
  skipped = 0;
  /** Commits in flight. */
  inFlight = 0;

  constructor(private readonly ctx: StepCommitContext) {}

  /** The commit hook for governor `g`: undefined when the step changed nothing, else the commit's promise. */
  commit<T extends MachineTypes>(g: Governor<T>, step: StepRecord<T>): Promise<void> | undefined {
    this.ctx.used(g as unknown as Governor<MachineTypes>);
    const consumed = consumedBy(step.event, this.ctx);
    if (
      step.event !== null &&
      step.stop === null &&
      !step.changed &&
      step.data === g.data &&
      step.pending === null &&
      !g.hadPending &&
      step.effects.length === 0 &&
      consumed.key === null &&
      sameTimers(g, step)
    ) {
      this.skipped++;
      if (consumed.cast !== null) this.settleCast(g, consumed.cast, false);
      return undefined;
    }
    try {
      return this.write(g, step, consumed);
    } catch (err) {
      return Promise.reject(this.failed(g, err));
    }
  }

  private write<T extends MachineTypes>(
    g: Governor<T>,
    step: StepRecord<T>,
    consumed: Consumed,
  ): Promise<void> {
    const { clock } = this.ctx;
    const now = clock.now();
    const wall = clock.wallNow();
    const version = g.version + 1;
    const codec = this.ctx.codec;
    const stopped = step.stop !== null;
    // Most steps arm, cancel and change no timer: their rows, generations and stored bytes are the last step's.
    const keptBytes = !stopped && g.timersBytes !== null && sameTimers(g, step) ? g.timersBytes : null;
    const t = stopped
      ? { rows: [] as TimerRow<T>[], timerGen: g.timerGen, gens: new Map<number, number>() }
      : keptBytes !== null
        ? { rows: g.timerRows, timerGen: g.timerGen, gens: g.gens }
        : timerRows(
            { timers: step.timers, timerIds: step.timerIds },
            g.gens,
            g.timerGen,
            now,
            wall,
            g.timerRows,
          );
    const timersBytes = keptBytes ?? encodeTimerRows(t.rows, codec);
    const queue = stopped ? [] : (step.pending?.queue ?? []);
    const snapshot = encodeSnapshot(
      {
        state: step.to,
        data: step.data,
        queue,
        postponed: stopped ? [] : (step.pending?.postponed ?? []),
        timerGen: t.timerGen,
      },
      codec,
    );
    // Queued events not yet handled are work due now: after a crash the scanner must wake the governor for them
    // even when it has no timer (postponed events wait for a state change and need no wake-up).
    const nextDueMs =
      queue.length > 0 ? Math.min(nextDue(t.rows) ?? Infinity, Math.ceil(wall)) : nextDue(t.rows);
    const rows: RowWrite[] = [
      {
        table: GOVERNORS_TABLE.name,
        op: 'upsert',
        row: governorRow(g, version, snapshot, timersBytes, nextDueMs, stopped),
        expect: { column: 'version', value: g.version === 0 ? null : g.version },
      },
    ];
    this.replyRows(g, step, consumed, version, rows);
    const out = outboxOf(g.gkey, version, step.effects as readonly Action<MachineTypes>[], wall);
    rows.push(...out.rows);
    const delivered = consumed.cast?.cc.outbox;
    if (delivered !== undefined && delivered !== null) rows.push(outboxDelete(delivered));
    const draft = this.draft(g, step, consumed, version, wall);
    return this.append(g, draft, rows, SHARED_RETRIES).then(() => {
      g.version = version;
      g.timerGen = t.timerGen;
      g.gens = t.gens;
      g.timerRows = t.rows;
      g.timersBytes = timersBytes;
      g.nextDueMs = nextDueMs;
      g.timers = step.timers;
      g.timerIds = step.timerIds;
      g.data = step.data;
      g.hadPending = step.pending !== null;
      g.stopped = stopped;
      this.committed++;
      if (consumed.reply !== null) {
        consumed.reply.consumed = true;
        if (consumed.reply.key !== null) this.ctx.consumed(consumed.reply.gkey, consumed.reply.key);
      }
      if (consumed.cast !== null) this.settleCast(g, consumed.cast, false);
      if (out.entries.length > 0) this.ctx.released(out.entries);
    });
  }

  /** Reply rows: the consumed keyed command's (reply NULL while deferred) and every keyed reply this step gives. */
  private replyRows<T extends MachineTypes>(
    g: Governor<T>,
    step: StepRecord<T>,
    consumed: Consumed,
    version: number,
    rows: RowWrite[],
  ): void {
    const written = new Set<string>();
    for (const e of step.effects) {
      if (e.type !== 'reply' || !(e.to instanceof DurableReply) || e.to.key === null) continue;
      if (written.has(e.to.stored)) continue; // a second reply to one call is dropped (GS-61)
      written.add(e.to.stored);
      const bytes = canonicalBytes(toStorable(e.reply, 'reply'), '/reply');
      rows.push(callReplyRow(e.to, bytes, version, e.to === consumed.reply));
    }
    const r = consumed.reply;
    if (r !== null && r.key !== null && !written.has(r.stored))
      rows.push(callReplyRow(r, null, version, true));
    const c = consumed.cast?.cc;
    if (c !== undefined && c.key !== null) {
      rows.push(replyRow(g.gkey, c.key, c.reqHash as string, canonicalBytes({ version }), version, true));
    }
  }

  private draft<T extends MachineTypes>(
    g: Governor<T>,
    step: StepRecord<T>,
    consumed: Consumed,
    version: number,
    wall: number,
  ): ReceiptDraft {
    const parts = g.def.receipt?.(step) ?? {};
    const event = receiptEventOf(step.event);
    const metadata: Record<string, ReceiptMetadata[string]> = { ...(parts.metadata ?? {}) };
    metadata.durable_version = version;
    if (step.event !== null && TIMEOUTS.has(step.event.type)) {
      const name = step.event.type === 'generic_timeout' ? step.event.name : undefined;
      const fired = g.timerRows.find((r) => r.kind === step.event?.type && r.name === name);
      if (fired !== undefined) {
        metadata.timer_gen = fired.gen;
        metadata.timer_late_ms = lateMs(fired.dueMs, wall);
      }
    }
    const draft: ReceiptDraft = {
      governor: g.parts.kind,
      sku_id: g.parts.sku,
      tenant_id: g.parts.tenant,
      state_from: labelOf(g.def, step.from),
      state_to: labelOf(g.def, step.to),
      event: parts.summary === undefined ? event : { type: event.type, summary: parts.summary },
      status: parts.status ?? 'accept',
      reason: parts.reason ?? defaultReason(step),
      metadata,
      cause: { ...consumed.cause, idempotency_key: consumed.key },
    };
    return parts.private === undefined ? draft : { ...draft, private: parts.private };
  }

  /**
   * Appends; a conflict on another governor's row means this step only shared a failed transaction, so it is
   * appended again (nothing of it was stored), up to SHARED_RETRIES times. A conflict on its own row is a fork
   * attempt: it fails.
   */
  private async append<T extends MachineTypes>(
    g: Governor<T>,
    draft: ReceiptDraft,
    rows: readonly RowWrite[],
    retries: number,
  ): Promise<void> {
    g.committing = true;
    this.inFlight++;
    try {
      // A keyed command reaches a step only after the host found no reply row for its key, and the step's
      // reply row (expected absent) is the key's unique record: the ledger need not look it up nor index it.
      await this.ctx.ledger.append(draft, { rows, callerDedupes: true });
    } catch (err) {
      const conflict = conflictOf(err);
      if (retries > 0 && conflict !== null && !isOwnConflict(conflict, g.gkey)) {
        return this.append(g, draft, rows, retries - 1);
      }
      throw this.failed(g, err);
    } finally {
      g.committing = false;
      this.inFlight--;
    }
  }

  private failed<T extends MachineTypes>(g: Governor<T>, err: unknown): Error {
    const error = GovernessError.is(err, DurableErrors.commitFailed)
      ? (err as GovernessError)
      : new GovernessError(DurableErrors.commitFailed, {
          gkey: g.gkey,
          problem: err instanceof Error ? err.message : String(err),
        });
    g.commitError = error;
    return error;
  }

  private settleCast<T extends MachineTypes>(
    g: Governor<T>,
    cast: { readonly content: object; readonly cc: CastCause },
    duplicate: boolean,
  ): void {
    this.ctx.casts.delete(cast.content);
    g.casts.delete(cast.cc.pending);
    cast.cc.pending.resolve({ gkey: g.gkey, version: g.version, duplicate });
  }
}
