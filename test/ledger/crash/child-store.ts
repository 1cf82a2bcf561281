// The store a crash-test child opens from its command line (`--store sqlite --path …` or `--store postgres
// --url … --schema …`), shared by the ledger writer and the durable host child.
import { PostgresStore, SqliteStore, type LedgerStore } from '../../../src/ledger/index.js';

/** The store-related options of a child's command line. */
export interface StoreArgs {
  readonly store?: string;
  readonly path?: string;
  readonly url?: string;
  readonly schema?: string;
}

/** Opens the store the arguments name; `fail` reports a missing or bad argument and ends the child. */
export function storeFromArgs(args: StoreArgs, fail: (problem: string) => never): LedgerStore {
  const required = (name: keyof StoreArgs): string => {
    const value = args[name];
    return value === undefined || value === '' ? fail(`missing --${name}`) : value;
  };
  const kind = required('store');
  if (kind === 'sqlite') return new SqliteStore({ path: required('path') });
  if (kind === 'postgres')
    return new PostgresStore({ connectionString: required('url'), schema: required('schema') });
  return fail(`--store must be sqlite or postgres, not ${kind}`);
}
