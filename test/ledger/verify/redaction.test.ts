// Redaction keeps the proofs: after an erasure the database and its export still verify and report `redacted`;
// a changed, resurrected or silently deleted private row is caught by database verification, naming the index;
// and an erasure receipt that names the wrong receipt is caught in any log, naming its place.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  LogVerifier,
  MemoryStore,
  Sequencer,
  erasureDraft,
  generateSigner,
  verifyExport,
  verifyStore,
  type LedgerStore,
  type NoteVerifier,
  type VerifierState,
  type VerifyReport,
} from '../../../src/ledger/index.js';
import { SimulatedClock } from '../../../src/runtime/clock/index.js';
import {
  STORE_KINDS,
  draft,
  openLedger,
  openLedgerOrSkip,
  type LedgerFixture,
} from '../../support/ledger.js';

async function verifyFresh(store: LedgerStore, key: NoteVerifier): Promise<VerifyReport> {
  try {
    return await verifyStore(store, { keys: [key] });
  } finally {
    await store.close();
  }
}

describe.each(STORE_KINDS)('redaction on %s', (kind) => {
  async function open(ctx: { skip: () => void }): Promise<LedgerFixture> {
    return openLedgerOrSkip(ctx, kind);
  }

  /** 12 receipts over 3 ledgers, every third with a private payload. */
  async function fill(f: LedgerFixture): Promise<string[]> {
    const acks = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        f.ledger.append(
          draft({
            tenant_id: `t${i % 3}`,
            metadata: { i },
            ...(i % 3 === 0 ? { private: { note: `free text ${i}` } } : {}),
          }),
        ),
      ),
    );
    return acks.map((a) => a.receipt.receipt_id);
  }

  /** Closes the ledger (memory: keeps the store) and verifies the database in a fresh store. */
  async function verifyDb(f: LedgerFixture): Promise<VerifyReport> {
    await f.ledger.checkpoint();
    if (kind === 'memory') return verifyStore(f.store, { keys: [f.signer.verifier] });
    await f.ledger.close();
    return verifyFresh(f.freshStore(), f.signer.verifier);
  }

  it('Redact one — verify passes, on the database and on its export, with redacted: 1', async (ctx) => {
    await using f = await open(ctx);
    const ids = await fill(f);
    await f.ledger.erase(ids[3]!, { actor: 'dpo', reason: 'gdpr.art17' });
    const dir = join(f.dir, 'export');
    await f.ledger.export(dir);
    const exported = await verifyExport(dir, { keys: [f.signer.verifier] });
    expect(exported.failures).toEqual([]);
    expect(exported).toMatchObject({ ok: true, receipts: 13, redacted: 1, with_private: 4 });
    const r = await verifyDb(f);
    expect(r.failures).toEqual([]);
    expect(r).toMatchObject({ ok: true, receipts: 13, ledgers: 3, redacted: 1, with_private: 4 });
  });

  it('catches a changed private payload, naming its index', async (ctx) => {
    await using f = await open(ctx);
    await fill(f);
    const row = await f.store.readPrivate(6);
    await f.setPrivateRow(6, { salt: row!.salt, payload: Buffer.from('{"note":"free text 7"}') });
    const r = await verifyDb(f);
    expect(r.ok).toBe(false);
    expect(r.failures).toEqual([
      {
        where: 'private payload of receipt index 6',
        problem: expect.stringMatching(/do not reproduce the receipt's private_commitment/),
      },
    ]);
  });

  it('catches an erased payload put back, and a payload deleted without an erasure receipt', async (ctx) => {
    await using f = await open(ctx);
    const ids = await fill(f);
    const row = await f.store.readPrivate(3);
    await f.ledger.erase(ids[3]!, { actor: null });
    await f.setPrivateRow(3, row);
    await f.setPrivateRow(9, null);
    const r = await verifyDb(f);
    expect(r.ok).toBe(false);
    expect(r.redacted).toBe(1);
    expect(r.failures).toEqual([
      {
        where: 'private payload of receipt index 3',
        problem: 'still stored, although the erasure receipt at index 12 erased it',
      },
      {
        where: 'private payload of receipt index 9',
        problem: 'missing, and no erasure receipt names it (deleted outside Ledger.erase)',
      },
    ]);
  });
});

