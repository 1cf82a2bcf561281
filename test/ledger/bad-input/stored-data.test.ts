// Bad data already stored: a receipt of an unknown schema version (in SQLite, in PostgreSQL and in an export
// line), and a damaged SQLite file (garbage in the middle, truncated, a damaged header, not a database, empty).
// Each gives the exact code naming the receipt index, the line or the file, never a raw driver error, and
// verifying changes nothing: the rows and the file bytes are the same afterwards.
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Ledger,
  PostgresStore,
  SqliteStore,
  generateSigner,
  verifyExport,
  verifyStore,
} from '../../../src/ledger/index.js';
import { SimulatedClock } from '../../../src/runtime/clock/index.js';
import { draft } from '../../support/ledger.js';
import { PG_URL, requirePostgres, throwawaySchema } from '../../support/postgres.js';
import { runCli } from '../../support/verify.js';

const keys = generateSigner('governess.test/stored');
let dir: string;
let dbPath: string;
let exportDir: string;

function config(store: SqliteStore | PostgresStore): Parameters<typeof Ledger.open>[0] {
  return {
    store,
    clock: new SimulatedClock(),
    signer: keys.signer,
    checkpointIntervalMs: 0,
    groupCommit: { maxDelayMs: 0 },
  };
}

async function fill(ledger: Ledger, n: number): Promise<void> {
  for (let i = 0; i < n; i += 500) {
    await Promise.all(
      Array.from({ length: Math.min(500, n - i) }, (_, k) =>
        ledger.append(draft({ tenant_id: `t${(i + k) % 20}`, metadata: { i: i + k } })),
      ),
    );
  }
  await ledger.checkpoint();
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gov-stored-'));
  dbPath = join(dir, 'ledger.sqlite');
  exportDir = join(dir, 'export');
  const ledger = await Ledger.open(config(new SqliteStore({ path: dbPath })));
  await fill(ledger, 3000);
  await ledger.export(exportDir);
  await ledger.close();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const V1 = '"schema":"governess.receipt/v1"';
const V2 = '"schema":"governess.receipt/v2"';
const sha = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

function copyDb(name: string): string {
  const p = join(mkdtempSync(join(dir, 'db-')), name);
  copyFileSync(dbPath, p);
  return p;
}

describe('a receipt of an unknown schema version in stored data', () => {
  it('SQLite: verify and read name the receipt index with GOV_RECEIPT_SCHEMA, and change nothing', async () => {
    const p = copyDb('v2.sqlite');
    const db = new Database(p);
    const row = db.prepare('SELECT bytes, rid FROM gov_receipts WHERE idx = 3').get() as {
      bytes: Buffer;
      rid: string;
    };
    const edited = Buffer.from(row.bytes.toString('utf8').replace(V1, V2));
    db.prepare('UPDATE gov_receipts SET bytes = ? WHERE idx = 3').run(edited);
    db.close();
    const before = sha(p);

    const store = new SqliteStore({ path: p });
    const report = await verifyStore(store, { keys: [keys.verifier] });
    await store.close();
    expect(report.first_failure).toEqual({
      where: 'receipt index 3',
      problem: 'unknown receipt schema "governess.receipt/v2" at receipt index 3',
      code: 'GOV_RECEIPT_SCHEMA',
    });
    expect(sha(p)).toBe(before);

    const ledger = await Ledger.open(config(new SqliteStore({ path: p })));
    const err = await ledger.get(row.rid).catch((e: unknown) => e);
    await ledger.close();
    expect(err).toMatchObject({ code: 'GOV_RECEIPT_SCHEMA', details: { where: 'receipt index 3' } });
    const after = new Database(p, { readonly: true });
    expect(
      (after.prepare('SELECT bytes FROM gov_receipts WHERE idx = 3').get() as { bytes: Buffer }).bytes,
    ).toEqual(edited);
    after.close();
  });

  it('PostgreSQL: verify names the receipt index with GOV_RECEIPT_SCHEMA, and the row is unchanged', async (ctx) => {
    const why = await requirePostgres();
    if (why !== null) return ctx.skip();
    const schema = throwawaySchema();
    const ledger = await Ledger.open(config(new PostgresStore({ connectionString: PG_URL, schema })));
    await fill(ledger, 20);
    await ledger.close();
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      const { rows } = await client.query<{ bytes: Buffer }>(
        `SELECT bytes FROM ${schema}.gov_receipts WHERE idx = 7`,
      );
      const edited = Buffer.from(rows[0]!.bytes.toString('utf8').replace(V1, V2));
      await client.query(`UPDATE ${schema}.gov_receipts SET bytes = $1 WHERE idx = 7`, [edited]);
      const store = new PostgresStore({ connectionString: PG_URL, schema });
      const report = await verifyStore(store, { keys: [keys.verifier] });
      await store.close();
      expect(report.first_failure).toMatchObject({ where: 'receipt index 7', code: 'GOV_RECEIPT_SCHEMA' });
      const again = await client.query<{ bytes: Buffer }>(
        `SELECT bytes FROM ${schema}.gov_receipts WHERE idx = 7`,
      );
      expect(again.rows[0]!.bytes).toEqual(edited);
    } finally {
      await client.query(`DROP SCHEMA ${schema} CASCADE`);
      await client.end();
    }
  });

  it('an export line: names the line and index', async () => {
    const d = mkdtempSync(join(dir, 'export-v2-'));
    const lines = readFileSync(join(exportDir, 'receipts.jsonl'), 'utf8').split('\n');
    lines[3] = lines[3]!.replace(V1, V2);
    writeFileSync(join(d, 'receipts.jsonl'), lines.join('\n'));
    copyFileSync(join(exportDir, 'manifest.json'), join(d, 'manifest.json'));
    const report = await verifyExport(d, { keys: [keys.verifier] });
    expect(report.first_failure).toMatchObject({
      where: 'receipts.jsonl line 4 (index 3)',
      code: 'GOV_RECEIPT_SCHEMA',
    });
  });
});

