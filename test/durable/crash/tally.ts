// The governor kind of the durable crash test: a counter that adds `n` and replies with the new total, so every
// acknowledged reply pins the exact prefix of that governor's history. Each add also keeps timers falling due:
// it starts a short recurring "cycle" generic timeout (re-armed from the period in its slot, a few times) when
// none runs, and a state timeout when the governor turns busy. Neither timer is ever replaced or cancelled while
// armed, so every timer the checker sees in a stored row must later either still be there or have fired, once.
// When it cools down (the state timeout), a tally casts `cooled` to its partner governor through the outbox, so
// the test also proves that a governor-to-governor cast is applied exactly once, whatever the kills. Halfway
// through the test the hosts switch to data version 1 (`tallyOfEra`), so governors are migrated on load, with a
// receipt, while kills keep landing.
import { castGovernor, defineDurable, outboxKey } from '../../../src/durable/index.js';
import {
  defineMachine,
  genericTimeout,
  initOk,
  keepState,
  keepStateAndData,
  nextState,
  reply,
  stateTimeout,
  type MachineTypes,
  type Result,
} from '../../../src/runtime/index.js';

/** Times a cycle timer fires after the add that started it (bounded, so the timer load follows the command load). */
export const CYCLE_FIRES = 2;

/** Data of one tally governor. */
export interface TallyData {
  /** Sum of every applied add. */
  readonly total: number;
  /** Cycle timeouts handled. */
  readonly cycles: number;
  /** State timeouts handled. */
  readonly cools: number;
  /** Cycle firings still to come (> 0 exactly while the cycle timer is armed). */
  readonly left: number;
  /** Period of the cycle timer, ms. */
  readonly period: number;
  /** Delay of the state timeout, ms. */
  readonly cool: number;
  /** `cooled` casts received from the partner. */
  readonly received: number;
  /** The partner's gkey, which each cool-down casts to. */
  readonly partner: string;
  /** The data version the governor's data was made or migrated for (absent: 0). */
  readonly era?: number;
}

/** Protocol of the tally. */
export interface TallyTypes extends MachineTypes {
  state: 'quiet' | 'busy';
  data: TallyData;
  calls: { add: { request: { n: number }; reply: number } };
  cast: { type: 'cooled' };
  info: never;
  internal: never;
  timeout: { slot: number } | 'cool';
  args: { period: number; cool: number; partner: string };
}

type R = Result<TallyTypes>;

/** The gkey of governor number `i`. */
export function tallyGkey(i: number): string {
  return `tally/g${i}/t${i % 8}`;
}

/** The governor that governor number `i` casts to when it cools down: its pair (0 and 1, 2 and 3, ...). */
export function partnerOf(i: number): string {
  return tallyGkey(i ^ 1);
}

/** The outbox key of the cast made by the step of `gkey` that committed version `version` (its only effect). */
export function castKey(gkey: string, version: number): string {
  return outboxKey(gkey, version, 0);
}

/** Timer periods of governor number `i`: a cycle of 50-500 ms and a state timeout of 100-800 ms. */
export function periodsOf(i: number): { period: number; cool: number } {
  return { period: 50 + ((i * 7919) % 451), cool: 100 + ((i * 104_729) % 701) };
}

const tallyMachine = defineMachine<TallyTypes>({
  name: 'tally',
  init: (args) =>
    initOk<TallyTypes>('quiet', { total: 0, cycles: 0, cools: 0, left: 0, received: 0, ...args }),
  handleEvent(event, state, data): R {
    switch (event.type) {
      case 'call': {
        const total = data.total + event.request.n;
        const cycling = data.left > 0;
        const next = { ...data, total, left: cycling ? data.left : CYCLE_FIRES };
        const actions = [
          reply(event.from, total),
          ...(cycling ? [] : [genericTimeout('cycle', data.period, { slot: data.period })]),
        ];
        if (state === 'quiet') return nextState('busy', next, ...actions, stateTimeout(data.cool, 'cool'));
        return keepState(next, ...actions);
      }
      case 'generic_timeout': {
        const slot = (event.content as { slot: number }).slot;
        const left = data.left - 1;
        const next = { ...data, cycles: data.cycles + 1, left };
        return left > 0 ? keepState(next, genericTimeout('cycle', slot, { slot })) : keepState(next);
      }
      case 'state_timeout':
        return nextState(
          'quiet',
          { ...data, cools: data.cools + 1 },
          castGovernor<TallyTypes>(data.partner, { type: 'cooled' }),
        );
      case 'cast':
        return keepState({ ...data, received: data.received + 1 });
      default:
        return keepStateAndData();
    }
  },
});

/**
 * The tally as a durable kind of data version `era` (0 or 1); an add's receipt carries its `n`, so totals can be
 * replayed from receipts. Era 1 stamps `era: 1` on new data and on data migrated from era 0.
 */
export function tallyOfEra(era: 0 | 1) {
  return defineDurable<TallyTypes>({
    kind: 'tally',
    machine:
      era === 0
        ? tallyMachine
        : defineMachine<TallyTypes>({
            ...tallyMachine,
            dataVersion: 1,
            init: (args) => {
              const r = tallyMachine.init(args);
              return r.type === 'ok' ? { ...r, data: { ...r.data, era: 1 } } : r;
            },
            migrate: (_from, state, data) => ({
              state: state as TallyTypes['state'],
              data: { ...(data as TallyData), era: 1 },
            }),
          }),
    args: (parts) => {
      const i = Number(parts.sku.slice(1));
      return { ...periodsOf(i), partner: partnerOf(i) };
    },
    receipt: (step) =>
      step.event?.type === 'call' && step.event.call === 'add'
        ? { metadata: { n: step.event.request.n } }
        : {},
  });
}
