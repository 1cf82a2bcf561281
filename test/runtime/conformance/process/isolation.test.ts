// Crash isolation, typed errors for bad input to the Runtime API, and the trace stream (spawn/exit events, a
// throwing listener is removed and never crashes a process).
import { describe, expect, it } from 'vitest';
import { GovernessError, RuntimeErrors } from '../../../../src/errors/index.js';
import { SimulatedClock } from '../../../../src/runtime/clock/index.js';
import {
  NoProc,
  Runtime,
  stateTimeout,
  type RuntimeOptions,
  type TraceEvent,
} from '../../../../src/runtime/index.js';
import { harness } from '../../../support/harness.js';
import { crash, probe, seen, spawn, thrown } from './probe.js';

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

function thrownBy(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

function expectBadArgument(err: unknown, argument: string): void {
  expect(GovernessError.is(err, RuntimeErrors.badArgument), String(err)).toBe(true);
  expect((err as GovernessError).details.argument).toBe(argument);
  expect((err as GovernessError).message).toContain(argument);
}

describe('crash isolation', () => {
  it('a crash in one process never affects unrelated processes, their data or their timers', async () => {
    await using h = harness();
    const victim = spawn(h);
    const bystander = spawn(h, { init: [stateTimeout(1000, 'still armed')] });
    const other = spawn(h);
    h.rt.cast(bystander, 'before');
    h.rt.cast(other, 'tick');
    crash(h, victim, 'isolated');
    expect(thrown(await h.rt.exited(victim))).toBe('isolated');
    expect(bystander.alive && other.alive).toBe(true);
    expect(await h.rt.call(other, { type: 'count' })).toBe(1);
    await h.advance(1000);
    expect(seen(h, bystander)).toEqual([
      { type: 'cast', content: 'before' },
      { type: 'state_timeout', content: 'still armed' },
    ]);
  });

  it('a call to a crashed or unknown process rejects with NoProc; cast and send to it never fail', async () => {
    await using h = harness();
    const p = spawn(h);
    crash(h, p);
    await h.settle();
    await expect(h.rt.call(p, { type: 'ping' })).rejects.toBeInstanceOf(NoProc);
    await expect(h.rt.call(p, { type: 'ping' })).rejects.toMatchObject({ code: 'GOV_NO_PROC' });
    expect(() => {
      h.rt.cast(p, 'x');
      h.rt.send(p, 'y');
      h.rt.exit(p, 'kill');
    }).not.toThrow();
    await expect(h.rt.stop(p)).rejects.toBeInstanceOf(NoProc);
  });
});

describe('bad input to Runtime APIs', () => {
  it('a Runtime without a clock is refused with GOV_BAD_ARGUMENT naming clock', async () => {
    await using _h = harness();
    expectBadArgument(
      thrownBy(() => new Runtime({} as RuntimeOptions)),
      'clock',
    );
    expectBadArgument(
      thrownBy(() => new Runtime(undefined as unknown as RuntimeOptions)),
      'clock',
    );
    using clock = new SimulatedClock();
    expect(new Runtime({ clock }).processCount).toBe(0);
  });

  it('a bad call timeout rejects with GOV_BAD_ARGUMENT naming timeoutMs and sends nothing', async () => {
    await using h = harness();
    const p = spawn(h);
    for (const bad of [0, -1, Number.NaN, -Infinity, '100', null]) {
      expectBadArgument(await rejection(h.rt.call(p, { type: 'ping' }, bad as number)), 'timeoutMs');
    }
    await h.settle();
    expect(h.rt.statistics(p).messagesIn).toBe(0);
    expect(h.clock.pending()).toBe(0);
  });

  it('a bad stop timeout rejects with GOV_BAD_ARGUMENT naming timeoutMs and leaves the process running', async () => {
    await using h = harness();
    const p = spawn(h);
    for (const bad of [0, -5, Number.NaN, 'soon']) {
      expectBadArgument(await rejection(h.rt.stop(p, 'normal', bad as number)), 'timeoutMs');
    }
    await h.settle();
    expect(p.alive).toBe(true);
    await h.rt.stop(p, 'normal', 1000);
    expect(p.alive).toBe(false);
  });

  it('a parent that is not a pid is refused with GOV_BAD_ARGUMENT naming parent, before anything starts', async () => {
    await using h = harness();
    expectBadArgument(
      thrownBy(() => h.rt.start(probe, {}, { name: 'child', parent: 'sup' as never })),
      'parent',
    );
    expect(h.rt.processCount).toBe(0);
    expect(h.rt.whereis('child')).toBeUndefined();
  });

  it('a via name whose registry lacks register/unregister/whereis is refused as a bad name', async () => {
    await using h = harness();
    const err = thrownBy(() => h.rt.start(probe, {}, { name: { via: {} as never, name: 'x' } }));
    expectBadArgument(err, 'name');
    expect(h.rt.processCount).toBe(0);
  });

  it('advancing the simulated clock by a negative or non-finite amount is refused', async () => {
    await using h = harness();
    await expect(h.advance(-1)).rejects.toBeInstanceOf(RangeError);
    await expect(h.advance(Number.NaN)).rejects.toBeInstanceOf(RangeError);
    await expect(h.advance(Infinity)).rejects.toBeInstanceOf(RangeError);
    expect(h.clock.now()).toBe(0);
  });
});

describe('the trace stream', () => {
  it('emits spawn with name and machine, and exit with reason and crash flag', async () => {
    await using h = harness();
    const named = spawn(h, {}, { name: ['traced', 1] });
    const crasher = spawn(h);
    expect(h.events('spawn')).toEqual([
      { kind: 'spawn', pid: named, name: ['traced', 1], machine: 'probe' },
      { kind: 'spawn', pid: crasher, name: undefined, machine: 'probe' },
    ]);
    h.rt.cast(named, { stop: 'shutdown' });
    crash(h, crasher, 'traced crash');
    await h.settle();
    const exits = h.events('exit');
    expect(exits).toHaveLength(2);
    expect(exits[0]).toEqual({ kind: 'exit', pid: named, reason: 'shutdown', crash: false });
    expect(exits[1]).toMatchObject({ kind: 'exit', pid: crasher, crash: true });
    expect(thrown(exits[1]?.reason)).toBe('traced crash');
  });

  it('a throwing listener is removed and never crashes a process; other listeners keep receiving', async () => {
    await using h = harness();
    let calls = 0;
    h.rt.trace.subscribe(() => {
      calls++;
      throw new Error('listener bug');
    });
    const kept: TraceEvent[] = [];
    const off = h.rt.trace.subscribe((e) => kept.push(e));
    const p = spawn(h);
    h.rt.cast(p, 'a');
    h.rt.cast(p, 'b');
    await h.settle();
    expect(calls).toBe(1);
    expect(p.alive).toBe(true);
    expect(seen(h, p).map((s) => s.content)).toEqual(['a', 'b']);
    expect(kept.filter((e) => e.kind === 'consume')).toHaveLength(2);
    off();
    expect(h.rt.trace.active).toBe(true); // the harness's own listener remains
  });

  it('the trace is inactive with no listener, and unsubscribing the last one turns it off', async () => {
    await using _h = harness();
    using clock = new SimulatedClock();
    const rt = new Runtime({ clock });
    expect(rt.trace.active).toBe(false);
    const off = rt.trace.subscribe(() => {});
    expect(rt.trace.active).toBe(true);
    off();
    expect(rt.trace.active).toBe(false);
  });
});
