// Suites 10-12: durable governors (issue 4). On SQLite and on PostgreSQL: durable steps per second with 10,000
// governors and 1,024 keyed calls in flight (closed loop), call latency open loop at half that rate, activation
// latency of calls to passive governors. Then 1,000,000 passive governors seeded on SQLite, each with a timer
// 30 days out: a fresh process opens a host over them, serves its first call, activates 10,000 and reports its
// resident memory. No XState or OTP equivalent exists (neither stores a machine between calls).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DurableHost } from '../../src/durable/index.js';
import { SERVICE_NODE_FLAGS } from '../../src/service/node-flags.js';
import { generateSigner } from '../../src/ledger/index.js';
import { RealClock } from '../../src/runtime/clock/index.js';
import { scratchStore, type StoreKind } from '../scratch-store.js';
import { check, now, percentile, type Figures, type MetricSpec, type Suite } from '../common.js';
import type { FloorFigures } from '../durable/commit-floor.js';
import type { ChildFigures } from '../durable/host-child.js';
import { throwawaySchema } from '../../test/support/postgres.js';
import { checkSteps, closedLoop, keyedAdd, openLoop, shuffled, stepsOf } from '../durable/load.js';
import { benchCounter } from '../durable/machine.js';
import { seedGovernors } from '../durable/seed.js';

const here = dirname(fileURLToPath(import.meta.url));
const NO_ANCHOR = 'no in-process equivalent: neither stores a machine and its timers between calls';
const GOVERNORS = 10_000;
const IN_FLIGHT = 1024;
/** Most seconds of the measured closed loop (it also stops after its number of calls). */
const THROUGHPUT_S = 20;
/** Seconds of the open-loop latency run. */
const LATENCY_S = 3;
/** Calls per second to passive governors in the activation-latency runs: a light, steady load. */
const ACTIVATION_RATE = 200;
/** Activations in each activation-latency run (calls to distinct passive governors). */
const ACTIVATIONS = 1000;
/**
 * Reply timeout of the bench hosts: with 1,024 calls in flight on a slow or loaded store a call can wait longer
 * than the default 5 s for its turn, and a timeout would end the run instead of measuring it.
 */
const CALL_TIMEOUT_MS = 120_000;
/** Commits per second of the floor process beside the latency run (light: it shares the disk and the cores). */
const FLOOR_RATE = 100;
/** Governors seeded for the 1M suite; GOV_BENCH_DURABLE_SEED lowers it for a quick look (the target is at 1M). */
const SEEDED = Number(process.env['GOV_BENCH_DURABLE_SEED'] ?? 1_000_000);
/** Governors the 1M child activates (and keeps in memory for the RSS figure). */
const ACTIVE = 10_000;
const MIB = 2 ** 20;

type Kind = StoreKind;

