// Runs the model test skips (fc.pre) instead of comparing, because the host cannot give the model's exact order
// of events in them. Each rule names what it excludes; all were found by this test (see the report).
//
// 1. Queued events across downtime. Events the last committed step left queued (postponed events released by a
//    state change) are handled after a crash when the host is back: their relative timers start then, while the
//    model handled them before the downtime.
import type { SqlValue } from '../../../src/ledger/index.js';

/** A stored governor row (null: none). */
export type GovernorRow = Readonly<Record<string, SqlValue>> | null;

/** Rule 1: the row holds queued events and the host was down for a while. */
export function queuedAcrossDowntime(row: GovernorRow, downMs: number): boolean {
  if (row === null || downMs === 0) return false;
  const snapshot = JSON.parse(Buffer.from(row.snapshot as Uint8Array).toString('utf8')) as {
    queue: unknown[];
  };
  return snapshot.queue.length > 0;
}
