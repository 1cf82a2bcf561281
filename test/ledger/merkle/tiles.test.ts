import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GovernessError, LedgerErrors } from '../../../src/errors/index.js';
import {
  CompactRange,
  encodeTileIndex,
  MemoryTileStore,
  parseTilePath,
  tileHashReader,
  tilePath,
  tilesBetween,
  tilesForAppend,
  tileKeyString,
  tilesForSize,
  treeHash,
  type TileId,
  type TileSource,
} from '../../../src/ledger/merkle/index.js';
import { makeLeaves, ReferenceTree } from './reference.js';

function caught(fn: () => unknown): GovernessError {
  try {
    fn();
  } catch (err) {
    if (err instanceof GovernessError) return err;
    throw err;
  }
  throw new Error('expected a GovernessError');
}

async function caughtAsync(fn: () => Promise<unknown>): Promise<GovernessError> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof GovernessError) return err;
    throw err;
  }
  throw new Error('expected a GovernessError');
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));

const describeTiles = (tiles: readonly TileId[]): string[] => tiles.map(tilePath);

describe('tile paths (C2SP tlog-tiles)', () => {
  it.each([
    // C2SP tlog-tiles.md: "index 1234067 will be encoded as x001/x234/067".
    [1234067, 'x001/x234/067'],
    // golang.org/x/mod sumdb/tlog tlog_test.go tilePaths (the N part of their tile/H/L/N paths).
    [123456078, 'x123/x456/078'],
    [3057500, 'x003/x057/500'],
    [1, '001'],
    [0, '000'],
    [999, '999'],
    [1000, 'x001/000'],
    [2 ** 53 - 1, 'x009/x007/x199/x254/x740/991'],
  ])('encodes index %i as %s', (index, text) => {
    expect(encodeTileIndex(index)).toBe(text);
  });

  it.each([
    [{ level: 0, index: 1234067, width: 256 }, 'tile/0/x001/x234/067'],
    [{ level: 0, index: 1, width: 5 }, 'tile/0/001.p/5'],
    [{ level: 5, index: 123456078, width: 2 }, 'tile/5/x123/x456/078.p/2'],
    [{ level: 1, index: 0, width: 17 }, 'tile/1/000.p/17'],
    [{ level: 63, index: 0, width: 255 }, 'tile/63/000.p/255'],
  ])('writes and parses %j as %s', (tile, path) => {
    expect(tilePath(tile)).toBe(path);
    expect(parseTilePath(path)).toEqual(tile);
  });

  it('round-trips any tile', () => {
    const tile = fc.record({
      level: fc.integer({ min: 0, max: 63 }),
      index: fc.oneof(fc.nat({ max: 5000 }), fc.integer({ min: 0, max: 2 ** 53 - 1 })),
      width: fc.integer({ min: 1, max: 256 }),
    });
    fc.assert(
      fc.property(tile, (t) => {
        expect(parseTilePath(tilePath(t))).toEqual(t);
      }),
    );
  });

  it.each([
    ['tile/3/5/123/456/078', 'expected tile/<L>/<N>[.p/<W>]'], // sumdb/tlog tlog_test.go: groups without x
    ['tile/-1/000', 'expected tile/<L>/<N>[.p/<W>]'],
    ['tile/00/000', 'expected tile/<L>/<N>[.p/<W>]'],
    ['tile/64/000', 'level 64 is above 63'],
    ['tile/0/x000/005', 'not in canonical form (expected tile/0/005)'],
    ['tile/0/000.p/0', 'expected tile/<L>/<N>[.p/<W>]'],
    ['tile/0/000.p/017', 'expected tile/<L>/<N>[.p/<W>]'],
    ['tile/0/000.p/256', 'partial width 256 must be below 256'],
    ['tile/0/000.p/300', 'partial width 300 must be below 256'],
    ['tile/entries/000', 'expected tile/<L>/<N>[.p/<W>]'],
    ['tile/0/1', 'expected tile/<L>/<N>[.p/<W>]'],
    ['tile/0/x999/x999/x999/x999/x999/999', 'index is above 9007199254740991'],
    ['/tile/0/000', 'expected tile/<L>/<N>[.p/<W>]'],
  ])('rejects %s, naming the path', (path, problem) => {
    const err = caught(() => parseTilePath(path));
    expect(err.code).toBe(LedgerErrors.storeCorrupt.code);
    expect(err.details['where']).toBe(`tile path ${JSON.stringify(path)}`);
    expect(err.details['problem']).toContain(problem);
  });

  it('throws the error spec its caller names', () => {
    expect(caught(() => parseTilePath('tile/x', LedgerErrors.badExport)).code).toBe(
      LedgerErrors.badExport.code,
    );
  });
});

