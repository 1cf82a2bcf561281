// Incremental verification of a database: a run resumes from the state the previous one saved, proves the new
// checkpoint consistent with the saved one, reads only the new receipts, and refuses a state that is not for
// this log or key, or that does not prove itself. Runs on memory, SQLite and PostgreSQL (the local server).
import { describe, expect, it } from 'vitest';
import { GovernessError, LedgerErrors } from '../../../src/errors/index.js';
import {
  generateSigner,
  verifyStore,
  type NoteVerifier,
  type VerifyOutcome,
  type VerifyState,
} from '../../../src/ledger/index.js';
import {
  STORE_KINDS,
  draft,
  openLedger,
  openLedgerOrSkip,
  type LedgerFixture,
} from '../../support/ledger.js';
import { readerOf } from '../../support/verify.js';

const signer = generateSigner('governess.test/receipts');

async function appendMany(f: LedgerFixture, n: number, tag: string): Promise<void> {
  await Promise.all(
    Array.from({ length: n }, (_, i) =>
      f.ledger.append(
        draft({ tenant_id: `t${i % 4}`, metadata: { i }, event: { type: 'cast', summary: tag } }),
      ),
    ),
  );
}

async function verifyWith(
  f: LedgerFixture,
  options: { state?: VerifyState; keys?: readonly NoteVerifier[]; trusted?: string } = {},
): Promise<VerifyOutcome> {
  await using r = readerOf(f);
  return await verifyStore(r.store, { keys: [signer.verifier], ...options });
}

async function stateError(run: () => Promise<unknown>): Promise<GovernessError> {
  const err = await run().then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GovernessError);
  expect((err as GovernessError).code).toBe(LedgerErrors.badVerifyState.code);
  return err as GovernessError;
}

