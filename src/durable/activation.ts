// Reading a governor row back into a machine (docs/durable/design.md §3, §5): decode and check the stored
// snapshot and timers, migrate data written by an older definition (committed as its own step), and say
// precisely what is wrong when a row cannot be loaded, so that one governor is quarantined and the others run.
import { DurableErrors, GovernessError, RuntimeErrors } from '../errors/index.js';
import type { Ledger, SqlValue } from '../ledger/index.js';
import type { MachineTypes } from '../runtime/index.js';
import { dataVersionOf, type DurableDefinition } from './definition.js';
import { decodeSnapshot, encodeSnapshot, type DurableSnapshot } from './snapshot-codec.js';
import type { ReplyCodec } from './storable.js';
import type { GkeyParts } from './keys.js';
import { labelOf } from './receipt-of.js';
import { refusalDraft } from './refusals.js';
import { GOVERNORS_TABLE, GOVERNOR_STATUSES, type GovernorStatus } from './tables.js';
import { decodeTimerRows, type TimerRow } from './timer-rows.js';

/** A governor row, decoded and checked. */
export interface LoadedGovernor<T extends MachineTypes = MachineTypes> {
  readonly version: number;
  readonly dataVer: number;
  readonly status: GovernorStatus;
  readonly snapshot: DurableSnapshot<T>;
  readonly timers: readonly TimerRow<T>[];
  /** The row's `next_due_ms` (checked against the timers and queue). */
  readonly nextDueMs: number | null;
}

