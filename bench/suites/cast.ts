// Suite 1: cast throughput to one process. The sender casts N messages in a burst, then a call (queued behind
// every cast) reads the counter back, so the clock stops only once every cast has been handled.
import { assign, createActor, setup } from 'xstate';
import { RealClock } from '../../src/runtime/clock/index.js';
import {
  Runtime,
  initOk,
  keepState,
  keepStateAndData,
  reply,
  type MachineDefinition,
  type Protocol,
} from '../../src/runtime/index.js';
import { check, fullGc, median, now, type Figures, type Suite } from '../common.js';

const N = 500_000;
const REPS = 3;

type CounterTypes = Protocol<{ state: 'idle'; data: number; cast: 'inc'; calls: { get: { reply: number } } }>;

/** A counter: each cast adds one, `get` replies with the count. Also used by the call suite. */
export const counter: MachineDefinition<CounterTypes> = {
  name: 'counter',
  init: () => initOk<CounterTypes>('idle', 0),
  handleEvent(ev, _state, n) {
    if (ev.type === 'cast') return keepState<CounterTypes>(n + 1);
    if (ev.type === 'call') return keepStateAndData<CounterTypes>(reply(ev.from, n));
    return keepStateAndData<CounterTypes>();
  },
};

async function governessRep(rt: Runtime): Promise<number> {
  const started = rt.start(counter, undefined);
  check(started.ok, 'counter started');
  if (!started.ok) return 0;
  const pid = started.pid;
  const t0 = now();
  for (let i = 0; i < N; i++) rt.cast(pid, 'inc');
  const count = await rt.call(pid, { type: 'get' });
  const t1 = now();
  check(count === N, `counter saw ${count} of ${N} casts`);
  await rt.stop(pid);
  return N / ((t1 - t0) / 1000);
}

const xstateCounter = setup({
  types: { context: {} as { n: number }, events: {} as { type: 'inc' } },
}).createMachine({
  context: { n: 0 },
  initial: 'idle',
  states: { idle: { on: { inc: { actions: assign({ n: ({ context }) => context.n + 1 }) } } } },
});

function xstateRep(): number {
  const actor = createActor(xstateCounter).start();
  const t0 = now();
  for (let i = 0; i < N; i++) actor.send({ type: 'inc' });
  const count = actor.getSnapshot().context.n;
  const t1 = now();
  check(count === N, `xstate counter saw ${count} of ${N} events`);
  actor.stop();
  return N / ((t1 - t0) / 1000);
}

export const suite: Suite = {
  id: 'cast',
  title: `cast throughput (${N / 1000}k casts to one process, median of ${REPS})`,
  metrics: [{ name: 'throughput', unit: 'events/s', label: 'casts/s', target: { op: '>=', value: 2.5e6 } }],
  async governess(): Promise<Figures> {
    using clock = new RealClock({ unref: true });
    const rt = new Runtime({ clock });
    await governessRep(rt); // warm-up
    const rates: number[] = [];
    for (let r = 0; r < REPS; r++) {
      fullGc();
      rates.push(await governessRep(rt));
    }
    return { throughput: median(rates) };
  },
  async xstate(): Promise<Figures> {
    xstateRep(); // warm-up
    const rates: number[] = [];
    for (let r = 0; r < REPS; r++) {
      fullGc();
      rates.push(xstateRep());
    }
    return { throughput: median(rates) };
  },
};
