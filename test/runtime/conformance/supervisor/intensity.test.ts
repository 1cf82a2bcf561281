// SUP-04 restart intensity on the injected clock: more than `intensity` restarts within `period` seconds ends the
// supervisor with `shutdown`, which its parent sees like any other child exit (escalation).
import { describe, expect, it } from 'vitest';
import { supervisorChild, type Pid } from '../../../../src/runtime/index.js';
import { harness } from '../../../support/harness.js';
import { control, crash, pidOf, supervise, worker } from './fixtures.js';

describe('restart intensity', () => {
  it('SUP-04 exceeding intensity within the period stops all children in reverse order and exits shutdown', async () => {
    await using h = harness();
    const log: string[] = [];
    const sup = await supervise(h, {
      flags: { intensity: 2, period: 10 },
      children: ['a', 'b', 'c'].map((id) => worker(id, log, { trap: true })),
    });
    const exited = h.rt.exited(sup);
    await crash(h, await pidOf(h, sup, 'c'));
    await h.advance(1000);
    await crash(h, await pidOf(h, sup, 'c'));
    await h.advance(1000);
    expect(sup.alive, 'two restarts are allowed').toBe(true);
    log.length = 0;
    await crash(h, await pidOf(h, sup, 'c'));
    expect(await exited).toBe('shutdown');
    expect(log).toEqual(['terminate:c:{"crash":"c"}', 'terminate:b:shutdown', 'terminate:a:shutdown']);
    const reports = h.events('supervisor_report').filter((e) => e.report === 'reached_max_restart_intensity');
    expect(reports).toHaveLength(1);
    expect(reports[0]?.detail).toMatchObject({ id: 'c', reason: 'shutdown' });
    expect(h.events('restart')).toHaveLength(2);
  });

  it('SUP-04 restarts spread beyond the period do not escalate', async () => {
    await using h = harness();
    const log: string[] = [];
    const sup = await supervise(h, { flags: { intensity: 1, period: 5 }, children: [worker('a', log)] });
    for (let i = 0; i < 5; i++) {
      await crash(h, await pidOf(h, sup, 'a'));
      await h.advance(5001);
    }
    expect(sup.alive).toBe(true);
    expect(h.events('restart')).toHaveLength(5);
  });

  it('SUP-04 the window is inclusive: a restart exactly `period` later still counts', async () => {
    await using h = harness();
    const log: string[] = [];
    const sup = await supervise(h, { flags: { intensity: 1, period: 5 }, children: [worker('a', log)] });
    const exited = h.rt.exited(sup);
    await crash(h, await pidOf(h, sup, 'a'));
    await h.advance(5000);
    await crash(h, await pidOf(h, sup, 'a'));
    expect(await exited).toBe('shutdown');
  });

  it('SUP-04 intensity 0 gives up on the first restart', async () => {
    await using h = harness();
    const log: string[] = [];
    const sup = await supervise(h, { flags: { intensity: 0 }, children: [worker('a', log)] });
    const exited = h.rt.exited(sup);
    await crash(h, await pidOf(h, sup, 'a'));
    expect(await exited).toBe('shutdown');
    expect(h.events('restart')).toHaveLength(0);
  });

  it('SUP-04 a failed restart is retried through the mailbox, and every retry is counted', async () => {
    await using h = harness();
    const log: string[] = [];
    const ctl = control();
    const sup = await supervise(h, {
      flags: { intensity: 3, period: 5 },
      children: [worker('a', log, { ctl })],
    });
    ctl.failStarts = 2;
    await crash(h, await pidOf(h, sup, 'a'));
    expect(log).toEqual(['start:a', 'terminate:a:{"crash":"a"}', 'failed:a', 'failed:a', 'start:a']);
    expect(h.events('restart').map((e) => e.pid === undefined)).toEqual([true, true, false]);
    expect(h.events('supervisor_report').filter((e) => e.report === 'start_error')).toHaveLength(2);
    expect(sup.alive).toBe(true);
    // three restarts are used up: one more crash exceeds intensity 3
    const exited = h.rt.exited(sup);
    await crash(h, await pidOf(h, sup, 'a'));
    expect(await exited).toBe('shutdown');
  });

  it('SUP-04 a child that never starts again exhausts the intensity instead of looping', async () => {
    await using h = harness();
    const log: string[] = [];
    const ctl = control();
    const sup = await supervise(h, { flags: { intensity: 5 }, children: [worker('a', log, { ctl })] });
    ctl.failStarts = Infinity;
    const exited = h.rt.exited(sup);
    await crash(h, await pidOf(h, sup, 'a'));
    expect(await exited).toBe('shutdown');
    expect(log.filter((l) => l === 'failed:a')).toHaveLength(5);
  });

  it('SUP-04 escalation goes through two levels of nesting', async () => {
    await using h = harness();
    const log: string[] = [];
    const leaf = { flags: { intensity: 1, period: 5 }, children: [worker('leaf', log, { trap: true })] };
    const middle = {
      flags: { intensity: 1, period: 5 },
      children: [
        { id: 'inner', type: 'supervisor' as const, start: supervisorChild(leaf) },
        worker('side', log, { trap: true }),
      ],
    };
    const top = await supervise(h, {
      flags: { intensity: 1, period: 5 },
      children: [{ id: 'middle', type: 'supervisor' as const, start: supervisorChild(middle) }],
    });
    const exited = h.rt.exited(top);
    const leafPid = async (): Promise<Pid> => {
      const mid = await pidOf(h, top, 'middle');
      const inner = await pidOf(h, mid, 'inner');
      return pidOf(h, inner, 'leaf');
    };
    // inner gives up after 2 leaf crashes; middle restarts it (middle: 1 restart)
    await crash(h, await leafPid());
    await crash(h, await leafPid());
    expect(top.alive).toBe(true);
    // inner gives up again: middle's second restart exceeds its intensity, top restarts middle (top: 1 restart)
    await crash(h, await leafPid());
    await crash(h, await leafPid());
    expect(top.alive).toBe(true);
    expect(h.events('restart').filter((e) => e.child === 'middle')).toHaveLength(1);
    // and once more: middle gives up again, which is top's second restart: top gives up too
    for (let i = 0; i < 4; i++) await crash(h, await leafPid());
    expect(await exited).toBe('shutdown');
    expect(h.rt.processCount).toBe(0);
    expect(log.filter((l) => l.startsWith('terminate:side:'))).toContain('terminate:side:shutdown');
  });
});
