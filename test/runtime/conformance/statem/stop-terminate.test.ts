// When terminate runs and which exits are clean (GS-70..GS-72), including exit signals and the parent link.
import { describe, expect, it } from 'vitest';
import {
  keepStateAndData,
  nextState,
  stop,
  type CrashReason,
  type ExitReason,
} from '../../../../src/runtime/index.js';
import { harness } from '../../../support/harness.js';
import { MODES, act, exitOf, puppet, run, send } from './machines.js';

describe.each(MODES)('terminate and exits (%s)', (mode) => {
  const watched = () => {
    const calls: string[] = [];
    const p = puppet(mode, { terminate: (r, s) => calls.push(`${JSON.stringify(r)}@${s}`) });
    return { ...p, calls };
  };

  it('GS-71 terminate runs after a callback crash, with the crash reason and the last good state', async () => {
    await using h = harness();
    const terminated: unknown[] = [];
    const { def } = puppet(mode, { terminate: (r, s) => terminated.push([(r as CrashReason).error, s]) });
    const pid = run(h, def);
    send(
      h,
      pid,
      act('go', () => nextState('b', {})),
    );
    send(
      h,
      pid,
      act('boom', () => {
        throw new Error('kaput');
      }),
    );
    await h.settle();
    expect(terminated).toEqual([['exception', 'b']]);
    expect((exitOf(h, pid) as CrashReason).error).toBe('exception');
  });

  it('GS-71 terminate does not run when the machine is killed', async () => {
    await using h = harness();
    const { def, calls } = watched();
    const pid = run(h, def);
    h.rt.exit(pid, 'kill');
    await h.settle();
    expect(calls).toEqual([]);
    expect(exitOf(h, pid)).toBe('killed');
  });

  it('GS-71 terminate does not run when an exit signal ends a machine that does not trap exits', async () => {
    await using h = harness();
    const { def, calls } = watched();
    const pid = run(h, def);
    h.rt.exit(pid, 'shutdown');
    await h.settle();
    expect(calls).toEqual([]);
    expect(exitOf(h, pid)).toBe('shutdown');
  });

  it('GS-71 a normal exit signal is ignored by a machine that does not trap exits', async () => {
    await using h = harness();
    const { def } = watched();
    const pid = run(h, def);
    h.rt.exit(pid, 'normal');
    await h.settle();
    expect(pid.alive).toBe(true);
  });

  it('GS-71 a trapping machine receives an exit signal from a non-parent as an EXIT info event', async () => {
    await using h = harness();
    const { def, log, calls } = watched();
    const s = h.rt.start(def, undefined, { trapExit: true });
    if (!s.ok) throw new Error('start failed');
    h.rt.exit(s.pid, 'shutdown');
    await h.settle();
    expect(s.pid.alive).toBe(true);
    expect(calls).toEqual([]);
    expect(log).toEqual([
      `a:info ${JSON.stringify({ type: 'EXIT', from: h.rt.rootPid, reason: 'shutdown' })}`,
    ]);
  });

  it("GS-71 the parent's exit signal ends a trapping machine through terminate", async () => {
    await using h = harness();
    const parent = run(h, puppet(mode).def);
    const { def, log, calls } = watched();
    const s = h.rt.start(def, undefined, { parent, trapExit: true });
    if (!s.ok) throw new Error('start failed');
    send(
      h,
      s.pid,
      act('go', () => nextState('b', {})),
    );
    await h.settle();
    await h.rt.stop(parent, 'shutdown');
    await h.settle();
    expect(calls).toEqual(['"shutdown"@b']);
    expect(log).toEqual(['a:cast act go']);
    expect(exitOf(h, s.pid)).toBe('shutdown');
  });

  it("GS-71 the parent's exit signal ends a non-trapping machine without terminate", async () => {
    await using h = harness();
    const parent = run(h, puppet(mode).def);
    const { def, calls } = watched();
    const s = h.rt.start(def, undefined, { parent });
    if (!s.ok) throw new Error('start failed');
    await h.rt.stop(parent, { shutdown: 'bye' });
    await h.settle();
    expect(calls).toEqual([]);
    expect(exitOf(h, s.pid)).toEqual({ shutdown: 'bye' });
  });

  it.each<[string, boolean, ExitReason]>([
    ['normal', false, 'normal'],
    ['shutdown', false, 'shutdown'],
    ['{shutdown: x}', false, { shutdown: 'x' }],
    ['a custom string', true, 'gave_up'],
    ['an object', true, { why: 'odd' }],
  ])('GS-72 stopping with %s reports crash=%s', async (_label, crash, reason) => {
    await using h = harness();
    const pid = run(h, puppet(mode).def);
    send(
      h,
      pid,
      act('stop', () => stop(reason)),
    );
    await h.settle();
    expect(h.events('exit')).toMatchObject([{ reason, crash }]);
  });

  it('GS-72 a linked machine survives a clean exit of its link and dies with a crash reason', async () => {
    await using h = harness();
    const a = run(h, puppet(mode).def);
    const b = h.rt.start(puppet(mode).def, undefined, { parent: a });
    const c = run(h, puppet(mode).def);
    const d = h.rt.start(puppet(mode).def, undefined, { parent: c });
    if (!b.ok || !d.ok) throw new Error('start failed');
    send(
      h,
      a,
      act('stop', () => stop('normal')),
    );
    send(
      h,
      c,
      act('stop', () => stop('broken')),
    );
    await h.settle();
    expect(b.pid.alive).toBe(true);
    expect(d.pid.alive).toBe(false);
    expect(exitOf(h, d.pid)).toBe('broken');
  });

  it('GS-71 a terminate that throws turns the exit into terminate_exception', async () => {
    await using h = harness();
    const { def } = puppet(mode, {
      terminate: () => {
        throw new Error('cleanup failed');
      },
    });
    const pid = run(h, def);
    send(
      h,
      pid,
      act('stop', () => stop('normal')),
    );
    await h.settle();
    const reason = exitOf(h, pid) as CrashReason;
    expect(reason.error).toBe('terminate_exception');
    expect(reason.state).toBe('a');
    expect(h.events('exit')[0]?.crash).toBe(true);
  });

  it('GS-05 (deliberate difference) a thrown result is a crash, not a return value', async () => {
    await using h = harness();
    const pid = run(h, puppet(mode).def);
    send(
      h,
      pid,
      act('throw', () => {
        throw keepStateAndData();
      }),
    );
    await h.settle();
    expect((exitOf(h, pid) as CrashReason).error).toBe('exception');
  });
});