describe('a damaged SQLite file', () => {
  const damage: readonly [string, (p: string) => void, RegExp][] = [
    [
      'garbage bytes in the middle',
      (p) => {
        const b = readFileSync(p);
        // Two whole pages from the middle page on (the page size is in the header, bytes 16-17; 1 means 65536),
        // so the garbage cannot fall only in a page's unused space.
        const pageSize = b.readUInt16BE(16) === 1 ? 65536 : b.readUInt16BE(16);
        const mid = Math.floor(b.length / 2 / pageSize) * pageSize;
        for (let i = mid; i < Math.min(b.length, mid + 2 * pageSize); i++) b[i] = (i * 31) & 0xff;
        writeFileSync(p, b);
      },
      /SQLite integrity check failed|malformed/,
    ],
    [
      'a truncated file',
      (p) => truncateSync(p, Math.floor(readFileSync(p).length / 3)),
      /malformed|integrity/,
    ],
    [
      'a damaged header',
      (p) => {
        const b = readFileSync(p);
        b.fill(7, 0, 100);
        writeFileSync(p, b);
      },
      /not a readable SQLite database: file is not a database/,
    ],
    [
      'not a database at all',
      (p) => writeFileSync(p, 'receipts, honest\n'.repeat(500)),
      /file is not a database/,
    ],
    [
      'an empty file',
      (p) => writeFileSync(p, ''),
      /not a Governess ledger database \(it has no gov_meta table\)/,
    ],
  ];

  it.each(damage)(
    '%s: verify fails with GOV_STORE_CORRUPT naming the file, and leaves it as it was',
    async (_l, hurt, problem) => {
      const p = copyDb('damaged.sqlite');
      hurt(p);
      const before = sha(p);
      const store = new SqliteStore({ path: p });
      const report = await verifyStore(store, { keys: [keys.verifier] });
      await store.close();
      expect(report.ok).toBe(false);
      expect(report.first_failure?.where).toBe(p);
      expect(report.first_failure?.code).toBe('GOV_STORE_CORRUPT');
      expect(report.first_failure?.problem).toMatch(problem);
      expect(sha(p)).toBe(before);
      // SQLite may leave an empty -wal beside a WAL-mode file it opened read-only; it never holds data.
      if (existsSync(`${p}-wal`)) expect(readFileSync(`${p}-wal`)).toHaveLength(0);

      const cli = await runCli(['verify', '--db', `sqlite:${p}`, '--key', keys.verifierKey]);
      expect(cli.code).toBe(1);
      expect(cli.err).toMatch(new RegExp(`^FAILED at ${p.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: `));
      expect(cli.out).not.toMatch(/SqliteError/);
      expect(sha(p)).toBe(before);
    },
  );

  it.each(damage.filter(([l]) => l !== 'an empty file' && l !== 'garbage bytes in the middle'))(
    '%s: opening a ledger on it fails with GOV_STORE_CORRUPT naming the file',
    async (_l, hurt) => {
      const p = copyDb('damaged.sqlite');
      hurt(p);
      const err = await Ledger.open(config(new SqliteStore({ path: p }))).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'GOV_STORE_CORRUPT' });
      expect(String((err as { details: { where: string } }).details.where)).toBe(p);
    },
  );
});

