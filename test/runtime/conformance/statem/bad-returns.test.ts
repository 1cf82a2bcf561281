// Bad returns, bad actions and init results (GS-03, GS-20, GS-30..GS-35): a machine that returns something
// invalid exits with a structured CrashReason naming the process, state and event.
import { describe, expect, it } from 'vitest';
import {
  defineMachine,
  eventTimeout,
  initError,
  initIgnore,
  initOk,
  initStop,
  keepStateAndData,
  nextState,
  postpone,
  reply,
  stateTimeout,
  stopAndReply,
  type CrashReason,
  type From,
  type InitResult,
} from '../../../../src/runtime/index.js';
import { harness } from '../../../support/harness.js';
import { MODES, act, exitOf, puppet, run, send, type P, type R } from './machines.js';

const bogus = <T>(v: unknown): T => v as T;

describe.each(MODES)('bad returns and bad actions (%s)', (mode) => {
  async function crashOn(
    result: () => R,
    stateEnter = false,
  ): Promise<{ reason: CrashReason; terminated: unknown[] }> {
    await using h = harness();
    const terminated: unknown[] = [];
    const { def } = puppet(mode, {
      name: 'victim',
      stateEnter,
      terminate: (r, s) => terminated.push([r, s]),
    });
    const s = h.rt.start(def, undefined, { name: 'victim' });
    if (!s.ok) throw new Error('start failed');
    send(
      h,
      s.pid,
      act('go', () => nextState('b', { before: true })),
    );
    send(h, s.pid, act('bad', result));
    await h.settle();
    expect(s.pid.alive).toBe(false);
    return { reason: exitOf(h, s.pid) as CrashReason, terminated };
  }

  it.each<[string, unknown]>([
    ['undefined', undefined],
    ['null', null],
    ['a number', 7],
    ['a string', 'next_state'],
    ['an unknown result type', { type: 'teleport', state: 'c' }],
  ])(
    'GS-20 returning %s crashes with bad_return_from_state_function naming process, state and event',
    async (_l, value) => {
      const { reason, terminated } = await crashOn(() => bogus<R>(value));
      expect(reason.error).toBe('bad_return_from_state_function');
      expect(reason.process).toBe('victim');
      expect(reason.state).toBe('b');
      expect(reason.event).toMatch(/^cast /);
      expect(reason.detail).toEqual(value);
      expect(terminated).toEqual([[reason, 'b']]);
    },
  );

  it('GS-30 an unknown action crashes with bad_action', async () => {
    const { reason } = await crashOn(() => keepStateAndData(bogus({ type: 'fly' })));
    expect(reason).toMatchObject({
      error: 'bad_action',
      process: 'victim',
      state: 'b',
      detail: { type: 'fly' },
    });
  });

  it('GS-71 after a bad action terminate sees the state and data the callback returned, as OTP does', async () => {
    const { reason, terminated } = await crashOn(() =>
      nextState('c', { after: true }, bogus({ type: 'fly' })),
    );
    expect(reason.error).toBe('bad_action');
    expect(reason.state).toBe('b');
    expect(terminated).toEqual([[reason, 'c']]);
  });

  it('GS-71 after a bad return terminate sees the state and data before the event', async () => {
    const { reason, terminated } = await crashOn(() => bogus<R>({ type: 'next_stat', state: 'c' }));
    expect(reason.error).toBe('bad_return_from_state_function');
    expect(terminated).toEqual([[reason, 'b']]);
  });

  it('GS-35 replies before a bad action are still sent, as OTP sends them while processing the list', async () => {
    await using h = harness();
    const { def } = puppet(mode, {
      on: (ev) =>
        ev.type === 'call' ? keepStateAndData(reply(ev.from, 'sent'), bogus({ type: 'fly' })) : undefined,
    });
    const pid = run(h, def);
    await expect(h.rt.call(pid, { type: 'q' })).resolves.toBe('sent');
    await h.settle();
    expect(exitOf(h, pid)).toMatchObject({ error: 'bad_action' });
  });

  it("GS-35 a state callback's reply is sent even when the enter call that follows crashes", async () => {
    await using h = harness();
    const { def } = puppet(mode, {
      stateEnter: true,
      on: (ev, s) => {
        if (ev.type === 'call') return nextState('b', {}, reply(ev.from, 'moving'));
        if (ev.type === 'enter' && s === 'b') return keepStateAndData(postpone());
        return undefined;
      },
    });
    const pid = run(h, def);
    await expect(h.rt.call(pid, { type: 'q' })).resolves.toBe('moving');
    await h.settle();
    expect(exitOf(h, pid)).toMatchObject({ error: 'bad_state_enter_action' });
  });

  it('GS-35 a reply to something that is not a call from crashes with bad_action', async () => {
    const { reason } = await crashOn(() =>
      keepStateAndData(reply(bogus<From<unknown>>({ caller: undefined }), 1)),
    );
    expect(reason.error).toBe('bad_action');
    expect(reason.message).toMatch(/not a call's from/);
  });

  it('GS-52 a negative relative timeout crashes with bad_action', async () => {
    const { reason } = await crashOn(() => keepStateAndData(eventTimeout(-1, 'x')));
    expect(reason.error).toBe('bad_action');
    expect(reason.detail).toMatchObject({ type: 'set_timer', time: -1 });
  });

  it('GS-52 a non-numeric timeout crashes with bad_action', async () => {
    const { reason } = await crashOn(() => keepStateAndData(stateTimeout(Number.NaN, 'x')));
    expect(reason.error).toBe('bad_action');
  });

  it.each<[string, unknown]>([
    ['an object', { type: 'postpone', value: true }],
    ['a string', 'postpone'],
    ['null', null],
    ['a number', 5],
  ])('GS-20 actions that are not a list (%s) crash with bad_action', async (_l, actions) => {
    const { reason } = await crashOn(() => bogus<R>({ type: 'keep_state_and_data', actions }));
    expect(reason.error).toBe('bad_action');
    expect(reason.message).toMatch(/actions must be a list/);
  });

  it('GS-20 stop_and_reply with something other than replies crashes with bad_reply_action', async () => {
    const { reason } = await crashOn(() =>
      stopAndReply('normal', [bogus({ type: 'postpone', value: true })]),
    );
    expect(reason.error).toBe('bad_reply_action');
  });

  it('GS-05 a throw crashes with exception carrying the thrown error', async () => {
    const err = new Error('kaput');
    const { reason, terminated } = await crashOn(() => {
      throw err;
    });
    expect(reason).toMatchObject({ error: 'exception', process: 'victim', state: 'b', detail: err });
    expect(reason.message).toMatch(/kaput/);
    expect(terminated).toHaveLength(1);
  });

  it('GS-14 a bad return from an enter call crashes with bad_state_enter_return_from_state_function', async () => {
    await using h = harness();
    const { def } = puppet(mode, {
      stateEnter: true,
      on: (ev, s) => (ev.type === 'enter' && s === 'b' ? bogus<R>('oops') : undefined),
    });
    const pid = run(h, def);
    send(
      h,
      pid,
      act('go', () => nextState('b', {})),
    );
    await h.settle();
    expect(exitOf(h, pid)).toMatchObject({ error: 'bad_state_enter_return_from_state_function', state: 'b' });
  });
});

describe.each(MODES)('init results (%s)', (mode) => {
  const withInit = (
    init: () => InitResult<P<Record<string, unknown>>> | InitResult<P<unknown>>,
    terminated: unknown[] = [],
  ) =>
    puppet(mode, {
      init: init as () => InitResult<P<Record<string, unknown>>>,
      terminate: (r) => terminated.push(r),
    });

  it('GS-03 ok with actions starts the machine and applies them (timeouts, replies later)', async () => {
    await using h = harness();
    const { def, log } = withInit(() => initOk('b', { n: 1 }, stateTimeout(10, 'st'), eventTimeout(5, 'et')));
    const pid = run(h, def);
    expect(h.rt.getState(pid)).toEqual({ state: 'b', data: { n: 1 } });
    await h.advance(10);
    expect(log).toEqual(['b:timeout et', 'b:state_timeout st']);
  });

  it('GS-03 a zero-time timeout from init fires without any message arriving', async () => {
    await using h = harness();
    const { def, log } = withInit(() => initOk('a', {}, stateTimeout(0, 'now')));
    run(h, def);
    await h.settle();
    expect(log).toEqual(['a:state_timeout now']);
  });

  it('GS-03 ignore starts nothing and frees the name', async () => {
    await using h = harness();
    const terminated: unknown[] = [];
    const { def } = withInit(() => initIgnore(), terminated);
    expect(h.rt.start(def, undefined, { name: 'n' })).toEqual({ ok: false, reason: 'ignore' });
    expect(h.rt.whereis('n')).toBeUndefined();
    expect(h.rt.processCount).toBe(0);
    expect(terminated).toEqual([]);
  });

  it('GS-03 stop fails the start with the exit reason', async () => {
    await using h = harness();
    const { def } = withInit(() => initStop('no_config'));
    expect(h.rt.start(def, undefined)).toEqual({ ok: false, reason: { exit: 'no_config' } });
    await h.settle();
    expect(h.rt.processCount).toBe(0);
  });

  it('GS-03 error fails the start silently with { error }', async () => {
    await using h = harness();
    const { def } = withInit(() => initError({ missing: 'key' }));
    expect(h.rt.start(def, undefined)).toEqual({ ok: false, reason: { error: { missing: 'key' } } });
    await h.settle();
    expect(h.events('exit')[0]?.crash).toBe(false);
  });

  it('GS-03 a bad init return fails the start with bad_return_from_init', async () => {
    await using h = harness();
    const { def } = withInit(() => bogus<InitResult<P<unknown>>>({ type: 'okay' }));
    const s = h.rt.start(def, undefined);
    expect(s.ok).toBe(false);
    const reason = (s as { reason: { exit: CrashReason } }).reason.exit;
    expect(reason).toMatchObject({ error: 'bad_return_from_init', detail: { type: 'okay' } });
  });

  it('GS-03 a throwing init fails the start with exception', async () => {
    await using h = harness();
    const { def } = withInit(() => {
      throw new Error('no db');
    });
    const s = h.rt.start(def, undefined);
    expect(s.ok).toBe(false);
    const reason = (s as { reason: { exit: CrashReason } }).reason.exit;
    expect(reason).toMatchObject({ error: 'exception', event: 'init' });
    expect(reason.message).toMatch(/no db/);
  });

  it('GS-03 a bad action in init returns ok, then the machine exits with bad_action through terminate', async () => {
    await using h = harness();
    const terminated: unknown[] = [];
    const { def } = withInit(() => initOk('a', {}, bogus({ type: 'warp' })), terminated);
    const s = h.rt.start(def, undefined);
    expect(s.ok).toBe(true);
    await h.settle();
    if (!s.ok) return;
    expect(s.pid.alive).toBe(false);
    expect(exitOf(h, s.pid)).toMatchObject({ error: 'bad_action', state: 'a' });
    expect(terminated).toHaveLength(1);
  });

  it('GS-01 a definition with both or neither callback forms is refused', () => {
    expect(() => defineMachine<P>({ init: () => initOk('a', null) })).toThrow(/exactly one/);
    expect(() =>
      defineMachine<P>({ init: () => initOk('a', null), handleEvent: () => keepStateAndData(), states: {} }),
    ).toThrow(/exactly one/);
  });
});
