// Runs the store contract against every backend: memory, SQLite (a temp file) and PostgreSQL (a throwaway schema).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { MemoryStore } from '../../../src/ledger/store/memory-store.js';
import { PostgresStore } from '../../../src/ledger/store/postgres-store.js';
import { SqliteStore } from '../../../src/ledger/store/sqlite-store.js';
import type { LedgerStore } from '../../../src/ledger/store/types.js';
import { PG_URL, requirePostgres, throwawaySchema } from '../../support/postgres.js';
import { storeContract } from './contract.js';

storeContract('memory', async () => {
  const store = new MemoryStore();
  return { store, reopen: null, [Symbol.asyncDispose]: () => store.close() };
});

storeContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gov-sqlite-'));
  const path = join(dir, 'ledger.sqlite');
  const opened: LedgerStore[] = [];
  const store = new SqliteStore({ path });
  opened.push(store);
  return {
    store,
    reopen: async () => {
      await store.close();
      const s = new SqliteStore({ path });
      opened.push(s);
      return s;
    },
    another: () => {
      const s = new SqliteStore({ path });
      opened.push(s);
      return s;
    },
    explain: {
      dialect: 'sqlite',
      plan: async (sql, params) => {
        const db = new Database(path, { readonly: true });
        try {
          const rows = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[];
          return rows.map((r) => r.detail).join('\n');
        } finally {
          db.close();
        }
      },
    },
    [Symbol.asyncDispose]: async () => {
      for (const s of opened) await s.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

storeContract('postgres', async () => {
  const why = await requirePostgres();
  if (why !== null) return why;
  const schema = throwawaySchema();
  const opened: PostgresStore[] = [];
  const store = new PostgresStore({ connectionString: PG_URL, schema });
  opened.push(store);
  return {
    store,
    reopen: async () => {
      await store.close();
      const s = new PostgresStore({ connectionString: PG_URL, schema });
      opened.push(s);
      return s;
    },
    another: () => {
      const s = new PostgresStore({ connectionString: PG_URL, schema });
      opened.push(s);
      return s;
    },
    explain: {
      dialect: 'postgres',
      // A small table is cheapest to read whole, so the planner is told to avoid sequential scans (inside the
      // test's own transaction only): what is asserted is that the index CAN serve the scan.
      plan: async (sql, params) => {
        const c = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${schema}` });
        await c.connect();
        try {
          await c.query('BEGIN');
          await c.query('SET LOCAL enable_seqscan = off');
          const res = await c.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, [...params]);
          await c.query('ROLLBACK');
          return res.rows.map((r) => r['QUERY PLAN']).join('\n');
        } finally {
          await c.end();
        }
      },
    },
    [Symbol.asyncDispose]: async () => {
      for (const s of opened) await s.close();
      await store.dropSchema();
    },
  };
});
