// SUP-07 significant children and auto_shutdown.
import { describe, expect, it } from 'vitest';
import { startChild, type Pid } from '../../../../src/runtime/index.js';
import { harness } from '../../../support/harness.js';
import { crash, exitWith, pidOf, supervise, worker } from './fixtures.js';

describe('significant children and auto_shutdown', () => {
  it('SUP-07 any_significant: a transient significant child exiting normally shuts the supervisor down', async () => {
    await using h = harness();
    const log: string[] = [];
    const sup = await supervise(h, {
      flags: { autoShutdown: 'any_significant' },
      children: [
        worker('other', log, { trap: true }),
        worker('sig', log, { restart: 'transient', significant: true }),
      ],
    });
    const exited = h.rt.exited(sup);
    await exitWith(h, await pidOf(h, sup, 'sig'), 'normal');
    expect(await exited).toBe('shutdown');
    expect(log).toContain('terminate:other:shutdown');
    expect(h.events('supervisor_report').map((e) => e.report)).toEqual(['auto_shutdown']);
  });

  it('SUP-07 a transient significant child that crashes is restarted, not a reason to shut down', async () => {
    await using h = harness();
    const log: string[] = [];
    const sup = await supervise(h, {
      flags: { autoShutdown: 'any_significant' },
      children: [worker('sig', log, { restart: 'transient', significant: true })],
    });
    const sig = await pidOf(h, sup, 'sig');
    await crash(h, sig);
    expect(sup.alive).toBe(true);
    expect(await pidOf(h, sup, 'sig')).not.toBe(sig);
  });

  it('SUP-07 a temporary significant child exiting for any reason triggers any_significant', async () => {
    await using h = harness();
    const log: string[] = [];
    const sup = await supervise(h, {
      flags: { autoShutdown: 'any_significant' },
      children: [worker('tmp', log, { restart: 'temporary', significant: true })],
    });
    const exited = h.rt.exited(sup);
    await crash(h, await pidOf(h, sup, 'tmp'));
    expect(await exited).toBe('shutdown');
  });

  it('SUP-07 all_significant waits for the last significant child', async () => {
    await using h = harness();
    const log: string[] = [];
    const sup = await supervise(h, {
      flags: { autoShutdown: 'all_significant' },
      children: [
        worker('s1', log, { restart: 'transient', significant: true }),
        worker('s2', log, { restart: 'temporary', significant: true }),
        worker('plain', log, { restart: 'transient' }),
      ],
    });
    const exited = h.rt.exited(sup);
    await exitWith(h, await pidOf(h, sup, 's1'), 'normal');
    await exitWith(h, await pidOf(h, sup, 'plain'), 'normal');
    expect(sup.alive, 's2 is still running').toBe(true);
    await exitWith(h, await pidOf(h, sup, 's2'), { shutdown: 'bye' });
    expect(await exited).toBe('shutdown');
  });

  it('SUP-07 a non-significant child never triggers auto_shutdown', async () => {
    await using h = harness();
    const log: string[] = [];
    const sup = await supervise(h, {
      flags: { autoShutdown: 'any_significant' },
      children: [worker('t', log, { restart: 'transient' }), worker('tmp', log, { restart: 'temporary' })],
    });
    await exitWith(h, await pidOf(h, sup, 't'), 'normal');
    await crash(h, await pidOf(h, sup, 'tmp'));
    expect(sup.alive).toBe(true);
  });

  it('SUP-07 all_significant under simple_one_for_one ends when the last dynamic child is gone', async () => {
    await using h = harness();
    const log: string[] = [];
    const sup = await supervise(h, {
      flags: { strategy: 'simple_one_for_one', autoShutdown: 'all_significant' },
      children: [worker('d', log, { restart: 'temporary', significant: true })],
    });
    const pids = await Promise.all([startChild(h.rt, sup, []), startChild(h.rt, sup, [])]);
    const exited = h.rt.exited(sup);
    await exitWith(h, (pids[0] as { pid: Pid }).pid, 'normal');
    expect(sup.alive).toBe(true);
    await exitWith(h, (pids[1] as { pid: Pid }).pid, 'normal');
    expect(await exited).toBe('shutdown');
  });
});
