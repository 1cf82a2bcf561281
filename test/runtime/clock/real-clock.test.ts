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
    for (const [spinMs, unref] of [
      [0, false],
      [1, false],
      [5, false],
      [5, true],
    ] as const) {
      using clock = new RealClock({ unref, spinMs });
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

  it('an unref clock follows a stream on its host timer, never on an unref turn that waits for other events', async () => {
    await using _h = harness();
    // An unref'd setImmediate does not stop the event loop from blocking in its poll: a turn-by-turn check would
    // run only when something unrelated woke the loop (a standalone process with a 1 s interval saw every
    // stream expiry a second late). So an unref clock never checks turn by turn.
    using clock = new RealClock({ unref: true, spinMs: 1000 });
    clock.schedule(clock.now() + 500, { onTimer: () => {} }, 0);
    const fired = new Promise<void>((resolve) =>
      clock.schedule(clock.now() - 1, { onTimer: () => resolve() }, 1),
    );
    await fired;
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(Reflect.get(clock, 'turn')).toBeNull();
    expect(Reflect.get(clock, 'host')).not.toBeNull();
  });

  it('refuses a spin window outside 0..1000 ms', () => {
    expect(() => new RealClock({ spinMs: -1 })).toThrow(/spinMs must be 0\.\.1000 ms/);
    expect(() => new RealClock({ spinMs: Number.NaN })).toThrow(RangeError);
  });

  it('follows a stream of expiries turn by turn, but a lone timer sleeps on a host timer', async () => {
    await using _h = harness();
    using clock = new RealClock({ spinMs: 1000 });
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

  describe('idle-time collection', () => {
    const noop: TimerTarget = { onTimer: () => {} };

    /**
     * An unref clock with idle-time collection after `afterOps` operations and a `gapMs` gap, whose collector
     * records when it runs; `collected` settles on the second call (one collection is two).
     */
    function spiedClock(
      afterOps: number,
      gapMs: number,
    ): { clock: RealClock; calls: number[]; collected: Promise<void> } {
      const calls: number[] = [];
      let resolve!: () => void;
      const collected = new Promise<void>((r) => (resolve = r));
      const collect = (): void => {
        calls.push(clock.now());
        if (calls.length === 2) resolve();
      };
      const clock: RealClock = new RealClock({ unref: true, idleCollect: { collect, afterOps, gapMs } });
      return { clock, calls, collected };
    }

    it('collects the young generation twice once the loop is quiet after a burst, before any timer is due', async () => {
      await using _h = harness();
      const spy = spiedClock(100, 50);
      using clock = spy.clock;
      for (let i = 0; i < 100; i++) clock.schedule(clock.now() + 2000, noop, i);
      await spy.collected;
      expect(spy.calls).toHaveLength(2);
      expect(clock.collections).toBe(1);
      expect(clock.pending()).toBe(100);
    });

    it('does not collect while the next timer is due within gapMs, only once the stream of expiries is over', async () => {
      await using _h = harness();
      const spy = spiedClock(100, 1000);
      using clock = spy.clock;
      let callsWhenLastFired = -1;
      const last = new Promise<void>((resolve) =>
        clock.schedule(
          clock.now() + 60,
          {
            onTimer: () => {
              callsWhenLastFired = spy.calls.length;
              resolve();
            },
          },
          0,
        ),
      );
      // 99 + 1 operations reach the threshold, but until the last timer has fired one is always due within 1 s.
      for (let i = 1; i < 100; i++) clock.schedule(clock.now() + 20, noop, i);
      await last;
      expect(callsWhenLastFired).toBe(0);
      // The stream is over and nothing else is armed: now it collects.
      await spy.collected;
      expect(clock.collections).toBe(1);
    });

    it('leaves a busy event loop alone and collects when it goes quiet', async () => {
      await using _h = harness();
      const spy = spiedClock(10, 50);
      using clock = spy.clock;
      for (let i = 0; i < 10; i++) clock.schedule(clock.now() + 5000, noop, i);
      // Three turns of 15 ms of synchronous work each: every 10 ms window the clock watches is busy.
      for (let turn = 0; turn < 3; turn++) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        const until = clock.now() + 15;
        while (clock.now() < until);
      }
      const quietFrom = clock.now();
      await spy.collected;
      expect(spy.calls[0]).toBeGreaterThanOrEqual(quietFrom);
    });

    it('uses V8 minor collections when gc is exposed, and refuses idleCollect without a collector', () => {
      const saved = (globalThis as { gc?: unknown }).gc;
      try {
        const seen: unknown[] = [];
        (globalThis as { gc?: unknown }).gc = (options: unknown) => seen.push(options);
        using on = new RealClock({ unref: true });
        Reflect.get(on, 'collector').collect();
        expect(seen).toEqual([{ type: 'minor' }]);
        (globalThis as { gc?: unknown }).gc = undefined;
        using off = new RealClock({ unref: true });
        expect(Reflect.get(off, 'collector')).toBeNull();
        expect(() => new RealClock({ idleCollect: true })).toThrow(/--expose-gc/);
        expect(() => new RealClock({ idleCollect: { collect: () => {}, afterOps: 0 } })).toThrow(/afterOps/);
        expect(() => new RealClock({ idleCollect: { collect: () => {}, gapMs: -1 } })).toThrow(/gapMs/);
        using disabled = new RealClock({ idleCollect: false });
        expect(Reflect.get(disabled, 'collector')).toBeNull();
      } finally {
        (globalThis as { gc?: unknown }).gc = saved;
      }
    });
  });
});
