// Tiles in memory: a Map from C2SP tile path to bytes, for tests and the memory ledger store. It keeps every
// full tile and only the newest partial tile of each (level, index) — the older, narrower partials are prefixes
// of it and are served by slicing (C2SP tlog-tiles lets a log drop a partial tile once a wider one exists).
// Tiles are append-only: a write that would change a hash already stored is refused.
import { GovernessError, LedgerErrors } from '../../errors/index.js';
import { copyBytes, HASH_SIZE, hashesEqual, type Hash } from './hash.js';
import type { HashReader, NodeId } from './nodes.js';
import { tileHashReader, type TileSource } from './tile-reader.js';
import { parseTilePath, TILE_WIDTH, tileKeyString, tilePath, type TileData, type TileKey } from './tiles.js';

/** An in-memory tile store: path → bytes, readable as a TileSource and as a HashReader. */
export class MemoryTileStore implements TileSource, HashReader {
  private readonly byPath = new Map<string, Uint8Array>();
  // The path currently stored for each `level/index` (full, or the newest partial).
  private readonly current = new Map<string, string>();
  private readonly reader: HashReader = tileHashReader(this);
  private leaves = 0;

  /** Number of leaves the level-0 tiles cover (the tree size the store can serve). */
  get size(): number {
    return this.leaves;
  }

  /** Number of tiles held (full tiles plus one partial per unfinished tile). */
  get tileCount(): number {
    return this.byPath.size;
  }

  /**
   * Stores tiles (as tilesForAppend returns them). Each must be `width` hashes long and extend what is stored
   * under its key; otherwise nothing of this call is stored and appendFailed names the tile.
   */
  writeTiles(tiles: readonly TileData[]): void {
    for (const data of tiles) this.checkWrite(data);
    for (const { tile, bytes } of tiles) {
      const key = tileKeyString(tile);
      const old = this.current.get(key);
      if (old !== undefined) this.byPath.delete(old);
      const path = tilePath(tile);
      this.byPath.set(path, copyBytes(bytes));
      this.current.set(key, path);
      if (tile.level === 0) this.leaves = Math.max(this.leaves, tile.index * TILE_WIDTH + tile.width);
    }
  }

  /** The bytes served at a C2SP tile path, or undefined if this store cannot serve it. */
  get(path: string): Uint8Array | undefined {
    const tile = parseTilePath(path, LedgerErrors.badExport);
    const stored = this.readTile(tile);
    if (stored === undefined || stored.length < tile.width * HASH_SIZE) return undefined;
    return copyBytes(stored, 0, tile.width * HASH_SIZE);
  }

  /** Every stored path (full tiles and current partial tiles). */
  paths(): string[] {
    return [...this.byPath.keys()];
  }

  /** TileSource: the widest stored bytes of each tile, or undefined. */
  readTiles(tiles: readonly TileKey[]): (Uint8Array | undefined)[] {
    return tiles.map((tile) => this.readTile(tile));
  }

  /** HashReader: node hashes served from the tiles (intermediate levels recomputed). */
  readHashes(nodes: readonly NodeId[]): Promise<readonly Hash[]> | readonly Hash[] {
    return this.reader.readHashes(nodes);
  }

  private readTile(tile: TileKey): Uint8Array | undefined {
    const path = this.current.get(tileKeyString(tile));
    return path === undefined ? undefined : this.byPath.get(path);
  }

  private checkWrite({ tile, path, bytes }: TileData): void {
    const fail = (problem: string): never => {
      throw new GovernessError(LedgerErrors.appendFailed, { problem: `tile ${path}: ${problem}` });
    };
    if (path !== tilePath(tile)) fail(`path does not match the tile's coordinates (${tilePath(tile)})`);
    if (bytes.length !== tile.width * HASH_SIZE) {
      fail(`${bytes.length} bytes for ${tile.width} hashes (want ${tile.width * HASH_SIZE})`);
    }
    const stored = this.readTile(tile);
    if (stored === undefined) return;
    if (stored.length > bytes.length)
      fail(`would shrink the stored tile from ${stored.length / HASH_SIZE} hashes`);
    for (let offset = 0; offset < stored.length; offset += HASH_SIZE) {
      const before = stored.subarray(offset, offset + HASH_SIZE);
      if (!hashesEqual(before, bytes.subarray(offset, offset + HASH_SIZE))) {
        fail(`would change stored hash ${offset / HASH_SIZE}; tiles are append-only`);
      }
    }
  }
}
