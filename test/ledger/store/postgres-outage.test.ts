// The network between a PostgreSQL store and its server goes down and comes back (a TCP forwarder between them
// drops every connection and refuses new ones). Meanwhile every read and commit fails with GOV_STORE_FAILED
// naming the store (never a raw driver error, never an unhandled 'error' event); afterwards the same store
// instance reads and commits again, on new connections.
import { describe, expect, it } from 'vitest';
import { PostgresStore } from '../../../src/ledger/index.js';
import { proxiedSchema } from '../../support/tcp-proxy.js';
import { batchOf } from './contract.js';

describe('PostgreSQL store through a network outage', () => {
  it('fails reads and commits with GOV_STORE_FAILED during it and goes on after it', async (ctx) => {
    await using db = await proxiedSchema(ctx);
    if (db === null) return;
    const store = db.store();
    await store.open();
    const seqs = new Map<string, number>();
    const known = new Set<string>();
    await store.commit(batchOf(0, ['quota/s/a'], seqs, { known }));
    expect(await store.readRange(0, 10)).toHaveLength(1);

    db.proxy.cut();
    const failed = { code: 'GOV_STORE_FAILED', details: { store: `postgres ${db.schema}` } };
    await expect(store.readRange(0, 10)).rejects.toMatchObject(failed);
    await expect(store.lastOfLedger('quota/s/a')).rejects.toMatchObject(failed);
    const next = batchOf(1, ['quota/s/a'], seqs, { known });
    await expect(store.commit(next)).rejects.toMatchObject({ code: 'GOV_STORE_FAILED' });

    db.proxy.restore();
    expect(await store.readRange(0, 10)).toHaveLength(1);
    // Nothing of the refused batch was written: the same batch commits now.
    await store.commit(next);
    expect((await store.lastOfLedger('quota/s/a'))?.seq).toBe(2);
  });

  it('gives up on a connection the server never answers after connectTimeoutMs, and goes on after', async (ctx) => {
    await using db = await proxiedSchema(ctx);
    if (db === null) return;
    db.proxy.hold();
    await expect(db.store({ connectTimeoutMs: 300 }).open()).rejects.toMatchObject({
      code: 'GOV_STORE_FAILED',
    });
    db.proxy.restore();
    const store = db.store({ connectTimeoutMs: 300 });
    await store.open();
    const seqs = new Map<string, number>();
    const known = new Set<string>();
    await store.commit(batchOf(0, ['quota/s/a'], seqs, { known }));
    db.proxy.hold();
    await expect(store.readRange(0, 10)).rejects.toMatchObject({ code: 'GOV_STORE_FAILED' });
    const next = batchOf(1, ['quota/s/a'], seqs, { known });
    await expect(store.commit(next)).rejects.toMatchObject({ code: 'GOV_STORE_FAILED' });
    db.proxy.restore();
    await store.commit(next);
    expect(await store.readRange(0, 10)).toHaveLength(2);
  });

  it('opens again without waiting for connections that went silent (their queries still hang)', async (ctx) => {
    await using db = await proxiedSchema(ctx);
    if (db === null) return;
    const store = db.store();
    await store.open();
    await store.commit(batchOf(0, ['quota/s/a'], new Map(), { known: new Set() }));
    expect(await store.readRange(0, 10)).toHaveLength(1);
    db.proxy.freeze();
    // A read on a silent connection: it fails only when the forwarder is disposed at the end of the test.
    const stuck = store.readRange(0, 10).catch((err: unknown) => err);
    // The ledger re-reads its state after a failed batch by opening the store again: new connections work, and
    // the open must not wait for the old pool to drain (its query could hang for as long as TCP retries).
    expect((await store.open()).size).toBe(1);
    expect(await store.readRange(0, 10)).toHaveLength(1);
    await store.commit(
      batchOf(1, ['quota/s/a'], new Map([['quota/s/a', 1]]), { known: new Set(['quota/s/a']) }),
    );
    expect((await store.lastOfLedger('quota/s/a'))?.seq).toBe(2);
    void stuck;
  });

  it('refuses a reader count or connect timeout that is not a positive integer, naming it', () => {
    expect(() => new PostgresStore({ readers: 0 })).toThrow(/option readers must be a positive integer/);
    expect(() => new PostgresStore({ connectTimeoutMs: 1.5 })).toThrow(
      /option connectTimeoutMs must be a positive integer/,
    );
  });
});
