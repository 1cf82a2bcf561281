// Before a PostgreSQL ledger is verified, its schema is looked up read-only: PostgresStore.open creates a
// missing schema and its tables, so without this step a mistyped `#schema` would be created and then
// "verified" as an empty log, changing the database the verifier was asked only to read.
import pg from 'pg';
import { GovernessError, LedgerErrors } from '../../errors/index.js';

/**
 * Throws GOV_STORE_FAILED naming the schema when the server cannot be reached, the schema does not exist or it
 * holds no Governess ledger (no `gov_meta` table); resolves when there is a ledger to verify.
 */
export async function checkPostgresLedgerSchema(connectionString: string, schema: string): Promise<void> {
  const where = `postgres schema ${schema}`;
  const fail = (problem: string, cause?: unknown): GovernessError =>
    new GovernessError(LedgerErrors.storeFailed, { store: where, problem }, { cause });
  const client = new pg.Client({ connectionString });
  // A connection the server ends fails the query below; unheard, its 'error' event would end the process.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    throw fail(`cannot connect: ${err instanceof Error ? err.message : String(err)}`, err);
  }
  try {
    const tables = await client.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'gov_meta'",
      [schema],
    );
    if (tables.rows.length === 0) {
      const schemas = await client.query('SELECT 1 FROM information_schema.schemata WHERE schema_name = $1', [
        schema,
      ]);
      throw fail(
        schemas.rows.length === 0
          ? 'no such schema (name it after # in the URL; the default is governess)'
          : 'holds no Governess ledger (it has no gov_meta table)',
      );
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}
