// Public types of a machine definition. A machine declares its protocol once (MachineTypes) and every event,
// reply and result is checked against it, so replying with the wrong type to a call is a compile error.
import type { ExitReason } from '../process/exit-reason.js';
import type { Pid } from '../process/pid.js';
import type { ProcessName } from '../registry/registry.js';

/** Describes one call request: its payload (without `type`) and its reply. */
export interface CallSignature {
  /** Request fields besides `type`. */
  readonly request?: object;
  /** What the machine replies. */
  readonly reply: unknown;
}

/** The protocol of one machine: states, data, and the messages it accepts. */
export interface MachineTypes {
  /** State values (strings, numbers or plain objects such as `{ name: 'warning', level: 2 }`). */
  state: unknown;
  /** The machine's data. */
  data: unknown;
  /** Call requests by tag: `{ get: { reply: number }, set: { request: { value: number }, reply: 'ok' } }`. */
  calls: Record<string, CallSignature>;
  /** Cast message contents. */
  cast: unknown;
  /** Plain (info) message contents, besides the runtime's own EXIT and DOWN messages. */
  info: unknown;
  /** Contents of events inserted with `nextEvent('internal', ...)`. */
  internal: unknown;
  /** Contents carried by event, state and generic timeouts. */
  timeout: unknown;
  /** Arguments given to `init`. */
  args: unknown;
}

/** A loosely typed protocol for machines built from data (tests, interpreters). */
export interface AnyMachineTypes extends MachineTypes {
  state: unknown;
  data: unknown;
  calls: Record<string, { request: Record<string, unknown>; reply: unknown }>;
  cast: unknown;
  info: unknown;
  internal: unknown;
  timeout: unknown;
  args: unknown;
}

/** Fills unspecified protocol members with `never` (messages) or `unknown` (state, data, args). */
export type Protocol<T extends Partial<MachineTypes>> = {
  state: T extends { state: infer S } ? S : unknown;
  data: T extends { data: infer D } ? D : unknown;
  calls: T extends { calls: infer C extends Record<string, CallSignature> }
    ? C
    : Record<never, CallSignature>;
  cast: T extends { cast: infer C } ? C : never;
  info: T extends { info: infer I } ? I : never;
  internal: T extends { internal: infer I } ? I : never;
  timeout: T extends { timeout: infer O } ? O : never;
  args: T extends { args: infer A } ? A : void;
};

/** The tags of a machine's calls. */
export type CallTag<T extends MachineTypes> = keyof T['calls'] & string;

/** The request object sent for call tag K: `{ type: K, ...payload }`. */
export type CallRequest<T extends MachineTypes, K extends CallTag<T> = CallTag<T>> =
  K extends CallTag<T>
    ? { readonly type: K } & (T['calls'][K] extends { request: infer R } ? R : unknown)
    : never;

/** The reply type of call tag K. */
export type CallReply<T extends MachineTypes, K extends CallTag<T>> = T['calls'][K]['reply'];

/** The reply type for a given request object. */
export type ReplyFor<T extends MachineTypes, R> = R extends { type: infer K extends CallTag<T> }
  ? CallReply<T, K>
  : never;

/** Where a call's reply goes. Answer it now or store it in data and answer later, from any state. */
export interface From<R> {
  /** Phantom reply type; never set at runtime. */
  readonly __reply?: (reply: R) => void;
  /** Pid of the caller when the caller is a process; undefined for calls made from outside the runtime. */
  readonly caller: Pid | undefined;
}

/** A call event: narrow on `call` to get a `from` typed with that call's reply. */
export type CallEvent<T extends MachineTypes> = {
  [K in CallTag<T>]: {
    readonly type: 'call';
    readonly call: K;
    readonly request: CallRequest<T, K>;
    readonly from: From<CallReply<T, K>>;
  };
}[CallTag<T>];

/** Sent to a process that traps exits when a linked process exits or it receives an exit signal. */
export interface ExitMessage {
  readonly type: 'EXIT';
  readonly from: Pid;
  readonly reason: ExitReason;
}

/** Sent to a monitoring process when the monitored process exits. */
export interface DownMessage {
  readonly type: 'DOWN';
  /** The tag given to the `monitor` action. */
  readonly tag: unknown;
  readonly pid: Pid;
  readonly reason: ExitReason;
}

/** Every event a state callback can receive (OTP GS-10..GS-12). */
export type StatemEvent<T extends MachineTypes> =
  | CallEvent<T>
  | { readonly type: 'cast'; readonly content: T['cast'] }
  | { readonly type: 'info'; readonly content: T['info'] | ExitMessage | DownMessage }
  | { readonly type: 'internal'; readonly content: T['internal'] }
  | { readonly type: 'timeout'; readonly content: T['timeout'] }
  | { readonly type: 'state_timeout'; readonly content: T['timeout'] }
  | { readonly type: 'generic_timeout'; readonly name: string; readonly content: T['timeout'] };

/** A state enter call (GS-13): not an event; `oldState` equals the state for the initial and repeat calls. */
export interface EnterCall<T extends MachineTypes> {
  readonly type: 'enter';
  readonly oldState: T['state'];
}

/** The type names of events, for summaries and traces. */
export type EventType = StatemEvent<MachineTypes>['type'] | 'enter';

/** A timeout value: milliseconds (relative by default) or `'infinity'`, which starts nothing and cancels. */
export type Time = number | 'infinity';

/** Options of a timeout action. */
export interface TimeoutOptions {
  /** Absolute monotonic time (the Clock's `now()` scale) instead of relative (GS-52). */
  readonly abs?: boolean;
}

/** Which timer a timeout action addresses. */
export type TimerKind = 'timeout' | 'state_timeout' | 'generic_timeout';

