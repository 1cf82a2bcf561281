// Ed25519 note keys (node:crypto only) and their text forms, in the format of Go's golang.org/x/mod/sumdb/note:
//   signer key   PRIVATE+KEY+<name>+<hash>+<base64(0x01 ‖ 32-byte seed)>
//   verifier key <name>+<hash>+<base64(0x01 ‖ 32-byte public key)>      (C2SP signed-note §Verifier keys)
// where <hash> is the key ID as 8 lowercase hex digits. Key data is base64 with '+' in its alphabet, so a key
// string is cut at the first 4 (signer) or 2 (verifier) '+' only. Error messages never quote signer key text.
import { createPrivateKey, createPublicKey, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { GovernessError, LedgerErrors } from '../../errors/index.js';
import { decodeBase64Strict, describeBase64Problem, encodeBase64 } from './base64.js';
import { SIGNATURE_TYPE_ED25519, computeKeyId, formatKeyId, keyNameProblem } from './key-id.js';

/** Signs note texts with one key; `sign` returns the raw signature (without the 4-byte key ID). */
export interface NoteSigner {
  /** Key name, as it appears in signature lines. */
  readonly name: string;
  /** 32-bit key ID (signed-note §Signatures). */
  readonly keyId: number;
  /** The matching public verifier key string, ready to publish. */
  readonly verifierKey: string;
  /** Signs `message` (the note text bytes) and returns the raw signature. */
  sign(message: Uint8Array): Uint8Array;
}

/** Checks signatures made by one key. */
export interface NoteVerifier {
  /** Key name, as it appears in signature lines. */
  readonly name: string;
  /** 32-bit key ID (signed-note §Signatures). */
  readonly keyId: number;
  /** The verifier key string this verifier was built from. */
  readonly verifierKey: string;
  /** True when `signature` is a valid signature of `message` by this key. */
  verify(message: Uint8Array, signature: Uint8Array): boolean;
}

/** A freshly generated key pair: the two key strings and the objects built from them. */
export interface GeneratedKey {
  /** Secret signer key string; store it in a 0600 file (see writeSignerKeyFile). */
  readonly signerKey: string;
  /** Public verifier key string; publish it to every verifier. */
  readonly verifierKey: string;
  /** Signer built from `signerKey`. */
  readonly signer: NoteSigner;
  /** Verifier built from `verifierKey`. */
  readonly verifier: NoteVerifier;
}

/** Ed25519 seed and public key length (RFC 8032 §5.1.5). */
const ED25519_KEY_BYTES = 32;
// RFC 8410 §7: PKCS#8 for Ed25519 is SEQUENCE { INTEGER 0, SEQUENCE { OID 1.3.101.112 }, OCTET STRING {
// OCTET STRING (32-byte seed) } }. Node 20 cannot import a bare seed, and its JWK import also wants `x`.
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
// RFC 8410 §4: SubjectPublicKeyInfo is SEQUENCE { SEQUENCE { OID 1.3.101.112 }, BIT STRING (32-byte key) }.
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

function badKey(where: string, problem: string): GovernessError {
  return new GovernessError(LedgerErrors.badKey, { where, problem });
}

function checkName(name: string, where: string): void {
  const problem = keyNameProblem(name);
  if (problem !== undefined) throw badKey(where, problem);
}

function privateKeyFromSeed(seed: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

function publicKeyFromRaw(publicKey: Uint8Array): KeyObject {
  return createPublicKey({
    key: Buffer.concat([SPKI_ED25519_PREFIX, publicKey]),
    format: 'der',
    type: 'spki',
  });
}

/** Raw 32-byte public key of an Ed25519 KeyObject (the BIT STRING payload of its SPKI). */
function rawPublicKey(key: KeyObject): Uint8Array {
  const spki = createPublicKey(key).export({ format: 'der', type: 'spki' });
  return new Uint8Array(spki.subarray(SPKI_ED25519_PREFIX.length));
}

function typed(key: Uint8Array): Uint8Array {
  return Buffer.concat([Buffer.of(SIGNATURE_TYPE_ED25519), key]);
}

/** Verifier key string for an Ed25519 public key: `<name>+<hash>+<base64(0x01 ‖ key)>`. */
export function formatVerifierKey(name: string, publicKey: Uint8Array): string {
  checkName(name, 'verifier key name');
  if (publicKey.length !== ED25519_KEY_BYTES) {
    throw badKey(
      'verifier key public key',
      `is ${publicKey.length} bytes; Ed25519 needs ${ED25519_KEY_BYTES}`,
    );
  }
  const data = typed(publicKey);
  return `${name}+${formatKeyId(computeKeyId(name, data))}+${encodeBase64(data)}`;
}

/** Builds a verifier from a key name and a raw 32-byte Ed25519 public key. */
export function verifierFromPublicKey(name: string, publicKey: Uint8Array): NoteVerifier {
  const verifierKey = formatVerifierKey(name, publicKey);
  const key = publicKeyFromRaw(publicKey);
  return {
    name,
    keyId: computeKeyId(name, typed(publicKey)),
    verifierKey,
    verify(message, signature) {
      try {
        return verify(null, message, key, signature);
      } catch {
        return false; // OpenSSL refuses some malformed signatures by throwing; that is a failed check too
      }
    },
  };
}

/** Builds a signer from a key name and a 32-byte Ed25519 seed (the RFC 8032 §5.1.5 private key). */
export function signerFromSeed(name: string, seed: Uint8Array): NoteSigner {
  checkName(name, 'signer key name');
  if (seed.length !== ED25519_KEY_BYTES) {
    throw badKey('signer key seed', `is ${seed.length} bytes; Ed25519 needs ${ED25519_KEY_BYTES}`);
  }
  const privateKey = privateKeyFromSeed(seed);
  const publicKey = rawPublicKey(privateKey);
  return {
    name,
    keyId: computeKeyId(name, typed(publicKey)),
    verifierKey: formatVerifierKey(name, publicKey),
    sign: (message) => new Uint8Array(sign(null, message, privateKey)),
  };
}

/** Signer key string for a seed: `PRIVATE+KEY+<name>+<hash>+<base64(0x01 ‖ seed)>`; the hash is of the public key. */
export function formatSignerKey(name: string, seed: Uint8Array): string {
  const signer = signerFromSeed(name, seed);
  return `PRIVATE+KEY+${name}+${formatKeyId(signer.keyId)}+${encodeBase64(typed(seed))}`;
}

/** Generates a new Ed25519 key for `name` from node:crypto's CSPRNG. */
export function generateSigner(name: string): GeneratedKey {
  const seed = randomBytes(ED25519_KEY_BYTES);
  const signerKey = formatSignerKey(name, seed);
  seed.fill(0);
  const signer = parseSignerKey(signerKey);
  return {
    signerKey,
    verifierKey: signer.verifierKey,
    signer,
    verifier: parseVerifierKey(signer.verifierKey),
  };
}

/** Splits at the first `count - 1` '+' characters; the last part keeps any further '+' (base64 has them). */
function cutFields(text: string, count: number): string[] {
  const fields: string[] = [];
  let rest = text;
  while (fields.length < count - 1) {
    const plus = rest.indexOf('+');
    if (plus < 0) break;
    fields.push(rest.slice(0, plus));
    rest = rest.slice(plus + 1);
  }
  fields.push(rest);
  return fields;
}

/** Checks the `<hash>` field: 8 lowercase hex digits; returns its value. */
function parseHashField(field: string, where: string): number {
  if (!/^[0-9a-f]{8}$/.test(field)) {
    const shape = /^[0-9a-fA-F]{8}$/.test(field) ? 'uses upper-case hex' : `has ${field.length} characters`;
    throw badKey(where, `key ID must be 8 lowercase hex digits; this one ${shape}`);
  }
  return Number.parseInt(field, 16);
}

/** Decodes `<keydata>` = base64(type ‖ 32 bytes) and returns the 32 bytes. `secret` hides the text in errors. */
function parseKeyData(field: string, where: string, secret: boolean): Uint8Array {
  const data = decodeBase64Strict(field);
  if (data === undefined) {
    throw badKey(
      where,
      `key data ${secret ? 'is not canonical standard base64' : describeBase64Problem(field)}`,
    );
  }
  if (data.length === 0) throw badKey(where, 'key data is empty');
  if (data[0] !== SIGNATURE_TYPE_ED25519) {
    const type = data[0]!.toString(16).padStart(2, '0');
    throw badKey(where, `signature type 0x${type} is not supported; only 0x01 (Ed25519) is`);
  }
  if (data.length !== 1 + ED25519_KEY_BYTES) {
    throw badKey(where, `key data is ${data.length} bytes; Ed25519 needs 1 type byte + ${ED25519_KEY_BYTES}`);
  }
  return data.subarray(1);
}

function checkKeyId(claimed: number, actual: number, where: string): void {
  if (claimed !== actual) {
    throw badKey(
      where,
      `key ID ${formatKeyId(claimed)} does not match the key: SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[:4] is ${formatKeyId(actual)}`,
    );
  }
}

/** Parses a signer key string `PRIVATE+KEY+<name>+<hash>+<keydata>` and checks its key ID against the key. */
export function parseSignerKey(text: string, where = 'signer key'): NoteSigner {
  const fields = cutFields(text, 5);
  if (fields.length < 5) {
    const hint = fields.length === 3 ? ' (this looks like a verifier key, which is public)' : '';
    throw badKey(
      where,
      `expected 5 '+'-separated fields PRIVATE+KEY+<name>+<hash>+<keydata>, found ${fields.length}${hint}`,
    );
  }
  const [private1, private2, name, hash, data] = fields as [string, string, string, string, string];
  if (private1 !== 'PRIVATE' || private2 !== 'KEY') {
    throw badKey(`${where}, fields 1-2`, 'a signer key must start with PRIVATE+KEY+');
  }
  checkName(name, `${where}, field 3 (key name)`);
  const claimed = parseHashField(hash, `${where}, field 4 (key ID)`);
  const seed = parseKeyData(data, `${where}, field 5 (key data)`, true);
  const signer = signerFromSeed(name, seed);
  checkKeyId(claimed, signer.keyId, `${where}, field 4 (key ID)`);
  return signer;
}

/** Parses a verifier key string `<name>+<hash>+<keydata>` and checks its key ID against the key. */
export function parseVerifierKey(text: string, where = 'verifier key'): NoteVerifier {
  if (text.startsWith('PRIVATE+KEY+')) {
    // Never echo it: this is a secret key given where a public one was expected.
    throw badKey(where, 'this is a signer (private) key; a verifier key is <name>+<hash>+<keydata>');
  }
  const fields = cutFields(text, 3);
  if (fields.length < 3) {
    throw badKey(where, `expected 3 '+'-separated fields <name>+<hash>+<keydata>, found ${fields.length}`);
  }
  const [name, hash, data] = fields as [string, string, string];
  checkName(name, `${where}, field 1 (key name)`);
  const claimed = parseHashField(hash, `${where}, field 2 (key ID)`);
  const publicKey = parseKeyData(data, `${where}, field 3 (key data)`, false);
  const verifier = verifierFromPublicKey(name, publicKey);
  checkKeyId(claimed, verifier.keyId, `${where}, field 2 (key ID)`);
  return verifier;
}
