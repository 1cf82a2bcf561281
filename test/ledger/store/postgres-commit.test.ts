// A batch transaction on PostgreSQL aborted just before its COMMIT. PostgreSQL answers COMMIT of an aborted
// transaction with ROLLBACK and no error, so a writer that does not check COMMIT's answer reports the batch
// committed while nothing of it is stored: acknowledged receipts lost without any crash. The kill -9 crash test
// (test/ledger/crash) found this when the checkpointer's INSERT ran inside a batch on the writer connection.
// The batch writer runs in the writer thread in production; here it runs in-process on a connection of the test,
// so the failure can be injected on that connection, with batches a ledger made.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { PostgresStore, type CommitBatch } from '../../../src/ledger/index.js';
import { PgBatchWriter, toWire } from '../../../src/ledger/store/pg-batch-writer.js';
import { SideTables } from '../../../src/ledger/store/side-tables.js';
import { draft, openLedger } from '../../support/ledger.js';
import { PG_URL, requirePostgres, throwawaySchema } from '../../support/postgres.js';

/** The batches a ledger commits for `drafts`, appended one after another (one batch each). */
async function batchesOf(n: number): Promise<CommitBatch[]> {
  const batches: CommitBatch[] = [];
  const f = await openLedger('memory');
  if (typeof f === 'string') throw new Error(f);
  await using fixture = f;
  const store = fixture.store;
  const commit = store.commit.bind(store);
  store.commit = (b) => (batches.push(b), commit(b));
  for (let i = 0; i < n; i++) await fixture.ledger.append(draft({ tenant_id: `tenant-${i}` }));
  return batches;
}

describe('PostgreSQL batch writer', () => {
  it('never acknowledges a batch whose transaction was aborted before COMMIT', async (ctx) => {
    const why = await requirePostgres();
    if (why !== null) return ctx.skip(why);
    const schema = throwawaySchema();
    const store = new PostgresStore({ connectionString: PG_URL, schema });
    await store.open();
    const db = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${schema}` });
    await db.connect();
    try {
      const [first, second, third] = await batchesOf(3);
      const writer = new PgBatchWriter(db, new SideTables(), 0, 1, 'test');
      await writer.commit(toWire(first as CommitBatch).wire);
      // Just before the batch's COMMIT, a statement that fails runs on the same connection, in the transaction.
      const realQuery = db.query.bind(db) as (...a: unknown[]) => Promise<unknown>;
      let injected = false;
      (db as { query: unknown }).query = (...args: unknown[]): unknown => {
        if (!injected && args[0] === 'COMMIT') {
          injected = true;
          realQuery('SELECT 1/0').catch(() => undefined);
        }
        return realQuery(...args);
      };
      const outcome = await writer.commit(toWire(second as CommitBatch).wire).then(
        () => 'acknowledged',
        () => 'rejected',
      );
      (db as { query: unknown }).query = realQuery;
      expect(injected).toBe(true);
      expect(outcome).toBe('rejected');
      const count = async (): Promise<number> =>
        Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM gov_receipts')).rows[0]?.n);
      expect(await count()).toBe(1);
      // The writer goes on: the same batch again, then the next.
      await writer.commit(toWire(second as CommitBatch).wire);
      await writer.commit(toWire(third as CommitBatch).wire);
      expect(await count()).toBe(3);
    } finally {
      await db.end();
      await store.close();
      await store.dropSchema();
    }
  });

  it('a writer connection the server ended between commits is replaced before the next batch', async (ctx) => {
    const f = await openLedger('postgres');
    if (typeof f === 'string') return ctx.skip(f);
    await using fixture = f;
    await fixture.ledger.append(draft());
    const schema = (fixture.store as PostgresStore).schema;
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    try {
      const ended = await admin.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1',
        [`governess writer postgres ${schema}`],
      );
      expect(ended.rowCount).toBe(1);
    } finally {
      await admin.end();
    }
    // Nothing of the next batch reached the ended connection, so it goes on a new one instead of failing.
    const next = await fixture.ledger.append(draft({ tenant_id: 'tenant-2' }));
    expect(await fixture.ledger.get(next.receipt.receipt_id)).not.toBeNull();
    expect(fixture.ledger.size).toBe(2);
  });
});
