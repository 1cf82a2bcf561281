// The floor beside a durable latency run: another process commits one plain ~600-byte row per transaction, at a
// light fixed rate, to the same kind of store on the same disk (a file of its own with the ledger's SQLite
// settings, or a schema of its own on the same PostgreSQL server), while the durable suite's open loop runs.
// Its latencies say what a bare commit costs at that moment, so a durable call's p99 can be read against it.
//   node --import tsx bench/durable/commit-floor.ts <sqlite|postgres> <file path | schema> <rate> <count>
// Prints READY once its table exists, starts on a line GO on stdin, prints FLOOR {json} and removes its table.
import Database from 'better-sqlite3';
import pg from 'pg';
import { createInterface } from 'node:readline';
import { rmSync } from 'node:fs';
import { percentile } from '../common.js';
import { PG_URL } from '../../test/support/postgres.js';

/** What the floor process reports: latency of its commits, ms. */
export interface FloorFigures {
  readonly p50: number;
  readonly p99: number;
}

/** One committed row at a time. */
interface Committer {
  commit(payload: Buffer): Promise<void>;
  close(): Promise<void>;
}

async function sqliteCommitter(path: string): Promise<Committer> {
  const db = new Database(path);
  // The ledger's SQLite settings (src/ledger/store/sqlite-store.ts): the same fsync per commit.
  db.pragma('page_size = 16384');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE floor (id INTEGER PRIMARY KEY, payload BLOB NOT NULL)');
  const insert = db.prepare('INSERT INTO floor (payload) VALUES (?)');
  return {
    commit: async (payload) => void insert.run(payload),
    close: async () => {
      db.close();
      rmSync(path, { force: true });
      rmSync(`${path}-wal`, { force: true });
      rmSync(`${path}-shm`, { force: true });
    },
  };
}

async function postgresCommitter(schema: string): Promise<Committer> {
  const db = new pg.Client({ connectionString: PG_URL, options: '-c synchronous_commit=on' });
  await db.connect();
  await db.query(`CREATE SCHEMA ${schema}`);
  await db.query(`CREATE TABLE ${schema}.floor (id bigserial PRIMARY KEY, payload bytea NOT NULL)`);
  return {
    commit: async (payload) =>
      void (await db.query(`INSERT INTO ${schema}.floor (payload) VALUES ($1)`, [payload])),
    close: async () => {
      await db.query(`DROP SCHEMA ${schema} CASCADE`);
      await db.end();
    },
  };
}

async function main(): Promise<void> {
  const [kind, target, rateArg, countArg] = process.argv.slice(2);
  const rate = Number(rateArg);
  const count = Number(countArg);
  if ((kind !== 'sqlite' && kind !== 'postgres') || target === undefined || !(rate > 0) || !(count > 0))
    throw new Error('usage: commit-floor.ts <sqlite|postgres> <file path | schema> <rate> <count>');
  const committer = kind === 'sqlite' ? await sqliteCommitter(target) : await postgresCommitter(target);
  try {
    const lines = createInterface({ input: process.stdin });
    // A parent that ends before GO closes stdin: the table is removed all the same (finally, below).
    const go = new Promise<void>((resolve, reject) => {
      lines.on('line', (l) => l.trim() === 'GO' && resolve());
      lines.on('close', () => reject(new Error('stdin closed before GO')));
    });
    process.stdout.write('READY\n');
    await go;
    lines.close();
    const payload = Buffer.alloc(600, 0x5a);
    const lat = new Float64Array(count);
    const t0 = performance.now();
    for (let i = 0; i < count; i++) {
      const due = t0 + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const start = performance.now();
      await committer.commit(payload);
      lat[i] = performance.now() - start;
    }
    const figures: FloorFigures = { p50: percentile(lat, 50), p99: percentile(lat, 99) };
    process.stdout.write(`FLOOR ${JSON.stringify(figures)}\n`);
  } finally {
    await committer.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
