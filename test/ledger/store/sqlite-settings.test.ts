// The SQLite writer's file settings (src/ledger/store/sqlite-store.ts, PRAGMAS; docs/ledger/storage.md, "SQLite
// settings"): a new file gets 16 KiB pages in WAL mode; a file made with SQLite's default 4 KiB pages keeps them
// and goes on working, since page_size only applies to a new file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { Ledger, SqliteStore, generateSigner, verifyStore } from '../../../src/ledger/index.js';
import { SimulatedClock } from '../../../src/runtime/clock/index.js';
import { draft } from '../../support/ledger.js';

const dir = mkdtempSync(join(tmpdir(), 'gov-sqlite-settings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const keys = generateSigner('governess.test/sqlite-settings');

/** Appends `n` receipts to the ledger file at `path` (created if missing) and closes it. */
async function appendTo(path: string, n: number, from: number): Promise<void> {
  const ledger = await Ledger.open({
    store: new SqliteStore({ path }),
    clock: new SimulatedClock(),
    signer: keys.signer,
    checkpointIntervalMs: 0,
  });
  await Promise.all(Array.from({ length: n }, (_, i) => ledger.append(draft({ metadata: { i: from + i } }))));
  await ledger.checkpoint();
  await ledger.close();
}

function fileSettings(path: string): { pageSize: number; journal: string } {
  const db = new Database(path, { readonly: true });
  try {
    return {
      pageSize: db.pragma('page_size', { simple: true }) as number,
      journal: db.pragma('journal_mode', { simple: true }) as string,
    };
  } finally {
    db.close();
  }
}

describe('SQLite file settings', () => {
  it('a new file has 16 KiB pages and a write-ahead log', async () => {
    const path = join(dir, 'new.sqlite');
    await appendTo(path, 20, 0);
    expect(fileSettings(path)).toEqual({ pageSize: 16384, journal: 'wal' });
  });

  it('a file made with 4 KiB pages keeps them, takes appends and verifies', async () => {
    const path = join(dir, 'old.sqlite');
    const db = new Database(path);
    db.pragma('page_size = 4096');
    db.pragma('journal_mode = WAL');
    db.close();
    await appendTo(path, 20, 0);
    await appendTo(path, 20, 20);
    expect(fileSettings(path)).toEqual({ pageSize: 4096, journal: 'wal' });
    const store = new SqliteStore({ path, readonly: true });
    const report = await verifyStore(store, { keys: [keys.verifier] });
    await store.close();
    expect(report.first_failure).toBeNull();
    expect(report.receipts).toBe(40);
  });
});
