// kill -9 the ledger writer in the middle of its batches, on SQLite and on PostgreSQL, many times over one growing
// database: every acknowledged receipt must survive exactly as acknowledged, nothing unacknowledged may be
// reported as acknowledged, and the log must verify. GOV_CRASH_CYCLES (default 20) sets the cycles per store,
// GOV_CRASH_SEED replays a run's kill plan and workload. See docs/ledger/storage.md, "Crash safety".
import { randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigner, writeSignerKeyFile } from '../../../src/ledger/index.js';
import { PG_URL, requirePostgres, throwawaySchema } from '../../support/postgres.js';
import { checkAfterCrash, type CrashCheck } from './check-after-crash.js';
import { compileWriter } from './compile-writer.js';
import { intFromEnv } from './crash-env.js';
import { crashTarget, provePostgresUnlocked } from './crash-targets.js';
import { SeededRandom } from './random.js';
import { livenessLockName } from './liveness.js';
import { CRASH_KEY_NAME } from './workload.js';
import { runWriterUntilKilled, type KilledWriter, type KillMoment } from './writer-process.js';

/** The first three cycles kill at fixed moments (see killMoment); the rest at random ones. */
const CYCLES = intFromEnv('GOV_CRASH_CYCLES', 20, 4);
const SEED = intFromEnv('GOV_CRASH_SEED', randomInt(1, 2 ** 31), 1);
/** Most acknowledgements to wait for before a kill. */
const MAX_ACKS = 600;

/**
 * The kill moment of a cycle: the first three cycles cover the rare moments for sure (during the very first open
 * of an empty database, before any acknowledgement, in a checkpoint); later cycles draw at random, mostly after
 * a random number of acknowledgements, sometimes after very few.
 */
function killMoment(cycle: number, random: SeededRandom): KillMoment {
  if (cycle === 0) return { at: 'opening' };
  if (cycle === 1) return { at: 'ready' };
  if (cycle === 2) return { at: 'checkpoint', afterAcks: random.int(0, 200) };
  const r = random.next();
  if (r < 0.1) return { at: 'ready' };
  if (r < 0.3) return { at: 'checkpoint', afterAcks: random.int(0, MAX_ACKS) };
  if (r < 0.4) return { at: 'acks', count: random.int(1, 20) };
  return { at: 'acks', count: random.int(1, MAX_ACKS) };
}

/** Where the kill really landed: a checkpoint kill may fall back to an ack count, an open may finish first. */
function killedIn(moment: KillMoment, writer: KilledWriter): KillMoment['at'] {
  if (!writer.killedAsPlanned) return 'acks';
  if (moment.at === 'opening' && writer.sizeAtOpen !== null) return 'ready';
  return moment.at;
}

interface Totals {
  acked: number;
  duplicateAcks: number;
  beyondAcks: number;
  keysDeduped: number;
  checkpointsChecked: number;
  rejected: number;
  killedIn: Record<KillMoment['at'], number>;
}

function summary(kind: string, totals: Totals, size: number): string {
  const k = totals.killedIn;
  return (
    `crash ${kind}: ${CYCLES} SIGKILLs (${k.opening} in the first open, ${k.ready} before any ack, ` +
    `${k.checkpoint} in a checkpoint, ${k.acks} after 1-${MAX_ACKS} acks); ${totals.acked} acknowledged ` +
    `receipts all present as acknowledged (+${totals.duplicateAcks} duplicate acks), ${totals.beyondAcks} ` +
    `committed but unacknowledged; ${totals.rejected} appends rejected, none stored; ` +
    `${totals.keysDeduped} idempotency keys deduplicated after restart; ${totals.checkpointsChecked} writer ` +
    `checkpoints consistent; log of ${size} receipts verifies (seed ${SEED})`
  );
}

describe('kill -9 of the ledger writer', () => {
  let jsDir = '';
  let writerJs = '';
  beforeAll(() => {
    jsDir = mkdtempSync(join(tmpdir(), 'gov-crash-js-'));
    writerJs = compileWriter(jsDir);
  });
  afterAll(() => rmSync(jsDir, { recursive: true, force: true }));

  // The two stores run side by side: most of a cycle is waiting (process start, fsync, the server).
  it.concurrent.for(['sqlite', 'postgres'] as const)(
    `on %s keeps every acknowledged receipt across ${CYCLES} SIGKILLs`,
    { timeout: 30_000 + CYCLES * 5_000 },
    async (kind, ctx) => {
      const target = await crashTarget(kind);
      if (typeof target === 'string') {
        console.warn(`crash test on ${kind} skipped: ${target}`);
        ctx.skip();
        return;
      }
      await using _target = target;
      const keys = generateSigner(CRASH_KEY_NAME);
      const keyFile = join(target.dir, 'signer.key');
      await writeSignerKeyFile(keyFile, keys.signerKey);

      const random = new SeededRandom(SEED);
      const totals: Totals = {
        acked: 0,
        duplicateAcks: 0,
        beyondAcks: 0,
        keysDeduped: 0,
        checkpointsChecked: 0,
        rejected: 0,
        killedIn: { opening: 0, ready: 0, checkpoint: 0, acks: 0 },
      };
      let size = 0;
      let trusted: CrashCheck['checkpoint'] | null = null;
      for (let cycle = 0; cycle < CYCLES; cycle++) {
        const moment = killMoment(cycle, random);
        const writer = await runWriterUntilKilled(
          writerJs,
          [...target.writerArgs, '--key', keyFile, '--run', `c${cycle}`, '--seed', String(SEED + cycle)],
          moment,
        );
        totals.killedIn[killedIn(moment, writer)]++;
        const check = await checkAfterCrash({
          target,
          writer,
          signer: keys.signer,
          verifier: keys.verifier,
          sizeBefore: size,
          trusted,
        });
        totals.acked += check.acked;
        totals.duplicateAcks += check.duplicateAcks;
        totals.beyondAcks += check.beyondAcks;
        totals.keysDeduped += check.keysDeduped;
        totals.checkpointsChecked += check.checkpointsChecked;
        totals.rejected += check.rejected;
        size = check.sizeAfter;
        trusted = check.checkpoint;
      }
      console.log(summary(kind, totals, size));
      // The kills must have landed on a busy writer, or the checks above proved little.
      expect(totals.acked).toBeGreaterThan(CYCLES * 10);
      expect(totals.killedIn.opening + totals.killedIn.ready).toBeGreaterThan(0);
      expect(totals.killedIn.acks).toBeGreaterThan(0);
      expect(totals.keysDeduped).toBeGreaterThan(0);
    },
  );

  it('the PostgreSQL lock check fails while a session still holds a lock', async (ctx) => {
    const why = await requirePostgres();
    if (why !== null) return ctx.skip();
    const schema = throwawaySchema('gov_crash');
    const holder = new pg.Client({ connectionString: PG_URL });
    const checker = new pg.Client({ connectionString: PG_URL });
    await holder.connect();
    await checker.connect();
    try {
      await holder.query('SELECT pg_advisory_lock(hashtext($1))', [livenessLockName(schema)]);
      await checker.query("SET lock_timeout = '100ms'");
      await expect(provePostgresUnlocked(checker, schema)).rejects.toThrow(/still held.*lock timeout/);
      await holder.end(); // the session ends: the server releases its lock
      await checker.query("SET lock_timeout = '10s'");
      await expect(provePostgresUnlocked(checker, schema)).resolves.toBeUndefined();
    } finally {
      await holder.end().catch(() => undefined);
      await checker.end();
    }
  });
});
