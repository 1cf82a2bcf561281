// Suite 2: call round trip. One caller awaits N calls in sequence; each is a full request -> handler -> reply ->
// promise resolution. The main figure uses a 5 s call timeout (Governess's default, and gen_server's), which
// arms and cancels a timer per call; the `infinity` figure uses no timeout (gen_statem:call's default).
import { RealClock } from '../../src/runtime/clock/index.js';
import { Runtime } from '../../src/runtime/index.js';
import { check, fullGc, median, now, type Figures, type Suite } from '../common.js';
import { counter } from './cast.js';

const N = 100_000;
const REPS = 3;

async function rep(rt: Runtime, timeoutMs: number): Promise<number> {
  const started = rt.start(counter, undefined);
  check(started.ok, 'counter started');
  if (!started.ok) return 0;
  const pid = started.pid;
  let sum = 0;
  const t0 = now();
  for (let i = 0; i < N; i++) sum += await rt.call(pid, { type: 'get' }, timeoutMs);
  const t1 = now();
  check(sum === 0, 'every call answered');
  await rt.stop(pid);
  return ((t1 - t0) * 1000) / N;
}

export const suite: Suite = {
  id: 'call',
  title: `call round trip (${N / 1000}k sequential awaited calls, median of ${REPS})`,
  metrics: [
    { name: 'round_trip', unit: 'us', label: 'µs/call (5 s timeout)', target: { op: '<=', value: 1.5 } },
    { name: 'round_trip_infinity', unit: 'us', label: 'µs/call (no timeout)' },
  ],
  xstateMissing: 'XState has no call (request/reply)',
  async governess(): Promise<Figures> {
    using clock = new RealClock({ unref: true });
    const rt = new Runtime({ clock });
    await rep(rt, 5000); // warm-up
    const out: Figures = {};
    for (const [name, timeout] of [
      ['round_trip', 5000],
      ['round_trip_infinity', Infinity],
    ] as const) {
      const xs: number[] = [];
      for (let r = 0; r < REPS; r++) {
        fullGc();
        xs.push(await rep(rt, timeout));
      }
      out[name] = median(xs);
    }
    return out;
  },
};
