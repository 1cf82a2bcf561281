// The event time-out (GS-34, GS-51..GS-53, §1.7): cancelled by any event, 0 means "when nothing else is queued".
import { describe, expect, it } from 'vitest';
import {
  cancelEventTimeout,
  eventTimeout,
  keepStateAndData,
  nextEvent,
  nextState,
  postpone,
  stateTimeout,
  updateEventTimeout,
} from '../../../../src/runtime/index.js';
import { harness } from '../../../support/harness.js';
import { MODES, act, puppet, run, send } from './machines.js';

describe.each(MODES)('event timeout (%s)', (mode) => {
  it('GS-34 a relative event timeout fires exactly after its time', async () => {
    await using h = harness({ start: 1000 });
    const { def, log } = puppet(mode);
    const pid = run(h, def);
    send(
      h,
      pid,
      act('arm', () => keepStateAndData(eventTimeout(40, 'et'))),
    );
    await h.advance(39);
    expect(log).toEqual(['a:cast act arm']);
    await h.advance(1);
    expect(log).toEqual(['a:cast act arm', 'a:timeout et']);
    expect(h.events('timer_start')).toMatchObject([{ timer: { kind: 'timeout' }, at: 1040, content: 'et' }]);
    expect(h.events('timer_fire')).toMatchObject([{ timer: { kind: 'timeout' }, lateMs: 0 }]);
  });

  it('§1.7 any event cancels the event timeout', async () => {
    await using h = harness();
    const { def, log } = puppet(mode);
    const pid = run(h, def);
    send(
      h,
      pid,
      act('arm', () => keepStateAndData(eventTimeout(100, 'et'))),
    );
    await h.advance(50);
    h.rt.send(pid, 'poke');
    await h.advance(100);
    expect(log).toEqual(['a:cast act arm', 'a:info poke']);
    expect(h.events('timer_cancel')).toMatchObject([{ timer: { kind: 'timeout' } }]);
  });

  it('§1.7 a retried postponed event cancels the event timeout set by the state change', async () => {
    await using h = harness();
    const { def, log } = puppet(mode, {
      on: (ev, s) => (s === 'a' && ev.type === 'info' ? keepStateAndData(postpone()) : undefined),
    });
    const pid = run(h, def);
    h.rt.send(pid, 'p');
    send(
      h,
      pid,
      act('go', () => nextState('b', {}, eventTimeout(10, 'et'))),
    );
    await h.advance(50);
    expect(log).toEqual(['a:info p', 'a:cast act go', 'b:info p']);
  });

  it('§1.7 an event that is postponed still cancels the event timeout', async () => {
    await using h = harness();
    const { def, log } = puppet(mode, {
      on: (ev, s) => (s === 'a' && ev.type === 'info' ? keepStateAndData(postpone()) : undefined),
    });
    const pid = run(h, def);
    send(
      h,
      pid,
      act('arm', () => keepStateAndData(eventTimeout(50, 'et'))),
    );
    await h.advance(10);
    h.rt.send(pid, 'p');
    await h.advance(100);
    expect(log).toEqual(['a:cast act arm', 'a:info p']);
    send(
      h,
      pid,
      act('go', () => nextState('b', {})),
    );
    await h.settle();
    expect(log.slice(2)).toEqual(['a:cast act go', 'b:info p']);
  });

  it('§1.7 a zero state timeout event generated earlier cancels the event timeout', async () => {
    await using h = harness();
    const { def, log } = puppet(mode);
    const pid = run(h, def);
    send(
      h,
      pid,
      act('arm', () => keepStateAndData(stateTimeout(0, 's0'), eventTimeout(10, 'et'))),
    );
    await h.advance(50);
    expect(log).toEqual(['a:cast act arm', 'a:state_timeout s0']);
  });

  it('GS-53 an event timeout of 0 starts no timer and fires before messages already in the mailbox', async () => {
    await using h = harness();
    const { def, log } = puppet(mode);
    const pid = run(h, def);
    send(
      h,
      pid,
      act('arm', () => keepStateAndData(eventTimeout(0, 'zero'))),
    );
    h.rt.cast(pid, 'm');
    await h.settle();
    expect(log).toEqual(['a:cast act arm', 'a:timeout zero', 'a:cast m']);
    expect(h.clock.now()).toBe(0);
  });

  it('§1.5 an event timeout of 0 is not delivered when an inserted event comes first', async () => {
    await using h = harness();
    const { def, log } = puppet(mode);
    const pid = run(h, def);
    send(
      h,
      pid,
      act('arm', () => keepStateAndData(eventTimeout(0, 'zero'), nextEvent('internal', 'x'))),
    );
    await h.settle();
    expect(log).toEqual(['a:cast act arm', 'a:internal x']);
    expect(h.events('timer_fire')).toEqual([]);
  });

  it("GS-34 'infinity' starts no event timeout", async () => {
    await using h = harness();
    const { def, log } = puppet(mode);
    const pid = run(h, def);
    send(
      h,
      pid,
      act('arm', () => keepStateAndData(eventTimeout(10, 'et'), eventTimeout('infinity', 'never'))),
    );
    await h.advance(1_000_000);
    expect(log).toEqual(['a:cast act arm']);
    expect(h.events('timer_start')).toEqual([]);
  });

  it('GS-30 the last event timeout action in the list wins, cancel included', async () => {
    await using h = harness();
    const { def, log } = puppet(mode);
    const pid = run(h, def);
    send(
      h,
      pid,
      act('one', () => keepStateAndData(eventTimeout(10, 'first'), eventTimeout(30, 'second'))),
    );
    await h.advance(29);
    expect(log).toEqual(['a:cast act one']);
    await h.advance(1);
    expect(log).toEqual(['a:cast act one', 'a:timeout second']);
    send(
      h,
      pid,
      act('two', () => keepStateAndData(eventTimeout(10, 'x'), cancelEventTimeout())),
    );
    send(
      h,
      pid,
      act('three', () => keepStateAndData(cancelEventTimeout(), eventTimeout(10, 'y'))),
    );
    await h.advance(100);
    expect(log).toEqual([
      'a:cast act one',
      'a:timeout second',
      'a:cast act two',
      'a:cast act three',
      'a:timeout y',
    ]);
  });

  it('GS-51 updating the event timeout fires it at once with the new content (the event cancelled the old one)', async () => {
    await using h = harness();
    const { def, log } = puppet(mode);
    const pid = run(h, def);
    send(
      h,
      pid,
      act('arm', () => keepStateAndData(eventTimeout(100, 'old'))),
    );
    send(
      h,
      pid,
      act('upd', () => keepStateAndData(updateEventTimeout('new'))),
    );
    h.rt.cast(pid, 'm');
    await h.advance(200);
    expect(log).toEqual(['a:cast act arm', 'a:cast act upd', 'a:timeout new', 'a:cast m']);
  });

  it('GS-52 an absolute event timeout fires at the given monotonic time', async () => {
    await using h = harness({ start: 5000 });
    const { def, log } = puppet(mode);
    const pid = run(h, def);
    send(
      h,
      pid,
      act('arm', () => keepStateAndData(eventTimeout(5300, 'abs', { abs: true }))),
    );
    await h.advance(299);
    expect(log).toEqual(['a:cast act arm']);
    await h.advance(1);
    expect(log).toEqual(['a:cast act arm', 'a:timeout abs']);
  });
});
