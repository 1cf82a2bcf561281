// Regression (found by the kill -9 crash test): the due-timer scanner read a page of governor rows, then
// activated them one by one. A governor could be loaded by a call, step and leave memory in between; the
// scanner then activated it from the row it had read before, an older version, and the governor's next step
// failed its version check (GOV_DURABLE_COMMIT_FAILED, "expected version 4, found 7"), taking the steps of every
// other governor in the same batch with it. Now a scanned row is used only if no governor left memory since it
// was read; otherwise the row is read again.
import { expect, it } from 'vitest';
import { DurableHost } from '../../src/durable/index.js';
import { MemoryStore, generateSigner, type RowScan, type SqlValue } from '../../src/ledger/index.js';
import { SimulatedClock } from '../../src/runtime/clock/index.js';
import { counter } from './counter.js';

const G = 'counter/sku-1/tenant-1';

/** A memory store that runs `between` after a scan has read its rows and before it returns them. */
class SlowScanStore extends MemoryStore {
  between: (() => Promise<void>) | null = null;

  override async scanRows(table: string, q: RowScan): Promise<Record<string, SqlValue>[]> {
    const rows = await super.scanRows(table, q);
    const between = this.between;
    this.between = null;
    if (between !== null) await between();
    return rows;
  }
}

it('a governor stepped between the scan that found it due and its activation is loaded at its new version', async () => {
  const store = new SlowScanStore();
  const clock = new SimulatedClock();
  await using host = await DurableHost.open({
    definitions: [counter],
    store,
    clock,
    signer: generateSigner('governess.test/stale-scan').signer,
    ledger: { checkpointIntervalMs: 0, groupCommit: { maxDelayMs: 0 } },
  });
  expect(await host.call(G, { type: 'arm', ms: 1000 })).toBe('armed');
  await host.idle();
  expect(host.passivateAll()).toBe(1);
  // While the scan's rows are on their way: the governor is loaded by calls, steps twice and leaves memory.
  store.between = async () => {
    expect(await host.call(G, { type: 'add', n: 1 })).toBe(1);
    expect(await host.call(G, { type: 'add', n: 2 })).toBe(3);
    expect(host.passivate(G)).toBe(true);
  };
  // The timer is due within the scanner's horizon: this scan activates the governor.
  await host.scanDue();
  await host.idle();
  expect(store.between).toBeNull();
  expect(host.isActive(G)).toBe(true);
  await clock.advance(1000);
  await host.idle();
  // The timer's step committed on the version the calls left: the governor never failed a commit.
  expect(host.isActive(G)).toBe(true);
  expect(host.stats().activations).toBe(2);
  const receipts = (await host.ledger.readLedger(G, 1, 100)).map((r) => r.receipt);
  expect(receipts.map((r) => [r.event.type, r.metadata.durable_version])).toEqual([
    ['system', 1],
    ['call', 2],
    ['call', 3],
    ['call', 4],
    ['state_timeout', 5],
  ]);
  // The governor goes on.
  expect(await host.call(G, { type: 'add', n: 4 })).toBe(7);
  const got = (await host.call(G, { type: 'get' })) as { state: string; data: { fired: number } };
  expect(got).toMatchObject({ state: 'idle', data: { fired: 1 } });
});
