// The shared test harness: a Runtime on a SimulatedClock, a recording of the trace stream, and the leak check
// every conformance case ends with (`await using h = harness()`): no queued, postponed or mailbox events, no
// zero-time timeouts, no armed timers and no live processes once the test's processes are shut down.
import { expect } from 'vitest';
import { SimulatedClock } from '../../src/runtime/clock/index.js';
import { Runtime, StatemProcess, type RuntimeOptions, type TraceEvent } from '../../src/runtime/index.js';

/** A runtime on virtual time with its trace recorded. */
export class Harness implements AsyncDisposable {
  /** The virtual clock. */
  readonly clock: SimulatedClock;
  /** The runtime under test. */
  readonly rt: Runtime;
  /** Every trace event so far. */
  readonly trace: TraceEvent[] = [];
  private readonly unsubscribe: () => void;
  /** Set to false to skip the leak check (only for tests that assert a leak on purpose). */
  checkLeaks = true;

  constructor(options: Partial<RuntimeOptions> & { start?: number } = {}) {
    this.clock = new SimulatedClock({ start: options.start ?? 0 });
    this.rt = new Runtime({ ...options, clock: this.clock });
    this.unsubscribe = this.rt.trace.subscribe((e) => this.trace.push(e));
  }

  /** Waits until no process has work left. */
  settle(): Promise<void> {
    return this.clock.settle();
  }

  /** Advances virtual time by `ms`, firing due timers in order, and settles. */
  advance(ms: number): Promise<void> {
    return this.clock.advance(ms);
  }

  /** Trace events of one kind. */
  events<K extends TraceEvent['kind']>(kind: K): (TraceEvent & { kind: K })[] {
    // An intersection, not Extract: 'consume' and 'postpone' share one member whose kind is a union.
    return this.trace.filter((e): e is TraceEvent & { kind: K } => e.kind === kind);
  }

  /**
   * The leak check: after settling, no live machine has queued, postponed or unreceived events or pending
   * zero-time timeouts; then every live process is shut down and nothing may remain (processes, armed timers,
   * runnable processes).
   */
  async assertNoLeaks(): Promise<void> {
    await this.settle();
    for (const pid of this.rt.processes()) {
      const proc = pid.proc;
      if (proc instanceof StatemProcess) {
        const q = proc.queues();
        expect(
          { queue: q.queue, postponed: q.postponed, mailbox: q.mailbox, zeroTimeouts: q.zeroTimeouts },
          `leak check: events left in ${pid.toString()}`,
        ).toEqual({ queue: [], postponed: [], mailbox: [], zeroTimeouts: 0 });
      }
    }
    for (const pid of this.rt.processes().reverse()) {
      if (pid.alive) this.rt.exit(pid, 'kill');
    }
    await this.settle();
    expect(this.rt.leaks(), 'leak check: processes, timers or run queue left').toEqual({
      processes: 0,
      timers: 0,
      runnable: 0,
    });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    try {
      if (this.checkLeaks) await this.assertNoLeaks();
    } finally {
      this.unsubscribe();
      this.clock[Symbol.dispose]();
    }
  }
}

/** A fresh harness; use with `await using h = harness()`. */
export function harness(options: Partial<RuntimeOptions> & { start?: number } = {}): Harness {
  return new Harness(options);
}
