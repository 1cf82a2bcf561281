// Timer rows: mono↔wall conversion, next due time, generations kept per runtime timer id, and the column codec.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeTimerRows,
  encodeTimerRows,
  gensAfterRestore,
  lateMs,
  nextDue,
  restoreTimers,
  timerRows,
  toDueMs,
  toMonotonicAt,
  type TimerRow,
} from '../../src/durable/index.js';
import type { SnapshotTimer } from '../../src/runtime/index.js';
import { expectRefusal } from './refusal.js';

const WALL = 1_700_000_000_000;
const bytesOf = (s: string): Uint8Array => Buffer.from(s, 'utf8');

describe('mono ↔ wall', () => {
  it('rounds a fractional delay up, so a stored timer never fires early', () => {
    expect(toDueMs(1_000.2, 900, WALL)).toBe(WALL + 101);
    expect(toDueMs(1_000, 900, WALL)).toBe(WALL + 100);
  });

  it('stores a zero-time timeout as due now and an overdue timer at its past due time, rounded up', () => {
    expect(toDueMs(900, 900, WALL)).toBe(WALL);
    expect(toDueMs(500, 900, WALL)).toBe(WALL - 400);
    expect(toDueMs(899.7, 900, WALL)).toBe(WALL);
    expect(toDueMs(499.5, 900, WALL)).toBe(WALL - 400);
  });

  it('converts back on a new monotonic origin, never earlier than stored', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1e9, noNaN: true }),
        fc.nat(1e9),
        fc.nat(1e6),
        (delay, now2, gap) => {
          // The delay as the monotonic clock can hold it (`100 + 5e-324` is 100).
          const at0 = 100 + delay;
          const dueMs = toDueMs(at0, 100, WALL);
          // After a restart `gap` ms later the monotonic clock reads `now2`: the timer is due in (dueMs - wall) ms.
          const at = toMonotonicAt(dueMs, now2, WALL + gap);
          expect(at - now2).toBe(dueMs - (WALL + gap));
          expect(dueMs - WALL).toBeGreaterThanOrEqual(at0 - 100);
          expect(dueMs - WALL - (at0 - 100)).toBeLessThan(1);
        },
      ),
      // A delay that vanished when added to the wall time (found by this property).
      { examples: [[7.105427357601003e-15, 0, 0]] },
    );
  });

  it('reports lateness, never negative', () => {
    expect(lateMs(WALL, WALL + 250)).toBe(250);
    expect(lateMs(WALL + 10, WALL)).toBe(0);
  });
});

describe('nextDue', () => {
  it('is the smallest dueMs, null without timers', () => {
    expect(nextDue([])).toBeNull();
    const rows: TimerRow[] = [
      { kind: 'state_timeout', dueMs: 30, gen: 1, content: null },
      { kind: 'generic_timeout', name: 'a', dueMs: 10, gen: 2, content: null },
      { kind: 'timeout', dueMs: 20, gen: 3, content: null },
    ];
    expect(nextDue(rows)).toBe(10);
  });
});

