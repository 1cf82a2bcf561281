// `step(definition, state, data, event)`: one transition without a process, for unit-testing machines. It applies
// the same rules as the engine (enter calls, last timeout per timer, enter-call restrictions, bad returns).
import { describe, expect, it } from 'vitest';
import {
  StatemCrash,
  callEvent,
  eventTimeout,
  genericTimeout,
  initOk,
  keepStateAndData,
  nextEvent,
  nextState,
  postpone,
  reply,
  stateTimeout,
  step,
  stopAndReply,
  type From,
} from '../../../../src/runtime/index.js';
import { harness } from '../../../support/harness.js';
import { MODES, machine, type Ev, type P, type R } from './machines.js';

type D = { n: number; from?: From<unknown> };

describe.each(MODES)('step (%s)', (mode) => {
  const enters: string[] = [];
  const def = (stateEnter: boolean) =>
    machine<D>(mode, {
      stateEnter,
      states: ['idle', 'busy', 'bad'],
      init: () => initOk('idle', { n: 0 }),
      handle: (ev: Ev<D>, s, d): R<D> => {
        if (ev.type === 'enter') {
          enters.push(`${String(ev.oldState)}->${s}`);
          if (s === 'bad') return nextState('idle', d);
          return keepStateAndData(stateTimeout(50, `enter-${s}`));
        }
        if (ev.type === 'call' && ev.call === 'work') {
          return nextState(
            'busy',
            { n: d.n + 1, from: ev.from },
            eventTimeout(10, 'e1'),
            stateTimeout(20, 'first'),
            genericTimeout('g', 30, 'g'),
            eventTimeout(15, 'e2'),
            nextEvent('internal', 'tick'),
          );
        }
        if (ev.type === 'call' && ev.call === 'quit') return stopAndReply('normal', [reply(ev.from, 'bye')]);
        if (ev.type === 'cast' && ev.content === 'wait') return keepStateAndData(postpone());
        if (ev.type === 'cast' && ev.content === 'bad') return nextState('bad', d);
        if (ev.type === 'cast' && ev.content === 'junk') return 'junk' as unknown as R<D>;
        return keepStateAndData();
      },
    });

  it('GS-20 step returns the next state and data, the changed flag and every action in order, without a process', async () => {
    await using h = harness();
    const { event, from } = callEvent<P<D>>({ type: 'work' });
    const r = step(def(false), 'idle', { n: 1 }, event);
    expect(r.state).toBe('busy');
    expect(r.data).toEqual({ n: 2, from });
    expect(r.changed).toBe(true);
    expect(r.postponed).toBe(false);
    expect(r.stop).toBeNull();
    expect(r.enterCalls).toBe(0);
    expect(r.actions.map((a) => a.type)).toEqual([
      'set_timer',
      'set_timer',
      'set_timer',
      'set_timer',
      'next_event',
    ]);
    expect(h.rt.processCount).toBe(0);
  });

  it('GS-30 step reports the effective timeouts: the last action per timer', async () => {
    await using h = harness();
    const { event } = callEvent<P<D>>({ type: 'work' });
    const r = step(def(false), 'idle', { n: 0 }, event);
    expect(r.timeouts.map((t) => [t.kind, t.type === 'set_timer' ? t.content : null])).toEqual([
      ['state_timeout', 'first'],
      ['generic_timeout', 'g'],
      ['timeout', 'e2'],
    ]);
    expect(h.rt.processCount).toBe(0);
  });

  it("GS-13 step makes the enter call on a state change; its actions follow the event's and win", async () => {
    await using h = harness();
    enters.length = 0;
    const { event } = callEvent<P<D>>({ type: 'work' });
    const r = step(def(true), 'idle', { n: 0 }, event);
    expect(r.enterCalls).toBe(1);
    expect(enters).toEqual(['idle->busy']);
    expect(r.timeouts.find((t) => t.kind === 'state_timeout')).toMatchObject({ content: 'enter-busy' });
    expect(r.actions.at(-1)).toMatchObject({
      type: 'set_timer',
      kind: 'state_timeout',
      content: 'enter-busy',
    });
    expect(h.rt.processCount).toBe(0);
  });

  it('GS-62 step lists the replies with their from (a RecordingFrom from callEvent)', async () => {
    await using h = harness();
    const { event, from } = callEvent<P<D>>({ type: 'quit' });
    const r = step(def(false), 'busy', { n: 3 }, event);
    expect(r.stop).toBe('normal');
    expect(r.replies).toEqual([{ to: from, reply: 'bye' }]);
    expect(h.rt.processCount).toBe(0);
  });

  it('GS-31 step reports a postponed event', async () => {
    await using h = harness();
    const r = step(def(false), 'idle', { n: 0 }, { type: 'cast', content: 'wait' });
    expect(r.postponed).toBe(true);
    expect(r.changed).toBe(false);
    expect(h.rt.processCount).toBe(0);
  });

  it('GS-20 a bad return makes step throw StatemCrash with the structured reason', async () => {
    await using h = harness();
    let err: unknown;
    try {
      step({ ...def(false), name: 'unit' }, 'idle', { n: 0 }, { type: 'cast', content: 'junk' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StatemCrash);
    expect((err as StatemCrash).reason).toMatchObject({
      error: 'bad_return_from_state_function',
      process: 'unit',
      state: 'idle',
      event: 'cast "junk"',
      detail: 'junk',
    });
    expect(h.rt.processCount).toBe(0);
  });

  it('GS-14 a state change in an enter call makes step throw bad_state_enter_return_from_state_function', async () => {
    await using h = harness();
    expect(() => step(def(true), 'idle', { n: 0 }, { type: 'cast', content: 'bad' })).toThrow(StatemCrash);
    try {
      step(def(true), 'idle', { n: 0 }, { type: 'cast', content: 'bad' });
    } catch (e) {
      expect((e as StatemCrash).reason.error).toBe('bad_state_enter_return_from_state_function');
    }
    expect(h.rt.processCount).toBe(0);
  });
});

describe('enter-call action lists', () => {
  it('GS-14 a non-list of actions from an enter call is a bad_state_enter_action', () => {
    const def = machine<D>('handle_event', {
      stateEnter: true,
      states: ['idle', 'busy'],
      init: () => initOk('idle', { n: 0 }),
      handle: (ev: Ev<D>, _s, d): R<D> => {
        if (ev.type === 'enter') return { type: 'keep_state_and_data', actions: 'oops' } as unknown as R<D>;
        return nextState('busy', d);
      },
    });
    let err: unknown;
    try {
      step(def, 'idle', { n: 0 }, { type: 'cast', content: 'go' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StatemCrash);
    expect((err as StatemCrash).reason).toMatchObject({ error: 'bad_state_enter_action', state: 'busy' });
  });
});
