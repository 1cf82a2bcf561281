// The parallel path (records checked in worker threads, linked in order on the main thread) must give exactly
// the report of the in-thread path on a corpus of broken logs: same failures, same order, same `where`, same
// codes, same counts and state. Chunks of 3 records make every case cross several chunks and workers.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ledger, SqliteStore, generateSigner, verifyExport, verifyStore } from '../../../src/ledger/index.js';
import { SimulatedClock } from '../../../src/runtime/clock/index.js';
import { draft } from '../../support/ledger.js';

const keys = generateSigner('governess.test/parallel');
let dir: string;
let exportDir: string;
let dbPath: string;
let lines: Buffer[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gov-par-'));
  exportDir = join(dir, 'export');
  dbPath = join(dir, 'ledger.sqlite');
  const ledger = await Ledger.open({
    store: new SqliteStore({ path: dbPath }),
    clock: new SimulatedClock(),
    signer: keys.signer,
    checkpointIntervalMs: 0,
    groupCommit: { maxDelayMs: 0, maxBatch: 8 },
  });
  const acks = await Promise.all(
    Array.from({ length: 36 }, (_, i) =>
      ledger.append(
        draft({
          tenant_id: `t${i % 4}`,
          metadata: { i },
          ...(i % 5 === 0 ? { private: { note: `note ${i}` } } : {}),
        }),
      ),
    ),
  );
  await ledger.erase(acks[5]!.receipt.receipt_id, { actor: 'dpo' });
  await ledger.erase(acks[20]!.receipt.receipt_id, { actor: 'dpo' });
  await ledger.checkpoint();
  await ledger.export(exportDir);
  await ledger.close();
  lines = readFileSync(join(exportDir, 'receipts.jsonl'))
    .toString('latin1')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => Buffer.from(l, 'latin1'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A copy of the export whose receipts.jsonl is `body` exactly. */
function exportWith(body: Buffer): string {
  const d = mkdtempSync(join(dir, 'x-'));
  writeFileSync(join(d, 'receipts.jsonl'), body);
  copyFileSync(join(exportDir, 'manifest.json'), join(d, 'manifest.json'));
  return d;
}

function joined(body: Buffer[]): Buffer {
  return Buffer.concat(body.flatMap((l) => [l, Buffer.from('\n')]));
}

/** Line i re-encoded after `edit` (key order kept, so only the edit breaks it). */
function edited(i: number, edit: (r: Record<string, unknown>) => void): Buffer[] {
  const copy = [...lines];
  const r = JSON.parse(lines[i]!.toString('utf8')) as Record<string, unknown>;
  edit(r);
  copy[i] = Buffer.from(JSON.stringify(r));
  return copy;
}

const corpus: [string, () => Buffer][] = [
  ['untouched', () => joined(lines)],
  [
    'a non-canonical line',
    () => joined(lines.map((l, i) => (i === 4 ? Buffer.from(` ${l.toString()}`) : l))),
  ],
  ['an invalid receipt', () => joined(edited(7, (r) => (r['status'] = 'maybe')))],
  ['a wrong prev', () => joined(edited(20, (r) => (r['prev'] = 'ab'.repeat(32))))],
  [
    'invalid UTF-8',
    () =>
      joined(
        lines.map((l, i) =>
          i === 3 ? Buffer.concat([l.subarray(0, 20), Buffer.from([0xff]), l.subarray(21)]) : l,
        ),
      ),
  ],
  ['two lines swapped', () => joined(lines.map((l, i) => lines[i === 10 ? 11 : i === 11 ? 10 : i]!))],
  ['a line deleted', () => joined(lines.filter((_, i) => i !== 12))],
  ['a line repeated', () => joined(lines.flatMap((l, i) => (i === 25 ? [l, l] : [l])))],
  ['an erasure receipt repeated', () => joined([...lines, lines.at(-1)!])],
  [
    'a blank line',
    () => Buffer.concat([joined(lines.slice(0, 15)), Buffer.from('\n'), joined(lines.slice(15))]),
  ],
  ['no final newline', () => joined(lines).subarray(0, -1)],
  [
    'many failures across chunks',
    () => joined(edited(2, (r) => (r['ledger_seq'] = 99)).map((l, i) => (i === 33 ? Buffer.from('{}') : l))),
  ],
];

describe('parallel verification gives the in-thread report', () => {
  it.each(corpus)('of an export: %s', async (_name, body) => {
    const d = exportWith(body());
    const inThread = await verifyExport(d, { keys: [keys.verifier], workers: 0 });
    const parallel = await verifyExport(d, { keys: [keys.verifier], workers: 2, chunk: 3 });
    expect(parallel).toEqual(inThread);
    if (_name === 'untouched') expect(inThread).toMatchObject({ ok: true, receipts: 38, redacted: 2 });
    else expect(inThread.ok).toBe(false);
  });

  it.each([
    ['untouched', ''],
    [
      'a receipt re-encoded',
      "UPDATE gov_receipts SET bytes = CAST(' ' || CAST(bytes AS TEXT) AS BLOB) WHERE idx = 9",
    ],
    ['a receipt removed', 'DELETE FROM gov_receipts WHERE idx = 17'],
    ['a private row removed', 'DELETE FROM gov_private WHERE idx = 10'],
  ])('of a database: %s', async (_name, sql) => {
    const d = mkdtempSync(join(dir, 'db-'));
    const path = join(d, 'ledger.sqlite');
    copyFileSync(dbPath, path);
    if (sql !== '') {
      const db = new Database(path);
      db.exec(sql);
      db.close();
    }
    const run = async (workers: number): Promise<unknown> => {
      const store = new SqliteStore({ path });
      try {
        return await verifyStore(store, { keys: [keys.verifier], workers, chunk: 3 });
      } finally {
        await store.close();
      }
    };
    const inThread = await run(0);
    expect(await run(2)).toEqual(inThread);
    expect((inThread as { ok: boolean }).ok).toBe(sql === '');
  });

  it('with quickCheck: false still checks every receipt', async () => {
    const d = mkdtempSync(join(dir, 'db-'));
    const path = join(d, 'ledger.sqlite');
    copyFileSync(dbPath, path);
    const db = new Database(path);
    db.exec("UPDATE gov_receipts SET bytes = CAST(CAST(bytes AS TEXT) || ' ' AS BLOB) WHERE idx = 30");
    db.close();
    const store = new SqliteStore({ path });
    try {
      const r = await verifyStore(store, { keys: [keys.verifier], quickCheck: false });
      expect(r.first_failure).toMatchObject({ where: 'receipt index 30', code: 'GOV_NOT_CANONICAL' });
    } finally {
      await store.close();
    }
  });

  it('runs its workers in a real CLI process (--workers 2), and refuses a bad --workers', async () => {
    const run = promisify(execFile);
    const args = ['bin/governess.mjs', 'verify', exportDir, '--key', keys.verifierKey];
    const ok = await run(process.execPath, [...args, '--workers', '2']);
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, receipts: 38 });
    const bad = await run(process.execPath, [...args, '--workers', 'many']).catch((e: unknown) => e);
    expect(bad).toMatchObject({ code: 2, stderr: expect.stringMatching(/--workers must be an integer/) });
  });
});
