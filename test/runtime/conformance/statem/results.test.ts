// State callback results (GS-20, GS-70): next_state, keep_state, keep_state_and_data, repeat_state,
// repeat_state_and_data, stop and stop_and_reply, in both callback modes.
import { describe, expect, it } from 'vitest';
import {
  Exit,
  initOk,
  keepState,
  keepStateAndData,
  nextState,
  repeatState,
  repeatStateAndData,
  reply,
  stop,
  stopAndReply,
  type ExitReason,
  type From,
} from '../../../../src/runtime/index.js';
import { harness } from '../../../support/harness.js';
import { MODES, act, exitOf, puppet, run, send } from './machines.js';

describe.each(MODES)('state callback results (%s)', (mode) => {
  it('GS-20 next_state moves to the new state with the new data', async () => {
    await using h = harness();
    const { def } = puppet(mode);
    const pid = run(h, def);
    send(
      h,
      pid,
      act('go', () => nextState('c', { n: 1 })),
    );
    await h.settle();
    expect(h.rt.getState(pid)).toEqual({ state: 'c', data: { n: 1 } });
    expect(h.events('transition').map((e) => [e.from, e.to, e.changed])).toEqual([['a', 'c', true]]);
  });

  it('GS-20 keep_state keeps the state and replaces the data', async () => {
    await using h = harness();
    const { def } = puppet(mode);
    const pid = run(h, def);
    send(
      h,
      pid,
      act('go', () => nextState('b', { n: 1 })),
    );
    send(
      h,
      pid,
      act('keep', (_s, d) => keepState({ n: (d['n'] as number) + 1 })),
    );
    await h.settle();
    expect(h.rt.getState(pid)).toEqual({ state: 'b', data: { n: 2 } });
    expect(h.events('transition').map((e) => e.changed)).toEqual([true, false]);
  });

  it('GS-20 keep_state_and_data keeps both and still applies its actions', async () => {
    await using h = harness();
    const { def } = puppet(mode, {
      init: () => initOk('b', { same: true }),
      on: (ev) => (ev.type === 'call' ? keepStateAndData(reply(ev.from, 'kept')) : undefined),
    });
    const pid = run(h, def);
    await expect(h.rt.call(pid, { type: 'x' })).resolves.toBe('kept');
    expect(h.rt.getState(pid)).toEqual({ state: 'b', data: { same: true } });
    expect(h.events('transition').map((e) => e.changed)).toEqual([false]);
  });

  it('GS-20 repeat_state keeps the state, replaces the data and repeats the enter call', async () => {
    await using h = harness();
    const { def, log } = puppet(mode, { stateEnter: true });
    const pid = run(h, def);
    send(
      h,
      pid,
      act('r', () => repeatState({ r: 1 })),
    );
    await h.settle();
    expect(log).toEqual(['a:enter a', 'a:cast act r', 'a:enter a']);
    expect(h.rt.getState(pid)).toEqual({ state: 'a', data: { r: 1 } });
    expect(h.events('transition')[0]?.changed).toBe(false);
  });

  it('GS-20 repeat_state_and_data keeps state and data and repeats the enter call', async () => {
    await using h = harness();
    const { def, log } = puppet(mode, { stateEnter: true, init: () => initOk('b', { d: 1 }) });
    const pid = run(h, def);
    send(
      h,
      pid,
      act('r', () => repeatStateAndData()),
    );
    await h.settle();
    expect(log).toEqual(['b:enter b', 'b:cast act r', 'b:enter b']);
    expect(h.rt.getState(pid)).toEqual({ state: 'b', data: { d: 1 } });
  });

  it('GS-70 stop runs terminate with the reason, state and data, then exits with the reason', async () => {
    await using h = harness();
    const calls: unknown[] = [];
    const { def } = puppet(mode, { terminate: (r, s, d) => calls.push([r, s, d]) });
    const pid = run(h, def);
    const exited = h.rt.exited(pid);
    send(
      h,
      pid,
      act('go', () => nextState('b', { k: 1 })),
    );
    send(
      h,
      pid,
      act('stop', () => stop('bored')),
    );
    expect(await exited).toBe('bored');
    expect(calls).toEqual([['bored', 'b', { k: 1 }]]);
    expect(h.events('exit')).toMatchObject([{ reason: 'bored', crash: true }]);
  });

  it('GS-20 stop without a reason is stop(normal), a clean exit', async () => {
    await using h = harness();
    const { def } = puppet(mode);
    const pid = run(h, def);
    send(
      h,
      pid,
      act('stop', () => stop()),
    );
    await h.settle();
    expect(exitOf(h, pid)).toBe('normal');
    expect(h.events('exit')[0]?.crash).toBe(false);
  });

  it('GS-70 stop with data gives terminate the new data', async () => {
    await using h = harness();
    const seen: unknown[] = [];
    const { def } = puppet(mode, { terminate: (_r, _s, d) => seen.push(d) });
    const pid = run(h, def);
    send(
      h,
      pid,
      act('stop', () => stop('shutdown', { last: true })),
    );
    await h.settle();
    expect(seen).toEqual([{ last: true }]);
    expect(exitOf(h, pid)).toBe('shutdown');
  });

  it('GS-70 stop_and_reply sends every reply before the machine stops', async () => {
    await using h = harness();
    const order: string[] = [];
    const { def } = puppet<{ from?: From<unknown> }>(mode, {
      on: (ev, _s, d) => {
        if (ev.type === 'call' && ev.call === 'first') return keepState({ from: ev.from });
        if (ev.type === 'call' && d.from) {
          return stopAndReply({ shutdown: 'done' }, [reply(d.from, 1), reply(ev.from, 2)], {
            from: undefined,
          });
        }
        return undefined;
      },
      terminate: (r) => order.push(`terminate ${JSON.stringify(r)}`),
    });
    const pid = run(h, def);
    const p1 = h.rt.call(pid, { type: 'first' });
    const p2 = h.rt.call(pid, { type: 'second' });
    await expect(Promise.all([p1, p2])).resolves.toEqual([1, 2]);
    await h.settle();
    expect(order).toEqual(['terminate {"shutdown":"done"}']);
    const kinds = h.trace.filter((e) => e.kind === 'reply' || e.kind === 'exit').map((e) => e.kind);
    expect(kinds).toEqual(['reply', 'reply', 'exit']);
    expect(exitOf(h, pid)).toEqual({ shutdown: 'done' });
  });

  it('GS-70 a caller still waiting when the machine stops gets Exit with the stop reason', async () => {
    await using h = harness();
    const { def } = puppet(mode);
    const pid = run(h, def);
    const p = h.rt.call(pid, { type: 'never-answered' });
    const caught = p.catch((e: unknown) => e);
    send(
      h,
      pid,
      act('stop', () => stop('gave_up')),
    );
    const err = (await caught) as Exit;
    expect(err).toBeInstanceOf(Exit);
    expect(err.reason as ExitReason).toBe('gave_up');
  });
});
