// The transition algorithm (§1.5, GS-30, GS-33, GS-54): the order in which a transition's actions take effect,
// where zero-time time-outs land, and that a cancelled or restarted timer never delivers a stale event.
import { describe, expect, it } from 'vitest';
import {
  genericTimeout,
  hibernate,
  keepStateAndData,
  nextEvent,
  nextState,
  postpone,
  stateTimeout,
  updateStateTimeout,
  type Pid,
  type StepRecord,
} from '../../../../src/runtime/index.js';
import { harness, type Harness } from '../../../support/harness.js';
import { MODES, act, puppet, send, type Mode, type P } from './machines.js';

type D = Record<string, unknown>;

/** Starts a puppet whose commit hook can hold the process (suspending it) until `release()` is called. */
function holdable(h: Harness, mode: Mode) {
  const { def, log } = puppet(mode);
  let hold = false;
  let release: (() => void) | null = null;
  const s = h.rt.start(def, undefined, {
    commit: (_step: StepRecord<P<D>>) => {
      if (!hold) return;
      hold = false;
      return new Promise<void>((resolve) => (release = resolve));
    },
  });
  if (!s.ok) throw new Error('start failed');
  return {
    pid: s.pid as Pid<P<D>>,
    log,
    holdNext: () => (hold = true),
    release: () => release?.(),
  };
}

