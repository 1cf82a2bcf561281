// Generic named time-outs (GS-11, GS-34, §1.7): one timer per name, never cancelled by state changes.
import { describe, expect, it } from 'vitest';
import {
  cancelGenericTimeout,
  genericTimeout,
  keepStateAndData,
  nextState,
  updateGenericTimeout,
} from '../../../../src/runtime/index.js';
import { harness } from '../../../support/harness.js';
import { MODES, act, puppet, run, send } from './machines.js';

describe.each(MODES)('generic timeouts (%s)', (mode) => {
  describe.each([false, true])('stateEnter %s', (stateEnter) => {
    it('§1.7 generic timeouts survive state changes', async () => {
      await using h = harness();
      const { def, log } = puppet(mode, { stateEnter });
      const pid = run(h, def);
      send(
        h,
        pid,
        act('arm', () => keepStateAndData(genericTimeout('g', 100, 'gt'))),
      );
      send(
        h,
        pid,
        act('to-b', () => nextState('b', {})),
      );
      await h.advance(50);
      send(
        h,
        pid,
        act('to-c', () => nextState('c', {})),
      );
      await h.advance(50);
      expect(log.filter((l) => !l.includes('enter'))).toEqual([
        'a:cast act arm',
        'a:cast act to-b',
        'b:cast act to-c',
        'c:generic_timeout g gt',
      ]);
      expect(h.events('timer_cancel')).toEqual([]);
    });
  });

  it('GS-30 each name is its own timer: the last action per name wins, other names are kept', async () => {
    await using h = harness();
    const { def, log } = puppet(mode);
    const pid = run(h, def);
    send(
      h,
      pid,
      act('arm', () =>
        keepStateAndData(
          genericTimeout('x', 10, 'x1'),
          genericTimeout('y', 20, 'y1'),
          genericTimeout('x', 30, 'x2'),
        ),
      ),
    );
    await h.advance(100);
    expect(log).toEqual(['a:cast act arm', 'a:generic_timeout y y1', 'a:generic_timeout x x2']);
  });

  it('§1.7 restarting a name moves its expiry; cancelling one name leaves the others', async () => {
    await using h = harness();
    const { def, log } = puppet(mode);
    const pid = run(h, def);
    send(
      h,
      pid,
      act('arm', () => keepStateAndData(genericTimeout('x', 50, 'x1'), genericTimeout('y', 60, 'y1'))),
    );
    await h.advance(40);
    send(
      h,
      pid,
      act('again', () => keepStateAndData(genericTimeout('x', 50, 'x2'), cancelGenericTimeout('y'))),
    );
    await h.advance(49);
    expect(log).toEqual(['a:cast act arm', 'a:cast act again']);
    await h.advance(1);
    expect(log).toEqual(['a:cast act arm', 'a:cast act again', 'a:generic_timeout x x2']);
    await h.advance(100);
    expect(log).toHaveLength(3);
  });

  it("GS-34 'infinity' cancels a running generic timeout", async () => {
    await using h = harness();
    const { def, log } = puppet(mode);
    const pid = run(h, def);
    send(
      h,
      pid,
      act('arm', () => keepStateAndData(genericTimeout('x', 50, 'x1'))),
    );
    send(
      h,
      pid,
      act('inf', () => keepStateAndData(genericTimeout('x', 'infinity', 'never'))),
    );
    await h.advance(100);
    expect(log).toEqual(['a:cast act arm', 'a:cast act inf']);
  });

  it('GS-34 update changes the content of a running generic timeout and keeps its expiry', async () => {
    await using h = harness();
    const { def, log } = puppet(mode);
    const pid = run(h, def);
    send(
      h,
      pid,
      act('arm', () => keepStateAndData(genericTimeout('x', 100, 'old'))),
    );
    await h.advance(30);
    send(
      h,
      pid,
      act('upd', () => nextState('b', {}, updateGenericTimeout('x', 'new'))),
    );
    await h.advance(69);
    expect(log).toEqual(['a:cast act arm', 'a:cast act upd']);
    await h.advance(1);
    expect(log).toEqual(['a:cast act arm', 'a:cast act upd', 'b:generic_timeout x new']);
  });

  it('GS-51 update of a generic timeout that is not running fires it at once', async () => {
    await using h = harness();
    const { def, log } = puppet(mode);
    const pid = run(h, def);
    send(
      h,
      pid,
      act('upd', () => keepStateAndData(updateGenericTimeout('nope', 'now'))),
    );
    h.rt.cast(pid, 'm');
    await h.settle();
    expect(log).toEqual(['a:cast act upd', 'a:generic_timeout nope now', 'a:cast m']);
  });

  it('GS-53 zero-time generic timeouts fire in action-list order, before mailbox messages', async () => {
    await using h = harness();
    const { def, log } = puppet(mode);
    const pid = run(h, def);
    send(
      h,
      pid,
      act('arm', () =>
        keepStateAndData(genericTimeout('p', 0, 1), genericTimeout('q', 0, 2), genericTimeout('r', 0, 3)),
      ),
    );
    h.rt.cast(pid, 'm');
    await h.settle();
    expect(log).toEqual([
      'a:cast act arm',
      'a:generic_timeout p 1',
      'a:generic_timeout q 2',
      'a:generic_timeout r 3',
      'a:cast m',
    ]);
  });

  it('GS-52 an absolute generic timeout fires at the given time', async () => {
    await using h = harness({ start: 10 });
    const { def, log } = puppet(mode);
    const pid = run(h, def);
    send(
      h,
      pid,
      act('arm', () => keepStateAndData(genericTimeout('abs', 15, 'at15', { abs: true }))),
    );
    await h.advance(4);
    expect(log).toEqual(['a:cast act arm']);
    await h.advance(1);
    expect(log).toEqual(['a:cast act arm', 'a:generic_timeout abs at15']);
  });
});
