// A store to benchmark on, thrown away afterwards: a SQLite file in a temporary directory or a PostgreSQL schema
// of its own. Shared by the ledger and durable suites.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PostgresStore, SqliteStore, type LedgerStore } from '../src/ledger/index.js';
import { PG_URL, throwawaySchema } from '../test/support/postgres.js';

/** The stores the benchmarks measure. */
export type StoreKind = 'sqlite' | 'postgres';

/** A fresh store and how to remove its data. */
export interface Scratch {
  readonly store: LedgerStore;
  readonly drop: () => Promise<void>;
}

/** A fresh, empty store of `kind`, its files or schema named after `name`. */
export function scratchStore(kind: StoreKind, name: string): Scratch {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), `gov-bench-${name}-`));
    return {
      store: new SqliteStore({ path: join(dir, `${name}.sqlite`) }),
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const schema = throwawaySchema(`bench_${name}`);
  return {
    store: new PostgresStore({ connectionString: PG_URL, schema }),
    drop: () => new PostgresStore({ connectionString: PG_URL, schema }).dropSchema(),
  };
}
