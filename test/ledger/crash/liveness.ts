// How the parent of a crash-test child sees, without polling or sleeping, that PostgreSQL has noticed the
// child's death: the child holds a session advisory lock on a connection of its own for its whole life, and the
// parent waits to take the same lock (provePostgresUnlocked in crash-targets.ts). Shared by the ledger writer and
// the durable host child.
import pg from 'pg';

/** The PostgreSQL advisory lock a child holds for its whole life (the parent takes it to see the child gone). */
export function livenessLockName(schema: string): string {
  return `governess-crash-writer:${schema}`;
}

/**
 * Takes the liveness lock of `schema` on a connection of its own and keeps it until the process dies: the server
 * releases it exactly when it has seen this process's sockets close.
 */
export async function holdLivenessLock(url: string, schema: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query('SELECT pg_advisory_lock(hashtext($1))', [livenessLockName(schema)]);
}
