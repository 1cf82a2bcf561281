// Timers on disk (docs/durable/design.md §2): the engine arms timers on the monotonic clock, which restarts with
// the process, so a stored timer carries a wall-clock `dueMs` instead, converted at commit and back at
// activation. Each armed timer also gets a generation `gen`, kept while the engine keeps the same timer and new
// otherwise, so a firing receipt can name exactly one timer (`timer_gen`) and a crash test can prove it fired once.
import { canonicalBytes, parseCanonical } from '../ledger/canonical/index.js';
import type { MachineTypes, SnapshotTimer, TimerKind } from '../runtime/index.js';
import { childPath, fromStorable, refuseAt, toStorable, type ReplyCodec } from './storable.js';

/** One timer as stored in the `timers` column of a governor row. */
export interface TimerRow<T extends MachineTypes = MachineTypes> {
  /** Which kind of timeout. */
  readonly kind: TimerKind;
  /** The name of a generic timeout; absent for the other kinds. */
  readonly name?: string;
  /** Due time in wall-clock epoch milliseconds (an integer). */
  readonly dueMs: number;
  /** The timer's generation, unique per governor. */
  readonly gen: number;
  /** What the timeout event will carry. */
  readonly content: T['timeout'];
}

/** Wall-clock due time of a timer due at monotonic `at`, rounded up so it never fires early. */
export function toDueMs(at: number, now: number, wallNow: number): number {
  // A timer already due (`at <= now`: a zero-time timeout not yet delivered, an absolute time in the past) keeps
  // its past due time, so a restore orders it among other overdue timers by when it fell due and its receipt
  // states how late it fired (design.md §2). Each part is rounded up on its own: a delay below a float's
  // resolution at wall-clock magnitude (1e-14 ms next to 1.7e12) would vanish in the sum and the timer would be
  // stored a hair early.
  return Math.ceil(wallNow) + Math.ceil(at - now);
}

/** Monotonic due time of a stored timer, for `Runtime.restore` (already due when `dueMs <= wallNow`). */
export function toMonotonicAt(dueMs: number, now: number, wallNow: number): number {
  return now + (dueMs - wallNow);
}

/** How late a timer fired: `wallNow - dueMs`, never negative (for the `timer_late_ms` receipt metadata). */
export function lateMs(dueMs: number, wallNow: number): number {
  return Math.max(0, Math.ceil(wallNow - dueMs));
}

/** The smallest `dueMs`, or null with no timers (the `next_due_ms` column of the due index). */
export function nextDue(rows: readonly TimerRow[]): number | null {
  let next: number | null = null;
  for (const r of rows) if (next === null || r.dueMs < next) next = r.dueMs;
  return next;
}

/** The engine's armed timers after a step, with their runtime ids (StepRecord `timers` and `timerIds`). */
export interface ArmedTimers<T extends MachineTypes = MachineTypes> {
  /** Armed timers, `at` on the monotonic clock. */
  readonly timers: readonly SnapshotTimer<T>[];
  /** One runtime id per timer, index for index. */
  readonly timerIds: readonly number[];
}

/** The stored timers of a step, the new generation counter and the id → gen map to remember for the next step. */
export interface TimerRowsResult<T extends MachineTypes = MachineTypes> {
  /** Timer rows in the engine's order. */
  readonly rows: readonly TimerRow<T>[];
  /** The last generation handed out (goes in the snapshot's `timerGen`). */
  readonly timerGen: number;
  /** Runtime timer id → gen, for the timers now armed. */
  readonly gens: ReadonlyMap<number, number>;
}

/**
 * Converts a step's armed timers to rows: a timer whose runtime id was armed before keeps its `gen` (it kept
 * running, or only its content changed) and its stored `dueMs` from `stored` (the rows last committed); any other
 * timer takes the next generation after `timerGen` and a due time converted from its monotonic `at`.
 */
export function timerRows<T extends MachineTypes>(
  armed: ArmedTimers<T>,
  previous: ReadonlyMap<number, number>,
  timerGen: number,
  now: number,
  wallNow: number,
  stored: readonly TimerRow[] = [],
): TimerRowsResult<T> {
  if (armed.timerIds.length !== armed.timers.length) {
    refuseAt('timerIds', `${armed.timerIds.length} ids for ${armed.timers.length} timers`);
  }
  // A kept timer's due time does not change, so it is not converted again: an overdue timer restored and still
  // queued would be stamped "due now" by every step before it fires, and its lateness (and real due time) lost.
  const storedDue = new Map(stored.map((r) => [r.gen, r.dueMs]));
  let gen = timerGen;
  const gens = new Map<number, number>();
  const rows = armed.timers.map((t, i) => {
    const id = armed.timerIds[i] as number;
    const kept = previous.get(id);
    const g = kept ?? ++gen;
    gens.set(id, g);
    const dueMs = (kept === undefined ? undefined : storedDue.get(kept)) ?? toDueMs(t.at, now, wallNow);
    const row: TimerRow<T> = { kind: t.kind, dueMs, gen: g, content: t.content };
    return t.name === undefined ? row : { ...row, name: t.name };
  });
  return { rows, timerGen: gen, gens };
}