describe('which tiles a tree has', () => {
  it('matches the C2SP example for a tree of 70,000 leaves', () => {
    // "273 full level 0 tiles, one partial level 0 tile of width 112, one full level 1 tile, one partial level 1
    // tile of width 17, and one partial level 2 tile of width 1."
    const tiles = tilesForSize(70_000);
    const level0 = tiles.filter((t) => t.level === 0);
    expect(level0.filter((t) => t.width === 256)).toHaveLength(273);
    expect(level0.filter((t) => t.width < 256)).toEqual([{ level: 0, index: 273, width: 112 }]);
    expect(tiles.filter((t) => t.level > 0)).toEqual([
      { level: 1, index: 0, width: 256 },
      { level: 1, index: 1, width: 17 },
      { level: 2, index: 0, width: 1 },
    ]);
  });

  it('matches the C2SP example for a tree of 256 leaves', () => {
    // "a tree of size 256 will be represented by a full level 0 tile and a partial level 1 tile of width 1."
    expect(describeTiles(tilesForSize(256))).toEqual(['tile/0/000', 'tile/1/000.p/1']);
  });

  it('lists only the tiles an append changes (as sumdb/tlog NewTiles)', () => {
    expect(tilesBetween(1, 1)).toEqual([]);
    expect(describeTiles(tilesBetween(100, 101))).toEqual(['tile/0/000.p/101']);
    expect(describeTiles(tilesBetween(255, 257))).toEqual(['tile/0/000', 'tile/0/001.p/1', 'tile/1/000.p/1']);
    expect(describeTiles(tilesBetween(256, 300))).toEqual(['tile/0/001.p/44']);
    expect(describeTiles(tilesBetween(65_535, 65_536))).toEqual([
      'tile/0/255',
      'tile/1/000',
      'tile/2/000.p/1',
    ]);
  });
});

