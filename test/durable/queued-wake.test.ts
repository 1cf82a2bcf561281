// Regression (found by the model test, test/durable/model.test.ts): a step that leaves events queued but not yet
// handled (postponed events released by a state change) stored the governor row with the due time of its
// timers only. When the power went before the queued events' own steps were committed, nothing woke the
// governor after the restart: the queued events (a cast already acknowledged to its sender) stayed unapplied
// until some later command or timer happened to activate it, and then ran behind that command.
import { expect, it } from 'vitest';
import { DurableHost } from '../../src/durable/index.js';
import { MemoryStore, generateSigner } from '../../src/ledger/index.js';
import { SimulatedClock } from '../../src/runtime/clock/index.js';
import { counter } from './counter.js';
import { PowerCutStore } from './model/power-cut-store.js';

const G = 'counter/sku-1/tenant-1';

it('events left queued by the last committed step are handled after a crash without a new command', async () => {
  const memory = new MemoryStore();
  const clock = new SimulatedClock();
  const signer = generateSigner('governess.test/queued-wake').signer;
  const open = (store: MemoryStore | PowerCutStore): Promise<DurableHost> =>
    DurableHost.open({
      definitions: [counter],
      store,
      clock,
      signer,
      ledger: { checkpointIntervalMs: 0, groupCommit: { maxDelayMs: 0 } },
    });
  const store = new PowerCutStore(memory);
  const first = await open(store);
  await first.call(G, { type: 'pause' });
  await first.cast(G, { type: 'bump', by: 2 }); // postponed while paused; acknowledged
  // The resume step commits (the postponed cast is now queued in its snapshot), then the power goes before the
  // step that handles the cast is committed.
  store.arm({ commits: 1, lostAck: false });
  expect(await first.call(G, { type: 'resume' })).toBe('ok');
  await store.whenCut;
  await first.close().catch(() => undefined);

  await using host = await open(memory);
  await host.scanDue();
  await host.idle();
  await clock.settle();
  const events = (await host.ledger.readLedger(G, 1, 100)).map((r) => r.receipt.event.summary);
  expect(events).toEqual(['init', 'call pause', 'cast bump', 'call resume', 'cast bump']);
});
