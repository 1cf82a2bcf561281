// What a machine is rebuilt from by `Runtime.restore` (docs/runtime/durability-hooks.md), and the shape check
// that runs before any process exists: a stored snapshot comes from outside the process, so a bad one must fail
// with an error naming the offending field, never start a machine that crashes later on a malformed event.
import { GovernessError, RuntimeErrors } from '../../errors/index.js';
import { ReplyTarget } from '../process/pending-call.js';
import { brief } from './describe.js';
import { EVENT_TYPES, TIMER_KINDS } from './transition.js';
import type { MachineTypes, StatemEvent, TimerKind } from './types.js';

/** A timer in a snapshot or a step record: which timer, its absolute monotonic due time and its content. */
export interface SnapshotTimer<T extends MachineTypes = MachineTypes> {
  /** Which kind of timeout. */
  readonly kind: TimerKind;
  /** The name of a generic timeout; absent for the other kinds. */
  readonly name?: string;
  /** Absolute due time on the Clock's monotonic `now()` scale. */
  readonly at: number;
  /** What the timeout event will carry. */
  readonly content: T['timeout'];
}

/** A stored machine: state, data, queued and postponed events, armed timers (the input of `Runtime.restore`). */
export interface MachineSnapshot<T extends MachineTypes = MachineTypes> {
  /** The state to resume in (no enter call is made). */
  readonly state: T['state'];
  /** The data to resume with. */
  readonly data: T['data'];
  /** Events queued ahead of the mailbox (inserted or requeued postponed events), oldest first. */
  readonly queue: readonly StatemEvent<T>[];
  /** Postponed events, oldest first; retried at the next state change. */
  readonly postponed: readonly StatemEvent<T>[];
  /** Armed timers; at most one per kind (per name for generic timeouts). */
  readonly timers: readonly SnapshotTimer<T>[];
}

function bad(argument: string, problem: string): never {
  throw new GovernessError(RuntimeErrors.badArgument, { argument, problem });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkEvent(path: string, ev: unknown): void {
  if (!isRecord(ev)) bad(path, `${brief(ev)} is not an event object`);
  if (typeof ev.type !== 'string' || !EVENT_TYPES.has(ev.type)) {
    bad(`${path}.type`, `${brief(ev.type)} is not an event type (${[...EVENT_TYPES].join(', ')})`);
  }
  if (ev.type === 'call' && !(ev.from instanceof ReplyTarget)) {
    bad(`${path}.from`, `${brief(ev.from)} is not a ReplyTarget, so the call could never be answered`);
  }
  if (ev.type === 'generic_timeout' && typeof ev.name !== 'string') {
    bad(`${path}.name`, `${brief(ev.name)} is not a generic timeout name`);
  }
}

function checkEvents(path: string, list: unknown): void {
  if (!Array.isArray(list)) bad(path, `${brief(list)} is not an array of events`);
  list.forEach((ev, i) => checkEvent(`${path}[${i}]`, ev));
}

function checkTimers(list: unknown): void {
  if (!Array.isArray(list)) bad('snapshot.timers', `${brief(list)} is not an array of timers`);
  const seen = new Set<string>();
  list.forEach((t, i) => {
    const path = `snapshot.timers[${i}]`;
    if (!isRecord(t)) bad(path, `${brief(t)} is not { kind, at, content }`);
    if (typeof t.kind !== 'string' || !TIMER_KINDS.has(t.kind)) {
      bad(`${path}.kind`, `${brief(t.kind)} is not timeout, state_timeout or generic_timeout`);
    }
    if (t.kind === 'generic_timeout' ? typeof t.name !== 'string' : t.name !== undefined) {
      bad(`${path}.name`, `${brief(t.name)}: a generic timeout needs a string name, other kinds have none`);
    }
    if (typeof t.at !== 'number' || !Number.isFinite(t.at)) {
      bad(`${path}.at`, `${brief(t.at)} is not a finite absolute monotonic time`);
    }
    // The engine holds one timer per kind (per name): a second one would silently replace the first.
    const key = t.kind === 'generic_timeout' ? `generic_timeout ${String(t.name)}` : t.kind;
    if (seen.has(key)) bad(path, `a second ${key} timer`);
    seen.add(key);
  });
}

/** Checks the shape of a snapshot; throws GOV_BAD_ARGUMENT naming the offending field. */
export function validateSnapshot<T extends MachineTypes>(snapshot: unknown): MachineSnapshot<T> {
  if (!isRecord(snapshot))
    bad('snapshot', `${brief(snapshot)} is not { state, data, queue, postponed, timers }`);
  if (!('state' in snapshot) || snapshot.state === undefined) bad('snapshot.state', 'missing');
  if (!('data' in snapshot)) bad('snapshot.data', 'missing');
  checkEvents('snapshot.queue', snapshot.queue);
  checkEvents('snapshot.postponed', snapshot.postponed);
  checkTimers(snapshot.timers);
  return snapshot as unknown as MachineSnapshot<T>;
}
