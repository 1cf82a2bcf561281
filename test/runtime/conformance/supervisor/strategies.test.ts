// SUP-02 start and stop order, SUP-03 restart strategies (one_for_one, one_for_all, rest_for_one,
// simple_one_for_one).
import { describe, expect, it } from 'vitest';
import {
  deleteChild,
  getChildspec,
  restartChild,
  startChild,
  statemChildWith,
  terminateChild,
  whichChildren,
  type Pid,
} from '../../../../src/runtime/index.js';
import { harness } from '../../../support/harness.js';
import { control, crash, pidOf, stubbornStart, supervise, worker, workerDef } from './fixtures.js';

describe('start and stop order', () => {
  it('SUP-02 children start left to right and stop in reverse start order', async () => {
    await using h = harness();
    const log: string[] = [];
    const sup = await supervise(h, {
      children: ['a', 'b', 'c'].map((id) => worker(id, log, { trap: true })),
    });
    expect(log).toEqual(['start:a', 'start:b', 'start:c']);
    await h.rt.stop(sup);
    expect(log.slice(3)).toEqual(['terminate:c:shutdown', 'terminate:b:shutdown', 'terminate:a:shutdown']);
    expect(h.rt.processCount).toBe(0);
  });

  it('SUP-02 a child added with startChild is started last and stopped first', async () => {
    await using h = harness();
    const log: string[] = [];
    const sup = await supervise(h, { children: [worker('a', log, { trap: true })] });
    await startChild(h.rt, sup, worker('z', log, { trap: true }));
    await h.rt.stop(sup);
    expect(log).toEqual(['start:a', 'start:z', 'terminate:z:shutdown', 'terminate:a:shutdown']);
  });

  it("SUP-02 a supervisor's own death (kill) takes its children with it", async () => {
    await using h = harness();
    const log: string[] = [];
    const sup = await supervise(h, { children: [worker('a', log), worker('b', log, { trap: true })] });
    const a = await pidOf(h, sup, 'a');
    const b = await pidOf(h, sup, 'b');
    const downs = [h.rt.exited(a), h.rt.exited(b)];
    h.rt.exit(sup, 'kill');
    expect(await Promise.all(downs)).toEqual(['killed', 'killed']);
    expect(log).toContain('terminate:b:killed');
  });
});

