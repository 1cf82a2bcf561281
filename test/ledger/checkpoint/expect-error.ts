// Assertion helper: the call throws a GovernessError with the given code, whose `where` names the expected place.
import { expect } from 'vitest';
import { GovernessError, type ErrorSpec } from '../../../src/errors/index.js';

/** Runs `fn`, expects a GovernessError of `spec` whose details.where matches `where` (and problem, if given). */
export function expectGovernessError(
  fn: () => unknown,
  spec: ErrorSpec,
  where: string | RegExp,
  problem?: RegExp,
): GovernessError {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(thrown, 'expected a GovernessError').toBeInstanceOf(GovernessError);
  const err = thrown as GovernessError;
  expect(err.code).toBe(spec.code);
  const actualWhere = String(err.details['where']);
  if (typeof where === 'string') expect(actualWhere).toBe(where);
  else expect(actualWhere).toMatch(where);
  if (problem) expect(String(err.details['problem'])).toMatch(problem);
  expect(err.message).toContain(actualWhere);
  return err;
}

/** Async variant of expectGovernessError. */
export async function expectGovernessErrorAsync(
  fn: () => Promise<unknown>,
  spec: ErrorSpec,
  where: string | RegExp,
  problem?: RegExp,
): Promise<GovernessError> {
  let thrown: unknown;
  try {
    await fn();
  } catch (err) {
    thrown = err;
  }
  return expectGovernessError(
    () => {
      if (thrown !== undefined) throw thrown;
    },
    spec,
    where,
    problem,
  );
}