describe('tilesForAppend and the tile hash reader', () => {
  const tree = new ReferenceTree(makeLeaves(70_000, 'tiles'));

  it('writes the C2SP 70,000-leaf tree in one batch with the reference hashes', async () => {
    const store = new MemoryTileStore();
    const result = await tilesForAppend(0, tree.leaves, store);
    expect(result.tiles.map((t) => t.tile)).toEqual(tilesForSize(70_000));
    expect(result.frontier.size).toBe(70_000);
    expect(result.frontier.root()).toEqual(tree.mth());
    const wrong: string[] = [];
    for (const { tile, bytes, path } of result.tiles) {
      expect(path).toBe(tilePath(tile));
      expect(bytes).toHaveLength(tile.width * 32);
      // Hash i of tile (L, N) is node (8·L, 256·N + i).
      for (let i = 0; i < tile.width; i++) {
        const want = tree.node(tile.level * 8, tile.index * 256 + i);
        if (!sameBytes(bytes.subarray(i * 32, i * 32 + 32), want)) wrong.push(`${path} hash ${i}`);
      }
    }
    expect(wrong).toEqual([]);
    store.writeTiles(result.tiles);
    expect(store.size).toBe(70_000);
    expect(await treeHash(70_000, store)).toEqual(tree.mth());
    // Nodes on every level, including the in-between levels recomputed from the tile below.
    const nodes = [
      { level: 0, index: 69_999 },
      { level: 3, index: 8_000 },
      { level: 7, index: 272 },
      { level: 8, index: 272 },
      { level: 12, index: 16 },
      { level: 15, index: 1 },
      { level: 16, index: 0 },
    ];
    expect(await store.readHashes(nodes)).toEqual(nodes.map((n) => tree.node(n.level, n.index)));
  });

  it('round-trips appends in random batch sizes: every node readable and equal to the reference', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 520 }), { minLength: 1, maxLength: 6 }),
        async (batches) => {
          const store = new MemoryTileStore();
          let frontier = CompactRange.empty();
          let size = 0;
          for (const [n, count] of batches.entries()) {
            const leaves = tree.leaves.slice(size, size + count);
            // Alternate: pass the frontier in, or let tilesForAppend read it from the tiles.
            const result = await tilesForAppend(size, leaves, store, n % 2 === 0 ? frontier : undefined);
            expect(result.tiles.map((t) => t.tile)).toEqual(tilesBetween(size, size + count));
            store.writeTiles(result.tiles);
            frontier = result.frontier;
            size += count;
            expect(frontier.root()).toEqual(tree.mth(0, size));
          }
          expect(store.size).toBe(size);
          expect(await treeHash(size, store)).toEqual(tree.mth(0, size));
          const nodes = [];
          for (let level = 0; 2 ** level <= size; level++) {
            for (let index = 0; (index + 1) * 2 ** level <= size; index++) nodes.push({ level, index });
          }
          const hashes = await store.readHashes(nodes);
          nodes.forEach((n, i) =>
            expect(hashes[i], `node (${n.level}, ${n.index})`).toEqual(tree.node(n.level, n.index)),
          );
        },
      ),
      { numRuns: 25 },
    );
  });

  it('reads the old partial tile and the frontier tiles in one call', async () => {
    const store = new MemoryTileStore();
    const first = await tilesForAppend(0, tree.leaves.slice(0, 69_990), store);
    store.writeTiles(first.tiles);
    const asked: string[][] = [];
    const counting: TileSource = {
      readTiles: (keys) => {
        asked.push(keys.map(tileKeyString));
        return store.readTiles(keys);
      },
    };
    const more = tree.leaves.slice(69_990, 70_000);
    const result = await tilesForAppend(69_990, more, counting);
    // Only level 0 changes (273 → 273 level-1 entries): its old partial tile 0/273 (102 hashes) is read, with
    // the tiles holding the frontier of 69,990 leaves: node (16, 0) in 2/0, node (12, 16) in 1/1, the rest in 0/273.
    expect(asked).toEqual([['0/273', '2/0', '1/1']]);
    expect(describeTiles(result.tiles.map((t) => t.tile))).toEqual(['tile/0/273.p/112']);
    expect(result.frontier.root()).toEqual(tree.mth(0, 70_000));
    // With the frontier given, only the old partial tile is read.
    asked.length = 0;
    const again = await tilesForAppend(69_990, more, counting, first.frontier);
    expect(asked).toEqual([['0/273']]);
    expect(again.tiles).toEqual(result.tiles);
  });

  it('does nothing for an empty batch', async () => {
    const frontier = CompactRange.empty();
    const result = await tilesForAppend(0, [], new MemoryTileStore(), frontier);
    expect(result.tiles).toEqual([]);
    expect(result.frontier.size).toBe(0);
  });

  it('refuses a frontier of another size, a bad leaf hash or a bad old size', async () => {
    const store = new MemoryTileStore();
    const frontier = CompactRange.empty();
    frontier.append(tree.leaves[0]!);
    const err = await caughtAsync(() => tilesForAppend(2, [tree.leaves[2]!], store, frontier));
    expect(err.code).toBe(LedgerErrors.appendFailed.code);
    expect(err.message).toBe('append failed: the frontier holds 1 leaves but the old tree size is 2');
    const bad = await caughtAsync(() => tilesForAppend(0, [tree.leaves[0]!, new Uint8Array(5)], store));
    expect(bad.message).toBe('append failed: leaf hash 1 of the batch (global index 1) must be 32 bytes');
    expect((await caughtAsync(() => tilesForAppend(-3, [], store))).message).toMatch(
      /old tree size must be an integer/,
    );
  });

  it('fails with storeCorrupt naming the tile when a needed tile is missing', async () => {
    const frontier = (await tilesForAppend(0, tree.leaves.slice(0, 300), new MemoryTileStore())).frontier;
    const err = await caughtAsync(() =>
      tilesForAppend(300, [tree.leaves[300]!], new MemoryTileStore(), frontier),
    );
    expect(err.code).toBe(LedgerErrors.storeCorrupt.code);
    expect(err.details).toEqual({
      where: 'tile/0/001.p/44',
      problem: 'tile is missing; the tree of size 300 needs it to grow',
    });
    // Without a frontier, the frontier read names the first missing tile.
    const err2 = await caughtAsync(() => tilesForAppend(300, [tree.leaves[300]!], new MemoryTileStore()));
    expect(err2.details).toEqual({
      where: 'tile/1/000.p/1',
      problem: 'tile is missing; it is needed for node (8, 0)',
    });
  });

  it('with a tree size, refuses nodes that are not complete subtrees of that tree', async () => {
    const store = new MemoryTileStore();
    store.writeTiles((await tilesForAppend(0, tree.leaves.slice(0, 10), store)).tiles);
    const reader = tileHashReader(store, 10);
    expect(await reader.readHashes([{ level: 1, index: 4 }])).toEqual([tree.node(1, 4)]);
    const err = await caughtAsync(async () => reader.readHashes([{ level: 2, index: 2 }]));
    expect(err.details).toEqual({
      where: 'node (2, 2)',
      problem: 'not a complete subtree of the tree of size 10',
    });
  });

  it('names a tile that is too narrow or malformed', async () => {
    const narrow = tileHashReader({ readTiles: (keys) => keys.map(() => new Uint8Array(5 * 32)) });
    const err = await caughtAsync(async () => narrow.readHashes([{ level: 3, index: 0 }]));
    expect(err.details).toEqual({
      where: 'tile/0/000.p/5',
      problem: 'tile holds 5 hashes; node (3, 0) needs the first 8',
    });
    const ragged = tileHashReader({ readTiles: (keys) => keys.map(() => new Uint8Array(33)) });
    const err2 = await caughtAsync(async () => ragged.readHashes([{ level: 0, index: 0 }]));
    expect(err2.details['problem']).toBe('tile is 33 bytes; a tile is 1 to 256 hashes of 32 bytes');
    const short = tileHashReader({ readTiles: () => [] });
    const err3 = await caughtAsync(async () => short.readHashes([{ level: 0, index: 0 }]));
    expect(err3.details).toEqual({ where: 'tile source', problem: 'asked for 1 tiles, got 0' });
  });
});
