// Suites 7-9: the receipt ledger (issue 3). Durable receipts per second with 1, 100 and 10,000 ledgers appended
// to concurrently (closed loop: 4,096 appends in flight), append latency p50/p99 at the target rate (open loop:
// appends issued every millisecond at the target rate, latency from issue to the resolved promise, i.e. after
// COMMIT), then verification and export speed. No XState or OTP equivalent exists; the published anchor is
// Trillian Tessera's ~3,000 durable writes/s on its POSIX backend (see docs/ledger/storage.md).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Ledger,
  SqliteStore,
  generateSigner,
  parseVerifierKey,
  verifyExport,
  verifyStore,
  type ReceiptDraft,
} from '../../src/ledger/index.js';
import { RealClock } from '../../src/runtime/clock/index.js';
import { scratchStore, type StoreKind } from '../scratch-store.js';
import { check, now, percentile, type Figures, type MetricSpec, type Suite } from '../common.js';

const IN_FLIGHT = 1024;
const NO_ANCHOR = 'no in-process equivalent; Tessera POSIX publishes ~3,000 durable writes/s';

type Kind = StoreKind;

/** A realistic receipt: a quota signal of one of `ledgers` tenants (~330 canonical bytes). */
function receipt(i: number, ledgers: number): ReceiptDraft {
  return {
    governor: 'quota',
    sku_id: 'sku-standard',
    tenant_id: `tenant-${i % ledgers}`,
    state_from: 'ACTIVE',
    state_to: 'ACTIVE',
    event: { type: 'cast', summary: 'usage signal' },
    status: 'accept',
    reason: { code: 'within_quota', message: 'usage below the hourly limit' },
    metadata: { count: i, limit: 1000 },
    cause: { request_id: `req-${i}`, idempotency_key: null, actor: 'metering' },
  };
}

async function withLedger<T>(kind: Kind, run: (ledger: Ledger) => Promise<T>): Promise<T> {
  const scratch = scratchStore(kind, 'ledger');
  const clock = new RealClock();
  const ledger = await Ledger.open({
    store: scratch.store,
    clock,
    signer: generateSigner('bench.governess/ledger').signer,
    checkpointIntervalMs: 1000,
  });
  try {
    return await run(ledger);
  } finally {
    await ledger.close();
    clock[Symbol.dispose]();
    await scratch.drop();
  }
}

/** Closed loop: IN_FLIGHT producers append `n` receipts as fast as commits come back; returns receipts/s. */
async function throughput(ledger: Ledger, n: number, ledgers: number): Promise<number> {
  // Warm up: every ledger gets its first receipt (new ledgers cost an extra row), code paths get compiled.
  const warm = Math.max(ledgers, 5000);
  await Promise.all(Array.from({ length: warm }, (_, i) => ledger.append(receipt(i, ledgers))));
  let next = 0;
  const producer = async (): Promise<void> => {
    while (next < n) await ledger.append(receipt(warm + next++, ledgers));
  };
  const t0 = now();
  await Promise.all(Array.from({ length: IN_FLIGHT }, producer));
  const rate = n / ((now() - t0) / 1000);
  check(ledger.size === warm + n, `all ${n} receipts committed`);
  return rate;
}

/** Open loop at `rate` receipts/s for `seconds`: latency of each append from issue to resolve (ms). */
async function latencyAt(ledger: Ledger, rate: number, seconds: number): Promise<Float64Array> {
  const total = Math.round(rate * seconds);
  const lat = new Float64Array(total);
  const pending: Promise<void>[] = [];
  const t0 = now();
  let issued = 0;
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const due = Math.min(total, Math.floor(((now() - t0) / 1000) * rate));
      while (issued < due) {
        const i = issued++;
        const start = now();
        pending.push(ledger.append(receipt(i, 100)).then(() => void (lat[i] = now() - start)));
      }
      if (issued < total) setImmediate(tick);
      else resolve();
    };
    tick();
  });
  await Promise.all(pending);
  return lat;
}

