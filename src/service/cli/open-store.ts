// Opens the store a `--db` argument names, for the commands that read a ledger database directly.
import { existsSync } from 'node:fs';
import { PostgresStore, SqliteStore, checkPostgresLedgerSchema } from '../../ledger/index.js';

/**
 * `sqlite:PATH` (the file must exist; opened read-only) or `postgres://URL[#schema]`; the caller opens and closes
 * it. The commands that take `--db` only read a ledger.
 */
export function storeFromArgument(db: string): SqliteStore | PostgresStore {
  if (db.startsWith('sqlite:')) {
    const path = db.slice('sqlite:'.length);
    if (!existsSync(path)) throw new Error(`--db ${db}: no such file`);
    return new SqliteStore({ path, readonly: true });
  }
  if (db.startsWith('postgres://') || db.startsWith('postgresql://')) {
    const [url, schema] = db.split('#') as [string, string | undefined];
    return new PostgresStore({ connectionString: url, ...(schema === undefined ? {} : { schema }) });
  }
  throw new Error(`--db ${db}: expected sqlite:PATH or postgres://URL[#schema]`);
}

/**
 * storeFromArgument for commands that only read: a PostgreSQL schema is first looked up read-only, since
 * PostgresStore.open would create a mistyped one (GOV_STORE_FAILED naming the schema when it holds no ledger).
 */
export async function existingStoreFromArgument(db: string): Promise<SqliteStore | PostgresStore> {
  const store = storeFromArgument(db);
  if (store instanceof PostgresStore) {
    await checkPostgresLedgerSchema(db.split('#')[0] as string, store.schema);
  }
  return store;
}
