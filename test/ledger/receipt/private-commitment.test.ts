// The private commitment: its exact byte layout (recomputed here by hand with node:crypto and pinned as a
// constant), the salt rules, and what the payload may hold.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { LedgerErrors } from '../../../src/errors/index.js';
import {
  PRIVATE_COMMITMENT_DOMAIN,
  SALT_BYTES,
  newSalt,
  privateCommitment,
  privateCommitmentOfBytes,
  privatePayloadBytes,
} from '../../../src/ledger/receipt/index.js';
import { thrown } from './fixtures.js';

const SALT = Uint8Array.from({ length: 32 }, (_, i) => i);
const PAYLOAD = { note: 'called about the invoice', email: 'a@example.com', amount: 12 };
const PAYLOAD_JCS = '{"amount":12,"email":"a@example.com","note":"called about the invoice"}';

describe('private commitment', () => {
  it('is SHA-256("governess.receipt-private/v1\\n" ‖ salt ‖ JCS(payload)) in lower-case hex', () => {
    const byHand = createHash('sha256')
      .update(Buffer.from('676f7665726e6573732e726563656970742d707269766174652f76310a', 'hex'))
      .update(SALT)
      .update(Buffer.from(PAYLOAD_JCS, 'utf8'))
      .digest('hex');
    expect(PRIVATE_COMMITMENT_DOMAIN).toBe('governess.receipt-private/v1\n');
    expect(privateCommitment(SALT, PAYLOAD)).toBe(byHand);
    // Pinned so that a change of layout cannot pass by changing both sides of the comparison above.
    expect(byHand).toBe('4ab7c8e0a542401d3ae21ca81aaa2c25b4d78fa4dd769164d8ac85467dcc2e34');
  });

  it('hashes the canonical payload bytes: member order does not matter, every byte of content does', () => {
    const reordered = { amount: 12, note: 'called about the invoice', email: 'a@example.com' };
    expect(privateCommitment(SALT, reordered)).toBe(privateCommitment(SALT, PAYLOAD));
    expect(privateCommitment(SALT, { ...PAYLOAD, amount: 13 })).not.toBe(privateCommitment(SALT, PAYLOAD));
    expect(privateCommitmentOfBytes(SALT, Buffer.from(PAYLOAD_JCS))).toBe(privateCommitment(SALT, PAYLOAD));
    expect(Buffer.from(privatePayloadBytes(PAYLOAD)).toString('utf8')).toBe(PAYLOAD_JCS);
  });

  it('depends on the salt', () => {
    const other = Uint8Array.from(SALT);
    other[31] = 0xff;
    expect(privateCommitment(other, PAYLOAD)).not.toBe(privateCommitment(SALT, PAYLOAD));
  });

  it('requires a 32-byte salt', () => {
    for (const length of [0, 16, 31, 33]) {
      const err = thrown(() => privateCommitment(new Uint8Array(length), PAYLOAD), LedgerErrors.badReceipt);
      expect(err.details).toEqual({
        field: 'private_commitment',
        problem: `salt is ${length} bytes, must be 32`,
      });
    }
  });

  it('newSalt gives 32 fresh random bytes', () => {
    const a = newSalt();
    const b = newSalt();
    expect(a).toBeInstanceOf(Uint8Array);
    expect(a).toHaveLength(SALT_BYTES);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
  });

  it('rejects payloads that are not canonicalizable JSON objects, naming the place', () => {
    expect(thrown(() => privatePayloadBytes([] as never), LedgerErrors.badReceipt).details.field).toBe(
      'private',
    );
    const err = thrown(() => privatePayloadBytes({ a: { b: '\uDC00' } }), LedgerErrors.badReceipt);
    expect(err.message).toMatch(/invalid receipt field private: at \/private\/a\/b: lone surrogate U\+DC00/);
    const big = thrown(() => privatePayloadBytes({ t: 'x'.repeat(70000) }), LedgerErrors.receiptTooLarge);
    expect(big.details).toEqual({ field: 'private', size: 70008, limit: 65536 });
  });
});
