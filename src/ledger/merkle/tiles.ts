// Tile coordinates and paths of C2SP tlog-tiles (https://c2sp.org/tlog-tiles, "Merkle Tree"). Tiles have
// height 8: the tile (L, N) lists up to 256 consecutive hashes of the nodes at tree level 8·L, starting at
// node index N·256; at level 0 those are leaf hashes, at level L ≥ 1 each is the root of a full tile of level
// L - 1. A partial tile (the right edge) has width W < 256 and its path ends in `.p/<W>`.
import { GovernessError, LedgerErrors } from '../../errors/index.js';
import { isTreeCount, MAX_TREE_SIZE, shiftRight } from './bits.js';
import { HASH_SIZE, type WhereProblemSpec } from './hash.js';

/** Tree levels per tile level (C2SP tlog-tiles fixes the tile height at 8). */
export const TILE_HEIGHT = 8;

/** Hashes in a full tile: 2^TILE_HEIGHT = 256. */
export const TILE_WIDTH = 256;

/** Bytes in a full tile: 256 · 32 = 8,192. */
export const FULL_TILE_BYTES = TILE_WIDTH * HASH_SIZE;

/** Highest tile level a path may name (C2SP: "between 0 and 63"). */
export const MAX_TILE_LEVEL = 63;

/** A tile without its width: the store's key (a partial tile is rewritten wider under the same key). */
export interface TileKey {
  /** Tile level L: the tile holds nodes at tree level 8·L. */
  readonly level: number;
  /** Tile index N within its level: the tile starts at node index N·256. */
  readonly index: number;
}

/** A string key for maps of tiles: `<level>/<index>`. */
export function tileKeyString(tile: TileKey): string {
  return `${tile.level}/${tile.index}`;
}

/** A tile as C2SP names it: level, index and width (256 for a full tile, 1..255 for a partial one). */
export interface TileId extends TileKey {
  /** Number of hashes in the tile, 1..256. */
  readonly width: number;
}

/** A tile with its content: `width` hashes of 32 bytes, concatenated. */
export interface TileData {
  /** The tile's coordinates. */
  readonly tile: TileId;
  /** The tile's C2SP path, `tile/<L>/<N>[.p/<W>]`. */
  readonly path: string;
  /** width · 32 bytes: the hashes, left to right. */
  readonly bytes: Uint8Array;
}

/**
 * Encodes a tile index as C2SP path elements: zero-padded groups of 3 digits, all but the last prefixed with
 * `x` (1234067 → `x001/x234/067`).
 */
export function encodeTileIndex(index: number): string {
  let rest = index;
  let text = String(rest % 1000).padStart(3, '0');
  while (rest >= 1000) {
    rest = Math.floor(rest / 1000);
    text = `x${String(rest % 1000).padStart(3, '0')}/${text}`;
  }
  return text;
}

/** The C2SP tlog-tiles path of a tile: `tile/<L>/<N>` for a full tile, `tile/<L>/<N>.p/<W>` for a partial one. */
export function tilePath(tile: TileId): string {
  const suffix = tile.width === TILE_WIDTH ? '' : `.p/${tile.width}`;
  return `tile/${tile.level}/${encodeTileIndex(tile.index)}${suffix}`;
}

const TILE_PATH = /^tile\/(0|[1-9][0-9]?)\/((?:x[0-9]{3}\/)*[0-9]{3})(?:\.p\/([1-9][0-9]{0,2}))?$/;

/**
 * Parses a C2SP tile path. Rejects anything `tilePath` would not produce (leading zero groups, width 0 or
 * ≥ 256, level > 63, entry-bundle paths), throwing `spec` (default storeCorrupt) that names the path.
 */
export function parseTilePath(path: string, spec: WhereProblemSpec = LedgerErrors.storeCorrupt): TileId {
  const fail = (problem: string): never => {
    throw new GovernessError(spec, { where: `tile path ${JSON.stringify(path)}`, problem });
  };
  const match = TILE_PATH.exec(path);
  if (match === null) return fail('expected tile/<L>/<N>[.p/<W>] with N in x-prefixed groups of 3 digits');
  const level = Number(match[1]);
  if (level > MAX_TILE_LEVEL) return fail(`level ${level} is above ${MAX_TILE_LEVEL}`);
  const index = Number(match[2]!.replaceAll('x', '').replaceAll('/', ''));
  if (!Number.isSafeInteger(index)) return fail(`index is above ${MAX_TREE_SIZE}`);
  const width = match[3] === undefined ? TILE_WIDTH : Number(match[3]);
  if (match[3] !== undefined && width >= TILE_WIDTH)
    return fail(`partial width ${width} must be below ${TILE_WIDTH}`);
  const tile = { level, index, width };
  // The encoding is unique: x000/005 and 005 name the same index, and only the second is valid.
  if (tilePath(tile) !== path) return fail(`not in canonical form (expected ${tilePath(tile)})`);
  return tile;
}

/** Number of hashes stored at tile level L for a tree of `size` leaves: floor(size / 256^L). */
export function entriesAtTileLevel(size: number, level: number): number {
  return shiftRight(size, TILE_HEIGHT * level);
}

/**
 * The tiles of a tree of `size` leaves, level by level, full tiles then the partial one (C2SP: "the partial
 * tile at level l for a tree of size s has floor(s / 256**l) mod 256 entries").
 */
export function tilesForSize(size: number): TileId[] {
  return tilesBetween(0, size);
}

/**
 * The tiles that differ between the trees of `oldSize` and `newSize` leaves: at each level whose entry count
 * grew, every tile from the one holding the old partial through the new partial (as Go's tlog.NewTiles).
 */
export function tilesBetween(oldSize: number, newSize: number): TileId[] {
  if (!isTreeCount(oldSize) || !isTreeCount(newSize) || newSize < oldSize) {
    throw new Error(`tilesBetween: invalid sizes ${oldSize} → ${newSize} (internal error)`);
  }
  const tiles: TileId[] = [];
  for (let level = 0; entriesAtTileLevel(newSize, level) > 0; level++) {
    const oldCount = entriesAtTileLevel(oldSize, level);
    const newCount = entriesAtTileLevel(newSize, level);
    // Counts at higher levels are floors of this one, so once a level is unchanged all above it are too.
    if (oldCount === newCount) break;
    const lastFull = Math.floor(newCount / TILE_WIDTH);
    for (let index = Math.floor(oldCount / TILE_WIDTH); index < lastFull; index++) {
      tiles.push({ level, index, width: TILE_WIDTH });
    }
    const partialWidth = newCount % TILE_WIDTH;
    if (partialWidth > 0) tiles.push({ level, index: lastFull, width: partialWidth });
  }
  return tiles;
}
