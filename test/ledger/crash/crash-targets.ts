// The databases the crash tests kill children on: a SQLite file and a PostgreSQL schema. Each target says how the
// child reaches it, opens a fresh store on it for the checks, reads what the store API does not list (every
// side-table row, every stored checkpoint) straight from its tables, and, for PostgreSQL, proves that the dead
// child's session left no lock behind before the next child starts. The ledger crash test defines its own side
// table on every store it opens; the durable one none (the durable host registers its tables itself).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import {
  PostgresStore,
  SqliteStore,
  type LedgerStore,
  type SqlValue,
  type TableDef,
} from '../../../src/ledger/index.js';
import { PG_URL, requirePostgres, throwawaySchema } from '../../support/postgres.js';
import { livenessLockName } from './liveness.js';
import { CRASH_TABLE } from './workload.js';

/** A side-table row as the check reads it. */
export interface SideRow {
  readonly request_id: string;
  readonly ledger: string;
}

/** One database the crash test runs against. */
export interface CrashTarget extends AsyncDisposable {
  readonly kind: 'sqlite' | 'postgres';
  /** Scratch directory (key file, SQLite database); removed on dispose. */
  readonly dir: string;
  /** Arguments telling the writer where the database is. */
  readonly writerArgs: readonly string[];
  /** A new, unopened store on the database with the target's side tables defined. */
  openStore(): LedgerStore;
  /** Every row of the ledger crash test's side table. */
  sideRows(): Promise<SideRow[]>;
  /** Every row of side table `def`, its values in the store's types (integers as numbers, blobs as bytes). */
  tableRows(def: TableDef): Promise<Record<string, SqlValue>[]>;
  /** Notes of the stored checkpoints larger than `aboveSize`, smallest first. */
  checkpointNotes(aboveSize: number): Promise<string[]>;
  /** Waits until the killed writer is gone from the database and nothing it held blocks the next writer. */
  afterKill(): Promise<void>;
}

/**
 * The crash target of `kind`, its stores opened with side tables `tables` (default the ledger crash test's), or the
 * reason PostgreSQL tests are skipped (never under CI=true).
 */
export async function crashTarget(
  kind: 'sqlite' | 'postgres',
  tables: readonly TableDef[] = [CRASH_TABLE],
): Promise<CrashTarget | string> {
  const dir = mkdtempSync(join(tmpdir(), `gov-crash-${kind}-`));
  const withTables = (store: LedgerStore): LedgerStore => {
    for (const t of tables) store.defineTable(t);
    return store;
  };
  if (kind === 'sqlite') return sqliteTarget(dir, withTables);
  const why = await requirePostgres();
  if (why !== null) {
    rmSync(dir, { recursive: true, force: true });
    return why;
  }
  return postgresTarget(dir, throwawaySchema('gov_crash'), withTables);
}

/** A row as a driver returned it, in the store's types: integer columns as numbers, blobs as plain bytes. */
function typed(def: TableDef, raw: Record<string, unknown>): Record<string, SqlValue> {
  const out: Record<string, SqlValue> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (v === null || v === undefined) out[k] = null;
    else if (def.columns[k] === 'integer') out[k] = Number(v);
    else out[k] = Buffer.isBuffer(v) ? new Uint8Array(v) : (v as SqlValue);
  }
  return out;
}

