// SUP-05 restart types: permanent always, transient only after an abnormal exit, temporary never (and its spec
// is deleted).
import { describe, expect, it } from 'vitest';
import { restartChild, whichChildren } from '../../../../src/runtime/index.js';
import { harness } from '../../../support/harness.js';
import { crash, exitWith, pidOf, supervise, worker } from './fixtures.js';

describe('restart types', () => {
  it('SUP-05 a permanent child is restarted even after a normal exit', async () => {
    await using h = harness();
    const log: string[] = [];
    const sup = await supervise(h, { children: [worker('p', log)] });
    const p = await pidOf(h, sup, 'p');
    await exitWith(h, p, 'normal');
    const p2 = await pidOf(h, sup, 'p');
    expect(p2).not.toBe(p);
    expect(p2.alive).toBe(true);
    expect(h.events('supervisor_report').map((e) => e.report)).toEqual(['child_terminated']);
  });

  it('SUP-05 a transient child that exits normally is not restarted; its spec is kept', async () => {
    await using h = harness();
    const log: string[] = [];
    const sup = await supervise(h, { children: [worker('t', log, { restart: 'transient' })] });
    await exitWith(h, await pidOf(h, sup, 't'), 'normal');
    expect(await whichChildren(h.rt, sup)).toEqual([{ id: 't', pid: undefined, type: 'worker' }]);
    expect(h.events('restart')).toHaveLength(0);
    expect(h.events('supervisor_report'), 'a clean exit is not reported').toHaveLength(0);
  });

  it('SUP-05 a transient child is not restarted after shutdown or {shutdown: x}', async () => {
    await using h = harness();
    const log: string[] = [];
    const sup = await supervise(h, {
      children: [worker('t1', log, { restart: 'transient' }), worker('t2', log, { restart: 'transient' })],
    });
    await exitWith(h, await pidOf(h, sup, 't1'), 'shutdown');
    await exitWith(h, await pidOf(h, sup, 't2'), { shutdown: 'done' });
    expect((await whichChildren(h.rt, sup)).map((r) => r.pid)).toEqual([undefined, undefined]);
    expect(h.events('restart')).toHaveLength(0);
  });

  it('SUP-05 a transient child is restarted after an abnormal exit', async () => {
    await using h = harness();
    const log: string[] = [];
    const sup = await supervise(h, { children: [worker('t', log, { restart: 'transient' })] });
    const t = await pidOf(h, sup, 't');
    await exitWith(h, t, 'oops');
    const t2 = await pidOf(h, sup, 't');
    expect(t2).not.toBe(t);
    expect(h.events('restart').map((e) => e.child)).toEqual(['t']);
    expect(h.events('supervisor_report')[0]?.detail).toMatchObject({ id: 't', reason: 'oops' });
  });

  it('SUP-05 a temporary child is never restarted and its spec is deleted', async () => {
    await using h = harness();
    const log: string[] = [];
    const sup = await supervise(h, {
      children: [worker('keep', log), worker('tmp', log, { restart: 'temporary' })],
    });
    await crash(h, await pidOf(h, sup, 'tmp'));
    expect((await whichChildren(h.rt, sup)).map((r) => r.id)).toEqual(['keep']);
    expect(await restartChild(h.rt, sup, 'tmp')).toEqual({ ok: false, error: 'not_found' });
    expect(h.events('restart')).toHaveLength(0);
  });

  it("SUP-05 a temporary child stopped by a sibling's death under one_for_all is not restarted", async () => {
    await using h = harness();
    const log: string[] = [];
    const sup = await supervise(h, {
      flags: { strategy: 'one_for_all' },
      children: [worker('a', log, { trap: true }), worker('tmp', log, { restart: 'temporary', trap: true })],
    });
    log.length = 0;
    await crash(h, await pidOf(h, sup, 'a'));
    expect(log).toEqual(['terminate:a:{"crash":"a"}', 'terminate:tmp:shutdown', 'start:a']);
    expect((await whichChildren(h.rt, sup)).map((r) => r.id)).toEqual(['a']);
  });

  it("SUP-05 a temporary child stopped by an earlier sibling's death under rest_for_one is not restarted", async () => {
    await using h = harness();
    const log: string[] = [];
    const sup = await supervise(h, {
      flags: { strategy: 'rest_for_one' },
      children: [worker('a', log), worker('tmp', log, { restart: 'temporary' }), worker('c', log)],
    });
    const tmp = await pidOf(h, sup, 'tmp');
    await crash(h, await pidOf(h, sup, 'a'));
    expect(tmp.alive).toBe(false);
    expect((await whichChildren(h.rt, sup)).map((r) => r.id)).toEqual(['c', 'a']);
  });
});
