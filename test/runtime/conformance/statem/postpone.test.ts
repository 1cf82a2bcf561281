// Postponing (GS-31, GS-40..GS-44): postponed events wait for a state change and are then retried oldest first.
import { describe, expect, it } from 'vitest';
import {
  CallTimeout,
  initOk,
  keepState,
  keepStateAndData,
  nextEvent,
  nextState,
  postpone,
  repeatState,
  reply,
} from '../../../../src/runtime/index.js';
import { harness } from '../../../support/harness.js';
import { MODES, act, puppet, run, send, type Mode } from './machines.js';

/** Plain string casts and calls are postponed in state `a` and consumed (calls answered) elsewhere. */
function gate(mode: Mode, stateEnter = false) {
  return puppet(mode, {
    stateEnter,
    on: (ev, s) => {
      if (ev.type === 'enter') return undefined;
      if (s === 'a') return keepStateAndData(postpone());
      if (ev.type === 'call') return keepStateAndData(reply(ev.from, `answered in ${s}`));
      return undefined;
    },
  });
}

describe.each(MODES)('postpone (%s)', (mode) => {
  describe.each([false, true])('stateEnter %s', (stateEnter) => {
    it('GS-40 postponed events are not retried by keep_state, repeat_state, data changes or same-state next_state', async () => {
      await using h = harness();
      const { def, log } = gate(mode, stateEnter);
      const pid = run(h, def);
      h.rt.cast(pid, 'e1');
      h.rt.cast(pid, 'e2');
      send(
        h,
        pid,
        act('keep', () => keepState({ x: 1 })),
      );
      send(
        h,
        pid,
        act('repeat', () => repeatState({ x: 2 })),
      );
      send(
        h,
        pid,
        act('same', () => nextState('a', { x: 3 })),
      );
      await h.settle();
      expect(log.filter((l) => !l.includes('enter'))).toEqual([
        'a:cast e1',
        'a:cast e2',
        'a:cast act keep',
        'a:cast act repeat',
        'a:cast act same',
      ]);
      expect(h.rt.getStatus(pid).postponed).toEqual([
        { type: 'cast', content: 'e1' },
        { type: 'cast', content: 'e2' },
      ]);
      send(
        h,
        pid,
        act('go', () => nextState('b', {})),
      );
      await h.settle();
      expect(log.filter((l) => l.startsWith('b:') && !l.includes('enter'))).toEqual([
        'b:cast e1',
        'b:cast e2',
      ]);
    });

    it('GS-41 on a state change postponed events are retried oldest first, ahead of queued events', async () => {
      await using h = harness();
      const { def, log } = gate(mode, stateEnter);
      const pid = run(h, def);
      h.rt.cast(pid, 'e1');
      h.rt.cast(pid, 'e2');
      // 'go' (inserted) changes state while 'y' (inserted after it) is still queued.
      send(
        h,
        pid,
        act('ins', () =>
          keepStateAndData(
            nextEvent(
              'internal',
              act('go', () => nextState('b', {})),
            ),
            nextEvent('internal', 'y'),
          ),
        ),
      );
      h.rt.cast(pid, 'e3');
      await h.settle();
      expect(log.filter((l) => !l.includes('enter'))).toEqual([
        'a:cast e1',
        'a:cast e2',
        'a:cast act ins',
        'a:internal act go',
        'b:cast e1',
        'b:cast e2',
        'b:internal y',
        'b:cast e3',
      ]);
    });
  });

  it('GS-42 a retried event may be postponed again and is retried at the next state change', async () => {
    await using h = harness();
    const { def, log } = puppet(mode, {
      on: (ev, s) => (s !== 'c' && ev.type === 'cast' ? keepStateAndData(postpone()) : undefined),
    });
    const pid = run(h, def);
    h.rt.cast(pid, 'e1');
    send(
      h,
      pid,
      act('to-b', () => nextState('b', {})),
    );
    await h.settle();
    send(
      h,
      pid,
      act('to-c', () => nextState('c', {})),
    );
    await h.settle();
    expect(log).toEqual(['a:cast e1', 'a:cast act to-b', 'b:cast e1', 'b:cast act to-c', 'c:cast e1']);
  });

  it('GS-41 an event postponed by the transition that changes state is retried right after the older ones', async () => {
    await using h = harness();
    const { def, log } = gate(mode);
    const pid = run(h, def);
    h.rt.cast(pid, 'e1');
    send(
      h,
      pid,
      act('gp', (s) => (s === 'a' ? nextState('b', {}, postpone()) : keepStateAndData())),
    );
    h.rt.cast(pid, 'e2');
    await h.settle();
    expect(log).toEqual(['a:cast e1', 'a:cast act gp', 'b:cast e1', 'b:cast act gp', 'b:cast e2']);
  });

  it('GS-43 a postponed call keeps its from and is answered after the state change', async () => {
    await using h = harness();
    const { def } = gate(mode);
    const pid = run(h, def);
    const p = h.rt.call(pid, { type: 'ask' }, Infinity);
    await h.settle();
    expect(h.rt.getStatus(pid).postponed).toHaveLength(1);
    send(
      h,
      pid,
      act('go', () => nextState('b', {})),
    );
    await expect(p).resolves.toBe('answered in b');
  });

  it("GS-43 a postponed call's own timeout keeps running; the late reply is dropped quietly", async () => {
    await using h = harness();
    const { def, log } = gate(mode);
    const pid = run(h, def);
    const p = h.rt.call(pid, { type: 'ask' }, 100);
    const caught = p.catch((e: unknown) => e);
    await h.advance(100);
    expect(await caught).toBeInstanceOf(CallTimeout);
    send(
      h,
      pid,
      act('go', () => nextState('b', {})),
    );
    await h.settle();
    expect(log).toEqual(['a:call ask', 'a:cast act go', 'b:call ask']);
    expect(pid.alive).toBe(true);
    expect(h.events('reply').map((e) => e.reply)).toEqual(['answered in b']);
  });

  it('GS-03 postpone in the init actions is ignored; the init next_events still run', async () => {
    await using h = harness();
    const { def, log } = puppet(mode, {
      init: () => initOk('a', {}, postpone(), nextEvent('internal', 'boot')),
    });
    const pid = run(h, def);
    await h.settle();
    expect(log).toEqual(['a:internal boot']);
    expect(h.rt.getStatus(pid).postponed).toEqual([]);
  });
});
