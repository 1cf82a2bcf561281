// State enter call restrictions (GS-14): an enter call may reply, set, cancel and update time-outs and
// hibernate; postpone, next_event and a state change crash the machine with a structured reason.
import { describe, expect, it } from 'vitest';
import {
  cancelStateTimeout,
  eventTimeout,
  genericTimeout,
  hibernate,
  keepState,
  keepStateAndData,
  nextEvent,
  nextState,
  postpone,
  reply,
  stateTimeout,
  stop,
  type CrashReason,
  type From,
} from '../../../../src/runtime/index.js';
import { harness } from '../../../support/harness.js';
import { MODES, act, exitOf, puppet, run, send, type Ev, type R } from './machines.js';

/** A puppet whose enter call into state `b` returns `enter(ev)`. */
function enterInto(mode: (typeof MODES)[number], enter: (ev: Ev<Record<string, unknown>>) => R | undefined) {
  return puppet(mode, {
    stateEnter: true,
    on: (ev, s) => (ev.type === 'enter' && s === 'b' ? (enter(ev) as R<Record<string, unknown>>) : undefined),
  });
}

describe.each(MODES)('enter call restrictions (%s)', (mode) => {
  it('GS-14 postpone in an enter call crashes with bad_state_enter_action', async () => {
    await using h = harness();
    const { def } = enterInto(mode, () => keepStateAndData(postpone()));
    const pid = run(h, def);
    const exited = h.rt.exited(pid);
    send(
      h,
      pid,
      act('go', () => nextState('b', {})),
    );
    const reason = (await exited) as CrashReason;
    expect(reason.error).toBe('bad_state_enter_action');
    expect(reason.state).toBe('b');
    expect(reason.event).toBe('enter "a"');
    expect(reason.detail).toEqual({ type: 'postpone', value: true });
  });

  it('GS-14 next_event in an enter call crashes with bad_state_enter_action', async () => {
    await using h = harness();
    const { def } = enterInto(mode, () => keepStateAndData(nextEvent('internal', 'x')));
    const pid = run(h, def);
    const exited = h.rt.exited(pid);
    send(
      h,
      pid,
      act('go', () => nextState('b', {})),
    );
    expect(((await exited) as CrashReason).error).toBe('bad_state_enter_action');
  });

  it('GS-14 a state change in an enter call crashes with bad_state_enter_return_from_state_function', async () => {
    await using h = harness();
    const { def, log } = enterInto(mode, () => nextState('c', {}));
    const pid = run(h, def);
    const exited = h.rt.exited(pid);
    send(
      h,
      pid,
      act('go', () => nextState('b', {})),
    );
    const reason = (await exited) as CrashReason;
    expect(reason.error).toBe('bad_state_enter_return_from_state_function');
    expect(reason.process).toBe(pid.toString());
    expect(reason.state).toBe('b');
    expect(log).toEqual(['a:enter a', 'a:cast act go', 'b:enter a']);
  });

  it('GS-14 a state change in an enter call runs terminate with the entered state and data, as OTP does', async () => {
    await using h = harness();
    const seen: unknown[] = [];
    const { def } = puppet(mode, {
      stateEnter: true,
      on: (ev, s) => (ev.type === 'enter' && s === 'b' ? nextState('c', { c: true }) : undefined),
      terminate: (reason, s, d) => seen.push([(reason as CrashReason).error, s, d]),
    });
    const pid = run(h, def);
    send(
      h,
      pid,
      act('go', () => nextState('b', { b: true })),
    );
    await h.settle();
    expect(seen).toEqual([['bad_state_enter_return_from_state_function', 'b', { b: true }]]);
    expect(pid.alive).toBe(false);
  });

  it('GS-71 an exception in an enter call runs terminate with the state before the event', async () => {
    await using h = harness();
    const seen: unknown[] = [];
    const { def } = puppet(mode, {
      stateEnter: true,
      on: (ev, s) => {
        if (ev.type === 'enter' && s === 'b') throw new Error('enter failed');
        return undefined;
      },
      terminate: (reason, s, d) => seen.push([(reason as CrashReason).error, s, d]),
    });
    const pid = run(h, def);
    send(
      h,
      pid,
      act('go', () => nextState('b', { b: true })),
    );
    await h.settle();
    expect(seen).toEqual([['exception', 'a', {}]]);
  });

  it('GS-14 an enter call may return next_state to its own state (no crash, no second enter call)', async () => {
    await using h = harness();
    const { def, log } = enterInto(mode, () => nextState('b', { entered: true }));
    const pid = run(h, def);
    send(
      h,
      pid,
      act('go', () => nextState('b', {})),
    );
    await h.settle();
    expect(log).toEqual(['a:enter a', 'a:cast act go', 'b:enter a']);
    expect(h.rt.getState(pid)).toEqual({ state: 'b', data: { entered: true } });
  });

  it('GS-14 postpone(false) is allowed in an enter call, as in OTP', async () => {
    await using h = harness();
    const { def } = enterInto(mode, () => keepStateAndData(postpone(false)));
    const pid = run(h, def);
    send(
      h,
      pid,
      act('go', () => nextState('b', {})),
    );
    await h.settle();
    expect(pid.alive).toBe(true);
    expect(h.rt.getState(pid).state).toBe('b');
  });

  it('GS-14 an enter call may reply to a call whose from is kept in data', async () => {
    await using h = harness();
    const { def } = puppet<{ from?: From<unknown> }>(mode, {
      stateEnter: true,
      on: (ev, s, d) => {
        if (ev.type === 'call' && s === 'a') return nextState('b', { from: ev.from });
        if (ev.type === 'enter' && s === 'b' && d.from) return keepState({}, reply(d.from, 'from-enter'));
        return undefined;
      },
    });
    const pid = run(h, def);
    await expect(h.rt.call(pid, { type: 'go' })).resolves.toBe('from-enter');
  });

  it('GS-14 an enter call may set event, state and generic timeouts and hibernate', async () => {
    await using h = harness();
    const { def, log } = enterInto(mode, () =>
      keepStateAndData(
        hibernate(),
        stateTimeout(10, 'st'),
        genericTimeout('g', 20, 'gt'),
        eventTimeout(5, 'et'),
      ),
    );
    const pid = run(h, def);
    send(
      h,
      pid,
      act('go', () => nextState('b', {})),
    );
    await h.advance(30);
    expect(log).toEqual([
      'a:enter a',
      'a:cast act go',
      'b:enter a',
      'b:timeout et',
      'b:state_timeout st',
      'b:generic_timeout g gt',
    ]);
  });

  it("GS-30 an enter call's time-out overrides the state callback's of the same kind (last wins)", async () => {
    await using h = harness();
    const { def, log } = enterInto(mode, () => keepStateAndData(stateTimeout(50, 'from-enter')));
    const pid = run(h, def);
    send(
      h,
      pid,
      act('go', () => nextState('b', {}, stateTimeout(10, 'from-event'))),
    );
    await h.advance(100);
    expect(log).toEqual(['a:enter a', 'a:cast act go', 'b:enter a', 'b:state_timeout from-enter']);
    expect(h.events('timer_fire')[0]?.lateMs).toBe(0);
    expect(h.clock.now()).toBe(100);
  });

  it('GS-14 an enter call may cancel a state timeout set by the state callback', async () => {
    await using h = harness();
    const { def, log } = enterInto(mode, () => keepStateAndData(cancelStateTimeout()));
    const pid = run(h, def);
    send(
      h,
      pid,
      act('go', () => nextState('b', {}, stateTimeout(10, 'st'))),
    );
    await h.advance(100);
    expect(log).toEqual(['a:enter a', 'a:cast act go', 'b:enter a']);
  });

  it('GS-14 an enter call may stop the machine', async () => {
    await using h = harness();
    const { def } = enterInto(mode, () => stop({ shutdown: 'entered' }));
    const pid = run(h, def);
    const exited = h.rt.exited(pid);
    send(
      h,
      pid,
      act('go', () => nextState('b', {})),
    );
    expect(await exited).toEqual({ shutdown: 'entered' });
    expect(exitOf(h, pid)).toEqual({ shutdown: 'entered' });
  });
});
