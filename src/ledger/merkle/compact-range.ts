// The frontier ("compact range" [0, n)) of a Merkle tree: the roots of the perfect subtrees that make up the
// first n leaves, one per one bit of n, largest first — at most 53 hashes. It is all the writer needs to append
// leaves and compute the root, and it is persisted with each batch (toBytes/fromBytes) so a restart does not
// rehash the log. Model: transparency-dev/merkle compact.Range restricted to ranges that start at 0.
import { GovernessError, LedgerErrors } from '../../errors/index.js';
import { bitAt, isTreeCount, MAX_TREE_SIZE, onesCount, shiftRight } from './bits.js';
import { copyBytes, EMPTY_ROOT, HASH_SIZE, hashesEqual, nodeHash, type Hash } from './hash.js';
import { foldSubtreeHashes, readChecked, subtreeNodes, type HashReader, type NodeId } from './nodes.js';

/** Called for every node an append completes: the leaf itself (level 0), then each new parent. */
export type NodeVisitor = (level: number, index: number, hash: Hash) => void;

/** Version byte of the serialised frontier (see toBytes). */
export const FRONTIER_FORMAT_VERSION = 1;

/** Bytes before the hashes in the serialised frontier: version (1) and tree size (8). */
const HEADER_SIZE = 9;

/** The frontier of a Merkle tree of `size` leaves; append leaf hashes, read the RFC 6962 root. */
export class CompactRange {
  private treeSize: number;
  // Roots of the perfect subtrees covering [0, size), left to right (decreasing height).
  private readonly frontier: Hash[];

  private constructor(size: number, frontier: Hash[]) {
    this.treeSize = size;
    this.frontier = frontier;
  }

  /** The frontier of the empty tree. */
  static empty(): CompactRange {
    return new CompactRange(0, []);
  }

  /**
   * A frontier from its parts: `hashes` are the roots of the perfect subtrees covering [0, size), largest
   * first (one per one bit of size). Throws storeCorrupt naming `where` if the count does not fit the size.
   */
  static fromHashes(size: number, hashes: readonly Hash[], where = 'merkle frontier'): CompactRange {
    if (!isTreeCount(size)) {
      throw new GovernessError(LedgerErrors.storeCorrupt, {
        where,
        problem: `tree size must be an integer from 0 to ${MAX_TREE_SIZE}, got ${String(size)}`,
      });
    }
    const want = onesCount(size);
    if (hashes.length !== want) {
      throw new GovernessError(LedgerErrors.storeCorrupt, {
        where,
        problem: `a tree of size ${size} has ${want} frontier hashes, got ${hashes.length}`,
      });
    }
    hashes.forEach((hash, i) => {
      if (!(hash instanceof Uint8Array) || hash.length !== HASH_SIZE) {
        throw new GovernessError(LedgerErrors.storeCorrupt, {
          where: `${where} hash ${i}`,
          problem: `expected ${HASH_SIZE} bytes`,
        });
      }
    });
    return new CompactRange(size, [...hashes]);
  }

