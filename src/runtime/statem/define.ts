// Checking a definition once, and `step`: the pure transition exposed for unit-testing machines without processes.
import { GovernessError, RuntimeErrors } from '../../errors/index.js';
import type { ExitReason } from '../process/exit-reason.js';
import { ReplyTarget } from '../process/pending-call.js';
import { stateEquality } from './equality.js';
import { callbackOf, computeTransition } from './transition.js';
import type { Action, From, MachineDefinition, MachineTypes, StatemEvent, TimeoutAction } from './types.js';

const checked = new WeakSet<object>();

/** Throws `GOV_BAD_DEFINITION` naming the problem unless `def` is a usable machine definition. */
export function validateDefinition<T extends MachineTypes>(def: MachineDefinition<T>): void {
  if (typeof def === 'object' && def !== null && checked.has(def)) return;
  const bad = (problem: string): never => {
    throw new GovernessError(RuntimeErrors.badDefinition, { problem });
  };
  if (typeof def !== 'object' || def === null) bad('a definition must be an object');
  if (typeof def.init !== 'function') bad('init must be a function');
  const hasHandle = typeof def.handleEvent === 'function';
  const hasStates = typeof def.states === 'object' && def.states !== null;
  if (hasHandle === hasStates)
    bad('give exactly one of handleEvent (one callback) or states (one per state)');
  if (hasStates) {
    for (const [name, f] of Object.entries(def.states as object)) {
      if (typeof f !== 'function') bad(`states.${name} must be a function`);
    }
  }
  for (const hook of ['terminate', 'formatStatus', 'stateKey', 'migrate'] as const) {
    if (def[hook] !== undefined && typeof def[hook] !== 'function') bad(`${hook} must be a function`);
  }
  if (def.stateEnter !== undefined && typeof def.stateEnter !== 'boolean')
    bad('stateEnter must be a boolean');
  if (def.dataVersion !== undefined && (!Number.isInteger(def.dataVersion) || def.dataVersion < 0)) {
    bad('dataVersion must be a non-negative integer');
  }
  checked.add(def);
}

/** Declares a machine: checks it and returns it typed. */
export function defineMachine<T extends MachineTypes>(def: MachineDefinition<T>): MachineDefinition<T> {
  validateDefinition(def);
  return def;
}

/** The outcome of `step`: the next state and data and everything the runtime would do. */
export interface StepResult<T extends MachineTypes> {
  /** Next state. */
  readonly state: T['state'];
  /** Next data. */
  readonly data: T['data'];
  /** Every action returned, in order (enter calls' actions after the event's). */
  readonly actions: readonly Action<T>[];
  /** True when the state changed by the definition's equality rule. */
  readonly changed: boolean;
  /** True when the event is postponed. */
  readonly postponed: boolean;
  /** Replies made in this step, in order. */
  readonly replies: readonly { readonly to: From<unknown>; readonly reply: unknown }[];
  /** Timeout actions that take effect (the last per timer). */
  readonly timeouts: readonly TimeoutAction<T>[];
  /** Stop reason, when the machine stops. */
  readonly stop: ExitReason | null;
  /** Number of state enter calls made. */
  readonly enterCalls: number;
}

/**
 * Runs one event through a machine without a process: `step(def, state, data, event)`. Bad returns throw a
 * `StatemCrash` carrying the same structured reason a running process would exit with.
 */
export function step<T extends MachineTypes>(
  def: MachineDefinition<T>,
  state: T['state'],
  data: T['data'],
  event: StatemEvent<T>,
): StepResult<T> {
  validateDefinition(def);
  const t = computeTransition(
    def,
    callbackOf(def),
    stateEquality(def.stateKey?.bind(def)),
    state,
    data,
    event,
    { process: def.name ?? 'step' },
    null,
    true,
  );
  const actions = t.all ?? [];
  const replies = actions
    .filter((a): a is Action<T> & { type: 'reply' } => a.type === 'reply')
    .map((a) => ({ to: a.to, reply: a.reply }));
  const seen = new Set<string>();
  const timeouts: TimeoutAction<T>[] = [];
  for (const a of [...(t.timeouts ?? [])].reverse()) {
    const key = a.kind === 'generic_timeout' ? `g:${a.name}` : a.kind;
    if (seen.has(key)) continue;
    seen.add(key);
    timeouts.unshift(a);
  }
  return {
    state: t.state,
    data: t.data,
    actions,
    changed: t.changed,
    postponed: t.postpone,
    replies,
    timeouts,
    stop: t.stop?.reason ?? null,
    enterCalls: t.enterCalls,
  };
}

/** A stand-in `from` for unit tests with `step`: records what the machine replied. */
export class RecordingFrom<R = unknown> extends ReplyTarget implements From<R> {
  /** Replies received, in order. */
  readonly replies: unknown[] = [];
  deliverReply(value: unknown): void {
    this.replies.push(value);
  }
}

/** Builds a call event for `step`, with a RecordingFrom to read the reply from. */
export function callEvent<T extends MachineTypes>(
  request: { type: string } & Record<string, unknown>,
): { event: StatemEvent<T>; from: RecordingFrom } {
  const from = new RecordingFrom();
  return { event: { type: 'call', call: request.type, request, from } as unknown as StatemEvent<T>, from };
}
