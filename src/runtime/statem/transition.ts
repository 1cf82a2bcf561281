// The pure transition: run the state callback on one event, validate what it returned, run state enter calls,
// and collect the actions by kind. No process, clock or I/O is touched here; the engine applies the result in
// OTP's order (docs/runtime/semantics.md §Transition). Both `step()` and the engine use this one function.
import { ReplyTarget } from '../process/pending-call.js';
import type { CrashKind, CrashReason, ExitReason } from '../process/exit-reason.js';
import { brief, describeEvent } from './describe.js';
import type {
  Action,
  EffectAction,
  EnterCall,
  MachineDefinition,
  MachineTypes,
  Result,
  StatemEvent,
  TimeoutAction,
} from './types.js';

/** A crash detected while computing a transition; carries the structured exit reason. */
export class StatemCrash extends Error {
  /**
   * The state and data terminate sees. OTP terminates with the state and data the callback returned when its
   * actions or an enter call's return are bad (state_data = NextState_NewData); after a bad return from the state
   * callback that is still the state before the event. Unset for exceptions, which also leave the state before it.
   */
  next: { readonly state: unknown; readonly data: unknown } | undefined = undefined;
  /** Replies made before the crash: OTP has already sent them when it reaches the bad action (GS-35). */
  replies: readonly Action<MachineTypes>[] = [];
  constructor(readonly reason: CrashReason) {
    super(reason.message);
    this.name = 'StatemCrash';
  }
}

/** An event the engine can queue: what handlers see, plus inserted events of any event type. */
export type QueuedEvent = StatemEvent<MachineTypes>;

/** The outcome of one event: the next state and data plus the collected actions, by kind. */
export interface Transition<T extends MachineTypes> {
  /** Next state. */
  state: T['state'];
  /** Next data. */
  data: T['data'];
  /** True when the next state differs from the state before the event (by the definition's equality rule). */
  changed: boolean;
  /** Postpone the current event (GS-31). */
  postpone: boolean;
  /** Hibernate after the transition (GS-33). */
  hibernate: boolean;
  /** Events to insert ahead of the queue, in list order (GS-32). */
  nextEvents: QueuedEvent[] | null;
  /** Timeout actions in list order; the engine keeps the last one of each timer (GS-30). */
  timeouts: TimeoutAction<T>[] | null;
  /** Replies and effects, in list order; released after the transition is applied (and committed). */
  effects: (Action<T> & { type: 'reply' })[] | EffectAction<T>[] | null;
  /** Set when the machine stops. */
  stop: { reason: ExitReason } | null;
  /** Number of state enter calls made. */
  enterCalls: number;
  /** Every action in order, when collection was requested (step()). */
  all: Action<T>[] | null;
}

/** The callback a definition provides, normalised to handle_event form. */
export type StateCallback<T extends MachineTypes> = (
  event: StatemEvent<T> | EnterCall<T>,
  state: T['state'],
  data: T['data'],
) => Result<T>;

/** Context used to name the process in crash reasons. */
export interface CrashContext {
  /** Process label. */
  readonly process: string;
}

const EFFECT_TYPES = new Set(['cast', 'send', 'monitor', 'demonitor', 'link', 'unlink', 'trap_exit', 'task']);
/** The event types a StatemEvent can have: what next_event may insert and a snapshot may hold. */
export const EVENT_TYPES: ReadonlySet<string> = new Set([
  'internal',
  'cast',
  'info',
  'call',
  'timeout',
  'state_timeout',
  'generic_timeout',
]);
/** The timeout kinds a machine can arm. */
export const TIMER_KINDS: ReadonlySet<string> = new Set(['timeout', 'state_timeout', 'generic_timeout']);
const INSERTABLE = EVENT_TYPES;

/** Normalises a definition's callback(s) into one handle_event-style function. */
export function callbackOf<T extends MachineTypes>(def: MachineDefinition<T>): StateCallback<T> {
  if (typeof def.handleEvent === 'function') {
    const h = def.handleEvent;
    return (event, state, data) => h.call(def, event, state, data);
  }
  const states = def.states;
  if (states === undefined) throw new TypeError('definition has neither handleEvent nor states');
  return (event, state, data) => {
    const f = typeof state === 'string' ? states[state] : undefined;
    if (typeof f !== 'function') {
      throw new TypeError(`no state function for state ${brief(state)} (state_functions mode)`);
    }
    return f(event, data);
  };
}

