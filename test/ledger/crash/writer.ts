// The crash-test writer: a child process the crash test kills with SIGKILL at random moments. It opens a Ledger
// with real time and a small group-commit delay, and appends continuously from many concurrent producers across
// CRASH_LEDGERS ledgers (some appends with idempotency keys, some re-sent, some with private payloads, every one
// with a side-table row). It prints one JSON line per event on stdout; an ack line only after the append's
// promise resolved, that is, after COMMIT, and a failed line when an append was rejected. It never exits by
// itself except on an unexpected error (exit 1) or when its safety timer runs out (exit 3), so any exit other
// than SIGKILL fails the test.
//
//   node --import tsx test/ledger/crash/writer.ts --store sqlite --path FILE --key KEYFILE --run RUN --seed N
//   node --import tsx test/ledger/crash/writer.ts --store postgres --url URL --schema S --key KEYFILE ...
import { parseArgs } from 'node:util';
import { GovernessError, LedgerErrors } from '../../../src/errors/index.js';
import {
  Ledger,
  ledgerId,
  readSignerKeyFile,
  type AppendAck,
  type LedgerStore,
} from '../../../src/ledger/index.js';
import { RealClock } from '../../../src/runtime/clock/index.js';
import { storeFromArgs } from './child-store.js';
import { holdLivenessLock } from './liveness.js';
import { SeededRandom } from './random.js';
import {
  CRASH_LEDGERS,
  CRASH_TABLE,
  draftFor,
  rowFor,
  type AppendSpec,
  type WriterEvent,
} from './workload.js';

const { values: args } = parseArgs({
  options: {
    store: { type: 'string' },
    path: { type: 'string' },
    url: { type: 'string' },
    schema: { type: 'string' },
    key: { type: 'string' },
    run: { type: 'string' },
    seed: { type: 'string', default: '1' },
    producers: { type: 'string', default: '48' },
    'delay-ms': { type: 'string', default: '2' },
    'checkpoint-ms': { type: 'string', default: '40' },
    'max-seconds': { type: 'string', default: '120' },
  },
});

function required(name: string, value: string | undefined): string {
  if (value === undefined || value === '') fail(`missing --${name}`);
  return value;
}

function fail(problem: string): never {
  process.stderr.write(`crash writer: ${problem}\n`);
  process.exit(1);
}

function emit(event: WriterEvent): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

function openStore(): LedgerStore {
  return storeFromArgs(args, fail);
}

/** Prints checkpoint events around the store write, so the parent can kill the writer in the middle of one. */
function announceCheckpoints(store: LedgerStore): void {
  const save = store.saveCheckpoint.bind(store);
  store.saveCheckpoint = async (cp) => {
    emit({ t: 'checkpoint', phase: 'saving', size: cp.size });
    await save(cp);
    emit({ t: 'checkpoint', phase: 'saved', size: cp.size });
  };
}

async function produce(
  ledger: Ledger,
  clock: RealClock,
  producer: number,
  run: string,
  random: SeededRandom,
): Promise<never> {
  const acked: AppendSpec[] = []; // this producer's acknowledged idempotent appends, to re-send some
  for (let n = 0; ; n++) {
    // Like a server between requests, give the event loop a turn: a producer that appends again the moment its
    // ack resolves can keep the process in microtasks whenever the store answers without I/O, and then timers
    // (the checkpoint interval) starve — seen with the synchronous SQLite store before it got its writer thread.
    await new Promise<void>((resolve) => clock.defer(resolve));
    const again = acked.length > 0 && random.chance(0.05);
    const spec: AppendSpec = again
      ? (acked[random.int(0, acked.length - 1)] as AppendSpec)
      : {
          run,
          producer,
          n,
          ledgerNo: random.int(0, CRASH_LEDGERS - 1),
          idempotent: random.chance(0.3),
          private: random.chance(0.2),
        };
    const d = draftFor(spec);
    let ack: AppendAck;
    try {
      ack = await ledger.append(d, { rows: [rowFor(spec, ledgerId(d.governor, d.sku_id, d.tenant_id))] });
    } catch (err) {
      // A rejected append is not acknowledged; the parent checks that nothing of it was stored.
      if (!GovernessError.is(err, LedgerErrors.appendFailed)) throw err;
      emit({ t: 'failed', spec, resend: again, error: `${err.code}: ${err.message}` });
      continue;
    }
    emit({
      t: 'ack',
      spec,
      duplicate: ack.duplicate,
      receiptId: ack.receipt.receipt_id,
      index: ack.index,
      ledger: ack.receipt.ledger,
      seq: ack.receipt.ledger_seq,
      leafHash: ack.leafHash,
    });
    if (spec.idempotent && !again) acked.push(spec);
  }
}

async function main(): Promise<void> {
  // A dead parent closes our stdout: stop rather than append forever.
  process.stdout.on('error', () => process.exit(2));
  const clock = new RealClock();
  clock.schedule(
    clock.now() + Number(args['max-seconds']) * 1000,
    { onTimer: () => fail('safety timer ran out') },
    0,
  );
  const run = required('run', args.run);
  const signer = await readSignerKeyFile(required('key', args.key));
  if (args.store === 'postgres') {
    await holdLivenessLock(required('url', args.url), required('schema', args.schema));
  }
  const store = openStore();
  store.defineTable(CRASH_TABLE);
  announceCheckpoints(store);
  emit({ t: 'opening' });
  const ledger = await Ledger.open({
    store,
    clock,
    signer,
    checkpointIntervalMs: Number(args['checkpoint-ms']),
    groupCommit: { maxDelayMs: Number(args['delay-ms']) },
  });
  emit({ t: 'ready', size: ledger.size });
  const seed = Number(args.seed);
  const producers = Number(args.producers);
  await Promise.all(
    Array.from({ length: producers }, (_, p) =>
      produce(ledger, clock, p, run, new SeededRandom(seed * 1000 + p)),
    ),
  );
}

main().catch((err: unknown) => fail(err instanceof Error ? (err.stack ?? err.message) : String(err)));
