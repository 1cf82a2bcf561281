// R1: a step record shows the events left queued and postponed inside the machine, and names each armed timer
// with an id that stays the same for the same engine timer and changes when the timer is re-armed.
import { describe, expect, it } from 'vitest';
import type { StepRecord } from '../../../src/runtime/index.js';
import { harness } from '../../support/harness.js';
import { door, type Door } from './door.js';

/** A commit hook that records steps and commits each one when the test says so. */
function heldCommits() {
  const steps: StepRecord<Door>[] = [];
  const pending: (() => void)[] = [];
  const hook = (s: StepRecord<Door>) => {
    steps.push(s);
    return new Promise<void>((resolve) => pending.push(resolve));
  };
  const commitAll = () => pending.splice(0).forEach((resolve) => resolve());
  return { steps, hook, commitAll };
}

describe('StepRecord.pending (R1)', () => {
  it('is null when nothing is queued or postponed', async () => {
    await using h = harness();
    const c = heldCommits();
    const s = h.rt.start(door(), null, { commit: c.hook });
    if (!s.ok) throw new Error('start failed');
    c.commitAll();
    h.rt.cast(s.pid, { type: 'note', text: 'x' });
    await h.settle();
    expect(c.steps.map((r) => r.pending)).toEqual([null, null]);
    c.commitAll();
  });

  it('lists inserted events still queued while the step is held, oldest first', async () => {
    await using h = harness();
    const c = heldCommits();
    const s = h.rt.start(door(), null, { commit: c.hook });
    if (!s.ok) throw new Error('start failed');
    c.commitAll();
    h.rt.cast(s.pid, { type: 'insert', items: ['a', 'b'] });
    await h.settle();
    expect(c.steps[1]?.pending).toEqual({
      queue: [
        { type: 'internal', content: 'a' },
        { type: 'internal', content: 'b' },
      ],
      postponed: [],
    });
    c.commitAll();
    await h.settle();
    expect(c.steps[2]?.pending).toEqual({ queue: [{ type: 'internal', content: 'b' }], postponed: [] });
    c.commitAll();
    await h.settle();
    expect(c.steps[3]?.pending).toBeNull();
    // The first record is a copy: the engine draining its queue did not change it.
    expect(c.steps[1]?.pending?.queue).toHaveLength(2);
    c.commitAll();
  });

  it('lists postponed events, and moves them to the queue on a state change', async () => {
    await using h = harness();
    const c = heldCommits();
    const s = h.rt.start(door(), null, { commit: c.hook });
    if (!s.ok) throw new Error('start failed');
    c.commitAll();
    const held = h.rt.call(s.pid, { type: 'hold' });
    await h.settle();
    expect(c.steps[1]?.pending).toEqual({
      queue: [],
      postponed: [expect.objectContaining({ type: 'call', call: 'hold' })],
    });
    c.commitAll();
    const opened = h.rt.call(s.pid, { type: 'open' });
    await h.settle();
    expect(c.steps[2]?.to).toBe('open');
    expect(c.steps[2]?.pending).toEqual({
      queue: [expect.objectContaining({ type: 'call', call: 'hold' })],
      postponed: [],
    });
    c.commitAll();
    await h.settle();
    c.commitAll();
    expect([await opened, await held]).toEqual(['ok', 'held']);
  });
});

describe('StepRecord.timerIds (R1)', () => {
  it('keeps the id of the same engine timer and gives a re-armed timer a new one', async () => {
    await using h = harness();
    const c = heldCommits();
    const s = h.rt.start(door(), null, { commit: c.hook });
    if (!s.ok) throw new Error('start failed');
    const step = async (cast: Door['cast']) => {
      c.commitAll();
      h.rt.cast(s.pid, cast);
      await h.settle();
      const r = c.steps.at(-1) as StepRecord<Door>;
      expect(r.timerIds).toHaveLength(r.timers.length);
      return r;
    };
    const armed = await step({ type: 'arm', kind: 'generic', name: 'g', ms: 1_000, content: 'one' });
    const [g1] = armed.timerIds;
    expect(g1).toBeGreaterThan(0);
    const untouched = await step({ type: 'note', text: 'x' });
    expect(untouched.timerIds).toEqual([g1]);
    const updated = await step({ type: 'update', name: 'g', content: 'two' });
    expect(updated.timerIds).toEqual([g1]);
    expect(updated.timers[0]?.content).toBe('two');
    const rearmed = await step({ type: 'arm', kind: 'generic', name: 'g', ms: 1_000, content: 'three' });
    expect(rearmed.timerIds).toHaveLength(1);
    expect(rearmed.timerIds[0]).not.toBe(g1);
    const both = await step({ type: 'arm', kind: 'state', ms: 500, content: 's' });
    expect(new Set(both.timerIds).size).toBe(2);
    expect(both.timerIds[both.timers.findIndex((t) => t.kind === 'generic_timeout')]).toBe(
      rearmed.timerIds[0],
    );
    c.commitAll();
  });
});
