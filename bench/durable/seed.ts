// Writes n passive governors straight into a SQLite durable store, as rows the host can load: the same
// snapshot and timer encoders the step committer uses, version 1 (the step that created the governor and armed
// its 30-day timer), the due column set. One transaction and one prepared statement, so 1M rows take seconds,
// not the hours a million real creation steps would.
import Database from 'better-sqlite3';
import { DURABLE_TABLES, GOVERNORS_TABLE, encodeSnapshot, encodeTimerRows } from '../../src/durable/index.js';
import { SqliteStore } from '../../src/ledger/index.js';
import { EXPIRE_MS, benchGkey, type BenchCounterTypes } from './machine.js';

const DAY_MS = 86_400_000;

/** Creates the store's tables in a new file at `path` and seeds governors 0..n-1; returns the file's bytes. */
export async function seedGovernors(path: string, n: number, wallNow: number): Promise<number> {
  // The store creates every table and index exactly as a host would find them.
  const store = new SqliteStore({ path });
  for (const t of DURABLE_TABLES) store.defineTable(t);
  await store.open();
  await store.close();

  const db = new Database(path);
  try {
    // Seeding only: a crash here just means seeding again, so no fsync per page; a large page cache keeps the
    // due index (inserted in due-time order, not key order) in memory while it grows.
    db.pragma('synchronous = OFF');
    db.pragma('cache_size = -524288');
    const snapshot = encodeSnapshot<BenchCounterTypes>({
      state: 'counting',
      data: { total: 0 },
      queue: [],
      postponed: [],
      timerGen: 1,
    });
    const cols = Object.keys(GOVERNORS_TABLE.columns);
    const insert = db.prepare(
      `INSERT INTO gov_x_${GOVERNORS_TABLE.name} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`,
    );
    // Due times spread over a day, 30 days out: created over a day, each armed its timer at creation.
    const base = Math.ceil(wallNow) + EXPIRE_MS - DAY_MS;
    db.transaction(() => {
      for (let i = 0; i < n; i++) {
        const dueMs = base + ((i * 7919) % DAY_MS);
        const timers = encodeTimerRows([
          { kind: 'generic_timeout', name: 'expire', dueMs, gen: 1, content: 'expire' },
        ]);
        const row: Record<string, unknown> = {
          gkey: benchGkey(i),
          version: 1,
          data_ver: 0,
          snapshot,
          timers,
          next_due_ms: dueMs,
          status: 'live',
          epoch: 0,
        };
        insert.run(cols.map((c) => row[c]));
      }
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');
    const pages = db.pragma('page_count', { simple: true }) as number;
    const size = db.pragma('page_size', { simple: true }) as number;
    return pages * size;
  } finally {
    db.close();
  }
}
