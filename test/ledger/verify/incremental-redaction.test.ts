// Redaction and incremental verification together: the saved state carries the private receipts not yet erased
// and the erasures (format governess.verify-state/v2), so an incremental run checks an erasure of a receipt an
// earlier run verified, refuses a second erasure of it, and reads the private rows of new receipts only (the
// documented choice; --full reads them all). Runs on memory, SQLite and PostgreSQL (the local server).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  Ledger,
  LogVerifier,
  MemoryStore,
  Sequencer,
  SqliteStore,
  erasureDraft,
  formatVerifyState,
  generateSigner,
  parseVerifyState,
  verifyExport,
  verifyStore,
  type NoteVerifier,
  type VerifierState,
  type VerifyOutcome,
  type VerifyState,
} from '../../../src/ledger/index.js';
import { CompactRange, leafHash } from '../../../src/ledger/merkle/index.js';
import { SimulatedClock } from '../../../src/runtime/clock/index.js';
import {
  STORE_KINDS,
  draft,
  openLedger,
  openLedgerOrSkip,
  type LedgerFixture,
} from '../../support/ledger.js';
import { readerOf, runCli } from '../../support/verify.js';

const signer = generateSigner('governess.test/receipts');

async function verifyWith(
  f: LedgerFixture,
  options: { state?: VerifyState; keys?: readonly NoteVerifier[] } = {},
): Promise<VerifyOutcome> {
  await using r = readerOf(f);
  return await verifyStore(r.store, { keys: [signer.verifier], ...options });
}

/** 12 receipts over 3 ledgers; indexes 0, 3, 6 and 9 carry a private payload. */
async function fill(f: LedgerFixture): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < 12; i++) {
    const ack = await f.ledger.append(
      draft({
        tenant_id: `t${i % 3}`,
        metadata: { i },
        ...(i % 3 === 0 ? { private: { note: `free text ${i}` } } : {}),
      }),
    );
    ids.push(ack.receipt.receipt_id);
  }
  return ids;
}

describe.each(STORE_KINDS)('incremental verification with redactions on %s', (kind) => {
  async function open(ctx: { skip: () => void }): Promise<LedgerFixture> {
    return openLedgerOrSkip(ctx, kind, { signer: signer.signer });
  }

  it('saves the private receipts in the state, and checks a later erasure of one of them', async (ctx) => {
    await using f = await open(ctx);
    const ids = await fill(f);
    await f.ledger.checkpoint();
    const first = await verifyWith(f);
    expect(first.state).toMatchObject({
      size: 12,
      start: 0,
      privates: [
        [0, 'quota/sku-1/t0', 1],
        [3, 'quota/sku-1/t0', 2],
        [6, 'quota/sku-1/t0', 3],
        [9, 'quota/sku-1/t0', 4],
      ],
      erased: [],
    });

    await f.ledger.erase(ids[3]!, { actor: 'dpo' });
    await f.ledger.checkpoint();
    const next = await verifyWith(f, { state: first.state! });
    expect(next.failures).toEqual([]);
    expect(next).toMatchObject({ ok: true, mode: 'incremental', from: 12, to: 13, receipts: 1, redacted: 1 });
    expect(next.notes).toContain(
      'incremental: the private rows of 3 receipt(s) before index 12 were checked by an earlier run, not read again (--full reads them all)',
    );
    expect(next.state).toMatchObject({ erased: [[3, 12]] });
    expect(next.state!.privates.map(([index]) => index)).toEqual([0, 6, 9]);
    // The state an incremental run saves is the one a full walk would save.
    const full = await verifyWith(f);
    expect(full).toMatchObject({ ok: true, redacted: 1 });
    expect(next.state).toEqual(full.state);
    // And it survives the file format.
    expect(parseVerifyState(formatVerifyState(next.state!), 'f')).toEqual(next.state);

    await f.ledger.erase(ids[9]!, { actor: 'dpo' });
    await f.ledger.checkpoint();
    const third = await verifyWith(f, { state: next.state! });
    expect(third).toMatchObject({ ok: true, from: 13, redacted: 1 });
    expect(third.notes).toContain('redacted: 1 in this run, 2 in the whole log');
  });

  it('an erased payload put back is caught by the incremental run that reads the erasure receipt', async (ctx) => {
    await using f = await open(ctx);
    const ids = await fill(f);
    await f.ledger.checkpoint();
    const saved = (await verifyWith(f)).state!;
    const row = await f.store.readPrivate(6);
    await f.ledger.erase(ids[6]!, { actor: null });
    await f.ledger.checkpoint();
    await f.setPrivateRow(6, row);
    const run = await verifyWith(f, { state: saved });
    expect(run.ok).toBe(false);
    expect(run.state).toBeNull();
    expect(run.failures).toEqual([
      {
        where: 'private payload of receipt index 6',
        problem: 'still stored, although the erasure receipt at index 12 erased it',
      },
    ]);
  });

  it('reads only new private rows: a new row changed is caught, an old one only by a full run', async (ctx) => {
    await using f = await open(ctx);
    await fill(f);
    await f.ledger.checkpoint();
    const saved = (await verifyWith(f)).state!;
    await f.ledger.append(draft({ private: { note: 'new' } }));
    await f.ledger.checkpoint();
    const old = await f.store.readPrivate(6);
    await f.setPrivateRow(6, { salt: old!.salt, payload: Buffer.from('{"note":"changed"}') });

    const incremental = await verifyWith(f, { state: saved });
    expect(incremental.failures).toEqual([]);
    expect(incremental.notes).toContain(
      'incremental: the private rows of 4 receipt(s) before index 12 were checked by an earlier run, not read again (--full reads them all)',
    );
    const full = await verifyWith(f);
    expect(full.failures.map((x) => x.where)).toEqual(['private payload of receipt index 6']);

    const fresh = await f.store.readPrivate(12);
    await f.setPrivateRow(12, { salt: fresh!.salt, payload: Buffer.from('{"note":"changed"}') });
    const again = await verifyWith(f, { state: saved });
    expect(again.failures.map((x) => x.where)).toEqual(['private payload of receipt index 12']);
    await f.setPrivateRow(12, null);
    const deleted = await verifyWith(f, { state: saved });
    expect(deleted.failures).toEqual([
      {
        where: 'private payload of receipt index 12',
        problem: 'missing, and no erasure receipt names it (deleted outside Ledger.erase)',
      },
    ]);
  });

  it('refuses a state whose saved private receipts do not fit its heads', async (ctx) => {
    await using f = await open(ctx);
    await fill(f);
    await f.ledger.checkpoint();
    const saved = (await verifyWith(f)).state!;
    const past = { ...saved, privates: [[0, 'quota/sku-1/t0', 9] as const] };
    await expect(verifyWith(f, { state: past })).rejects.toMatchObject({
      code: 'GOV_VERIFY_STATE_INVALID',
      message: expect.stringMatching(
        /field privates\[0\] names quota\/sku-1\/t0 seq 9, past that ledger's head/,
      ),
    });
    const both = { ...saved, erased: [[3, 11] as const] };
    await expect(verifyWith(f, { state: both })).rejects.toMatchObject({
      message: expect.stringMatching(
        /field erased\[0\] names index 3, which field privates lists as not erased/,
      ),
    });
  });
});

