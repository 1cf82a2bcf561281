// The clean run after the last kill, in the test process: a host on a RealClock over the database sends every
// command still unacknowledged again with its key (each must now be acknowledged, applied at most once), lets
// the due scanner activate every governor whose timer fell due while no host ran, waits until those timers have
// fired, and closes. Its acks then go through the same checks as a killed child's.
import { DurableHost, GOVERNORS_TABLE, decodeTimerRows } from '../../../src/durable/index.js';
import type { NoteSigner } from '../../../src/ledger/index.js';
import { RealClock } from '../../../src/runtime/clock/index.js';
import type { CrashTarget } from '../../ledger/crash/crash-targets.js';
import type { Command } from './events.js';
import { hostOptions } from './host-options.js';
import type { Ack, HostRun } from './host-process.js';

/** Scan-and-settle rounds before giving up on the overdue timers (one is normally enough). */
const MAX_ROUNDS = 10;

/** Timers (`<gkey>#<gen>`) among `ids` that stored rows still hold. */
async function stillArmed(target: CrashTarget, ids: ReadonlySet<string>): Promise<number> {
  let n = 0;
  for (const row of await target.tableRows(GOVERNORS_TABLE)) {
    for (const t of decodeTimerRows(row.timers as Uint8Array)) if (ids.has(`${row.gkey}#${t.gen}`)) n++;
  }
  return n;
}

/** Runs the clean final host: retries `pending`, fires the timers `overdue` names, closes. */
export async function finalRun(
  target: CrashTarget,
  signer: NoteSigner,
  pending: readonly Command[],
  overdue: ReadonlySet<string>,
): Promise<HostRun> {
  using clock = new RealClock();
  const options = hostOptions(1);
  const host = await DurableHost.open({
    ...options,
    // No activation budget: the test waits for the backlog, not a production catch-up rate.
    scan: { ...options.scan, activationRate: 1_000_000 },
    store: target.openStore(),
    clock,
    signer,
  });
  try {
    const acks: Ack[] = await Promise.all(
      pending.map(async (c) => {
        const r = (await host.call(c.g, { type: 'add', n: c.n }, { idempotencyKey: c.k })) as number;
        return { ...c, how: 'retry' as const, r };
      }),
    );
    for (let round = 0; round < MAX_ROUNDS && (await stillArmed(target, overdue)) > 0; round++) {
      await host.scanDue();
      await host.idle();
    }
    const s = host.stats();
    return {
      sends: [],
      acks,
      refused: [],
      failed: [],
      counts: {
        created: s.created,
        activations: s.activations,
        passivated: s.passivated,
        steps: s.stepsCommitted,
      },
      opened: true,
      killedAsPlanned: true,
    };
  } finally {
    await host.close();
  }
}
