// sys-style introspection (GS-44, GS-81, GS-90..GS-93): getState, replaceState, getStatus through formatStatus,
// statistics and the trace stream.
import { describe, expect, it } from 'vitest';
import {
  genericTimeout,
  keepState,
  keepStateAndData,
  nextState,
  postpone,
  reply,
  stateTimeout,
  stop,
  type TraceEvent,
} from '../../../../src/runtime/index.js';
import { harness } from '../../../support/harness.js';
import { MODES, act, puppet, run, send } from './machines.js';

describe.each(MODES)('sys introspection (%s)', (mode) => {
  it('GS-90 getState returns the current state and data', async () => {
    await using h = harness();
    const pid = run(h, puppet(mode).def);
    expect(h.rt.getState(pid)).toEqual({ state: 'a', data: {} });
    send(
      h,
      pid,
      act('go', () => nextState('c', { v: 3 })),
    );
    await h.settle();
    expect(h.rt.getState(pid)).toEqual({ state: 'c', data: { v: 3 } });
  });

  it('GS-91 replaceState makes no enter call, retries no postponed event and keeps the timers', async () => {
    await using h = harness();
    const { def, log } = puppet(mode, {
      stateEnter: true,
      on: (ev, s) => (s === 'a' && ev.type === 'info' ? keepStateAndData(postpone()) : undefined),
    });
    const pid = run(h, def);
    send(
      h,
      pid,
      act('arm', () => keepStateAndData(stateTimeout(100, 'st'))),
    );
    h.rt.send(pid, 'waiting');
    await h.settle();
    h.rt.replaceState(pid, ({ data }) => ({ state: 'b', data: { ...data, replaced: true } }));
    await h.settle();
    expect(h.rt.getState(pid)).toEqual({ state: 'b', data: { replaced: true } });
    expect(h.rt.getStatus(pid).postponed).toEqual([{ type: 'info', content: 'waiting' }]);
    await h.advance(100);
    expect(log).toEqual(['a:enter a', 'a:cast act arm', 'a:info waiting', 'b:state_timeout st']);
    // A real state change later retries the postponed event.
    send(
      h,
      pid,
      act('go', () => nextState('c', {})),
    );
    await h.settle();
    expect(log.slice(4)).toEqual(['b:cast act go', 'c:enter b', 'c:info waiting']);
  });

  it('GS-81 getStatus goes through formatStatus, which can redact data', async () => {
    await using h = harness();
    const { def } = puppet<{ user: string; password: string }>(mode, {
      init: () => ({ type: 'ok', state: 'a', data: { user: 'ann', password: 'hunter2' }, actions: [] }),
      formatStatus: (s) => ({ ...s, data: { ...s.data, password: '***' } }),
    });
    const pid = run(h, def);
    const status = h.rt.getStatus(pid);
    expect(status.data).toEqual({ user: 'ann', password: '***' });
    expect(status.state).toBe('a');
    expect(h.rt.getState(pid).data.password).toBe('hunter2');
  });

  it('GS-81 a throwing formatStatus hides the data', async () => {
    await using h = harness();
    const { def } = puppet(mode, {
      init: () => ({ type: 'ok', state: 'a', data: { secret: 's3cr3t' }, actions: [] }),
      formatStatus: () => {
        throw new Error('formatter bug');
      },
    });
    const pid = run(h, def);
    const status = h.rt.getStatus(pid);
    expect(status.state).toBe('a');
    expect(JSON.stringify(status.data)).not.toContain('s3cr3t');
    expect(String(status.data)).toMatch(/hidden/);
  });

  it('GS-44 getStatus shows the postponed events and the armed timeouts', async () => {
    await using h = harness({ start: 1000 });
    const { def } = puppet(mode, {
      on: (ev, s) => (s === 'a' && ev.type === 'cast' ? keepStateAndData(postpone()) : undefined),
    });
    const pid = run(h, def);
    send(
      h,
      pid,
      act('arm', () => keepStateAndData(stateTimeout(50, 'st'), genericTimeout('g', 70, 'gt'))),
    );
    h.rt.cast(pid, 'p1');
    await h.settle();
    const status = h.rt.getStatus(pid);
    expect(status.postponed).toEqual([{ type: 'cast', content: 'p1' }]);
    expect(status.queue).toEqual([]);
    expect(status.timeouts).toEqual([
      { kind: 'state_timeout', at: 1050, content: 'st' },
      { kind: 'generic_timeout', name: 'g', at: 1070, content: 'gt' },
    ]);
    send(
      h,
      pid,
      act('drop', () => nextState('b', {}, postpone(false))),
    );
    await h.advance(100);
  });

  it('GS-92 statistics count events, messages in and out, and state changes', async () => {
    await using h = harness({ start: 500 });
    const { def } = puppet(mode, {
      on: (ev) => (ev.type === 'call' ? keepStateAndData(reply(ev.from, 'ok')) : undefined),
    });
    const pid = run(h, def);
    await h.rt.call(pid, { type: 'ping' });
    send(
      h,
      pid,
      act('go', () => nextState('b', {})),
    );
    send(
      h,
      pid,
      act('same', () => keepState({ n: 1 })),
    );
    send(
      h,
      pid,
      act('back', () => nextState('a', {})),
    );
    await h.advance(25);
    const st = h.rt.statistics(pid);
    expect(st).toMatchObject({ startTime: 500, currentTime: 525, events: 4, messagesIn: 4, transitions: 2 });
    expect(st.messagesOut).toBe(1);
  });
});

