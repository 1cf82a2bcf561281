// kill -9 a durable host in the middle of its work, on SQLite and on PostgreSQL, many times over one growing
// database (issue 4's proof): 10,000 tally governors, 2,000 in memory, 48 producers sending keyed adds while short
// timers keep falling due. After every kill the database must hold every acknowledged command exactly once with
// its reply, rows that agree with the receipts, timers that fire once and are never lost, outbox casts between
// governors applied exactly once, and a ledger that verifies; unacknowledged commands are retried with their keys by the next run, which also fires the timers
// that fell due while no host ran. GOV_CRASH_CYCLES (default 8) sets the kills per store, GOV_CRASH_SEED replays
// a run's kill plan and workload. The pattern is test/ledger/crash's, whose helpers it uses.
import { randomInt } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DURABLE_TABLES } from '../../../src/durable/index.js';
import { generateSigner, writeSignerKeyFile } from '../../../src/ledger/index.js';
import { compileWriter } from '../../ledger/crash/compile-writer.js';
import { intFromEnv } from '../../ledger/crash/crash-env.js';
import { crashTarget } from '../../ledger/crash/crash-targets.js';
import { SeededRandom } from '../../ledger/crash/random.js';
import { CrashChecker, type CheckTotals } from './check.js';
import { finalRun } from './final-run.js';
import { runHostUntilKilled, type HostRun, type KillMoment } from './host-process.js';

/** The first four cycles kill at fixed moments (see killMoment); the rest at random ones. */
const CYCLES = intFromEnv('GOV_CRASH_CYCLES', 8, 4);
const SEED = intFromEnv('GOV_CRASH_SEED', randomInt(1, 2 ** 31), 1);
/** The first cycle whose host runs the tally at data version 1 (migrating governors as it loads them). */
const SWITCH = Math.floor(CYCLES / 2);
/** Most acknowledgements to wait for before a kill. */
const MAX_ACKS = 500;
const CHILD = fileURLToPath(new URL('./child.ts', import.meta.url));

/**
 * The kill moment of a cycle: the first cycles cover the rare moments for sure (during the very first open of an
 * empty database; right after an open, while the due scanner catches up on timers that fell due during the
 * outage); later cycles draw at random, mostly after a random number of acknowledgements.
 */
function killMoment(cycle: number, random: SeededRandom): KillMoment {
  if (cycle === 0) return { at: 'opening' };
  if (cycle === 1) return { at: 'acks', count: random.int(MAX_ACKS / 2, MAX_ACKS) };
  if (cycle === 2) return { at: 'ready' };
  // After the catch-up that cycle 2 interrupted (timers that fell due during two outages fire in this run),
  // and only once the host has sent idle governors out of memory, so every test kills a host that passivates
  // whatever the machine's speed (a kill after a number of acks can land before the first idle sweep).
  if (cycle === 3) return { at: 'passivated' };
  const r = random.next();
  if (r < 0.05) return { at: 'opening' };
  if (r < 0.15) return { at: 'ready' };
  if (r < 0.25) return { at: 'acks', count: random.int(1, 20) };
  return { at: 'acks', count: random.int(1, MAX_ACKS) };
}

/** Where the kill really landed: an open may finish before an `opening` kill does. */
function killedIn(moment: KillMoment, run: HostRun): KillMoment['at'] {
  if (moment.at === 'opening' && run.opened) return 'ready';
  return moment.at;
}

interface HostTotals {
  killedIn: Record<KillMoment['at'], number>;
  activations: number;
  passivated: number;
}

/** The value below which a fraction `q` of `values` lies (0 for none). */
function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

function summary(kind: string, c: CrashChecker, t: CheckTotals, h: HostTotals, byChildren: number): string {
  const k = h.killedIn;
  const n = c.history.counts;
  const late = n.lateMs;
  return (
    `durable crash ${kind}: ${CYCLES} SIGKILLs (${k.opening} during an open, ${k.ready} right after an ` +
    `open, ${k.acks} after 1-${MAX_ACKS} acks, ${k.passivated} after passivations) + a clean final run; ${t.acks} acks; ${t.commandsChecked} ` +
    `commands checked (one receipt, reply row = reply), ${t.appliedUnacked} applied but unacknowledged; ` +
    `retried ${t.retriesDeduped} deduplicated + ${t.retriesApplied} applied; ${t.resendsDeduped} re-sends ` +
    `deduplicated, ${t.conflictsRefused} conflicting re-sends refused; ` +
    `${n.steps} steps on ${c.history.governors.size} governors (>= ${h.activations} activations, ` +
    `>= ${h.passivated} passivations), every row = its receipts; ${n.timersFired} timers fired once each ` +
    `(late p50 ${quantile(late, 0.5)} ms, p99 ${quantile(late, 0.99)} ms, max ${quantile(late, 1)} ms), ` +
    `${t.overdueFired} of them due while no host ran (${byChildren} fired by a killed child, the rest by ` +
    `the final run; max ${t.overdueMaxLateMs} ms late); ${n.castsSent} outbox casts, ${n.castsApplied} ` +
    `applied once each (${t.outboxAfterKill} of them from a row that outlived a kill), ${t.outboxWaiting} ` +
    `still in the outbox; ${n.migrations} governors migrated to data version 1 (from cycle ${SWITCH} on, ` +
    `kills included); log of ${c.size} ` +
    `receipts verifies (seed ${SEED})`
  );
}

