// Suite 6: one process postpones 100k casts, then a state change replays them all. The figure is the time from
// the handler that changes state to the handler of the last replayed event; the postpone phase (casting and
// postponing all 100k, synchronised by a call) is reported too.
import { RealClock } from '../../src/runtime/clock/index.js';
import {
  Runtime,
  initOk,
  keepState,
  keepStateAndData,
  nextState,
  postpone,
  reply,
  type MachineDefinition,
  type Protocol,
} from '../../src/runtime/index.js';
import { check, fullGc, median, now, type Figures, type Suite } from '../common.js';

const N = 100_000;
const REPS = 3;

type GateTypes = Protocol<{
  state: 'closed' | 'open';
  data: number;
  cast: 'item' | 'open';
  calls: { sync: { reply: 'ok' } };
}>;

async function rep(rt: Runtime): Promise<{ postpone: number; replay: number }> {
  let opened = 0;
  let last = 0;
  const gate: MachineDefinition<GateTypes> = {
    name: 'gate',
    init: () => initOk<GateTypes>('closed', 0),
    handleEvent(ev, state, n) {
      if (ev.type === 'call') return keepStateAndData<GateTypes>(reply(ev.from, 'ok'));
      if (ev.type !== 'cast') return keepStateAndData<GateTypes>();
      if (state === 'closed') {
        if (ev.content === 'open') {
          opened = now();
          return nextState<GateTypes>('open', n);
        }
        return keepStateAndData<GateTypes>(postpone());
      }
      if (n + 1 === N) last = now();
      return keepState<GateTypes>(n + 1);
    },
  };
  const started = rt.start(gate, undefined);
  if (!started.ok) throw new Error('gate did not start');
  const pid = started.pid;
  const t0 = now();
  for (let i = 0; i < N; i++) rt.cast(pid, 'item');
  await rt.call(pid, { type: 'sync' });
  const t1 = now();
  check(rt.getStatus(pid).postponed.length === N, 'all events postponed');
  rt.cast(pid, 'open');
  await rt.idle();
  check(rt.getState(pid).data === N && last > 0, 'all events replayed');
  await rt.stop(pid);
  return { postpone: t1 - t0, replay: last - opened };
}

export const suite: Suite = {
  id: 'postpone',
  title: `${N / 1000}k postponed casts then replay (median of ${REPS})`,
  metrics: [
    {
      name: 'replay',
      unit: 'ms',
      label: 'state change -> last replayed (ms)',
      target: { op: '<=', value: 60 },
    },
    { name: 'postpone_phase', unit: 'ms', label: 'cast + postpone all (ms)' },
  ],
  xstateMissing: 'XState has no postpone',
  async governess(): Promise<Figures> {
    using clock = new RealClock({ unref: true });
    const rt = new Runtime({ clock });
    await rep(rt); // warm-up
    const reps: { postpone: number; replay: number }[] = [];
    for (let r = 0; r < REPS; r++) {
      fullGc();
      reps.push(await rep(rt));
    }
    return { replay: median(reps.map((x) => x.replay)), postpone_phase: median(reps.map((x) => x.postpone)) };
  },
};
