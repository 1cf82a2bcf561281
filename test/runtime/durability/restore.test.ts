// R2: rt.restore rebuilds a machine from a stored snapshot without init or an enter call; timers come back at
// absolute times, overdue ones fire in due order before any mailbox message; a bad snapshot is refused by name.
import { describe, expect, it } from 'vitest';
import { GovernessError } from '../../../src/errors/index.js';
import {
  RecordingFrom,
  defineMachine,
  genericTimeout,
  initOk,
  keepState,
  type MachineSnapshot,
  type MachineTypes,
  type StepRecord,
} from '../../../src/runtime/index.js';
import { harness } from '../../support/harness.js';
import { door, type Door, type DoorCounters } from './door.js';

const empty: MachineSnapshot<Door> = { state: 'locked', data: [], queue: [], postponed: [], timers: [] };

/** A machine with a recurring generic timeout that re-arms itself at the next slot, as an absolute time. */
interface Ticker extends MachineTypes {
  state: 'on';
  data: string[];
  cast: string;
  timeout: number;
}
const PERIOD = 300;
const ticker = () =>
  defineMachine<Ticker>({
    init: () => initOk('on', []),
    handleEvent(event, _state, data) {
      if (event.type === 'generic_timeout') {
        const slot = event.content;
        return keepState(
          [...data, `tick@${slot}`],
          genericTimeout('tick', slot + PERIOD, slot + PERIOD, { abs: true }),
        );
      }
      if (event.type === 'state_timeout') return keepState([...data, `state@${event.content}`]);
      if (event.type === 'cast' && event.content.startsWith('rearm ')) {
        const at = Number(event.content.slice(6));
        return keepState([...data, `cast:${event.content}`], genericTimeout('tick', at, at, { abs: true }));
      }
      return keepState([...data, event.type === 'cast' ? `cast:${event.content}` : event.type]);
    },
  });
const tickerEmpty: MachineSnapshot<Ticker> = { state: 'on', data: [], queue: [], postponed: [], timers: [] };

