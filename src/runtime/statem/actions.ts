// Constructors for transition actions. Actions are plain data: the runtime applies them after the callback
// returns, in list order (GS-30), so a callback stays a pure function of (event, state, data).
import type { Pid } from '../process/pid.js';
import type { ProcessName } from '../registry/registry.js';
import type {
  Action,
  EffectAction,
  From,
  InsertedEvent,
  MachineTypes,
  Time,
  TimeoutOptions,
  TimerKind,
} from './types.js';

// The protocol parameter is erased at runtime; constructors return actions usable by any machine.
type AnyAction = Action<MachineTypes>;

/** Replies to a call (GS-35). Allowed from state callbacks, enter calls and init. */
export function reply<R>(to: From<R>, value: NoInfer<R>): AnyAction {
  return { type: 'reply', to: to as From<unknown>, reply: value };
}

/** Postpones the current event until the next state change (GS-31, GS-40). */
export function postpone(value = true): AnyAction {
  return { type: 'postpone', value };
}

/** Inserts an event to be handled next, before already queued events (GS-32). */
export function nextEvent<T extends MachineTypes>(
  type: InsertedEvent<T>['type'],
  content: InsertedEvent<T>['content'],
): Action<T> {
  return { type: 'next_event', event: { type, content } as InsertedEvent<T> };
}

/** Hint that the process will idle: the runtime releases its buffers (GS-33). */
export function hibernate(value = true): AnyAction {
  return { type: 'hibernate', value };
}

function setTimer(
  kind: TimerKind,
  name: string | undefined,
  time: Time,
  content: unknown,
  opts?: TimeoutOptions,
) {
  return { type: 'set_timer', kind, name, time, content, abs: opts?.abs === true } as const;
}

/** Starts the event timeout: fires unless some event arrives first (GS-34, §1.7). */
export function eventTimeout<C>(time: Time, content: C, opts?: TimeoutOptions): AnyAction {
  return setTimer('timeout', undefined, time, content, opts);
}

/** Starts the state timeout: cancelled by a state change, not by a same-state transition (GS-50). */
export function stateTimeout<C>(time: Time, content: C, opts?: TimeoutOptions): AnyAction {
  return setTimer('state_timeout', undefined, time, content, opts);
}

/** Starts the named generic timeout: survives state changes (§1.7). */
export function genericTimeout<C>(name: string, time: Time, content: C, opts?: TimeoutOptions): AnyAction {
  return setTimer('generic_timeout', name, time, content, opts);
}

/** Cancels the event timeout. */
export function cancelEventTimeout(): AnyAction {
  return { type: 'cancel_timer', kind: 'timeout', name: undefined };
}

/** Cancels the state timeout. */
export function cancelStateTimeout(): AnyAction {
  return { type: 'cancel_timer', kind: 'state_timeout', name: undefined };
}

/** Cancels the named generic timeout. */
export function cancelGenericTimeout(name: string): AnyAction {
  return { type: 'cancel_timer', kind: 'generic_timeout', name };
}

/** Changes the event timeout's content, keeping its expiry; with no running timer it fires at once (GS-51). */
export function updateEventTimeout<C>(content: C): AnyAction {
  return { type: 'update_timer', kind: 'timeout', name: undefined, content };
}

/** Changes the state timeout's content, keeping its expiry; with no running timer it fires at once (GS-51). */
export function updateStateTimeout<C>(content: C): AnyAction {
  return { type: 'update_timer', kind: 'state_timeout', name: undefined, content };
}

/** Changes a generic timeout's content, keeping its expiry; with no running timer it fires at once (GS-51). */
export function updateGenericTimeout<C>(name: string, content: C): AnyAction {
  return { type: 'update_timer', kind: 'generic_timeout', name, content };
}

/** Effect: casts `content` to a process or registered name after the transition is applied. */
export function castTo(to: Pid | ProcessName, content: unknown): EffectAction<MachineTypes> {
  return { type: 'cast', to, content };
}

/** Effect: sends a plain (info) message after the transition is applied. */
export function sendTo(to: Pid | ProcessName, content: unknown): EffectAction<MachineTypes> {
  return { type: 'send', to, content };
}

/** Effect: monitors `target`; its exit arrives as an info `{ type: 'DOWN', tag, pid, reason }`. A tag names one monitor: reusing it replaces the earlier one. */
export function monitor(target: Pid, tag: unknown): EffectAction<MachineTypes> {
  return { type: 'monitor', target, tag };
}

/** Effect: removes the monitor created with `tag`; no DOWN message for it arrives afterwards. */
export function demonitor(tag: unknown): EffectAction<MachineTypes> {
  return { type: 'demonitor', tag };
}

/** Effect: links this process with `target` (exit signals flow both ways). */
export function link(target: Pid): EffectAction<MachineTypes> {
  return { type: 'link', target };
}

/** Effect: removes the link with `target`. */
export function unlink(target: Pid): EffectAction<MachineTypes> {
  return { type: 'unlink', target };
}

/** Effect: turns exit signals into `{ type: 'EXIT' }` info messages (true) or back into exits (false). */
export function trapExit(value: boolean): EffectAction<MachineTypes> {
  return { type: 'trap_exit', value };
}

/**
 * Effect: runs async work outside the machine; its outcome comes back as an info event
 * `{ type: 'task', tag, ok: true, value }` or `{ type: 'task', tag, ok: false, error }`.
 */
export function task(tag: unknown, run: () => Promise<unknown>): EffectAction<MachineTypes> {
  return { type: 'task', tag, run };
}

/** The info message a finished `task` effect delivers. */
export type TaskResult =
  | { readonly type: 'task'; readonly tag: unknown; readonly ok: true; readonly value: unknown }
  | { readonly type: 'task'; readonly tag: unknown; readonly ok: false; readonly error: unknown };
