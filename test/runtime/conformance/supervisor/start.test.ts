// SUP-08 the child start contract: start functions link and return a StartResult; `ignore` keeps the spec with no
// pid (unless temporary); a failure during start stops the children already started and fails the start.
import { describe, expect, it } from 'vitest';
import {
  startSupervisor,
  supervisorChild,
  whichChildren,
  type ChildSpec,
} from '../../../../src/runtime/index.js';
import { harness } from '../../../support/harness.js';
import { control, pidOf, stubbornStart, supervise, worker, workerDef } from './fixtures.js';

describe('starting', () => {
  it('SUP-08 a child failing at start stops the started ones in reverse order and fails with {shutdown}', async () => {
    await using h = harness();
    const log: string[] = [];
    const ctl = control();
    ctl.failStarts = 1;
    const r = await startSupervisor(h.rt, {
      children: [
        worker('a', log, { trap: true }),
        worker('b', log, { trap: true }),
        worker('c', log, { ctl }),
        worker('d', log),
      ],
    });
    expect(r).toEqual({
      ok: false,
      reason: { error: { shutdown: { failed_to_start_child: 'c', reason: 'boom' } } },
    });
    expect(log).toEqual(['start:a', 'start:b', 'failed:c', 'terminate:b:shutdown', 'terminate:a:shutdown']);
    expect(h.rt.processCount).toBe(0);
    const report = h.events('supervisor_report').find((e) => e.report === 'start_error');
    expect(report?.detail).toMatchObject({ id: 'c', reason: 'boom' });
  });

  it('SUP-08 start rollback honours each child shutdown on virtual time', async () => {
    await using h = harness();
    const log: string[] = [];
    const ctl = control();
    ctl.failStarts = 1;
    const pending = startSupervisor(h.rt, {
      children: [{ id: 's', shutdown: 2000, start: stubbornStart('s', log) }, worker('x', log, { ctl })],
    });
    await h.advance(1999);
    expect(h.rt.processCount, 'supervisor and stubborn child still there').toBe(2);
    await h.advance(1);
    const r = await pending;
    expect(r.ok).toBe(false);
    expect(h.rt.processCount).toBe(0);
  });

  it('SUP-08 a start function that throws or returns garbage is a start failure', async () => {
    await using h = harness();
    const throwing: ChildSpec = {
      id: 't',
      start: () => {
        throw new Error('nope');
      },
    };
    const r1 = await startSupervisor(h.rt, { children: [throwing] });
    expect(r1.ok === false && JSON.stringify(r1.reason)).toContain('failed_to_start_child');
    const garbage: ChildSpec = { id: 'g', start: () => 42 as never };
    const r2 = await startSupervisor(h.rt, { children: [garbage] });
    expect(r2).toEqual({
      ok: false,
      reason: { error: { shutdown: { failed_to_start_child: 'g', reason: { bad_start_return: 42 } } } },
    });
  });

  it('SUP-08 ignore keeps a permanent spec with no pid and drops a temporary one', async () => {
    await using h = harness();
    const log: string[] = [];
    const ctl1 = control();
    const ctl2 = control();
    ctl1.ignoreStarts = 1;
    ctl2.ignoreStarts = 1;
    const sup = await supervise(h, {
      children: [worker('p', log, { ctl: ctl1 }), worker('t', log, { ctl: ctl2, restart: 'temporary' })],
    });
    expect(await whichChildren(h.rt, sup)).toEqual([{ id: 'p', pid: undefined, type: 'worker' }]);
  });

  it('SUP-08 a start function that does not link is linked by the supervisor', async () => {
    await using h = harness();
    const log: string[] = [];
    const sup = await supervise(h, {
      children: [{ id: 'u', start: ({ rt }) => rt.start(workerDef, { id: 'u', log, ctl: control() }) }],
    });
    const u = await pidOf(h, sup, 'u');
    h.rt.exit(u, 'kill');
    await h.settle();
    expect((await pidOf(h, sup, 'u')) === u, 'the supervisor saw the exit and restarted it').toBe(false);
  });

  it('SUP-08 a name clash answers already_started with the holder', async () => {
    await using h = harness();
    const first = await supervise(h, { children: [] }, { name: 'root_sup' });
    expect(h.rt.whereis('root_sup')).toBe(first);
    const second = await startSupervisor(h.rt, { children: [] }, { name: 'root_sup' });
    expect(second).toEqual({ ok: false, reason: { already_started: first } });
    expect(h.rt.processCount).toBe(1);
  });

  it('SUP-08 a nested supervisor failing to start fails its parent', async () => {
    await using h = harness();
    const log: string[] = [];
    const ctl = control();
    ctl.failStarts = 1;
    const r = await startSupervisor(h.rt, {
      children: [
        worker('first', log, { trap: true }),
        {
          id: 'inner',
          type: 'supervisor',
          start: supervisorChild({ children: [worker('x', log, { ctl })] }),
        },
      ],
    });
    expect(r).toEqual({
      ok: false,
      reason: {
        error: {
          shutdown: {
            failed_to_start_child: 'inner',
            reason: { shutdown: { failed_to_start_child: 'x', reason: 'boom' } },
          },
        },
      },
    });
    expect(log).toEqual(['start:first', 'failed:x', 'terminate:first:shutdown']);
    expect(h.rt.processCount).toBe(0);
  });
});
