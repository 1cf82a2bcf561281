// The RFC 6962 Merkle log of the receipt ledger: hashing, the frontier, C2SP tiles, proofs and their checks.
export {
  assertHash,
  EMPTY_ROOT,
  HASH_SIZE,
  hashesEqual,
  hashFromBase64,
  hashFromHex,
  hashToBase64,
  hashToHex,
  LEAF_PREFIX,
  leafHash,
  leafHashOfPrefixed,
  NODE_PREFIX,
  nodeHash,
  sha256,
  type Hash,
  type WhereProblemSpec,
} from './hash.js';
export { MAX_TREE_SIZE } from './bits.js';
export { describeNode, subtreeNodes, type HashReader, type NodeId } from './nodes.js';
export { CompactRange, FRONTIER_FORMAT_VERSION, type NodeVisitor } from './compact-range.js';
export {
  encodeTileIndex,
  entriesAtTileLevel,
  FULL_TILE_BYTES,
  MAX_TILE_LEVEL,
  parseTilePath,
  TILE_HEIGHT,
  TILE_WIDTH,
  tilePath,
  tilesBetween,
  tileKeyString,
  tilesForSize,
  type TileData,
  type TileId,
  type TileKey,
} from './tiles.js';
export { tilesForAppend, type TileAppend } from './tile-append.js';
export { locateNode, tileHashReader, type NodeInTile, type TileSource } from './tile-reader.js';
export { MemoryTileStore } from './memory-tile-store.js';
export { consistencyProof, inclusionProof, treeHash } from './proofs.js';
export {
  rootFromConsistencyProof,
  rootFromInclusionProof,
  verifyConsistency,
  verifyInclusion,
} from './verify.js';