function crash(
  kind: CrashKind,
  ctx: CrashContext,
  state: unknown,
  event: unknown,
  detail: unknown,
  message: string,
): never {
  throw new StatemCrash({
    error: kind,
    process: ctx.process,
    state,
    event: describeEvent(event),
    detail,
    message: `${message} (process ${ctx.process}, state ${brief(state)}, event ${describeEvent(event)})`,
  });
}

function invoke<T extends MachineTypes>(
  cb: StateCallback<T>,
  event: StatemEvent<T> | EnterCall<T>,
  state: T['state'],
  data: T['data'],
  ctx: CrashContext,
): Result<T> {
  try {
    return cb(event, state, data);
  } catch (err) {
    if (err instanceof StatemCrash) throw err;
    const message = err instanceof Error ? err.message : brief(err);
    return crash('exception', ctx, state, event, err, `state callback threw: ${message}`);
  }
}

/**
 * Computes one transition. `initial` is set for the init actions, which run like a state callback's result whose
 * enter call is forced and whose postpone is ignored (GS-03).
 */
export function computeTransition<T extends MachineTypes>(
  def: MachineDefinition<T>,
  cb: StateCallback<T>,
  equals: (a: T['state'], b: T['state']) => boolean,
  state: T['state'],
  data: T['data'],
  event: StatemEvent<T> | null,
  ctx: CrashContext,
  first: Result<T> | null = null,
  collectAll = false,
  into: Transition<T> | null = null,
): Transition<T> {
  const t =
    into === null
      ? newTransition<T>(state, data, collectAll)
      : resetTransition(into, state, data, collectAll);
  try {
    return transitionInto(t, def, cb, equals, state, data, event, ctx, first);
  } catch (err) {
    if (err instanceof StatemCrash) {
      if (err.reason.error !== 'exception') err.next = { state: t.state, data: t.data };
      const effects = t.effects as Action<T>[] | null;
      if (effects !== null) err.replies = effects.filter((e) => e.type === 'reply') as Action<MachineTypes>[];
    }
    throw err;
  }
}

function newTransition<T extends MachineTypes>(
  state: T['state'],
  data: T['data'],
  collectAll: boolean,
): Transition<T> {
  return {
    state,
    data,
    changed: false,
    postpone: false,
    hibernate: false,
    nextEvents: null,
    timeouts: null,
    effects: null,
    stop: null,
    enterCalls: 0,
    all: collectAll ? [] : null,
  };
}

/** Makes `t` a fresh transition from (`state`, `data`), as newTransition would (a reused object, no allocation). */
export function resetTransition<T extends MachineTypes>(
  t: Transition<T>,
  state: T['state'],
  data: T['data'],
  collectAll: boolean,
): Transition<T> {
  t.state = state;
  t.data = data;
  t.changed = false;
  t.postpone = false;
  t.hibernate = false;
  t.nextEvents = null;
  t.timeouts = null;
  t.effects = null;
  t.stop = null;
  t.enterCalls = 0;
  t.all = collectAll ? [] : null;
  return t;
}

