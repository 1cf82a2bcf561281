// The measured process of the durable-1m suite: opens a host over a SQLite file of seeded passive governors,
// serves one call (the time to first call), activates governors by calls (closed loop: how fast a restarted
// host warms up), then more at a light fixed rate (activation latency), and reports its resident memory. A
// process of its own, so its RSS holds only the host, not the seeding.
//   node --expose-gc --import tsx bench/durable/host-child.ts <db> <governors> <active> <sampled> <rate> <timeoutMs>
// Prints one line: CHILD {json}.
import { DurableHost } from '../../src/durable/index.js';
import { SqliteStore, generateSigner } from '../../src/ledger/index.js';
import { RealClock } from '../../src/runtime/clock/index.js';
import { check, fullGc, percentile } from '../common.js';
import { closedLoop, keyedAdd, openLoop, shuffled } from './load.js';
import { benchCounter } from './machine.js';

/** What the child reports. */
export interface ChildFigures {
  /** From process start (performance.timeOrigin) to the first reply, ms. */
  readonly firstCallFromStart: number;
  /** From calling DurableHost.open to the first reply, ms. */
  readonly firstCallFromOpen: number;
  /** Calls to passive governors per second, closed loop (each activates one). */
  readonly activationRate: number;
  readonly activationP50: number;
  readonly activationP99: number;
  /** Resident set after the activations and a full GC, bytes. */
  readonly rss: number;
  readonly heapUsed: number;
  readonly active: number;
}

const IN_FLIGHT = 1024;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const path = args[0];
  const [governors, active, sampled, rate, timeoutMs] = args.slice(1).map(Number) as number[];
  if (
    path === undefined ||
    !(governors !== undefined && active !== undefined && sampled !== undefined) ||
    !(governors >= active && active > sampled && sampled > 0 && rate !== undefined && rate > 0)
  ) {
    throw new Error('usage: host-child.ts <db> <governors> <active> <sampled> <rate> <timeoutMs>');
  }
  const order = shuffled(governors);
  const clock = new RealClock();
  const opened = performance.now();
  const host = await DurableHost.open({
    store: new SqliteStore({ path }),
    clock,
    signer: generateSigner('bench.governess/durable').signer,
    definitions: [benchCounter],
    ledger: { checkpointIntervalMs: 1000 },
    maxActive: active,
    ...(timeoutMs === undefined ? {} : { callTimeoutMs: timeoutMs }),
  });
  try {
    const first = await keyedAdd(host, order[0] as number);
    const served = performance.now();
    check(first === 1, `first call answered 1 (got ${String(first)})`);
    // Every further call goes to a governor not yet in memory: each is an activation from its cold row.
    const warm = active - sampled - 1;
    const run = await closedLoop(warm, IN_FLIGHT, (j) => keyedAdd(host, order[j + 1] as number));
    const lat = await openLoop(clock, rate, sampled, (j) => keyedAdd(host, order[warm + 1 + j] as number));
    const stats = host.stats();
    check(stats.activations === active && stats.created === 0, `${active} activations, none created`);
    fullGc();
    const mem = process.memoryUsage();
    const figures: ChildFigures = {
      firstCallFromStart: served,
      firstCallFromOpen: served - opened,
      activationRate: run.calls / (run.ms / 1000),
      activationP50: percentile(lat, 50),
      activationP99: percentile(lat, 99),
      rss: mem.rss,
      heapUsed: mem.heapUsed,
      active: stats.active,
    };
    process.stdout.write(`CHILD ${JSON.stringify(figures)}\n`);
  } finally {
    await host.close();
    clock[Symbol.dispose]();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
