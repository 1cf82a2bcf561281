// Effects are data returned with a transition and released after it is applied: castTo/sendTo by pid or by
// registered name (a missing name is dropped quietly, GS-64), and task effects whose outcome comes back as an
// info event without ever crashing the caller.
import { describe, expect, it } from 'vitest';
import { castTo, sendTo, task, type Action, type MachineTypes } from '../../../../src/runtime/index.js';
import { harness } from '../../../support/harness.js';
import { infos, perform, seen, spawn, type ProbeTypes } from './probe.js';

describe('effects released after the transition', () => {
  it('castTo and sendTo by pid arrive as cast and info events, in list order', async () => {
    await using h = harness();
    const a = spawn(h);
    const b = spawn(h);
    perform(h, a, castTo(b, 'first'), sendTo(b, 'second'), castTo(b, 'third'));
    await h.settle();
    expect(seen(h, b)).toEqual([
      { type: 'cast', content: 'first' },
      { type: 'info', content: 'second' },
      { type: 'cast', content: 'third' },
    ]);
  });

  it('an effect is released only after the transition that returned it: the sender transition is traced first', async () => {
    await using h = harness();
    const a = spawn(h);
    const b = spawn(h);
    perform(h, a, castTo(b, 'hello'));
    await h.settle();
    const sent = h.trace.findIndex((e) => e.kind === 'transition' && e.pid === a);
    const received = h.trace.findIndex((e) => e.kind === 'consume' && e.pid === b);
    expect(sent).toBeGreaterThanOrEqual(0);
    expect(received).toBeGreaterThan(sent);
  });

  it('a cast to self is handled after the current event, behind what is already in the mailbox', async () => {
    await using h = harness();
    const a = spawn(h);
    perform(h, a, castTo(a, 'from self'));
    h.rt.cast(a, 'queued before');
    await h.settle();
    expect(seen(h, a).map((s) => s.content)).toEqual([
      { do: [{ type: 'cast', to: a, content: 'from self' }] },
      'queued before',
      'from self',
    ]);
  });

  it('the effects of a transition that crashes are never released', async () => {
    await using h = harness();
    const a = spawn(h);
    const b = spawn(h);
    const bogus = { type: 'no_such_action' } as unknown as Action<MachineTypes>;
    perform(h, a, castTo(b, 'never'), bogus);
    expect(await h.rt.exited(a)).toMatchObject({ error: 'bad_action' });
    await h.settle();
    expect(seen(h, b)).toEqual([]);
  });

  it('castTo and sendTo by registered name, string or structured', async () => {
    await using h = harness();
    const a = spawn(h);
    spawn(h, {}, { name: 'billing' });
    spawn(h, {}, { name: ['governor', 'sku-1', 'tenant-9'] });
    perform(h, a, castTo('billing', 'c1'), sendTo(['governor', 'sku-1', 'tenant-9'], 'i1'));
    await h.settle();
    const billing = h.rt.whereis<ProbeTypes>('billing');
    const gov = h.rt.whereis<ProbeTypes>(['governor', 'sku-1', 'tenant-9']);
    expect(billing && seen(h, billing)).toEqual([{ type: 'cast', content: 'c1' }]);
    expect(gov && seen(h, gov)).toEqual([{ type: 'info', content: 'i1' }]);
  });

  it('GS-64 castTo/sendTo a missing name or a dead pid is dropped quietly and the sender carries on', async () => {
    await using h = harness();
    const a = spawn(h);
    const dead = spawn(h);
    h.rt.exit(dead, 'kill');
    perform(h, a, castTo('nobody', 1), sendTo(['no', 'such'], 2), castTo(dead, 3));
    await h.settle();
    expect(a.alive).toBe(true);
    expect(await h.rt.call(a, { type: 'ping' })).toBe('pong');
    expect(h.rt.statistics(a).messagesOut).toBe(4);
  });

  it('a task effect delivers { type: task, tag, ok: true, value } as an info event', async () => {
    await using h = harness();
    const a = spawn(h);
    perform(
      h,
      a,
      task('fetch', () => Promise.resolve({ rows: 3 })),
    );
    await h.settle();
    expect(infos(h, a)).toEqual([{ type: 'task', tag: 'fetch', ok: true, value: { rows: 3 } }]);
  });

  it('a rejecting task delivers { ok: false, error } and does not crash the caller', async () => {
    await using h = harness();
    const a = spawn(h);
    const failure = new Error('upstream 503');
    perform(
      h,
      a,
      task({ job: 1 }, () => Promise.reject(failure)),
      task({ job: 2 }, () => {
        throw new TypeError('sync throw');
      }),
    );
    await h.settle();
    expect(a.alive).toBe(true);
    const got = infos(h, a) as { tag: unknown; ok: boolean; error: unknown }[];
    expect(got).toHaveLength(2);
    expect(got.find((t) => (t.tag as { job: number }).job === 1)).toEqual({
      type: 'task',
      tag: { job: 1 },
      ok: false,
      error: failure,
    });
    const second = got.find((t) => (t.tag as { job: number }).job === 2);
    expect(second?.ok).toBe(false);
    expect(second?.error).toBeInstanceOf(TypeError);
  });

  it('a task that finishes after its process exited is dropped quietly', async () => {
    await using h = harness();
    const a = spawn(h);
    let finish: (v: string) => void = () => {};
    perform(
      h,
      a,
      task('slow', () => new Promise<string>((resolve) => (finish = resolve))),
    );
    await h.settle();
    h.rt.cast(a, { stop: 'normal' });
    await h.settle();
    finish('late');
    await h.settle();
    expect(a.alive).toBe(false);
    expect(h.rt.processCount).toBe(0);
  });
});
