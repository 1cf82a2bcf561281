// Differential testing against real Erlang/OTP: every scenario (written and random) runs through OTP's gen_statem
// (erlang/gov_diff.erl) and through our runtime (interpret.ts); the traces must be identical, event by event.
// Where erl/erlc are missing the comparison is skipped with the reason, except on CI, where it fails.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { runOurs, type Run } from './interpret.js';
import { otpUnavailable, runOtp, sideBySide, type OtpBatch } from './otp.js';
import { randomScenario } from './random.js';
import { validateScenario, type Scenario } from './scenario.js';
import { writtenScenarios } from './scenarios/index.js';

const SEED = Number(process.env.GOV_DIFF_SEED ?? 20260722);
const RANDOM_RUNS = Number(process.env.GOV_DIFF_RUNS ?? 150);
const ON_CI = process.env.CI === 'true';

interface Prepared {
  readonly scenario: Scenario;
  readonly ours: Run;
}

let unavailable: string | null = null;
let otp: OtpBatch | null = null;
const written: Prepared[] = [];
const random: Prepared[] = [];
let randomDiscarded = 0;

beforeAll(async () => {
  for (const scenario of writtenScenarios) written.push({ scenario, ours: await runOurs(scenario) });
  // Random scenarios whose timers would race real time on the OTP side are discarded (and counted).
  const candidates = fc.sample(randomScenario(), { seed: SEED, numRuns: RANDOM_RUNS * 3 });
  for (const [i, c] of candidates.entries()) {
    const scenario: Scenario = { ...c, name: `rnd_${i}` };
    if (random.length >= RANDOM_RUNS) break;
    const ours = await runOurs(scenario);
    if (ours.hazards.length > 0) randomDiscarded++;
    else random.push({ scenario, ours });
  }
  unavailable = await otpUnavailable();
  if (unavailable !== null) {
    if (!ON_CI) console.warn(`differential tests: OTP comparison skipped: ${unavailable}`);
    return;
  }
  otp = await runOtp([...written, ...random].map((p) => p.scenario));
  console.info(
    `differential tests: ${written.length} written + ${random.length} random scenarios ` +
      `(seed ${SEED}, ${randomDiscarded} discarded for timing hazards); OTP batch wall time ${otp.wallMs} ms`,
  );
}, 180_000);

function compare(p: Prepared, label: string, skip: () => void): void {
  if (unavailable !== null) {
    if (ON_CI) throw new Error(`CI=true but OTP is unavailable: ${unavailable}`);
    skip();
    return;
  }
  const theirs = otp?.traces.get(p.scenario.name);
  expect(theirs, `${label}: OTP produced no trace`).toBeDefined();
  const ours = p.ours.lines;
  if (JSON.stringify(ours) !== JSON.stringify(theirs)) {
    expect.fail(`${label}: traces differ\n${sideBySide(ours, theirs ?? [])}`);
  }
}

describe('differential: written scenarios vs OTP gen_statem', () => {
  it('OTP (erl, erlc) is available, or the comparison is skipped (fails on CI)', (ctx) => {
    if (unavailable !== null) {
      if (ON_CI) throw new Error(`CI=true but OTP is unavailable: ${unavailable}`);
      ctx.skip();
    }
  });

  it(`has at least 40 written scenarios with unique names`, () => {
    expect(writtenScenarios.length).toBeGreaterThanOrEqual(40);
    expect(new Set(writtenScenarios.map((s) => s.name)).size).toBe(writtenScenarios.length);
  });

  for (const sc of writtenScenarios) {
    it(sc.name, (ctx) => {
      const p = written.find((w) => w.scenario === sc) as Prepared;
      expect(validateScenario(sc)).toEqual([]);
      expect(p.ours.hazards, 'timing hazards: move script instants or timer times apart').toEqual([]);
      let at = 0;
      for (const line of sc.expect?.lines ?? []) {
        const i = p.ours.lines.indexOf(line, at);
        expect(i, `expected line "${line}" (in order) in\n${p.ours.lines.join('\n')}`).toBeGreaterThanOrEqual(
          0,
        );
        at = i + 1;
      }
      compare(p, sc.name, () => ctx.skip());
    });
  }
});

describe('differential: random scenarios vs OTP gen_statem (property: identical traces)', () => {
  it(`random programs and scripts give identical traces (seed ${SEED})`, (ctx) => {
    expect(random.length).toBeGreaterThan(RANDOM_RUNS / 2);
    if (unavailable !== null) {
      if (ON_CI) throw new Error(`CI=true but OTP is unavailable: ${unavailable}`);
      ctx.skip();
      return;
    }
    const failures: string[] = [];
    for (const [i, p] of random.entries()) {
      const theirs = otp?.traces.get(p.scenario.name) ?? [];
      if (JSON.stringify(p.ours.lines) !== JSON.stringify(theirs)) {
        failures.push(
          `random scenario #${i} (seed ${SEED}; rerun with GOV_DIFF_SEED=${SEED}):\n` +
            `${JSON.stringify(p.scenario)}\n${sideBySide(p.ours.lines, theirs)}`,
        );
      }
    }
    expect(failures.length, failures.slice(0, 3).join('\n\n')).toBe(0);
  });
});

describe('differential: the timing-hazard check', () => {
  it('flags two timers expiring together and a timer expiring at a script instant', async () => {
    const together = await runOurs({
      name: 'hazard_together',
      program: {
        init: { state: 'a', actions: [] },
        stateEnter: false,
        rules: [
          {
            state: '_',
            type: 'cast',
            content: '_',
            result: {
              r: 'keep_state_and_data',
              actions: [
                { a: 'timeout', kind: 'state', time: 2, content: 's' },
                { a: 'timeout', kind: 'generic', name: 'g', time: 2, content: 'g' },
              ],
            },
          },
        ],
      },
      script: [
        { s: 'cast', content: 'x' },
        { s: 'advance', units: 3.5 },
      ],
    });
    expect(together.hazards.length).toBeGreaterThan(0);
    const atInstant = await runOurs({
      name: 'hazard_at_instant',
      program: {
        init: { state: 'a', actions: [{ a: 'timeout', kind: 'state', time: 1, content: 's' }] },
        stateEnter: false,
        rules: [],
      },
      script: [
        { s: 'advance', units: 1 },
        { s: 'cast', content: 'x' },
        { s: 'advance', units: 0.5 },
      ],
    });
    expect(atInstant.hazards.length).toBeGreaterThan(0);
  });
});
