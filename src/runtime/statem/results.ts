// Constructors for state callback and init results (GS-03, GS-20). Actions are passed as trailing arguments.
import type { ExitReason } from '../process/exit-reason.js';
import type { Action, InitResult, MachineTypes, Result } from './types.js';

type A<T extends MachineTypes> = Action<T> | Action<MachineTypes>;
const NO_ACTIONS: readonly never[] = Object.freeze([]);

function list<T extends MachineTypes>(actions: readonly A<T>[]): readonly Action<T>[] {
  return actions.length === 0 ? NO_ACTIONS : (actions as readonly Action<T>[]);
}

/** Moves to `state` (maybe the same one) with new data. */
export function nextState<T extends MachineTypes>(
  state: T['state'],
  data: T['data'],
  ...actions: NoInfer<A<T>>[]
): Result<T> {
  return { type: 'next_state', state, data, actions: list(actions) };
}

/** Stays in the current state with new data. */
export function keepState<T extends MachineTypes>(data: T['data'], ...actions: NoInfer<A<T>>[]): Result<T> {
  return { type: 'keep_state', data, actions: list(actions) };
}

const KEEP_STATE_AND_DATA = Object.freeze({ type: 'keep_state_and_data', actions: NO_ACTIONS } as const);

/** Stays in the current state with the same data; only the actions take effect. */
export function keepStateAndData<T extends MachineTypes>(...actions: NoInfer<A<T>>[]): Result<T> {
  return actions.length === 0 ? KEEP_STATE_AND_DATA : { type: 'keep_state_and_data', actions: list(actions) };
}

/** Like keepState, but runs the state enter call again (GS-13). */
export function repeatState<T extends MachineTypes>(data: T['data'], ...actions: NoInfer<A<T>>[]): Result<T> {
  return { type: 'repeat_state', data, actions: list(actions) };
}

/** Like keepStateAndData, but runs the state enter call again (GS-13). */
export function repeatStateAndData<T extends MachineTypes>(...actions: NoInfer<A<T>>[]): Result<T> {
  return { type: 'repeat_state_and_data', actions: list(actions) };
}

/** Stops the process: terminate runs, then it exits with `reason` (default `normal`) (GS-70). */
export function stop<T extends MachineTypes>(reason: ExitReason = 'normal', data?: T['data']): Result<T> {
  return data === undefined ? { type: 'stop', reason } : { type: 'stop', reason, data };
}

/** Sends the replies, then stops (GS-70). */
export function stopAndReply<T extends MachineTypes>(
  reason: ExitReason,
  replies: readonly NoInfer<A<T>>[],
  data?: T['data'],
): Result<T> {
  const r = replies as readonly Action<T>[];
  return data === undefined
    ? { type: 'stop_and_reply', reason, replies: r }
    : { type: 'stop_and_reply', reason, replies: r, data };
}

/** init succeeded: the machine starts in `state` with `data`; `postpone` is ignored in these actions. */
export function initOk<T extends MachineTypes>(
  state: T['state'],
  data: T['data'],
  ...actions: NoInfer<A<T>>[]
): InitResult<T> {
  return { type: 'ok', state, data, actions: list(actions) };
}

/** init declines to start: the start call reports `ignore` and nothing runs. */
export function initIgnore<T extends MachineTypes>(): InitResult<T> {
  return { type: 'ignore' };
}

/** init fails: the process exits with `reason` (a crash unless the reason is clean). */
export function initStop<T extends MachineTypes>(reason: ExitReason): InitResult<T> {
  return { type: 'stop', reason };
}

/** init fails silently: the start call reports `{ error: reason }` without a crash report (OTP 26). */
export function initError<T extends MachineTypes>(reason: unknown): InitResult<T> {
  return { type: 'error', reason };
}