describe('erasure receipts that name the wrong receipt', () => {
  // Ledger.append refuses the erasure event, so these are forged through the Sequencer, as a rogue writer would.
  async function forged(
    build: (seq: Sequencer) => Promise<void>,
  ): Promise<{ report: VerifyReport; store: MemoryStore }> {
    const store = new MemoryStore();
    const seq = await Sequencer.open(store, new SimulatedClock(), {}, { maxDelayMs: 0 });
    await build(seq);
    await seq.close();
    const keys = generateSigner('governess.test/forged');
    const report = await verifyStore(store, { keys: [keys.verifier] });
    return { report, store };
  }

  it('fails on one naming a receipt without a private commitment, of another ledger, or later', async () => {
    const { report } = await forged(async (seq) => {
      const plain = await seq.append(draft());
      const other = await seq.append(draft({ tenant_id: 'other', private: { a: 1 } }));
      await seq.append(erasureDraft({ erased: plain.receipt, erasedIndex: 0, state: 'ACTIVE', actor: null }));
      // Claims tenant-1's ledger but names index 1, which is in ledger `other`.
      await seq.append(
        erasureDraft({
          erased: { ...other.receipt, tenant_id: 'tenant-1', ledger: 'quota/sku-1/tenant-1' },
          erasedIndex: 1,
          state: 'ACTIVE',
          actor: null,
        }),
      );
      const later = erasureDraft({ erased: plain.receipt, erasedIndex: 99, state: 'ACTIVE', actor: null });
      await seq.append({ ...later, cause: { ...later.cause, idempotency_key: 'erase:later' } });
    });
    expect(report.ok).toBe(false);
    expect(report.redacted).toBe(0);
    expect(report.failures.map((f) => [f.where, f.problem])).toEqual([
      [
        'receipt index 2 (quota/sku-1/tenant-1 seq 2)',
        'erasure receipt names index 0 (seq 1), which carries no private_commitment',
      ],
      [
        'receipt index 3 (quota/sku-1/tenant-1 seq 3)',
        'erasure receipt names index 1 (seq 1), but that index is quota/sku-1/other seq 1',
      ],
      [
        'receipt index 4 (quota/sku-1/tenant-1 seq 4)',
        'erasure receipt names index 99 (seq 1), which is not an earlier receipt',
      ],
    ]);
  });

  it('fails on a second erasure of the same receipt, and on a malformed erasure receipt', async () => {
    const { report } = await forged(async (seq) => {
      const a = await seq.append(draft({ private: { a: 1 } }));
      const d = erasureDraft({ erased: a.receipt, erasedIndex: 0, state: 'ACTIVE', actor: null });
      await seq.append(d, { erase: [0] });
      // A different key, so the idempotency check does not catch it.
      await seq.append({ ...d, cause: { ...d.cause, idempotency_key: 'erase:again' } });
      await seq.append({ ...d, metadata: { erased_index: 0 }, cause: { ...d.cause, idempotency_key: null } });
    });
    expect(report.redacted).toBe(1);
    expect(report.failures.map((f) => [f.where, f.problem])).toEqual([
      [
        'receipt index 2 (quota/sku-1/tenant-1 seq 3)',
        'erasure receipt names index 0 (seq 1), already erased by the erasure receipt at index 1',
      ],
      [
        'receipt index 3 (quota/sku-1/tenant-1 seq 4)',
        'erasure receipt: metadata must be exactly {erased_index, erased_seq}, two integers',
      ],
    ]);
  });
});

describe('erasures across a range export and a resumed verifier', () => {
  it('a range export notes erasures of receipts before its start instead of failing', async () => {
    await using f = (await openLedger('memory')) as LedgerFixture;
    const a = await f.ledger.append(draft({ private: { note: 'x' } }));
    await Promise.all([1, 2, 3].map((i) => f.ledger.append(draft({ metadata: { i } }))));
    await f.ledger.erase(a.receipt.receipt_id, { actor: null });
    const dir = join(f.dir, 'slice');
    await f.ledger.export(dir, { from: 2 });
    const r = await verifyExport(dir, { keys: [f.signer.verifier] });
    expect(r.failures).toEqual([]);
    expect(r.redacted).toBe(1);
    expect(r.notes).toContain(
      "1 erasure receipt(s) name receipts before this export's start (2); those targets were not checked",
    );
  });

  it('a verifier resumed from its saved state still checks what an erasure names', async () => {
    await using f = (await openLedger('memory')) as LedgerFixture;
    const a = await f.ledger.append(draft({ private: { note: 'x' } }));
    await f.ledger.append(draft());
    await f.ledger.erase(a.receipt.receipt_id, { actor: null });
    const seqEntries = await f.store.readRange(0, 3);
    const first = new LogVerifier();
    for (const e of seqEntries.slice(0, 2)) first.add(e.index, e.bytes);
    const saved = JSON.parse(JSON.stringify(first.state())) as VerifierState;
    const resumed = new LogVerifier(saved);
    resumed.add(2, seqEntries[2]!.bytes);
    expect(resumed.failures).toEqual([]);
    expect(resumed.redacted).toBe(1);
    // The same state without the private positions cannot vouch for the erasure.
    const blind = new LogVerifier({ ...saved, privates: {} });
    blind.add(2, seqEntries[2]!.bytes);
    expect(blind.failures[0]?.problem).toMatch(
      /names index 0 \(seq 1\), which carries no private_commitment/,
    );
  });
});
