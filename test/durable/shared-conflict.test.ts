// A transaction of many governors' steps fails as a whole when one step's expectation is not met (its governor's
// row moved on behind the host: a fork attempt). Only that governor fails; the steps that merely shared the
// transaction are appended again and committed.
import Database from 'better-sqlite3';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { SqlValue } from '../../src/ledger/index.js';
import { MemoryStore, PostgresStore, SqliteStore } from '../../src/ledger/index.js';
import { openDurableOrSkip, STORE_KINDS, type DurableFixture } from '../support/durable.js';
import { PG_URL } from '../support/postgres.js';
import { counter } from './counter.js';

const A = 'counter/sku-1/tenant-a';
const B = 'counter/sku-1/tenant-b';

/** Moves governor `gkey`'s stored version on by one, going around the host (another writer did it). */
async function moveRowOn(f: DurableFixture, gkey: string): Promise<void> {
  const store = f.store();
  if (store instanceof SqliteStore) {
    const db = new Database(store.path);
    try {
      db.prepare('UPDATE gov_x_durable_governors SET version = version + 1 WHERE gkey = ?').run(gkey);
    } finally {
      db.close();
    }
  } else if (store instanceof PostgresStore) {
    const c = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${store.schema}` });
    await c.connect();
    try {
      await c.query('UPDATE gov_x_durable_governors SET version = version + 1 WHERE gkey = $1', [gkey]);
    } finally {
      await c.end();
    }
  } else if (store instanceof MemoryStore) {
    // No SQL to go around it: reach into its rows, as a test-only second writer.
    const rows = (store as unknown as { rows: Map<string, Map<string, Record<string, SqlValue>>> }).rows;
    for (const row of rows.get('durable_governors')?.values() ?? []) {
      if (row.gkey === gkey) row.version = (row.version as number) + 1;
    }
  } else throw new Error('unknown store');
}

describe.each(STORE_KINDS)('a transaction failed by one governor on %s', (kind) => {
  it('fails that governor only; a step that shared the transaction is committed on its own', async (ctx) => {
    await using f = await openDurableOrSkip(ctx, kind, {
      definitions: [counter],
      // Both steps wait for one transaction.
      ledger: { checkpointIntervalMs: 0, groupCommit: { maxDelayMs: 5 } },
    });
    await Promise.all([f.host.call(A, { type: 'add', n: 1 }), f.host.call(B, { type: 'add', n: 1 })]);
    await moveRowOn(f, A);
    const receiptsBefore = (await f.host.ledger.readLedger(B)).length;

    const both = Promise.allSettled([
      f.host.call(A, { type: 'add', n: 1 }),
      f.host.call(B, { type: 'add', n: 1 }),
    ]);
    await f.clock.advance(5);
    const [a, b] = await both;

    expect(a).toMatchObject({ status: 'rejected', reason: { code: 'GOV_DURABLE_COMMIT_FAILED' } });
    expect(String((a as PromiseRejectedResult).reason)).toContain(A);
    expect(b).toEqual({ status: 'fulfilled', value: 2 });
    const receipts = await f.host.ledger.readLedger(B);
    expect(receipts).toHaveLength(receiptsBefore + 1);
    expect(receipts.at(-1)?.receipt).toMatchObject({
      ledger_seq: receiptsBefore + 1,
      metadata: { durable_version: 3 },
    });
    // A is left as the other writer made it: its next call loads that row.
  });
});
