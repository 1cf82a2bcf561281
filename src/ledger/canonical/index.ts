// RFC 8785 JSON Canonicalization Scheme: canonical text and bytes of plain JSON data, and the strict reader that
// accepts only canonical bytes.
export { canonicalize, canonicalBytes, sortKeys, MAX_DEPTH } from './canonicalize.js';
export { parseCanonical, decodeUtf8Strict } from './parse-canonical.js';
export { isWellFormed, loneSurrogateAt, jsonPointer } from './text.js';