  /**
   * Parses toBytes output, checking version, size and length; a damaged record throws storeCorrupt naming
   * `where` and what is wrong.
   */
  static fromBytes(bytes: Uint8Array, where = 'merkle frontier'): CompactRange {
    if (bytes.length < HEADER_SIZE) {
      throw new GovernessError(LedgerErrors.storeCorrupt, {
        where,
        problem: `${bytes.length} bytes is shorter than the ${HEADER_SIZE}-byte header`,
      });
    }
    if (bytes[0] !== FRONTIER_FORMAT_VERSION) {
      throw new GovernessError(LedgerErrors.storeCorrupt, {
        where,
        problem: `unknown format version ${bytes[0]} (this build reads version ${FRONTIER_FORMAT_VERSION})`,
      });
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const size = view.getBigUint64(1, false);
    if (size > BigInt(MAX_TREE_SIZE)) {
      throw new GovernessError(LedgerErrors.storeCorrupt, {
        where,
        problem: `tree size ${size} exceeds ${MAX_TREE_SIZE}`,
      });
    }
    const treeSize = Number(size);
    const count = onesCount(treeSize);
    const want = HEADER_SIZE + count * HASH_SIZE;
    if (bytes.length !== want) {
      throw new GovernessError(LedgerErrors.storeCorrupt, {
        where,
        problem: `a tree of size ${treeSize} needs ${count} hashes (${want} bytes), got ${bytes.length} bytes`,
      });
    }
    const hashes: Hash[] = [];
    for (let i = 0; i < count; i++) {
      const start = HEADER_SIZE + i * HASH_SIZE;
      hashes.push(copyBytes(bytes, start, start + HASH_SIZE));
    }
    return new CompactRange(treeSize, hashes);
  }

  /** Rebuilds the frontier of a tree of `size` leaves from stored node hashes in one read. */
  static async fromReader(size: number, reader: HashReader): Promise<CompactRange> {
    if (!isTreeCount(size)) {
      throw new GovernessError(LedgerErrors.storeCorrupt, {
        where: 'merkle frontier',
        problem: `tree size must be an integer from 0 to ${MAX_TREE_SIZE}, got ${String(size)}`,
      });
    }
    if (size === 0) return CompactRange.empty();
    const hashes = await readChecked(reader, CompactRange.nodesFor(size), `frontier of tree size ${size}`);
    return new CompactRange(size, hashes);
  }

  /** The nodes whose hashes form the frontier of a tree of `size` leaves, left to right. */
  static nodesFor(size: number): NodeId[] {
    return subtreeNodes(0, size);
  }

  /** Number of leaves appended so far. */
  get size(): number {
    return this.treeSize;
  }

  /** The frontier hashes, largest subtree first (read-only view). */
  get hashes(): readonly Hash[] {
    return this.frontier;
  }

  /** The frontier's node coordinates, in the same order as `hashes`. */
  nodes(): NodeId[] {
    return CompactRange.nodesFor(this.treeSize);
  }

  /**
   * Appends one leaf hash (RFC 6962 §2.1 leaf hash of the entry). Each trailing one bit of the old size is a
   * perfect subtree that the new leaf completes into its parent; `visit` sees the leaf and every new node.
   */
  append(leaf: Hash, visit?: NodeVisitor): void {
    if (!(leaf instanceof Uint8Array) || leaf.length !== HASH_SIZE) {
      throw new GovernessError(LedgerErrors.appendFailed, {
        problem: `leaf hash for index ${this.treeSize} must be ${HASH_SIZE} bytes`,
      });
    }
    if (this.treeSize >= MAX_TREE_SIZE) {
      throw new GovernessError(LedgerErrors.appendFailed, {
        problem: `the tree is full at ${MAX_TREE_SIZE} leaves`,
      });
    }
    const index = this.treeSize;
    let hash = leaf;
    visit?.(0, index, hash);
    let level = 0;
    while (bitAt(index, level) === 1) {
      hash = nodeHash(this.frontier.pop()!, hash);
      level++;
      visit?.(level, shiftRight(index, level), hash);
    }
    this.frontier.push(hash);
    this.treeSize = index + 1;
  }

  /** The RFC 6962 §2.1 Merkle Tree Hash of the leaves so far; EMPTY_ROOT for none. */
  root(): Hash {
    return this.frontier.length === 0 ? EMPTY_ROOT : foldSubtreeHashes(this.frontier);
  }

  /** An independent copy (a writer appends to a copy and keeps it only once its batch commits). */
  clone(): CompactRange {
    return new CompactRange(this.treeSize, [...this.frontier]);
  }

  /** True when both describe the same tree size with the same frontier hashes. */
  equals(other: CompactRange): boolean {
    return (
      this.treeSize === other.treeSize &&
      this.frontier.length === other.frontier.length &&
      this.frontier.every((hash, i) => hashesEqual(hash, other.frontier[i]!))
    );
  }

  /**
   * Serialises as: byte 0 = format version (1); bytes 1..8 = tree size, unsigned 64-bit big-endian; then one
   * 32-byte hash per one bit of the size, largest subtree first. Length = 9 + 32 · popcount(size).
   */
  toBytes(): Uint8Array {
    const bytes = new Uint8Array(HEADER_SIZE + this.frontier.length * HASH_SIZE);
    bytes[0] = FRONTIER_FORMAT_VERSION;
    new DataView(bytes.buffer).setBigUint64(1, BigInt(this.treeSize), false);
    this.frontier.forEach((hash, i) => bytes.set(hash, HEADER_SIZE + i * HASH_SIZE));
    return bytes;
  }
}