describe.each(MODES)('transition order (%s)', (mode) => {
  describe.each([false, true])('stateEnter %s', (stateEnter) => {
    it('§1.5 queue after a state change: next_events, postponed (oldest first), queued, zero-time timeouts, mailbox', async () => {
      await using h = harness();
      const { def, log } = puppet(mode, {
        stateEnter,
        on: (ev, s) => (s === 'a' && ev.type === 'cast' ? keepStateAndData(postpone()) : undefined),
      });
      const s = h.rt.start(def, undefined);
      if (!s.ok) throw new Error('start failed');
      const pid = s.pid;
      h.rt.cast(pid, 'p1');
      h.rt.cast(pid, 'p2');
      const go = act('go', () =>
        nextState(
          'b',
          {},
          genericTimeout('g0', 0, 'g0'),
          stateTimeout(0, 's0'),
          nextEvent('internal', 'n1'),
          nextEvent('internal', 'n2'),
        ),
      );
      send(
        h,
        pid,
        act('ins', () => keepStateAndData(nextEvent('internal', go), nextEvent('internal', 'q'))),
      );
      h.rt.cast(pid, 'm');
      await h.settle();
      expect(log.filter((l) => !l.includes('enter'))).toEqual([
        'a:cast p1',
        'a:cast p2',
        'a:cast act ins',
        'a:internal act go',
        'b:internal n1',
        'b:internal n2',
        'b:cast p1',
        'b:cast p2',
        'b:internal q',
        'b:generic_timeout g0 g0',
        'b:state_timeout s0',
        'b:cast m',
      ]);
    });
  });

  it('§1.5 a zero-time timeout set by a later transition queues behind earlier zero-time timeouts', async () => {
    await using h = harness();
    const { def, log } = puppet(mode);
    const s = h.rt.start(def, undefined);
    if (!s.ok) throw new Error('start failed');
    send(
      h,
      s.pid,
      act('arm', () =>
        keepStateAndData(
          genericTimeout('first', 0, 1),
          nextEvent(
            'internal',
            act('more', () => keepStateAndData(genericTimeout('second', 0, 2))),
          ),
        ),
      ),
    );
    await h.settle();
    expect(log).toEqual([
      'a:cast act arm',
      'a:internal act more',
      'a:generic_timeout first 1',
      'a:generic_timeout second 2',
    ]);
  });

  it('GS-54 a zero-time timeout restarted by an inserted event never delivers its old event', async () => {
    await using h = harness();
    const { def, log } = puppet(mode);
    const s = h.rt.start(def, undefined);
    if (!s.ok) throw new Error('start failed');
    const restart = act('re', () => keepStateAndData(genericTimeout('g', 50, 'later')));
    send(
      h,
      s.pid,
      act('arm', () => keepStateAndData(genericTimeout('g', 0, 'zero'), nextEvent('internal', restart))),
    );
    await h.advance(50);
    expect(log).toEqual(['a:cast act arm', 'a:internal act re', 'a:generic_timeout g later']);
  });

  it('GS-54 a zero-time state timeout cancelled by a state change in an inserted event is never delivered', async () => {
    await using h = harness();
    const { def, log } = puppet(mode);
    const s = h.rt.start(def, undefined);
    if (!s.ok) throw new Error('start failed');
    const go = act('go', () => nextState('b', {}));
    send(
      h,
      s.pid,
      act('arm', () => keepStateAndData(stateTimeout(0, 'zero'), nextEvent('internal', go))),
    );
    await h.settle();
    expect(log).toEqual(['a:cast act arm', 'a:internal act go']);
    expect(h.events('timer_fire')).toEqual([]);
  });

  it('GS-54 a fired timer whose message waits behind an event that restarts it is not delivered', async () => {
    await using h = harness();
    const m = holdable(h, mode);
    send(
      h,
      m.pid,
      act('arm', () => keepStateAndData(stateTimeout(100, 'old'))),
    );
    await h.settle();
    m.holdNext();
    send(
      h,
      m.pid,
      act('block', () => keepStateAndData()),
    );
    await h.settle();
    send(
      h,
      m.pid,
      act('restart', () => keepStateAndData(stateTimeout(100, 'new'))),
    );
    await h.advance(100); // 'old' fires while the process is held: its message queues behind 'restart'
    expect(m.log).toEqual(['a:cast act arm', 'a:cast act block']);
    m.release();
    await h.settle();
    expect(m.log).toEqual(['a:cast act arm', 'a:cast act block', 'a:cast act restart']);
    await h.advance(99);
    expect(m.log).toHaveLength(3);
    await h.advance(1);
    expect(m.log).toEqual([
      'a:cast act arm',
      'a:cast act block',
      'a:cast act restart',
      'a:state_timeout new',
    ]);
  });

  it('GS-54 a fired state timer whose message waits behind a state change is not delivered', async () => {
    await using h = harness();
    const m = holdable(h, mode);
    send(
      h,
      m.pid,
      act('arm', () => keepStateAndData(stateTimeout(100, 'old'))),
    );
    await h.settle();
    m.holdNext();
    send(
      h,
      m.pid,
      act('block', () => keepStateAndData()),
    );
    await h.settle();
    send(
      h,
      m.pid,
      act('go', () => nextState('b', {})),
    );
    await h.advance(100);
    m.release();
    await h.advance(1000);
    expect(m.log).toEqual(['a:cast act arm', 'a:cast act block', 'a:cast act go']);
  });

  it('§1.7 an update after the timer fired but before its event is handled changes the delivered content', async () => {
    await using h = harness();
    const m = holdable(h, mode);
    send(
      h,
      m.pid,
      act('arm', () => keepStateAndData(stateTimeout(100, 'old'))),
    );
    await h.settle();
    m.holdNext();
    send(
      h,
      m.pid,
      act('block', () => keepStateAndData()),
    );
    await h.settle();
    send(
      h,
      m.pid,
      act('upd', () => keepStateAndData(updateStateTimeout('new'))),
    );
    await h.advance(100);
    m.release();
    await h.settle();
    expect(m.log).toEqual(['a:cast act arm', 'a:cast act block', 'a:cast act upd', 'a:state_timeout new']);
  });

  it('GS-33 hibernate with events still queued handles them without delay, and the machine keeps working', async () => {
    await using h = harness();
    const { def, log } = puppet(mode);
    const s = h.rt.start(def, undefined);
    if (!s.ok) throw new Error('start failed');
    send(
      h,
      s.pid,
      act('hib', () => keepStateAndData(hibernate(), nextEvent('internal', 'x'))),
    );
    h.rt.cast(s.pid, 'm1');
    await h.settle();
    send(
      h,
      s.pid,
      act('hib2', () => keepStateAndData(hibernate())),
    );
    await h.settle();
    h.rt.cast(s.pid, 'm2');
    await h.settle();
    expect(log).toEqual(['a:cast act hib', 'a:internal x', 'a:cast m1', 'a:cast act hib2', 'a:cast m2']);
  });
});