describe('erasures checked against a saved state', () => {
  /** A memory log written through the Sequencer (as a rogue writer could), checkpointed by a Ledger. */
  async function checkpointed(store: MemoryStore): Promise<void> {
    const ledger = await Ledger.open({
      store,
      clock: new SimulatedClock(),
      signer: signer.signer,
      checkpointIntervalMs: 0,
      groupCommit: { maxDelayMs: 0 },
    });
    await ledger.checkpoint();
    await ledger.close();
  }

  it('refuses a second erasure of a receipt erased before the saved state', async () => {
    const store = new MemoryStore();
    let seq = await Sequencer.open(store, new SimulatedClock(), {}, { maxDelayMs: 0 });
    const a = await seq.append(draft({ private: { a: 1 } }));
    const erase = erasureDraft({ erased: a.receipt, erasedIndex: 0, state: 'ACTIVE', actor: null });
    await seq.append(erase, { erase: [0] });
    await seq.close();
    await checkpointed(store);
    const first = await verifyStore(store, { keys: [signer.verifier] });
    expect(first.state).toMatchObject({ privates: [], erased: [[0, 1]] });

    seq = await Sequencer.open(store, new SimulatedClock(), {}, { maxDelayMs: 0 });
    // Another idempotency key, so the writer's own check does not stop it.
    await seq.append({ ...erase, cause: { ...erase.cause, idempotency_key: 'erase:again' } });
    await seq.close();
    await checkpointed(store);
    const state = parseVerifyState(formatVerifyState(first.state!), 'saved');
    const run = await verifyStore(store, { keys: [signer.verifier], state });
    expect(run.failures.map((x) => [x.where, x.problem])).toEqual([
      [
        'receipt index 2 (quota/sku-1/tenant-1 seq 3)',
        'erasure receipt names index 0 (seq 1), already erased by the erasure receipt at index 1',
      ],
    ]);
  });

  it('a resumed range keeps its start: an erasure inside the range is checked, one before it is noted', async () => {
    const store = new MemoryStore();
    const seq = await Sequencer.open(store, new SimulatedClock(), {}, { maxDelayMs: 0 });
    const p0 = await seq.append(draft({ private: { a: 0 } }));
    await seq.append(draft({ tenant_id: 'b' }));
    const plain = await seq.append(draft({ tenant_id: 'c' }));
    await seq.append(draft({ tenant_id: 'd' }));
    const before = erasureDraft({ erased: p0.receipt, erasedIndex: 0, state: 'ACTIVE', actor: null });
    await seq.append(before, { erase: [0] });
    // Names index 2, inside the range the saved state covers, whose receipt has no private commitment.
    const wrong = erasureDraft({ erased: plain.receipt, erasedIndex: 2, state: 'ACTIVE', actor: null });
    await seq.append(wrong);
    await seq.close();
    const entries = await store.readRange(0, 6);

    // A range verification from index 2 sees 2 and 3, then saves its state.
    const tree = CompactRange.empty();
    for (const e of entries.slice(0, 2)) tree.append(leafHash(e.bytes));
    const range = new LogVerifier({
      size: 2,
      frontier: Buffer.from(tree.toBytes()).toString('hex'),
      lastTsMs: 0,
      heads: {},
      partial: true,
    });
    for (const e of entries.slice(2, 4)) range.add(e.index, e.bytes);
    const saved = JSON.parse(JSON.stringify(range.state())) as VerifierState;
    expect(saved).toMatchObject({ size: 4, start: 2, partial: true });

    const resumed = new LogVerifier(saved);
    for (const e of entries.slice(4)) resumed.add(e.index, e.bytes);
    expect(resumed.erasuresBeforeRange).toBe(1);
    expect(resumed.failures.map((x) => x.problem)).toEqual([
      'erasure receipt names index 2 (seq 1), which carries no private_commitment',
    ]);
    // Without `start` the resumed verifier would take index 2 for a receipt before its range and let it pass.
    const { start: _start, ...withoutStart } = saved;
    const blind = new LogVerifier(withoutStart);
    for (const e of entries.slice(4)) blind.add(e.index, e.bytes);
    expect(blind.failures).toEqual([]);
  });
});

