// Private payloads on every store: read back against their commitment, erased with an erasure receipt in the same
// transaction, erasure idempotent through the ledger's own idempotency key, and bad requests refused untouched.
import { describe, expect, it } from 'vitest';
import { ERASURE_EVENT, MemoryStore, SALT_BYTES, erasureDraft } from '../../src/ledger/index.js';
import { STORE_KINDS, draft, openLedger, openLedgerOrSkip, type LedgerFixture } from '../support/ledger.js';

const note = { email: 'ana@example.com', note: 'call back after 5pm', score: 0.5 };

describe.each(STORE_KINDS)('private payloads on %s', (kind) => {
  async function open(ctx: { skip: () => void }): Promise<LedgerFixture> {
    return openLedgerOrSkip(ctx, kind);
  }

  it('reads the payload back with its salt, checked against the receipt', async (ctx) => {
    await using f = await open(ctx);
    const a = await f.ledger.append(draft({ private: note }));
    const plain = await f.ledger.append(draft());
    const read = await f.ledger.readPrivate(a.receipt.receipt_id);
    expect(read.status).toBe('present');
    if (read.status !== 'present') return;
    expect(read.payload).toEqual(note);
    expect(read.salt.length).toBe(SALT_BYTES);
    expect(await f.ledger.readPrivate(plain.receipt.receipt_id)).toEqual({ status: 'none' });
    await expect(f.ledger.readPrivate('019ab1c2-d3e4-7f05-8a6b-7c8d9e0f1a2b')).rejects.toMatchObject({
      code: 'GOV_RECEIPT_NOT_FOUND',
    });
  });

  it('erases salt and payload and appends an erasure receipt to the same ledger, in one commit', async (ctx) => {
    await using f = await open(ctx);
    const a = await f.ledger.append(draft({ private: note }));
    await f.ledger.append(draft({ tenant_id: 'tenant-2' }));
    const head = await f.ledger.append(draft({ state_from: 'ACTIVE', state_to: 'SUSPENDED' }));
    const e = await f.ledger.erase(a.receipt.receipt_id, {
      actor: 'dpo-7',
      reason: 'gdpr.art17',
      requestId: 'req-1',
    });
    expect(e.duplicate).toBe(false);
    expect(e.index).toBe(3);
    expect(e.receipt).toMatchObject({
      ledger: a.receipt.ledger,
      ledger_seq: head.receipt.ledger_seq + 1,
      prev: head.leafHash,
      state_from: 'SUSPENDED',
      state_to: 'SUSPENDED',
      event: ERASURE_EVENT,
      status: 'accept',
      reason: { code: 'gdpr.art17', message: 'private payload erased' },
      metadata: { erased_index: 0, erased_seq: 1 },
      cause: { actor: 'dpo-7', idempotency_key: `erase:${a.receipt.receipt_id}`, request_id: 'req-1' },
    });
    expect(e.receipt.private_commitment).toBeUndefined();
    expect(await f.store.readPrivate(0)).toBeNull();
    expect(await f.ledger.readPrivate(a.receipt.receipt_id)).toEqual({
      status: 'erased',
      erasure: { receipt: e.receipt, index: 3 },
    });
    // The erased receipt itself is untouched: same bytes, same leaf hash.
    expect((await f.ledger.get(a.receipt.receipt_id))?.leafHash).toBe(a.leafHash);
  });

  it('an erasure sealed right after an append to its ledger records the state that append left', async (ctx) => {
    await using f = await open(ctx);
    const a = await f.ledger.append(draft({ private: note }));
    // Not awaited: both are queued together, the state change first; the erasure must not carry the old state.
    const change = f.ledger.append(draft({ state_from: 'ACTIVE', state_to: 'SUSPENDED' }));
    const e = await f.ledger.erase(a.receipt.receipt_id, { actor: 'dpo@example' });
    const c = await change;
    expect(e.index).toBeGreaterThan(c.index);
    expect(e.receipt.state_from).toBe('SUSPENDED');
    expect(e.receipt.state_to).toBe('SUSPENDED');
    expect(e.receipt.prev).toBe(c.leafHash);
  });

  it('a second erasure (even concurrent) returns the first, writing nothing', async (ctx) => {
    await using f = await open(ctx);
    const a = await f.ledger.append(draft({ private: note }));
    const [e1, e2] = await Promise.all([
      f.ledger.erase(a.receipt.receipt_id, { actor: null }),
      f.ledger.erase(a.receipt.receipt_id, { actor: null }),
    ]);
    const e3 = await f.ledger.erase(a.receipt.receipt_id, { actor: 'someone-else', reason: 'other' });
    expect([e1.duplicate, e2.duplicate, e3.duplicate]).toEqual([false, true, true]);
    expect(e2.receipt).toEqual(e1.receipt);
    expect(e3.receipt).toEqual(e1.receipt);
    expect(e1.receipt.reason.code).toBe('erasure.requested');
    expect(f.ledger.size).toBe(2);
  });

  it('refuses unknown receipts, receipts without a payload and bad reasons, appending nothing', async (ctx) => {
    await using f = await open(ctx);
    const plain = await f.ledger.append(draft());
    const a = await f.ledger.append(draft({ private: note }));
    await expect(
      f.ledger.erase('019ab1c2-d3e4-7f05-8a6b-7c8d9e0f1a2b', { actor: null }),
    ).rejects.toMatchObject({ code: 'GOV_RECEIPT_NOT_FOUND' });
    await expect(f.ledger.erase(plain.receipt.receipt_id, { actor: null })).rejects.toMatchObject({
      code: 'GOV_ERASE_REFUSED',
      message: expect.stringMatching(/no private payload/),
    });
    await expect(
      f.ledger.erase(a.receipt.receipt_id, { actor: null, reason: 'the customer asked nicely' }),
    ).rejects.toMatchObject({ code: 'GOV_RECEIPT_INVALID', details: { field: 'reason' } });
    const e = await f.ledger.erase(a.receipt.receipt_id, { actor: null });
    // An erasure receipt has no payload of its own to erase.
    await expect(f.ledger.erase(e.receipt.receipt_id, { actor: null })).rejects.toMatchObject({
      code: 'GOV_ERASE_REFUSED',
    });
    expect(f.ledger.size).toBe(3);
    expect((await f.ledger.readPrivate(a.receipt.receipt_id)).status).toBe('erased');
  });

  it('refuses an erasure key already used by an ordinary receipt', async (ctx) => {
    await using f = await open(ctx);
    const a = await f.ledger.append(draft({ private: note }));
    const squatter = draft({
      cause: { request_id: null, idempotency_key: `erase:${a.receipt.receipt_id}`, actor: null },
    });
    await f.ledger.append(squatter);
    await expect(f.ledger.erase(a.receipt.receipt_id, { actor: null })).rejects.toMatchObject({
      code: 'GOV_ERASE_REFUSED',
      message: expect.stringMatching(/already used by receipt index 1/),
    });
    expect((await f.ledger.readPrivate(a.receipt.receipt_id)).status).toBe('present');
  });

  it('append refuses the erasure event and the erase option: only erase() records erasures', async (ctx) => {
    await using f = await open(ctx);
    const a = await f.ledger.append(draft({ private: note }));
    const forged = erasureDraft({ erased: a.receipt, erasedIndex: 0, state: 'ACTIVE', actor: null });
    expect(() => f.ledger.append(forged)).toThrow(/event.summary.*reserved for erasure receipts/);
    expect(() => f.ledger.append(draft(), { erase: [0] })).toThrow(/use Ledger.erase/);
    await f.ledger.flush();
    expect(f.ledger.size).toBe(1);
    expect((await f.ledger.readPrivate(a.receipt.receipt_id)).status).toBe('present');
  });

  it('detects a changed private row, and a row deleted without an erasure receipt', async (ctx) => {
    await using f = await open(ctx);
    const a = await f.ledger.append(draft({ private: note }));
    const b = await f.ledger.append(draft({ private: { n: 1 } }));
    const row = await f.store.readPrivate(0);
    const payload = Buffer.from(JSON.stringify({ ...note, email: 'eve@example.com' }));
    await f.setPrivateRow(0, { salt: row!.salt, payload });
    await expect(f.ledger.readPrivate(a.receipt.receipt_id)).rejects.toMatchObject({
      code: 'GOV_STORE_CORRUPT',
      message: expect.stringMatching(/private payload of receipt index 0.*private_commitment/),
    });
    await f.setPrivateRow(1, null);
    await expect(f.ledger.readPrivate(b.receipt.receipt_id)).rejects.toMatchObject({
      code: 'GOV_STORE_CORRUPT',
      message: expect.stringMatching(/index 1.*no erasure receipt/),
    });
  });
});

describe('erasure atomicity (memory store)', () => {
  it('a failed commit keeps both the payload and the log as they were', async () => {
    await using f = (await openLedger('memory')) as LedgerFixture;
    const a = await f.ledger.append(draft({ private: note }));
    (f.store as MemoryStore).failNextCommit = 'disk full';
    await expect(f.ledger.erase(a.receipt.receipt_id, { actor: null })).rejects.toMatchObject({
      code: 'GOV_APPEND_FAILED',
    });
    expect(f.ledger.size).toBe(1);
    expect((await f.ledger.readPrivate(a.receipt.receipt_id)).status).toBe('present');
    const e = await f.ledger.erase(a.receipt.receipt_id, { actor: null });
    expect(e.duplicate).toBe(false);
    expect((await f.ledger.readPrivate(a.receipt.receipt_id)).status).toBe('erased');
  });
});
