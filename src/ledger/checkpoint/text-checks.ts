// Character-level rules shared by the signed-note, checkpoint and proof-file parsers, with positions for errors.
// C2SP signed-note §Format: notes MUST be valid UTF-8 and MUST NOT contain ASCII control characters (below
// U+0020) other than newline. A JS string can hold lone UTF-16 surrogates, which have no UTF-8 encoding, so they
// count as invalid UTF-8 here too.
import { describeChar } from './base64.js';

/** Where a text broke a rule: 1-based line and column (columns count code points, or bytes for bad UTF-8). */
export interface TextFault {
  /** 1-based line within the text. */
  readonly line: number;
  /** 1-based column within that line. */
  readonly column: number;
  /** What is wrong, for an error message. */
  readonly problem: string;
}

const CONTROL_NAMES: Readonly<Record<number, string>> = {
  0x00: 'NUL',
  0x09: 'tab',
  0x0b: 'vertical tab',
  0x0c: 'form feed',
  0x0d: 'carriage return; lines must end with LF only, not CRLF',
};

/** Describes a control character for an error message. */
function controlProblem(code: number): string {
  const name = CONTROL_NAMES[code];
  return `control character ${describeChar(code)}${name === undefined ? '' : ` (${name})`} is not allowed`;
}

/** First control character other than `\n`, or lone surrogate, in `text`; undefined when the text is clean. */
export function firstTextFault(text: string): TextFault | undefined {
  let line = 1;
  let column = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    column++;
    if (unit === 0x0a) {
      line++;
      column = 0;
      continue;
    }
    if (unit < 0x20) return { line, column, problem: controlProblem(unit) };
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++; // a well-formed pair is one code point
        continue;
      }
    }
    if (unit >= 0xd800 && unit <= 0xdfff) {
      return { line, column, problem: `lone UTF-16 surrogate ${describeChar(unit)} is not valid UTF-8` };
    }
  }
  return undefined;
}

/**
 * Offset of the first byte that is not part of well-formed UTF-8 (RFC 3629 §4: no overlong forms, no
 * surrogates, nothing above U+10FFFF), or -1 when all of `bytes` is well-formed.
 */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i]!;
    if (lead < 0x80) {
      i++;
      continue;
    }
    let trail: number;
    let low = 0x80;
    let high = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) trail = 1;
    else if (lead >= 0xe0 && lead <= 0xef) trail = 2;
    else if (lead >= 0xf0 && lead <= 0xf4) trail = 3;
    else return i;
    // RFC 3629 §4 narrows the second byte for these leads to exclude overlongs, surrogates and > U+10FFFF.
    if (lead === 0xe0) low = 0xa0;
    else if (lead === 0xed) high = 0x9f;
    else if (lead === 0xf0) low = 0x90;
    else if (lead === 0xf4) high = 0x8f;
    for (let k = 1; k <= trail; k++) {
      const b = bytes[i + k];
      if (b === undefined) return i;
      const [min, max] = k === 1 ? [low, high] : [0x80, 0xbf];
      if (b < min || b > max) return i;
    }
    i += trail + 1;
  }
  return -1;
}

/** Decodes strict UTF-8 bytes into a string, or reports where they are not UTF-8. A BOM is kept as text. */
export function decodeUtf8(bytes: Uint8Array): { text: string } | { fault: TextFault } {
  const bad = firstInvalidUtf8(bytes);
  if (bad >= 0) {
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < bad; i++) {
      if (bytes[i] === 0x0a) {
        line++;
        lineStart = i + 1;
      }
    }
    const hex = bytes[bad]!.toString(16).padStart(2, '0');
    return {
      fault: { line, column: bad - lineStart + 1, problem: `byte 0x${hex} starts invalid UTF-8` },
    };
  }
  return { text: new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes) };
}

/** Number of `\n` characters in `text`. */
export function countNewlines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** Ready-made place text for an error: `<where> line <n>`. */
export function linePlace(where: string, line: number): string {
  return `${where} line ${line}`;
}
