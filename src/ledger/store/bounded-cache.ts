// A Map with a size bound, for caches that would otherwise grow with every ledger ever touched (a host whose
// million governors each fire a timer over a month). Oldest-inserted entries leave first: a cheap bound, not an
// exact LRU; an evicted entry costs one read to bring back.

/** A size-bounded cache; inserting past the bound drops the oldest entry. */
export class BoundedCache<K, V> {
  private readonly map = new Map<K, V>();

  constructor(private readonly max: number) {}

  /** The cached value, if any. */
  get(key: K): V | undefined {
    return this.map.get(key);
  }

  /** Caches a value (a cached key keeps its place), dropping the oldest entry when over the bound. */
  set(key: K, value: V): void {
    const cached = this.map.has(key);
    this.map.set(key, value);
    if (!cached && this.map.size > this.max) {
      for (const oldest of this.map.keys()) {
        this.map.delete(oldest);
        break;
      }
    }
  }

  /** Drops every entry. */
  clear(): void {
    this.map.clear();
  }

  /** Number of entries. */
  get size(): number {
    return this.map.size;
  }
}
