// Helpers for verification tests: a second store over a fixture's data (as a separate verifier process would
// open it), and the CLI run with captured output.
import { PostgresStore, SqliteStore, type LedgerStore } from '../../src/ledger/index.js';
import { main } from '../../src/service/cli/main.js';
import type { LedgerFixture } from './ledger.js';
import { PG_URL } from './postgres.js';

/** A store over the same data as the fixture's, closed on dispose (the memory store is shared, not closed). */
export function readerOf(f: LedgerFixture): { readonly store: LedgerStore } & AsyncDisposable {
  const s = f.store;
  const store =
    s instanceof SqliteStore
      ? new SqliteStore({ path: s.path })
      : s instanceof PostgresStore
        ? new PostgresStore({ connectionString: PG_URL, schema: s.schema })
        : s;
  return {
    store,
    [Symbol.asyncDispose]: async () => {
      if (store !== s) await store.close();
    },
  };
}

/** What one CLI run printed and returned. */
export interface CliRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** Runs `governess <args>` in-process, capturing stdout and stderr. */
export async function runCli(args: readonly string[]): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}