function sqliteTarget(dir: string, withTables: (s: LedgerStore) => LedgerStore): CrashTarget {
  const path = join(dir, 'ledger.sqlite');
  // Read only after a store on the file was opened (so a crashed WAL has been recovered) and never while a writer
  // runs; a plain connection is enough.
  const read = <T>(fn: (db: Database.Database) => T): T => {
    const db = new Database(path, { fileMustExist: true });
    try {
      return fn(db);
    } finally {
      db.close();
    }
  };
  return {
    kind: 'sqlite',
    dir,
    writerArgs: ['--store', 'sqlite', '--path', path],
    openStore: () => withTables(new SqliteStore({ path })),
    sideRows: async () =>
      read((db) => db.prepare(`SELECT request_id, ledger FROM gov_x_${CRASH_TABLE.name}`).all() as SideRow[]),
    tableRows: async (def) =>
      read((db) =>
        (db.prepare(`SELECT * FROM gov_x_${def.name}`).all() as Record<string, unknown>[]).map((r) =>
          typed(def, r),
        ),
      ),
    checkpointNotes: async (aboveSize) =>
      read((db) =>
        (
          db.prepare('SELECT note FROM gov_checkpoints WHERE size > ? ORDER BY size').all(aboveSize) as {
            note: string;
          }[]
        ).map((r) => r.note),
      ),
    // A SQLite writer's locks live in its process and its file handles: SIGKILL releases them with the process.
    afterKill: async () => undefined,
    [Symbol.asyncDispose]: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** How long the checks wait for a lock of the dead writer before failing (the server sees a closed socket at once). */
const LOCK_TIMEOUT = '10s';

function postgresTarget(
  dir: string,
  schema: string,
  withTables: (s: LedgerStore) => LedgerStore,
): CrashTarget {
  // One connection for every inspection of the whole run: each new connection is a server process to fork.
  let inspector: Promise<pg.Client> | null = null;
  const client = (): Promise<pg.Client> =>
    (inspector ??= (async () => {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`SET lock_timeout = '${LOCK_TIMEOUT}'`);
      return c;
    })());
  const query = async <R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> =>
    (await (await client()).query<R>(sql, params)).rows;
  return {
    kind: 'postgres',
    dir,
    writerArgs: ['--store', 'postgres', '--url', PG_URL, '--schema', schema],
    openStore: () => withTables(new PostgresStore({ connectionString: PG_URL, schema, readers: 2 })),
    sideRows: () => query<SideRow>(`SELECT request_id, ledger FROM ${schema}.gov_x_${CRASH_TABLE.name}`),
    tableRows: async (def) =>
      (await query(`SELECT * FROM ${schema}.gov_x_${def.name}`)).map((r) => typed(def, r)),
    checkpointNotes: async (aboveSize) =>
      (
        await query<{ note: string }>(
          `SELECT note FROM ${schema}.gov_checkpoints WHERE size > $1 ORDER BY size`,
          [aboveSize],
        )
      ).map((r) => r.note),
    afterKill: async () => provePostgresUnlocked(await client(), schema),
    [Symbol.asyncDispose]: async () => {
      if (inspector !== null) await (await inspector).end();
      await new PostgresStore({ connectionString: PG_URL, schema }).dropSchema();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * After a SIGKILL the kernel closes the writer's sockets and the server ends its sessions, releasing their locks
 * and rolling back their open transactions. This proves it without sleeping: it waits (server-side, bounded by
 * the client's lock_timeout) for the writer's liveness lock, then takes the store's DDL lock and an ACCESS EXCLUSIVE lock on
 * every table of the schema, which conflict with anything a surviving session could still hold. The DDL lock
 * name is PostgresStore's (`governess-ddl:<schema>`).
 */
export async function provePostgresUnlocked(c: pg.Client, schema: string): Promise<void> {
  const step = async (what: string, sql: string, params: unknown[] = []): Promise<void> => {
    try {
      await c.query(sql, params);
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw new Error(
        `PostgreSQL schema ${schema}: ${what} still held after the writer was killed: ${String(err)}`,
      );
    }
  };
  for (const name of [livenessLockName(schema), `governess-ddl:${schema}`]) {
    await step(`advisory lock ${name}`, 'SELECT pg_advisory_lock(hashtext($1))', [name]);
    await c.query('SELECT pg_advisory_unlock(hashtext($1))', [name]);
  }
  const tables = await c.query<{ tablename: string }>(
    'SELECT tablename FROM pg_tables WHERE schemaname = $1',
    [schema],
  );
  if (tables.rows.length > 0) {
    await c.query('BEGIN');
    const list = tables.rows.map((t) => `${schema}.${t.tablename}`).join(', ');
    await step('a table lock', `LOCK TABLE ${list} IN ACCESS EXCLUSIVE MODE`);
    await c.query('ROLLBACK');
  }
}
