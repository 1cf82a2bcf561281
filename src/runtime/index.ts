// Public API of the runtime layer.
export * from './statem/index.js';
export {
  Runtime,
  type RuntimeOptions,
  type StartOptions,
  type StartResult,
  type StartFailure,
  type RestoreResult,
  type Target,
  type LeakReport,
} from './runtime.js';
export { Pid } from './process/pid.js';
export { CallTimeout, NoProc, Exit, MailboxFull, ReplyTarget } from './process/pending-call.js';
export {
  isCleanExit,
  isCrashReason,
  formatReason,
  type ExitReason,
  type CrashReason,
  type CrashKind,
} from './process/exit-reason.js';
export type { TraceEvent, TraceListener } from './process/trace.js';
export type { MailboxOptions, OverflowPolicy } from './process/proc.js';
export { Registry, type LocalName, type ProcessName, type ViaRegistry } from './registry/registry.js';
export type { Clock, TimerHandle, TimerTarget } from './clock/clock.js';
export { Timer } from './clock/timer-queue.js';
// Supervisors (OTP supervisor): startSupervisor, the dynamic child API and child start builders.
export * from './supervisor/index.js';