describe('a PostgreSQL ledger that is not there', () => {
  it('a missing schema exits 2 naming it, and is not created; an unreachable server exits 2', async (ctx) => {
    const why = await requirePostgres();
    if (why !== null) return ctx.skip();
    const schema = throwawaySchema();
    const run = await runCli(['verify', '--db', `${PG_URL}#${schema}`, '--key', keys.verifierKey]);
    expect(run.code).toBe(2);
    expect(run.err).toBe(
      `governess verify: ledger store postgres schema ${schema}: no such schema (name it after # in the URL; the default is governess)`,
    );
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      const found = await client.query('SELECT 1 FROM information_schema.schemata WHERE schema_name = $1', [
        schema,
      ]);
      expect(found.rows).toHaveLength(0);
      // `governess export` opens the database the same way (open-store.ts): it does not create the schema either.
      const csv = join(mkdtempSync(join(tmpdir(), 'gov-csv-')), 'out.csv');
      const exported = await runCli(['export', '--db', `${PG_URL}#${schema}`, '--csv', csv]);
      expect(exported.code).toBe(2);
      expect(exported.err).toMatch(
        new RegExp(`^governess export: ledger store postgres schema ${schema}: no such schema`),
      );
      expect(existsSync(csv)).toBe(false);
      const after = await client.query('SELECT 1 FROM information_schema.schemata WHERE schema_name = $1', [
        schema,
      ]);
      expect(after.rows).toHaveLength(0);
      await client.query(`CREATE SCHEMA ${schema}`);
      const empty = await runCli(['verify', '--db', `${PG_URL}#${schema}`, '--key', keys.verifierKey]);
      expect(empty.code).toBe(2);
      expect(empty.err).toMatch(/holds no Governess ledger \(it has no gov_meta table\)$/);
    } finally {
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    }
    const down = await runCli([
      'verify',
      '--db',
      'postgres://postgres@127.0.0.1:1/test#x',
      '--key',
      keys.verifierKey,
    ]);
    expect(down.code).toBe(2);
    expect(down.err).toMatch(/^governess verify: ledger store postgres schema x: cannot connect: /);
  });

  it('a real ledger schema verifies through the CLI', async (ctx) => {
    const why = await requirePostgres();
    if (why !== null) return ctx.skip();
    const schema = throwawaySchema();
    const ledger = await Ledger.open(config(new PostgresStore({ connectionString: PG_URL, schema })));
    try {
      await fill(ledger, 15);
      const run = await runCli(['verify', '--db', `${PG_URL}#${schema}`, '--key', keys.verifierKey]);
      expect(run.code).toBe(0);
      expect(JSON.parse(run.out)).toMatchObject({ ok: true, receipts: 15 });
    } finally {
      await ledger.close();
      await new PostgresStore({ connectionString: PG_URL, schema }).dropSchema();
    }
  });
});