describe('generations', () => {
  const st: SnapshotTimer = { kind: 'state_timeout', at: 1_100, content: 'st' };
  const cycle: SnapshotTimer = { kind: 'generic_timeout', name: 'cycle', at: 5_000, content: { slot: 1 } };

  it('numbers new timers after timerGen and keeps the gen of the same runtime timer', () => {
    const first = timerRows({ timers: [st, cycle], timerIds: [11, 12] }, new Map(), 4, 1_000, WALL);
    expect(first.rows).toEqual([
      { kind: 'state_timeout', dueMs: WALL + 100, gen: 5, content: 'st' },
      { kind: 'generic_timeout', name: 'cycle', dueMs: WALL + 4_000, gen: 6, content: { slot: 1 } },
    ]);
    expect(first.timerGen).toBe(6);
    // Next step: the cycle timer kept running (same id, new content), the state timeout was re-armed (new id).
    const second = timerRows(
      { timers: [{ ...cycle, content: { slot: 2 } }, st], timerIds: [12, 13] },
      first.gens,
      first.timerGen,
      1_050,
      WALL + 50,
    );
    expect(second.rows.map((r) => r.gen)).toEqual([6, 7]);
    expect(second.timerGen).toBe(7);
    expect([...second.gens]).toEqual([
      [12, 6],
      [13, 7],
    ]);
  });

  it('keeps the stored due time of a kept timer, also when it is overdue and still queued', () => {
    // Restored a day late: the overdue timer (id 21, gen 3) waits in the queue behind another step; that step's
    // row must keep its real due time, or the firing receipt would report it 0 ms late.
    const stored: TimerRow[] = [
      { kind: 'generic_timeout', name: 'cycle', dueMs: WALL - 86_400_000, gen: 3, content: 1 },
    ];
    const overdue: SnapshotTimer = { kind: 'generic_timeout', name: 'cycle', at: -86_399_000, content: 1 };
    const fresh: SnapshotTimer = { kind: 'state_timeout', at: 1_500, content: 'st' };
    const r = timerRows(
      { timers: [overdue, fresh], timerIds: [21, 22] },
      new Map([[21, 3]]),
      3,
      1_000,
      WALL,
      stored,
    );
    expect(r.rows).toEqual([
      { kind: 'generic_timeout', name: 'cycle', dueMs: WALL - 86_400_000, gen: 3, content: 1 },
      { kind: 'state_timeout', dueMs: WALL + 500, gen: 4, content: 'st' },
    ]);
  });

  it('with no timers, keeps timerGen and forgets every id', () => {
    const r = timerRows({ timers: [], timerIds: [] }, new Map([[1, 3]]), 3, 0, WALL);
    expect(r).toEqual({ rows: [], timerGen: 3, gens: new Map() });
  });

  it('refuses ids that do not match the timers', () => {
    expectRefusal(() => timerRows({ timers: [st], timerIds: [] }, new Map(), 0, 0, WALL), 'timerIds');
    expectRefusal(
      () => gensAfterRestore([{ kind: 'timeout', dueMs: 1, gen: 1, content: 0 }], []),
      'timerIds',
    );
  });

  it('restores timers on the new clock and maps the restored ids to the stored gens', () => {
    const rows: TimerRow[] = [
      { kind: 'generic_timeout', name: 'cycle', dueMs: WALL + 4_000, gen: 6, content: { slot: 1 } },
      { kind: 'timeout', dueMs: WALL - 10, gen: 9, content: null },
    ];
    expect(restoreTimers(rows, 20, WALL)).toEqual([
      { kind: 'generic_timeout', name: 'cycle', at: 4_020, content: { slot: 1 } },
      { kind: 'timeout', at: 10, content: null },
    ]);
    expect([...gensAfterRestore(rows, [70, 71])]).toEqual([
      [70, 6],
      [71, 9],
    ]);
  });
});

describe('timers column', () => {
  it('round-trips rows as canonical bytes', () => {
    const rows: TimerRow[] = [
      { kind: 'generic_timeout', name: 'cycle', dueMs: WALL, gen: 2, content: { slot: 1 } },
      { kind: 'state_timeout', dueMs: WALL + 5, gen: 3, content: 'x' },
    ];
    const bytes = encodeTimerRows(rows);
    expect(Buffer.from(bytes).toString('utf8')).toBe(
      `[{"content":{"slot":1},"dueMs":${WALL},"gen":2,"kind":"generic_timeout","name":"cycle"},` +
        `{"content":"x","dueMs":${WALL + 5},"gen":3,"kind":"state_timeout"}]`,
    );
    expect(decodeTimerRows(bytes)).toEqual(rows);
  });

  it('refuses content that cannot be stored, naming it', () => {
    expectRefusal(
      () => encodeTimerRows([{ kind: 'timeout', dueMs: 1, gen: 1, content: { at: 0.5 } }]),
      'timers[0].content.at',
    );
  });

  it.each([
    ['{}', 'timers'],
    ['[1]', 'timers[0]'],
    ['[{"content":0,"dueMs":1,"gen":1,"kind":"later"}]', 'timers[0].kind'],
    ['[{"content":0,"dueMs":1,"gen":1,"kind":"generic_timeout"}]', 'timers[0].name'],
    ['[{"content":0,"dueMs":1,"gen":1,"kind":"timeout","name":"x"}]', 'timers[0].name'],
    ['[{"content":0,"dueMs":1.5,"gen":1,"kind":"timeout"}]', 'timers[0].dueMs'],
    ['[{"dueMs":1,"gen":1,"kind":"timeout"}]', 'timers[0].content'],
    ['[{"content":0,"dueMs":1,"gen":1,"kind":"timeout","x":1}]', 'timers[0].x'],
    [
      '[{"content":0,"dueMs":1,"gen":1,"kind":"timeout"},{"content":0,"dueMs":1,"gen":1,"kind":"state_timeout"}]',
      'timers[1].gen',
    ],
    [
      '[{"content":0,"dueMs":1,"gen":1,"kind":"timeout"},{"content":0,"dueMs":1,"gen":2,"kind":"timeout"}]',
      'timers[1]',
    ],
  ])('decode refuses %s naming %s', (text, field) => {
    expectRefusal(() => decodeTimerRows(bytesOf(text)), field);
  });
});
