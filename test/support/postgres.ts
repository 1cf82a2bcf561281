// Real PostgreSQL for integration tests (never a mock). Each test gets its own throwaway schema, dropped on
// dispose. Locally a missing server skips with the reason; under CI=true it fails, as the developers' guide asks.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The server tests use ($DATABASE_URL, or the local trust-auth server's `test` database). */
export const PG_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

let probe: Promise<string | null> | null = null;

/** Null when PostgreSQL answers, else why it does not. Cached for the test file. */
export function postgresUnavailable(): Promise<string | null> {
  probe ??= (async () => {
    const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
    try {
      await c.connect();
      await c.query('SELECT 1');
      return null;
    } catch (err) {
      return `PostgreSQL at ${PG_URL} unavailable: ${err instanceof Error ? err.message : String(err)}`;
    } finally {
      await c.end().catch(() => undefined);
    }
  })();
  return probe;
}

/** A fresh schema name for one test. */
export function throwawaySchema(prefix = 'gov_t'): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

/** Throws under CI=true when PostgreSQL is missing; otherwise returns the skip reason (or null). */
export async function requirePostgres(): Promise<string | null> {
  const why = await postgresUnavailable();
  if (why !== null && process.env['CI'] === 'true') throw new Error(`CI=true but ${why}`);
  return why;
}
