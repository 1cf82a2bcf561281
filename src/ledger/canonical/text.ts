// Small text helpers shared by the canonicalizer, the canonical parser and receipt validation: well-formed
// UTF-16 checks (RFC 8785 §3.2.2.2 rejects lone surrogates) and JSON Pointer paths for error messages.

/** `String.prototype.isWellFormed` (ES2024, V8 11.1, Node 20); absent from the ES2023 type library we build with. */
type IsWellFormed = (this: string) => boolean;

const nativeIsWellFormed = (String.prototype as { isWellFormed?: IsWellFormed }).isWellFormed;

/** Index of the first lone surrogate in `s` (a high surrogate not followed by a low one, or a stray low one), or -1. */
export function loneSurrogateAt(s: string): number {
  for (let i = 0; i < s.length; i++) {
    const unit = s.charCodeAt(i);
    if (unit < 0xd800 || unit > 0xdfff) continue;
    if (unit <= 0xdbff) {
      const next = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
    }
    return i;
  }
  return -1;
}

/**
 * True when `s` is well-formed UTF-16 (every surrogate paired). Uses the engine's native check, a single pass
 * in C++, so the hot path pays a few nanoseconds per string; the JS loop is only a fallback for older engines.
 */
export const isWellFormed: (s: string) => boolean =
  nativeIsWellFormed === undefined ? (s) => loneSurrogateAt(s) < 0 : (s) => nativeIsWellFormed.call(s);

/** `U+XXXX` for the code unit at `index` of `s` (upper-case hex, at least four digits). */
export function codeUnitName(s: string, index: number): string {
  return `U+${s.charCodeAt(index).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Describes the first lone surrogate of a string that is known not to be well-formed. */
export function describeLoneSurrogate(s: string): string {
  const at = loneSurrogateAt(s);
  return `lone surrogate ${codeUnitName(s, at)} at index ${at} (RFC 8785 §3.2.2.2 forbids it)`;
}

/** RFC 6901 JSON Pointer for a path of property names and array indexes ("" is the whole document). */
export function jsonPointer(segments: readonly (string | number)[]): string {
  let out = '';
  for (const segment of segments) {
    // RFC 6901 §3: '~' is written '~0' and '/' is written '~1' inside a reference token.
    out +=
      '/' +
      (typeof segment === 'number' ? String(segment) : segment.replace(/~/g, '~0').replace(/\//g, '~1'));
  }
  return out;
}
