import { describe, expect, it } from 'vitest';
import { GovernessError, LedgerErrors } from '../../../src/errors/index.js';
import { MemoryTileStore, tilesForAppend, type TileData } from '../../../src/ledger/merkle/index.js';
import { makeLeaves } from './reference.js';

function caught(fn: () => unknown): GovernessError {
  try {
    fn();
  } catch (err) {
    if (err instanceof GovernessError) return err;
    throw err;
  }
  throw new Error('expected a GovernessError');
}

const leaves = makeLeaves(600, 'store');

async function storeWith(size: number, batch = 100): Promise<MemoryTileStore> {
  const store = new MemoryTileStore();
  for (let at = 0; at < size; at += batch) {
    const end = Math.min(size, at + batch);
    store.writeTiles((await tilesForAppend(at, leaves.slice(at, end), store)).tiles);
  }
  return store;
}

describe('MemoryTileStore', () => {
  it('keeps full tiles and only the newest partial tile of each position', async () => {
    const store = await storeWith(520);
    expect(store.paths().sort()).toEqual(['tile/0/000', 'tile/0/001', 'tile/0/002.p/8', 'tile/1/000.p/2']);
    expect(store.tileCount).toBe(4);
    expect(store.size).toBe(520);
  });

  it('serves a narrower partial path as a prefix of the stored tile, and nothing wider', async () => {
    const store = await storeWith(300);
    const wide = store.get('tile/0/001.p/44')!;
    expect(wide).toHaveLength(44 * 32);
    expect(store.get('tile/0/001.p/10')).toEqual(wide.subarray(0, 320));
    expect(store.get('tile/0/001.p/45')).toBeUndefined();
    expect(store.get('tile/0/001')).toBeUndefined();
    expect(store.get('tile/0/000')).toHaveLength(8192);
    expect(store.get('tile/3/000')).toBeUndefined();
    expect(caught(() => store.get('tile/0/1')).code).toBe(LedgerErrors.badExport.code);
  });

  it('returns copies, so callers cannot change stored tiles', async () => {
    const store = await storeWith(10);
    const bytes = store.get('tile/0/000.p/10')!;
    bytes.fill(0);
    expect(store.get('tile/0/000.p/10')!.subarray(0, 32)).toEqual(leaves[0]);
  });

  it('refuses to change a stored hash, and stores nothing of that call', async () => {
    const store = await storeWith(10);
    const update = await tilesForAppend(10, leaves.slice(10, 12), store);
    const forged: TileData = {
      ...update.tiles[0]!,
      bytes: update.tiles[0]!.bytes.map((b, i) => (i === 3 * 32 ? b ^ 1 : b)),
    };
    const err = caught(() => store.writeTiles([forged]));
    expect(err.code).toBe(LedgerErrors.appendFailed.code);
    expect(err.message).toBe(
      'append failed: tile tile/0/000.p/12: would change stored hash 3; tiles are append-only',
    );
    expect(store.paths()).toEqual(['tile/0/000.p/10']);
  });

  it('refuses to shrink a tile, a wrong byte count and a path that does not match the tile', async () => {
    const store = await storeWith(10);
    const older = (await tilesForAppend(0, leaves.slice(0, 5), new MemoryTileStore())).tiles[0]!;
    expect(caught(() => store.writeTiles([older])).message).toBe(
      'append failed: tile tile/0/000.p/5: would shrink the stored tile from 10 hashes',
    );
    const tile = { level: 0, index: 1, width: 2 };
    expect(
      caught(() => store.writeTiles([{ tile, path: 'tile/0/001.p/2', bytes: new Uint8Array(63) }])).message,
    ).toBe('append failed: tile tile/0/001.p/2: 63 bytes for 2 hashes (want 64)');
    expect(
      caught(() => store.writeTiles([{ tile, path: 'tile/0/001', bytes: new Uint8Array(64) }])).message,
    ).toBe("append failed: tile tile/0/001: path does not match the tile's coordinates (tile/0/001.p/2)");
  });

  it('accepts writing the same tile again (an idempotent retry)', async () => {
    const store = await storeWith(10);
    const again = (await tilesForAppend(0, leaves.slice(0, 10), new MemoryTileStore())).tiles;
    store.writeTiles(again);
    expect(store.paths()).toEqual(['tile/0/000.p/10']);
  });
});
