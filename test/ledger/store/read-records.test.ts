// The SQL stores' readRecords read a range as one aggregate row. SQLite's order comes from the query plan (a
// range search of the table B-tree, no sort), so the plan is pinned here; a range with a gap or a value of another
// type must still come back exactly as stored, on SQLite and on PostgreSQL.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  Ledger,
  PostgresStore,
  SqliteStore,
  generateSigner,
  verifyStore,
} from '../../../src/ledger/index.js';
import { SQLITE_RECORDS_SQL } from '../../../src/ledger/store/sqlite-store.js';
import { recordBytes, recordCount, type StoredRecords } from '../../../src/ledger/store/stored-records.js';
import { SimulatedClock } from '../../../src/runtime/clock/index.js';
import { draft } from '../../support/ledger.js';
import { PG_URL, requirePostgres, throwawaySchema } from '../../support/postgres.js';

const keys = generateSigner('governess.test/records');
let dir: string;
let path: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gov-records-'));
  path = join(dir, 'ledger.sqlite');
  const ledger = await Ledger.open({
    store: new SqliteStore({ path }),
    clock: new SimulatedClock(),
    signer: keys.signer,
    checkpointIntervalMs: 0,
  });
  await Promise.all(
    Array.from({ length: 400 }, (_, i) => ledger.append(draft({ tenant_id: `t${i % 7}`, metadata: { i } }))),
  );
  await ledger.checkpoint();
  await ledger.close();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A copy of the ledger file with `sql` applied. */
function copyWith(sql: string): string {
  const d = mkdtempSync(join(dir, 'db-'));
  const p = join(d, 'ledger.sqlite');
  writeFileSync(p, readFileSync(path));
  const db = new Database(p);
  db.exec(sql);
  db.close();
  return p;
}

async function read(p: string, from: number, to: number): Promise<StoredRecords> {
  const store = new SqliteStore({ path: p, readonly: true });
  try {
    await store.open();
    return await store.readRecords(from, to);
  } finally {
    await store.close();
  }
}

/** What each stored row holds, read one by one. */
function rowsOf(p: string, from: number, to: number): { idx: number; bytes: string }[] {
  const db = new Database(p, { readonly: true });
  try {
    const rows = db
      .prepare(
        'SELECT idx, CAST(bytes AS BLOB) AS b FROM gov_receipts WHERE idx >= ? AND idx < ? ORDER BY idx',
      )
      .all(from, to) as { idx: number; b: Buffer }[];
    return rows.map((r) => ({ idx: r.idx, bytes: r.b.toString('utf8') }));
  } finally {
    db.close();
  }
}

function asRows(r: StoredRecords): { idx: number; bytes: string }[] {
  return Array.from({ length: recordCount(r) }, (_, i) => ({
    idx: r.indexes[i]!,
    bytes: Buffer.from(recordBytes(r, i)).toString('utf8'),
  }));
}

describe('SqliteStore.readRecords', () => {
  it('reads by a range search of the table B-tree, with no temporary B-tree to sort', () => {
    const db = new Database(path, { readonly: true });
    try {
      const plan = (db.prepare(`EXPLAIN QUERY PLAN ${SQLITE_RECORDS_SQL}`).all(0, 10) as { detail: string }[])
        .map((r) => r.detail)
        .join('\n');
      expect(plan).toMatch(/^SEARCH gov_receipts USING INTEGER PRIMARY KEY \(rowid>\? AND rowid<\?\)$/);
    } finally {
      db.close();
    }
  });

  it('gives every row of the range in index order, exactly as stored', async () => {
    const r = await read(path, 150, 390);
    expect(asRows(r)).toEqual(rowsOf(path, 150, 390));
    expect(recordCount(r)).toBe(240);
  });

  it('a range with a deleted row comes back with its real indexes (the gap stays visible)', async () => {
    const p = copyWith('DELETE FROM gov_receipts WHERE idx = 20');
    const r = await read(p, 10, 30);
    expect([...r.indexes]).toEqual([
      ...Array.from({ length: 10 }, (_, i) => 10 + i),
      ...Array.from({ length: 9 }, (_, i) => 21 + i),
    ]);
    expect(asRows(r)).toEqual(rowsOf(p, 10, 30));
  });

  it('a receipt stored as text is read as its bytes, with or without a gap in the range', async () => {
    const p = copyWith(
      'UPDATE gov_receipts SET bytes = CAST(bytes AS TEXT) WHERE idx = 5; DELETE FROM gov_receipts WHERE idx = 50',
    );
    expect(asRows(await read(p, 0, 20))).toEqual(rowsOf(p, 0, 20));
    expect(asRows(await read(p, 0, 60))).toEqual(rowsOf(p, 0, 60));
    expect(asRows(await read(p, 0, 60))[5]).toEqual(asRows(await read(path, 0, 60))[5]);
  });
});

describe('verifying a SQLite file', () => {
  it('stops the workers it started while PRAGMA quick_check ran, when the check finds damage', async () => {
    const p = join(mkdtempSync(join(dir, 'damaged-')), 'ledger.sqlite');
    const b = readFileSync(path);
    // The last two pages hold receipts and tiles: gov_meta and the log state (early pages) still read. The page
    // size is in the file header (bytes 16-17, big-endian; 1 means 65536).
    const pageSize = b.readUInt16BE(16) === 1 ? 65536 : b.readUInt16BE(16);
    b.fill(0x5a, b.length - 2 * pageSize);
    writeFileSync(p, b);
    const terminate = vi.spyOn(Worker.prototype, 'terminate');
    try {
      const store = new SqliteStore({ path: p, readonly: true });
      const report = await verifyStore(store, { keys: [keys.verifier], workers: 2 });
      await store.close();
      expect(report.first_failure?.problem).toMatch(/SQLite integrity check failed|malformed/);
      expect(terminate).toHaveBeenCalledTimes(2);
    } finally {
      terminate.mockRestore();
    }
  });
});

describe('PostgresStore.readRecords', () => {
  it('gives the rows of a range exactly as stored, and a deleted row as a gap', async (ctx) => {
    const why = await requirePostgres();
    if (why !== null) return ctx.skip();
    const schema = throwawaySchema();
    const ledger = await Ledger.open({
      store: new PostgresStore({ connectionString: PG_URL, schema }),
      clock: new SimulatedClock(),
      signer: keys.signer,
      checkpointIntervalMs: 0,
    });
    await Promise.all(Array.from({ length: 30 }, (_, i) => ledger.append(draft({ metadata: { i } }))));
    await ledger.close();
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    const store = new PostgresStore({ connectionString: PG_URL, schema });
    try {
      await store.open();
      const rows = async (): Promise<{ idx: number; bytes: string }[]> =>
        (
          await client.query<{ idx: string; bytes: Buffer }>(
            `SELECT idx, bytes FROM ${schema}.gov_receipts WHERE idx >= 5 AND idx < 20 ORDER BY idx`,
          )
        ).rows.map((r) => ({ idx: Number(r.idx), bytes: r.bytes.toString('utf8') }));
      expect(asRows(await store.readRecords(5, 20))).toEqual(await rows());
      await client.query(`DELETE FROM ${schema}.gov_receipts WHERE idx = 12`);
      const gap = await store.readRecords(5, 20);
      expect([...gap.indexes]).not.toContain(12);
      expect(asRows(gap)).toEqual(await rows());
    } finally {
      await store.close();
      await client.query(`DROP SCHEMA ${schema} CASCADE`);
      await client.end();
    }
  });
});
