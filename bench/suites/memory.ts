// Suite 5: memory. Heap in use after a full GC, before and after starting N idle processes (kept alive in an
// array, which is counted too), divided by N; and the total for 1M processes that each hold an armed timer
// (a 1 h state timeout, so none fires during the measurement).
import { createActor } from 'xstate';
import { RealClock } from '../../src/runtime/clock/index.js';
import {
  Runtime,
  initOk,
  keepStateAndData,
  stateTimeout,
  type MachineDefinition,
  type Protocol,
} from '../../src/runtime/index.js';
import { check, heapAfterGc, type Figures, type Suite } from '../common.js';
import { xstateIdle } from './spawn.js';

type IdleTypes = Protocol<{ state: 'idle'; data: number; cast: 'poke' }>;

/** The smallest useful machine: one state, a number for data, ignores everything. */
export const idle: MachineDefinition<IdleTypes> = {
  name: 'idle',
  init: () => initOk<IdleTypes>('idle', 0),
  handleEvent: () => keepStateAndData<IdleTypes>(),
};

const armed: MachineDefinition<IdleTypes> = {
  name: 'armed',
  init: () => initOk<IdleTypes>('idle', 0, stateTimeout(3_600_000, 'fire')),
  handleEvent: () => keepStateAndData<IdleTypes>(),
};

/** Heap bytes added by n processes of `def`. */
function governessHeap(def: MachineDefinition<IdleTypes>, n: number): number {
  using clock = new RealClock({ unref: true });
  const rt = new Runtime({ clock });
  const before = heapAfterGc();
  const pids: unknown[] = new Array<unknown>(n);
  for (let i = 0; i < n; i++) {
    const r = rt.start(def, undefined);
    if (r.ok) pids[i] = r.pid;
  }
  const after = heapAfterGc();
  check(rt.processCount === n && pids[n - 1] !== undefined, 'all processes alive at measurement');
  return after - before;
}

export const suite: Suite = {
  id: 'memory',
  title: 'memory (heap after GC)',
  metrics: [
    { name: 'idle_100k', unit: 'B/proc', label: 'idle process @100k (B)', target: { op: '<=', value: 1024 } },
    { name: 'idle_1m', unit: 'B/proc', label: 'idle process @1M (B)', target: { op: '<=', value: 1024 } },
    {
      name: 'timers_1m',
      unit: 'MiB',
      label: '1M procs + armed timers (MiB)',
      target: { op: '<', value: 2048 },
    },
  ],
  async governess(): Promise<Figures> {
    return {
      idle_100k: governessHeap(idle, 100_000) / 100_000,
      idle_1m: governessHeap(idle, 1_000_000) / 1_000_000,
      timers_1m: governessHeap(armed, 1_000_000) / 2 ** 20,
    };
  },
  async xstate(): Promise<Figures> {
    const n = 100_000;
    const before = heapAfterGc();
    const actors: unknown[] = new Array<unknown>(n);
    for (let i = 0; i < n; i++) actors[i] = createActor(xstateIdle).start();
    const after = heapAfterGc();
    check(actors[n - 1] !== undefined, 'all actors alive at measurement');
    return { idle_100k: (after - before) / n };
  },
};
