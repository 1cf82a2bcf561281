// What a batch append writes: the tiles that change when the tree grows from oldSize to oldSize + n leaves,
// with their full new content, so a store puts them in the same transaction as the receipts. The writer hashes
// each leaf once (the caller's leafHash) and each new node once (the frontier's append); the nodes completed
// at levels 8, 16, … are exactly the entries of the level-1, level-2, … tiles. The old partial tiles are read
// whole (one readTiles call for all levels) and extended.
import { GovernessError, LedgerErrors } from '../../errors/index.js';
import { isTreeCount, MAX_TREE_SIZE } from './bits.js';
import { CompactRange } from './compact-range.js';
import { HASH_SIZE, type Hash } from './hash.js';
import { locateNode, tileHashReader, type TileSource } from './tile-reader.js';
import {
  entriesAtTileLevel,
  TILE_HEIGHT,
  TILE_WIDTH,
  tileKeyString,
  tilePath,
  tilesBetween,
  type TileData,
  type TileId,
  type TileKey,
} from './tiles.js';

/** The result of tilesForAppend: the tiles to write and the frontier of the grown tree. */
export interface TileAppend {
  /** Tree size before the append. */
  readonly oldSize: number;
  /** Tree size after the append. */
  readonly newSize: number;
  /** Every tile that is new or wider, with its complete content, lowest level first. */
  readonly tiles: readonly TileData[];
  /** Frontier of the tree of newSize leaves (a new object; the one passed in is not changed). */
  readonly frontier: CompactRange;
}

/** The tile at one level that the append starts from: its key and how many hashes it held before. */
interface LevelStart {
  readonly key: TileKey;
  readonly oldWidth: number;
}

/**
 * Computes the tiles that change when `newLeafHashes` are appended to a tree of `oldSize` leaves. `source`
 * supplies the old partial tiles (and, when `frontier` is not given, the tiles holding the old frontier), all
 * in one readTiles call. Nothing is written: the caller stores `tiles` and keeps `frontier` once its
 * transaction commits.
 */
export async function tilesForAppend(
  oldSize: number,
  newLeafHashes: readonly Hash[],
  source: TileSource,
  frontier?: CompactRange,
): Promise<TileAppend> {
  checkAppend(oldSize, newLeafHashes, frontier);
  const newSize = oldSize + newLeafHashes.length;
  const tiles = tilesBetween(oldSize, newSize);
  // tilesBetween lists levels 0, 1, … upwards with no gaps, so the changed levels are 0 .. levelCount - 1.
  const levelCount = tiles.length === 0 ? 0 : tiles[tiles.length - 1]!.level + 1;
  const starts: LevelStart[] = Array.from({ length: levelCount }, (_, level) => {
    const count = entriesAtTileLevel(oldSize, level);
    return { key: { level, index: Math.floor(count / TILE_WIDTH) }, oldWidth: count % TILE_WIDTH };
  });

  const frontierNodes = frontier === undefined ? CompactRange.nodesFor(oldSize) : [];
  const stored = await readTilesOnce(source, [
    ...starts.filter((start) => start.oldWidth > 0).map((start) => start.key),
    ...frontierNodes.map((node) => locateNode(node).key),
  ]);
  const range =
    frontier?.clone() ??
    CompactRange.fromHashes(
      oldSize,
      await tileHashReader({
        readTiles: (keys) => keys.map((key) => stored.get(tileKeyString(key))),
      }).readHashes(frontierNodes),
      `frontier of tree size ${oldSize}`,
    );

  // One buffer per level, from the start of its old partial tile to its new end: old hashes, then new ones.
  const buffers = starts.map((start) => levelBuffer(start, oldSize, newSize, stored));
  const cursors = starts.map((start) => start.oldWidth * HASH_SIZE);
  const put = (level: number, hash: Hash): void => {
    const buffer = buffers[level]!;
    if (cursors[level]! + HASH_SIZE > buffer.length) {
      throw new Error(`tilesForAppend: level ${level} overflows its buffer (internal error)`);
    }
    buffer.set(hash, cursors[level]!);
    cursors[level]! += HASH_SIZE;
  };
  const onNode = (level: number, _index: number, hash: Hash): void => {
    if (level !== 0 && level % TILE_HEIGHT === 0) put(level / TILE_HEIGHT, hash);
  };
  for (const leaf of newLeafHashes) {
    put(0, leaf);
    range.append(leaf, onNode);
  }

  const data = buffers.flatMap((buffer, level) => {
    if (cursors[level] !== buffer.length) {
      throw new Error(`tilesForAppend: level ${level} is missing hashes (internal error)`);
    }
    return sliceTiles(buffer, starts[level]!.key.index, tiles, level);
  });
  return { oldSize, newSize, tiles: data, frontier: range };
}

