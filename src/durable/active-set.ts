// The governors in memory, least recently used first (docs/durable/design.md §3). A JavaScript Map keeps
// insertion order, so touching = delete + set moves a governor to the young end and the LRU walk starts at the
// map's first entry: no linked list to maintain. Leaving memory is the host's decision (it knows what pins a
// governor); this set only says who is oldest and who has been idle long enough.
import type { MachineTypes } from '../runtime/index.js';
import type { Governor } from './governor.js';

/** Active governors in LRU order. */
export class ActiveSet {
  private readonly map = new Map<string, Governor<MachineTypes>>();
  /**
   * Governors that left memory so far. A row read while this number did not change is still what the store
   * holds for every governor not active now: only a governor in memory writes its row.
   */
  departures = 0;

  /** Number of active governors. */
  get size(): number {
    return this.map.size;
  }

  /** The governor, if active (does not count as a use). */
  get(gkey: string): Governor<MachineTypes> | undefined {
    return this.map.get(gkey);
  }

  /** Adds or moves a governor to the most recently used end. */
  touch(g: Governor<MachineTypes>, now: number): void {
    g.lastUsed = now;
    this.map.delete(g.gkey);
    this.map.set(g.gkey, g);
  }

  /** Moves a governor already in the set to the most recently used end (a step it handled). */
  used(g: Governor<MachineTypes>, now: number): void {
    if (this.map.get(g.gkey) === g) this.touch(g, now);
  }

  /** Removes a governor if `g` is the one held under its gkey. */
  remove(g: Governor<MachineTypes>): void {
    if (this.map.get(g.gkey) !== g) return;
    this.map.delete(g.gkey);
    this.departures++;
  }

  /** The least recently used governor, if any. */
  oldest(): Governor<MachineTypes> | undefined {
    for (const g of this.map.values()) return g;
    return undefined;
  }

  /** Oldest first. */
  values(): IterableIterator<Governor<MachineTypes>> {
    return this.map.values();
  }

  /**
   * Passivates, oldest first, governors `evict` accepts: while over `max`, and (when `idleBefore` is given)
   * every governor last used before it. Stops at the first governor used after `idleBefore` once under `max`.
   * Returns how many left memory.
   */
  shed(max: number, idleBefore: number | null, evict: (g: Governor<MachineTypes>) => boolean): number {
    let n = 0;
    // Deleting visited entries while iterating a Map is safe, so no copy of a 10k-entry set per call.
    for (const g of this.map.values()) {
      const over = this.map.size > max;
      const idle = idleBefore !== null && g.lastUsed < idleBefore;
      if (!over && !idle) break;
      if (evict(g)) n++;
    }
    return n;
  }
}
