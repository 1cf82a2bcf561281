// Inserted events (GS-12, GS-32): next_event puts events ahead of everything queued, in list order.
import { describe, expect, it } from 'vitest';
import {
  eventTimeout,
  initOk,
  keepStateAndData,
  nextEvent,
  nextState,
  postpone,
  stateTimeout,
} from '../../../../src/runtime/index.js';
import { harness } from '../../../support/harness.js';
import { MODES, act, puppet, run, send } from './machines.js';

describe.each(MODES)('next_event (%s)', (mode) => {
  it('GS-32 an inserted event is handled before events already in the mailbox', async () => {
    await using h = harness();
    const { def, log } = puppet(mode);
    const pid = run(h, def);
    send(
      h,
      pid,
      act('ins', () => keepStateAndData(nextEvent('internal', 'i1'))),
    );
    h.rt.cast(pid, 'm1');
    await h.settle();
    expect(log).toEqual(['a:cast act ins', 'a:internal i1', 'a:cast m1']);
  });

  it('GS-32 several next_events keep their list order', async () => {
    await using h = harness();
    const { def, log } = puppet(mode);
    const pid = run(h, def);
    send(
      h,
      pid,
      act('ins', () =>
        keepStateAndData(
          nextEvent('internal', 1),
          nextEvent('cast', 2),
          nextEvent('info', 3),
          nextEvent('internal', 4),
        ),
      ),
    );
    await h.settle();
    expect(log).toEqual(['a:cast act ins', 'a:internal 1', 'a:cast 2', 'a:info 3', 'a:internal 4']);
  });

  it('GS-32 events inserted while handling an inserted event go ahead of the older inserted ones', async () => {
    await using h = harness();
    const { def, log } = puppet(mode, {
      on: (ev) =>
        ev.type === 'internal' && ev.content === 'x'
          ? keepStateAndData(nextEvent('internal', 'z'))
          : undefined,
    });
    const pid = run(h, def);
    send(
      h,
      pid,
      act('ins', () => keepStateAndData(nextEvent('internal', 'x'), nextEvent('internal', 'y'))),
    );
    await h.settle();
    expect(log).toEqual(['a:cast act ins', 'a:internal x', 'a:internal z', 'a:internal y']);
  });

  it('GS-41 next_events of a state change go ahead of the retried postponed events', async () => {
    await using h = harness();
    const { def, log } = puppet(mode, {
      on: (ev, s) => (s === 'a' && ev.type === 'cast' ? keepStateAndData(postpone()) : undefined),
    });
    const pid = run(h, def);
    h.rt.cast(pid, 'p1');
    h.rt.cast(pid, 'p2');
    send(
      h,
      pid,
      act('go', () => nextState('b', {}, nextEvent('internal', 'n1'), nextEvent('internal', 'n2'))),
    );
    h.rt.cast(pid, 'm');
    await h.settle();
    expect(log).toEqual([
      'a:cast p1',
      'a:cast p2',
      'a:cast act go',
      'b:internal n1',
      'b:internal n2',
      'b:cast p1',
      'b:cast p2',
      'b:cast m',
    ]);
  });

  it('GS-32 next_event in init actions is handled first, before any message', async () => {
    await using h = harness();
    const { def, log } = puppet(mode, { init: () => initOk('a', {}, nextEvent('internal', 'boot')) });
    const pid = run(h, def);
    h.rt.cast(pid, 'm');
    await h.settle();
    expect(log).toEqual(['a:internal boot', 'a:cast m']);
  });

  it('GS-32 next_event in init actions runs even when no message ever arrives', async () => {
    await using h = harness();
    const { def, log } = puppet(mode, {
      init: () =>
        initOk(
          'a',
          {},
          nextEvent(
            'internal',
            act('go', () => nextState('b', {})),
          ),
        ),
    });
    const pid = run(h, def);
    await h.settle();
    expect(log).toEqual(['a:internal act go']);
    expect(h.rt.getState(pid).state).toBe('b');
  });

  it('§1.7 an inserted event cancels the event timeout', async () => {
    await using h = harness();
    const { def, log } = puppet(mode);
    const pid = run(h, def);
    send(
      h,
      pid,
      act('arm', () => keepStateAndData(eventTimeout(10, 'et'), nextEvent('internal', 'x'))),
    );
    await h.advance(50);
    expect(log).toEqual(['a:cast act arm', 'a:internal x']);
    expect(h.events('timer_cancel')).toHaveLength(1);
  });

  it('GS-12 an inserted event is handled in the new state when inserted by a state change', async () => {
    await using h = harness();
    const { def, log } = puppet(mode, { stateEnter: true });
    const pid = run(h, def);
    send(
      h,
      pid,
      act('go', () => nextState('b', {}, nextEvent('internal', 'first'), stateTimeout(5, 'st'))),
    );
    await h.advance(5);
    expect(log).toEqual([
      'a:enter a',
      'a:cast act go',
      'b:enter a',
      'b:internal first',
      'b:state_timeout st',
    ]);
  });
});
