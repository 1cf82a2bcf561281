// What a batch append writes: the tiles that change when the tree grows from oldSize to oldSize + n leaves,
// with their full new content, so a store puts them in the same transaction as the receipts. The writer hashes
// each leaf once (the caller's leafHash) and each new node once (the frontier's append); the nodes completed
// at levels 8, 16, … are exactly the entries of the level-1, level-2, … tiles.
import { GovernessError, LedgerErrors } from '../../errors/index.js';
import { isTreeCount, MAX_TREE_SIZE } from './bits.js';
import { CompactRange } from './compact-range.js';
import { HASH_SIZE, type Hash } from './hash.js';
import { readChecked, type HashReader, type NodeId } from './nodes.js';
import {
  entriesAtTileLevel,
  TILE_HEIGHT,
  TILE_WIDTH,
  tilePath,
  tilesBetween,
  type TileData,
  type TileId,
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

/**
 * Computes the tiles that change when `newLeafHashes` are appended to a tree of `oldSize` leaves. `reader`
 * supplies the hashes already in the old partial tiles (and the old frontier when `frontier` is not given);
 * everything is read in one call. Nothing is written: the caller stores `tiles` and keeps `frontier` once its
 * transaction commits.
 */
export async function tilesForAppend(
  oldSize: number,
  newLeafHashes: readonly Hash[],
  reader: HashReader,
  frontier?: CompactRange,
): Promise<TileAppend> {
  checkAppend(oldSize, newLeafHashes, frontier);
  const newSize = oldSize + newLeafHashes.length;
  const tiles = tilesBetween(oldSize, newSize);
  // tilesBetween lists levels 0, 1, … upwards with no gaps, so the changed levels are 0 .. levelCount - 1.
  const levelCount = tiles.length === 0 ? 0 : tiles[tiles.length - 1]!.level + 1;

  // The hashes already in each changed level's first tile (the old partial tile), and the old frontier.
  const partialNodes = Array.from({ length: levelCount }, (_, level) => oldPartialNodes(oldSize, level));
  const frontierNodes = frontier === undefined ? CompactRange.nodesFor(oldSize) : [];
  const read = await readChecked(
    reader,
    [...partialNodes.flat(), ...frontierNodes],
    `tiles for append ${oldSize} → ${newSize}`,
  );
  const partialCount = partialNodes.reduce((sum, nodes) => sum + nodes.length, 0);
  const range =
    frontier === undefined
      ? CompactRange.fromHashes(oldSize, read.slice(partialCount), `frontier of tree size ${oldSize}`)
      : frontier.clone();

  // Entries per tile level, starting at the old partial tile: old partial hashes, then the new ones.
  const entries: Hash[][] = [];
  let offset = 0;
  for (const nodes of partialNodes) {
    entries.push(read.slice(offset, offset + nodes.length));
    offset += nodes.length;
  }
  for (const leaf of newLeafHashes) {
    entries[0]!.push(leaf);
    range.append(leaf, (level, _index, hash) => {
      if (level !== 0 && level % TILE_HEIGHT === 0) entries[level / TILE_HEIGHT]?.push(hash);
    });
  }

  const data = entries.flatMap((levelEntries, level) =>
    tileContents(level, levelEntries, oldSize, newSize, tiles),
  );
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

/** Nodes already stored in the partial tile at `level` of a tree of `size` leaves (none if it is empty). */
function oldPartialNodes(size: number, level: number): NodeId[] {
  const count = entriesAtTileLevel(size, level);
  const first = count - (count % TILE_WIDTH);
  const nodes: NodeId[] = [];
  for (let index = first; index < count; index++) nodes.push({ level: level * TILE_HEIGHT, index });
  return nodes;
}

/** Slices one level's entries (which start at its old partial tile) into the tiles listed for that level. */
function tileContents(
  level: number,
  levelEntries: readonly Hash[],
  oldSize: number,
  newSize: number,
  tiles: readonly TileId[],
): TileData[] {
  const firstTile = Math.floor(entriesAtTileLevel(oldSize, level) / TILE_WIDTH);
  const want = entriesAtTileLevel(newSize, level) - firstTile * TILE_WIDTH;
  if (levelEntries.length !== want) {
    throw new Error(
      `tilesForAppend: level ${level} has ${levelEntries.length} entries, want ${want} (internal error)`,
    );
  }
  const bytes = new Uint8Array(levelEntries.length * HASH_SIZE);
  levelEntries.forEach((hash, i) => bytes.set(hash, i * HASH_SIZE));
  return tiles
    .filter((tile) => tile.level === level)
    .map((tile) => {
      const start = (tile.index - firstTile) * TILE_WIDTH * HASH_SIZE;
      return { tile, path: tilePath(tile), bytes: bytes.subarray(start, start + tile.width * HASH_SIZE) };
    });
}
