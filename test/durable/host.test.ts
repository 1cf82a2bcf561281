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

const DAY = 86_400_000;

describe.each(STORE_KINDS)('durable timers on %s', (kind) => {
  it('a state timeout armed before a restart fires after it, once, with its lateness in the receipt', async (ctx) => {
    await using f = await openDurableOrSkip(ctx, kind, { definitions: [counter] });
    await f.host.call(G, { type: 'arm', ms: 30 * DAY });
    await f.host.close();
    // The process is down for 31 days: the timer fell due while nothing ran.
    await f.clock.advance(31 * DAY);
    await f.restart();
    await f.host.scanDue();
    await f.settle();
    const got = (await f.host.call(G, { type: 'get' })) as { state: string; data: { fired: number } };
    expect(got).toMatchObject({ state: 'idle', data: { fired: 1 } });
    const receipts = await f.host.ledger.readLedger(G);
    const fired = receipts.filter((r) => r.receipt.event.type === 'state_timeout');
    expect(fired).toHaveLength(1);
    expect(fired[0]?.receipt.metadata).toMatchObject({ timer_gen: 1, timer_late_ms: DAY });
  });

  it('two timers overdue at a restart both report their lateness (the second is not re-stamped by the first)', async (ctx) => {
    await using f = await openDurableOrSkip(ctx, kind, { definitions: [counter] });
    await f.host.call(G, { type: 'arm', ms: 30 * DAY });
    await f.host.call(G, { type: 'cycle', ms: 30 * DAY });
    await f.host.close();
    await f.clock.advance(31 * DAY);
    await f.restart();
    await f.host.scanDue();
    await f.settle();
    const fired = (await f.host.ledger.readLedger(G)).filter((r) => r.receipt.event.type.endsWith('timeout'));
    expect(fired.map((r) => [r.receipt.event.type, r.receipt.metadata.timer_late_ms])).toEqual([
      ['state_timeout', DAY],
      ['generic_timeout', DAY],
    ]);
  });

  it('a timer of an active governor fires on time (lateness 0) and a recurring timer keeps its slot', async (ctx) => {
    await using f = await openDurableOrSkip(ctx, kind, { definitions: [counter] });
    await f.host.call(G, { type: 'cycle', ms: DAY });
    await f.clock.advance(3 * DAY);
    await f.settle();
    const got = (await f.host.call(G, { type: 'get' })) as { data: { cycles: number } };
    expect(got.data.cycles).toBe(3);
    const fired = (await f.host.ledger.readLedger(G)).filter(
      (r) => r.receipt.event.type === 'generic_timeout',
    );
    expect(fired.map((r) => r.receipt.metadata.timer_late_ms)).toEqual([0, 0, 0]);
    expect(new Set(fired.map((r) => r.receipt.metadata.timer_gen)).size).toBe(3);
  });

  it('a passive governor is activated by the due scanner and its timer fires', async (ctx) => {
    await using f = await openDurableOrSkip(ctx, kind, { definitions: [counter] });
    await f.host.call(G, { type: 'arm', ms: 2 * DAY });
    expect(f.host.passivate(G)).toBe(true);
    expect(f.host.isActive(G)).toBe(false);
    await f.clock.advance(2 * DAY);
    await f.host.scanDue();
    await f.settle();
    expect(f.host.stats().activations).toBe(1);
    const got = (await f.host.call(G, { type: 'get' })) as { state: string; data: { fired: number } };
    expect(got).toMatchObject({ state: 'idle', data: { fired: 1 } });
  });
});

describe.each(STORE_KINDS)('idempotency keys on %s', (kind) => {
  it('applies a keyed call once and answers a retry with the stored reply, also after a restart', async (ctx) => {
    await using f = await openDurableOrSkip(ctx, kind, { definitions: [counter] });
    expect(await f.host.call(G, { type: 'add', n: 5 }, { idempotencyKey: 'k1' })).toBe(5);
    expect(await f.host.call(G, { type: 'add', n: 5 }, { idempotencyKey: 'k1' })).toBe(5);
    await f.restart();
    expect(await f.host.call(G, { type: 'add', n: 5 }, { idempotencyKey: 'k1' })).toBe(5);
    expect(await f.host.call(G, { type: 'add', n: 1 })).toBe(6);
    const keyed = (await f.host.ledger.readLedger(G)).filter((r) => r.receipt.cause.idempotency_key === 'k1');
    expect(keyed).toHaveLength(1);
  });

  it('joins concurrent retries of one key to a single step', async (ctx) => {
    await using f = await openDurableOrSkip(ctx, kind, { definitions: [counter] });
    const all = await Promise.all(
      [1, 2, 3].map(() => f.host.call(G, { type: 'add', n: 4 }, { idempotencyKey: 'same' })),
    );
    expect(all).toEqual([4, 4, 4]);
    expect(await f.host.call(G, { type: 'add', n: 0 })).toBe(4);
  });

  it('refuses a reused key with different content, with a refusal receipt, and leaves the governor alone', async (ctx) => {
    await using f = await openDurableOrSkip(ctx, kind, { definitions: [counter] });
    await f.host.call(G, { type: 'add', n: 1 }, { idempotencyKey: 'k' });
    await expect(f.host.call(G, { type: 'add', n: 2 }, { idempotencyKey: 'k' })).rejects.toMatchObject({
      code: 'GOV_IDEMPOTENCY_CONFLICT',
    });
    const last = (await f.host.ledger.readLedger(G)).at(-1)?.receipt;
    expect(last).toMatchObject({ status: 'refuse', reason: { code: 'durable.idempotency_conflict' } });
    expect(await f.host.call(G, { type: 'add', n: 0 })).toBe(1);
  });

  it('a keyed cast applies once and its retry says duplicate', async (ctx) => {
    await using f = await openDurableOrSkip(ctx, kind, { definitions: [counter] });
    const first = await f.host.cast(G, { type: 'bump', by: 3 }, { idempotencyKey: 'c1' });
    const again = await f.host.cast(G, { type: 'bump', by: 3 }, { idempotencyKey: 'c1' });
    expect(first).toMatchObject({ duplicate: false });
    expect(again).toMatchObject({ duplicate: true, version: first.version });
    expect(await f.host.call(G, { type: 'add', n: 0 })).toBe(3);
  });
});