function ledgerMetrics(rateTarget: number): MetricSpec[] {
  const rate = (name: string, label: string, target: boolean): MetricSpec => ({
    name,
    unit: 'receipts/s',
    label,
    ...(target ? { target: { op: '>=' as const, value: rateTarget } } : {}),
  });
  return [
    rate('rate_1', 'durable receipts/s, 1 ledger', false),
    rate('rate_100', 'durable receipts/s, 100 ledgers', true),
    rate('rate_10k', 'durable receipts/s, 10k ledgers', true),
    { name: 'p50', unit: 'ms', label: `append p50 at ${rateTarget / 1000}k/s (ms)` },
    {
      name: 'p99',
      unit: 'ms',
      label: `append p99 at ${rateTarget / 1000}k/s (ms)`,
      target: { op: '<=', value: 20 },
    },
  ];
}

function ledgerSuite(kind: Kind, id: string, rateTarget: number, n: number): Suite {
  return {
    id,
    title: `receipt ledger on ${kind}: ${n / 1000}k durable appends per run, ${IN_FLIGHT} in flight; latency open loop`,
    metrics: ledgerMetrics(rateTarget),
    xstateMissing: NO_ANCHOR,
    otpMissing: NO_ANCHOR,
    serviceProcess: true,
    async governess(): Promise<Figures> {
      const figures: Figures = {};
      for (const [name, ledgers] of [
        ['rate_1', 1],
        ['rate_100', 100],
        ['rate_10k', 10_000],
      ] as const) {
        figures[name] = await withLedger(kind, (l) => throughput(l, n, ledgers));
      }
      const lat = await withLedger(kind, async (l) => {
        await throughput(l, 5000, 100);
        return latencyAt(l, rateTarget, 3);
      });
      figures['p50'] = percentile(lat, 50);
      figures['p99'] = percentile(lat, 99);
      return figures;
    },
  };
}

const VERIFY_N = 300_000;

/** Verify and export speed over one SQLite database of VERIFY_N receipts in 1,000 ledgers. */
const verifySuite: Suite = {
  id: 'ledger-verify',
  title: `verify and export ${VERIFY_N / 1000}k receipts (SQLite database, 1,000 ledgers)`,
  metrics: [
    {
      name: 'verify_db',
      unit: 'receipts/s',
      label: 'verify a database',
      target: { op: '>=', value: 150_000 },
    },
    { name: 'export', unit: 'receipts/s', label: 'export (JSONL + manifest)' },
    {
      name: 'verify_export',
      unit: 'receipts/s',
      label: 'verify an export',
      target: { op: '>=', value: 150_000 },
    },
  ],
  xstateMissing: NO_ANCHOR,
  otpMissing: NO_ANCHOR,
  async governess(): Promise<Figures> {
    const dir = mkdtempSync(join(tmpdir(), 'gov-bench-verify-'));
    const signer = generateSigner('bench.governess/verify');
    const keys = [parseVerifierKey(signer.verifierKey)];
    const path = join(dir, 'ledger.sqlite');
    const clock = new RealClock();
    try {
      const ledger = await Ledger.open({
        store: new SqliteStore({ path }),
        clock,
        signer: signer.signer,
        checkpointIntervalMs: 0,
      });
      await throughput(ledger, VERIFY_N - 5000, 1000);
      await ledger.checkpoint();
      let t0 = now();
      await ledger.export(join(dir, 'export'));
      const exportRate = VERIFY_N / ((now() - t0) / 1000);
      await ledger.close();

      // Opened as `governess verify --db sqlite:PATH` opens it: read-only, no writer thread, no schema statements.
      const store = new SqliteStore({ path, readonly: true });
      t0 = now();
      const db = await verifyStore(store, { keys });
      const dbRate = VERIFY_N / ((now() - t0) / 1000);
      await store.close();
      check(db.ok && db.receipts === VERIFY_N, `database verified (${JSON.stringify(db.first_failure)})`);

      t0 = now();
      const ex = await verifyExport(join(dir, 'export'), { keys });
      const exRate = VERIFY_N / ((now() - t0) / 1000);
      check(ex.ok && ex.receipts === VERIFY_N, `export verified (${JSON.stringify(ex.first_failure)})`);
      return { verify_db: dbRate, export: exportRate, verify_export: exRate };
    } finally {
      clock[Symbol.dispose]();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

/** The ledger suites, in run order. */
export const ledgerSuites: readonly Suite[] = [
  ledgerSuite('sqlite', 'ledger-sqlite', 50_000, 200_000),
  ledgerSuite('postgres', 'ledger-postgres', 20_000, 100_000),
  verifySuite,
];
