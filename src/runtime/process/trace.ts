// One typed stream of what happens inside the runtime, like OTP's sys debug events (GS-93) but for all
// processes at once. Receipts, metrics and the dashboard subscribe here. Emitting is free when nobody listens.
import type { ExitReason } from './exit-reason.js';
import type { Pid } from './pid.js';

/** Which timer a timer trace event is about. */
export interface TimerRef {
  readonly kind: 'timeout' | 'state_timeout' | 'generic_timeout';
  readonly name?: string;
}

/** Every kind of runtime event. `event` fields are the events exactly as the machine sees them. */
export type TraceEvent =
  | { readonly kind: 'spawn'; readonly pid: Pid; readonly name?: unknown; readonly machine?: string }
  | {
      readonly kind: 'consume' | 'postpone';
      readonly pid: Pid;
      readonly event: unknown;
      readonly state: unknown;
      readonly nextState: unknown;
    }
  | {
      readonly kind: 'transition';
      readonly pid: Pid;
      readonly from: unknown;
      readonly to: unknown;
      readonly event: unknown;
      readonly changed: boolean;
    }
  | { readonly kind: 'enter'; readonly pid: Pid; readonly state: unknown; readonly oldState: unknown }
  | {
      readonly kind: 'timer_start';
      readonly pid: Pid;
      readonly timer: TimerRef;
      readonly at: number;
      readonly content: unknown;
    }
  | { readonly kind: 'timer_fire'; readonly pid: Pid; readonly timer: TimerRef; readonly lateMs: number }
  | { readonly kind: 'timer_cancel'; readonly pid: Pid; readonly timer: TimerRef }
  | { readonly kind: 'reply'; readonly pid: Pid; readonly reply: unknown }
  | { readonly kind: 'drop'; readonly pid: Pid; readonly message: unknown; readonly policy: string }
  | { readonly kind: 'exit'; readonly pid: Pid; readonly reason: ExitReason; readonly crash: boolean }
  | {
      readonly kind: 'restart';
      readonly supervisor: Pid;
      readonly child: unknown;
      readonly pid: Pid | undefined;
    }
  | {
      readonly kind: 'supervisor_report';
      readonly supervisor: Pid;
      readonly report: string;
      readonly detail: unknown;
    };

/** A subscriber to the trace stream. */
export type TraceListener = (event: TraceEvent) => void;

/** The runtime's trace stream. `active` lets hot paths skip building events nobody will read. */
export class TraceHub {
  private listeners: TraceListener[] = [];
  /** True while at least one listener is subscribed. */
  active = false;

  /** Subscribes; returns the unsubscribe function. A throwing listener is removed, never crashes a process. */
  subscribe(listener: TraceListener): () => void {
    this.listeners = [...this.listeners, listener];
    this.active = true;
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
      this.active = this.listeners.length > 0;
    };
  }

  /** Delivers an event to every listener. */
  emit(event: TraceEvent): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch {
        this.listeners = this.listeners.filter((x) => x !== l);
        this.active = this.listeners.length > 0;
      }
    }
  }
}