describe.each(STORE_KINDS)('deferred replies and passivation on %s', (kind) => {
  it('a held call is answered after the governor was restarted, to a retry with the same key', async (ctx) => {
    await using f = await openDurableOrSkip(ctx, kind, { definitions: [counter], callTimeoutMs: 1000 });
    await f.host.call(G, { type: 'add', n: 9 });
    const held = f.host.call(G, { type: 'hold' }, { idempotencyKey: 'h' });
    void held.catch(() => undefined);
    await f.settle();
    await f.restart();
    const retry = f.host.call(G, { type: 'hold' }, { idempotencyKey: 'h' });
    await f.settle();
    expect(await f.host.call(G, { type: 'release' })).toBe('ok');
    expect(await retry).toBe(9);
  });

  it('an idle governor leaves memory after idleMs; a waiting caller pins it', async (ctx) => {
    await using f = await openDurableOrSkip(ctx, kind, {
      definitions: [counter],
      idleMs: 1000,
      sweepMs: 100,
      callTimeoutMs: Infinity,
    });
    const other = 'counter/sku-1/other';
    await f.host.call(other, { type: 'add', n: 1 });
    const held = f.host.call(G, { type: 'hold' });
    await f.clock.advance(5000);
    await f.settle();
    expect(f.host.isActive(other)).toBe(false);
    expect(f.host.isActive(G)).toBe(true);
    await f.host.call(G, { type: 'release' });
    expect(await held).toBe(0);
    await f.clock.advance(5000);
    expect(f.host.isActive(G)).toBe(false);
    expect(await f.host.call(other, { type: 'add', n: 1 })).toBe(2);
  });

  it('keeps at most maxActive governors in memory', async (ctx) => {
    await using f = await openDurableOrSkip(ctx, kind, { definitions: [counter], maxActive: 3 });
    for (let i = 0; i < 10; i++) await f.host.call(`counter/s/t${i}`, { type: 'add', n: i });
    expect(f.host.stats().active).toBeLessThanOrEqual(3);
    for (let i = 0; i < 10; i++) expect(await f.host.call(`counter/s/t${i}`, { type: 'add', n: 0 })).toBe(i);
  });

  it('postponed events survive passivation', async (ctx) => {
    await using f = await openDurableOrSkip(ctx, kind, { definitions: [counter] });
    await f.host.call(G, { type: 'pause' });
    await f.host.cast(G, { type: 'bump', by: 2 });
    expect(f.host.passivate(G)).toBe(true);
    await f.host.call(G, { type: 'resume' });
    await f.settle();
    const got = (await f.host.call(G, { type: 'get' })) as { data: { total: number } };
    expect(got.data.total).toBe(2);
  });
});

describe('host lifecycle', () => {
  it('a caller waiting past its timeout gets GOV_CALL_TIMEOUT; the step still commits and a keyed retry gets it', async (ctx) => {
    await using f = await openDurableOrSkip(ctx, 'memory', { definitions: [counter], callTimeoutMs: 50 });
    await f.host.call(G, { type: 'add', n: 1 });
    const held = expect(f.host.call(G, { type: 'hold' }, { idempotencyKey: 'h1' })).rejects.toMatchObject({
      code: 'GOV_CALL_TIMEOUT',
    });
    await f.clock.advance(60);
    await held;
    const retry = f.host.call(G, { type: 'hold' }, { idempotencyKey: 'h1', timeoutMs: 1000 });
    await f.settle();
    await f.host.call(G, { type: 'release' });
    expect(await retry).toBe(1);
  });

  it('close fails waiting callers with GOV_HOST_CLOSED and refuses new commands', async (ctx) => {
    await using f = await openDurableOrSkip(ctx, 'memory', {
      definitions: [counter],
      callTimeoutMs: Infinity,
    });
    const held = f.host.call(G, { type: 'hold' });
    await f.settle();
    await f.host.close();
    await expect(held).rejects.toMatchObject({ code: 'GOV_HOST_CLOSED' });
    await expect(f.host.call(G, { type: 'get' })).rejects.toMatchObject({ code: 'GOV_HOST_CLOSED' });
  });

  it('a typed governor handle checks requests and replies at compile time', async (ctx) => {
    await using f = await openDurableOrSkip(ctx, 'memory', { definitions: [counter] });
    const c = f.host.governor(counter, 'sku-1', 'tenant-1');
    const total: number = await c.call({ type: 'add', n: 2 });
    expect(total).toBe(2);
    const mistyped = (): Promise<number> =>
      // @ts-expect-error: `add` needs a number `n`
      c.call({ type: 'add', n: 'two' });
    expect(typeof mistyped).toBe('function');
    expect(c.gkey).toBe(G);
  });
});