/** Stored timers as snapshot timers for `Runtime.restore`, `at` on the current monotonic clock. */
export function restoreTimers<T extends MachineTypes>(
  rows: readonly TimerRow<T>[],
  now: number,
  wallNow: number,
): SnapshotTimer<T>[] {
  return rows.map((r) => {
    const t: SnapshotTimer<T> = {
      kind: r.kind,
      at: toMonotonicAt(r.dueMs, now, wallNow),
      content: r.content,
    };
    return r.name === undefined ? t : { ...t, name: r.name };
  });
}

/** Runtime id → gen after a restore: `Runtime.restore` returns the new ids in the order of the rows given. */
export function gensAfterRestore(
  rows: readonly TimerRow[],
  timerIds: readonly number[],
): Map<number, number> {
  if (timerIds.length !== rows.length)
    refuseAt('timerIds', `${timerIds.length} ids for ${rows.length} timers`);
  return new Map(rows.map((r, i) => [timerIds[i] as number, r.gen]));
}

/** RFC 8785 bytes of timer rows (the `timers` column); throws naming the first content that cannot be stored. */
export function encodeTimerRows(rows: readonly TimerRow[], replies?: ReplyCodec): Uint8Array {
  const stored = rows.map((r, i) => {
    const path = `timers[${i}]`;
    const row: Record<string, unknown> = {
      content: toStorable(r.content, `${path}.content`, replies),
      dueMs: checkInteger(`${path}.dueMs`, r.dueMs),
      gen: checkInteger(`${path}.gen`, r.gen),
      kind: r.kind,
    };
    if (r.name !== undefined) row.name = r.name;
    return row;
  });
  return canonicalBytes(stored, '/timers');
}

const KINDS: ReadonlySet<string> = new Set(['timeout', 'state_timeout', 'generic_timeout']);
const ROW_FIELDS: ReadonlySet<string> = new Set(['content', 'dueMs', 'gen', 'kind', 'name']);

function checkInteger(path: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    refuseAt(path, `${JSON.stringify(v)} is not a non-negative integer`);
  }
  return v;
}

/** Parses and checks the `timers` column: kinds, names, integer due times, unique gens and timers. */
export function decodeTimerRows<T extends MachineTypes>(
  bytes: Uint8Array,
  replies?: ReplyCodec,
): TimerRow<T>[] {
  const parsed = parseCanonical(bytes, 'timers');
  if (!Array.isArray(parsed)) return refuseAt('timers', 'is not an array of timers');
  const gens = new Set<number>();
  const slots = new Set<string>();
  return parsed.map((raw: unknown, i) => {
    const path = `timers[${i}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
      refuseAt(path, 'is not a timer object');
    const r = raw as Record<string, unknown>;
    for (const k of Object.keys(r))
      if (!ROW_FIELDS.has(k)) refuseAt(childPath(path, k), 'is not a timer field');
    if (typeof r.kind !== 'string' || !KINDS.has(r.kind)) {
      refuseAt(`${path}.kind`, `${JSON.stringify(r.kind)} is not timeout, state_timeout or generic_timeout`);
    }
    if (r.kind === 'generic_timeout' ? typeof r.name !== 'string' : r.name !== undefined) {
      refuseAt(`${path}.name`, 'a generic timeout needs a string name, other kinds have none');
    }
    if (!('content' in r)) refuseAt(`${path}.content`, 'missing');
    const dueMs = checkInteger(`${path}.dueMs`, r.dueMs);
    const gen = checkInteger(`${path}.gen`, r.gen);
    if (gens.has(gen)) refuseAt(`${path}.gen`, `generation ${gen} appears twice`);
    gens.add(gen);
    const slot = r.kind === 'generic_timeout' ? `generic_timeout ${String(r.name)}` : r.kind;
    if (slots.has(slot)) refuseAt(path, `a second ${slot} timer`);
    slots.add(slot);
    const row: TimerRow<T> = {
      kind: r.kind as TimerKind,
      dueMs,
      gen,
      content: fromStorable(r.content, `${path}.content`, replies) as T['timeout'],
    };
    return r.name === undefined ? row : { ...row, name: r.name as string };
  });
}
