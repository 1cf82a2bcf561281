// Exit reasons follow OTP: `normal`, `shutdown` and `{ shutdown: x }` are clean; anything else is a crash that is
// logged and that restarts a transient child. Crashes the runtime detects itself are structured CrashReasons.

/** A structured crash detected by the runtime: what went wrong, in which process, state and event. */
export interface CrashReason {
  /** OTP-style tag, e.g. `bad_return_from_state_function`, `bad_action`, `exception`. */
  readonly error: CrashKind;
  /** Process label (registered name or pid). */
  readonly process: string;
  /** State the machine was in, when known. */
  readonly state?: unknown;
  /** Short summary of the event being handled, when known. */
  readonly event?: string;
  /** The offending value: the bad return, the bad action, or the thrown error. */
  readonly detail?: unknown;
  /** Human-readable explanation. */
  readonly message: string;
}

/** The kinds of crash the runtime reports. */
export type CrashKind =
  | 'bad_return_from_init'
  | 'bad_return_from_state_function'
  | 'bad_state_enter_return_from_state_function'
  | 'bad_action'
  | 'bad_state_enter_action'
  | 'bad_reply_action'
  | 'exception'
  | 'terminate_exception'
  | 'restart_intensity'
  | 'noproc_parent';

/** Why a process ended. Strings and objects chosen by machines are allowed, as any term is in OTP. */
export type ExitReason =
  | 'normal'
  | 'shutdown'
  | 'kill'
  | 'killed'
  | 'noproc'
  | { readonly shutdown: unknown }
  | CrashReason
  | string
  | Readonly<Record<string, unknown>>;

/** True for `normal`, `shutdown` and `{ shutdown: x }`: exits that are not errors (OTP GS-72). */
export function isCleanExit(reason: ExitReason): boolean {
  if (reason === 'normal' || reason === 'shutdown') return true;
  return (
    typeof reason === 'object' && reason !== null && 'shutdown' in reason && Object.keys(reason).length === 1
  );
}

/** True when the reason is a runtime-detected crash. */
export function isCrashReason(reason: unknown): reason is CrashReason {
  return typeof reason === 'object' && reason !== null && 'error' in reason && 'process' in reason;
}

/** Renders a reason for messages and logs. */
export function formatReason(reason: unknown): string {
  if (typeof reason === 'string') return reason;
  if (isCrashReason(reason)) return `${reason.error}: ${reason.message}`;
  try {
    return JSON.stringify(reason) ?? String(reason);
  } catch {
    return String(reason);
  }
}
