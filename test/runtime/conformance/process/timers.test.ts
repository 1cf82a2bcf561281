// Machine timers and call timeouts on the SimulatedClock: long jumps fire exactly on time (lateMs 0), never a
// millisecond early, in due-time then arming order across processes; wall time moves with monotonic time.
import { describe, expect, it } from 'vitest';
import { CallTimeout, genericTimeout, stateTimeout } from '../../../../src/runtime/index.js';
import { harness } from '../../../support/harness.js';
import { seen, spawn } from './probe.js';

const DAY = 24 * 60 * 60 * 1000;

describe('timers on the simulated clock', () => {
  it('a 30-day state timeout fires exactly on time in one advance (lateMs 0)', async () => {
    await using h = harness();
    const p = spawn(h, { init: [stateTimeout(30 * DAY, 'renew')] });
    expect(h.events('timer_start')).toEqual([
      { kind: 'timer_start', pid: p, timer: { kind: 'state_timeout' }, at: 30 * DAY, content: 'renew' },
    ]);
    await h.advance(30 * DAY);
    expect(h.clock.now()).toBe(30 * DAY);
    expect(seen(h, p)).toEqual([{ type: 'state_timeout', content: 'renew' }]);
    expect(h.events('timer_fire')).toEqual([
      { kind: 'timer_fire', pid: p, timer: { kind: 'state_timeout' }, lateMs: 0 },
    ]);
  });

  it('a timer does not fire a millisecond early, and fires at its due time when an advance passes it', async () => {
    await using h = harness({ start: 5_000 });
    const p = spawn(h, { init: [stateTimeout(30 * DAY, 'due')] });
    await h.advance(30 * DAY - 1);
    expect(seen(h, p)).toEqual([]);
    expect(h.clock.pending()).toBe(1);
    await h.advance(10 * DAY);
    expect(seen(h, p)).toEqual([{ type: 'state_timeout', content: 'due' }]);
    expect(h.events('timer_fire')[0]?.lateMs).toBe(0);
    expect(h.clock.now()).toBe(5_000 + 40 * DAY - 1);
  });

  it('timers of several processes fire in due-time order, equal due times in arming order', async () => {
    await using h = harness();
    const a = spawn(h, { init: [genericTimeout('g', 500, 'a500')] });
    const b = spawn(h, { init: [genericTimeout('g', 500, 'b500')] });
    const c = spawn(h, { init: [genericTimeout('g', 300, 'c300')] });
    await h.advance(1000);
    const fired = h.events('timer_fire').map((e) => e.pid);
    expect(fired).toEqual([c, a, b]);
    expect(h.events('timer_fire').every((e) => e.lateMs === 0)).toBe(true);
  });

  it('a call timeout fires on the clock: CallTimeout at the deadline, not before', async () => {
    await using h = harness();
    const p = spawn(h);
    let outcome: unknown = 'pending';
    h.rt.call(p, { type: 'hang' }, 1000).then(
      () => (outcome = 'resolved'),
      (e: unknown) => (outcome = e),
    );
    await h.advance(999);
    expect(outcome).toBe('pending');
    await h.advance(1);
    expect(outcome).toBeInstanceOf(CallTimeout);
    expect(outcome).toMatchObject({ code: 'GOV_CALL_TIMEOUT', details: { timeoutMs: 1000 } });
  });

  it('an answered call disarms its timeout timer', async () => {
    await using h = harness();
    const p = spawn(h);
    expect(await h.rt.call(p, { type: 'ping' }, 60_000)).toBe('pong');
    expect(h.clock.pending()).toBe(0);
  });

  it('wallNow moves with now across a 30-day jump', async () => {
    await using h = harness();
    const wall0 = h.clock.wallNow();
    const mono0 = h.clock.now();
    await h.advance(30 * DAY);
    expect(h.clock.wallNow() - wall0).toBe(30 * DAY);
    expect(h.clock.now() - mono0).toBe(30 * DAY);
  });
});