/** Steps/s, call latency at half of it, activation latency: one host on a fresh store of `kind`. */
async function storeFigures(kind: Kind, calls: number): Promise<Figures> {
  const scratch = scratchStore(kind, 'durable');
  const clock = new RealClock();
  const host = await DurableHost.open({
    store: scratch.store,
    clock,
    signer: generateSigner('bench.governess/durable').signer,
    definitions: [benchCounter],
    ledger: { checkpointIntervalMs: 1000 },
    maxActive: GOVERNORS,
    callTimeoutMs: CALL_TIMEOUT_MS,
  });
  try {
    // Create every governor (its first step), then warm up the keyed path on random governors.
    await closedLoop(GOVERNORS, IN_FLIGHT, (j) => keyedAdd(host, j));
    check(host.stats().created === GOVERNORS, `${GOVERNORS} governors created`);
    const pick = (): number => Math.floor(Math.random() * GOVERNORS);
    await closedLoop(10_000, IN_FLIGHT, () => keyedAdd(host, pick()), 3000);

    let before = stepsOf(host);
    const run = await closedLoop(calls, IN_FLIGHT, () => keyedAdd(host, pick()), THROUGHPUT_S * 1000);
    checkSteps(host, before, run.calls);
    const rate = run.calls / (run.ms / 1000);

    const half = rate / 2;
    before = stepsOf(host);
    const floor = await startFloor(kind);
    floor.go();
    const lat = await openLoop(clock, half, Math.round(half * LATENCY_S), () => keyedAdd(host, pick()));
    const bare = await floor.result;
    checkSteps(host, before, lat.length);

    // Every governor out of memory, then calls to distinct ones: each loads its row and restores its timer.
    await host.idle();
    check(host.passivateAll() === GOVERNORS, 'every governor passivated');
    const order = shuffled(GOVERNORS);
    const act = await openLoop(clock, ACTIVATION_RATE, ACTIVATIONS, (j) =>
      keyedAdd(host, order[j] as number),
    );
    check(host.stats().activations === ACTIVATIONS, `${ACTIVATIONS} activations`);
    return {
      steps: rate,
      p50: percentile(lat, 50),
      p99: percentile(lat, 99),
      floor_p50: bare.p50,
      floor_p99: bare.p99,
      act_p50: percentile(act, 50),
      act_p99: percentile(act, 99),
    };
  } finally {
    await host.close();
    clock[Symbol.dispose]();
    await scratch.drop();
  }
}

function storeMetrics(rateTarget: number): MetricSpec[] {
  return [
    {
      name: 'steps',
      unit: 'steps/s',
      label: `durable steps/s, ${GOVERNORS / 1000}k governors`,
      target: { op: '>=', value: rateTarget },
    },
    { name: 'p50', unit: 'ms', label: 'call p50 at half that rate (ms)' },
    { name: 'p99', unit: 'ms', label: 'call p99 at half that rate (ms)', target: { op: '<=', value: 25 } },
    { name: 'floor_p50', unit: 'ms', label: `bare 1-row commit p50 beside it, ${FLOOR_RATE}/s (ms)` },
    { name: 'floor_p99', unit: 'ms', label: `bare 1-row commit p99 beside it, ${FLOOR_RATE}/s (ms)` },
    { name: 'act_p50', unit: 'ms', label: `activation p50 at ${ACTIVATION_RATE}/s (ms)` },
    { name: 'act_p99', unit: 'ms', label: `activation p99 at ${ACTIVATION_RATE}/s (ms)` },
  ];
}

function storeSuite(kind: Kind, id: string, rateTarget: number, calls: number): Suite {
  return {
    id,
    title:
      `durable governors on ${kind}: up to ${calls / 1000}k keyed calls (${THROUGHPUT_S} s) to ` +
      `${GOVERNORS / 1000}k governors, ${IN_FLIGHT} in flight; call latency open loop at half that rate; ` +
      `${ACTIVATIONS} activations at ${ACTIVATION_RATE}/s`,
    metrics: storeMetrics(rateTarget),
    xstateMissing: NO_ANCHOR,
    otpMissing: NO_ANCHOR,
    serviceProcess: true,
    governess: () => storeFigures(kind, calls),
  };
}

/**
 * Starts bench/durable/commit-floor.ts for `kind` (a file or schema of its own) and waits until its table exists;
 * `go` starts its commits, for as long as the latency run lasts, and `result` gives their latencies.
 */
function startFloor(kind: Kind): Promise<{ go: () => void; result: Promise<FloorFigures> }> {
  const dir = kind === 'sqlite' ? mkdtempSync(join(tmpdir(), 'gov-bench-floor-')) : null;
  const target = dir === null ? throwawaySchema('bench_floor') : join(dir, 'floor.sqlite');
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(here, '..', 'durable', 'commit-floor.ts'),
      kind,
      target,
      String(FLOOR_RATE),
      String(FLOOR_RATE * LATENCY_S),
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  let out = '';
  let ready: () => void = () => undefined;
  const isReady = new Promise<void>((resolve) => (ready = resolve));
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (out.includes('READY\n')) ready();
  });
  const result = new Promise<FloorFigures>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      if (dir !== null) rmSync(dir, { recursive: true, force: true });
      const line = out.split('\n').find((l) => l.startsWith('FLOOR '));
      if (code !== 0 || line === undefined) reject(new Error(`commit floor exited ${code}: ${out.trim()}`));
      else resolve(JSON.parse(line.slice('FLOOR '.length)) as FloorFigures);
    });
  });
  // A child that fails before READY rejects `result`; the race hands that failure to the caller.
  return Promise.race([isReady, result]).then(() => ({
    go: () => void child.stdin.end('GO\n'),
    result,
  }));
}

