// SUP-01 flags and their defaults; child spec validation (SUP-07's significant rules, SUP-03's one spec for
// simple_one_for_one) with typed GOV_BAD_CHILD_SPEC errors naming the child and the problem.
import { describe, expect, it } from 'vitest';
import { GovernessError, RuntimeErrors } from '../../../../src/errors/index.js';
import {
  checkChildSpecs,
  startSupervisor,
  type ChildSpec,
  type SupervisorSpec,
} from '../../../../src/runtime/index.js';
import { harness } from '../../../support/harness.js';
import { crash, pidOf, supervise, supervisorOf, worker } from './fixtures.js';

async function rejection(spec: SupervisorSpec): Promise<GovernessError> {
  await using h = harness();
  const err: unknown = await startSupervisor(h.rt, spec).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GovernessError);
  expect(h.rt.processCount, 'nothing is started for an invalid spec').toBe(0);
  return err as GovernessError;
}

describe('supervisor flags and child specs', () => {
  it('SUP-01 flags default to one_for_one, intensity 1, period 5 s, autoShutdown never', async () => {
    await using h = harness();
    const log: string[] = [];
    const sup = await supervise(h, { children: [worker('a', log), worker('b', log)] });
    expect(supervisorOf(sup).flags).toEqual({
      strategy: 'one_for_one',
      intensity: 1,
      period: 5,
      autoShutdown: 'never',
    });
    const b = await pidOf(h, sup, 'b');
    await crash(h, await pidOf(h, sup, 'a'));
    expect((await pidOf(h, sup, 'b')) === b, 'one_for_one leaves the sibling alone').toBe(true);
    await h.advance(4999);
    const exited = h.rt.exited(sup);
    await crash(h, await pidOf(h, sup, 'a'));
    expect(await exited, 'a second restart within 5 s exceeds intensity 1').toBe('shutdown');
  });

  it('SUP-01 invalid flags are rejected with GOV_BAD_ARGUMENT', async () => {
    const cases: [SupervisorSpec['flags'], string][] = [
      [{ strategy: 'one_for_none' as never }, 'flags.strategy'],
      [{ intensity: -1 }, 'flags.intensity'],
      [{ period: 0 }, 'flags.period'],
      [{ autoShutdown: 'sometimes' as never }, 'flags.autoShutdown'],
    ];
    for (const [flags, argument] of cases) {
      const err = await rejection({ flags, children: [] });
      expect(err.code).toBe(RuntimeErrors.badArgument.code);
      expect(err.details.argument).toBe(argument);
    }
  });

  it('SUP-01 duplicate child ids are a GOV_BAD_CHILD_SPEC naming the child', async () => {
    const log: string[] = [];
    const err = await rejection({ children: [worker('a', log), worker('b', log), worker('a', log)] });
    expect(err.code).toBe('GOV_BAD_CHILD_SPEC');
    expect(err.details).toEqual({ id: 'a', problem: 'duplicate child id' });
    expect(err.message).toBe('invalid child spec a: duplicate child id');
  });

  it('SUP-05 SUP-06 bad restart, shutdown and type values name the child and the problem', async () => {
    const log: string[] = [];
    const bad: [Partial<ChildSpec>, RegExp][] = [
      [{ restart: 'sometimes' as never }, /restart "sometimes" is not permanent, transient or temporary/],
      [{ shutdown: -5 }, /shutdown -5 is not brutal_kill, infinity or a non-negative integer/],
      [{ shutdown: 'soon' as never }, /shutdown "soon"/],
      [{ type: 'manager' as never }, /type "manager" is not worker or supervisor/],
      [{ start: 'go' as never }, /start "go" is not a function/],
    ];
    for (const [patch, problem] of bad) {
      const err = await rejection({ children: [worker('ok', log), { ...worker('x', log), ...patch }] });
      expect(err.code).toBe('GOV_BAD_CHILD_SPEC');
      expect(err.details.id).toBe('x');
      expect(String(err.details.problem)).toMatch(problem);
    }
  });

  it('SUP-07 significant is invalid with a permanent child and when autoShutdown is never', async () => {
    const log: string[] = [];
    const never = await rejection({
      children: [worker('s', log, { restart: 'transient', significant: true })],
    });
    expect(never.details).toEqual({
      id: 's',
      problem: 'significant: true is invalid when autoShutdown is never',
    });
    const permanent = await rejection({
      flags: { autoShutdown: 'any_significant' },
      children: [worker('p', log, { significant: true })],
    });
    expect(permanent.details).toEqual({
      id: 'p',
      problem: 'significant: true is invalid with restart: permanent',
    });
  });

  it('SUP-03 simple_one_for_one needs exactly one child spec', async () => {
    const log: string[] = [];
    const two = await rejection({
      flags: { strategy: 'simple_one_for_one' },
      children: [worker('a', log), worker('b', log)],
    });
    expect(two.details.problem).toBe('simple_one_for_one needs exactly one child spec, got 2');
    const none = await rejection({ flags: { strategy: 'simple_one_for_one' }, children: [] });
    expect(none.details.problem).toBe('simple_one_for_one needs exactly one child spec, got 0');
  });

  it('SUP-09 checkChildSpecs validates without starting anything', async () => {
    await using h = harness();
    const log: string[] = [];
    expect(checkChildSpecs([worker('a', log), worker('b', log, { restart: 'temporary' })])).toEqual({
      ok: true,
    });
    const r = checkChildSpecs([worker('a', log, { restart: 'transient', significant: true })]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.details.id).toBe('a');
    expect(
      checkChildSpecs([worker('a', log, { restart: 'transient', significant: true })], 'any_significant'),
    ).toEqual({ ok: true });
    expect(log).toEqual([]);
    expect(h.rt.processCount).toBe(0);
  });
});
