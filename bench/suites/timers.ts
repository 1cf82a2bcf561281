// Suite 4: 100k processes each arm a 1 s state timeout on the real clock. Setup time covers starting every
// process and arming its timer. Lateness is recorded in the handler: the time it runs minus the due time (taken
// as the time init ran plus 1000 ms, so the cost of arming counts against the implementation). As in the spawn,
// call, cast and postpone suites, each implementation first runs the whole thing once unmeasured (warm-up: the
// JIT has compiled the start and fire paths), then once measured after a full GC.
import { createActor, setup } from 'xstate';
import { RealClock } from '../../src/runtime/clock/index.js';
import {
  Runtime,
  initOk,
  keepStateAndData,
  nextState,
  stateTimeout,
  type MachineDefinition,
  type Protocol,
} from '../../src/runtime/index.js';
import { check, fullGc, mean, now, percentile, type Figures, type Suite } from '../common.js';

const N = 100_000;
const DELAY_MS = 1000;

type TimerTypes = Protocol<{
  state: 'waiting' | 'done';
  data: { readonly i: number; readonly due: number };
  timeout: 'fire';
  args: number;
}>;

/** Each process records how late its timer fired; `onAll` runs when the last one has. */
function timerMachine(
  clock: RealClock,
  late: Float64Array,
  onAll: () => void,
): MachineDefinition<TimerTypes> {
  let fired = 0;
  return {
    name: 'timer',
    init: (i) =>
      initOk<TimerTypes>('waiting', { i, due: clock.now() + DELAY_MS }, stateTimeout(DELAY_MS, 'fire')),
    handleEvent(ev, state, data) {
      if (ev.type === 'state_timeout' && state === 'waiting') {
        late[data.i] = clock.now() - data.due;
        if (++fired === N) onAll();
        return nextState<TimerTypes>('done', data);
      }
      return keepStateAndData<TimerTypes>();
    },
  };
}

function figures(setupMs: number, late: Float64Array): Figures {
  check(
    late.every((x) => x >= 0),
    'every timer fired, none early',
  );
  return { setup: setupMs / 1000, late_mean: mean(late), late_p99: percentile(late, 99) };
}

async function governessRep(): Promise<Figures> {
  using clock = new RealClock();
  const rt = new Runtime({ clock });
  const late = new Float64Array(N).fill(-1);
  let done!: () => void;
  const all = new Promise<void>((resolve) => (done = resolve));
  const def = timerMachine(clock, late, done);
  const t0 = now();
  for (let i = 0; i < N; i++) rt.start(def, i);
  const t1 = now();
  await all;
  check(rt.clock.pending() === 0, 'no timer left armed');
  return figures(t1 - t0, late);
}

async function xstateRep(): Promise<Figures> {
  const late = new Float64Array(N).fill(-1);
  let fired = 0;
  let done!: () => void;
  const all = new Promise<void>((resolve) => (done = resolve));
  const machine = setup({
    types: { context: {} as { i: number; due: number }, input: {} as { i: number } },
    actions: {
      record: ({ context }) => {
        late[context.i] = now() - context.due;
        if (++fired === N) done();
      },
    },
  }).createMachine({
    context: ({ input }) => ({ i: input.i, due: now() + DELAY_MS }),
    initial: 'waiting',
    states: { waiting: { after: { [DELAY_MS]: { target: 'done', actions: 'record' } } }, done: {} },
  });
  const actors: unknown[] = new Array<unknown>(N);
  const t0 = now();
  for (let i = 0; i < N; i++) actors[i] = createActor(machine, { input: { i } }).start();
  const t1 = now();
  await all;
  check(actors.length === N, 'actors kept');
  return figures(t1 - t0, late);
}

export const suite: Suite = {
  id: 'timers',
  title: `${N / 1000}k processes x 1 s state timeout (real clock)`,
  metrics: [
    { name: 'setup', unit: 's', label: 'start + arm all (s)', target: { op: '<=', value: 0.2 } },
    { name: 'late_mean', unit: 'ms', label: 'lateness mean (ms)', target: { op: '<=', value: 1 } },
    { name: 'late_p99', unit: 'ms', label: 'lateness p99 (ms)', target: { op: '<=', value: 5 } },
  ],
  async governess(): Promise<Figures> {
    await governessRep(); // warm-up
    fullGc();
    return governessRep();
  },
  async xstate(): Promise<Figures> {
    await xstateRep(); // warm-up
    fullGc();
    return xstateRep();
  },
};