describe('kill -9 of a durable host', () => {
  let jsDir = '';
  let childJs = '';
  beforeAll(() => {
    jsDir = mkdtempSync(join(tmpdir(), 'gov-durable-crash-js-'));
    childJs = compileWriter(jsDir, CHILD);
  });
  afterAll(() => rmSync(jsDir, { recursive: true, force: true }));

  // The two stores run side by side: much of a cycle is waiting (process start, fsync, the server).
  it.concurrent.for(['sqlite', 'postgres'] as const)(
    `on %s keeps every acknowledged command and timer across ${CYCLES} SIGKILLs`,
    { timeout: 60_000 + CYCLES * 15_000 },
    async (kind, ctx) => {
      const target = await crashTarget(kind, DURABLE_TABLES);
      if (typeof target === 'string') {
        console.warn(`durable crash test on ${kind} skipped: ${target}`);
        ctx.skip();
        return;
      }
      await using _target = target;
      const keys = generateSigner('governess.test/durable-crash');
      const keyFile = join(target.dir, 'signer.key');
      await writeSignerKeyFile(keyFile, keys.signerKey);
      const retryFile = join(target.dir, 'retry.json');

      const random = new SeededRandom(SEED);
      const checker = new CrashChecker(target, keys.signer, keys.verifier);
      const hosts: HostTotals = {
        killedIn: { opening: 0, ready: 0, acks: 0, passivated: 0 },
        activations: 0,
        passivated: 0,
      };
      for (let cycle = 0; cycle < CYCLES; cycle++) {
        const moment = killMoment(cycle, random);
        writeFileSync(retryFile, JSON.stringify([...checker.pending.values()]));
        if (cycle === SWITCH) checker.switchedAt = checker.size;
        const run = await runHostUntilKilled(
          childJs,
          [
            ...target.writerArgs,
            ...['--key', keyFile, '--run', `c${cycle}`, '--seed', String(SEED + cycle)],
            ...['--retry', retryFile, '--era', cycle >= SWITCH ? '1' : '0'],
          ],
          moment,
        );
        hosts.killedIn[killedIn(moment, run)]++;
        hosts.activations += run.counts.activations;
        hosts.passivated += run.counts.passivated;
        await checker.check(run);
      }
      const firedInKilledRuns = checker.totals.overdueFired;
      const overdueBefore = new Set(checker.overdue.keys());
      const last = await finalRun(target, keys.signer, [...checker.pending.values()], overdueBefore);
      await checker.check(last);
      hosts.activations += last.counts.activations;
      hosts.passivated += last.counts.passivated;
      const t = checker.totals;
      console.log(summary(kind, checker, t, hosts, firedInKilledRuns));

      expect(checker.pending.size, 'commands still unacknowledged after the clean run').toBe(0);
      const unfired = [...overdueBefore].filter((id) => checker.overdue.has(id));
      expect(unfired, `of ${overdueBefore.size} timers overdue before the clean run, not fired`).toEqual([]);
      // The kills must have landed on a busy host, or the checks above proved little.
      expect(t.acks).toBeGreaterThan(CYCLES * 10);
      expect(hosts.killedIn.opening + hosts.killedIn.ready).toBeGreaterThan(0);
      expect(hosts.killedIn.acks).toBeGreaterThan(0);
      expect(firedInKilledRuns, 'timers due while no host ran, fired by a restarted child').toBeGreaterThan(
        0,
      );
      expect(hosts.passivated, 'passivations').toBeGreaterThan(0);
      expect(t.resendsDeduped).toBeGreaterThan(0);
      expect(checker.history.counts.migrations, 'governors migrated').toBeGreaterThan(0);
    },
  );
});