function transitionInto<T extends MachineTypes>(
  t: Transition<T>,
  def: MachineDefinition<T>,
  cb: StateCallback<T>,
  equals: (a: T['state'], b: T['state']) => boolean,
  state: T['state'],
  data: T['data'],
  event: StatemEvent<T> | null,
  ctx: CrashContext,
  first: Result<T> | null,
): Transition<T> {
  const initial = first !== null;
  let current: StatemEvent<T> | EnterCall<T> | null = event;
  let result: Result<T> = first ?? invoke(cb, event as StatemEvent<T>, state, data, ctx);
  let stateCall = true;
  let callbackState: T['state'] = state;
  for (;;) {
    let callEnter = false;
    const r = result as Result<T> | null | undefined;
    if (r === null || typeof r !== 'object') {
      crash(
        stateCall ? 'bad_return_from_state_function' : 'bad_state_enter_return_from_state_function',
        ctx,
        callbackState,
        current,
        r,
        `bad return ${brief(r)} from the state callback`,
      );
    }
    switch (r.type) {
      case 'next_state':
        if (equals(r.state, callbackState)) callEnter = initial && stateCall;
        else if (stateCall) callEnter = true;
        else {
          crash(
            'bad_state_enter_return_from_state_function',
            ctx,
            callbackState,
            current,
            r,
            `an enter call may not change the state (returned next_state ${brief(r.state)})`,
          );
        }
        t.state = r.state;
        t.data = r.data;
        collect(t, r.actions, stateCall, ctx, callbackState, current);
        break;
      case 'keep_state':
        t.data = r.data;
        collect(t, r.actions, stateCall, ctx, callbackState, current);
        break;
      case 'keep_state_and_data':
        collect(t, r.actions, stateCall, ctx, callbackState, current);
        break;
      case 'repeat_state':
        t.data = r.data;
        callEnter = true;
        collect(t, r.actions, stateCall, ctx, callbackState, current);
        break;
      case 'repeat_state_and_data':
        callEnter = true;
        collect(t, r.actions, stateCall, ctx, callbackState, current);
        break;
      case 'stop':
        if ('data' in r && r.data !== undefined) t.data = r.data;
        t.stop = { reason: r.reason ?? 'normal' };
        break;
      case 'stop_and_reply': {
        if (r.data !== undefined) t.data = r.data;
        const replies: unknown = r.replies;
        if (!Array.isArray(replies)) {
          crash(
            'bad_reply_action',
            ctx,
            callbackState,
            current,
            replies,
            'stop_and_reply needs a list of replies',
          );
        }
        for (const a of replies as unknown[]) {
          const ra = a as { type?: unknown; to?: unknown } | null;
          if (
            ra === null ||
            typeof ra !== 'object' ||
            ra.type !== 'reply' ||
            !(ra.to instanceof ReplyTarget)
          ) {
            crash(
              'bad_reply_action',
              ctx,
              callbackState,
              current,
              a,
              `bad reply action ${brief(a)} in stop_and_reply`,
            );
          }
          pushEffect(t, a as Action<T>);
          t.all?.push(a as Action<T>);
        }
        t.stop = { reason: r.reason ?? 'normal' };
        break;
      }
      default:
        crash(
          stateCall ? 'bad_return_from_state_function' : 'bad_state_enter_return_from_state_function',
          ctx,
          callbackState,
          current,
          r,
          `bad return ${brief(r)} from the state callback`,
        );
    }
    if (t.stop !== null) break;
    if (callEnter && def.stateEnter === true) {
      t.enterCalls++;
      stateCall = false;
      callbackState = t.state;
      current = { type: 'enter', oldState: state };
      result = invoke(cb, current, t.state, t.data, ctx);
      continue;
    }
    break;
  }
  if (initial) t.postpone = false;
  t.changed = !equals(t.state, state);
  return t;
}

/** `[a]` rather than `[]` then push: an empty array's first push reserves 17 slots, and a process that arms one
 * timeout would keep none of them (this runs for every start that arms a timer). */
function pushTimeout<T extends MachineTypes>(t: Transition<T>, a: TimeoutAction<T>): void {
  if (t.timeouts === null) t.timeouts = [a];
  else t.timeouts.push(a);
}

function pushEffect<T extends MachineTypes>(t: Transition<T>, a: Action<T>): void {
  if (t.effects === null) t.effects = [a] as EffectAction<T>[];
  else (t.effects as Action<T>[]).push(a);
}

function collect<T extends MachineTypes>(
  t: Transition<T>,
  actions: readonly Action<T>[] | undefined,
  stateCall: boolean,
  ctx: CrashContext,
  state: unknown,
  event: unknown,
): void {
  if (actions === undefined) return;
  // Checked before reading .length so that `null` is a bad action too, not a TypeError (exception).
  if (!Array.isArray(actions)) {
    const kind = stateCall ? 'bad_action' : 'bad_state_enter_action';
    crash(kind, ctx, state, event, actions, `actions must be a list, got ${brief(actions)}`);
  }
  if (actions.length === 0) return;
  // Performance: this runs for every event that returns actions. The error helper used to be a closure made on
  // each call (an allocation, and under tsx/esbuild keepNames a defineProperty for its name too). Now the checks
  // throw a small BadAction signal that is turned into the same crash here, where this call's context is known.
  try {
    collectActions(t, actions, stateCall);
  } catch (err) {
    if (err instanceof BadAction) {
      crash(stateCall ? 'bad_action' : 'bad_state_enter_action', ctx, state, event, err.action, err.why);
    }
    throw err;
  }
}

