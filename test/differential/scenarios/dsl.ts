// Small builders that keep written scenarios short. Everything they build is plain scenario data (scenario.ts).
import type {
  ActionSpec,
  Atom,
  DataOp,
  EventTypePattern,
  Pattern,
  Program,
  ResultSpec,
  Rule,
  Scenario,
  Step,
  Term,
} from '../scenario.js';

/** A rule; `guard` restricts it by the counter n. */
export function on(
  state: Pattern,
  type: EventTypePattern,
  content: Pattern,
  result: ResultSpec,
  guard: { nBelow?: number; nAtLeast?: number } = {},
): Rule {
  return { state, type, content, result, ...guard };
}

export const next = (state: Atom, actions: ActionSpec[] = [], ops: DataOp[] = []): ResultSpec => ({
  r: 'next_state',
  state,
  actions,
  ops,
});
export const keep = (ops: DataOp[] = [], actions: ActionSpec[] = []): ResultSpec => ({
  r: 'keep_state',
  ops,
  actions,
});
export const keepData = (...actions: ActionSpec[]): ResultSpec => ({ r: 'keep_state_and_data', actions });
export const repeat = (ops: DataOp[] = [], actions: ActionSpec[] = []): ResultSpec => ({
  r: 'repeat_state',
  ops,
  actions,
});
export const repeatData = (...actions: ActionSpec[]): ResultSpec => ({ r: 'repeat_state_and_data', actions });
export const stopR = (reason: Atom, ops: DataOp[] = []): ResultSpec => ({ r: 'stop', reason, ops });
export const stopReply = (reason: Atom, replies: ActionSpec[], ops: DataOp[] = []): ResultSpec => ({
  r: 'stop_and_reply',
  reason,
  replies,
  ops,
});

export const replyA = (value: Term): ActionSpec => ({ a: 'reply', value });
export const replySaved = (value: Term): ActionSpec => ({ a: 'reply_saved', value });
export const postponeA: ActionSpec = { a: 'postpone' };
export const ne = (type: 'internal' | 'cast' | 'info', content: Term): ActionSpec => ({
  a: 'next_event',
  type,
  content,
});
export const evTo = (time: number | 'infinity', content: Term): ActionSpec => ({
  a: 'timeout',
  kind: 'event',
  time,
  content,
});
export const stTo = (time: number | 'infinity', content: Term): ActionSpec => ({
  a: 'timeout',
  kind: 'state',
  time,
  content,
});
export const genTo = (name: Atom, time: number | 'infinity', content: Term): ActionSpec => ({
  a: 'timeout',
  kind: 'generic',
  name,
  time,
  content,
});
export const cancelEv: ActionSpec = { a: 'cancel', kind: 'event' };
export const cancelSt: ActionSpec = { a: 'cancel', kind: 'state' };
export const cancelGen = (name: Atom): ActionSpec => ({ a: 'cancel', kind: 'generic', name });
export const updEv = (content: Term): ActionSpec => ({ a: 'update', kind: 'event', content });
export const updSt = (content: Term): ActionSpec => ({ a: 'update', kind: 'state', content });
export const updGen = (name: Atom, content: Term): ActionSpec => ({
  a: 'update',
  kind: 'generic',
  name,
  content,
});

export const call = (id: Atom, content: Term): Step => ({ s: 'call', id, content });
export const cast = (content: Term): Step => ({ s: 'cast', content });
export const info = (content: Term): Step => ({ s: 'info', content });
export const adv = (units: number): Step => ({ s: 'advance', units });
export const stopS: Step = { s: 'stop' };

/** A program: initial state (and init actions), state enter on/off, rules. */
export function program(
  init: Atom,
  rules: Rule[],
  opts: { stateEnter?: boolean; actions?: ActionSpec[]; n?: number } = {},
): Program {
  return {
    init: { state: init, actions: opts.actions ?? [], n: opts.n ?? 0 },
    stateEnter: opts.stateEnter ?? false,
    rules,
  };
}

/** A scenario; `lines` are trace lines our runtime must produce in this order (OTP must match it anyway). */
export function scenario(name: string, prog: Program, script: Step[], lines?: string[]): Scenario {
  return lines === undefined
    ? { name, program: prog, script }
    : { name, program: prog, script, expect: { lines } };
}

/** Logs every event and keeps state: the usual catch-all last rule. */
export const logAll: Rule = on('_', '_', '_', keep(['log']));