function checkAppend(
  oldSize: number,
  newLeafHashes: readonly Hash[],
  frontier: CompactRange | undefined,
): void {
  if (!isTreeCount(oldSize)) {
    throw new GovernessError(LedgerErrors.appendFailed, {
      problem: `old tree size must be an integer from 0 to ${MAX_TREE_SIZE}, got ${String(oldSize)}`,
    });
  }
  if (oldSize + newLeafHashes.length > MAX_TREE_SIZE) {
    throw new GovernessError(LedgerErrors.appendFailed, {
      problem: `${newLeafHashes.length} leaves would grow the tree past ${MAX_TREE_SIZE}`,
    });
  }
  newLeafHashes.forEach((hash, i) => {
    if (!(hash instanceof Uint8Array) || hash.length !== HASH_SIZE) {
      throw new GovernessError(LedgerErrors.appendFailed, {
        problem: `leaf hash ${i} of the batch (global index ${oldSize + i}) must be ${HASH_SIZE} bytes`,
      });
    }
  });
  if (frontier !== undefined && frontier.size !== oldSize) {
    throw new GovernessError(LedgerErrors.appendFailed, {
      problem: `the frontier holds ${frontier.size} leaves but the old tree size is ${oldSize}`,
    });
  }
}

/** Reads the distinct tiles among `keys` in one call; the result maps tileKeyString(key) to the tile. */
async function readTilesOnce(
  source: TileSource,
  keys: readonly TileKey[],
): Promise<ReadonlyMap<string, Uint8Array | undefined>> {
  const unique = [...new Map(keys.map((key) => [tileKeyString(key), key])).values()];
  const tiles = unique.length === 0 ? [] : await source.readTiles(unique);
  if (tiles.length !== unique.length) {
    throw new GovernessError(LedgerErrors.storeCorrupt, {
      where: 'tile source',
      problem: `asked for ${unique.length} tiles, got ${tiles.length}`,
    });
  }
  return new Map(unique.map((key, i) => [tileKeyString(key), tiles[i]]));
}

/** A buffer for one level's entries from its old partial tile to the new end, with the old hashes copied in. */
function levelBuffer(
  start: LevelStart,
  oldSize: number,
  newSize: number,
  stored: ReadonlyMap<string, Uint8Array | undefined>,
): Uint8Array {
  const { key, oldWidth } = start;
  const buffer = new Uint8Array(
    (entriesAtTileLevel(newSize, key.level) - key.index * TILE_WIDTH) * HASH_SIZE,
  );
  if (oldWidth === 0) return buffer;
  const tile = stored.get(tileKeyString(key));
  const where = tilePath({ ...key, width: oldWidth });
  if (tile === undefined) {
    throw new GovernessError(LedgerErrors.storeCorrupt, {
      where,
      problem: `tile is missing; the tree of size ${oldSize} needs it to grow`,
    });
  }
  if (tile.length < oldWidth * HASH_SIZE || tile.length % HASH_SIZE !== 0) {
    throw new GovernessError(LedgerErrors.storeCorrupt, {
      where,
      problem: `tile is ${tile.length} bytes; the tree of size ${oldSize} needs ${oldWidth} hashes of ${HASH_SIZE} bytes`,
    });
  }
  buffer.set(tile.subarray(0, oldWidth * HASH_SIZE));
  return buffer;
}

/** Cuts one level's buffer (which starts at tile `firstIndex`) into the tiles listed for that level. */
function sliceTiles(
  buffer: Uint8Array,
  firstIndex: number,
  tiles: readonly TileId[],
  level: number,
): TileData[] {
  return tiles
    .filter((tile) => tile.level === level)
    .map((tile) => {
      const start = (tile.index - firstIndex) * TILE_WIDTH * HASH_SIZE;
      return { tile, path: tilePath(tile), bytes: buffer.subarray(start, start + tile.width * HASH_SIZE) };
    });
}
