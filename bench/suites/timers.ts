// Suite 4: 100k processes each arm a 1 s state timeout on the real clock. Setup time covers starting every
// process and arming its timer. Lateness is recorded in the handler: the time it runs minus the due time (taken
// as the time init ran plus 1000 ms, so the cost of arming counts against the implementation). As in the spawn,
// call, cast and postpone suites, each implementation first runs the whole thing once unmeasured (warm-up: the
// JIT has compiled the start and fire paths), then once measured after a full GC.
// Both rounds share one clock, one runtime and one machine definition, as a server does for its whole life, and
// the warm-up's 100k processes stay alive (in state `done`) through the measured round. With fresh ones V8
// would throw the warm-up's compiled code away at the full GC (it embeds the first instances' closures and
// fields as constants), and the measured round would fire its first timers in unoptimized code while recompiling
// on the second core: the warm-up would warm nothing. XState likewise keeps one machine and its first actors.
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

/** One round's record: how late each timer fired, and a promise settled when the last one has. */
class Round {
  /** NaN until timer i fires. */
  readonly late = new Float64Array(N).fill(NaN);
  readonly all: Promise<void>;
  private fired = 0;
  private done!: () => void;

  constructor() {
    this.all = new Promise<void>((resolve) => (this.done = resolve));
  }

  /** Records that timer `i` fired `late` ms after its due time. */
  record(i: number, late: number): void {
    this.late[i] = late;
    if (++this.fired === N) this.done();
  }
}

/** Each process records in the current round how late its timer fired. */
function timerMachine(clock: RealClock, round: () => Round): MachineDefinition<TimerTypes> {
  return {
    name: 'timer',
    init: (i) =>
      initOk<TimerTypes>('waiting', { i, due: clock.now() + DELAY_MS }, stateTimeout(DELAY_MS, 'fire')),
    handleEvent(ev, state, data) {
      if (ev.type === 'state_timeout' && state === 'waiting') {
        round().record(data.i, clock.now() - data.due);
        return nextState<TimerTypes>('done', data);
      }
      return keepStateAndData<TimerTypes>();
    },
  };
}

/**
 * The round's figures. `early` says what a timer that fired before its due time is: a failure of the runtime
 * under test ('fail'), or a measured property of the anchor ('count'). An XState delay is a plain setTimeout,
 * armed against libuv's loop time, which is taken once per loop turn: the actors started late in the one long
 * turn that starts all 100k can fire a little before their due times.
 */
function figures(setupMs: number, late: Float64Array, early: 'fail' | 'count'): Figures {
  check(
    late.every((x) => !Number.isNaN(x)),
    'every timer fired',
  );
  const n = late.reduce((k, x) => (x < 0 ? k + 1 : k), 0);
  if (early === 'fail') check(n === 0, 'no timer fired early');
  else if (n > 0) {
    const most = late.reduce((m, x) => Math.min(m, x), 0);
    console.error(`timers: ${n} XState timers fired early, by up to ${(-most).toFixed(3)} ms`);
  }
  return { setup: setupMs / 1000, late_mean: mean(late), late_p99: percentile(late, 99) };
}

async function governessRep(rt: Runtime, def: MachineDefinition<TimerTypes>, round: Round): Promise<Figures> {
  const t0 = now();
  for (let i = 0; i < N; i++) rt.start(def, i);
  const t1 = now();
  await round.all;
  check(rt.clock.pending() === 0, 'no timer left armed');
  return figures(t1 - t0, round.late, 'fail');
}

/** The XState machine: each actor records in the current round how late its delayed transition fired. */
function xstateMachine(round: () => Round) {
  return setup({
    types: { context: {} as { i: number; due: number }, input: {} as { i: number } },
    actions: {
      record: ({ context }) => round().record(context.i, now() - context.due),
    },
  }).createMachine({
    context: ({ input }) => ({ i: input.i, due: now() + DELAY_MS }),
    initial: 'waiting',
    states: { waiting: { after: { [DELAY_MS]: { target: 'done', actions: 'record' } } }, done: {} },
  });
}

/** Actors of every round, kept alive as the runtime keeps its processes. */
const actors: unknown[] = [];

async function xstateRep(machine: ReturnType<typeof xstateMachine>, round: Round): Promise<Figures> {
  const t0 = now();
  for (let i = 0; i < N; i++) actors.push(createActor(machine, { input: { i } }).start());
  const t1 = now();
  await round.all;
  return figures(t1 - t0, round.late, 'count');
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
    using clock = new RealClock();
    const rt = new Runtime({ clock });
    let round = new Round();
    const def = timerMachine(clock, () => round);
    await governessRep(rt, def, round); // warm-up
    round = new Round();
    fullGc();
    return await governessRep(rt, def, round);
  },
  async xstate(): Promise<Figures> {
    let round = new Round();
    const machine = xstateMachine(() => round);
    await xstateRep(machine, round); // warm-up
    round = new Round();
    fullGc();
    return await xstateRep(machine, round);
  },
};