describe('governess verify --state with redactions', () => {
  it('saves the erasures in the file, prints redacted, and refuses a version 1 state (exit 2)', async (ctx) => {
    const f = await openLedger('sqlite', { signer: signer.signer });
    if (typeof f === 'string') return ctx.skip();
    await using _f = f;
    const ids = await fill(f);
    await f.ledger.checkpoint();
    if (!(f.store instanceof SqliteStore)) throw new Error('expected a SQLite store');
    const db = `sqlite:${f.store.path}`;
    const file = join(mkdtempSync(join(f.dir, 'state-')), 'verify.state');
    const args = ['verify', '--db', db, '--key', signer.verifierKey, '--state', file];
    expect((await runCli(args)).code).toBe(0);
    await f.ledger.erase(ids[0]!, { actor: null });
    await f.ledger.checkpoint();
    const run = await runCli(args);
    expect(run.err).toContain(
      'verified (incremental: 12 to 13): 1 receipts, 1 ledgers, tree size 13, 1 redacted',
    );
    expect(JSON.parse(run.out)).toMatchObject({ mode: 'incremental', redacted: 1 });
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('  "erased": [\n    [0,12]\n  ]\n}\n');
    expect(text).toContain('  "privates": [\n    [3,"quota/sku-1/t0",2],\n');

    writeFileSync(file, text.replace('verify-state/v2', 'verify-state/v1'));
    const old = await runCli(args);
    expect(old.code).toBe(2);
    expect(old.err).toMatch(/field format: is governess\.verify-state\/v1, .* run once with --full/);
    expect((await runCli([...args, '--full'])).code).toBe(0);
    expect(parseVerifyState(readFileSync(file, 'utf8'), file).erased).toEqual([[0, 12]]);
  });
});

describe('verifyExport resumed from a range state', () => {
  it('keeps the range start across runs and notes erasures before it', async () => {
    await using f = (await openLedger('memory', { signer: signer.signer })) as LedgerFixture;
    const a = await f.ledger.append(draft({ private: { note: 'x' } }));
    await f.ledger.append(draft({ tenant_id: 'b' }));
    const c = await f.ledger.append(draft({ tenant_id: 'c', private: { note: 'y' } }));
    const m1 = await f.ledger.export(join(f.dir, 'one'), { from: 1 });
    const one = await verifyExport(join(f.dir, 'one'), { keys: [signer.verifier] });
    expect(one.state).toMatchObject({ start: 1, privates: [[2, 'quota/sku-1/c', 1]] });
    await f.ledger.erase(a.receipt.receipt_id, { actor: null });
    await f.ledger.erase(c.receipt.receipt_id, { actor: null });
    await f.ledger.export(join(f.dir, 'two'), { from: 3, previous: m1 });
    const state = parseVerifyState(formatVerifyState(one.state!), 'one');
    const two = await verifyExport(join(f.dir, 'two'), { keys: [signer.verifier], state });
    expect(two.failures).toEqual([]);
    expect(two).toMatchObject({ mode: 'incremental', redacted: 2 });
    expect(two.notes).toContain(
      "1 erasure receipt(s) name receipts before the saved state's range start (1); those targets were not checked",
    );
    expect(two.state).toMatchObject({
      start: 1,
      privates: [],
      erased: [
        [0, 3],
        [2, 4],
      ],
    });
  });
});
