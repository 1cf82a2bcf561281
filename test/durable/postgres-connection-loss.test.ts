// PostgreSQL may end a store's connections at any time (a restart, an administrator, a timeout, the network).
// That must cost at most the steps in flight, each failed with a retryable error: the process goes on, the
// store opens new connections, and a keyed retry is answered once.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { PostgresStore } from '../../src/ledger/index.js';
import { openDurableOrSkip, openHostOn } from '../support/durable.js';
import { PG_URL } from '../support/postgres.js';
import { proxiedSchema } from '../support/tcp-proxy.js';
import { counter } from './counter.js';

const G = 'counter/sku-1/tenant-1';
const G2 = 'counter/sku-1/tenant-2';

/** Ends every connection of the store's schema, as `pg_terminate_backend` by an administrator would. */
async function endConnectionsOf(schema: string): Promise<number> {
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  try {
    const res = await admin.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE $1',
      [`governess % postgres ${schema}`],
    );
    return res.rowCount ?? 0;
  } finally {
    await admin.end();
  }
}

describe('PostgreSQL ending the connections of a durable host', () => {
  it('between commits costs nothing: the next call is served on new connections', async (ctx) => {
    await using f = await openDurableOrSkip(ctx, 'postgres', { definitions: [counter] });
    const schema = (f.store() as PostgresStore).schema;
    expect(await f.host.call(G, { type: 'add', n: 1 }, { idempotencyKey: 'a' })).toBe(1);

    // The writer thread's connection and the idle readers all end while nothing runs.
    expect(await endConnectionsOf(schema)).toBeGreaterThanOrEqual(2);
    expect(await f.host.call(G, { type: 'add', n: 2 }, { idempotencyKey: 'b' })).toBe(3);
    expect(await f.host.call(G, { type: 'add', n: 2 }, { idempotencyKey: 'b' })).toBe(3);
    await f.restart();
    expect(await f.host.call(G, { type: 'add', n: 4 }, { idempotencyKey: 'c' })).toBe(7);
    const keys = (await f.host.ledger.readLedger(G)).map((r) => r.receipt.cause.idempotency_key);
    expect(keys).toEqual([null, 'a', 'b', 'c']);
  });

  it('during calls fails at most the steps in flight, retryably; a keyed retry applies once', async (ctx) => {
    await using f = await openDurableOrSkip(ctx, 'postgres', { definitions: [counter] });
    const schema = (f.store() as PostgresStore).schema;
    await f.host.call(G, { type: 'add', n: 0 });
    const keys = Array.from({ length: 40 }, (_, i) => `k${i}`);
    const calls = Promise.allSettled(
      keys.map((k) => f.host.call(G, { type: 'add', n: 1 }, { idempotencyKey: k })),
    );
    await endConnectionsOf(schema);
    const outcomes = await calls;
    for (const o of outcomes) {
      if (o.status === 'rejected') expect(o.reason).toMatchObject({ code: 'GOV_DURABLE_COMMIT_FAILED' });
    }
    // Every key retried: each is applied exactly once, whatever its first attempt did.
    for (const k of keys) await f.host.call(G, { type: 'add', n: 1 }, { idempotencyKey: k });
    const got = (await f.host.call(G, { type: 'get' })) as { data: { total: number } };
    expect(got.data.total).toBe(keys.length);
    const applied = (await f.host.ledger.readLedger(G)).map((r) => r.receipt.cause.idempotency_key);
    expect(applied.filter((k) => k !== null).sort()).toEqual([...keys].sort());
  });

  it('through an outage fails calls while it lasts and serves them again after it', async (ctx) => {
    await using db = await proxiedSchema(ctx);
    if (db === null) return;
    const proxy = db.proxy;
    const store = db.store();
    // Disposed in reverse: the host closes before the schema is dropped.
    await using h = await openHostOn(store, { definitions: [counter] });
    const host = h.host;
    expect(await host.call(G, { type: 'add', n: 1 }, { idempotencyKey: 'a' })).toBe(1);
    expect(await host.call(G2, { type: 'add', n: 1 })).toBe(1);
    // The network goes as a batch is handed to the store: its transaction fails there.
    const commit = store.commit.bind(store);
    store.commit = (batch) => {
      proxy.cut();
      store.commit = commit;
      return commit(batch);
    };
    await expect(host.call(G, { type: 'add', n: 1 })).rejects.toMatchObject({
      code: 'GOV_DURABLE_COMMIT_FAILED',
    });
    // The next step makes the ledger open the store again to re-read its state, which fails while the server
    // cannot be reached; calls that begin with a read fail too.
    await expect(host.call(G2, { type: 'add', n: 1 })).rejects.toMatchObject({
      code: 'GOV_DURABLE_COMMIT_FAILED',
    });
    await expect(host.call(G, { type: 'add', n: 2 }, { idempotencyKey: 'b' })).rejects.toMatchObject({
      code: 'GOV_STORE_FAILED',
    });
    proxy.restore();
    // A keyed call begins with a read: the store still serves reads, so the call reaches the ledger, which
    // opens the store again and commits.
    expect(await host.call(G, { type: 'add', n: 2 }, { idempotencyKey: 'b' })).toBe(3);
    expect(await host.call(G, { type: 'add', n: 2 }, { idempotencyKey: 'b' })).toBe(3);
  });
});