describe('sys trace stream', () => {
  const simplify = (e: TraceEvent): string => {
    switch (e.kind) {
      case 'consume':
      case 'postpone':
        return `${e.kind} ${JSON.stringify(e.state)}->${JSON.stringify(e.nextState)}`;
      case 'transition':
        return `transition ${String(e.from)}->${String(e.to)}${e.changed ? '' : ' (same)'}`;
      case 'enter':
        return `enter ${String(e.oldState)}->${String(e.state)}`;
      case 'timer_start':
        return `timer_start ${e.timer.kind}@${e.at}`;
      case 'timer_fire':
      case 'timer_cancel':
        return `${e.kind} ${e.timer.kind}`;
      case 'reply':
        return `reply ${JSON.stringify(e.reply)}`;
      case 'exit':
        return `exit ${JSON.stringify(e.reason)}`;
      case 'spawn':
        return `spawn ${e.machine ?? ''}`;
      default:
        return e.kind;
    }
  };

  it.each(MODES)(
    'GS-93 events appear in order: spawn, enter, consume/postpone, timers, transition, reply, exit (%s)',
    async (mode) => {
      await using h = harness();
      const { def } = puppet(mode, {
        name: 'traced',
        stateEnter: true,
        on: (ev, s) => {
          if (ev.type === 'info' && s === 'a') return keepStateAndData(postpone());
          if (ev.type === 'call') return nextState('b', {}, reply(ev.from, 'moved'), stateTimeout(10, 'st'));
          if (ev.type === 'state_timeout') return stop({ shutdown: 'done' });
          return undefined;
        },
      });
      const pid = run(h, def);
      send(
        h,
        pid,
        act('arm', () => keepStateAndData(stateTimeout(100, 'old'))),
      );
      h.rt.send(pid, 'later');
      await h.settle();
      await expect(h.rt.call(pid, { type: 'move' })).resolves.toBe('moved');
      await h.advance(10);
      expect(h.trace.filter((e) => 'pid' in e && e.pid === pid).map(simplify)).toEqual([
        'spawn traced',
        'enter a->a',
        'consume "a"->"a"',
        'timer_start state_timeout@100',
        'transition a->a (same)',
        'postpone "a"->"a"',
        'transition a->a (same)',
        'consume "a"->"b"',
        'timer_cancel state_timeout',
        'timer_start state_timeout@10',
        'enter a->b',
        'transition a->b',
        'reply "moved"',
        'consume "b"->"b"',
        'transition b->b (same)',
        'timer_fire state_timeout',
        'consume "b"->"b"',
        'exit {"shutdown":"done"}',
      ]);
    },
  );
});

describe('getStatus queue', () => {
  it('GS-44 the queue lists pending events as the machine will see them, and no runtime-internal message', async () => {
    await using h = harness();
    const { def } = puppet('handle_event');
    const pid = run(h, def);
    await h.settle();
    h.rt.cast(pid, 'c1');
    h.rt.send(pid, 'i1');
    const stopping = h.rt.stop(pid); // a stop request waits in the mailbox too, but is no event
    expect(h.rt.getStatus(pid).queue).toEqual([
      { type: 'cast', content: 'c1' },
      { type: 'info', content: 'i1' },
    ]);
    await stopping;
  });
});
