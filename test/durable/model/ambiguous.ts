// Runs the model test skips (fc.pre) instead of comparing, because the host cannot give the model's exact order
// of events in them. Each rule names what it excludes; all were found by this test (see the report).
//
// 1. Catch-up order. Restoring puts a governor's overdue timers in the engine's zero-time queue, sorted by stored
//    due time. A recurring timer that fires there and re-arms itself at a slot that is also past goes to the
//    clock, so it fires after every restored timer, even one due later; a timer stored while already overdue
//    carries its commit time as due time, not its slot. The model fires all in due order. (src/runtime decides.)
// 2. Queued events across downtime. Events the last committed step left queued (postponed events released by a
//    state change) are handled after a crash when the host is back: their relative timers start then, while the
//    model handled them before the downtime.
// 3. Timers of one governor due at the same millisecond. The clock fires them in arming order; a restored
//    governor re-arms them in generation order, which is the arming order across steps but, for two timers armed
//    by one step, the engine's order (event, state, then generic timeouts), which may differ.
import { decodeTimerRows, type TimerRow } from '../../../src/durable/index.js';
import type { LedgerRecord, SqlValue } from '../../../src/ledger/index.js';
import type { Tick } from './machine.js';

/** The run's SimulatedClock at a reopen. */
export interface ClockReading {
  readonly now: number;
  readonly wallNow: number;
}

/** A stored governor row (null: none). */
export type GovernorRow = Readonly<Record<string, SqlValue>> | null;

function slotOf(r: TimerRow, clock: ClockReading): number | null {
  if (r.kind !== 'generic_timeout') return null;
  return (r.content as Tick).at + (clock.wallNow - clock.now);
}

/** Rule 1: two or more overdue timers, one of them recurring and more than one slot or its slot behind. */
export function ambiguousCatchUp(row: GovernorRow, clock: ClockReading): boolean {
  if (row === null || row.status !== 'live') return false;
  const overdue = decodeTimerRows(row.timers as Uint8Array).filter((r) => r.dueMs <= clock.wallNow);
  if (overdue.length < 2) return false;
  return overdue.some((r) => {
    const slot = slotOf(r, clock);
    if (slot === null) return false;
    return slot + (r.content as Tick).period <= clock.wallNow || slot < r.dueMs;
  });
}

/** Rule 2: the row holds queued events and the host was down for a while. */
export function queuedAcrossDowntime(row: GovernorRow, downMs: number): boolean {
  if (row === null || downMs === 0) return false;
  const snapshot = JSON.parse(Buffer.from(row.snapshot as Uint8Array).toString('utf8')) as {
    queue: unknown[];
  };
  return snapshot.queue.length > 0;
}

/** Rule 3: two different timers of one governor fired at the same time (in the model's receipts). */
export function tiedTimers(records: readonly LedgerRecord[]): boolean {
  const fired = new Map<string, string>();
  for (const r of records) {
    const { event, ts } = r.receipt;
    if (!event.type.endsWith('timeout')) continue;
    const other = fired.get(ts);
    if (other !== undefined && other !== event.summary) return true;
    fired.set(ts, event.summary);
  }
  return false;
}
