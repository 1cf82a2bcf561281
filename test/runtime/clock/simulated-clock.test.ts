// SimulatedClock on its own (the harness's clock, with no processes): ordering, timers armed while firing,
// cancel, pending(), wall time, and the time seen by a firing timer.
import { describe, expect, it } from 'vitest';
import type { TimerTarget } from '../../../src/runtime/clock/index.js';
import { harness, type Harness } from '../../support/harness.js';

const DAY = 24 * 60 * 60 * 1000;

/** A target that records (token, now) for every firing and can run a hook. */
function recorder(h: Harness, hook?: (token: number) => void) {
  const fired: { token: number; now: number }[] = [];
  const target: TimerTarget = {
    onTimer: (token) => {
      fired.push({ token, now: h.clock.now() });
      hook?.(token);
    },
  };
  return { fired, target };
}

describe('SimulatedClock', () => {
  it('fires due timers in due-time order, then arming order, with now() at each due time', async () => {
    await using h = harness();
    const { fired, target } = recorder(h);
    h.clock.schedule(300, target, 1);
    h.clock.schedule(100, target, 2);
    h.clock.schedule(300, target, 3);
    h.clock.schedule(100, target, 4);
    h.clock.schedule(200, target, 5);
    await h.advance(1000);
    expect(fired).toEqual([
      { token: 2, now: 100 },
      { token: 4, now: 100 },
      { token: 5, now: 200 },
      { token: 1, now: 300 },
      { token: 3, now: 300 },
    ]);
    expect(h.clock.now()).toBe(1000);
  });

  it('jumps 30 days in one advance and fires a 30-day timer exactly on time', async () => {
    await using h = harness();
    const { fired, target } = recorder(h);
    h.clock.schedule(30 * DAY, target, 1);
    await h.advance(30 * DAY);
    expect(fired).toEqual([{ token: 1, now: 30 * DAY }]);
  });

  it('a timer armed during a firing fires in the same advance if due before the target, else stays armed', async () => {
    await using h = harness();
    const { fired, target } = recorder(h, (token) => {
      if (token === 1) {
        h.clock.schedule(h.clock.now() + 50, target, 2); // 150: inside the advance
        h.clock.schedule(h.clock.now() + 5_000, target, 3); // 5100: beyond it
        h.clock.schedule(h.clock.now() - 60, target, 4); // in the past: fires next, time does not go back
      }
    });
    h.clock.schedule(100, target, 1);
    await h.advance(1000);
    expect(fired).toEqual([
      { token: 1, now: 100 },
      { token: 4, now: 100 },
      { token: 2, now: 150 },
    ]);
    expect(h.clock.pending()).toBe(1);
    await h.advance(4100);
    expect(fired.at(-1)).toEqual({ token: 3, now: 5100 });
  });

  it('cancel prevents firing, returns false the second time and after firing; pending() counts armed timers', async () => {
    await using h = harness();
    const { fired, target } = recorder(h);
    const a = h.clock.schedule(10, target, 1);
    const b = h.clock.schedule(20, target, 2);
    h.clock.schedule(30, target, 3);
    expect(h.clock.pending()).toBe(3);
    expect(h.clock.cancel(b)).toBe(true);
    expect(h.clock.cancel(b)).toBe(false);
    expect(h.clock.pending()).toBe(2);
    await h.advance(15);
    expect(h.clock.cancel(a)).toBe(false);
    expect(h.clock.pending()).toBe(1);
    await h.advance(100);
    expect(fired.map((f) => f.token)).toEqual([1, 3]);
    expect(h.clock.pending()).toBe(0);
  });

  it('wallNow moves with now and starts at the configured wall time', async () => {
    await using h = harness({ start: 1_000 });
    const wall = h.clock.wallNow();
    expect(wall).toBe(Date.UTC(2026, 0, 1));
    await h.advance(DAY + 0.5);
    expect(h.clock.wallNow()).toBe(wall + DAY + 0.5);
    expect(h.clock.now()).toBe(1_000 + DAY + 0.5);
  });

  it('advanceTo never moves time backwards; next() and runAll() fire timers one at a time', async () => {
    await using h = harness();
    const { fired, target } = recorder(h);
    await h.advance(500);
    await h.clock.advanceTo(100);
    expect(h.clock.now()).toBe(500);
    h.clock.schedule(600, target, 1);
    h.clock.schedule(700, target, 2);
    h.clock.schedule(800, target, 3);
    expect(h.clock.nextAt).toBe(600);
    expect(await h.clock.next()).toBe(true);
    expect(h.clock.now()).toBe(600);
    expect(await h.clock.runAll(1)).toBe(1);
    expect(fired.map((f) => f.token)).toEqual([1, 2]);
    expect(await h.clock.runAll()).toBe(1);
    expect(await h.clock.next()).toBe(false);
    expect(h.clock.now()).toBe(800);
  });
});
