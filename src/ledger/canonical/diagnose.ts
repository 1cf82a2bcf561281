// Failure-path diagnostics for canonical bytes: where invalid UTF-8 starts, which property name is duplicated,
// and where input bytes first differ from their canonical form. None of this runs when the bytes are canonical.

/**
 * Offset of the first byte that does not start or continue a well-formed UTF-8 sequence, or -1.
 * RFC 3629 §4 syntax: overlong forms, surrogates (ED A0..BF) and code points above U+10FFFF are ill-formed.
 */
export function invalidUtf8At(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b0 = bytes[i] as number;
    if (b0 < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b0 >= 0xc2 && b0 <= 0xdf) need = 1;
    else if (b0 >= 0xe0 && b0 <= 0xef) {
      need = 2;
      if (b0 === 0xe0) lo = 0xa0;
      if (b0 === 0xed) hi = 0x9f;
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
      need = 3;
      if (b0 === 0xf0) lo = 0x90;
      if (b0 === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= need; k++) {
      const b = i + k < bytes.length ? (bytes[i + k] as number) : -1;
      // Only the second byte has the narrowed range; later continuation bytes are always 80..BF.
      if (k === 1 ? b < lo || b > hi : b < 0x80 || b > 0xbf) return i;
    }
    i += need + 1;
  }
  return -1;
}

/** A property name that occurs twice in one object of `text`, with the UTF-16 index of its second occurrence. */
export interface DuplicateKey {
  /** The decoded property name. */
  readonly key: string;
  /** Index in `text` of the opening quote of the repeated name. */
  readonly index: number;
}

/**
 * The first duplicated property name in `text`, which must already be valid JSON (JSON.parse accepted it).
 * JSON.parse keeps the last of duplicated members silently (RFC 8259 §4 leaves the behaviour open), so the
 * duplicate has to be found in the text itself.
 */
export function findDuplicateKey(text: string): DuplicateKey | undefined {
  // One entry per open container: the names seen so far for an object, null for an array.
  const open: (Set<string> | null)[] = [];
  let expectName = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      const end = endOfString(text, i);
      const names = open[open.length - 1];
      if (expectName && names) {
        const key = JSON.parse(text.slice(i, end)) as string;
        if (names.has(key)) return { key, index: i };
        names.add(key);
        expectName = false;
      }
      i = end - 1;
    } else if (c === 0x7b) {
      open.push(new Set());
      expectName = true;
    } else if (c === 0x5b) {
      open.push(null);
      expectName = false;
    } else if (c === 0x7d || c === 0x5d) {
      open.pop();
      expectName = false;
    } else if (c === 0x2c) {
      expectName = open[open.length - 1] != null;
    }
  }
  return undefined;
}

/** Index just past the closing quote of the JSON string whose opening quote is at `start`. */
function endOfString(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c) i++;
    else if (c === 0x22) return i + 1;
  }
  return text.length;
}

/** Offset of the first byte where `a` and `b` differ (the shorter length when one is a prefix of the other). */
export function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return n;
}

/** `0x20 (' ')` style description of the byte at `offset`, or `end of input`. */
export function describeByte(bytes: Uint8Array, offset: number): string {
  if (offset >= bytes.length) return 'end of input';
  const b = bytes[offset] as number;
  const hex = `0x${b.toString(16).padStart(2, '0')}`;
  return b >= 0x20 && b < 0x7f ? `${hex} ('${String.fromCharCode(b)}')` : hex;
}
