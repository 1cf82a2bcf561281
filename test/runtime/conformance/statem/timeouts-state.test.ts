// The state time-out (GS-34, GS-50, GS-51, §1.7): cancelled by a state change only.
import { describe, expect, it } from 'vitest';
import {
  cancelStateTimeout,
  keepState,
  keepStateAndData,
  nextState,
  repeatState,
  stateTimeout,
  updateStateTimeout,
} from '../../../../src/runtime/index.js';
import { harness } from '../../../support/harness.js';
import { MODES, act, puppet, run, send } from './machines.js';

describe.each(MODES)('state timeout (%s)', (mode) => {
  it('§1.7 a state change cancels the state timeout', async () => {
    await using h = harness();
    const { def, log } = puppet(mode);
    const pid = run(h, def);
    send(
      h,
      pid,
      act('to-b', () => nextState('b', {}, stateTimeout(100, 'st'))),
    );
    await h.advance(50);
    send(
      h,
      pid,
      act('to-c', () => nextState('c', {})),
    );
    await h.advance(200);
    expect(log).toEqual(['a:cast act to-b', 'b:cast act to-c']);
    expect(h.events('timer_cancel')).toMatchObject([{ timer: { kind: 'state_timeout' } }]);
  });

  describe.each([false, true])('stateEnter %s', (stateEnter) => {
    it('GS-50 keep_state, same-state next_state and repeat_state neither cancel nor restart the state timeout', async () => {
      await using h = harness();
      const { def, log } = puppet(mode, { stateEnter });
      const pid = run(h, def);
      send(
        h,
        pid,
        act('arm', () => keepStateAndData(stateTimeout(100, 'st'))),
      );
      await h.advance(20);
      send(
        h,
        pid,
        act('keep', () => keepState({ k: 1 })),
      );
      await h.advance(20);
      send(
        h,
        pid,
        act('same', () => nextState('a', { k: 2 })),
      );
      await h.advance(20);
      send(
        h,
        pid,
        act('repeat', () => repeatState({ k: 3 })),
      );
      await h.advance(39);
      expect(log.filter((l) => l.includes('state_timeout'))).toEqual([]);
      await h.advance(1);
      expect(log.filter((l) => !l.includes('enter'))).toEqual([
        'a:cast act arm',
        'a:cast act keep',
        'a:cast act same',
        'a:cast act repeat',
        'a:state_timeout st',
      ]);
    });
  });

  it('GS-50 a state timeout set in a state change runs in the new state', async () => {
    await using h = harness();
    const { def, log } = puppet(mode);
    const pid = run(h, def);
    send(
      h,
      pid,
      act('arm', () => keepStateAndData(stateTimeout(100, 'old'))),
    );
    send(
      h,
      pid,
      act('go', () => nextState('b', {}, stateTimeout(30, 'new'))),
    );
    await h.advance(200);
    expect(log).toEqual(['a:cast act arm', 'a:cast act go', 'b:state_timeout new']);
  });

  it('§1.7 setting the state timeout again restarts it with the new time and content', async () => {
    await using h = harness();
    const { def, log } = puppet(mode);
    const pid = run(h, def);
    send(
      h,
      pid,
      act('arm', () => keepStateAndData(stateTimeout(100, 'x'))),
    );
    await h.advance(30);
    send(
      h,
      pid,
      act('rearm', () => keepStateAndData(stateTimeout(100, 'y'))),
    );
    await h.advance(99);
    expect(log).toEqual(['a:cast act arm', 'a:cast act rearm']);
    await h.advance(1);
    expect(log).toEqual(['a:cast act arm', 'a:cast act rearm', 'a:state_timeout y']);
    expect(h.clock.now()).toBe(130);
  });

  it("GS-34 cancel and 'infinity' both stop a running state timeout", async () => {
    await using h = harness();
    const { def, log } = puppet(mode);
    const pid = run(h, def);
    send(
      h,
      pid,
      act('arm', () => keepStateAndData(stateTimeout(100, 'x'))),
    );
    send(
      h,
      pid,
      act('cancel', () => keepStateAndData(cancelStateTimeout())),
    );
    send(
      h,
      pid,
      act('arm2', () => keepStateAndData(stateTimeout(100, 'y'))),
    );
    send(
      h,
      pid,
      act('inf', () => keepStateAndData(stateTimeout('infinity', 'z'))),
    );
    await h.advance(500);
    expect(log).toEqual(['a:cast act arm', 'a:cast act cancel', 'a:cast act arm2', 'a:cast act inf']);
    expect(h.events('timer_cancel')).toHaveLength(2);
  });

  it('GS-34 update changes the content and keeps the expiry', async () => {
    await using h = harness();
    const { def, log } = puppet(mode);
    const pid = run(h, def);
    send(
      h,
      pid,
      act('arm', () => keepStateAndData(stateTimeout(100, 'old'))),
    );
    await h.advance(40);
    send(
      h,
      pid,
      act('upd', () => keepStateAndData(updateStateTimeout('new'))),
    );
    await h.advance(59);
    expect(log).toEqual(['a:cast act arm', 'a:cast act upd']);
    await h.advance(1);
    expect(log).toEqual(['a:cast act arm', 'a:cast act upd', 'a:state_timeout new']);
  });

  it('GS-51 update with no running state timeout fires at once, before mailbox messages', async () => {
    await using h = harness();
    const { def, log } = puppet(mode);
    const pid = run(h, def);
    send(
      h,
      pid,
      act('upd', () => keepStateAndData(updateStateTimeout('surprise'))),
    );
    h.rt.cast(pid, 'm');
    await h.settle();
    expect(log).toEqual(['a:cast act upd', 'a:state_timeout surprise', 'a:cast m']);
  });

  it('GS-51 update in a state change finds the old state timeout cancelled and fires at once', async () => {
    await using h = harness();
    const { def, log } = puppet(mode);
    const pid = run(h, def);
    send(
      h,
      pid,
      act('arm', () => keepStateAndData(stateTimeout(100, 'old'))),
    );
    send(
      h,
      pid,
      act('go', () => nextState('b', {}, updateStateTimeout('upd'))),
    );
    await h.advance(200);
    expect(log).toEqual(['a:cast act arm', 'a:cast act go', 'b:state_timeout upd']);
  });

  it('GS-52 an absolute state timeout fires at the given monotonic time', async () => {
    await using h = harness({ start: 100 });
    const { def, log } = puppet(mode);
    const pid = run(h, def);
    send(
      h,
      pid,
      act('go', () => nextState('b', {}, stateTimeout(250, 'abs', { abs: true }))),
    );
    await h.advance(149);
    expect(log).toEqual(['a:cast act go']);
    await h.advance(1);
    expect(log).toEqual(['a:cast act go', 'b:state_timeout abs']);
  });

  it('GS-52 an absolute time in the past fires at once, without moving time', async () => {
    await using h = harness({ start: 1000 });
    const { def, log } = puppet(mode);
    const pid = run(h, def);
    send(
      h,
      pid,
      act('arm', () => keepStateAndData(stateTimeout(-5, 'past', { abs: true }))),
    );
    await h.settle();
    expect(log).toEqual(['a:cast act arm', 'a:state_timeout past']);
    expect(h.clock.now()).toBe(1000);
  });
});
