// Event types (GS-10..GS-13): call, cast, info, internal, the three time-out kinds and state enter calls, in
// both callback modes.
import { describe, expect, it } from 'vitest';
import {
  eventTimeout,
  genericTimeout,
  initOk,
  keepState,
  keepStateAndData,
  nextEvent,
  nextState,
  repeatState,
  repeatStateAndData,
  reply,
  stateTimeout,
  type From,
} from '../../../../src/runtime/index.js';
import { harness } from '../../../support/harness.js';
import { MODES, act, machine, puppet, run, send } from './machines.js';

describe.each(MODES)('event types (%s)', (mode) => {
  it('GS-10 a call event carries a from that is answered in the same transition', async () => {
    await using h = harness();
    const def = machine<number>(mode, {
      states: ['idle'],
      init: () => initOk('idle', 7),
      handle: (ev, _s, d) =>
        ev.type === 'call' ? keepStateAndData(reply(ev.from, d * 6)) : keepStateAndData(),
    });
    const pid = run(h, def);
    await expect(h.rt.call(pid, { type: 'get' })).resolves.toBe(42);
  });

  it('GS-62 a call is answered later from another state, with its from kept in data', async () => {
    await using h = harness();
    interface D {
      from: From<unknown> | null;
    }
    const def = machine<D>(mode, {
      states: ['idle', 'busy'],
      init: () => initOk('idle', { from: null }),
      handle: (ev, s, d) => {
        if (s === 'idle' && ev.type === 'call') return nextState('busy', { from: ev.from });
        if (s === 'busy' && ev.type === 'cast' && d.from !== null)
          return nextState('idle', { from: null }, reply(d.from, 'answer'));
        return keepStateAndData();
      },
    });
    const pid = run(h, def);
    let settled = false;
    const p = h.rt.call(pid, { type: 'ask' });
    void p.then(() => (settled = true));
    await h.settle();
    expect(settled).toBe(false);
    expect(h.rt.getState(pid).state).toBe('busy');
    h.rt.cast(pid, 'done');
    await expect(p).resolves.toBe('answer');
    expect(h.rt.getState(pid).state).toBe('idle');
  });

  it('GS-62 one transition can reply to several callers, in action order', async () => {
    await using h = harness();
    interface D {
      waiting: From<unknown>[];
    }
    const def = machine<D>(mode, {
      states: ['s'],
      init: () => initOk('s', { waiting: [] }),
      handle: (ev, _s, d) => {
        if (ev.type === 'call') return keepState({ waiting: [...d.waiting, ev.from] });
        if (ev.type === 'cast') {
          const [a, b] = d.waiting;
          if (a === undefined || b === undefined) return keepStateAndData();
          return keepState({ waiting: [] }, reply(b, 'second'), reply(a, 'first'));
        }
        return keepStateAndData();
      },
    });
    const pid = run(h, def);
    const p1 = h.rt.call(pid, { type: 'w' });
    const p2 = h.rt.call(pid, { type: 'w' });
    await h.settle();
    h.rt.cast(pid, 'release');
    await expect(Promise.all([p1, p2])).resolves.toEqual(['first', 'second']);
    expect(h.events('reply').map((e) => e.reply)).toEqual(['second', 'first']);
  });

  it('GS-10 casts and plain messages arrive as cast and info events in mailbox order', async () => {
    await using h = harness();
    const { def, log } = puppet(mode);
    const pid = run(h, def);
    h.rt.cast(pid, 'c1');
    h.rt.send(pid, 'i1');
    h.rt.cast(pid, 'c2');
    await h.settle();
    expect(log).toEqual(['a:cast c1', 'a:info i1', 'a:cast c2']);
  });

  it('GS-12 internal events come only from next_event, and inserted cast/info keep their type', async () => {
    await using h = harness();
    const { def, log } = puppet(mode);
    const pid = run(h, def);
    send(
      h,
      pid,
      act('ins', () => keepStateAndData(nextEvent('internal', 'x'), nextEvent('cast', 'y'))),
    );
    send(
      h,
      pid,
      act('ins2', () => keepStateAndData(nextEvent('info', 'z'))),
    );
    await h.settle();
    expect(log).toEqual(['a:cast act ins', 'a:internal x', 'a:cast y', 'a:cast act ins2', 'a:info z']);
  });

  it('GS-11 an event timeout arrives as a timeout event with its content', async () => {
    await using h = harness();
    const { def, log } = puppet(mode);
    const pid = run(h, def);
    send(
      h,
      pid,
      act('arm', () => keepStateAndData(eventTimeout(100, 'idle-too-long'))),
    );
    await h.advance(99);
    expect(log).toEqual(['a:cast act arm']);
    await h.advance(1);
    expect(log).toEqual(['a:cast act arm', 'a:timeout idle-too-long']);
    expect(h.clock.now()).toBe(100);
  });

  it('GS-11 a state timeout arrives as a state_timeout event with its content', async () => {
    await using h = harness();
    const { def, log } = puppet(mode);
    const pid = run(h, def);
    send(
      h,
      pid,
      act('arm', () => nextState('b', {}, stateTimeout(250, 'late'))),
    );
    await h.advance(249);
    expect(log).toEqual(['a:cast act arm']);
    await h.advance(1);
    expect(log).toEqual(['a:cast act arm', 'b:state_timeout late']);
  });

  it('GS-11 named generic timeouts arrive with their name and content', async () => {
    await using h = harness();
    const { def, log } = puppet(mode);
    const pid = run(h, def);
    send(
      h,
      pid,
      act('arm', () => keepStateAndData(genericTimeout('slow', 300, 's'), genericTimeout('fast', 100, 'f'))),
    );
    await h.advance(300);
    expect(log).toEqual(['a:cast act arm', 'a:generic_timeout fast f', 'a:generic_timeout slow s']);
  });
});

