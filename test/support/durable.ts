// Fixtures for durable-host tests: a store of each kind that can be reopened (a restart) or abandoned without a
// flush, with a SimulatedClock so 30-day timers run in a millisecond.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DurableHost, type DurableHostOptions } from '../../src/durable/index.js';
import { generateSigner, type LedgerStore } from '../../src/ledger/index.js';
import { SimulatedClock } from '../../src/runtime/clock/index.js';
import { STORE_KINDS, storeMaker } from './ledger.js';

export { STORE_KINDS };

/** One test's durable host, restartable over the same data. */
export interface DurableFixture extends AsyncDisposable {
  /** The current host. */
  readonly host: DurableHost;
  readonly clock: SimulatedClock;
  /** A new store over the same data (for direct reads). */
  readonly store: () => LedgerStore;
  /** Closes the host cleanly and opens a new one over the same data. */
  restart(options?: Partial<DurableHostOptions>): Promise<DurableHost>;
  /** Lets the runtime and the ledger finish what is in flight. */
  settle(): Promise<void>;
}

type Kind = (typeof STORE_KINDS)[number];

/** Opens a durable host on a fresh store of `kind`; returns the skip reason when PostgreSQL is missing. */
export async function openDurable(
  kind: Kind,
  options: Omit<DurableHostOptions, 'store' | 'clock' | 'signer'>,
): Promise<DurableFixture | string> {
  const dir = mkdtempSync(join(tmpdir(), 'gov-durable-'));
  const maker = await storeMaker(kind, dir);
  if (typeof maker === 'string') return maker;
  const { make: makeStore, drop } = maker;
  const clock = new SimulatedClock();
  const signer = generateSigner('governess.test/durable').signer;
  const open = (over: Partial<DurableHostOptions> = {}): Promise<DurableHost> =>
    DurableHost.open({
      ledger: { checkpointIntervalMs: 0, groupCommit: { maxDelayMs: 0 } },
      ...options,
      ...over,
      store: makeStore(),
      clock,
      signer,
    });
  let host = await open();
  const settle = async (): Promise<void> => {
    await host.idle();
    await clock.settle();
  };
  return {
    get host() {
      return host;
    },
    clock,
    store: makeStore,
    settle,
    async restart(over) {
      await host.close();
      host = await open(over);
      return host;
    },
    [Symbol.asyncDispose]: async () => {
      await host.close().catch(() => undefined);
      await drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** openDurable, or skips the test with the reason printed (never under CI=true, where it fails instead). */
export async function openDurableOrSkip(
  ctx: { skip: () => void },
  kind: Kind,
  options: Omit<DurableHostOptions, 'store' | 'clock' | 'signer'>,
): Promise<DurableFixture> {
  const f = await openDurable(kind, options);
  if (typeof f === 'string') {
    console.warn(`durable test on ${kind} skipped: ${f}`);
    ctx.skip();
    throw new Error(f);
  }
  return f;
}

/**
 * A durable host on a store the test made itself (wrapped, or behind a TCP forwarder), with a SimulatedClock and
 * commits that go at once; closed on dispose (the store's data is the test's to remove).
 */
export async function openHostOn(
  store: LedgerStore,
  options: Omit<DurableHostOptions, 'store' | 'clock' | 'signer'>,
): Promise<{ host: DurableHost } & AsyncDisposable> {
  const clock = new SimulatedClock();
  const host = await DurableHost.open({
    ledger: { checkpointIntervalMs: 0, groupCommit: { maxDelayMs: 0 } },
    ...options,
    store,
    clock,
    signer: generateSigner('governess.test/durable').signer,
  });
  return {
    host,
    [Symbol.asyncDispose]: async () => {
      await host.close();
      clock[Symbol.dispose]();
    },
  };
}