/** Thrown by the action checks below; `collect` converts it into a bad_action crash. */
class BadAction {
  constructor(
    readonly action: unknown,
    readonly why: string,
  ) {}
}

function badAction(a: unknown, why: string): never {
  throw new BadAction(a, why);
}

function collectActions<T extends MachineTypes>(
  t: Transition<T>,
  actions: readonly Action<T>[],
  stateCall: boolean,
): void {
  const bad = badAction;
  for (const a of actions) {
    if (a === null || typeof a !== 'object') bad(a, `unknown action ${brief(a)}`);
    t.all?.push(a);
    switch (a.type) {
      case 'reply':
        if (!(a.to instanceof ReplyTarget)) {
          bad(a, `reply target ${brief(a.to)} is not a call's from (a reply to a cast or info?)`);
        }
        pushEffect(t, a);
        break;
      case 'postpone':
        if (typeof a.value !== 'boolean') bad(a, 'postpone value must be a boolean');
        // OTP allows {postpone,false} in an enter call; only postponing is forbidden there (GS-14).
        if (!stateCall && a.value) bad(a, 'postpone is not allowed in a state enter call');
        t.postpone = a.value;
        break;
      case 'next_event': {
        if (!stateCall) bad(a, 'next_event is not allowed in a state enter call');
        const ev = a.event as { type?: unknown; from?: unknown; name?: unknown } | null;
        if (
          ev === null ||
          typeof ev !== 'object' ||
          typeof ev.type !== 'string' ||
          !INSERTABLE.has(ev.type)
        ) {
          return bad(a, `next_event has an unknown event type ${brief(ev?.type)}`);
        }
        if (ev.type === 'call' && !(ev.from instanceof ReplyTarget)) bad(a, 'an inserted call needs a from');
        if (ev.type === 'generic_timeout' && typeof ev.name !== 'string')
          bad(a, 'generic_timeout needs a name');
        (t.nextEvents ??= []).push(a.event as QueuedEvent);
        break;
      }
      case 'hibernate':
        if (typeof a.value !== 'boolean') bad(a, 'hibernate value must be a boolean');
        t.hibernate = a.value;
        break;
      case 'set_timer':
        checkTimer(a, bad);
        if (a.time !== 'infinity') {
          if (typeof a.time !== 'number' || Number.isNaN(a.time))
            bad(a, `timeout time ${brief(a.time)} is not a number`);
          if (!a.abs && (a.time < 0 || !Number.isFinite(a.time))) {
            bad(a, `relative timeout ${brief(a.time)} must be a finite number >= 0 or 'infinity'`);
          }
          if (a.abs && !Number.isFinite(a.time)) bad(a, `absolute timeout ${brief(a.time)} must be finite`);
        }
        pushTimeout(t, a);
        break;
      case 'cancel_timer':
      case 'update_timer':
        checkTimer(a, bad);
        pushTimeout(t, a);
        break;
      default:
        if (!EFFECT_TYPES.has((a as { type: string }).type)) bad(a, `unknown action ${brief(a)}`);
        checkEffect(a as EffectAction<T>, bad);
        pushEffect(t, a);
    }
  }
}

function checkTimer(a: { kind: unknown; name: unknown }, bad: (a: unknown, why: string) => never): void {
  if (typeof a.kind !== 'string' || !TIMER_KINDS.has(a.kind)) bad(a, `unknown timeout kind ${brief(a.kind)}`);
  if (a.kind === 'generic_timeout' && typeof a.name !== 'string')
    bad(a, 'a generic timeout needs a string name');
}

function checkEffect<T extends MachineTypes>(
  a: EffectAction<T>,
  bad: (a: unknown, why: string) => never,
): void {
  switch (a.type) {
    case 'task':
      if (typeof a.run !== 'function') bad(a, 'task needs a run function');
      break;
    case 'trap_exit':
      if (typeof a.value !== 'boolean') bad(a, 'trap_exit value must be a boolean');
      break;
    case 'monitor':
    case 'link':
    case 'unlink':
      if (typeof a.target !== 'object' || a.target === null) bad(a, `${a.type} needs a pid`);
      break;
    default:
      break;
  }
}