function problemOf(err: unknown): string {
  if (err instanceof GovernessError) return `${err.code}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

function invalid(gkey: string, version: SqlValue | undefined, problem: string): GovernessError {
  return new GovernessError(DurableErrors.snapshotInvalid, {
    gkey,
    version: typeof version === 'number' ? version : String(version),
    problem,
  });
}

function integer(row: Readonly<Record<string, SqlValue>>, column: string, gkey: string): number {
  const v = row[column];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw invalid(gkey, row.version, `column ${column} is ${JSON.stringify(v)}, not a non-negative integer`);
  }
  return v;
}

function blob(row: Readonly<Record<string, SqlValue>>, column: string, gkey: string): Uint8Array {
  const v = row[column];
  if (!(v instanceof Uint8Array)) throw invalid(gkey, row.version, `column ${column} is not bytes`);
  return v;
}

/** The row's status column; throws GOV_SNAPSHOT_INVALID for anything else. */
export function statusOf(row: Readonly<Record<string, SqlValue>>, gkey: string): GovernorStatus {
  const s = row.status;
  if (typeof s !== 'string' || !GOVERNOR_STATUSES.has(s as GovernorStatus)) {
    throw invalid(gkey, row.version, `column status is ${JSON.stringify(s)}`);
  }
  return s as GovernorStatus;
}

/** Decodes a governor row; throws GOV_SNAPSHOT_INVALID naming the gkey, version and the bad field. */
export function decodeGovernorRow<T extends MachineTypes>(
  row: Readonly<Record<string, SqlValue>>,
  gkey: string,
  codec: ReplyCodec,
): LoadedGovernor<T> {
  const version = integer(row, 'version', gkey);
  const dataVer = integer(row, 'data_ver', gkey);
  const status = statusOf(row, gkey);
  try {
    const snapshot = decodeSnapshot<T>(blob(row, 'snapshot', gkey), codec);
    const timers = decodeTimerRows<T>(blob(row, 'timers', gkey), codec);
    const due = timers.reduce<number | null>((m, r) => (m === null || r.dueMs < m ? r.dueMs : m), null);
    // With events queued the row is due at its commit (step-commit.ts), at the latest at its earliest timer.
    const next = row.next_due_ms;
    const queued = snapshot.queue.length > 0;
    if (queued ? typeof next !== 'number' || (due !== null && next > due) : next !== due) {
      throw invalid(
        gkey,
        version,
        `next_due_ms ${String(next)} is not the earliest timer ${String(due)}${queued ? ' or earlier' : ''}`,
      );
    }
    return { version, dataVer, status, snapshot, timers, nextDueMs: next as number | null };
  } catch (err) {
    if (GovernessError.is(err, DurableErrors.snapshotInvalid)) throw err;
    throw invalid(gkey, version, problemOf(err));
  }
}

/**
 * Runs the definition's `migrate` from the stored data version to its own and checks the result can be stored
 * (it is encoded exactly as the migration step will store it). Throws GOV_MIGRATION_FAILED naming the problem;
 * a stored version newer than the definition's (a downgrade) is refused the same way.
 */
export function migrateLoaded<T extends MachineTypes>(
  def: DurableDefinition<T>,
  gkey: string,
  loaded: LoadedGovernor<T>,
  codec: ReplyCodec,
): DurableSnapshot<T> {
  const to = dataVersionOf(def);
  const fail = (problem: string): never => {
    throw new GovernessError(RuntimeErrors.migrationFailed, {
      target: gkey,
      from: loaded.dataVer,
      to,
      problem,
    });
  };
  if (loaded.dataVer > to) fail('the stored data is newer than this definition (a downgrade)');
  const migrate = def.machine.migrate;
  if (migrate === undefined) return fail('the definition has no migrate function');
  let result: { state: T['state']; data: T['data'] };
  try {
    result = migrate(loaded.dataVer, loaded.snapshot.state, loaded.snapshot.data);
  } catch (err) {
    return fail(`migrate threw: ${problemOf(err)}`);
  }
  if (typeof result !== 'object' || result === null || !('state' in result) || !('data' in result)) {
    return fail('migrate did not return { state, data }');
  }
  const migrated: DurableSnapshot<T> = { ...loaded.snapshot, state: result.state, data: result.data };
  try {
    encodeSnapshot(migrated, codec);
  } catch (err) {
    return fail(`the migrated snapshot cannot be stored: ${problemOf(err)}`);
  }
  return migrated;
}

/** Sets a row that cannot be loaded aside (status `quarantined`), with a refusal receipt saying why. */
export async function quarantine(
  ledger: Ledger,
  parts: GkeyParts,
  row: Readonly<Record<string, SqlValue>>,
  err: unknown,
): Promise<void> {
  const version = row.version as SqlValue;
  const code = err instanceof GovernessError ? err.code : 'error';
  const draft = refusalDraft(
    parts,
    'load_failed',
    { durable_version: typeof version === 'number' ? version : null, error_code: code },
    { private: { problem: err instanceof Error ? err.message : String(err) } },
  );
  // Written only if nobody changed the row meanwhile; a failure leaves it for the next load to judge again.
  await ledger
    .append(draft, {
      keepState: true,
      rows: [
        {
          table: GOVERNORS_TABLE.name,
          op: 'upsert',
          row: { ...row, status: 'quarantined' },
          expect: { column: 'version', value: version },
        },
      ],
    })
    .catch(() => undefined);
}

/** Commits a migrated snapshot as its own step with a `durable.migrated` receipt; returns the new version. */
export async function commitMigration<T extends MachineTypes>(
  ledger: Ledger,
  def: DurableDefinition<T>,
  parts: GkeyParts,
  row: Readonly<Record<string, SqlValue>>,
  change: { readonly from: number; readonly before: DurableSnapshot<T>; readonly after: DurableSnapshot<T> },
  codec: ReplyCodec,
): Promise<number> {
  const prev = row.version as number;
  const to = dataVersionOf(def);
  await ledger.append(
    {
      governor: parts.kind,
      sku_id: parts.sku,
      tenant_id: parts.tenant,
      state_from: labelOf(def, change.before.state),
      state_to: labelOf(def, change.after.state),
      event: { type: 'system', summary: `migrate v${change.from} to v${to}` },
      status: 'accept',
      reason: { code: 'durable.migrated', message: 'stored data migrated to the definition’s data version' },
      metadata: { from_version: change.from, to_version: to, durable_version: prev + 1 },
      cause: { request_id: null, idempotency_key: null, actor: null },
    },
    {
      rows: [
        {
          table: GOVERNORS_TABLE.name,
          op: 'upsert',
          row: { ...row, version: prev + 1, data_ver: to, snapshot: encodeSnapshot(change.after, codec) },
          expect: { column: 'version', value: prev },
        },
      ],
    },
  );
  return prev + 1;
}