/** Runs bench/durable/host-child.ts over the seeded file and parses its CHILD line. */
function runChild(path: string): Promise<ChildFigures> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--expose-gc',
        ...SERVICE_NODE_FLAGS,
        '--import',
        'tsx',
        join(here, '..', 'durable', 'host-child.ts'),
        path,
        String(SEEDED),
        String(ACTIVE),
        String(ACTIVATIONS),
        String(ACTIVATION_RATE),
        String(CALL_TIMEOUT_MS),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('CHILD '));
      if (code !== 0 || line === undefined) reject(new Error(`host child exited ${code}: ${out.trim()}`));
      else resolve(JSON.parse(line.slice('CHILD '.length)) as ChildFigures);
    });
  });
}

const millionSuite: Suite = {
  id: 'durable-1m',
  title:
    `${SEEDED / 1e6}M passive governors on SQLite, each with a timer 30 days out: a fresh process opens a ` +
    `host, serves a first call, activates ${ACTIVE / 1000}k by calls (${ACTIVATIONS} of them at ` +
    `${ACTIVATION_RATE}/s)`,
  metrics: [
    { name: 'seed', unit: 's', label: `seed ${SEEDED / 1e6}M governor rows (s)` },
    { name: 'db', unit: 'MiB', label: 'database file (MiB)' },
    {
      name: 'first_call',
      unit: 'ms',
      label: 'process start -> first call served (ms)',
      target: { op: '<', value: 3000 },
    },
    { name: 'first_call_open', unit: 'ms', label: 'host open -> first call served (ms)' },
    { name: 'act_rate', unit: 'calls/s', label: `activating calls/s, ${IN_FLIGHT} in flight` },
    { name: 'act_p50', unit: 'ms', label: `activation p50 at ${ACTIVATION_RATE}/s (ms)` },
    { name: 'act_p99', unit: 'ms', label: `activation p99 at ${ACTIVATION_RATE}/s (ms)` },
    {
      name: 'rss',
      unit: 'MiB',
      label: `RSS, ${ACTIVE / 1000}k active (MiB)`,
      target: { op: '<', value: 1536 },
    },
  ],
  xstateMissing: NO_ANCHOR,
  otpMissing: NO_ANCHOR,
  serviceProcess: true,
  async governess(): Promise<Figures> {
    const dir = mkdtempSync(join(tmpdir(), 'gov-bench-durable-1m-'));
    try {
      const path = join(dir, 'durable.sqlite');
      const t0 = now();
      const bytes = await seedGovernors(path, SEEDED, Date.now());
      const seed = (now() - t0) / 1000;
      const c = await runChild(path);
      check(c.active === ACTIVE, `${ACTIVE} governors active at the RSS reading (${c.active})`);
      return {
        seed,
        db: bytes / MIB,
        first_call: c.firstCallFromStart,
        first_call_open: c.firstCallFromOpen,
        act_rate: c.activationRate,
        act_p50: c.activationP50,
        act_p99: c.activationP99,
        rss: c.rss / MIB,
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

/** The durable suites, in run order. */
export const durableSuites: readonly Suite[] = [
  storeSuite('sqlite', 'durable-sqlite', 20_000, 100_000),
  storeSuite('postgres', 'durable-postgres', 10_000, 60_000),
  millionSuite,
];