describe('rt.restore (R2)', () => {
  it('resumes in the stored state and data without running init or an enter call', async () => {
    await using h = harness();
    const counters: DoorCounters = { inits: 0, enters: 0 };
    const steps: StepRecord<Door>[] = [];
    const r = h.rt.restore(
      door(counters),
      { ...empty, state: 'open', data: ['before'] },
      {
        commit: (s) => void steps.push(s),
      },
    );
    if (!r.ok) throw new Error('restore failed');
    expect(h.rt.getState(r.pid)).toEqual({ state: 'open', data: ['before'] });
    expect(counters).toEqual({ inits: 0, enters: 0 });
    expect(steps).toEqual([]); // a restart is not a step
    expect(await h.rt.call(r.pid, { type: 'hold' })).toBe('held');
    expect(steps).toHaveLength(1);
  });

  it('arms future timers at their absolute times', async () => {
    await using h = harness({ start: 1_000 });
    const r = h.rt.restore(door(), {
      ...empty,
      timers: [{ kind: 'generic_timeout', name: 'bill', at: 5_000, content: 'cycle' }],
    });
    if (!r.ok) throw new Error('restore failed');
    await h.advance(3_999);
    expect(h.rt.getState(r.pid).data).toEqual([]);
    await h.advance(1);
    expect(h.rt.getState(r.pid).data).toEqual(['generic:bill:cycle']);
    expect(h.events('timer_fire').map((e) => e.lateMs)).toEqual([0]);
  });

  it('handles overdue timers in due order, after queued events and before any mailbox message', async () => {
    await using h = harness({ start: 1_000 });
    const r = h.rt.restore(door(), {
      ...empty,
      queue: [{ type: 'internal', content: 'queued' }],
      timers: [
        { kind: 'generic_timeout', name: 'b', at: 300, content: 'x' },
        { kind: 'state_timeout', at: 100, content: 'st' },
        { kind: 'generic_timeout', name: 'a', at: 200, content: 'y' },
        { kind: 'timeout', at: 200, content: 'ev' },
      ],
    });
    if (!r.ok) throw new Error('restore failed');
    h.rt.cast(r.pid, { type: 'note', text: 'activating message' });
    await h.settle();
    // The event timeout is cancelled by the first event handled, as OTP cancels it (even when already fired).
    expect(h.rt.getState(r.pid).data).toEqual([
      'internal:queued',
      'state_timeout:st',
      'generic:a:y',
      'generic:b:x',
      'cast:activating message',
    ]);
    expect(h.events('timer_fire').map((e) => e.lateMs)).toEqual([900, 800, 700]);
  });

  it('a state change while catching up cancels an overdue state timeout, as OTP would', async () => {
    await using h = harness({ start: 1_000 });
    const r = h.rt.restore(door(), {
      ...empty,
      timers: [
        { kind: 'state_timeout', at: 200, content: 'st' },
        { kind: 'generic_timeout', name: 'g', at: 100, content: 'open' },
      ],
    });
    if (!r.ok) throw new Error('restore failed');
    await h.settle();
    expect(h.rt.getState(r.pid)).toEqual({ state: 'open', data: ['generic:g:open'] });
  });

  it('catching up, a timer re-armed at a time already past fires among the overdue ones in due order', async () => {
    await using h = harness({ start: 1_000 });
    const r = h.rt.restore(ticker(), {
      ...tickerEmpty,
      timers: [
        { kind: 'generic_timeout', name: 'tick', at: 100, content: 100 },
        { kind: 'state_timeout', at: 500, content: 500 },
      ],
    });
    if (!r.ok) throw new Error('restore failed');
    h.rt.cast(r.pid, 'activating message');
    await h.settle();
    // Slots 400, 700 and 1000 are armed while catching up and already due: they join the restored timers in due
    // order, where a machine that never stopped would have fired them; the message waits for all of them.
    expect(h.rt.getState(r.pid).data).toEqual([
      'tick@100',
      'tick@400',
      'state@500',
      'tick@700',
      'tick@1000',
      'cast:activating message',
    ]);
    await h.advance(300); // slot 1300 was armed in the future, on the clock
    expect(h.rt.getState(r.pid).data.slice(-1)).toEqual(['tick@1300']);
  });

  it('not catching up, a timer armed at a time already past goes to the clock, behind the mailbox', async () => {
    await using h = harness({ start: 1_000 });
    const r = h.rt.restore(ticker(), tickerEmpty);
    if (!r.ok) throw new Error('restore failed');
    h.rt.cast(r.pid, 'rearm 100');
    h.rt.cast(r.pid, 'later message');
    await h.settle();
    expect(h.rt.getState(r.pid).data).toEqual([
      'cast:rearm 100',
      'cast:later message',
      'tick@100',
      'tick@400',
      'tick@700',
      'tick@1000',
    ]);
  });

  it('a not-yet-due event timeout is cancelled by the activating message', async () => {
    await using h = harness({ start: 1_000 });
    const r = h.rt.restore(door(), { ...empty, timers: [{ kind: 'timeout', at: 2_000, content: 'idle' }] });
    if (!r.ok) throw new Error('restore failed');
    h.rt.cast(r.pid, { type: 'note', text: 'hi' });
    await h.advance(5_000);
    expect(h.rt.getState(r.pid).data).toEqual(['cast:hi']);
  });

  it('retries restored postponed events at the next state change and answers restored calls', async () => {
    await using h = harness();
    const from = new RecordingFrom();
    const hold = { type: 'call', call: 'hold', request: { type: 'hold' }, from } as const;
    const r = h.rt.restore(door(), { ...empty, postponed: [hold as never] });
    if (!r.ok) throw new Error('restore failed');
    await h.settle();
    expect(from.replies).toEqual([]);
    expect(await h.rt.call(r.pid, { type: 'open' })).toBe('ok');
    await h.settle();
    expect(from.replies).toEqual(['held']);
  });

  it('returns the restored timers ids, which the next step record reports for the same timers', async () => {
    await using h = harness();
    const steps: StepRecord<Door>[] = [];
    const r = h.rt.restore(
      door(),
      {
        ...empty,
        timers: [
          { kind: 'state_timeout', at: 9_000, content: 's' },
          { kind: 'generic_timeout', name: 'g', at: 8_000, content: 'g' },
        ],
      },
      { commit: (s) => void steps.push(s) },
    );
    if (!r.ok) throw new Error('restore failed');
    expect(r.timerIds).toHaveLength(2);
    h.rt.cast(r.pid, { type: 'note', text: 'x' });
    await h.settle();
    const step = steps[0] as StepRecord<Door>;
    const idOf = (kind: string) => step.timerIds[step.timers.findIndex((t) => t.kind === kind)];
    expect([idOf('state_timeout'), idOf('generic_timeout')]).toEqual(r.timerIds);
  });

  it('refuses a name in use, like start', async () => {
    await using h = harness();
    const first = h.rt.restore(door(), empty, { name: 'door-1' });
    if (!first.ok) throw new Error('restore failed');
    expect(h.rt.restore(door(), empty, { name: 'door-1' })).toEqual({
      ok: false,
      reason: { already_started: first.pid },
    });
  });

  it.each([
    ['not an object', null, 'snapshot'],
    ['no state', { ...empty, state: undefined }, 'snapshot.state'],
    ['queue not an array', { ...empty, queue: 'x' }, 'snapshot.queue'],
    ['unknown event type', { ...empty, queue: [{ type: 'enter' }] }, 'snapshot.queue[0].type'],
    [
      'call without a reply target',
      { ...empty, postponed: [{ type: 'call', from: {} }] },
      'snapshot.postponed[0].from',
    ],
    [
      'timer time not finite',
      { ...empty, timers: [{ kind: 'timeout', at: Number.NaN }] },
      'snapshot.timers[0].at',
    ],
    [
      'generic timer without name',
      { ...empty, timers: [{ kind: 'generic_timeout', at: 1 }] },
      'snapshot.timers[0].name',
    ],
    ['unknown timer kind', { ...empty, timers: [{ kind: 'alarm', at: 1 }] }, 'snapshot.timers[0].kind'],
    [
      'two state timeouts',
      {
        ...empty,
        timers: [
          { kind: 'state_timeout', at: 1 },
          { kind: 'state_timeout', at: 2 },
        ],
      },
      'snapshot.timers[1]',
    ],
  ])('refuses a bad snapshot (%s) naming the field, and starts nothing', async (_, snapshot, field) => {
    await using h = harness();
    let error: unknown;
    try {
      h.rt.restore(door(), snapshot as unknown as MachineSnapshot<Door>, { name: 'bad' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GovernessError);
    expect(error).toMatchObject({ code: 'GOV_BAD_ARGUMENT', details: { argument: field } });
    expect(h.rt.processCount).toBe(0);
    expect(h.rt.whereis('bad')).toBeUndefined();
  });
});
