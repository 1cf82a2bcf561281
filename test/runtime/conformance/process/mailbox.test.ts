// Bounded mailboxes: `mailbox: { capacity, overflow }` with reject, drop_oldest and drop_newest; refused or
// dropped calls fail with MailboxFull, casts are dropped; statistics().dropped and `drop` trace events count them;
// the runtime's own messages (exit signals, DOWN, stop requests, timers) are never dropped; bad options are
// refused with GOV_BAD_ARGUMENT before anything is started.
import { describe, expect, it } from 'vitest';
import { GovernessError, RuntimeErrors } from '../../../../src/errors/index.js';
import { MailboxFull, link, monitor, type MailboxOptions } from '../../../../src/runtime/index.js';
import { harness } from '../../../support/harness.js';
import { perform, probe, seen, spawn } from './probe.js';

const contents = (h: Parameters<typeof seen>[0], pid: Parameters<typeof seen>[1]) =>
  seen(h, pid).map((s) => s.content);

describe('bounded mailboxes', () => {
  it('reject: a call beyond capacity fails with MailboxFull and a cast is dropped', async () => {
    await using h = harness();
    const p = spawn(h, {}, { mailbox: { capacity: 2, overflow: 'reject' } });
    h.rt.cast(p, 1);
    h.rt.cast(p, 2);
    const refused = h.rt.call(p, { type: 'ping' });
    h.rt.cast(p, 3);
    await expect(refused).rejects.toBeInstanceOf(MailboxFull);
    await expect(refused).rejects.toMatchObject({ code: 'GOV_MAILBOX_FULL', details: { capacity: 2 } });
    await h.settle();
    expect(contents(h, p)).toEqual([1, 2]);
    expect(h.rt.statistics(p).dropped).toBe(2);
    const drops = h.events('drop');
    expect(drops.map((d) => [d.pid, d.policy])).toEqual([
      [p, 'reject'],
      [p, 'reject'],
    ]);
    expect(drops[1]?.message).toEqual({ type: 'cast', content: 3 });
    // Once there is room again, messages are accepted.
    expect(await h.rt.call(p, { type: 'ping' })).toBe('pong');
  });

  it('drop_oldest: the oldest queued message makes room, failing it if it is a call', async () => {
    await using h = harness();
    const p = spawn(h, {}, { mailbox: { capacity: 2, overflow: 'drop_oldest' } });
    h.rt.cast(p, 1);
    const oldCall = h.rt.call(p, { type: 'ping' });
    h.rt.cast(p, 3); // drops 1
    h.rt.cast(p, 4); // drops the call
    await expect(oldCall).rejects.toBeInstanceOf(MailboxFull);
    await h.settle();
    expect(contents(h, p)).toEqual([3, 4]);
    expect(h.rt.statistics(p).dropped).toBe(2);
    expect(h.events('drop').map((d) => d.message)).toEqual([
      { type: 'cast', content: 1 },
      expect.objectContaining({ type: 'call', call: 'ping' }),
    ]);
    expect(h.events('drop').every((d) => d.policy === 'drop_oldest')).toBe(true);
  });

  it('drop_newest: the incoming message is dropped and the queued ones kept', async () => {
    await using h = harness();
    const p = spawn(h, {}, { mailbox: { capacity: 2, overflow: 'drop_newest' } });
    h.rt.cast(p, 1);
    h.rt.cast(p, 2);
    h.rt.cast(p, 3);
    const late = h.rt.call(p, { type: 'ping' });
    await expect(late).rejects.toBeInstanceOf(MailboxFull);
    await h.settle();
    expect(contents(h, p)).toEqual([1, 2]);
    expect(h.rt.statistics(p).dropped).toBe(2);
    expect(h.events('drop').map((d) => d.policy)).toEqual(['drop_newest', 'drop_newest']);
  });

  it('an unbounded mailbox never drops', async () => {
    await using h = harness();
    const p = spawn(h);
    for (let i = 0; i < 10_000; i++) h.rt.cast(p, 'tick');
    await h.settle();
    expect(await h.rt.call(p, { type: 'count' })).toBe(10_000);
    expect(h.rt.statistics(p).dropped).toBe(0);
    expect(h.events('drop')).toEqual([]);
  });

  it('runtime messages (DOWN, EXIT, stop) are never dropped by drop_oldest and do not use up capacity', async () => {
    await using h = harness();
    const w = spawn(h, {}, { trapExit: true, mailbox: { capacity: 1, overflow: 'drop_oldest' } });
    const t1 = spawn(h);
    const t2 = spawn(h);
    perform(h, w, monitor(t1, 'm'), link(t2));
    await h.settle();
    h.rt.exit(t1, 'kill'); // DOWN queued in w's mailbox
    h.rt.exit(t2, 'kill'); // EXIT queued in w's mailbox
    h.rt.cast(w, 'a'); // fits: the runtime's messages do not count
    h.rt.cast(w, 'b'); // drops 'a', the oldest user message
    await h.settle();
    expect(contents(h, w).slice(1)).toEqual([
      { type: 'DOWN', tag: 'm', pid: t1, reason: 'killed' },
      { type: 'EXIT', from: t2, reason: 'killed' },
      'b',
    ]);
    expect(h.rt.statistics(w).dropped).toBe(1);
    // A stop request queued behind a full mailbox still arrives.
    h.rt.cast(w, 'c');
    const stopped = h.rt.stop(w, 'shutdown');
    h.rt.cast(w, 'd');
    h.rt.cast(w, 'e');
    await stopped;
    expect(w.alive).toBe(false);
  });

  it('invalid mailbox options are refused with GOV_BAD_ARGUMENT naming the field, before anything starts', async () => {
    await using h = harness();
    const cases: [unknown, string][] = [
      [{ capacity: 0, overflow: 'reject' }, 'mailbox.capacity'],
      [{ capacity: -1, overflow: 'reject' }, 'mailbox.capacity'],
      [{ capacity: 1.5, overflow: 'reject' }, 'mailbox.capacity'],
      [{ capacity: '10', overflow: 'reject' }, 'mailbox.capacity'],
      [{ capacity: 10, overflow: 'drop' }, 'mailbox.overflow'],
      [{ capacity: 10 }, 'mailbox.overflow'],
      [null, 'mailbox'],
      ['small', 'mailbox'],
    ];
    for (const [mailbox, argument] of cases) {
      let err: unknown;
      try {
        h.rt.start(probe, {}, { name: 'bounded', mailbox: mailbox as MailboxOptions });
      } catch (e) {
        err = e;
      }
      expect(GovernessError.is(err, RuntimeErrors.badArgument), JSON.stringify(mailbox)).toBe(true);
      expect((err as GovernessError).details.argument).toBe(argument);
    }
    expect(h.rt.processCount).toBe(0);
    expect(h.rt.whereis('bounded')).toBeUndefined();
    expect(spawn(h, {}, { name: 'bounded', mailbox: { capacity: 1, overflow: 'reject' } }).alive).toBe(true);
  });
});
