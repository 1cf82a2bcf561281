// The durable crash-test child: a process the crash test kills with SIGKILL at random moments. It opens a
// DurableHost on a RealClock over the given store with the tally kind (tally.ts), few governors in memory
// (`--max-active`) and a short idle time, so governors are passivated and activated again all the time while
// their short timers keep falling due. Many concurrent producers send keyed `add` calls to random governors of
// `--governors`; the commands of `--retry` (sent by an earlier, killed child and never acknowledged) are sent
// again first, with their original keys. Some acknowledged keys are re-sent as they were (deduplicated), a few
// with a different `n` (refused). Each ack is printed only after its promise resolved, that is, after COMMIT.
// It never exits by itself except on an unexpected error (exit 1) or when its safety timer runs out (exit 3).
//
//   node child.js --store sqlite --path FILE --key KEYFILE --run RUN --seed N [--retry FILE] [--era 0|1]
//   node child.js --store postgres --url URL --schema S --key KEYFILE ...
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DurableHost } from '../../../src/durable/index.js';
import { DurableErrors, GovernessError } from '../../../src/errors/index.js';
import { readSignerKeyFile, type LedgerStore } from '../../../src/ledger/index.js';
import { RealClock } from '../../../src/runtime/clock/index.js';
import { storeFromArgs } from '../../ledger/crash/child-store.js';
import { holdLivenessLock } from '../../ledger/crash/liveness.js';
import { SeededRandom } from '../../ledger/crash/random.js';
import type { AckHow, ChildEvent, Command } from './events.js';
import { hostOptions } from './host-options.js';
import { tallyGkey } from './tally.js';

/** How often the child prints its host's counters. */
const STATS_MS = 200;

const { values: args } = parseArgs({
  options: {
    store: { type: 'string' },
    path: { type: 'string' },
    url: { type: 'string' },
    schema: { type: 'string' },
    key: { type: 'string' },
    run: { type: 'string' },
    seed: { type: 'string', default: '1' },
    retry: { type: 'string' },
    producers: { type: 'string', default: '48' },
    governors: { type: 'string', default: '10000' },
    'max-seconds': { type: 'string', default: '120' },
    era: { type: 'string', default: '0' },
  },
});

function required(name: string, value: string | undefined): string {
  if (value === undefined || value === '') fail(`missing --${name}`);
  return value;
}

function fail(problem: string, code = 1): never {
  process.stderr.write(`durable crash child: ${problem}\n`);
  process.exit(code);
}

function emit(event: ChildEvent): void {
  // Writes to a pipe are synchronous on Linux: once this returns, the line is the parent's to read.
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

function openStore(): LedgerStore {
  return storeFromArgs(args, fail);
}

/** What one producer needs: the host, the shared queue of commands to send again, its own random numbers. */
interface Producer {
  readonly host: DurableHost;
  readonly clock: RealClock;
  readonly retries: Command[];
  readonly random: SeededRandom;
  readonly name: string;
  readonly governors: number;
}

/** The next command of a producer and how it is sent. */
function nextCommand(p: Producer, acked: readonly Command[], i: number): { cmd: Command; how: AckHow } {
  const retry = p.retries.pop();
  if (retry !== undefined) return { cmd: retry, how: 'retry' };
  if (acked.length > 0 && p.random.chance(0.05)) {
    return { cmd: acked[p.random.int(0, acked.length - 1)] as Command, how: 'resend' };
  }
  if (acked.length > 0 && p.random.chance(0.01)) {
    const was = acked[p.random.int(0, acked.length - 1)] as Command;
    return { cmd: { ...was, n: was.n + 1 }, how: 'conflict' };
  }
  const cmd = {
    g: tallyGkey(p.random.int(0, p.governors - 1)),
    k: `${p.name}.${i}`,
    n: p.random.int(1, 9),
  };
  emit({ t: 'send', ...cmd });
  return { cmd, how: 'new' };
}

async function produce(p: Producer): Promise<never> {
  const acked: Command[] = []; // this producer's acknowledged commands, to re-send some
  for (let i = 0; ; i++) {
    // Give the event loop a turn between commands, as a server does between requests, so timers never starve.
    await new Promise<void>((resolve) => p.clock.defer(resolve));
    const { cmd, how } = nextCommand(p, acked, i);
    let r: number;
    try {
      r = (await p.host.call(cmd.g, { type: 'add', n: cmd.n }, { idempotencyKey: cmd.k })) as number;
    } catch (err) {
      if (how === 'conflict' && GovernessError.is(err, DurableErrors.idempotencyConflict)) {
        emit({ t: 'refused', ...cmd });
        continue;
      }
      const error = err instanceof GovernessError ? `${err.code}: ${err.message}` : String(err);
      emit({ t: 'failed', error, ...cmd });
      if (how !== 'conflict') p.retries.push(cmd); // sent again, same key: it must still apply at most once
      continue;
    }
    emit({ t: 'ack', how, r, ...cmd });
    if (how === 'new' || how === 'retry') acked.push(cmd);
  }
}

/** Prints the host's counters every STATS_MS (one clock timer, re-armed when it fires). */
function reportStats(host: DurableHost, clock: RealClock): void {
  const tick = {
    onTimer: () => {
      const s = host.stats();
      emit({
        t: 'stats',
        created: s.created,
        activations: s.activations,
        passivated: s.passivated,
        steps: s.stepsCommitted,
      });
      clock.schedule(clock.now() + STATS_MS, tick, 0);
    },
  };
  clock.schedule(clock.now() + STATS_MS, tick, 0);
}

async function main(): Promise<void> {
  // A dead parent closes our stdout: stop rather than run forever.
  process.stdout.on('error', () => process.exit(2));
  const clock = new RealClock();
  clock.schedule(
    clock.now() + Number(args['max-seconds']) * 1000,
    { onTimer: () => fail('safety timer ran out', 3) },
    0,
  );
  const run = required('run', args.run);
  const signer = await readSignerKeyFile(required('key', args.key));
  const retries = args.retry === undefined ? [] : (JSON.parse(readFileSync(args.retry, 'utf8')) as Command[]);
  if (args.store === 'postgres') {
    await holdLivenessLock(required('url', args.url), required('schema', args.schema));
  }
  const store = openStore();
  emit({ t: 'opening' });
  const host = await DurableHost.open({ ...hostOptions(args.era === '1' ? 1 : 0), store, clock, signer });
  emit({ t: 'ready' });
  reportStats(host, clock);
  const seed = Number(args.seed);
  const governors = Number(args.governors);
  retries.reverse(); // popped from the end: the oldest command first
  await Promise.all(
    Array.from({ length: Number(args.producers) }, (_, i) =>
      produce({
        host,
        clock,
        retries,
        random: new SeededRandom(seed * 1000 + i),
        name: `${run}.${i}`,
        governors,
      }),
    ),
  );
}

main().catch((err: unknown) => fail(err instanceof Error ? (err.stack ?? err.message) : String(err)));
