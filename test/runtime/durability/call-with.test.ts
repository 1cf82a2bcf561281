// R3: rt.callWith delivers a call whose reply goes to a given ReplyTarget, typed like rt.call.
import { describe, expect, it } from 'vitest';
import { MailboxFull, RecordingFrom, ReplyTarget, type StepRecord } from '../../../src/runtime/index.js';
import { harness } from '../../support/harness.js';
import { door, type Door } from './door.js';

/** A reply target that also hears when the call was refused. */
class Refusable extends ReplyTarget {
  readonly replies: unknown[] = [];
  readonly failures: Error[] = [];
  deliverReply(value: unknown): void {
    this.replies.push(value);
  }
  fail(error: Error): void {
    this.failures.push(error);
  }
}

describe('rt.callWith (R3)', () => {
  it('sends the reply to the given target, only after the step is committed', async () => {
    await using h = harness();
    const steps: StepRecord<Door>[] = [];
    const commits: (() => void)[] = [];
    const s = h.rt.start(door(), null, {
      commit: (step) => {
        steps.push(step);
        return new Promise<void>((resolve) => commits.push(resolve));
      },
    });
    if (!s.ok) throw new Error('start failed');
    commits.shift()?.();
    const to = new RecordingFrom();
    expect(h.rt.callWith(s.pid, { type: 'open' }, to)).toBe(true);
    await h.settle();
    expect(steps[1]?.event).toMatchObject({ type: 'call', call: 'open', from: to });
    expect(to.replies).toEqual([]);
    commits.shift()?.();
    await h.settle();
    expect(to.replies).toEqual(['ok']);
  });

  it('lets a machine keep the target and answer later (a postponed call)', async () => {
    await using h = harness();
    const s = h.rt.start(door(), null);
    if (!s.ok) throw new Error('start failed');
    const to = new RecordingFrom();
    h.rt.callWith(s.pid, { type: 'hold' }, to);
    await h.settle();
    expect(to.replies).toEqual([]);
    await h.rt.call(s.pid, { type: 'open' });
    await h.settle();
    expect(to.replies).toEqual(['held']);
  });

  it('returns false for a target that does not exist', async () => {
    await using h = harness();
    const s = h.rt.start(door(), null);
    if (!s.ok) throw new Error('start failed');
    await h.rt.stop(s.pid);
    expect(h.rt.callWith(s.pid, { type: 'open' }, new RecordingFrom())).toBe(false);
    expect(h.rt.callWith('nobody', { type: 'open' }, new RecordingFrom())).toBe(false);
  });

  it('returns false and tells a target with fail() when a bounded mailbox refuses the call', async () => {
    await using h = harness();
    const s = h.rt.start(door(), null, { mailbox: { capacity: 1, overflow: 'reject' } });
    if (!s.ok) throw new Error('start failed');
    const first = new Refusable();
    const second = new Refusable();
    expect(h.rt.callWith(s.pid, { type: 'open' }, first)).toBe(true);
    expect(h.rt.callWith(s.pid, { type: 'open' }, second)).toBe(false);
    expect(second.failures[0]).toBeInstanceOf(MailboxFull);
    await h.settle();
    expect(first.replies).toEqual(['ok']);
  });

  it('refuses a replyTo that is not a ReplyTarget', async () => {
    await using h = harness();
    const s = h.rt.start(door(), null);
    if (!s.ok) throw new Error('start failed');
    const notATarget = { deliverReply: () => {} } as unknown as ReplyTarget;
    expect(() => h.rt.callWith(s.pid, { type: 'open' }, notATarget)).toThrow(/replyTo/);
  });

  it('types the request against the machine (compile-time check)', async () => {
    await using h = harness();
    const s = h.rt.start(door(), null);
    if (!s.ok) throw new Error('start failed');
    // @ts-expect-error: 'close' is not a call of the door
    expect(h.rt.callWith(s.pid, { type: 'close' }, new RecordingFrom())).toBe(true);
    await h.settle(); // delivered as it stands: the locked door postpones it, so the leak check is off
    h.checkLeaks = false;
    h.rt.exit(s.pid, 'kill');
  });
});