describe.each(STORE_KINDS)('incremental verification on %s', (kind) => {
  async function open(ctx: { skip: () => void }): Promise<LedgerFixture> {
    return openLedgerOrSkip(ctx, kind, { signer: signer.signer });
  }

  it('a full run saves a state at its checkpoint; the next run reads only the new receipts', async (ctx) => {
    await using f = await open(ctx);
    await appendMany(f, 40, 'first');
    await f.ledger.checkpoint();
    const first = await verifyWith(f);
    expect(first).toMatchObject({ ok: true, mode: 'full', from: 0, to: 40, receipts: 40 });
    expect(first.state).toMatchObject({
      format: 'governess.verify-state/v2',
      size: 40,
      start: 0,
      privates: [],
      erased: [],
    });
    expect(first.state!.heads).toHaveLength(4);
    expect(first.state!.heads.find(([l]) => l === 'quota/sku-1/t0')?.[1]).toBe(10);

    await appendMany(f, 25, 'second');
    await f.ledger.checkpoint();
    const next = await verifyWith(f, { state: first.state! });
    expect(next.failures).toEqual([]);
    expect(next).toMatchObject({ ok: true, mode: 'incremental', from: 40, to: 65, receipts: 25 });
    const full = await verifyWith(f);
    expect(next.root).toBe(full.root);
    expect(next.state).toEqual(full.state);
  });

  it('ends the saved state at the latest checkpoint, so receipts after it are read again next time', async (ctx) => {
    await using f = await open(ctx);
    await appendMany(f, 10, 'a');
    await f.ledger.checkpoint();
    await appendMany(f, 5, 'b');
    const run = await verifyWith(f);
    expect(run).toMatchObject({ ok: true, to: 15, checkpoint_size: 10 });
    expect(run.state?.size).toBe(10);
    const again = await verifyWith(f, { state: run.state! });
    expect(again).toMatchObject({ ok: true, mode: 'incremental', from: 10, to: 15, receipts: 5 });
    expect(again.state?.size).toBe(10);
  });

  it('with nothing new, checks the consistency and saves the same state', async (ctx) => {
    await using f = await open(ctx);
    await appendMany(f, 7, 'a');
    await f.ledger.checkpoint();
    const run = await verifyWith(f);
    const again = await verifyWith(f, { state: run.state! });
    expect(again).toMatchObject({ ok: true, mode: 'incremental', from: 7, to: 7, receipts: 0 });
    expect(again.state).toEqual(run.state);
  });

  it('fails with GOV_LOG_INCONSISTENT when the log was rewritten under the same key', async (ctx) => {
    await using f = await open(ctx);
    await appendMany(f, 12, 'original');
    await f.ledger.checkpoint();
    const saved = (await verifyWith(f)).state!;
    // Another log, signed with the same key and origin: what an operator who kept the key could build.
    await using other = await open(ctx);
    await appendMany(other, 20, 'rewritten');
    await other.ledger.checkpoint();
    const run = await verifyWith(other, { state: saved });
    expect(run.ok).toBe(false);
    expect(run.state).toBeNull();
    expect(run.first_failure).toMatchObject({
      where: 'stored checkpoint 20',
      code: 'GOV_LOG_INCONSISTENT',
    });
    expect(run.first_failure?.problem).toMatch(
      /not consistent with the saved state's checkpoint of size 12: the log was rewritten/,
    );
    expect(run.receipts).toBe(0);
  });

  it('fails when the log is shorter than the saved state (truncated or restored from an older copy)', async (ctx) => {
    await using f = await open(ctx);
    await appendMany(f, 30, 'a');
    await f.ledger.checkpoint();
    const saved = (await verifyWith(f)).state!;
    await using older = await open(ctx);
    await appendMany(older, 10, 'a');
    await older.ledger.checkpoint();
    const run = await verifyWith(older, { state: saved });
    expect(run.ok).toBe(false);
    expect(run.first_failure).toMatchObject({ where: 'log state', code: 'GOV_LOG_INCONSISTENT' });
    expect(run.first_failure?.problem).toMatch(/fewer than the 30 verified .* truncated or restored/);
  });

  it('continues every chain from the saved heads: a head that does not match is caught at the next receipt', async (ctx) => {
    await using f = await open(ctx);
    await appendMany(f, 8, 'a');
    await f.ledger.checkpoint();
    const saved = (await verifyWith(f)).state!;
    await f.ledger.append(draft({ tenant_id: 't1' }));
    await f.ledger.checkpoint();
    const heads = saved.heads.map((h) =>
      h[0] === 'quota/sku-1/t1' ? ([h[0], 2, 'ab'.repeat(32)] as const) : h,
    );
    const run = await verifyWith(f, { state: { ...saved, heads } });
    expect(run.ok).toBe(false);
    expect(run.first_failure?.where).toBe('receipt index 8 (quota/sku-1/t1 seq 3)');
    expect(run.first_failure?.problem).toMatch(/is not the leaf hash of seq 2/);
  });

  it('checks a trusted checkpoint that lies inside the saved part by a consistency proof', async (ctx) => {
    await using f = await open(ctx);
    await appendMany(f, 9, 'a');
    const early = await f.ledger.checkpoint();
    await appendMany(f, 9, 'b');
    await f.ledger.checkpoint();
    const saved = (await verifyWith(f)).state!;
    await appendMany(f, 3, 'c');
    await f.ledger.checkpoint();
    const run = await verifyWith(f, { state: saved, trusted: early.note });
    expect(run.failures).toEqual([]);
    await using other = await open(ctx);
    await appendMany(other, 9, 'forged');
    const forged = await other.ledger.checkpoint();
    const bad = await verifyWith(f, { state: saved, trusted: forged.note });
    expect(bad.first_failure).toMatchObject({ where: 'trusted checkpoint', code: 'GOV_LOG_INCONSISTENT' });
  });

  it('refuses a state for another log, another key, or one that does not prove itself', async (ctx) => {
    await using f = await open(ctx);
    await appendMany(f, 5, 'a');
    await f.ledger.checkpoint();
    const saved = (await verifyWith(f)).state!;

    const rotated = generateSigner('governess.test/receipts');
    const otherKey = await stateError(() => verifyWith(f, { state: saved, keys: [rotated.verifier] }));
    expect(otherKey.message).toMatch(
      new RegExp(
        `saved for the log key governess\\.test/receipts\\+${saved.key_hash}, which is not among the keys given`,
      ),
    );

    const elsewhere = generateSigner('governess.test/elsewhere');
    const opened = await openLedger(kind, { signer: elsewhere.signer });
    if (typeof opened === 'string') return;
    await using foreign = opened;
    await foreign.ledger.append(draft());
    await foreign.ledger.checkpoint();
    await using r = readerOf(foreign);
    const otherLog = await stateError(() =>
      verifyStore(r.store, { keys: [signer.verifier, elsewhere.verifier], state: saved }),
    );
    expect(otherLog.message).toMatch(
      /saved for the log "governess\.test\/receipts", this database holds the log "governess\.test\/elsewhere"/,
    );

    const frontier = saved.frontier.slice(0, -2) + (saved.frontier.endsWith('00') ? '01' : '00');
    expect((await stateError(() => verifyWith(f, { state: { ...saved, frontier } }))).message).toMatch(
      /field frontier has root .* the file was edited or damaged/,
    );
    expect((await stateError(() => verifyWith(f, { state: { ...saved, size: 4 } }))).message).toMatch(
      /field size is 4 but its checkpoint covers 5/,
    );
    const repeated = { ...saved, heads: [...saved.heads, saved.heads[0]!] };
    expect((await stateError(() => verifyWith(f, { state: repeated }))).message).toMatch(
      /field heads\[4\] repeats the ledger "quota\/sku-1\/t0"/,
    );
    const checkpoint = saved.checkpoint.replace('\n5\n', '\n6\n');
    expect((await stateError(() => verifyWith(f, { state: { ...saved, checkpoint } }))).message).toMatch(
      /its checkpoint does not verify/,
    );
  });
});
