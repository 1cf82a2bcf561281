// The one registry of error codes. Each layer declares its group in its own file; this module joins them and
// refuses duplicates, and test/errors/registry.test.ts checks the table in docs/errors.md against it.
import type { ErrorSpec } from './governess-error.js';
import { DurableErrors } from './durable-errors.js';
import { LedgerErrors } from './ledger-errors.js';
import { RuntimeErrors } from './runtime-errors.js';

export { GovernessError, defineErrors, type ErrorSpec, type ErrorDetails } from './governess-error.js';
export { RuntimeErrors } from './runtime-errors.js';
export { LedgerErrors } from './ledger-errors.js';
export { DurableErrors } from './durable-errors.js';

/** Every registered error group, by layer. */
export const ErrorGroups: Readonly<Record<string, Readonly<Record<string, ErrorSpec>>>> = {
  runtime: RuntimeErrors,
  ledger: LedgerErrors,
  durable: DurableErrors,
};

/** All registered error specs, flattened; throws at load time if two share a code. */
export const AllErrors: readonly ErrorSpec[] = (() => {
  const seen = new Set<string>();
  const all: ErrorSpec[] = [];
  for (const group of Object.values(ErrorGroups)) {
    for (const spec of Object.values(group)) {
      if (seen.has(spec.code)) throw new Error(`duplicate error code ${spec.code}`);
      seen.add(spec.code);
      all.push(spec);
    }
  }
  return all;
})();
