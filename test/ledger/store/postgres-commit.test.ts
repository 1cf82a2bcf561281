// A statement of another caller that fails inside a batch transaction on PostgreSQL. PostgreSQL answers COMMIT of
// an aborted transaction with ROLLBACK and no error, so a store that does not check COMMIT's result reports the
// batch committed while nothing of it is stored: acknowledged receipts lost without any crash. Found by the
// kill -9 crash test (test/ledger/crash), where the checkpointer's INSERT rides on the writer connection.
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { draft, openLedger } from '../../support/ledger.js';

const realQuery = pg.Client.prototype.query;

describe('PostgresStore commit', () => {
  afterEach(() => {
    pg.Client.prototype.query = realQuery;
  });

  // BUG, owned by the PostgresStore rewrite: commit() must check that COMMIT answered COMMIT (and checkpoints should
  // not be written on the writer connection in the middle of a batch). `it.fails` keeps the suite green and turns
  // red once the store is fixed: then make it a plain `it`.
  it.fails(
    'never acknowledges a batch whose transaction was aborted by an interleaved statement',
    async (ctx) => {
      const f = await openLedger('postgres');
      if (typeof f === 'string') return ctx.skip();
      await using fixture = f;
      await fixture.ledger.append(draft());
      const cp = await fixture.ledger.checkpoint();
      let armed = true;
      // Right after the batch's last statement is queued, queue a statement that fails (a checkpoint size that is
      // already stored): it runs inside the batch's transaction, just before the store's COMMIT.
      pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]): unknown {
        const result = (realQuery as (...a: unknown[]) => unknown).apply(this, args);
        if (armed && typeof args[0] === 'string' && args[0].includes('INSERT INTO gov_log_state')) {
          armed = false;
          fixture.store.saveCheckpoint(cp).catch(() => undefined);
        }
        return result;
      } as typeof realQuery;
      const outcome = await fixture.ledger.append(draft({ tenant_id: 'tenant-2' })).then(
        async (ack) => ((await fixture.ledger.get(ack.receipt.receipt_id)) === null ? 'lost' : 'stored'),
        () => 'rejected',
      );
      pg.Client.prototype.query = realQuery;
      expect(armed).toBe(false);
      expect(outcome).not.toBe('lost');
    },
  );
});
