// The `snapshot` column of a governor row (docs/durable/design.md §1.4): RFC 8785 bytes of
// { state, data, queue, postponed, timerGen }. Timers are not in it: they are stored in their own column with
// wall-clock due times (timer-rows.ts). Decoding checks the shape and names the field, because the bytes come
// from disk and a bad snapshot must fail its load, not start a machine that crashes later.
import { canonicalBytes, parseCanonical } from '../ledger/canonical/index.js';
import { validateSnapshot, type MachineTypes, type StatemEvent } from '../runtime/index.js';
import { childPath, fromStorable, refuseAt, toStorable, type ReplyCodec } from './storable.js';

/** A machine as stored in a governor row, without its timers. */
export interface DurableSnapshot<T extends MachineTypes = MachineTypes> {
  /** The state the machine is in. */
  readonly state: T['state'];
  /** The machine's data. */
  readonly data: T['data'];
  /** Events queued ahead of the mailbox, oldest first. */
  readonly queue: readonly StatemEvent<T>[];
  /** Postponed events, oldest first. */
  readonly postponed: readonly StatemEvent<T>[];
  /** The last timer generation handed out (timer-rows.ts); a new timer gets the next one. */
  readonly timerGen: number;
}

const FIELDS = ['data', 'postponed', 'queue', 'state', 'timerGen'] as const;

function checkTimerGen(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    refuseAt('snapshot.timerGen', `${JSON.stringify(value)} is not a non-negative integer`);
  }
  return value;
}

function checkList(path: string, value: unknown): readonly unknown[] {
  if (!Array.isArray(value)) refuseAt(path, 'is not an array of events');
  return value;
}

/** RFC 8785 bytes of a snapshot; throws GOV_BAD_ARGUMENT naming the first value that cannot be stored. */
export function encodeSnapshot<T extends MachineTypes>(
  snapshot: DurableSnapshot<T>,
  replies?: ReplyCodec,
): Uint8Array {
  const stored = {
    data: toStorable(snapshot.data, 'snapshot.data', replies),
    postponed: toStorable(checkList('snapshot.postponed', snapshot.postponed), 'snapshot.postponed', replies),
    queue: toStorable(checkList('snapshot.queue', snapshot.queue), 'snapshot.queue', replies),
    state: toStorable(snapshot.state, 'snapshot.state', replies),
    timerGen: checkTimerGen(snapshot.timerGen),
  };
  return canonicalBytes(stored, '/snapshot');
}

/** Parses and checks snapshot bytes; throws GOV_NOT_CANONICAL or GOV_BAD_ARGUMENT naming the bad field. */
export function decodeSnapshot<T extends MachineTypes>(
  bytes: Uint8Array,
  replies?: ReplyCodec,
): DurableSnapshot<T> {
  const parsed = parseCanonical(bytes, 'snapshot');
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return refuseAt('snapshot', 'is not an object { state, data, queue, postponed, timerGen }');
  }
  const record = parsed as Record<string, unknown>;
  for (const f of FIELDS) if (!(f in record)) refuseAt(`snapshot.${f}`, 'missing');
  for (const k of Object.keys(record)) {
    if (!(FIELDS as readonly string[]).includes(k))
      refuseAt(childPath('snapshot', k), 'is not a snapshot field');
  }
  const snapshot = {
    state: fromStorable(record.state, 'snapshot.state', replies),
    data: fromStorable(record.data, 'snapshot.data', replies),
    queue: fromStorable(checkList('snapshot.queue', record.queue), 'snapshot.queue', replies),
    postponed: fromStorable(checkList('snapshot.postponed', record.postponed), 'snapshot.postponed', replies),
    timerGen: checkTimerGen(record.timerGen),
  };
  // The runtime's own check names a bad event (`snapshot.queue[0].type`, a call without a reply target).
  validateSnapshot({ ...snapshot, timers: [] });
  return snapshot as DurableSnapshot<T>;
}
