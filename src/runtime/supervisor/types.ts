// Public types of supervisors (OTP `supervisor`): flags, child specs, the child start contract, and the results
// of the dynamic API. Results mirror OTP's `{ok, Pid}` / `{error, Reason}` as `{ ok: true, ... }` /
// `{ ok: false, error }` objects.
import type { Pid } from '../process/pid.js';
import type { ProcessName } from '../registry/registry.js';
import type { Runtime, StartFailure } from '../runtime.js';

/** How the death of one child affects its siblings (SUP-03). */
export type Strategy = 'one_for_one' | 'one_for_all' | 'rest_for_one' | 'simple_one_for_one';

/** When the exit of significant children ends the supervisor itself (SUP-07). */
export type AutoShutdown = 'never' | 'any_significant' | 'all_significant';

/** Supervisor flags (SUP-01); every field has OTP's default. */
export interface SupervisorFlags {
  /** Restart strategy; default `one_for_one`. */
  readonly strategy?: Strategy;
  /** Restarts allowed within `period` before the supervisor gives up; default 1. */
  readonly intensity?: number;
  /** The intensity window in seconds; default 5. */
  readonly period?: number;
  /** Default `never`. */
  readonly autoShutdown?: AutoShutdown;
}

/** When a child is restarted (SUP-05). */
export type RestartType = 'permanent' | 'transient' | 'temporary';

/** How a child is stopped (SUP-06): untrappable kill, `shutdown` then kill after so many ms, or wait forever. */
export type ShutdownSpec = 'brutal_kill' | 'infinity' | number;

/** A child is a worker or a supervisor (which changes its default shutdown to `infinity`). */
export type ChildType = 'worker' | 'supervisor';

/** A child's id, unique within its supervisor. */
export type ChildId = string | number;

/** What a child's start function receives. */
export interface ChildStartContext {
  /** The runtime to start the child in. */
  readonly rt: Runtime;
  /** The supervisor: the child must link to it (pass it as `parent`). */
  readonly parent: Pid;
  /** Extra arguments from `startChild` of a `simple_one_for_one` supervisor; empty otherwise. */
  readonly extraArgs: readonly unknown[];
}

/** What a start function returns: the same shape as `rt.start` (`'ignore'` is `{ ok: false, reason: 'ignore' }`). */
export type ChildStartResult =
  { readonly ok: true; readonly pid: Pid } | { readonly ok: false; readonly reason: StartFailure };

/** Creates and links a child (SUP-08). Use `statemChild` or `supervisorChild` to build one. */
export type ChildStart = (ctx: ChildStartContext) => ChildStartResult | Promise<ChildStartResult>;

/** A child specification as written by the user. */
export interface ChildSpec {
  /** Unique id within the supervisor. */
  readonly id: ChildId;
  /** Starts and links the child. */
  readonly start: ChildStart;
  /** Default `permanent`. */
  readonly restart?: RestartType;
  /** Default 5000 for workers, `infinity` for supervisors. */
  readonly shutdown?: ShutdownSpec;
  /** Default `worker`. */
  readonly type?: ChildType;
  /** Whether this child's exit can trigger auto_shutdown; default false. */
  readonly significant?: boolean;
}

/** A child spec with every default filled in (what `getChildspec` returns). */
export interface NormalizedChildSpec {
  /** Unique id within the supervisor. */
  readonly id: ChildId;
  /** Starts and links the child. */
  readonly start: ChildStart;
  /** Restart type. */
  readonly restart: RestartType;
  /** Shutdown. */
  readonly shutdown: ShutdownSpec;
  /** Child type. */
  readonly type: ChildType;
  /** Significant for auto_shutdown. */
  readonly significant: boolean;
}

/** Flags with every default filled in. */
export interface NormalizedFlags {
  /** Restart strategy. */
  readonly strategy: Strategy;
  /** Maximum restarts within the period. */
  readonly intensity: number;
  /** Period in seconds. */
  readonly period: number;
  /** Auto shutdown mode. */
  readonly autoShutdown: AutoShutdown;
}

/** A supervisor: its flags and its children, started left to right. */
export interface SupervisorSpec {
  /** Flags; OTP defaults when omitted. */
  readonly flags?: SupervisorFlags;
  /** Child specs; exactly one (the template) for `simple_one_for_one`. */
  readonly children: readonly ChildSpec[];
}

/** Options for `startSupervisor`. */
export interface SupervisorStartOptions {
  /** Register the supervisor under this name; a clash returns `already_started`. */
  readonly name?: ProcessName;
  /** The parent to link to (a supervisor); an exit signal from it stops this supervisor. */
  readonly parent?: Pid;
}

/** A child that could not be started: its id and the reason its start function gave. */
export interface FailedToStart {
  /** The child's id. */
  readonly failed_to_start_child: ChildId;
  /** Why: the `{ error }` value, the exit reason, or the thrown error. */
  readonly reason: unknown;
}

/** One row of `whichChildren`. */
export interface ChildInfo {
  /** The id (undefined for `simple_one_for_one` children, as in OTP). */
  readonly id: ChildId | undefined;
  /** The running pid, `'restarting'` while a failed restart waits to be retried, or undefined. */
  readonly pid: Pid | 'restarting' | undefined;
  /** Worker or supervisor. */
  readonly type: ChildType;
}

/** `countChildren`: specs, running children, and how many are supervisors and workers. */
export interface ChildCounts {
  /** Child specs (always 1 for `simple_one_for_one`). */
  readonly specs: number;
  /** Children that are alive. */
  readonly active: number;
  /** Supervisor children. */
  readonly supervisors: number;
  /** Worker children. */
  readonly workers: number;
}

/** Result of `startChild`. `pid` is undefined when the start function returned `ignore`. */
export type StartChildResult =
  | { readonly ok: true; readonly pid: Pid | undefined }
  | {
      readonly ok: false;
      readonly error: 'already_present' | { readonly already_started: Pid } | FailedToStart;
    };

/** Result of `terminateChild`. */
export type TerminateChildResult =
  { readonly ok: true } | { readonly ok: false; readonly error: 'not_found' | 'simple_one_for_one' };

/** Result of `restartChild`. */
export type RestartChildResult =
  | { readonly ok: true; readonly pid: Pid | undefined }
  | {
      readonly ok: false;
      readonly error: 'running' | 'restarting' | 'not_found' | 'simple_one_for_one' | FailedToStart;
    };

/** Result of `deleteChild`. */
export type DeleteChildResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly error: 'running' | 'restarting' | 'not_found' | 'simple_one_for_one' };

/** Result of `getChildspec`. */
export type GetChildspecResult =
  | { readonly ok: true; readonly spec: NormalizedChildSpec }
  | { readonly ok: false; readonly error: 'not_found' };

/** The `report` field of a `supervisor_report` trace event. */
export type SupervisorReportKind =
  | 'start_error'
  | 'child_terminated'
  | 'shutdown_error'
  | 'reached_max_restart_intensity'
  | 'auto_shutdown'
  | 'unexpected_message';

/** The `detail` of a `supervisor_report` trace event. */
export interface SupervisorReportDetail {
  /** The child concerned (undefined for `unexpected_message`). */
  readonly id: ChildId | undefined;
  /** Its pid, if it had one. */
  readonly pid: Pid | undefined;
  /** The reason reported. */
  readonly reason: unknown;
}
