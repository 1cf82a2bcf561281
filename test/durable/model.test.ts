// Issue 4's property: random interleavings of commands, timer expiries, passivations, restarts and crashes give
// the durable host the same receipts, answers and final states as a host that never passivates, restarts or
// crashes (the model). The rules that make "the same" well-defined are at the top of model/run.ts; what a crash
// is, in model/power-cut-store.ts and model/hosts.ts.
//
// GOV_MODEL_SEED=<n> replays a seed (fast-check prints the seed and the shrunk program of a failure);
// GOV_MODEL_RUNS=<n> multiplies the number of runs (for a longer soak).
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { requirePostgres } from '../support/postgres.js';
import { ModelSide, SutSide, type SutStoreKind } from './model/hosts.js';
import { programArb, type Op } from './model/ops.js';
import { ModelRun, emptyStats, type RunStats } from './model/run.js';

const SEED = Number(process.env.GOV_MODEL_SEED ?? 20_260_401);
const SCALE = Number(process.env.GOV_MODEL_RUNS ?? 1);

const RUNS: Record<SutStoreKind, { runs: number; maxOps: number }> = {
  memory: { runs: Math.round(200 * SCALE), maxOps: 30 },
  sqlite: { runs: Math.round(15 * SCALE), maxOps: 16 },
  postgres: { runs: Math.round(15 * SCALE), maxOps: 16 },
};

const totals = new Map<SutStoreKind, RunStats>();

async function check(kind: SutStoreKind, program: readonly Op[], stats: RunStats): Promise<void> {
  await using sut = await new SutSide(kind).open();
  await using model = await new ModelSide().open();
  const run = new ModelRun(sut, model, stats);
  for (const o of program) await run.apply(o);
  const seen = await run.observe();
  expect(seen.sut.unexplained, 'errors no crash or restart explains').toEqual([]);
  expect(seen.sut.receipts, 'receipts per governor').toEqual(seen.model.receipts);
  expect(seen.sut.answers, 'answer of every command').toEqual(seen.model.answers);
}

describe.each(['memory', 'sqlite', 'postgres'] as const)('durable host against its model on %s', (kind) => {
  it('gives the same receipts, answers and final states as a host that never stops', async (ctx) => {
    if (kind === 'postgres') {
      const why = await requirePostgres();
      if (why !== null) {
        console.log(`skipping the model test on PostgreSQL: ${why}`);
        ctx.skip();
      }
    }
    const stats = emptyStats();
    totals.set(kind, stats);
    const { runs, maxOps } = RUNS[kind];
    await fc.assert(
      fc.asyncProperty(programArb(maxOps), (program) => check(kind, program, stats)),
      // The per-run timeout turns a hang into a failing, shrinkable case; a passing run takes well under a second.
      { seed: SEED, numRuns: runs, timeout: 15_000 },
    );
  }, 600_000);
});

afterAll(() => {
  for (const [kind, s] of totals) console.log(`durable model on ${kind}: ${JSON.stringify(s)}`);
});
