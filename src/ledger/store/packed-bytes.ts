// Many byte strings as one buffer plus where each ends: how the SQL stores hand a batch's receipt bytes and tiles
// to their database in one piece (a transferred buffer to the SQLite writer thread, one binary bytea parameter
// to PostgreSQL) instead of one small object each.

/** Byte strings packed into one fresh buffer and the end offset of each. */
export interface PackedBytes {
  /** All the strings, back to back (a buffer of its own: transferable, never a slice of Node's shared pool). */
  readonly bytes: Uint8Array;
  /** `ends[i]` is where string i ends; it starts where string i - 1 ends (0 for the first). */
  readonly ends: Uint32Array;
}

/** Packs `parts` into one buffer. */
export function packBytes(parts: readonly Uint8Array[]): PackedBytes {
  let total = 0;
  const ends = new Uint32Array(parts.length);
  for (let i = 0; i < parts.length; i++) ends[i] = total += (parts[i] as Uint8Array).byteLength;
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.byteLength;
  }
  return { bytes, ends };
}

/** The start offset and length of each packed string (for SQL that cuts the buffer with substring). */
export function spansOf(packed: PackedBytes): { offsets: number[]; lengths: number[] } {
  const offsets: number[] = [];
  const lengths: number[] = [];
  let start = 0;
  for (const end of packed.ends) {
    offsets.push(start);
    lengths.push(end - start);
    start = end;
  }
  return { offsets, lengths };
}
