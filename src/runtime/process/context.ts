import type { Clock } from '../clock/clock.js';
import type { Pid } from './pid.js';
import type { Proc } from './proc.js';
import type { Scheduler } from './scheduler.js';
import type { TraceHub } from './trace.js';

/** What a process needs from the runtime that hosts it. */
export interface RuntimeContext {
  /** The injected clock; the only source of time. */
  readonly clock: Clock;
  /** The run queue. */
  readonly scheduler: Scheduler;
  /** The trace stream. */
  readonly trace: TraceHub;
  /** Allocates the next pid for a new process. */
  allocPid(proc: Proc): Pid;
  /** Resolves a pid or registered name to a live process. */
  resolve(target: unknown): Proc | null;
  /** Called once when a process has fully exited (registry removal, counts). */
  processExited(proc: Proc): void;
}
