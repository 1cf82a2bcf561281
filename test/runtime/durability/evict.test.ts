// R4: rt.evict takes a machine out of memory with the clean reason { shutdown: 'passivated' }: no terminate,
// timers cancelled, callers failed with Exit, links and monitors signalled as for any exit with that reason.
import { describe, expect, it } from 'vitest';
import {
  Exit,
  NoProc,
  PASSIVATED,
  defineMachine,
  initOk,
  keepState,
  link,
  reply,
  type MachineTypes,
  type Pid,
  type StepRecord,
} from '../../../src/runtime/index.js';
import { harness } from '../../support/harness.js';
import { door, type Door } from './door.js';

interface Buddy extends MachineTypes {
  state: 'on';
  data: unknown[];
  calls: { seen: { reply: unknown[] } };
  args: Pid;
}

/** Links to the given pid in init and records what it receives. */
const buddy = defineMachine<Buddy>({
  init: (target) => initOk('on', [], link(target)),
  handleEvent(event, _state, data) {
    if (event.type === 'call') return keepState(data, reply(event.from, data));
    return keepState([...data, event.type === 'info' ? event.content : event]);
  },
});

describe('rt.evict (R4)', () => {
  it('ends the machine with PASSIVATED, without terminate or a commit step, and cancels its timers', async () => {
    await using h = harness();
    let terminated = 0;
    const steps: StepRecord<Door>[] = [];
    const def = { ...door(), terminate: () => void terminated++ };
    const s = h.rt.start(def, null, { commit: (step) => void steps.push(step) });
    if (!s.ok) throw new Error('start failed');
    h.rt.cast(s.pid, { type: 'arm', kind: 'generic', name: 'g', ms: 1_000, content: 'x' });
    await h.settle();
    expect(h.clock.pending()).toBe(1);
    const before = steps.length;
    const exited = h.rt.exited(s.pid);
    h.rt.evict(s.pid);
    expect(await exited).toEqual({ shutdown: 'passivated' });
    expect(PASSIVATED).toEqual({ shutdown: 'passivated' });
    expect(terminated).toBe(0);
    expect(steps).toHaveLength(before);
    expect(h.clock.pending()).toBe(0);
    expect(h.events('exit').at(-1)).toMatchObject({ reason: PASSIVATED, crash: false });
  });

  it('fails waiting callers with Exit carrying the reason', async () => {
    await using h = harness();
    const s = h.rt.start(door(), null);
    if (!s.ok) throw new Error('start failed');
    const held = h.rt.call(s.pid, { type: 'hold' });
    await h.settle();
    h.rt.evict(s.pid);
    await expect(held).rejects.toBeInstanceOf(Exit);
    await expect(held).rejects.toMatchObject({ reason: PASSIVATED });
  });

  it('signals links as a shutdown: a non-trapping buddy exits with it, a trapping one gets EXIT', async () => {
    await using h = harness();
    const s = h.rt.start(door(), null);
    if (!s.ok) throw new Error('start failed');
    const plain = h.rt.start(buddy, s.pid);
    const trapping = h.rt.start(buddy, s.pid, { trapExit: true });
    if (!plain.ok || !trapping.ok) throw new Error('start failed');
    const plainExit = h.rt.exited(plain.pid);
    h.rt.evict(s.pid);
    expect(await plainExit).toEqual(PASSIVATED);
    await h.settle();
    expect(await h.rt.call(trapping.pid, { type: 'seen' })).toEqual([
      { type: 'EXIT', from: s.pid, reason: PASSIVATED },
    ]);
    await h.rt.stop(trapping.pid);
  });

  it('is refused while a commit is in flight, and allowed once it settled', async () => {
    await using h = harness();
    const commits: (() => void)[] = [];
    const s = h.rt.start(door(), null, {
      commit: () => new Promise<void>((resolve) => commits.push(resolve)),
    });
    if (!s.ok) throw new Error('start failed');
    expect(() => h.rt.evict(s.pid)).toThrow(/commit in flight/);
    expect(s.pid.alive).toBe(true);
    commits.shift()?.();
    await h.settle();
    h.rt.evict(s.pid);
    expect(s.pid.alive).toBe(false);
  });

  it('throws NoProc for a process that is gone', async () => {
    await using h = harness();
    const s = h.rt.start(door(), null);
    if (!s.ok) throw new Error('start failed');
    h.rt.evict(s.pid);
    expect(() => h.rt.evict(s.pid)).toThrow(NoProc);
  });

  it('round trip: a snapshot from the last step record restores the machine after eviction', async () => {
    await using h = harness();
    let last: StepRecord<Door> | null = null;
    const commit = (step: StepRecord<Door>) => void (last = step);
    const s = h.rt.start(door(), null, { commit });
    if (!s.ok) throw new Error('start failed');
    h.rt.cast(s.pid, { type: 'note', text: 'kept' });
    h.rt.cast(s.pid, { type: 'arm', kind: 'generic', name: 'g', ms: 1_000, content: 'later' });
    await h.settle();
    const step = last as unknown as StepRecord<Door>;
    h.rt.evict(s.pid);
    const r = h.rt.restore(
      door(),
      {
        state: step.to,
        data: step.data,
        queue: step.pending?.queue ?? [],
        postponed: step.pending?.postponed ?? [],
        timers: step.timers,
      },
      { commit },
    );
    if (!r.ok) throw new Error('restore failed');
    await h.advance(1_000);
    expect(h.rt.getState(r.pid)).toEqual({ state: 'locked', data: ['cast:kept', 'generic:g:later'] });
  });
});
