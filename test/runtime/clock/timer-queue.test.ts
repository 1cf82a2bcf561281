// TimerQueue: the queue behind every Clock — an ordered run plus a 4-ary min-heap — ordered by (due time, arming
// order), with O(1) cancel.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Timer, TimerQueue, type TimerEntry, type TimerTarget } from '../../../src/runtime/clock/index.js';
import { harness } from '../../support/harness.js';

const noop: TimerTarget = { onTimer: () => {} };

function drain(q: TimerQueue): TimerEntry[] {
  const out: TimerEntry[] = [];
  // Every timer in these queues was armed with add(), so each is a TimerEntry.
  for (let e = q.popDue(Infinity); e !== null; e = q.popDue(Infinity)) out.push(e as TimerEntry);
  return out;
}

describe('TimerQueue', () => {
  it('pops in due-time order, equal due times in arming order, only when due', async () => {
    await using _h = harness();
    const q = new TimerQueue();
    q.add(30, noop, 1);
    q.add(10, noop, 2);
    q.add(30, noop, 3);
    q.add(20, noop, 4);
    q.add(10, noop, 5);
    expect(q.size).toBe(5);
    expect(q.nextAt).toBe(10);
    expect(q.popDue(9)).toBeNull();
    expect(drain(q).map((e) => e.token)).toEqual([2, 5, 4, 1, 3]);
    expect(q.size).toBe(0);
    expect(q.nextAt).toBe(Infinity);
  });

  it('remove disarms once; fired, cancelled and foreign handles give false', async () => {
    await using _h = harness();
    const q = new TimerQueue();
    const other = new TimerQueue();
    const a = q.add(1, noop, 0);
    const b = q.add(2, noop, 0);
    const foreign = other.add(1, noop, 0);
    expect(q.remove(b)).toBe(true);
    expect(q.remove(b)).toBe(false);
    expect(q.remove(foreign)).toBe(false);
    expect(q.remove({ at: 1 })).toBe(false);
    expect(q.popDue(5)).toBe(a);
    expect(q.remove(a)).toBe(false);
    expect(other.size).toBe(1);
    other.clear();
    expect(other.remove(foreign)).toBe(false);
  });

  // Scattered due times land mostly in the heap; steps from the previous due time (mostly forward, as timers with
  // one delay are armed) land mostly in the ordered run, with the odd earlier one in the heap.
  it.each([
    ['scattered due times', false],
    ['due times mostly in arming order', true],
  ])(
    'property: random add/remove/pop sequences (%s) pop in (at, seq) order and keep size and nextAt right',
    async (_name, stepped) => {
      await using _h = harness();
      type Op = { op: 'add'; at: number } | { op: 'remove'; pick: number } | { op: 'pop'; now: number };
      const op = fc.oneof(
        {
          weight: 5,
          arbitrary: fc.record({
            op: fc.constant('add' as const),
            at: stepped ? fc.integer({ min: -2, max: 6 }) : fc.integer({ min: -5, max: 40 }),
          }),
        },
        { weight: 3, arbitrary: fc.record({ op: fc.constant('remove' as const), pick: fc.nat() }) },
        {
          weight: 2,
          arbitrary: fc.record({ op: fc.constant('pop' as const), now: fc.integer({ min: -5, max: 40 }) }),
        },
      );
      fc.assert(
        fc.property(fc.array(op as fc.Arbitrary<Op>, { maxLength: 200 }), (ops) => {
          const q = new TimerQueue();
          const all: { e: TimerEntry; at: number; seq: number; live: boolean }[] = [];
          const live = () => all.filter((m) => m.live).sort((x, y) => x.at - y.at || x.seq - y.seq);
          let last = 0;
          for (const o of ops) {
            if (o.op === 'add') {
              const at = stepped ? (last += o.at) : o.at;
              all.push({ e: q.add(at, noop, all.length), at, seq: all.length, live: true });
            } else if (o.op === 'remove') {
              if (all.length === 0) continue;
              const m = all[o.pick % all.length];
              if (m === undefined) continue;
              expect(q.remove(m.e)).toBe(m.live);
              m.live = false;
            } else {
              const head = live()[0];
              const got = q.popDue(stepped ? last + o.now - 20 : o.now);
              const now = stepped ? last + o.now - 20 : o.now;
              if (head === undefined || head.at > now) expect(got).toBeNull();
              else {
                expect(got).toBe(head.e);
                head.live = false;
              }
            }
            const l = live();
            expect(q.size).toBe(l.length);
            expect(q.nextAt).toBe(l[0]?.at ?? Infinity);
          }
          expect(drain(q)).toEqual(live().map((m) => m.e));
        }),
        { numRuns: 300 },
      );
    },
  );

  it('arms and cancels 1,000,000 timers correctly', async () => {
    await using _h = harness();
    const N = 1_000_000;
    const q = new TimerQueue();
    const handles: TimerEntry[] = new Array<TimerEntry>(N);
    let x = 12345;
    const rand = () => (x = (x * 1103515245 + 12345) >>> 0);
    for (let i = 0; i < N; i++) handles[i] = q.add(rand() % 100_000, noop, i);
    expect(q.size).toBe(N);
    // Cancel every odd-numbered timer, in a scattered order.
    let cancelled = 0;
    for (let k = 0; k < N; k++) {
      const i = (k * 7919) % N;
      if (i % 2 === 1) {
        if (!q.remove(handles[i] as TimerEntry)) throw new Error(`cancel ${i} failed`);
        cancelled++;
      }
    }
    expect(cancelled).toBe(N / 2);
    expect(q.size).toBe(N / 2);
    let prevAt = -Infinity;
    let prevSeq = -1;
    let popped = 0;
    for (let t = q.popDue(Infinity); t !== null; t = q.popDue(Infinity)) {
      const e = t as TimerEntry;
      if (e.token % 2 === 1) throw new Error(`cancelled timer ${e.token} fired`);
      if (e.at < prevAt || (e.at === prevAt && e.token < prevSeq))
        throw new Error(`out of order at ${popped}`);
      prevAt = e.at;
      prevSeq = e.token;
      popped++;
    }
    expect(popped).toBe(N / 2);
    expect(q.size).toBe(0);
  });

  it('cancelled entries are dropped as they accumulate: the queue stays within twice the armed timers', async () => {
    await using _h = harness();
    const q = new TimerQueue();
    // Entries held, stale ones included: the heap's and the ordered run's.
    const heapLength = (): number =>
      (Reflect.get(q, 'items') as unknown[]).length + (Reflect.get(q, 'run') as { length: number }).length;
    // A long timer re-armed on every event, as an event timeout is: each arm cancels the previous one.
    let armed = q.add(1_000_000, noop, 0);
    q.add(500_000, noop, -1);
    let most = 0;
    for (let i = 1; i <= 100_000; i++) {
      if (!q.remove(armed)) throw new Error(`cancel ${i} failed`);
      armed = q.add(1_000_000 + i, noop, i);
      most = Math.max(most, heapLength());
    }
    expect(q.size).toBe(2);
    expect(most).toBeLessThanOrEqual(2 * 1024 + 4);
    expect(q.nextAt).toBe(500_000);
    expect(drain(q).map((e) => e.token)).toEqual([-1, 100_000]);
  });

  it('a cancelled timer object armed again fires once, at its new time', async () => {
    await using _h = harness();
    class Once extends Timer {
      fired = 0;
      fire(): void {
        this.fired++;
      }
    }
    const q = new TimerQueue();
    const t = new Once(10);
    const other = q.add(20, noop, 1);
    q.insert(t);
    expect(q.remove(t)).toBe(true);
    q.insert(t); // same object, same due time: only the new entry counts
    expect(q.size).toBe(2);
    const popped: Timer[] = [];
    for (let e = q.popDue(Infinity); e !== null; e = q.popDue(Infinity)) popped.push(e);
    expect(popped).toEqual([t, other]);
    expect(q.remove(t)).toBe(false);
  });
});
