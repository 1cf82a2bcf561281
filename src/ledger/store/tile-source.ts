// The one adapter from a LedgerStore's stored tiles to the Merkle code's readers, so the writer, the
// checkpointer and the proof builder read tiles the same way.
import { tileHashReader, type HashReader, type TileSource } from '../merkle/index.js';
import type { LedgerStore } from './types.js';

/** The store's tiles as a Merkle TileSource (a missing tile is undefined). */
export function tileSourceOf(store: LedgerStore): TileSource {
  return { readTiles: async (keys) => (await store.readTiles(keys)).map((t) => t ?? undefined) };
}

/** Reads any complete subtree hash of the tree of `size` leaves from the store's tiles. */
export function storeHashReader(store: LedgerStore, size: number): HashReader {
  return tileHashReader(tileSourceOf(store), size);
}
