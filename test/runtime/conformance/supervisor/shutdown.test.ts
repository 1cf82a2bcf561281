// SUP-06 shutdown: brutal_kill, a timeout on virtual time then kill, infinity; terminate runs only in children
// that trap exits; a parent's exit signal stops the supervisor.
import { describe, expect, it } from 'vitest';
import { getChildspec, terminateChild } from '../../../../src/runtime/index.js';
import { harness } from '../../../support/harness.js';
import { pidOf, stubbornStart, supervise, worker } from './fixtures.js';

describe('shutdown', () => {
  it('SUP-06 brutal_kill kills a trapping child at once, without terminate', async () => {
    await using h = harness();
    const log: string[] = [];
    const sup = await supervise(h, { children: [worker('b', log, { trap: true, shutdown: 'brutal_kill' })] });
    const b = await pidOf(h, sup, 'b');
    const down = h.rt.exited(b);
    expect(await terminateChild(h.rt, sup, 'b')).toEqual({ ok: true });
    expect(await down).toBe('killed');
    expect(log).toEqual(['start:b']);
    expect(h.events('supervisor_report'), 'killed is the expected outcome of brutal_kill').toHaveLength(0);
  });

  it('SUP-06 a trapping child that ignores shutdown is killed after the timeout on virtual time', async () => {
    await using h = harness();
    const log: string[] = [];
    const sup = await supervise(h, {
      children: [{ id: 's', shutdown: 3000, start: stubbornStart('s', log) }],
    });
    const s = await pidOf(h, sup, 's');
    const down = h.rt.exited(s);
    const stopping = terminateChild(h.rt, sup, 's');
    await h.advance(2999);
    expect(s.alive, 'still alive 1 ms before the timeout').toBe(true);
    await h.advance(1);
    expect(await down).toBe('killed');
    expect(await stopping).toEqual({ ok: true });
    const report = h.events('supervisor_report').find((e) => e.report === 'shutdown_error');
    expect(report?.detail).toMatchObject({ id: 's', reason: 'killed' });
    expect(h.clock.pending(), 'the shutdown timer is gone').toBe(0);
  });

  it('SUP-06 a child that obeys shutdown before the timeout disarms the timer', async () => {
    await using h = harness();
    const log: string[] = [];
    const sup = await supervise(h, { children: [worker('w', log, { trap: true, shutdown: 60_000 })] });
    expect(await terminateChild(h.rt, sup, 'w')).toEqual({ ok: true });
    expect(log).toEqual(['start:w', 'terminate:w:shutdown']);
    expect(h.clock.pending()).toBe(0);
    expect(h.clock.now()).toBe(0);
  });

  it('SUP-06 infinity waits for ever for a child that ignores shutdown', async () => {
    await using h = harness();
    const log: string[] = [];
    const sup = await supervise(h, {
      children: [{ id: 's', shutdown: 'infinity', start: stubbornStart('s', log) }],
    });
    const s = await pidOf(h, sup, 's');
    const stopped = h.rt.exited(sup);
    void h.rt.stop(sup);
    await h.advance(30 * 24 * 3600 * 1000);
    expect(sup.alive && s.alive, 'after 30 virtual days both are still there').toBe(true);
    h.rt.exit(s, 'kill');
    expect(await stopped).toBe('normal');
  });

  it('SUP-06 a supervisor child defaults to shutdown infinity, a worker to 5000 ms', async () => {
    await using h = harness();
    const log: string[] = [];
    const sup = await supervise(h, {
      children: [
        worker('w', log),
        { id: 's', type: 'supervisor', start: (ctx) => stubbornStart('s', log)(ctx) },
      ],
    });
    const w = await getChildspec(h.rt, sup, 'w');
    const s = await getChildspec(h.rt, sup, 's');
    expect(w.ok && w.spec.shutdown).toBe(5000);
    expect(s.ok && s.spec.shutdown).toBe('infinity');
    expect(w.ok && w.spec.restart).toBe('permanent');
  });

  it('SUP-06 terminate runs on shutdown only in children that trap exits', async () => {
    await using h = harness();
    const log: string[] = [];
    const sup = await supervise(h, {
      children: [worker('plain', log), worker('trapper', log, { trap: true })],
    });
    const plain = await pidOf(h, sup, 'plain');
    const down = h.rt.exited(plain);
    await h.rt.stop(sup);
    expect(await down).toBe('shutdown');
    expect(log).toEqual(['start:plain', 'start:trapper', 'terminate:trapper:shutdown']);
  });

  it("SUP-06 an exit signal from the parent stops the children, then the supervisor exits with the parent's reason", async () => {
    await using h = harness();
    const log: string[] = [];
    const sup = await supervise(h, {
      children: [worker('a', log, { trap: true }), worker('b', log, { trap: true })],
    });
    const exited = h.rt.exited(sup);
    h.rt.exit(sup, { shutdown: 'maintenance' });
    expect(await exited).toEqual({ shutdown: 'maintenance' });
    expect(log.slice(2)).toEqual(['terminate:b:shutdown', 'terminate:a:shutdown']);
  });

  it('SUP-06 an exit signal from a stranger is ignored (the supervisor traps exits)', async () => {
    await using h = harness();
    const log: string[] = [];
    const stranger = await supervise(h, { children: [] });
    const sup = await supervise(h, { children: [worker('a', log)] });
    const a = await pidOf(h, sup, 'a');
    a.proc?.exitSignal(stranger, 'shutdown', false);
    sup.proc?.exitSignal(stranger, 'shutdown', false);
    await h.settle();
    expect(sup.alive).toBe(true);
    expect(a.alive, 'the non-trapping child took the signal').toBe(false);
    expect((await pidOf(h, sup, 'a')).alive, 'and was restarted').toBe(true);
  });
});
