// The durable host's numeric options, checked before anything is opened (docs/durable/design.md §1.1): a zero
// sweep interval would spin, a NaN timeout would never fire, a fractional page would be sent to the database.
// Each bad value is refused with GOV_BAD_ARGUMENT naming the option by its path.
import { GovernessError, RuntimeErrors } from '../errors/index.js';

/** What a numeric option may be. */
type Rule = 'positive integer' | 'non-negative integer' | 'positive number or Infinity';

function meets(v: number, rule: Rule): boolean {
  if (rule === 'positive number or Infinity') return v === Infinity || (Number.isFinite(v) && v > 0);
  return Number.isSafeInteger(v) && (rule === 'non-negative integer' ? v >= 0 : v >= 1);
}

/** Throws GOV_BAD_ARGUMENT naming `argument` unless `value` is absent or meets `rule`. */
export function checkNumberOption(value: unknown, argument: string, rule: Rule): void {
  if (value === undefined) return;
  if (typeof value === 'number' && meets(value, rule)) return;
  const shown = typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? String(value));
  throw new GovernessError(RuntimeErrors.badArgument, {
    argument,
    problem: `${shown.slice(0, 40)} is not a ${rule}`,
  });
}

/** The host options' numbers, as DurableHost.open takes them. */
export interface HostNumbers {
  readonly idleMs?: unknown;
  readonly maxActive?: unknown;
  readonly sweepMs?: unknown;
  readonly callTimeoutMs?: unknown;
  readonly scan?: { readonly [K in ScanNumber]?: unknown };
}

/** The due-timer scanner's numeric options (DueScanOptions). */
type ScanNumber = 'intervalMs' | 'maxSleepMs' | 'horizonMs' | 'page' | 'activationRate' | 'concurrency';

/** Checks every numeric option of a durable host (see DurableHostOptions and DueScanOptions). */
export function checkHostOptions(o: HostNumbers): void {
  checkNumberOption(o.idleMs, 'idleMs', 'non-negative integer');
  checkNumberOption(o.maxActive, 'maxActive', 'positive integer');
  checkNumberOption(o.sweepMs, 'sweepMs', 'positive integer');
  checkNumberOption(o.callTimeoutMs, 'callTimeoutMs', 'positive number or Infinity');
  const scan = o.scan ?? {};
  for (const name of ['intervalMs', 'maxSleepMs', 'page', 'activationRate', 'concurrency'] as const) {
    checkNumberOption(scan[name], `scan.${name}`, 'positive integer');
  }
  checkNumberOption(scan.horizonMs, 'scan.horizonMs', 'non-negative integer');
}
