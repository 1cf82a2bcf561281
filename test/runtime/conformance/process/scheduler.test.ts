// Fair scheduling: bounded slices per process, round robin, and yielding to the event loop, so a flooded process
// neither starves other processes nor host I/O. Assertions are on event order and counts, never on time.
import { describe, expect, it } from 'vitest';
import { harness, type Harness } from '../../../support/harness.js';
import { spawn } from './probe.js';

const FLOOD = 100_000;

/** The trace's consume events, in order. */
const consumes = (h: Harness) => h.trace.flatMap((e) => (e.kind === 'consume' ? [e] : []));

describe('fair scheduling', () => {
  it('a process flooded with 100,000 casts does not starve another: its call is answered long before the flood drains', async () => {
    await using h = harness();
    const flooded = spawn(h);
    const other = spawn(h);
    for (let i = 0; i < FLOOD; i++) h.rt.cast(flooded, 'tick');
    let floodDoneWhenAnswered = -1;
    const answered = h.rt.call(other, { type: 'ping' }, Infinity).then((r) => {
      floodDoneWhenAnswered = h.rt.getState(flooded).data.count;
      return r;
    });
    expect(await answered).toBe('pong');
    expect(floodDoneWhenAnswered).toBeGreaterThanOrEqual(0);
    expect(floodDoneWhenAnswered).toBeLessThan(FLOOD / 10);
    // In the trace, the other process's call is consumed before the flooded process has handled a few slices.
    const consumed = consumes(h);
    const otherAt = consumed.findIndex((e) => e.pid === other);
    expect(otherAt).toBeGreaterThanOrEqual(0);
    expect(consumed.slice(0, otherAt).every((e) => e.pid === flooded)).toBe(true);
    expect(otherAt).toBeLessThanOrEqual(64);
    await h.settle();
    expect(h.rt.getState(flooded).data.count).toBe(FLOOD);
  });

  it('the scheduler yields to I/O: a setImmediate callback queued during the flood runs before the flood finishes', async () => {
    await using h = harness();
    const flooded = spawn(h);
    for (let i = 0; i < FLOOD; i++) h.rt.cast(flooded, 'tick');
    const seenByMacrotask = new Promise<number>((resolve) =>
      setImmediate(() => resolve(h.rt.getState(flooded).data.count)),
    );
    const count = await seenByMacrotask;
    expect(count).toBeLessThan(FLOOD);
    await h.settle();
    expect(h.rt.getState(flooded).data.count).toBe(FLOOD);
  });

  it('yieldEvery bounds the events handled between two macrotasks', async () => {
    await using h = harness({ yieldEvery: 10 });
    const flooded = spawn(h);
    for (let i = 0; i < 100; i++) h.rt.cast(flooded, 'tick');
    const counts: number[] = [];
    for (let turn = 0; turn < 3; turn++) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      counts.push(h.rt.getState(flooded).data.count);
    }
    expect(counts[0]).toBeGreaterThan(0);
    expect(counts[0]).toBeLessThanOrEqual(10);
    expect(counts[2]).toBeLessThan(100);
    await h.settle();
    expect(h.rt.getState(flooded).data.count).toBe(100);
  });

  it('runnable processes take turns in slices: with slice 1 two busy processes strictly alternate', async () => {
    await using h = harness({ slice: 1 });
    const a = spawn(h);
    const b = spawn(h);
    for (let i = 0; i < 4; i++) {
      h.rt.cast(a, 'tick');
      h.rt.cast(b, 'tick');
    }
    await h.settle();
    const order = consumes(h).map((e) => (e.pid === a ? 'a' : 'b'));
    expect(order.join('')).toBe('abababab');
  });

  it('with the default slice of 64 a busy process hands over after 64 events', async () => {
    await using h = harness();
    const a = spawn(h);
    const b = spawn(h);
    for (let i = 0; i < 100; i++) h.rt.cast(a, 'tick');
    for (let i = 0; i < 100; i++) h.rt.cast(b, 'tick');
    await h.settle();
    const order = consumes(h).map((e) => (e.pid === a ? 'a' : 'b'));
    expect(order.join('')).toBe('a'.repeat(64) + 'b'.repeat(64) + 'a'.repeat(36) + 'b'.repeat(36));
  });

  it("a call's round trip runs on microtasks: it resolves before an already queued macrotask", async () => {
    await using h = harness();
    const p = spawn(h);
    let macrotaskRan = false;
    setImmediate(() => {
      macrotaskRan = true;
    });
    expect(await h.rt.call(p, { type: 'ping' })).toBe('pong');
    expect(macrotaskRan).toBe(false);
  });
});
