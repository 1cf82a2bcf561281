// Key names and key IDs of C2SP signed notes (signed-note §Format, §Signatures, §Verifier keys).
import { createHash } from 'node:crypto';

/** Signature type byte of plain Ed25519 note signatures (C2SP signed-note §Signature types). */
export const SIGNATURE_TYPE_ED25519 = 0x01;

/**
 * Why `name` cannot be a key name, or undefined when it can. signed-note §Format: non-empty, no Unicode spaces,
 * no '+'. Go's note.go reads "Unicode space" as unicode.IsSpace, which is exactly the White_Space property.
 * We also refuse control characters: a note may not contain them, so such a key could never sign a valid note.
 */
export function keyNameProblem(name: string): string | undefined {
  if (name === '') return 'key name is empty';
  if (name.includes('+')) return `key name "${name}" contains '+'`;
  const space = /\p{White_Space}/u.exec(name);
  if (space) {
    const cp = space[0].codePointAt(0) ?? 0;
    return `key name contains the space character U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  for (let i = 0; i < name.length; i++) {
    if (name.charCodeAt(i) < 0x20) return 'key name contains a control character';
  }
  if (/\p{Surrogate}/u.test(name)) return 'key name contains a lone UTF-16 surrogate (not valid UTF-8)';
  return undefined;
}

/** True when `name` is a valid signed-note key name. */
export function isValidKeyName(name: string): boolean {
  return keyNameProblem(name) === undefined;
}

/**
 * Key ID: the first 4 bytes, big-endian, of SHA-256(key name ‖ 0x0A ‖ signature type ‖ public key)
 * (signed-note §Signatures). `typedPublicKey` is the signature type byte followed by the public key.
 */
export function computeKeyId(name: string, typedPublicKey: Uint8Array): number {
  const digest = createHash('sha256').update(name, 'utf8').update('\n').update(typedPublicKey).digest();
  return digest.readUInt32BE(0);
}

/** Key ID as written in key strings: 8 lowercase hex digits (signed-note §Conventions). */
export function formatKeyId(keyId: number): string {
  return keyId.toString(16).padStart(8, '0');
}
