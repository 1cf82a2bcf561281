// Bad input at the durable host's boundary and in stored rows: each is refused with an error naming what was
// wrong (and a receipt where one applies); the governor concerned is not corrupted and others keep running.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DurableHost, GOVERNORS_TABLE, encodeTimerRows } from '../../src/durable/index.js';
import { generateSigner, SqliteStore } from '../../src/ledger/index.js';
import { SimulatedClock } from '../../src/runtime/clock/index.js';
import { draft } from '../support/ledger.js';
import { openDurableOrSkip, STORE_KINDS } from '../support/durable.js';
import { counter } from './counter.js';

const G = 'counter/sku-1/tenant-1';
const OTHER = 'counter/sku-1/tenant-2';

/** Overwrites a governor row through the ledger's own side-table write, as a bad migration script would. */
async function writeRow(
  host: DurableHost,
  row: Record<string, string | number | Uint8Array | null>,
): Promise<void> {
  const [kind, sku, tenant] = String(row.gkey).split('/') as [string, string, string];
  await host.ledger.append(
    draft({ governor: kind, sku_id: sku, tenant_id: tenant, reason: { code: 'test.tamper', message: 'x' } }),
    { rows: [{ table: GOVERNORS_TABLE.name, op: 'upsert', row }] },
  );
}

describe('bad commands are refused at the host boundary', () => {
  it.each([
    ['a malformed gkey', 'counter/only-two', { type: 'get' }, {}, 'GOV_BAD_ARGUMENT'],
    ['an unknown kind', 'nope/s/t', { type: 'get' }, {}, 'GOV_UNKNOWN_GOVERNOR'],
    ['a float in the request', G, { type: 'add', n: 0.5 }, {}, 'GOV_BAD_ARGUMENT'],
    ['an empty idempotency key', G, { type: 'add', n: 1 }, { idempotencyKey: '' }, 'GOV_BAD_ARGUMENT'],
    ['a NaN timeout', G, { type: 'add', n: 1 }, { timeoutMs: NaN }, 'GOV_BAD_ARGUMENT'],
    ['a negative timeout', G, { type: 'add', n: 1 }, { timeoutMs: -5 }, 'GOV_BAD_ARGUMENT'],
    [
      'a 257-character key',
      G,
      { type: 'add', n: 1 },
      { idempotencyKey: 'k'.repeat(257) },
      'GOV_BAD_ARGUMENT',
    ],
  ])('%s', async (_name, gkey, request, options, code) => {
    await using f = await openDurableOrSkip({ skip: () => undefined }, 'memory', { definitions: [counter] });
    await expect(f.host.call(gkey, request, options)).rejects.toMatchObject({ code });
    expect(f.host.stats().created).toBe(0);
  });

  it('names the bad field of a request', async () => {
    await using f = await openDurableOrSkip({ skip: () => undefined }, 'memory', { definitions: [counter] });
    await expect(f.host.call(G, { type: 'add', n: 0.5 })).rejects.toMatchObject({
      details: { argument: 'request.n' },
    });
  });

  it('refuses a cast that is not an object, and a call to a governor that must already exist', async () => {
    await using f = await openDurableOrSkip({ skip: () => undefined }, 'memory', { definitions: [counter] });
    await expect(f.host.cast(G, 7)).rejects.toMatchObject({ code: 'GOV_BAD_ARGUMENT' });
    await expect(f.host.call(G, { type: 'get' }, { create: false })).rejects.toMatchObject({
      code: 'GOV_GOVERNOR_NOT_FOUND',
    });
  });
});

describe('bad host options are refused before anything is opened', () => {
  it.each([
    ['idleMs', { idleMs: -1 }],
    ['maxActive', { maxActive: 0 }],
    ['sweepMs', { sweepMs: 0 }],
    ['sweepMs', { sweepMs: 0.5 }],
    ['callTimeoutMs', { callTimeoutMs: NaN }],
    ['scan.intervalMs', { scan: { intervalMs: 0 } }],
    ['scan.page', { scan: { page: 2.5 } }],
    ['scan.horizonMs', { scan: { horizonMs: -1 } }],
    ['scan.concurrency', { scan: { concurrency: '4' as unknown as number } }],
  ])('%s: %j', async (argument, options) => {
    const path = join(mkdtempSync(join(tmpdir(), 'gov-bad-options-')), 'ledger.sqlite');
    const opened = DurableHost.open({
      store: new SqliteStore({ path }),
      clock: new SimulatedClock(),
      signer: generateSigner('governess.test/bad-options').signer,
      definitions: [counter],
      ...options,
    });
    await expect(opened).rejects.toMatchObject({ code: 'GOV_BAD_ARGUMENT', details: { argument } });
    expect(existsSync(path), 'no database file was made').toBe(false);
    rmSync(dirname(path), { recursive: true, force: true });
  });
});

describe.each(STORE_KINDS)('bad stored rows on %s', (kind) => {
  it('a snapshot that does not decode quarantines that governor only, with a receipt', async (ctx) => {
    await using f = await openDurableOrSkip(ctx, kind, { definitions: [counter] });
    await f.host.call(G, { type: 'add', n: 1 });
    await f.host.call(OTHER, { type: 'add', n: 1 });
    f.host.passivateAll();
    const stored = await f.host.storedGovernor(G);
    await writeRow(f.host, {
      gkey: G,
      version: stored?.version ?? 0,
      data_ver: 0,
      snapshot: Buffer.from('{"data":1.5}'),
      timers: encodeTimerRows([]),
      next_due_ms: null,
      status: 'live',
      epoch: 0,
    });
    await expect(f.host.call(G, { type: 'add', n: 1 })).rejects.toMatchObject({
      code: 'GOV_SNAPSHOT_INVALID',
      details: { gkey: G },
    });
    await expect(f.host.call(G, { type: 'add', n: 1 })).rejects.toMatchObject({
      code: 'GOV_GOVERNOR_QUARANTINED',
    });
    expect(await f.host.call(OTHER, { type: 'add', n: 1 })).toBe(2);
    const last = (await f.host.ledger.readLedger(G)).at(-1)?.receipt;
    expect(last).toMatchObject({ status: 'refuse', reason: { code: 'durable.load_failed' } });
  });

  it('a due timer row of an unknown governor kind gets one refusal receipt, not a hot loop', async (ctx) => {
    await using f = await openDurableOrSkip(ctx, kind, { definitions: [counter] });
    await f.host.call(G, { type: 'add', n: 1 });
    const due = f.clock.wallNow() - 1000;
    await writeRow(f.host, {
      gkey: 'ghost/sku-1/tenant-1',
      version: 1,
      data_ver: 0,
      snapshot: Buffer.from('{}'),
      timers: encodeTimerRows([{ kind: 'state_timeout', dueMs: due, gen: 1, content: null }]),
      next_due_ms: due,
      status: 'live',
      epoch: 0,
    });
    await f.host.scanDue();
    await f.host.scanDue();
    await f.settle();
    const refusals = (await f.host.ledger.readLedger('ghost/sku-1/tenant-1')).filter(
      (r) => r.receipt.reason.code === 'durable.unknown_governor',
    );
    expect(refusals).toHaveLength(1);
    expect(await f.host.call(G, { type: 'add', n: 1 })).toBe(2);
  });
});
