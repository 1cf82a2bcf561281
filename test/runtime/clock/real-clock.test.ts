// RealClock: host time behind the Clock interface. Only correctness is checked here (no timing assertions); the
// one real wait is a few event-loop turns, well under 50 ms.
import { describe, expect, it } from 'vitest';
import { RealClock, type TimerTarget } from '../../../src/runtime/clock/index.js';
import { harness } from '../../support/harness.js';

const DAY = 24 * 60 * 60 * 1000;

describe('RealClock', () => {
  it("schedules a delay beyond Node's 24.8-day setTimeout limit without overflow", async () => {
    await using _h = harness();
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      using clock = new RealClock({ unref: true });
      let fired = 0;
      const target: TimerTarget = { onTimer: () => fired++ };
      clock.schedule(clock.now() + 40 * DAY, target, 0);
      // A few event-loop turns (about 20 ms): an overflowed host timer would have been clamped to 1 ms and fired.
      const start = clock.now();
      while (clock.now() - start < 20) await new Promise<void>((resolve) => setImmediate(resolve));
      expect(fired).toBe(0);
      expect(clock.pending()).toBe(1);
      expect(warnings).not.toContain('TimeoutOverflowWarning');
      clock[Symbol.dispose]();
      expect(clock.pending()).toBe(0);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('fires a timer that is already due, and cancel and dispose disarm', async () => {
    await using _h = harness();
    using clock = new RealClock({ unref: true });
    const order: number[] = [];
    const done = new Promise<void>((resolve) => {
      const target: TimerTarget = {
        onTimer: (token) => {
          order.push(token);
          if (token === 2) resolve();
        },
      };
      const cancelled = clock.schedule(clock.now() - 2, target, 9);
      clock.schedule(clock.now() - 1, target, 1);
      clock.schedule(clock.now() - 1, target, 2);
      expect(clock.cancel(cancelled)).toBe(true);
    });
    await done;
    expect(order).toEqual([1, 2]);
    expect(clock.pending()).toBe(0);
    expect(clock.wallNow()).toBeGreaterThan(Date.UTC(2020, 0, 1));
  });

  it('never fires a timer before its due time, whether it waits on a host timer or checks turn by turn', async () => {
    await using _h = harness();
    for (const spinMs of [0, 1, 5]) {
      using clock = new RealClock({ unref: true, spinMs });
      const early: number[] = [];
      let left = 12;
      await new Promise<void>((resolve) => {
        const base = clock.now();
        for (let i = 0; i < 12; i++) {
          // Due from 0.25 ms to 3 ms out: some inside the spin window, some beyond it.
          const at = base + 0.25 * (i + 1);
          clock.schedule(
            at,
            {
              onTimer: () => {
                if (clock.now() < at) early.push(at - clock.now());
                if (--left === 0) resolve();
              },
            },
            i,
          );
        }
      });
      expect(early).toEqual([]);
      expect(clock.pending()).toBe(0);
    }
  });

  it('refuses a spin window outside 0..1000 ms', () => {
    expect(() => new RealClock({ spinMs: -1 })).toThrow(/spinMs must be 0\.\.1000 ms/);
    expect(() => new RealClock({ spinMs: Number.NaN })).toThrow(RangeError);
  });

  it('follows a stream of expiries turn by turn, but a lone timer sleeps on a host timer', async () => {
    await using _h = harness();
    using clock = new RealClock({ unref: true, spinMs: 1000 });
    const polling = (): boolean => Reflect.get(clock, 'turn') !== null;
    const noop: TimerTarget = { onTimer: () => {} };
    // A lone timer, even one due within spinMs, waits on setTimeout: nothing polls for it.
    clock.schedule(clock.now() + 500, noop, 0);
    expect(polling()).toBe(false);
    // A wake-up that fires a timer with the next one due within spinMs goes on checking turn by turn.
    const fired = new Promise<void>((resolve) =>
      clock.schedule(clock.now() - 1, { onTimer: () => resolve() }, 1),
    );
    await fired;
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(polling()).toBe(true);
  });
});
