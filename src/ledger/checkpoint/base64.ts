// Standard base64 (RFC 4648 §4), decoded strictly. Node's Buffer decoder is lenient: it skips unknown characters,
// accepts the URL-safe alphabet and missing padding, so two different strings can decode to the same bytes. Every
// C2SP format here says "standard base64"; a verifier that accepts variants would let a signed or proved value be
// re-spelled, so we accept exactly the one canonical spelling that an encoder produces.

/** Canonical form: groups of 4 from the standard alphabet, `=` padding only at the end (RFC 4648 §4). */
const CANONICAL_SHAPE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Encodes bytes as standard, padded base64 (RFC 4648 §4). */
export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/**
 * Decodes standard, padded base64 (RFC 4648 §4); returns undefined unless `text` is the canonical encoding of
 * its bytes (right alphabet, right padding, zero pad bits per RFC 4648 §3.5).
 */
export function decodeBase64Strict(text: string): Uint8Array | undefined {
  if (!CANONICAL_SHAPE.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  // Non-zero pad bits (e.g. "QR==" for "QQ==") pass the shape test; re-encoding exposes them (RFC 4648 §3.5).
  if (bytes.toString('base64') !== text) return undefined;
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Says what is wrong with a string that `decodeBase64Strict` refused, for error messages. */
export function describeBase64Problem(text: string): string {
  if (text === '') return 'is empty';
  const bad = /[^A-Za-z0-9+/=]/.exec(text);
  if (bad) {
    const cp = bad[0].codePointAt(0) ?? 0;
    const hint = bad[0] === '-' || bad[0] === '_' ? ' (URL-safe base64 is not accepted)' : '';
    return `has ${describeChar(cp)} at position ${bad.index + 1}, outside the standard base64 alphabet${hint}`;
  }
  if (text.length % 4 !== 0) return `has length ${text.length}, not a multiple of 4 (padding missing?)`;
  if (/=[^=]|={3,}/.test(text)) return "has '=' padding in the wrong place";
  return 'is not canonical standard base64 (non-zero padding bits)';
}

/** Names a character for an error message: printable ones quoted, others as U+XXXX. */
export function describeChar(codePoint: number): string {
  const hex = `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
  return codePoint > 0x20 && codePoint !== 0x7f ? `'${String.fromCodePoint(codePoint)}' (${hex})` : hex;
}
