// The ledger end to end on every store: group commit, chains, idempotency, failed batches, checkpoints, proofs,
// side-table rows, reopen. Each case runs against memory, SQLite and PostgreSQL (the local server, for real).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  FileAnchor,
  GENESIS_PREV,
  LogVerifier,
  MemoryStore,
  readAnchorFile,
  verifyProofFile,
  type StoredCheckpoint,
} from '../../src/ledger/index.js';
import { hashFromBase64, verifyConsistency, verifyInclusion } from '../../src/ledger/merkle/index.js';
import { openCheckpoint } from '../../src/ledger/checkpoint/index.js';
import {
  STORE_KINDS,
  draft,
  openLedgerOrSkip,
  type LedgerFixture,
  type openLedger,
} from '../support/ledger.js';

const inclusion = (i: number, n: number, l: Uint8Array, p: readonly Uint8Array[], r: Uint8Array): boolean => {
  verifyInclusion(i, n, l, p, r);
  return true;
};

describe.each(STORE_KINDS)('Ledger on %s', (kind) => {
  async function open(
    ctx: { skip: () => void },
    config = {},
    tables: Parameters<typeof openLedger>[2] = [],
  ): Promise<LedgerFixture> {
    return openLedgerOrSkip(ctx, kind, config, tables);
  }

  it('chains receipts per ledger: seq from 1, prev = leaf hash of the previous receipt', async (ctx) => {
    await using f = await open(ctx);
    const a1 = await f.ledger.append(draft());
    const b1 = await f.ledger.append(draft({ tenant_id: 'tenant-2' }));
    const a2 = await f.ledger.append(draft({ state_to: 'INACTIVE' }));
    expect([a1.index, b1.index, a2.index]).toEqual([0, 1, 2]);
    expect(a1.receipt.ledger_seq).toBe(1);
    expect(a1.receipt.prev).toBe(GENESIS_PREV);
    expect(b1.receipt.ledger_seq).toBe(1);
    expect(a2.receipt.ledger_seq).toBe(2);
    expect(a2.receipt.prev).toBe(a1.leafHash);
    expect(a2.receipt.ledger).toBe('quota/sku-1/tenant-1');
    expect((await f.ledger.get(a2.receipt.receipt_id))?.receipt).toEqual(a2.receipt);
  });

  it('commits concurrent appends in a few batches, gapless, and the log verifies against a signed checkpoint', async (ctx) => {
    await using f = await open(ctx, { groupCommit: { maxDelayMs: 0, maxBatch: 64 } });
    const acks = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        f.ledger.append(draft({ tenant_id: `t${i % 7}`, metadata: { i } })),
      ),
    );
    expect(acks.map((a) => a.index)).toEqual(Array.from({ length: 300 }, (_, i) => i));
    const cp = await f.ledger.checkpoint();
    expect(cp.size).toBe(300);
    const v = new LogVerifier();
    for (let i = 0; i < 300; i += 100) {
      for (const e of await f.store.readRange(i, i + 100)) v.add(e.index, e.bytes);
    }
    const opened = openCheckpoint(cp.note, f.signer.verifier, { expectedOrigin: f.ledger.origin });
    expect(v.checkRoot(opened.checkpoint.size, opened.checkpoint.rootHash, 'checkpoint')).toBe(true);
    expect(v.failures).toEqual([]);
    expect(v.ledgersSeen.size).toBe(7);
  });

  it('a repeated idempotency key returns the original receipt and writes nothing', async (ctx) => {
    await using f = await open(ctx);
    const cause = { request_id: 'r1', idempotency_key: 'once', actor: 'svc' };
    const [a, b] = await Promise.all([f.ledger.append(draft({ cause })), f.ledger.append(draft({ cause }))]);
    const c = await f.ledger.append(draft({ cause, metadata: { count: 99 } }));
    expect(a.duplicate).toBe(false);
    expect(b.duplicate).toBe(true);
    expect(c.duplicate).toBe(true);
    expect(b.receipt.receipt_id).toBe(a.receipt.receipt_id);
    expect(c.receipt).toEqual(a.receipt);
    expect(f.ledger.size).toBe(1);
    const other = await f.ledger.append(draft({ cause, tenant_id: 'tenant-2' }));
    expect(other.duplicate).toBe(false);
  });

  it('with callerDedupes the key is neither looked up nor indexed: the caller keeps its unique record', async (ctx) => {
    await using f = await open(ctx);
    const cause = { request_id: null, idempotency_key: 'k', actor: null };
    const first = await f.ledger.append(draft({ cause }), { callerDedupes: true });
    const second = await f.ledger.append(draft({ cause }), { callerDedupes: true });
    expect([first.duplicate, second.duplicate]).toEqual([false, false]);
    expect(second.receipt.cause.idempotency_key).toBe('k');
    expect(f.ledger.size).toBe(2);
    expect(await f.store.findByIdempotencyKey(first.receipt.ledger, 'k')).toBeNull();
    // A plain append with the key is the ledger's own first use of it, and later ones are its duplicates.
    const plain = await f.ledger.append(draft({ cause }));
    expect(plain.duplicate).toBe(false);
    expect((await f.ledger.append(draft({ cause }))).receipt.receipt_id).toBe(plain.receipt.receipt_id);
  });

  it('bad input is refused before anything is queued, naming the field', async (ctx) => {
    await using f = await open(ctx);
    expect(() => f.ledger.append(draft({ metadata: { amount: 12.5 } }))).toThrow(/metadata\.amount/);
    expect(() => f.ledger.append(draft({ tenant_id: 'a/b' }))).toThrow(/tenant_id/);
    await f.ledger.flush();
    expect(f.ledger.size).toBe(0);
  });

  it('issues inclusion proofs (C2SP tlog-proof) that verify offline, and fail for other bytes', async (ctx) => {
    await using f = await open(ctx);
    const acks = await Promise.all(
      Array.from({ length: 20 }, (_, i) => f.ledger.append(draft({ metadata: { i } }))),
    );
    const target = acks[13]!;
    const proof = await f.ledger.proof(target.receipt.receipt_id);
    const rec = await f.ledger.get(target.receipt.receipt_id);
    const ok = verifyProofFile(proof, f.signer.verifier, {
      leafData: rec!.bytes,
      verifyInclusion: inclusion,
    });
    expect(ok.index).toBe(13);
    const other = await f.ledger.get(acks[12]!.receipt.receipt_id);
    expect(() =>
      verifyProofFile(proof, f.signer.verifier, { leafData: other!.bytes, verifyInclusion: inclusion }),
    ).toThrow();
  });

  it('signs only consistent checkpoints, anchors each one, and proves consistency between them', async (ctx) => {
    const anchorDir = mkdtempSync(join(tmpdir(), 'gov-anchor-'));
    const anchorPath = join(anchorDir, 'anchor.notes');
    await using f = await open(ctx, { anchors: [new FileAnchor(anchorPath)] });
    await using _cleanup = { [Symbol.asyncDispose]: async () => rmSync(anchorDir, { recursive: true }) };
    await f.ledger.append(draft());
    const c1 = await f.ledger.checkpoint();
    await Promise.all(Array.from({ length: 9 }, () => f.ledger.append(draft())));
    const c2 = await f.ledger.checkpoint();
    expect(await f.ledger.checkpoint()).toEqual(c2);
    const notes = await readAnchorFile(anchorPath);
    expect(notes).toEqual([c1.note, c2.note]);
    const r1 = openCheckpoint(c1.note, f.signer.verifier).checkpoint;
    const r2 = openCheckpoint(c2.note, f.signer.verifier).checkpoint;
    const proof = (await f.ledger.consistency(1, 10)).map((h) => hashFromBase64(h, 'consistency proof'));
    expect(() => verifyConsistency(1, 10, proof, r1.rootHash, r2.rootHash)).not.toThrow();
    expect(readFileSync(anchorPath, 'utf8')).toContain('governess.test/receipts\n10\n');
    expect(f.ledger.anchorFailures).toEqual([]);
  });

  it('keeps signing after a checkpoint of the empty log (the first tick of a new log)', async (ctx) => {
    await using f = await open(ctx);
    expect((await f.ledger.checkpoint()).size).toBe(0);
    await Promise.all(Array.from({ length: 3 }, () => f.ledger.append(draft())));
    const cp = await f.ledger.checkpoint();
    expect(cp.size).toBe(3);
    expect((await f.ledger.latestCheckpoint())?.note).toBe(cp.note);
  });

  it('does not sign a size again when the store does not show its last checkpoint yet', async (ctx) => {
    await using f = await open(ctx);
    await f.ledger.append(draft());
    const first = await f.ledger.checkpoint();
    // As on PostgreSQL when the checkpoint's INSERT is not yet visible to the connection that reads it.
    f.store.latestCheckpoint = async () => null;
    expect(await f.ledger.checkpoint()).toEqual(first);
    await f.ledger.append(draft());
    expect((await f.ledger.checkpoint()).size).toBe(2);
  });

  it('records an anchor that fails without losing the checkpoint', async (ctx) => {
    await using f = await open(ctx, { anchors: [new FileAnchor('/nonexistent-dir/anchor.notes')] });
    await f.ledger.append(draft());
    const cp = await f.ledger.checkpoint();
    expect((await f.ledger.latestCheckpoint())?.size).toBe(cp.size);
    expect(f.ledger.anchorFailures).toMatchObject([
      { anchor: 'file:/nonexistent-dir/anchor.notes', size: 1 },
    ]);
  });

  it('signs on the checkpoint interval when the log grew', async (ctx) => {
    await using f = await open(ctx, { checkpointIntervalMs: 1000 });
    await f.ledger.append(draft());
    expect(await f.ledger.latestCheckpoint()).toBeNull();
    const signed = new Promise<StoredCheckpoint>((resolve) => f.ledger.onCheckpoint(resolve));
    await f.clock.advance(1000);
    expect((await signed).size).toBe(1);
    expect((await f.ledger.latestCheckpoint())?.size).toBe(1);
  });

  it('side-table rows commit in the same transaction as their receipt', async (ctx) => {
    const snapshots = {
      name: 'snapshots',
      columns: { gid: 'text', state: 'text' },
      primaryKey: ['gid'],
    } as const;
    await using f = await open(ctx, {}, [snapshots]);
    const ok = await f.ledger.append(draft({ state_to: 'INACTIVE' }), {
      rows: [{ table: 'snapshots', op: 'upsert', row: { gid: 'g1', state: 'INACTIVE' } }],
    });
    expect(ok.index).toBe(0);
    expect(await f.store.getRow('snapshots', { gid: 'g1' })).toEqual({ gid: 'g1', state: 'INACTIVE' });
    expect(() =>
      f.ledger.append(draft(), {
        rows: [{ table: 'snapshots', op: 'upsert', row: { gid: 'g1', nope: 'x' } }],
      }),
    ).toThrow(/unknown column nope/);
    expect(f.ledger.size).toBe(1);
    expect(await f.store.getRow('snapshots', { gid: 'g1' })).toEqual({ gid: 'g1', state: 'INACTIVE' });
  });

  it('resumes after reopen: chains and the log continue where they were', async (ctx) => {
    await using f = await open(ctx);
    if (f.reopen === null) return ctx.skip();
    const a = await f.ledger.append(draft());
    await f.ledger.checkpoint();
    const ledger = await f.reopen();
    const b = await ledger.append(draft());
    expect(b.index).toBe(1);
    expect(b.receipt.ledger_seq).toBe(2);
    expect(b.receipt.prev).toBe(a.leafHash);
    expect((await ledger.checkpoint()).size).toBe(2);
  });
});

describe('Ledger failure handling (memory store)', () => {
  it('a failed commit rejects every append of its batch, stores nothing, and the next batch continues the chain', async () => {
    const { Ledger, generateSigner } = await import('../../src/ledger/index.js');
    const { SimulatedClock } = await import('../../src/runtime/clock/index.js');
    const store = new MemoryStore();
    await using ledger = await Ledger.open({
      store,
      clock: new SimulatedClock(),
      signer: generateSigner('governess.test/fail').signer,
      checkpointIntervalMs: 0,
      groupCommit: { maxDelayMs: 0 },
    });
    const first = await ledger.append(draft());
    store.failNextCommit = 'disk full';
    const results = await Promise.allSettled([ledger.append(draft()), ledger.append(draft())]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect((results[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'GOV_APPEND_FAILED' });
    expect(ledger.size).toBe(1);
    const next = await ledger.append(draft());
    expect(next.index).toBe(1);
    expect(next.receipt.ledger_seq).toBe(2);
    expect(next.receipt.prev).toBe(first.leafHash);
  });
});
