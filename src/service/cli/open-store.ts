// Opens the store a `--db` argument names, for the commands that read a ledger database directly.
import { existsSync } from 'node:fs';
import { PostgresStore, SqliteStore } from '../../ledger/index.js';

/** `sqlite:PATH` (the file must exist) or `postgres://URL[#schema]`; the caller opens and closes it. */
export function storeFromArgument(db: string): SqliteStore | PostgresStore {
  if (db.startsWith('sqlite:')) {
    const path = db.slice('sqlite:'.length);
    if (!existsSync(path)) throw new Error(`--db ${db}: no such file`);
    return new SqliteStore({ path });
  }
  if (db.startsWith('postgres://') || db.startsWith('postgresql://')) {
    const [url, schema] = db.split('#') as [string, string | undefined];
    return new PostgresStore({ connectionString: url, ...(schema === undefined ? {} : { schema }) });
  }
  throw new Error(`--db ${db}: expected sqlite:PATH or postgres://URL[#schema]`);
}
