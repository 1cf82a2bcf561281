// Fixtures for ledger tests: valid drafts, a signer, and a Ledger over each store kind with clean teardown.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import {
  Ledger,
  MemoryStore,
  PostgresStore,
  SqliteStore,
  generateSigner,
  type LedgerConfig,
  type LedgerStore,
  type ReceiptDraft,
  type StoredPrivate,
  type TableDef,
} from '../../src/ledger/index.js';
import { SimulatedClock } from '../../src/runtime/clock/index.js';
import { PG_URL, requirePostgres, throwawaySchema } from './postgres.js';

/** Metadata whose canonical text is exactly `size` bytes: `{"note":"aaa…"}` is 11 bytes plus the string. */
export function metadataOfSize(size: number): Record<string, string> {
  return { note: 'a'.repeat(size - 11) };
}

/** A valid draft; override any field. */
export function draft(over: Partial<ReceiptDraft> = {}): ReceiptDraft {
  return {
    governor: 'quota',
    sku_id: 'sku-1',
    tenant_id: 'tenant-1',
    state_from: 'ACTIVE',
    state_to: 'ACTIVE',
    event: { type: 'cast', summary: 'signal' },
    status: 'accept',
    reason: { code: 'ok', message: 'within quota' },
    metadata: { count: 1 },
    cause: { request_id: null, idempotency_key: null, actor: null },
    ...over,
  };
}

/** One test's ledger and everything to tear down. */
export interface LedgerFixture extends AsyncDisposable {
  readonly ledger: Ledger;
  readonly store: LedgerStore;
  readonly clock: SimulatedClock;
  readonly signer: ReturnType<typeof generateSigner>;
  /** Closes the ledger and opens a new one over the same data (null for the memory store). */
  readonly reopen: (() => Promise<Ledger>) | null;
  /** A scratch directory removed on dispose. */
  readonly dir: string;
  /** A new store over the same data, not yet opened (the same instance for the memory store). */
  readonly freshStore: () => LedgerStore;
  /** Writes (or with null deletes) a private row behind the ledger's back, as an attacker with database access. */
  readonly setPrivateRow: (index: number, row: Omit<StoredPrivate, 'index'> | null) => Promise<void>;
}

/** The store kinds every ledger test runs on. */
export const STORE_KINDS = ['memory', 'sqlite', 'postgres'] as const;

/**
 * openLedger, or skips the test with the reason printed (PostgreSQL missing on a development machine; under
 * CI=true openLedger fails instead, never skips).
 */
export async function openLedgerOrSkip(
  ctx: { skip: () => void },
  kind: (typeof STORE_KINDS)[number],
  config: Partial<LedgerConfig> = {},
  tables: readonly TableDef[] = [],
): Promise<LedgerFixture> {
  const f = await openLedger(kind, config, tables);
  if (typeof f === 'string') {
    console.warn(`ledger test on ${kind} skipped: ${f}`);
    ctx.skip();
    throw new Error(f);
  }
  return f;
}

/** How to make (again) a fresh store of one kind over the same data, and drop it afterwards. */
export interface StoreMaker {
  /** A new, unopened store over the same data (the same instance for the memory store). */
  readonly make: () => LedgerStore;
  /** Removes the data (PostgreSQL schema); files in the scratch directory are the caller's. */
  readonly drop: () => Promise<void>;
  /** The PostgreSQL schema, or null. */
  readonly schema: string | null;
}

/** A store maker of `kind` with its files under `dir`; a skip reason when PostgreSQL is missing (not on CI). */
export async function storeMaker(
  kind: (typeof STORE_KINDS)[number],
  dir: string,
): Promise<StoreMaker | string> {
  if (kind === 'memory') {
    const store = new MemoryStore();
    return { make: () => store, drop: async () => undefined, schema: null };
  }
  if (kind === 'sqlite') {
    const path = join(dir, 'ledger.sqlite');
    return { make: () => new SqliteStore({ path }), drop: async () => undefined, schema: null };
  }
  const why = await requirePostgres();
  if (why !== null) return why;
  const schema = throwawaySchema();
  return {
    make: () => new PostgresStore({ connectionString: PG_URL, schema }),
    drop: () => new PostgresStore({ connectionString: PG_URL, schema }).dropSchema(),
    schema,
  };
}

/** Opens a ledger on a fresh store of `kind`; returns a skip reason when PostgreSQL is missing (not on CI). */
export async function openLedger(
  kind: (typeof STORE_KINDS)[number],
  config: Partial<LedgerConfig> = {},
  tables: readonly TableDef[] = [],
): Promise<LedgerFixture | string> {
  const dir = mkdtempSync(join(tmpdir(), 'gov-ledger-'));
  const maker = await storeMaker(kind, dir);
  if (typeof maker === 'string') return maker;
  const { make: makeStore, drop } = maker;
  let setPrivateRow: LedgerFixture['setPrivateRow'];
  if (kind === 'memory') {
    // The memory store has no SQL to go around it: reach into its map, as a test-only attacker.
    const rows = (makeStore() as unknown as { privates: Map<number, StoredPrivate> }).privates;
    setPrivateRow = async (index, row) => {
      if (row === null) rows.delete(index);
      else rows.set(index, { index, ...row });
    };
  } else if (kind === 'sqlite') {
    const path = join(dir, 'ledger.sqlite');
    setPrivateRow = async (index, row) => {
      const db = new Database(path);
      try {
        if (row === null) db.prepare('DELETE FROM gov_private WHERE idx = ?').run(index);
        else {
          db.prepare('INSERT OR REPLACE INTO gov_private (idx, salt, payload) VALUES (?, ?, ?)').run(
            index,
            row.salt,
            row.payload,
          );
        }
      } finally {
        db.close();
      }
    };
  } else {
    const schema = maker.schema as string;
    setPrivateRow = async (index, row) => {
      const c = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${schema}` });
      await c.connect();
      try {
        if (row === null) await c.query('DELETE FROM gov_private WHERE idx = $1', [index]);
        else {
          await c.query(
            'INSERT INTO gov_private (idx, salt, payload) VALUES ($1, $2, $3) ' +
              'ON CONFLICT (idx) DO UPDATE SET salt = EXCLUDED.salt, payload = EXCLUDED.payload',
            [index, Buffer.from(row.salt), Buffer.from(row.payload)],
          );
        }
      } finally {
        await c.end();
      }
    };
  }
  const clock = new SimulatedClock();
  const signer = generateSigner('governess.test/receipts');
  const cfg = (store: LedgerStore): LedgerConfig => ({
    store,
    clock,
    signer: signer.signer,
    checkpointIntervalMs: 0,
    groupCommit: { maxDelayMs: 0 },
    ...config,
  });
  const store = makeStore();
  for (const t of tables) store.defineTable(t);
  let ledger = await Ledger.open(cfg(store));
  const fixture = {
    get ledger() {
      return ledger;
    },
    store,
    clock,
    signer,
    dir,
    freshStore: makeStore,
    setPrivateRow,
    reopen:
      kind === 'memory'
        ? null
        : async () => {
            await ledger.close();
            ledger = await Ledger.open(cfg(makeStore()));
            return ledger;
          },
    [Symbol.asyncDispose]: async () => {
      await ledger.close().catch(() => undefined);
      await drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return fixture;
}
