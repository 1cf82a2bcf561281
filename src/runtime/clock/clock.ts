// The only source of time in Governess. Everything that reads the time or waits for it takes a Clock, so a
// test can swap in SimulatedClock and jump 30 days in a millisecond (lint forbids host time elsewhere).
import type { Timer } from './timer-queue.js';

/** Something a timer fires into. Using a target + token instead of a closure keeps an armed timer small. */
export interface TimerTarget {
  /** Called once when the timer falls due, with the token given to `schedule`. */
  onTimer(token: number): void;
}

/** An armed timer. Opaque to callers apart from its due time; pass it back to `cancel`. */
export interface TimerHandle {
  /** Absolute monotonic due time in milliseconds. */
  readonly at: number;
}

/** Monotonic and wall time plus the single timer service that every component shares. */
export interface Clock {
  /** Monotonic milliseconds since an arbitrary origin; never decreases. */
  now(): number;
  /** Wall-clock milliseconds since the Unix epoch (for receipts and display, never for ordering). */
  wallNow(): number;
  /**
   * Arms a one-shot timer due at absolute monotonic time `at` (ms). Timers fire in order of due time, then of
   * arming; a time in the past fires as soon as possible. Delays beyond the host's 24.8-day limit are fine.
   */
  schedule(at: number, target: TimerTarget, token: number): TimerHandle;
  /** Arms a Timer object, which is its own handle (one object per armed timer; see Timer). */
  arm(timer: Timer): TimerHandle;
  /** Disarms a timer; returns false if it had already fired or been cancelled. Never fires afterwards. */
  cancel(handle: TimerHandle): boolean;
  /** Number of armed timers (for leak checks and statistics). */
  pending(): number;
  /** Runs `fn` on a later macrotask, after pending I/O callbacks: the scheduler's way to yield the event loop. */
  defer(fn: () => void): void;
}
