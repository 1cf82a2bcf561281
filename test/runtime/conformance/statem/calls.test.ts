// Calls, casts and stop from outside (GS-60, GS-61, GS-64, GS-73).
import { describe, expect, it } from 'vitest';
import {
  CallTimeout,
  Exit,
  NoProc,
  keepStateAndData,
  nextState,
  reply,
  type CrashReason,
  type StepRecord,
} from '../../../../src/runtime/index.js';
import { GovernessError } from '../../../../src/errors/index.js';
import { harness } from '../../../support/harness.js';
import { MODES, act, puppet, run, send, type P } from './machines.js';

describe.each(MODES)('calls (%s)', (mode) => {
  /** Answers `echo` calls with the request's value; ignores every other call. */
  const echo = () =>
    puppet(mode, {
      on: (ev, s) =>
        ev.type === 'call' && ev.call === 'echo'
          ? keepStateAndData(reply(ev.from, [s, ev.request['v']]))
          : undefined,
    });

  it('GS-60 rt.call resolves with the reply', async () => {
    await using h = harness();
    const pid = run(h, echo().def);
    await expect(h.rt.call(pid, { type: 'echo', v: 1 })).resolves.toEqual(['a', 1]);
  });

  it('GS-95 a call by registered name reaches the machine; after it exits the name gives NoProc', async () => {
    await using h = harness();
    const s = h.rt.start(echo().def, undefined, { name: ['echo', 1] });
    if (!s.ok) throw new Error('start failed');
    await expect(h.rt.call(['echo', 1], { type: 'echo', v: 'hi' })).resolves.toEqual(['a', 'hi']);
    await h.rt.stop(['echo', 1]);
    await expect(h.rt.call(['echo', 1], { type: 'echo' })).rejects.toBeInstanceOf(NoProc);
  });

  it('GS-60 rt.call rejects with CallTimeout when no reply comes in time (virtual time)', async () => {
    await using h = harness();
    const pid = run(h, echo().def);
    let outcome: unknown = 'pending';
    h.rt.call(pid, { type: 'ignored' }, 100).then(
      (v) => (outcome = v),
      (e: unknown) => (outcome = e),
    );
    await h.advance(99);
    expect(outcome).toBe('pending');
    await h.advance(1);
    expect(outcome).toBeInstanceOf(CallTimeout);
    expect((outcome as CallTimeout).code).toBe('GOV_CALL_TIMEOUT');
    expect(pid.alive).toBe(true);
  });

  it('GS-60 the default call timeout is 5000 ms', async () => {
    await using h = harness();
    const pid = run(h, echo().def);
    const caught = h.rt.call(pid, { type: 'ignored' }).catch((e: unknown) => e);
    await h.advance(4999);
    await h.advance(1);
    expect(await caught).toBeInstanceOf(CallTimeout);
  });

  it('GS-60 rt.call rejects with NoProc for a dead pid or an unknown name', async () => {
    await using h = harness();
    const pid = run(h, echo().def);
    await h.rt.stop(pid);
    await expect(h.rt.call(pid, { type: 'echo', v: 1 })).rejects.toBeInstanceOf(NoProc);
    await expect(h.rt.call('nobody', { type: 'echo' })).rejects.toBeInstanceOf(NoProc);
  });

  it("GS-60 rt.call rejects with Exit carrying the server's reason when it crashes first", async () => {
    await using h = harness();
    const { def } = puppet(mode, {
      on: (ev) => (ev.type === 'call' ? (42 as unknown as ReturnType<typeof keepStateAndData>) : undefined),
    });
    const pid = run(h, def);
    const err = await h.rt.call(pid, { type: 'boom' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Exit);
    const reason = (err as Exit).reason as CrashReason;
    expect(reason.error).toBe('bad_return_from_state_function');
    expect(reason.detail).toBe(42);
  });

  it('GS-60 a bad call timeout is rejected as a bad argument', async () => {
    await using h = harness();
    const pid = run(h, echo().def);
    const err = await h.rt.call(pid, { type: 'echo' }, -1).catch((e: unknown) => e);
    expect(GovernessError.is(err)).toBe(true);
    expect((err as GovernessError).code).toBe('GOV_BAD_ARGUMENT');
  });

  it('GS-61 a reply after the caller gave up is dropped quietly and the server keeps running', async () => {
    await using h = harness();
    const { def } = puppet(mode, {
      on: (ev, s) => {
        if (ev.type === 'call' && s === 'a') return nextState('b', { from: ev.from });
        return undefined;
      },
    });
    const pid = run(h, def);
    const caught = h.rt.call(pid, { type: 'slow' }, 10).catch((e: unknown) => e);
    await h.advance(10);
    expect(await caught).toBeInstanceOf(CallTimeout);
    send(
      h,
      pid,
      act('late', (_s, d) => nextState('a', {}, reply(d['from'] as Parameters<typeof reply>[0], 'too late'))),
    );
    await h.settle();
    expect(h.events('reply').map((e) => e.reply)).toEqual(['too late']);
    expect(pid.alive).toBe(true);
    expect(h.rt.getState(pid).state).toBe('a');
  });

  it('GS-64 cast and send to a missing process never fail', async () => {
    await using h = harness();
    const pid = run(h, echo().def);
    await h.rt.stop(pid);
    expect(() => h.rt.cast(pid, 'x')).not.toThrow();
    expect(() => h.rt.send(pid, 'x')).not.toThrow();
    expect(() => h.rt.cast('nobody', 'x')).not.toThrow();
    expect(() => h.rt.send(['no', 'body'], 'x')).not.toThrow();
  });

  it('GS-73 rt.stop is handled in mailbox order, runs terminate with the reason and resolves when stopped', async () => {
    await using h = harness();
    const order: string[] = [];
    const { def, log } = puppet(mode, { terminate: (r, s) => order.push(`terminate ${String(r)} in ${s}`) });
    const pid = run(h, def);
    send(
      h,
      pid,
      act('go', () => nextState('b', {})),
    );
    const stopped = h.rt.stop(pid, 'shutdown');
    h.rt.cast(pid, 'after-stop');
    await stopped;
    expect(order).toEqual(['terminate shutdown in b']);
    expect(log).toEqual(['a:cast act go']);
    expect(pid.alive).toBe(false);
    expect(h.events('exit')).toMatchObject([{ reason: 'shutdown', crash: false }]);
  });

  it("GS-73 rt.stop's default reason is normal", async () => {
    await using h = harness();
    const reasons: unknown[] = [];
    const pid = run(h, puppet(mode, { terminate: (r) => reasons.push(r) }).def);
    await h.rt.stop(pid);
    expect(reasons).toEqual(['normal']);
  });

  it('GS-73 rt.stop rejects with NoProc for a missing process', async () => {
    await using h = harness();
    await expect(h.rt.stop('ghost')).rejects.toBeInstanceOf(NoProc);
  });

  it('GS-73 rt.stop rejects with Exit when terminate fails, like proc_lib:stop', async () => {
    await using h = harness();
    const pid = run(
      h,
      puppet(mode, {
        terminate: () => {
          throw new Error('cleanup failed');
        },
      }).def,
    );
    const err = await h.rt.stop(pid, 'normal').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Exit);
    expect(((err as Exit).reason as CrashReason).error).toBe('terminate_exception');
    expect(pid.alive).toBe(false);
  });

  it('GS-73 rt.stop rejects with CallTimeout when the machine cannot stop in time; it stops later', async () => {
    await using h = harness();
    const { def } = puppet(mode);
    let release: (() => void) | null = null;
    let hold = false;
    const s = h.rt.start(def, undefined, {
      commit: (_r: StepRecord<P<Record<string, unknown>>>) =>
        hold ? new Promise<void>((resolve) => (release = resolve)) : undefined,
    });
    if (!s.ok) throw new Error('start failed');
    hold = true;
    send(
      h,
      s.pid,
      act('block', () => keepStateAndData()),
    );
    await h.settle();
    hold = false;
    const caught = h.rt.stop(s.pid, 'normal', 50).catch((e: unknown) => e);
    await h.advance(50);
    expect(await caught).toBeInstanceOf(CallTimeout);
    expect(s.pid.alive).toBe(true);
    (release as (() => void) | null)?.();
    await h.settle();
    expect(s.pid.alive).toBe(false);
  });
});
