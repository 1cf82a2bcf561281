// The durable governor the durable suites run: a counter that answers a keyed `add` with its new total and arms
// a generic 30-day "expire" timer at init, so every governor on disk holds a pending timer, as a quota governor
// with a billing period would.
import { defineDurable } from '../../src/durable/index.js';
import {
  defineMachine,
  genericTimeout,
  initOk,
  keepState,
  keepStateAndData,
  reply,
  type MachineTypes,
  type Result,
} from '../../src/runtime/index.js';

/** How far out the timer armed at init is (30 days). */
export const EXPIRE_MS = 30 * 86_400_000;

/** Protocol of the bench counter. */
export interface BenchCounterTypes extends MachineTypes {
  state: 'counting';
  data: { readonly total: number };
  calls: { add: { request: { n: number }; reply: number } };
  cast: never;
  info: never;
  internal: never;
  timeout: 'expire';
  args: null;
}

type R = Result<BenchCounterTypes>;

/** The counter machine. */
export const benchCounterMachine = defineMachine<BenchCounterTypes>({
  name: 'bench-counter',
  init: () =>
    initOk<BenchCounterTypes>('counting', { total: 0 }, genericTimeout('expire', EXPIRE_MS, 'expire')),
  handleEvent(event, _state, data): R {
    if (event.type === 'call' && event.call === 'add') {
      const total = data.total + event.request.n;
      return keepState({ total }, reply(event.from, total));
    }
    // The timer lies 30 days out: nothing in a run reaches it.
    return keepStateAndData();
  },
});

/** The durable kind of the bench counter. */
export const benchCounter = defineDurable<BenchCounterTypes>({
  kind: 'bcounter',
  machine: benchCounterMachine,
  args: () => null,
});

/** The gkey of governor `i` (tenants numbered so that seeded and created gkeys are the same). */
export function benchGkey(i: number): string {
  return `bcounter/sku-standard/tenant-${String(i).padStart(7, '0')}`;
}
