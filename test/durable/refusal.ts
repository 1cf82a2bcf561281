// Shared assertion: a call throws GOV_BAD_ARGUMENT naming the given field.
import { expect } from 'vitest';

/** Asserts that `fn` throws GOV_BAD_ARGUMENT whose `argument` is `field`. */
export function expectRefusal(fn: () => unknown, field: string): void {
  let error: unknown;
  try {
    fn();
  } catch (err) {
    error = err;
  }
  expect(error).toMatchObject({ code: 'GOV_BAD_ARGUMENT', details: { argument: field } });
}