describe.each(MODES)('state enter calls (%s)', (mode) => {
  it('GS-13 the initial state gets an enter call with oldState equal to the state', async () => {
    await using h = harness();
    const { def, log } = puppet(mode, { stateEnter: true });
    run(h, def);
    await h.settle();
    expect(log).toEqual(['a:enter a']);
  });

  it('GS-13 a state change makes an enter call in the new state with the old state', async () => {
    await using h = harness();
    const { def, log } = puppet(mode, { stateEnter: true });
    const pid = run(h, def);
    send(
      h,
      pid,
      act('go', () => nextState('b', {})),
    );
    send(
      h,
      pid,
      act('back', () => nextState('a', {})),
    );
    await h.settle();
    expect(log).toEqual(['a:enter a', 'a:cast act go', 'b:enter a', 'b:cast act back', 'a:enter b']);
  });

  it('GS-13 repeat_state and repeat_state_and_data repeat the enter call without a state change', async () => {
    await using h = harness();
    const { def, log } = puppet<{ n?: number }>(mode, { stateEnter: true });
    const pid = run(h, def);
    send(
      h,
      pid,
      act('rs', () => repeatState({ n: 1 })),
    );
    send(
      h,
      pid,
      act('rsd', () => repeatStateAndData()),
    );
    await h.settle();
    expect(log).toEqual(['a:enter a', 'a:cast act rs', 'a:enter a', 'a:cast act rsd', 'a:enter a']);
    expect(h.rt.getState(pid).data).toEqual({ n: 1 });
  });

  it('GS-13 next_state to the same state and keep_state make no enter call', async () => {
    await using h = harness();
    const { def, log } = puppet(mode, { stateEnter: true });
    const pid = run(h, def);
    send(
      h,
      pid,
      act('same', () => nextState('a', { x: 1 })),
    );
    send(
      h,
      pid,
      act('keep', () => keepState({ x: 2 })),
    );
    await h.settle();
    expect(log).toEqual(['a:enter a', 'a:cast act same', 'a:cast act keep']);
  });

  it('GS-13 without stateEnter no enter calls are made, not even for the initial state', async () => {
    await using h = harness();
    const { def, log } = puppet(mode, { stateEnter: false });
    const pid = run(h, def);
    send(
      h,
      pid,
      act('go', () => nextState('b', {})),
    );
    send(
      h,
      pid,
      act('rs', () => repeatStateAndData()),
    );
    await h.settle();
    expect(log).toEqual(['a:cast act go', 'b:cast act rs']);
  });

  it('GS-13 the enter call sees the new data and its result updates it', async () => {
    await using h = harness();
    const seen: unknown[] = [];
    const { def } = puppet<{ v: number }>(mode, {
      stateEnter: true,
      init: () => initOk('a', { v: 0 }),
      on: (ev, _s, d) => {
        if (ev.type !== 'enter') return undefined;
        seen.push(d.v);
        return keepState({ v: d.v + 100 });
      },
    });
    const pid = run(h, def);
    send(
      h,
      pid,
      act('go', () => nextState('b', { v: 5 })),
    );
    await h.settle();
    expect(seen).toEqual([0, 5]);
    expect(h.rt.getState(pid)).toEqual({ state: 'b', data: { v: 105 } });
  });
});
