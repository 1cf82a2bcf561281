// A HashReader over stored tiles. Tiles only hold nodes at tree levels 0, 8, 16, …; a node at a level in
// between (height h = level mod 8 inside its tile) is the root of 2^h consecutive hashes of one tile and is
// recomputed from them, as Go's tlog.TileHashReader does (C2SP tlog-tiles: "The Merkle Tree levels between
// those expressed by the tile hashes are reconstructed by hashing the leaves"). A whole request is served by
// one readTiles call, so a database-backed source pays one round trip per proof.
import { GovernessError, LedgerErrors } from '../../errors/index.js';
import { isTreeCount, shiftLeft } from './bits.js';
import { copyBytes, HASH_SIZE, nodeHash, type Hash } from './hash.js';
import { describeNode, type HashReader, type NodeId } from './nodes.js';
import { TILE_HEIGHT, TILE_WIDTH, tileKeyString, tilePath, type TileKey } from './tiles.js';

/**
 * Where tiles are stored. For each key it returns the widest stored version of that tile (8,192 bytes when
 * full, width · 32 bytes while partial) or undefined when none is stored, in request order.
 */
export interface TileSource {
  /** Returns the stored bytes of each tile, or undefined for a tile that is not stored. */
  readTiles(
    tiles: readonly TileKey[],
  ): Promise<readonly (Uint8Array | undefined)[]> | readonly (Uint8Array | undefined)[];
}

/** Where a node's hash comes from: a run of `count` hashes of one tile, starting at hash `offset`. */
export interface NodeInTile {
  /** The tile holding the node's descendants at the tile's level. */
  readonly key: TileKey;
  /** Position (in hashes) of the node's first descendant in the tile. */
  readonly offset: number;
  /** Number of descendants in the tile: 2^(level mod 8). */
  readonly count: number;
}

/** Where a node lives: its tile, and the run of that tile's hashes whose root it is. */
export function locateNode(node: NodeId): NodeInTile {
  const tileLevel = Math.floor(node.level / TILE_HEIGHT);
  const height = node.level - tileLevel * TILE_HEIGHT;
  const first = shiftLeft(node.index, height);
  const tileIndex = Math.floor(first / TILE_WIDTH);
  return {
    key: { level: tileLevel, index: tileIndex },
    offset: first - tileIndex * TILE_WIDTH,
    count: 2 ** height,
  };
}

/**
 * A HashReader that serves node hashes from `source`. With `size`, it refuses nodes that are not complete
 * subtrees of the first `size` leaves (a caller asking beyond the tree it believes in); missing or short
 * tiles throw storeCorrupt naming the tile.
 */
export function tileHashReader(source: TileSource, size?: number): HashReader {
  return { readHashes: (nodes) => readHashesFromTiles(source, nodes, size) };
}

async function readHashesFromTiles(
  source: TileSource,
  nodes: readonly NodeId[],
  size?: number,
): Promise<Hash[]> {
  const located = nodes.map((node) => {
    checkNode(node, size);
    return locateNode(node);
  });
  // One read for all distinct tiles, in first-use order.
  const slot = new Map<string, number>();
  const keys: TileKey[] = [];
  for (const { key } of located) {
    if (!slot.has(tileKeyString(key))) {
      slot.set(tileKeyString(key), keys.length);
      keys.push(key);
    }
  }
  const tiles = await source.readTiles(keys);
  if (tiles.length !== keys.length) {
    throw new GovernessError(LedgerErrors.storeCorrupt, {
      where: 'tile source',
      problem: `asked for ${keys.length} tiles, got ${tiles.length}`,
    });
  }
  return located.map((place, i) => {
    const tile = tiles[slot.get(tileKeyString(place.key))!];
    return hashInTile(tile, place, nodes[i]!);
  });
}

function checkNode(node: NodeId, size: number | undefined): void {
  if (!isTreeCount(node.level) || node.level > 63 || !isTreeCount(node.index)) {
    throw new GovernessError(LedgerErrors.storeCorrupt, {
      where: 'hash request',
      problem: `invalid ${describeNode(node)}`,
    });
  }
  if (size !== undefined && shiftLeft(node.index + 1, node.level) > size) {
    throw new GovernessError(LedgerErrors.storeCorrupt, {
      where: describeNode(node),
      problem: `not a complete subtree of the tree of size ${size}`,
    });
  }
}

function hashInTile(tile: Uint8Array | undefined, place: NodeInTile, node: NodeId): Hash {
  const need = place.offset + place.count;
  const where = (width: number): string => tilePath({ ...place.key, width });
  if (tile === undefined) {
    throw new GovernessError(LedgerErrors.storeCorrupt, {
      where: where(need),
      problem: `tile is missing; it is needed for ${describeNode(node)}`,
    });
  }
  if (tile.length % HASH_SIZE !== 0 || tile.length === 0 || tile.length > TILE_WIDTH * HASH_SIZE) {
    throw new GovernessError(LedgerErrors.storeCorrupt, {
      where: where(TILE_WIDTH),
      problem: `tile is ${tile.length} bytes; a tile is 1 to ${TILE_WIDTH} hashes of ${HASH_SIZE} bytes`,
    });
  }
  const width = tile.length / HASH_SIZE;
  if (width < need) {
    throw new GovernessError(LedgerErrors.storeCorrupt, {
      where: where(width),
      problem: `tile holds ${width} hashes; ${describeNode(node)} needs the first ${need}`,
    });
  }
  return subtreeRoot(tile, place.offset, place.count);
}

/** Root of the perfect subtree over `count` (a power of two) hashes of `tile` starting at hash `offset`. */
function subtreeRoot(tile: Uint8Array, offset: number, count: number): Hash {
  const start = offset * HASH_SIZE;
  // A copy, so the caller never holds a view into the source's tile.
  if (count === 1) return copyBytes(tile, start, start + HASH_SIZE);
  // Pairwise, level by level, reusing one row: count - 1 node hashes.
  const row: Hash[] = [];
  for (let i = 0; i < count; i += 2) {
    const at = start + i * HASH_SIZE;
    row.push(nodeHash(tile.subarray(at, at + HASH_SIZE), tile.subarray(at + HASH_SIZE, at + 2 * HASH_SIZE)));
  }
  for (let width = row.length; width > 1; width /= 2) {
    for (let i = 0; i < width / 2; i++) row[i] = nodeHash(row[2 * i]!, row[2 * i + 1]!);
  }
  return row[0]!;
}
