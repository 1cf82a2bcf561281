// Suite 3: spawn rate. Start N trivial machines in a loop (each runs init and is running when start returns)
// and keep them alive, so nothing is collected mid-measurement.
import { createActor, setup } from 'xstate';
import { RealClock } from '../../src/runtime/clock/index.js';
import { Runtime, type Pid } from '../../src/runtime/index.js';
import { check, fullGc, median, now, type Figures, type Suite } from '../common.js';
import { idle } from './memory.js';

const N = 100_000;
const REPS = 3;

async function governessRep(): Promise<number> {
  using clock = new RealClock({ unref: true });
  const rt = new Runtime({ clock });
  const pids: Pid[] = new Array<Pid>(N);
  const t0 = now();
  for (let i = 0; i < N; i++) {
    const r = rt.start(idle, undefined);
    if (r.ok) pids[i] = r.pid;
  }
  const t1 = now();
  check(rt.processCount === N, 'all processes started');
  return N / ((t1 - t0) / 1000);
}

const xstateIdle = setup({
  types: { context: {} as { n: number }, events: {} as { type: 'poke' } },
}).createMachine({ context: { n: 0 }, initial: 'idle', states: { idle: { on: { poke: {} } } } });

function xstateRep(): number {
  const actors: unknown[] = new Array<unknown>(N);
  const t0 = now();
  for (let i = 0; i < N; i++) actors[i] = createActor(xstateIdle).start();
  const t1 = now();
  check(actors[N - 1] !== undefined, 'all actors started');
  return N / ((t1 - t0) / 1000);
}

export { xstateIdle };

export const suite: Suite = {
  id: 'spawn',
  title: `spawn rate (${N / 1000}k processes, median of ${REPS})`,
  metrics: [{ name: 'rate', unit: 'procs/s', label: 'processes/s', target: { op: '>=', value: 1e6 } }],
  async governess(): Promise<Figures> {
    await governessRep(); // warm-up
    const xs: number[] = [];
    for (let r = 0; r < REPS; r++) {
      fullGc();
      xs.push(await governessRep());
    }
    return { rate: median(xs) };
  },
  async xstate(): Promise<Figures> {
    xstateRep(); // warm-up
    const xs: number[] = [];
    for (let r = 0; r < REPS; r++) {
      fullGc();
      xs.push(xstateRep());
    }
    return { rate: median(xs) };
  },
};
