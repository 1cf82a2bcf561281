// A batch transaction on PostgreSQL aborted just before its COMMIT. PostgreSQL answers COMMIT of an aborted
// transaction with ROLLBACK and no error, so a store that does not check COMMIT's answer reports the batch
// committed while nothing of it is stored: acknowledged receipts lost without any crash. The kill -9 crash test
// (test/ledger/crash) found this when the checkpointer's INSERT ran inside a batch on the writer connection.
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { draft, openLedger } from '../../support/ledger.js';

const realQuery = pg.Client.prototype.query;

describe('PostgresStore commit', () => {
  afterEach(() => {
    pg.Client.prototype.query = realQuery;
  });

  it('never acknowledges a batch whose transaction was aborted before COMMIT', async (ctx) => {
    const f = await openLedger('postgres');
    if (typeof f === 'string') return ctx.skip();
    await using fixture = f;
    await fixture.ledger.append(draft());
    let injected = false;
    // Just before the batch's COMMIT, a statement that fails runs on the same connection, in the transaction.
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]): unknown {
      if (!injected && args[0] === 'COMMIT') {
        injected = true;
        (realQuery as (sql: string) => Promise<unknown>).call(this, 'SELECT 1/0').catch(() => undefined);
      }
      return (realQuery as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof realQuery;
    const outcome = await fixture.ledger.append(draft({ tenant_id: 'tenant-2' })).then(
      async (ack) => ((await fixture.ledger.get(ack.receipt.receipt_id)) === null ? 'lost' : 'stored'),
      () => 'rejected',
    );
    pg.Client.prototype.query = realQuery;
    expect(injected).toBe(true);
    expect(outcome).toBe('rejected');
    // The writer goes on after the failed batch.
    const next = await fixture.ledger.append(draft({ tenant_id: 'tenant-3' }));
    expect(await fixture.ledger.get(next.receipt.receipt_id)).not.toBeNull();
    expect(fixture.ledger.size).toBe(2);
  });
});
