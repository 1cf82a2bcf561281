// SUP-09 the dynamic API and its OTP error results.
import { describe, expect, it } from 'vitest';
import { GovernessError } from '../../../../src/errors/index.js';
import {
  NoProc,
  countChildren,
  defineMachine,
  deleteChild,
  getChildspec,
  initOk,
  keepStateAndData,
  restartChild,
  startChild,
  terminateChild,
  whichChildren,
  Exit,
  type Pid,
} from '../../../../src/runtime/index.js';
import { harness } from '../../../support/harness.js';
import { control, pidOf, stubbornStart, supervise, worker, type WorkerT } from './fixtures.js';

describe('dynamic API', () => {
  it('SUP-09 startChild starts and records a child; duplicates answer already_started / already_present', async () => {
    await using h = harness();
    const log: string[] = [];
    const sup = await supervise(h, { children: [worker('a', log)] });
    const r = await startChild(h.rt, sup, worker('b', log, { restart: 'transient' }));
    expect(r.ok).toBe(true);
    const b = (r as { pid: Pid }).pid;
    expect(await startChild(h.rt, sup, worker('b', log))).toEqual({
      ok: false,
      error: { already_started: b },
    });
    expect(await terminateChild(h.rt, sup, 'b')).toEqual({ ok: true });
    expect(await startChild(h.rt, sup, worker('b', log))).toEqual({ ok: false, error: 'already_present' });
    const ctl = control();
    ctl.failStarts = 1;
    expect(await startChild(h.rt, sup, worker('c', log, { ctl }))).toEqual({
      ok: false,
      error: { failed_to_start_child: 'c', reason: 'boom' },
    });
    expect((await whichChildren(h.rt, sup)).map((c) => c.id)).toEqual(['b', 'a']);
  });

  it('SUP-09 startChild validates the spec and rejects with GOV_BAD_CHILD_SPEC', async () => {
    await using h = harness();
    const log: string[] = [];
    const sup = await supervise(h, { children: [] });
    const err: unknown = await startChild(h.rt, sup, {
      ...worker('x', log),
      restart: 'often' as never,
    }).catch((e: unknown) => e);
    expect(GovernessError.is(err) && err.code).toBe('GOV_BAD_CHILD_SPEC');
    expect((err as GovernessError).details.id).toBe('x');
    expect(await countChildren(h.rt, sup)).toEqual({ specs: 0, active: 0, supervisors: 0, workers: 0 });
  });

  it('SUP-09 terminateChild keeps the spec; restartChild brings it back; errors running / not_found', async () => {
    await using h = harness();
    const log: string[] = [];
    const sup = await supervise(h, { children: [worker('a', log)] });
    const a = await pidOf(h, sup, 'a');
    expect(await restartChild(h.rt, sup, 'a')).toEqual({ ok: false, error: 'running' });
    expect(await deleteChild(h.rt, sup, 'a')).toEqual({ ok: false, error: 'running' });
    expect(await terminateChild(h.rt, sup, 'a')).toEqual({ ok: true });
    expect(a.alive).toBe(false);
    expect(h.events('restart'), 'a terminated child is not restarted').toHaveLength(0);
    const r = await restartChild(h.rt, sup, 'a');
    expect(r.ok && r.pid !== undefined && r.pid !== a && r.pid.alive).toBe(true);
    expect(await terminateChild(h.rt, sup, 'nope')).toEqual({ ok: false, error: 'not_found' });
    expect(await restartChild(h.rt, sup, 'nope')).toEqual({ ok: false, error: 'not_found' });
    expect(await deleteChild(h.rt, sup, 'nope')).toEqual({ ok: false, error: 'not_found' });
  });

  it('SUP-09 deleteChild removes a stopped child spec', async () => {
    await using h = harness();
    const log: string[] = [];
    const sup = await supervise(h, { children: [worker('a', log), worker('b', log)] });
    await terminateChild(h.rt, sup, 'a');
    expect(await deleteChild(h.rt, sup, 'a')).toEqual({ ok: true });
    expect(await getChildspec(h.rt, sup, 'a')).toEqual({ ok: false, error: 'not_found' });
    expect((await whichChildren(h.rt, sup)).map((c) => c.id)).toEqual(['b']);
    expect(await restartChild(h.rt, sup, 'a')).toEqual({ ok: false, error: 'not_found' });
  });

  it('SUP-09 while a failed restart waits for its retry the child is restarting', async () => {
    await using h = harness();
    const log: string[] = [];
    const ctl = control();
    const sup = await supervise(h, { flags: { intensity: 5 }, children: [worker('a', log, { ctl })] });
    ctl.failStarts = 1;
    const a = await pidOf(h, sup, 'a');
    h.rt.cast(a as Pid<WorkerT>, { type: 'crash' });
    await h.rt.exited(a);
    // These requests queue behind the EXIT and ahead of the retry, as a call would in OTP.
    const [rows, del, rst, counts] = await Promise.all([
      whichChildren(h.rt, sup),
      deleteChild(h.rt, sup, 'a'),
      restartChild(h.rt, sup, 'a'),
      countChildren(h.rt, sup),
    ]);
    expect(rows).toEqual([{ id: 'a', pid: 'restarting', type: 'worker' }]);
    expect(del).toEqual({ ok: false, error: 'restarting' });
    expect(rst).toEqual({ ok: false, error: 'restarting' });
    expect(counts).toEqual({ specs: 1, active: 0, supervisors: 0, workers: 1 });
    await h.settle();
    expect((await pidOf(h, sup, 'a')).alive, 'the retry succeeded').toBe(true);
  });

  it('SUP-09 whichChildren, countChildren and getChildspec describe the children', async () => {
    await using h = harness();
    const log: string[] = [];
    const sup = await supervise(h, {
      children: [
        worker('w', log, { restart: 'transient', shutdown: 'brutal_kill' }),
        { id: 'sub', type: 'supervisor', start: stubbornStart('sub', log) },
        worker('idle', log, { restart: 'transient' }),
      ],
    });
    await terminateChild(h.rt, sup, 'idle');
    const rows = await whichChildren(h.rt, sup);
    expect(rows.map((r) => [r.id, r.type, typeof r.pid])).toEqual([
      ['idle', 'worker', 'undefined'],
      ['sub', 'supervisor', 'object'],
      ['w', 'worker', 'object'],
    ]);
    expect(await countChildren(h.rt, sup)).toEqual({ specs: 3, active: 2, supervisors: 1, workers: 2 });
    const spec = await getChildspec(h.rt, sup, 'w');
    expect(spec.ok && { ...spec.spec, start: null }).toEqual({
      id: 'w',
      start: null,
      restart: 'transient',
      shutdown: 'brutal_kill',
      type: 'worker',
      significant: false,
    });
    expect(await getChildspec(h.rt, sup, 'zzz')).toEqual({ ok: false, error: 'not_found' });
  });

  it('SUP-09 simple_one_for_one counts its dynamic children', async () => {
    await using h = harness();
    const log: string[] = [];
    const sup = await supervise(h, {
      flags: { strategy: 'simple_one_for_one' },
      children: [worker('d', log)],
    });
    await startChild(h.rt, sup, []);
    await startChild(h.rt, sup, []);
    expect(await countChildren(h.rt, sup)).toEqual({ specs: 1, active: 2, supervisors: 0, workers: 2 });
    const err: unknown = await startChild(h.rt, sup, worker('x', log)).catch((e: unknown) => e);
    expect(GovernessError.is(err) && err.code).toBe('GOV_SUPERVISOR');
  });

  it('SUP-09 the API rejects for a non-supervisor (GOV_SUPERVISOR), a dead one (NoProc), and one that dies first (Exit)', async () => {
    await using h = harness();
    const log: string[] = [];
    const plain = defineMachine<{
      state: 's';
      data: null;
      calls: Record<never, never>;
      cast: never;
      info: never;
      internal: never;
      timeout: never;
      args: void;
    }>({ init: () => initOk('s', null), handleEvent: () => keepStateAndData() });
    const m = h.rt.start(plain, undefined);
    if (!m.ok) throw new Error('start');
    const notSup: unknown = await whichChildren(h.rt, m.pid).catch((e: unknown) => e);
    expect(GovernessError.is(notSup) && notSup.code).toBe('GOV_SUPERVISOR');
    const sup = await supervise(h, {
      children: [{ id: 's', shutdown: 'infinity', start: stubbornStart('s', log) }],
    });
    const s = await pidOf(h, sup, 's');
    const stopping = terminateChild(h.rt, sup, 's');
    const queued = whichChildren(h.rt, sup).catch((e: unknown) => e);
    h.rt.exit(sup, 'kill');
    expect(await queued).toBeInstanceOf(Exit);
    expect(await stopping.catch((e: unknown) => e)).toBeInstanceOf(Exit);
    await h.settle();
    // The stubborn child traps exits and only ignores the supervisor's exit signal, as an OTP process would.
    expect(s.alive).toBe(true);
    h.rt.exit(s, 'kill');
    expect(await countChildren(h.rt, sup).catch((e: unknown) => e)).toBeInstanceOf(NoProc);
    await h.rt.stop(m.pid);
  });

  it('SUP-09 rt.stop stops a supervisor: children first, in reverse order', async () => {
    await using h = harness();
    const log: string[] = [];
    const sup = await supervise(
      h,
      { children: [worker('a', log, { trap: true }), worker('b', log, { trap: true })] },
      { name: 'top' },
    );
    await h.rt.stop('top');
    expect(sup.alive).toBe(false);
    expect(h.rt.whereis('top')).toBeUndefined();
    expect(log).toEqual(['start:a', 'start:b', 'terminate:b:shutdown', 'terminate:a:shutdown']);
  });
});
