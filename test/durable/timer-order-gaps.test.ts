// Timer order across a restore, found by the model test (test/durable/model.test.ts), which once skipped such
// runs: catch-up order after downtime (the engine's catch-up rule, docs/runtime/durability-hooks.md R2) and ties
// between timers due at the same time (a step record lists timers in firing order, so their generations do).
import { describe, expect, it } from 'vitest';
import { defineDurable } from '../../src/durable/index.js';
import {
  defineMachine,
  genericTimeout,
  initOk,
  keepState,
  keepStateAndData,
  reply,
  stateTimeout,
  type MachineTypes,
} from '../../src/runtime/index.js';
import { openDurableOrSkip, type DurableFixture } from '../support/durable.js';
import { modelGovernor } from './model/machine.js';

/** Arms a state and a generic timeout due at the same absolute time, in one step. */
interface PairTypes extends MachineTypes {
  state: 'on';
  data: null;
  calls: { pair: { request: { at: number }; reply: 'armed' } };
  timeout: string;
  args: null;
}
const pairGovernor = defineDurable<PairTypes>({
  kind: 'pair',
  machine: defineMachine<PairTypes>({
    init: () => initOk('on', null),
    handleEvent(event) {
      if (event.type === 'call') {
        const { at } = event.request;
        return keepStateAndData(
          reply(event.from, 'armed'),
          stateTimeout(at, 'state', { abs: true }),
          genericTimeout('g', at, 'generic', { abs: true }),
        );
      }
      return keepState(null);
    },
  }),
  args: () => null,
});
const P = 'pair/s/p0';

const G = 'model/s/g0';
const DAY = 86_400_000;

async function timerEvents(f: DurableFixture): Promise<string[]> {
  const records = await f.host.ledger.readLedger(G, 1, 1000);
  return records.filter((r) => r.receipt.event.type.endsWith('timeout')).map((r) => r.receipt.event.summary);
}

describe('timer order across a restore', () => {
  it('two timers armed by one step, due at the same time, fire in the same order with or without a restart', async (ctx) => {
    const run = async (restart: boolean): Promise<string[]> => {
      // Never idle long enough to leave memory: without the restart the clock fires both timers.
      const stay = { idleMs: 10 * DAY };
      await using f = await openDurableOrSkip(ctx, 'memory', { definitions: [pairGovernor], ...stay });
      await f.host.call(P, { at: f.clock.now() + DAY });
      if (restart) await f.restart(stay);
      await f.clock.advance(DAY);
      await f.settle();
      const records = await f.host.ledger.readLedger(P, 1, 100);
      return records.filter((r) => r.receipt.event.type.endsWith('timeout')).map((r) => r.receipt.event.type);
    };
    const straight = await run(false);
    // The engine arms the last timeout action first, as OTP's gen_statem starts them (it walks them reversed).
    expect(straight).toEqual(['generic_timeout', 'state_timeout']);
    expect(await run(true)).toEqual(straight);
  });

  it('two timers due at the same millisecond fire in arming order after a restart', async (ctx) => {
    await using f = await openDurableOrSkip(ctx, 'memory', { definitions: [modelGovernor] });
    await f.host.call(G, { type: 'tick', at: DAY, period: 7 * DAY }); // armed first, due at 1d
    await f.host.call(G, { type: 'arm', ms: DAY }); // armed second, due at 1d
    await f.restart(); // restores the state timeout before the generic one
    await f.clock.advance(DAY);
    await f.settle();
    expect(await timerEvents(f)).toEqual(['generic_timeout tick', 'state_timeout']);
  });

  it('overdue timers catch up in due order after downtime', async (ctx) => {
    await using f = await openDurableOrSkip(ctx, 'memory', { definitions: [modelGovernor] });
    await f.host.call(G, { type: 'tick', at: DAY, period: DAY }); // slots 1d, 2d, 3d…
    await f.host.call(G, { type: 'arm', ms: 2.5 * DAY }); // due at 2.5d
    await f.host.close();
    await f.clock.advance(3 * DAY);
    await f.restart();
    await f.host.scanDue();
    await f.settle();
    // Slot 2d is re-armed by the firing of slot 1d, already past: it joins the overdue timers in due order,
    // ahead of the restored state timeout (2.5d), as it would have fired had the host never stopped.
    expect(await timerEvents(f)).toEqual([
      'generic_timeout tick',
      'generic_timeout tick',
      'state_timeout',
      'generic_timeout tick',
    ]);
  });
});
