// Fixtures for ledger tests: valid drafts, a signer, and a Ledger over each store kind with clean teardown.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Ledger,
  MemoryStore,
  PostgresStore,
  SqliteStore,
  generateSigner,
  type LedgerConfig,
  type LedgerStore,
  type ReceiptDraft,
  type TableDef,
} from '../../src/ledger/index.js';
import { SimulatedClock } from '../../src/runtime/clock/index.js';
import { PG_URL, requirePostgres, throwawaySchema } from './postgres.js';

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
}

/** The store kinds every ledger test runs on. */
export const STORE_KINDS = ['memory', 'sqlite', 'postgres'] as const;

/** Opens a ledger on a fresh store of `kind`; returns a skip reason when PostgreSQL is missing (not on CI). */
export async function openLedger(
  kind: (typeof STORE_KINDS)[number],
  config: Partial<LedgerConfig> = {},
  tables: readonly TableDef[] = [],
): Promise<LedgerFixture | string> {
  const dir = mkdtempSync(join(tmpdir(), 'gov-ledger-'));
  let makeStore: () => LedgerStore;
  let drop: () => Promise<void> = async () => undefined;
  if (kind === 'memory') {
    const store = new MemoryStore();
    makeStore = () => store;
  } else if (kind === 'sqlite') {
    makeStore = () => new SqliteStore({ path: join(dir, 'ledger.sqlite') });
  } else {
    const why = await requirePostgres();
    if (why !== null) return why;
    const schema = throwawaySchema();
    makeStore = () => new PostgresStore({ connectionString: PG_URL, schema });
    drop = () => new PostgresStore({ connectionString: PG_URL, schema }).dropSchema();
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
