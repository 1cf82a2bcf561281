// Bad stored data and definition changes: a migration on load writes its own receipt; a snapshot that does not
// decode, a failing migration or a downgrade quarantines that one governor with a refusal receipt, and the
// others keep running; a crash of one machine fails only its own callers.
import { describe, expect, it } from 'vitest';
import { defineDurable } from '../../src/durable/index.js';
import { defineMachine, type MachineDefinition } from '../../src/runtime/index.js';
import { openDurableOrSkip, STORE_KINDS } from '../support/durable.js';
import { counter, counterMachine, type CounterTypes } from './counter.js';

const G = 'counter/sku-1/tenant-1';
const OTHER = 'counter/sku-1/tenant-2';

function withVersion(
  dataVersion: number,
  migrate?: MachineDefinition<CounterTypes>['migrate'],
): ReturnType<typeof defineDurable<CounterTypes>> {
  return defineDurable<CounterTypes>({
    kind: 'counter',
    machine: defineMachine<CounterTypes>({ ...counterMachine, dataVersion, ...(migrate ? { migrate } : {}) }),
    args: () => null,
  });
}

describe.each(STORE_KINDS)('loading stored governors on %s', (kind) => {
  it('migrates an older snapshot on load, with a receipt, once', async (ctx) => {
    await using f = await openDurableOrSkip(ctx, kind, { definitions: [counter] });
    await f.host.call(G, { type: 'add', n: 4 });
    const v2 = withVersion(2, (from, state, data) => ({
      state: state as CounterTypes['state'],
      data: { ...(data as CounterTypes['data']), total: (data as CounterTypes['data']).total * 10 + from },
    }));
    await f.restart({ definitions: [v2] });
    expect(await f.host.call(G, { type: 'add', n: 0 })).toBe(40);
    await f.restart({ definitions: [v2] });
    expect(await f.host.call(G, { type: 'add', n: 0 })).toBe(40);
    const migrated = (await f.host.ledger.readLedger(G)).filter(
      (r) => r.receipt.reason.code === 'durable.migrated',
    );
    expect(migrated).toHaveLength(1);
    expect(migrated[0]?.receipt.metadata).toMatchObject({
      from_version: 0,
      to_version: 2,
      durable_version: 3,
    });
  });

  it('quarantines a governor whose migration throws; others keep running', async (ctx) => {
    await using f = await openDurableOrSkip(ctx, kind, { definitions: [counter] });
    await f.host.call(G, { type: 'add', n: 1 });
    const broken = withVersion(1, () => {
      throw new Error('no way');
    });
    await f.restart({ definitions: [broken] });
    await expect(f.host.call(G, { type: 'add', n: 1 })).rejects.toMatchObject({
      code: 'GOV_MIGRATION_FAILED',
    });
    await expect(f.host.call(G, { type: 'add', n: 1 })).rejects.toMatchObject({
      code: 'GOV_GOVERNOR_QUARANTINED',
    });
    expect(await f.host.call(OTHER, { type: 'add', n: 2 })).toBe(2);
    const last = (await f.host.ledger.readLedger(G)).at(-1)?.receipt;
    expect(last).toMatchObject({ status: 'refuse', reason: { code: 'durable.load_failed' } });
    expect(await f.host.storedGovernor(G)).toMatchObject({
      status: 'quarantined',
      version: 2,
      dataVersion: 0,
    });
    await f.restart({ definitions: [counter] });
    await expect(f.host.call(G, { type: 'add', n: 1 })).rejects.toMatchObject({
      code: 'GOV_GOVERNOR_QUARANTINED',
    });
  });

  it('refuses a downgrade (stored data newer than the definition)', async (ctx) => {
    await using f = await openDurableOrSkip(ctx, kind, {
      definitions: [
        withVersion(3, (_f, state, data) => ({
          state: state as CounterTypes['state'],
          data: data as CounterTypes['data'],
        })),
      ],
    });
    await f.host.call(G, { type: 'add', n: 1 });
    await f.restart({ definitions: [counter] });
    await expect(f.host.call(G, { type: 'add', n: 1 })).rejects.toMatchObject({
      code: 'GOV_MIGRATION_FAILED',
      details: { from: 3, to: 0 },
    });
  });

  it('fails a step whose data cannot be stored, releases nothing, and reloads the last committed state', async (ctx) => {
    await using f = await openDurableOrSkip(ctx, kind, { definitions: [counter] });
    await f.host.call(G, { type: 'add', n: 3 });
    await expect(f.host.call(G, { type: 'bad' })).rejects.toMatchObject({
      code: 'GOV_DURABLE_COMMIT_FAILED',
    });
    expect(await f.host.call(G, { type: 'add', n: 1 })).toBe(4);
  });

  it('a crashing machine fails its caller, leaves a refusal receipt, and reloads from its last step', async (ctx) => {
    await using f = await openDurableOrSkip(ctx, kind, { definitions: [counter] });
    await f.host.call(G, { type: 'add', n: 2 });
    await expect(f.host.call(G, { type: 'crash' })).rejects.toMatchObject({ code: 'GOV_EXIT' });
    await f.settle();
    expect(await f.host.call(G, { type: 'add', n: 1 })).toBe(3);
    const codes = (await f.host.ledger.readLedger(G)).map((r) => r.receipt.reason.code);
    expect(codes).toContain('durable.crashed');
  });

  it('crashes in a row grow the crash count; a step in between starts it again', async (ctx) => {
    await using f = await openDurableOrSkip(ctx, kind, { definitions: [counter] });
    await f.host.call(G, { type: 'add', n: 2 });
    for (let i = 0; i < 2; i++) {
      await expect(f.host.call(G, { type: 'crash' })).rejects.toMatchObject({ code: 'GOV_EXIT' });
      await f.settle();
    }
    expect(await f.host.call(G, { type: 'add', n: 1 })).toBe(3);
    await expect(f.host.call(G, { type: 'crash' })).rejects.toMatchObject({ code: 'GOV_EXIT' });
    await f.settle();
    const crashes = (await f.host.ledger.readLedger(G)).filter(
      (r) => r.receipt.reason.code === 'durable.crashed',
    );
    expect(crashes.map((r) => r.receipt.metadata.crash_count)).toEqual([1, 2, 1]);
    expect(f.host.stats().crashed).toBe(1);
  });

  it('a crash is forgotten an hour after its back-off, so the record of crashes stays bounded', async (ctx) => {
    await using f = await openDurableOrSkip(ctx, kind, { definitions: [counter] });
    const crash = async (tenant: string): Promise<void> => {
      const g = `counter/sku-1/${tenant}`;
      await f.host.call(g, { type: 'add', n: 1 });
      await expect(f.host.call(g, { type: 'crash' })).rejects.toMatchObject({ code: 'GOV_EXIT' });
      await f.settle();
    };
    await crash('tenant-a');
    await f.clock.advance(30 * 60_000);
    await crash('tenant-b');
    expect(f.host.stats().crashed).toBe(2);
    await f.clock.advance(40 * 60_000);
    // tenant-a's crash is 70 minutes old, tenant-b's 40: the next crash recorded drops the first only.
    await crash('tenant-c');
    expect(f.host.stats().crashed).toBe(2);
  });

  it('a stopped governor refuses further commands', async (ctx) => {
    await using f = await openDurableOrSkip(ctx, kind, { definitions: [counter] });
    await f.host.call(G, { type: 'add', n: 2 });
    await expect(f.host.call(G, { type: 'halt' })).rejects.toMatchObject({ code: 'GOV_GOVERNOR_STOPPED' });
    await expect(f.host.call(G, { type: 'add', n: 1 })).rejects.toMatchObject({
      code: 'GOV_GOVERNOR_STOPPED',
    });
    await f.restart();
    await expect(f.host.call(G, { type: 'add', n: 1 })).rejects.toMatchObject({
      code: 'GOV_GOVERNOR_STOPPED',
    });
  });
});
