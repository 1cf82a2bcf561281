// Mode-neutral test machines for the gen_statem conformance suite. A spec gives one handler `(event, state,
// data)` and the list of state names; `machine(mode, spec)` turns it into either a `handleEvent` definition (OTP
// handle_event_function) or a `states: { name: fn }` definition (OTP state_functions), so every behavioural case
// can run in both callback modes. `puppet` is a machine driven from the test: a cast carrying `act(label, fn)`
// makes it return `fn(state, data)`, and every event it sees is logged as `state:type content`.
import {
  keepStateAndData,
  type EnterCall,
  type ExitReason,
  type InitResult,
  type MachineDefinition,
  type MachineTypes,
  type Pid,
  type Result,
  type StatemEvent,
  type StatemStatus,
} from '../../../../src/runtime/index.js';
import type { Harness } from '../../../support/harness.js';

/** The two OTP callback modes. */
export type Mode = 'handle_event' | 'state_functions';
/** Both modes, for `describe.each`. */
export const MODES: readonly Mode[] = ['handle_event', 'state_functions'];

/** A loose protocol: string states, any data, calls tagged by `type`. */
export interface P<D = unknown> extends MachineTypes {
  state: string;
  data: D;
  calls: Record<string, { request: Record<string, unknown>; reply: unknown }>;
  cast: unknown;
  info: unknown;
  internal: unknown;
  timeout: unknown;
  args: unknown;
}

/** What a handler receives: an event or an enter call. */
export type Ev<D = unknown> = StatemEvent<P<D>> | EnterCall<P<D>>;
/** A handler result (results built without a protocol, typed `Result<MachineTypes>`, are accepted too). */
export type R<D = unknown> = Result<P<D>> | Result<MachineTypes>;
/** An init result, likewise. */
export type I<D = unknown> = InitResult<P<D>> | InitResult<MachineTypes>;

/** A machine written once for both callback modes. */
export interface Spec<D> {
  readonly name?: string;
  readonly stateEnter?: boolean;
  /** The state names (state_functions mode gets one function per name). */
  readonly states: readonly string[];
  readonly init: (args: unknown) => I<D>;
  readonly handle: (ev: Ev<D>, state: string, data: D) => R<D>;
  readonly terminate?: (reason: ExitReason, state: string, data: D) => void;
  readonly formatStatus?: (s: StatemStatus<P<D>>) => StatemStatus<P<D>>;
}

/** Builds the definition for one callback mode. */
export function machine<D>(mode: Mode, spec: Spec<D>): MachineDefinition<P<D>> {
  const common = {
    ...(spec.name === undefined ? {} : { name: spec.name }),
    ...(spec.stateEnter === undefined ? {} : { stateEnter: spec.stateEnter }),
    init: spec.init as (args: unknown) => InitResult<P<D>>,
    ...(spec.terminate === undefined ? {} : { terminate: spec.terminate }),
    ...(spec.formatStatus === undefined ? {} : { formatStatus: spec.formatStatus }),
  };
  if (mode === 'handle_event') {
    return { ...common, handleEvent: (ev, state, data) => spec.handle(ev, state, data) as Result<P<D>> };
  }
  const states: Record<string, (ev: Ev<D>, data: D) => Result<P<D>>> = {};
  for (const name of spec.states) states[name] = (ev, data) => spec.handle(ev, name, data) as Result<P<D>>;
  return { ...common, states };
}

/** Renders an event as the puppet logs it: `cast x`, `enter a`, `call get`, `generic_timeout g c`. */
export function show(ev: Ev<unknown>): string {
  switch (ev.type) {
    case 'enter':
      return `enter ${String(ev.oldState)}`;
    case 'call':
      return `call ${ev.call}`;
    case 'generic_timeout':
      return `generic_timeout ${ev.name} ${text(ev.content)}`;
    default: {
      const c = ev.content as { act?: unknown } | null;
      if (c !== null && typeof c === 'object' && typeof c.act === 'string') return `${ev.type} act ${c.act}`;
      return `${ev.type} ${text(ev.content)}`;
    }
  }
}

function text(v: unknown): string {
  return typeof v === 'string' || typeof v === 'number' ? String(v) : JSON.stringify(v);
}

/** A scripted step for a puppet: a cast whose content is this makes the puppet return `fn(state, data)`. */
export interface Act<D> {
  readonly act: string;
  readonly fn: (state: string, data: D) => R<D>;
}

/** Builds a puppet command. */
export function act<D = Record<string, unknown>>(
  label: string,
  fn: (state: string, data: D) => R<D>,
): Act<D> {
  return { act: label, fn };
}

/** Options for a puppet. */
export interface PuppetOptions<D> {
  readonly name?: string;
  readonly stateEnter?: boolean;
  readonly states?: readonly string[];
  /** Defaults to state `a` with data `{}`. */
  readonly init?: (args: unknown) => I<D>;
  /** Reaction to events that are not `act` commands; undefined means keep_state_and_data. */
  readonly on?: (ev: Ev<D>, state: string, data: D) => R<D> | undefined;
  readonly terminate?: (reason: ExitReason, state: string, data: D) => void;
  readonly formatStatus?: (s: StatemStatus<P<D>>) => StatemStatus<P<D>>;
}

/** A puppet machine and its event log. */
export interface Puppet<D> {
  readonly def: MachineDefinition<P<D>>;
  /** `state:event` for every event and enter call, in order. */
  readonly log: string[];
}

function isAct<D>(c: unknown): c is Act<D> {
  return typeof c === 'object' && c !== null && typeof (c as { fn?: unknown }).fn === 'function';
}

/** A machine driven by `act` casts and calls (`{ type: 'do', act }`), logging every event it sees. */
export function puppet<D = Record<string, unknown>>(mode: Mode, opts: PuppetOptions<D> = {}): Puppet<D> {
  const log: string[] = [];
  const def = machine<D>(mode, {
    ...(opts.name === undefined ? {} : { name: opts.name }),
    ...(opts.stateEnter === undefined ? {} : { stateEnter: opts.stateEnter }),
    ...(opts.terminate === undefined ? {} : { terminate: opts.terminate }),
    ...(opts.formatStatus === undefined ? {} : { formatStatus: opts.formatStatus }),
    states: opts.states ?? ['a', 'b', 'c'],
    init: opts.init ?? ((): I<D> => ({ type: 'ok', state: 'a', data: {} as D, actions: [] })),
    handle: (ev, state, data) => {
      log.push(`${state}:${show(ev)}`);
      if (ev.type !== 'enter' && ev.type !== 'call' && isAct<D>(ev.content))
        return ev.content.fn(state, data);
      if (ev.type === 'call' && isAct<D>(ev.request['act'])) {
        return (ev.request['act'] as Act<D>).fn(state, data);
      }
      return opts.on?.(ev, state, data) ?? keepStateAndData();
    },
  });
  return { def, log };
}

/** Starts a machine and returns its pid, failing the test if the start did not succeed. */
export function run<D>(h: Harness, def: MachineDefinition<P<D>>, args: unknown = undefined): Pid<P<D>> {
  const s = h.rt.start(def, args);
  if (!s.ok) throw new Error(`start failed: ${JSON.stringify(s.reason)}`);
  return s.pid;
}

/** Sends a puppet command. */
export function send<D>(h: Harness, pid: Pid<P<D>>, a: Act<D>): void {
  h.rt.cast(pid, a);
}

/** The exit reason recorded in the trace for `pid`, or undefined while it is alive. */
export function exitOf(h: Harness, pid: Pid): ExitReason | undefined {
  return h.events('exit').find((e) => e.pid === pid)?.reason;
}