describe('restart strategies', () => {
  it('SUP-03 one_for_one restarts only the child that died; a crash never touches its siblings', async () => {
    await using h = harness();
    const log: string[] = [];
    const sup = await supervise(h, {
      children: ['a', 'b', 'c'].map((id) => worker(id, log, { trap: true })),
    });
    const [a, b, c] = [await pidOf(h, sup, 'a'), await pidOf(h, sup, 'b'), await pidOf(h, sup, 'c')];
    await crash(h, b);
    expect(log.slice(3)).toEqual(['terminate:b:{"crash":"b"}', 'start:b']);
    expect(a.alive && c.alive).toBe(true);
    expect(await pidOf(h, sup, 'a')).toBe(a);
    expect(await pidOf(h, sup, 'c')).toBe(c);
    expect(await pidOf(h, sup, 'b')).not.toBe(b);
  });

  it('SUP-03 one_for_all stops the others in reverse start order, then restarts all in start order', async () => {
    await using h = harness();
    const log: string[] = [];
    const sup = await supervise(h, {
      flags: { strategy: 'one_for_all' },
      children: ['a', 'b', 'c'].map((id) => worker(id, log, { trap: true })),
    });
    const old = await Promise.all(['a', 'b', 'c'].map((id) => pidOf(h, sup, id)));
    log.length = 0;
    await crash(h, old[1] as Pid);
    expect(log).toEqual([
      'terminate:b:{"crash":"b"}',
      'terminate:c:shutdown',
      'terminate:a:shutdown',
      'start:a',
      'start:b',
      'start:c',
    ]);
    const now = await Promise.all(['a', 'b', 'c'].map((id) => pidOf(h, sup, id)));
    now.forEach((pid, i) => expect(pid).not.toBe(old[i]));
    expect(h.events('restart').map((e) => e.child)).toEqual(['a', 'b', 'c']);
  });

  it('SUP-03 rest_for_one restarts the child and those started after it; earlier ones are untouched', async () => {
    await using h = harness();
    const log: string[] = [];
    const sup = await supervise(h, {
      flags: { strategy: 'rest_for_one' },
      children: ['a', 'b', 'c', 'd'].map((id) => worker(id, log, { trap: true })),
    });
    const a = await pidOf(h, sup, 'a');
    log.length = 0;
    await crash(h, await pidOf(h, sup, 'b'));
    expect(log).toEqual([
      'terminate:b:{"crash":"b"}',
      'terminate:d:shutdown',
      'terminate:c:shutdown',
      'start:b',
      'start:c',
      'start:d',
    ]);
    expect(await pidOf(h, sup, 'a')).toBe(a);
  });

  it('SUP-03 simple_one_for_one starts no child at init and appends extra args to the template', async () => {
    await using h = harness();
    const log: string[] = [];
    const ctl = control();
    const sup = await supervise(h, {
      flags: { strategy: 'simple_one_for_one' },
      children: [
        {
          id: 'conn',
          start: statemChildWith(workerDef, (extra) => ({ id: `conn-${extra.join('-')}`, log, ctl }), {
            trapExit: true,
          }),
        },
      ],
    });
    expect(await whichChildren(h.rt, sup)).toEqual([]);
    const r1 = await startChild(h.rt, sup, ['x', 1]);
    const r2 = await startChild(h.rt, sup, ['y', 2]);
    expect(r1.ok && r2.ok).toBe(true);
    expect(log).toEqual(['start:conn-x-1', 'start:conn-y-2']);
    const p1 = (r1 as { pid: Pid }).pid;
    await crash(h, p1);
    expect(log.slice(2), 'restarted with the same extra args').toEqual([
      'terminate:conn-x-1:{"crash":"conn-x-1"}',
      'start:conn-x-1',
    ]);
    const rows = await whichChildren(h.rt, sup);
    expect(rows).toHaveLength(2);
    expect(rows.every((r) => r.id === undefined && typeof r.pid === 'object')).toBe(true);
  });

  it('SUP-03 simple_one_for_one: delete/restart answer simple_one_for_one and terminateChild takes a pid', async () => {
    await using h = harness();
    const log: string[] = [];
    const sup = await supervise(h, {
      flags: { strategy: 'simple_one_for_one' },
      children: [
        { id: 'w', start: statemChildWith(workerDef, (e) => ({ id: String(e[0]), log, ctl: control() })) },
      ],
    });
    const r = await startChild(h.rt, sup, ['one']);
    const pid = (r as { pid: Pid }).pid;
    expect(await deleteChild(h.rt, sup, 'w')).toEqual({ ok: false, error: 'simple_one_for_one' });
    expect(await restartChild(h.rt, sup, 'w')).toEqual({ ok: false, error: 'simple_one_for_one' });
    expect(await terminateChild(h.rt, sup, 'w')).toEqual({ ok: false, error: 'simple_one_for_one' });
    expect((await getChildspec(h.rt, sup, pid)).ok).toBe(true);
    expect(await terminateChild(h.rt, sup, pid)).toEqual({ ok: true });
    expect(pid.alive).toBe(false);
    expect(await whichChildren(h.rt, sup)).toEqual([]);
    expect(await terminateChild(h.rt, sup, pid), 'a dead pid is fine, as in OTP').toEqual({ ok: true });
    expect(await terminateChild(h.rt, sup, sup), 'a live pid that is not a child').toEqual({
      ok: false,
      error: 'not_found',
    });
  });

  it('SUP-03 simple_one_for_one shuts its children down in parallel under one timeout', async () => {
    await using h = harness();
    const log: string[] = [];
    const sup = await supervise(h, {
      flags: { strategy: 'simple_one_for_one' },
      children: [
        { id: 's', shutdown: 1000, start: (ctx) => stubbornStart(String(ctx.extraArgs[0]), log)(ctx) },
      ],
    });
    const started = await Promise.all(['p', 'q', 'r'].map((n) => startChild(h.rt, sup, [n])));
    const pids = started.map((r) => (r as { pid: Pid }).pid);
    const stopped = h.rt.stop(sup);
    await h.advance(999);
    expect(
      pids.every((p) => p.alive),
      'all still draining at 999 ms',
    ).toBe(true);
    await h.advance(1);
    await stopped;
    expect(
      pids.every((p) => !p.alive),
      'all killed by the one timer at 1000 ms, not 3000',
    ).toBe(true);
    expect(h.clock.now()).toBe(1000);
  });
});