/** A transition action (GS-30..GS-35), plus effects-as-data for work outside the process. */
export type Action<T extends MachineTypes> =
  | { readonly type: 'reply'; readonly to: From<unknown>; readonly reply: unknown }
  | { readonly type: 'postpone'; readonly value: boolean }
  | { readonly type: 'next_event'; readonly event: InsertedEvent<T> }
  | { readonly type: 'hibernate'; readonly value: boolean }
  | TimeoutAction<T>
  | EffectAction<T>;

/** An event inserted by `nextEvent` (GS-32). */
export type InsertedEvent<T extends MachineTypes> =
  | { readonly type: 'internal'; readonly content: T['internal'] }
  | { readonly type: 'cast'; readonly content: T['cast'] }
  | { readonly type: 'info'; readonly content: T['info'] };

/** Starts, cancels or updates one timer (GS-34). */
export type TimeoutAction<T extends MachineTypes> =
  | {
      readonly type: 'set_timer';
      readonly kind: TimerKind;
      readonly name: string | undefined;
      readonly time: Time;
      readonly content: T['timeout'];
      readonly abs: boolean;
    }
  | { readonly type: 'cancel_timer'; readonly kind: TimerKind; readonly name: string | undefined }
  | {
      readonly type: 'update_timer';
      readonly kind: TimerKind;
      readonly name: string | undefined;
      readonly content: T['timeout'];
    };

/** Effects the runtime performs after the transition is applied (and, for durable machines, committed). */
export type EffectAction<_T extends MachineTypes> =
  | { readonly type: 'cast'; readonly to: Pid | ProcessName; readonly content: unknown }
  | { readonly type: 'send'; readonly to: Pid | ProcessName; readonly content: unknown }
  | { readonly type: 'monitor'; readonly target: Pid; readonly tag: unknown }
  | { readonly type: 'demonitor'; readonly tag: unknown }
  | { readonly type: 'link'; readonly target: Pid }
  | { readonly type: 'unlink'; readonly target: Pid }
  | { readonly type: 'trap_exit'; readonly value: boolean }
  | {
      readonly type: 'task';
      readonly tag: unknown;
      readonly run: () => Promise<unknown>;
    };

/** What a state callback returns (GS-20). */
export type Result<T extends MachineTypes> =
  | {
      readonly type: 'next_state';
      readonly state: T['state'];
      readonly data: T['data'];
      readonly actions: readonly Action<T>[];
    }
  | { readonly type: 'keep_state'; readonly data: T['data']; readonly actions: readonly Action<T>[] }
  | { readonly type: 'keep_state_and_data'; readonly actions: readonly Action<T>[] }
  | { readonly type: 'repeat_state'; readonly data: T['data']; readonly actions: readonly Action<T>[] }
  | { readonly type: 'repeat_state_and_data'; readonly actions: readonly Action<T>[] }
  | { readonly type: 'stop'; readonly reason: ExitReason; readonly data?: T['data'] }
  | {
      readonly type: 'stop_and_reply';
      readonly reason: ExitReason;
      readonly replies: readonly Action<T>[];
      readonly data?: T['data'];
    };

/** What `init` returns (GS-03). */
export type InitResult<T extends MachineTypes> =
  | {
      readonly type: 'ok';
      readonly state: T['state'];
      readonly data: T['data'];
      readonly actions: readonly Action<T>[];
    }
  | { readonly type: 'ignore' }
  | { readonly type: 'stop'; readonly reason: ExitReason }
  | { readonly type: 'error'; readonly reason: unknown };

/** Status shown by `getStatus`, after the definition's `formatStatus` hook (GS-81). */
export interface StatemStatus<T extends MachineTypes> {
  readonly state: T['state'];
  readonly data: T['data'];
  readonly queue: readonly unknown[];
  readonly postponed: readonly unknown[];
  readonly timeouts: readonly { kind: TimerKind; name?: string; content: unknown; at?: number }[];
  readonly reason?: ExitReason;
}

/** A state function for `states` mode (OTP state_functions): one callback per state name. */
export type StateFunction<T extends MachineTypes> = (
  event: StatemEvent<T> | EnterCall<T>,
  data: T['data'],
) => Result<T>;

/** A machine: init, the state callback(s), and optional hooks. */
export interface MachineDefinition<T extends MachineTypes> {
  /** Name used in traces and crash reports. */
  readonly name?: string;
  /** Call the state callback with `{ type: 'enter' }` on every state change and for the initial state (GS-13). */
  readonly stateEnter?: boolean;
  /** Builds the initial state and data (GS-03). Pure: no side effects. */
  init(args: T['args']): InitResult<T>;
  /** handle_event_function mode: one callback for every state. */
  handleEvent?(event: StatemEvent<T> | EnterCall<T>, state: T['state'], data: T['data']): Result<T>;
  /** state_functions mode: one callback per state name (states must then be strings). */
  readonly states?: Readonly<Record<string, StateFunction<T>>>;
  /** Called on stop, crash, or an exit signal from the parent while trapping exits (GS-71). */
  terminate?(reason: ExitReason, state: T['state'], data: T['data']): void;
  /** Redacts or shrinks what getStatus and crash reports show (GS-81). */
  formatStatus?(status: StatemStatus<T>): StatemStatus<T>;
  /** Custom state-equality key; by default states compare by value (see docs/runtime/semantics.md). */
  stateKey?(state: T['state']): string | number;
  /** Version of the data layout; stored snapshots with an older version go through `migrate`. */
  readonly dataVersion?: number;
  /** Upgrades (state, data) from an older data version (OTP code_change, GS-80). */
  migrate?(
    fromVersion: number,
    state: unknown,
    data: unknown,
  ): { readonly state: T['state']; readonly data: T['data'] };
}
