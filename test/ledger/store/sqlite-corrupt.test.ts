// SQLite-only store behaviour: a damaged file never surfaces as a raw driver error (opening or reading it gives
// GOV_STORE_CORRUPT naming the file, whichever page the damage hit), and a read-only store writes nothing.
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GovernessError } from '../../../src/errors/index.js';
import { SqliteStore } from '../../../src/ledger/store/sqlite-store.js';
import { batchOf } from './contract.js';

async function filled(path: string): Promise<void> {
  const store = new SqliteStore({ path });
  await store.open();
  const seqs = new Map<string, number>();
  const known = new Set<string>();
  for (let size = 0; size < 2000; size += 100) {
    const ledgers = Array.from({ length: 100 }, (_, i) => `quota/s/t${(size + i) % 37}`);
    await store.commit(batchOf(size, ledgers, seqs, { known }));
  }
  await store.close();
}

/** Everything a reader might touch, in order; returns the first error. */
async function touchAll(path: string): Promise<unknown> {
  const store = new SqliteStore({ path });
  try {
    const st = await store.open();
    await store.readRange(0, st.size);
    for (let i = 0; i < 37; i++) await store.lastOfLedger(`quota/s/t${i}`);
    await store.query({ status: 'refuse', limit: 10_000 });
    return null;
  } catch (err) {
    return err;
  } finally {
    await store.close();
  }
}

describe('SqliteStore on a damaged file', () => {
  it('garbage over the middle of the file: GOV_STORE_CORRUPT naming the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gov-corrupt-'));
    const path = join(dir, 'ledger.sqlite');
    try {
      await filled(path);
      const size = statSync(path).size;
      const fd = openSync(path, 'r+');
      writeSync(fd, Buffer.alloc(16 * 1024, 0xa5), 0, 16 * 1024, Math.floor(size / 2 / 4096) * 4096);
      closeSync(fd);
      const err = await touchAll(path);
      expect(err).toBeInstanceOf(GovernessError);
      expect(err).toMatchObject({ code: 'GOV_STORE_CORRUPT' });
      expect(String((err as Error).message)).toContain(path);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a file that is not a database at all: GOV_STORE_CORRUPT naming the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gov-corrupt-'));
    const path = join(dir, 'ledger.sqlite');
    try {
      const fd = openSync(path, 'w');
      writeSync(fd, Buffer.from('this is not an SQLite database, it is a text file\n'.repeat(200)));
      closeSync(fd);
      const err = await touchAll(path);
      expect(err).toMatchObject({ code: 'GOV_STORE_CORRUPT' });
      expect(String((err as Error).message)).toContain(path);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a read-only store reads everything, refuses writes, and leaves the file untouched', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gov-readonly-'));
    const path = join(dir, 'ledger.sqlite');
    try {
      await filled(path);
      const before = readFileSync(path);
      const store = new SqliteStore({ path, readonly: true });
      const st = await store.open();
      expect(st.size).toBe(2000);
      expect((await store.readRange(0, 5)).map((e) => e.index)).toEqual([0, 1, 2, 3, 4]);
      await expect(store.saveCheckpoint({ size: 2000, tsMs: 1, note: 'n\n' })).rejects.toMatchObject({
        code: 'GOV_STORE_FAILED',
      });
      await store.close();
      expect(readFileSync(path).equals(before)).toBe(true);
      expect(existsSync(`${path}-wal`) && statSync(`${path}-wal`).size > 0).toBe(false);
      const missing = new SqliteStore({ path: join(dir, 'nope.sqlite'), readonly: true });
      await expect(missing.open()).rejects.toMatchObject({ code: 'GOV_STORE_CORRUPT' });
      expect(existsSync(join(dir, 'nope.sqlite'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
