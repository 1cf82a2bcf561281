// The durable seam: a commit hook sees every applied step before its effects (replies, casts, sends, tasks) are
// released, and holds the process until the step is committed. The durable layer builds on exactly this.
import { describe, expect, it } from 'vitest';
import {
  Exit,
  castTo,
  defineMachine,
  genericTimeout,
  initOk,
  keepStateAndData,
  nextState,
  reply,
  stateTimeout,
  type MachineTypes,
  type Pid,
  type StepRecord,
} from '../../src/runtime/index.js';
import { harness } from '../support/harness.js';

interface Acct extends MachineTypes {
  state: 'open' | 'frozen';
  data: { balance: number };
  calls: { deposit: { request: { amount: number }; reply: number }; freeze: { reply: 'ok' } };
  cast: { type: 'note'; text: string };
  info: never;
  internal: never;
  timeout: 'review' | 'audit';
  args: { audit: string | null };
}

function account(auditor: { current: Pid | null }) {
  return defineMachine<Acct>({
    init: () => initOk('open', { balance: 0 }, genericTimeout('audit', 60_000, 'audit')),
    handleEvent(event, state, data) {
      if (event.type === 'call' && event.call === 'deposit') {
        const balance = data.balance + event.request.amount;
        const effects =
          auditor.current === null
            ? []
            : [castTo(auditor.current, { type: 'note', text: `+${event.request.amount}` })];
        return nextState(state, { balance }, reply(event.from, balance), ...effects);
      }
      if (event.type === 'call' && event.call === 'freeze') {
        return nextState('frozen', data, reply(event.from, 'ok'), stateTimeout(1_000, 'review'));
      }
      return keepStateAndData();
    },
  });
}

interface Sink extends MachineTypes {
  state: 'on';
  data: string[];
  calls: { notes: { reply: string[] } };
  cast: { type: 'note'; text: string };
  args: null;
}

const sink = defineMachine<Sink>({
  init: () => initOk('on', []),
  handleEvent(event, state, data) {
    if (event.type === 'cast') return nextState(state, [...data, event.content.text]);
    if (event.type === 'call') return keepStateAndData(reply(event.from, data));
    return keepStateAndData();
  },
});

/** A commit hook whose commits the test completes by hand. */
function manualCommits() {
  const steps: StepRecord<Acct>[] = [];
  const pending: { resolve: () => void; reject: (e: Error) => void }[] = [];
  const hook = (s: StepRecord<Acct>) => {
    steps.push(s);
    return new Promise<void>((resolve, reject) => pending.push({ resolve, reject }));
  };
  return { steps, pending, hook };
}

describe('the commit seam (effects only after commit)', () => {
  it('holds a reply until the step is committed', async () => {
    await using h = harness();
    const c = manualCommits();
    const s = h.rt.start(account({ current: null }), { audit: null }, { commit: c.hook });
    if (!s.ok) throw new Error('start failed');
    c.pending.shift()?.resolve(); // the initial step
    let answered: number | undefined;
    const call = h.rt.call(s.pid, { type: 'deposit', amount: 5 }).then((v) => (answered = v));
    await h.settle();
    expect(c.steps).toHaveLength(2);
    expect(answered).toBeUndefined();
    c.pending.shift()?.resolve();
    await call;
    expect(answered).toBe(5);
  });

  it('holds casts to other processes until commit, then releases them in order', async () => {
    await using h = harness();
    const c = manualCommits();
    const sk = h.rt.start(sink, null);
    if (!sk.ok) throw new Error('start failed');
    const s = h.rt.start(account({ current: sk.pid }), { audit: null }, { commit: c.hook });
    if (!s.ok) throw new Error('start failed');
    c.pending.shift()?.resolve();
    const first = h.rt.call(s.pid, { type: 'deposit', amount: 1 });
    await h.settle();
    expect(await h.rt.call(sk.pid, { type: 'notes' })).toEqual([]);
    c.pending.shift()?.resolve();
    await first;
    await h.settle();
    expect(await h.rt.call(sk.pid, { type: 'notes' })).toEqual(['+1']);
  });

  it('handles no further event while a commit is pending', async () => {
    await using h = harness();
    const c = manualCommits();
    const s = h.rt.start(account({ current: null }), { audit: null }, { commit: c.hook });
    if (!s.ok) throw new Error('start failed');
    c.pending.shift()?.resolve();
    const a = h.rt.call(s.pid, { type: 'deposit', amount: 1 });
    const b = h.rt.call(s.pid, { type: 'deposit', amount: 2 });
    await h.settle();
    expect(c.steps).toHaveLength(2); // the second deposit waits for the first commit
    c.pending.shift()?.resolve();
    await h.settle();
    expect(c.steps).toHaveLength(3);
    c.pending.shift()?.resolve();
    expect([await a, await b]).toEqual([1, 3]);
  });

  it('describes each step: event, states, data, armed timers at absolute due times, effects', async () => {
    await using h = harness({ start: 1_000 });
    const c = manualCommits();
    const s = h.rt.start(account({ current: null }), { audit: null }, { commit: c.hook });
    if (!s.ok) throw new Error('start failed');
    c.pending.shift()?.resolve();
    const call = h.rt.call(s.pid, { type: 'freeze' });
    await h.settle();
    const step = c.steps[1];
    expect(step?.from).toBe('open');
    expect(step?.to).toBe('frozen');
    expect(step?.changed).toBe(true);
    expect(step?.event).toMatchObject({ type: 'call', call: 'freeze' });
    expect(step?.data).toEqual({ balance: 0 });
    expect(step?.effects.map((e) => e.type)).toEqual(['reply']);
    expect(step?.timers).toEqual(
      expect.arrayContaining([
        { kind: 'state_timeout', at: 2_000, content: 'review' },
        { kind: 'generic_timeout', name: 'audit', at: 61_000, content: 'audit' },
      ]),
    );
    expect(c.steps[0]?.event).toBeNull(); // the initial transition
    c.pending.shift()?.resolve();
    await call;
  });

  it('a failed commit crashes the process and its caller never hears "ok"', async () => {
    await using h = harness();
    const c = manualCommits();
    const s = h.rt.start(account({ current: null }), { audit: null }, { commit: c.hook });
    if (!s.ok) throw new Error('start failed');
    c.pending.shift()?.resolve();
    const call = h.rt.call(s.pid, { type: 'deposit', amount: 9 });
    const exited = h.rt.exited(s.pid);
    await h.settle();
    c.pending.shift()?.reject(new Error('disk full'));
    await expect(call).rejects.toBeInstanceOf(Exit);
    expect(await exited).toMatchObject({ error: 'exception', message: expect.stringMatching(/disk full/) });
  });

  it('a synchronous commit hook releases effects at once', async () => {
    await using h = harness();
    const seen: string[] = [];
    const s = h.rt.start(
      account({ current: null }),
      { audit: null },
      {
        commit: (step) => void seen.push(`${String(step.from)}->${String(step.to)}`),
      },
    );
    if (!s.ok) throw new Error('start failed');
    expect(await h.rt.call(s.pid, { type: 'deposit', amount: 4 })).toBe(4);
    expect(seen).toEqual(['open->open', 'open->open']);
  });
});
