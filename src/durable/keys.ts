// A governor's name on disk and in every API is its ledger id `<kind>/<sku>/<tenant>`, so a governor row, its
// receipts and its replies are found by the same string. Parsing reuses the ledger's own checks: a gkey that
// parses here is one the ledger will accept as a ledger id.
import { GovernessError, RuntimeErrors } from '../errors/index.js';
import { ledgerId } from '../ledger/index.js';

/** The three parts of a gkey: the governor kind, the SKU id and the tenant id. */
export interface GkeyParts {
  /** Governor kind, `[a-z][a-z0-9_-]{0,31}` (the receipt's `governor`). */
  readonly kind: string;
  /** SKU id (the receipt's `sku_id`). */
  readonly sku: string;
  /** Tenant id (the receipt's `tenant_id`). */
  readonly tenant: string;
}

function refuse(argument: string, problem: string): never {
  throw new GovernessError(RuntimeErrors.badArgument, { argument, problem });
}

function problemOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** `<kind>/<sku>/<tenant>` after checking each part; throws GOV_BAD_ARGUMENT naming the bad part. */
export function formatGkey(parts: GkeyParts): string {
  try {
    return ledgerId(parts.kind, parts.sku, parts.tenant);
  } catch (err) {
    return refuse('gkey', problemOf(err));
  }
}

/** Splits and checks a gkey; throws GOV_BAD_ARGUMENT naming `argument` (default `gkey`) and what is wrong. */
export function parseGkey(gkey: unknown, argument = 'gkey'): GkeyParts {
  if (typeof gkey !== 'string')
    return refuse(argument, `${typeof gkey} is not a string <kind>/<sku>/<tenant>`);
  const parts = gkey.split('/');
  if (parts.length !== 3) {
    return refuse(
      argument,
      `${JSON.stringify(gkey.slice(0, 80))} has ${parts.length} part(s), not <kind>/<sku>/<tenant>`,
    );
  }
  const [kind, sku, tenant] = parts as [string, string, string];
  try {
    ledgerId(kind, sku, tenant);
  } catch (err) {
    return refuse(argument, `${JSON.stringify(gkey.slice(0, 80))}: ${problemOf(err)}`);
  }
  return { kind, sku, tenant };
}

/** True when `value` is a well-formed gkey (no error built: for filters and guards). */
export function isGkey(value: unknown): value is string {
  try {
    parseGkey(value);
    return true;
  } catch {
    return false;
  }
}
