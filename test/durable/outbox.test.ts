// Effects leaving a governor: a cast to another governor is applied exactly once, after the sender's step is
// committed, also when the host restarts before delivering it; an external handler runs with the delivery's
// idempotency key and its result comes back as a cast; an undeliverable effect leaves a refusal receipt.
import { describe, expect, it } from 'vitest';
import { openDurableOrSkip, STORE_KINDS } from '../support/durable.js';
import { counter } from './counter.js';

const A = 'counter/sku-1/a';
const B = 'counter/sku-1/b';

describe.each(STORE_KINDS)('durable outbox on %s', (kind) => {
  it('a cast to another governor is applied once, keyed by the sending step', async (ctx) => {
    await using f = await openDurableOrSkip(ctx, kind, { definitions: [counter] });
    expect(await f.host.call(A, { type: 'forward', to: B, by: 5 })).toBe('sent');
    await f.settle();
    expect(await f.host.call(B, { type: 'add', n: 0 })).toBe(5);
    const at = (await f.host.ledger.readLedger(B)).find((r) => r.receipt.event.summary === 'cast bump');
    expect(at?.receipt.cause.idempotency_key).toBe(`${A}:2:1`);
    await f.restart();
    await f.settle();
    expect(await f.host.call(B, { type: 'add', n: 0 })).toBe(5);
  });

  it('an external effect not finished before a restart runs again with the same key, and its result lands once', async (ctx) => {
    const calls: string[] = [];
    await using f = await openDurableOrSkip(ctx, kind, {
      definitions: [counter],
      handlers: { double: () => new Promise(() => undefined) },
    });
    await f.host.call(A, { type: 'ask', x: 21 });
    await f.restart({
      handlers: {
        double: async (payload, key) => {
          calls.push(key);
          return (payload as { x: number }).x * 2;
        },
      },
    });
    await f.settle();
    expect(calls).toEqual([`${A}:2:1`]);
    const got = (await f.host.call(A, { type: 'get' })) as { data: { total: number; casts: number } };
    expect(got.data).toMatchObject({ total: 42, casts: 1 });
    await f.restart();
    await f.settle();
    expect(calls).toHaveLength(1);
  });

  it('a cast to a stopped governor is dropped with a refusal receipt on the sender', async (ctx) => {
    await using f = await openDurableOrSkip(ctx, kind, { definitions: [counter] });
    await expect(f.host.call(B, { type: 'halt' })).rejects.toMatchObject({ code: 'GOV_GOVERNOR_STOPPED' });
    await f.host.call(A, { type: 'forward', to: B, by: 1 });
    await f.settle();
    const last = (await f.host.ledger.readLedger(A)).at(-1)?.receipt;
    expect(last).toMatchObject({ status: 'refuse', reason: { code: 'durable.undeliverable' } });
    await f.restart();
    await f.settle();
    expect(
      (await f.host.ledger.readLedger(A)).filter((r) => r.receipt.reason.code === 'durable.undeliverable'),
    ).toHaveLength(1);
  });
});
