// The durable host on every store: steps commit before replies, state and timers survive a restart, keyed
// commands apply once, deferred replies survive passivation, idle governors leave memory.
import { describe, expect, it } from 'vitest';
import { openDurableOrSkip, STORE_KINDS } from '../support/durable.js';
import { counter } from './counter.js';

const G = 'counter/sku-1/tenant-1';

describe.each(STORE_KINDS)('durable host on %s', (kind) => {
  it('creates a governor on its first command and answers after commit', async (ctx) => {
    await using f = await openDurableOrSkip(ctx, kind, { definitions: [counter] });
    const c = f.host.governor(counter, 'sku-1', 'tenant-1');
    expect(await c.call({ type: 'add', n: 2 })).toBe(2);
    expect(await c.call({ type: 'add', n: 3 })).toBe(5);
    const row = await f.host.ledger.readLedger(G);
    expect(row.map((r) => r.receipt.reason.code)).toEqual(['started', 'handled', 'handled']);
    expect(row.map((r) => r.receipt.metadata.durable_version)).toEqual([1, 2, 3]);
  });

  it('keeps state across a restart', async (ctx) => {
    await using f = await openDurableOrSkip(ctx, kind, { definitions: [counter] });
    await f.host.call(G, { type: 'add', n: 7 });
    await f.restart();
    expect(await f.host.call(G, { type: 'add', n: 1 })).toBe(8);
  });
});
