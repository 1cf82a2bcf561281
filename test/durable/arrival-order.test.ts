// Commands to one governor reach its mailbox in the order they reached the host, keyed or not, whatever their
// reply-row reads take (docs/durable/guarantees.md §4); the turn bookkeeping behind it, on its own.
import { describe, expect, it } from 'vitest';
import { ArrivalOrder } from '../../src/durable/arrival-order.js';
import type { CommandOptions } from '../../src/durable/index.js';
import { openDurableOrSkip, STORE_KINDS } from '../support/durable.js';
import { counter } from './counter.js';

const G = 'counter/sku-1/tenant-1';

describe('ArrivalOrder', () => {
  it('lets a turn go once every earlier turn of its governor delivered or left', async () => {
    const order = new ArrivalOrder();
    const [a, b, c, other] = [order.enter('g'), order.enter('g'), order.enter('g'), order.enter('h')];
    expect(a.ready()).toBeNull();
    expect(other.ready()).toBeNull();
    const went: string[] = [];
    const cReady = c.ready()?.then(() => went.push('c'));
    const bReady = b.ready()?.then(() => went.push('b'));
    // c leaves early (a retry answered from its row, say), b is still waiting for a.
    c.release();
    await Promise.resolve();
    expect(went).toEqual([]);
    a.release();
    await bReady;
    expect(went).toEqual(['b']);
    // A turn taken now waits for b only; c is done already.
    const d = order.enter('g');
    const dReady = d.ready()?.then(() => went.push('d'));
    b.release();
    await Promise.all([cReady, dReady]);
    expect(went).toEqual(['b', 'c', 'd']);
    d.release();
    other.release();
    expect(order.size).toBe(0);
    expect([a, b, c, d].every((t) => t.over)).toBe(true);
  });

  it('ends a long run of turns that delivered nothing in one pass', () => {
    const order = new ArrivalOrder();
    const first = order.enter('g');
    const rest = Array.from({ length: 100_000 }, () => order.enter('g'));
    for (const t of rest) t.release();
    first.release();
    expect(order.size).toBe(0);
    expect(rest.at(-1)?.over).toBe(true);
  });
});

describe.each(STORE_KINDS)('the order commands reach a governor on %s', (kind) => {
  it('is the order they reached the host, keyed or not, calls and casts', async (ctx) => {
    await using f = await openDurableOrSkip(ctx, kind, { definitions: [counter] });
    await f.host.call(G, { type: 'add', n: 0 });
    const sent: Promise<unknown>[] = [];
    for (let i = 0; i < 60; i++) {
      const options: CommandOptions = {
        requestId: `r${i}`,
        ...(i % 3 === 2 ? {} : { idempotencyKey: `k${i}` }),
      };
      sent.push(
        i % 2 === 0
          ? f.host.cast(G, { type: 'bump', by: 1 }, options)
          : f.host.call(G, { type: 'add', n: 1 }, options),
      );
      // Each in a macrotask of its own: their reply-row reads go in separate statements.
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(sent);
    const applied = (await f.host.ledger.readLedger(G, 1, 1000))
      .map((r) => r.receipt.cause.request_id)
      .filter((id): id is string => id !== null);
    expect(applied).toEqual(Array.from({ length: 60 }, (_, i) => `r${i}`));
  });
});
