// The one contract every LedgerStore must meet. store.test.ts runs it against memory, SQLite and PostgreSQL.
import { describe, expect, it } from 'vitest';
import { GovernessError } from '../../../src/errors/index.js';
import { scanRowsSql, type Dialect } from '../../../src/ledger/store/sql-schema.js';
import { recordBytes, recordCount } from '../../../src/ledger/store/stored-records.js';
import type {
  CommitBatch,
  LedgerParts,
  LedgerStore,
  RowWrite,
  SqlValue,
  StoredEntry,
  TableDef,
} from '../../../src/ledger/store/types.js';

/**
 * A store under test: `reopen` closes it and opens a new instance over the same data; `another` opens a second
 * instance over the same data while the first stays open (both null for memory).
 */
export interface StoreFixture extends AsyncDisposable {
  store: LedgerStore;
  reopen: (() => Promise<LedgerStore>) | null;
  another?: (() => LedgerStore) | null;
  /** For SQL stores: the dialect and the database's query plan of a statement (for index-use assertions). */
  explain?: { dialect: Dialect; plan: (sql: string, params: readonly unknown[]) => Promise<string> };
}

/** The side table of the conditional-write and scan cases: shaped like durable_governors. */
const GOVERNORS: TableDef = {
  name: 'governors',
  columns: { gkey: 'text', version: 'integer', next_due_ms: 'integer', body: 'blob' },
  primaryKey: ['gkey'],
  indexes: [{ name: 'governors_due', columns: ['next_due_ms', 'gkey'], whereNotNull: 'next_due_ms' }],
};

/** A side table with a composite (text, integer) primary key and blob columns: shaped like durable_replies. */
const PAIRS: TableDef = {
  name: 'pairs',
  columns: { gkey: 'text', n: 'integer', req_hash: 'blob', reply: 'blob', version: 'integer' },
  primaryKey: ['gkey', 'n'],
};

/** Makes a fresh, empty store (or returns a skip reason). */
export type FixtureFactory = () => Promise<StoreFixture | string>;

const enc = new TextEncoder();

function parts(ledger: string): LedgerParts {
  const [governor, sku, tenant] = ledger.split('/') as [string, string, string];
  return { governor, sku, tenant };
}

/** Builds a batch continuing at `size`: entries for the given ledgers, numbering seqs from `seqs`. */
export function batchOf(
  size: number,
  ledgers: string[],
  seqs: Map<string, number>,
  opts: { idem?: (i: number) => string | null; tsMs?: number; known?: Set<string> } = {},
): CommitBatch {
  const known = opts.known ?? new Set<string>();
  const newLedgers = new Map<string, LedgerParts>();
  const entries: StoredEntry[] = ledgers.map((ledger, k) => {
    const index = size + k;
    const seq = (seqs.get(ledger) ?? 0) + 1;
    seqs.set(ledger, seq);
    if (!known.has(ledger)) {
      known.add(ledger);
      newLedgers.set(ledger, parts(ledger));
    }
    return {
      index,
      ledger,
      seq,
      tsMs: (opts.tsMs ?? 1_700_000_000_000) + index,
      receiptId: `0190aaaa-0000-7000-8000-${String(index).padStart(12, '0')}`,
      status: index % 3 === 0 ? 'refuse' : 'accept',
      reasonCode: index % 3 === 0 ? 'quota.exceeded' : 'ok',
      idempotencyKey: opts.idem?.(index) ?? null,
      bytes: enc.encode(`{"i":${index}}`),
    };
  });
  const end = size + entries.length;
  return {
    entries,
    newLedgers,
    tiles: [{ level: 0, index: 0, hashes: new Uint8Array(32 * Math.min(end, 256)).fill(end % 256) }],
    state: { size: end, frontier: new Uint8Array([1, 2, 3, end % 256]), lastTsMs: 1_700_000_000_000 + end },
    privates: [],
    erase: [],
    rows: [],
  };
}

/** Registers the contract cases for one store kind. */
export function storeContract(kind: string, make: FixtureFactory): void {
  describe(`LedgerStore contract: ${kind}`, () => {
    async function fixture(ctx: { skip: () => void }): Promise<StoreFixture> {
      const f = await make();
      if (typeof f === 'string') {
        console.warn(`${kind} store contract skipped: ${f}`);
        ctx.skip();
        throw new Error(f);
      }
      return f;
    }

    it('an empty store opens at size 0', async (ctx) => {
      await using f = await fixture(ctx);
      const st = await f.store.open();
      expect(st.size).toBe(0);
      expect(await f.store.lastOfLedger('quota/s/t')).toBeNull();
      expect(await f.store.latestCheckpoint()).toBeNull();
    });

    it('a committed batch is readable by range, ledger, id, idempotency key and query', async (ctx) => {
      await using f = await fixture(ctx);
      await f.store.open();
      const seqs = new Map<string, number>();
      const known = new Set<string>();
      const b = batchOf(0, ['quota/s1/a', 'quota/s1/b', 'quota/s1/a', 'billing/s2/a'], seqs, {
        idem: (i) => (i === 2 ? 'key-2' : null),
        known,
      });
      await f.store.commit(b);
      expect((await f.store.readRange(0, 10)).map((e) => e.index)).toEqual([0, 1, 2, 3]);
      expect((await f.store.readRange(1, 3)).map((e) => e.ledger)).toEqual(['quota/s1/b', 'quota/s1/a']);
      const records = await f.store.readRecords(1, 3);
      expect([...records.indexes]).toEqual([1, 2]);
      expect([0, 1].map((i) => Buffer.from(recordBytes(records, i)).toString())).toEqual(
        (await f.store.readRange(1, 3)).map((e) => Buffer.from(e.bytes).toString()),
      );
      expect(recordCount(await f.store.readRecords(4, 10))).toBe(0);
      expect([...(await f.store.readRecords(2, 10)).indexes]).toEqual([2, 3]);
      const last = await f.store.lastOfLedger('quota/s1/a');
      expect(last?.seq).toBe(2);
      expect(last?.index).toBe(2);
      expect(new TextDecoder().decode(last?.bytes)).toBe('{"i":2}');
      expect((await f.store.findByIdempotencyKey('quota/s1/a', 'key-2'))?.index).toBe(2);
      expect(await f.store.findByIdempotencyKey('quota/s1/b', 'key-2')).toBeNull();
      expect((await f.store.findByReceiptId(b.entries[3]!.receiptId))?.ledger).toBe('billing/s2/a');
      expect((await f.store.readLedger('quota/s1/a', 2, 10)).map((e) => e.seq)).toEqual([2]);
      expect((await f.store.query({ tenant: 'a', limit: 10 })).map((e) => e.index)).toEqual([0, 2, 3]);
      expect((await f.store.query({ sku: 's2', limit: 10 })).map((e) => e.index)).toEqual([3]);
      expect(
        (await f.store.query({ governor: 'quota', status: 'refuse', limit: 10 })).map((e) => e.index),
      ).toEqual([0]);
      expect(
        (await f.store.query({ reasonCode: 'ok', afterIndex: 1, limit: 1 })).map((e) => e.index),
      ).toEqual([2]);
      const t0 = b.entries[1]!.tsMs;
      expect((await f.store.query({ fromMs: t0, toMs: t0 + 2, limit: 10 })).map((e) => e.index)).toEqual([
        1, 2,
      ]);
      expect(
        await f.store.readTiles([
          { level: 0, index: 0 },
          { level: 0, index: 1 },
        ]),
      ).toEqual([b.tiles[0]!.hashes, null]);
    });

    it('a batch that does not continue the log is refused and changes nothing', async (ctx) => {
      await using f = await fixture(ctx);
      await f.store.open();
      const seqs = new Map<string, number>();
      const known = new Set<string>();
      await f.store.commit(batchOf(0, ['quota/s/a'], seqs, { known }));
      const gap = batchOf(5, ['quota/s/a'], new Map(seqs), { known: new Set(known) });
      await expect(f.store.commit(gap)).rejects.toMatchObject({
        code: 'GOV_LOG_MOVED',
        details: { size: 5 },
      });
      // Entries that start right but skip an index are a broken batch, not a moved log.
      const holed = batchOf(1, ['quota/s/a', 'quota/s/a'], new Map(seqs), { known: new Set(known) });
      const skipping: CommitBatch = {
        ...holed,
        entries: [holed.entries[0]!, { ...holed.entries[1]!, index: 3 }],
        state: { ...holed.state, size: 4 },
      };
      await expect(f.store.commit(skipping)).rejects.toMatchObject({ code: 'GOV_STORE_FAILED' });
      expect((await f.store.readRange(0, 10)).length).toBe(1);
    });

    it('a batch that fails half way (duplicate receipt id) leaves nothing of itself behind', async (ctx) => {
      await using f = await fixture(ctx);
      await f.store.open();
      const seqs = new Map<string, number>();
      const known = new Set<string>();
      await f.store.commit(batchOf(0, ['quota/s/a'], seqs, { known }));
      const bad = batchOf(1, ['quota/s/b', 'quota/s/a', 'quota/s/c'], seqs, { known });
      const entries = [...bad.entries];
      entries[2] = { ...entries[2]!, receiptId: entries[0]!.receiptId };
      const err = await f.store.commit({ ...bad, entries }).catch((e: unknown) => e);
      expect(GovernessError.is(err)).toBe(true);
      expect((await f.store.readRange(0, 10)).map((e) => e.index)).toEqual([0]);
      expect(await f.store.lastOfLedger('quota/s/b')).toBeNull();
      expect((await f.store.lastOfLedger('quota/s/a'))?.seq).toBe(1);
    });

    it('duplicate idempotency keys and duplicate ledger seqs are refused', async (ctx) => {
      await using f = await fixture(ctx);
      await f.store.open();
      const seqs = new Map<string, number>();
      const known = new Set<string>();
      await f.store.commit(batchOf(0, ['quota/s/a'], seqs, { known, idem: () => 'k' }));
      const again = batchOf(1, ['quota/s/a'], seqs, { known, idem: () => 'k' });
      await expect(f.store.commit(again)).rejects.toMatchObject({ code: 'GOV_STORE_FAILED' });
      seqs.set('quota/s/a', 0);
      const dupSeq = batchOf(1, ['quota/s/a'], seqs, { known });
      await expect(f.store.commit(dupSeq)).rejects.toMatchObject({ code: 'GOV_STORE_FAILED' });
      expect((await f.store.readRange(0, 10)).length).toBe(1);
    });

    it('checkpoints are append-only and the latest is returned', async (ctx) => {
      await using f = await fixture(ctx);
      await f.store.open();
      await f.store.saveCheckpoint({ size: 3, tsMs: 1, note: 'a\n' });
      await f.store.saveCheckpoint({ size: 7, tsMs: 2, note: 'b\n' });
      await expect(f.store.saveCheckpoint({ size: 7, tsMs: 3, note: 'c\n' })).rejects.toMatchObject({
        code: 'GOV_STORE_FAILED',
      });
      expect(await f.store.latestCheckpoint()).toEqual({ size: 7, tsMs: 2, note: 'b\n' });
    });

    it('private payloads are stored beside receipts and erased by a later batch', async (ctx) => {
      await using f = await fixture(ctx);
      await f.store.open();
      const seqs = new Map<string, number>();
      const known = new Set<string>();
      const b = batchOf(0, ['quota/s/a', 'quota/s/a'], seqs, { known });
      const salt = new Uint8Array(32).fill(7);
      await f.store.commit({ ...b, privates: [{ index: 1, salt, payload: enc.encode('{"note":"x"}') }] });
      expect((await f.store.readPrivate(1))?.salt).toEqual(salt);
      const b2 = batchOf(2, ['quota/s/a'], seqs, { known });
      await f.store.commit({ ...b2, erase: [1] });
      expect(await f.store.readPrivate(1)).toBeNull();
      expect((await f.store.readRange(1, 2))[0]?.index).toBe(1);
    });

    it('side-table rows commit with the receipts, and a bad row fails the whole batch', async (ctx) => {
      const f0 = await make();
      if (typeof f0 === 'string') return ctx.skip();
      await using f = f0;
      f.store.defineTable({
        name: 'snapshots',
        columns: { gid: 'text', version: 'integer', body: 'blob' },
        primaryKey: ['gid'],
      });
      await f.store.open();
      const seqs = new Map<string, number>();
      const known = new Set<string>();
      const b = batchOf(0, ['quota/s/a'], seqs, { known });
      await f.store.commit({
        ...b,
        rows: [{ table: 'snapshots', op: 'upsert', row: { gid: 'g1', version: 1, body: enc.encode('s1') } }],
      });
      expect(await f.store.getRow('snapshots', { gid: 'g1' })).toEqual({
        gid: 'g1',
        version: 1,
        body: enc.encode('s1'),
      });
      const b2 = batchOf(1, ['quota/s/a'], seqs, { known });
      await expect(
        f.store.commit({ ...b2, rows: [{ table: 'snapshots', op: 'upsert', row: { gid: 'g1', nope: 1 } }] }),
      ).rejects.toMatchObject({ code: 'GOV_STORE_FAILED' });
      expect((await f.store.readRange(0, 10)).length).toBe(1);
      await f.store.commit({ ...b2, rows: [{ table: 'snapshots', op: 'delete', key: { gid: 'g1' } }] });
      expect(await f.store.getRow('snapshots', { gid: 'g1' })).toBeNull();
    });

    it('getRows reads many rows by key (composite keys, repeats, misses, more than one chunk) in key order', async (ctx) => {
      const f0 = await make();
      if (typeof f0 === 'string') return ctx.skip();
      await using f = f0;
      f.store.defineTable({
        name: 'replies',
        columns: { gkey: 'text', idem: 'text', n: 'integer', body: 'blob' },
        primaryKey: ['gkey', 'idem'],
      });
      await f.store.open();
      const rows = Array.from({ length: 150 }, (_, i) => ({
        gkey: `g${i % 7}`,
        idem: `k${i}`,
        n: i,
        body: i % 3 === 0 ? null : enc.encode(`b${i}`),
      }));
      await f.store.commit({
        ...batchOf(0, ['quota/s/a'], new Map()),
        rows: rows.map((row) => ({ table: 'replies', op: 'upsert' as const, row })),
      });
      const keys = [
        { gkey: 'g3', idem: 'k3' },
        { gkey: 'g3', idem: 'k4' },
        ...rows.map((r) => ({ gkey: r.gkey, idem: r.idem })).reverse(),
        { gkey: 'g3', idem: 'k3' },
      ];
      const got = await f.store.getRows('replies', keys);
      expect(got).toHaveLength(keys.length);
      expect(got[0]).toEqual(rows[3]);
      expect(got[1]).toBeNull();
      expect(got.slice(2, -1)).toEqual([...rows].reverse());
      expect(got.at(-1)).toEqual(rows[3]);
      expect(await f.store.getRows('replies', [])).toEqual([]);
    });

    it('reads made while the store opens again (after a failed batch) are served, and the store goes on', async (ctx) => {
      await using f = await fixture(ctx);
      f.store.defineTable(PAIRS);
      await f.store.open();
      const seqs = new Map<string, number>();
      const known = new Set<string>();
      const row = { gkey: 'g', n: 1, req_hash: enc.encode('h'), reply: null, version: 1 };
      const b = batchOf(0, ['quota/s/a'], seqs, { known });
      await f.store.commit({ ...b, rows: [{ table: 'pairs', op: 'upsert', row }] });
      // The sequencer opens the store again to re-read its state; the host keeps reading meanwhile.
      const reopened = f.store.open();
      const during = await Promise.all([
        f.store.getRows('pairs', [{ gkey: 'g', n: 1 }]),
        f.store.readRange(0, 10),
        f.store.lastOfLedger('quota/s/a'),
      ]);
      expect(during[0]).toEqual([row]);
      expect(during[1].map((e) => e.receiptId)).toEqual(b.entries.map((e) => e.receiptId));
      expect(during[2]?.seq).toBe(1);
      expect(await reopened).toEqual(b.state);
      await f.store.commit(batchOf(1, ['quota/s/a'], seqs, { known }));
      expect((await f.store.getRows('pairs', [{ gkey: 'g', n: 1 }]))[0]).toEqual(row);
      expect((await f.store.lastOfLedger('quota/s/a'))?.seq).toBe(2);
    });

    it('everything committed is there after the store is closed and opened again', async (ctx) => {
      await using f = await fixture(ctx);
      if (f.reopen === null) return ctx.skip();
      await f.store.open();
      const seqs = new Map<string, number>();
      const known = new Set<string>();
      const b = batchOf(0, ['quota/s/a', 'quota/s/b'], seqs, { known });
      await f.store.commit(b);
      await f.store.saveCheckpoint({ size: 2, tsMs: 5, note: 'n\n' });
      const again = await f.reopen();
      const st = await again.open();
      expect(st).toEqual(b.state);
      expect((await again.readRange(0, 10)).map((e) => e.receiptId)).toEqual(
        b.entries.map((e) => e.receiptId),
      );
      expect((await again.latestCheckpoint())?.size).toBe(2);
      await again.commit(batchOf(2, ['quota/s/a', 'quota/s/c'], seqs, { known }));
      expect((await again.lastOfLedger('quota/s/a'))?.seq).toBe(2);
    });

    it('a second writer on the same database is refused by the database, and the first goes on', async (ctx) => {
      await using f = await fixture(ctx);
      if (f.another === undefined || f.another === null) return ctx.skip();
      await f.store.open();
      const other = f.another();
      await other.open();
      const seqs = new Map<string, number>();
      const known = new Set<string>();
      await f.store.commit(batchOf(0, ['quota/s/a'], seqs, { known }));
      // `other` still believes the log is empty: its batch at index 0 must not land.
      const stale = batchOf(0, ['quota/s/z'], new Map(), { known: new Set() });
      // The log-state check refuses it, before its new ledger could collide with the first writer's.
      await expect(other.commit(stale)).rejects.toMatchObject({
        code: 'GOV_LOG_MOVED',
        details: { size: 0 },
      });
      expect((await f.store.readRange(0, 10)).map((e) => e.ledger)).toEqual(['quota/s/a']);
      await f.store.commit(batchOf(1, ['quota/s/a'], seqs, { known }));
      expect((await f.store.lastOfLedger('quota/s/a'))?.seq).toBe(2);
    });

    /**
     * Hands the batches to the store as a pipelined writer would: up to its pipelineDepth at once, the rest
     * after. Outcomes in batch order.
     */
    async function together(
      store: LedgerStore,
      batches: CommitBatch[],
    ): Promise<PromiseSettledResult<void>[]> {
      const depth = store.pipelineDepth ?? 1;
      const out: PromiseSettledResult<void>[] = [];
      for (let i = 0; i < batches.length; i += depth) {
        out.push(...(await Promise.allSettled(batches.slice(i, i + depth).map((b) => store.commit(b)))));
      }
      return out;
    }

    it('commits handed over together land in order, each built on the one before and its new ledgers', async (ctx) => {
      await using f = await fixture(ctx);
      await f.store.open();
      const seqs = new Map<string, number>();
      const known = new Set<string>();
      const a = batchOf(0, ['quota/s/new', 'quota/s/b'], seqs, { known });
      const b = batchOf(2, ['quota/s/new', 'quota/s/c'], seqs, { known });
      const c = batchOf(4, ['quota/s/new'], seqs, { known });
      expect((await together(f.store, [a, b, c])).map((r) => r.status)).toEqual([
        'fulfilled',
        'fulfilled',
        'fulfilled',
      ]);
      expect((await f.store.readLedger('quota/s/new', 1, 10)).map((e) => [e.index, e.seq])).toEqual([
        [0, 1],
        [2, 2],
        [4, 3],
      ]);
      expect((await f.store.open()).size).toBe(5);
    });

    it('a commit built on one that failed fails with GOV_LOG_MOVED, writes nothing, and the store goes on', async (ctx) => {
      await using f = await fixture(ctx);
      f.store.defineTable(GOVERNORS);
      await f.store.open();
      const seqs = new Map<string, number>();
      const known = new Set<string>();
      await f.store.commit(batchOf(0, ['quota/s/a'], seqs, { known }));
      // `doomed` creates a ledger and expects a row that is not there; `behind` appends to that ledger.
      const doomed: CommitBatch = {
        ...batchOf(1, ['quota/s/new'], seqs, { known }),
        rows: [
          {
            table: 'governors',
            op: 'upsert',
            row: { gkey: 'g', version: 2 },
            expect: { column: 'version', value: 1 },
          },
        ],
      };
      const behind = batchOf(2, ['quota/s/new', 'quota/s/a'], seqs, { known });
      const [first, second] = await together(f.store, [doomed, behind]);
      expect(first).toMatchObject({ status: 'rejected', reason: { code: 'GOV_STORE_CONFLICT' } });
      expect(second).toMatchObject({
        status: 'rejected',
        reason: { code: 'GOV_LOG_MOVED', details: { size: 2 } },
      });
      expect((await f.store.readRange(0, 10)).map((e) => e.ledger)).toEqual(['quota/s/a']);
      expect(await f.store.lastOfLedger('quota/s/new')).toBeNull();
      // Built again on the committed log (the ledger new again), both land.
      const again = new Map([['quota/s/a', 1]]);
      const knownAgain = new Set(['quota/s/a']);
      const retried = [
        batchOf(1, ['quota/s/new'], again, { known: knownAgain }),
        batchOf(2, ['quota/s/new', 'quota/s/a'], again, { known: knownAgain }),
      ];
      expect((await together(f.store, retried)).map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
      expect((await f.store.readLedger('quota/s/new', 1, 10)).map((e) => [e.index, e.seq])).toEqual([
        [1, 1],
        [2, 2],
      ]);
      expect((await f.store.lastOfLedger('quota/s/a'))?.seq).toBe(2);
    });

    describe('conditional side-table writes', () => {
      /** An open store with GOVERNORS and one committed receipt + row g1 at version 1. */
      async function withRow(ctx: { skip: () => void }): Promise<{
        f: StoreFixture;
        next: (rows: RowWrite[]) => CommitBatch;
        commit: (rows: RowWrite[]) => Promise<void>;
      }> {
        const f = await fixture(ctx);
        f.store.defineTable(GOVERNORS);
        f.store.defineTable(PAIRS);
        await f.store.open();
        const seqs = new Map<string, number>();
        const known = new Set<string>();
        let size = 0;
        const next = (rows: RowWrite[]): CommitBatch => ({
          ...batchOf(size, ['quota/s/a'], seqs, { known }),
          rows,
        });
        const commit = async (rows: RowWrite[]): Promise<void> => {
          const b = next(rows);
          await f.store.commit(b);
          size = b.state.size;
        };
        await commit([
          {
            table: 'governors',
            op: 'upsert',
            row: { gkey: 'g1', version: 1 },
            expect: { column: 'version', value: null },
          },
        ]);
        return { f, next, commit };
      }

      it('an upsert whose expectation matches commits', async (ctx) => {
        const { f, commit } = await withRow(ctx);
        await using _ = f;
        await commit([
          {
            table: 'governors',
            op: 'upsert',
            row: { gkey: 'g1', version: 2 },
            expect: { column: 'version', value: 1 },
          },
        ]);
        expect(await f.store.getRow('governors', { gkey: 'g1' })).toMatchObject({ gkey: 'g1', version: 2 });
        expect((await f.store.readRange(0, 10)).length).toBe(2);
      });

      it('a mismatching expectation fails the whole batch with GOV_STORE_CONFLICT and stores nothing', async (ctx) => {
        const { f, next } = await withRow(ctx);
        await using _ = f;
        const b = next([
          { table: 'governors', op: 'upsert', row: { gkey: 'g2', version: 1 } },
          {
            table: 'governors',
            op: 'upsert',
            row: { gkey: 'g1', version: 9 },
            expect: { column: 'version', value: 5 },
          },
        ]);
        const err = await f.store.commit(b).catch((e: unknown) => e);
        expect(err).toMatchObject({
          code: 'GOV_STORE_CONFLICT',
          details: { table: 'governors', key: '{"gkey":"g1"}', column: 'version', expected: '5', found: '1' },
        });
        expect((await f.store.readRange(0, 10)).length).toBe(1);
        expect(await f.store.findByReceiptId(b.entries[0]!.receiptId)).toBeNull();
        expect(await f.store.getRow('governors', { gkey: 'g2' })).toBeNull();
        expect(await f.store.getRow('governors', { gkey: 'g1' })).toMatchObject({ version: 1 });
        // The store goes on: the same batch without the conflict commits.
        await f.store.commit({ ...b, rows: [b.rows[0]!] });
        expect((await f.store.readRange(0, 10)).length).toBe(2);
      });

      it('expect null on an existing row fails, on a missing row inserts', async (ctx) => {
        const { f, next, commit } = await withRow(ctx);
        await using _ = f;
        const dup = next([
          {
            table: 'governors',
            op: 'upsert',
            row: { gkey: 'g1', version: 7 },
            expect: { column: 'version', value: null },
          },
        ]);
        await expect(f.store.commit(dup)).rejects.toMatchObject({
          code: 'GOV_STORE_CONFLICT',
          details: { expected: 'no row', found: '1' },
        });
        expect(await f.store.getRow('governors', { gkey: 'g1' })).toMatchObject({ version: 1 });
        await commit([
          {
            table: 'governors',
            op: 'upsert',
            row: { gkey: 'g3', version: 1 },
            expect: { column: 'version', value: null },
          },
        ]);
        expect(await f.store.getRow('governors', { gkey: 'g3' })).toMatchObject({ version: 1 });
      });

      it('a conditional delete deletes only on a match; an expectation sees earlier writes of its batch', async (ctx) => {
        const { f, next, commit } = await withRow(ctx);
        await using _ = f;
        await expect(
          f.store.commit(
            next([
              {
                table: 'governors',
                op: 'delete',
                key: { gkey: 'g1' },
                expect: { column: 'version', value: 2 },
              },
            ]),
          ),
        ).rejects.toMatchObject({ code: 'GOV_STORE_CONFLICT' });
        expect(await f.store.getRow('governors', { gkey: 'g1' })).not.toBeNull();
        await commit([
          {
            table: 'governors',
            op: 'upsert',
            row: { gkey: 'g1', version: 2 },
            expect: { column: 'version', value: 1 },
          },
          { table: 'governors', op: 'delete', key: { gkey: 'g1' }, expect: { column: 'version', value: 2 } },
        ]);
        expect(await f.store.getRow('governors', { gkey: 'g1' })).toBeNull();
      });

      it('check asserts a row without writing it, and a failed check fails the batch', async (ctx) => {
        const { f, next, commit } = await withRow(ctx);
        await using _ = f;
        await commit([
          { table: 'governors', op: 'check', key: { gkey: 'g1' }, expect: { column: 'version', value: 1 } },
          {
            table: 'governors',
            op: 'check',
            key: { gkey: 'zz' },
            expect: { column: 'version', value: null },
          },
          { table: 'governors', op: 'upsert', row: { gkey: 'g2', version: 1 } },
        ]);
        expect(await f.store.getRow('governors', { gkey: 'g1' })).toMatchObject({ version: 1 });
        expect(await f.store.getRow('governors', { gkey: 'zz' })).toBeNull();
        const b = next([
          { table: 'governors', op: 'upsert', row: { gkey: 'g4', version: 1 } },
          { table: 'governors', op: 'check', key: { gkey: 'zz' }, expect: { column: 'version', value: 1 } },
        ]);
        await expect(f.store.commit(b)).rejects.toMatchObject({
          code: 'GOV_STORE_CONFLICT',
          details: { key: '{"gkey":"zz"}', expected: '1', found: 'no row' },
        });
        expect(await f.store.getRow('governors', { gkey: 'g4' })).toBeNull();
        expect((await f.store.readRange(0, 10)).length).toBe(2);
      });

      it('many writes of one batch: repeated keys see their earlier writes, unnamed columns keep their values', async (ctx) => {
        const { f, commit } = await withRow(ctx);
        await using _ = f;
        const big = 1_700_000_000_123;
        const gov = (gkey: string, row: Record<string, SqlValue>, expect?: SqlValue): RowWrite => ({
          table: 'governors',
          op: 'upsert',
          row: { gkey, ...row },
          ...(expect === undefined ? {} : { expect: { column: 'version', value: expect } }),
        });
        await commit([
          gov('g10', { version: 1, body: enc.encode('ten'), next_due_ms: big }, null),
          gov('g11', { version: 1, body: null }, null),
          gov('g12', { version: 1, body: new Uint8Array(0) }, null),
          gov('g13', { version: 1, body: enc.encode('x') }),
          gov('g10', { version: 2 }, 1),
          { table: 'governors', op: 'delete', key: { gkey: 'g11' }, expect: { column: 'version', value: 1 } },
          { table: 'governors', op: 'check', key: { gkey: 'g12' }, expect: { column: 'version', value: 1 } },
          gov('g10', { version: 3, next_due_ms: big + 1 }, 2),
          gov('g11', { version: 7 }, null),
          gov('g13', { body: null }),
          { table: 'governors', op: 'delete', key: { gkey: 'missing' } },
        ]);
        expect(await f.store.getRow('governors', { gkey: 'g10' })).toEqual({
          gkey: 'g10',
          version: 3,
          next_due_ms: big + 1,
          body: enc.encode('ten'),
        });
        expect(await f.store.getRow('governors', { gkey: 'g11' })).toEqual({
          gkey: 'g11',
          version: 7,
          next_due_ms: null,
          body: null,
        });
        // An empty byte string stays empty, not NULL; NULL written over bytes is NULL.
        expect((await f.store.getRow('governors', { gkey: 'g12' }))?.['body']).toEqual(new Uint8Array(0));
        expect(await f.store.getRow('governors', { gkey: 'g13' })).toMatchObject({ version: 1, body: null });
        // 200 rows, each written twice in one batch, the second time conditional on the first.
        const rows: RowWrite[] = [];
        for (let i = 0; i < 200; i++)
          rows.push(gov(`m${i}`, { version: 1, body: enc.encode(`b${i}`) }, null));
        for (let i = 0; i < 200; i++) rows.push(gov(`m${i}`, { version: 2, next_due_ms: i }, 1));
        await commit(rows);
        expect(await f.store.getRow('governors', { gkey: 'm199' })).toEqual({
          gkey: 'm199',
          version: 2,
          next_due_ms: 199,
          body: enc.encode('b199'),
        });
      });

      it('the conflict reported is the first conflicting write in batch order', async (ctx) => {
        const { f, next } = await withRow(ctx);
        await using _ = f;
        // An upsert of a governors row expecting its version (null: no row).
        const expectUpsert = (gkey: string, version: number, expected: number | null): RowWrite => ({
          table: 'governors',
          op: 'upsert',
          row: { gkey, version },
          expect: { column: 'version', value: expected },
        });
        const cases: [RowWrite[], Record<string, string>][] = [
          [
            [
              { table: 'governors', op: 'upsert', row: { gkey: 'g2', version: 1 } },
              expectUpsert('g3', 5, 4),
              expectUpsert('g1', 5, null),
            ],
            { key: '{"gkey":"g3"}', expected: '4', found: 'no row' },
          ],
          [
            [expectUpsert('g1', 5, null), expectUpsert('g3', 5, 4)],
            { key: '{"gkey":"g1"}', expected: 'no row', found: '1' },
          ],
          [
            [
              {
                table: 'governors',
                op: 'delete',
                key: { gkey: 'g4' },
                expect: { column: 'version', value: 1 },
              },
              {
                table: 'governors',
                op: 'check',
                key: { gkey: 'g1' },
                expect: { column: 'version', value: 7 },
              },
            ],
            { key: '{"gkey":"g4"}', expected: '1', found: 'no row' },
          ],
          [
            [
              {
                table: 'governors',
                op: 'check',
                key: { gkey: 'g1' },
                expect: { column: 'version', value: 1 },
              },
              expectUpsert('g1', 2, 1),
              expectUpsert('g2', 1, null),
              {
                table: 'governors',
                op: 'delete',
                key: { gkey: 'g1' },
                expect: { column: 'version', value: 1 },
              },
              expectUpsert('g2', 1, null),
            ],
            { key: '{"gkey":"g1"}', expected: '1', found: '2' },
          ],
          [
            // The second expectation of a segment fails after the first held: the report names the second.
            [expectUpsert('g1', 2, 1), expectUpsert('g2', 1, null), expectUpsert('g3', 5, 4)],
            { key: '{"gkey":"g3"}', expected: '4', found: 'no row' },
          ],
          [
            // "No row" asserted by a check and by a delete, each on a row that exists, before a failed update.
            [
              {
                table: 'governors',
                op: 'delete',
                key: { gkey: 'g9' },
                expect: { column: 'version', value: null },
              },
              {
                table: 'governors',
                op: 'check',
                key: { gkey: 'g1' },
                expect: { column: 'version', value: null },
              },
              expectUpsert('g3', 5, 4),
            ],
            { key: '{"gkey":"g1"}', expected: 'no row', found: '1' },
          ],
          [
            [
              expectUpsert('g2', 1, null),
              {
                table: 'governors',
                op: 'delete',
                key: { gkey: 'g1' },
                expect: { column: 'version', value: null },
              },
            ],
            { key: '{"gkey":"g1"}', expected: 'no row', found: '1' },
          ],
        ];
        for (const [rows, details] of cases) {
          await expect(f.store.commit(next(rows))).rejects.toMatchObject({
            code: 'GOV_STORE_CONFLICT',
            details,
          });
          expect(await f.store.getRow('governors', { gkey: 'g1' })).toMatchObject({ version: 1 });
          expect(await f.store.getRow('governors', { gkey: 'g2' })).toBeNull();
        }
        expect((await f.store.readRange(0, 10)).length).toBe(1);
      });

      it('composite keys and blob columns: upserts, expectations on bytes, deletes', async (ctx) => {
        const { f, next, commit } = await withRow(ctx);
        await using _ = f;
        const h1 = new Uint8Array([0, 1, 2, 255]);
        const pair = (gkey: string, n: number, row: Record<string, SqlValue>): RowWrite => ({
          table: 'pairs',
          op: 'upsert',
          row: { gkey, n, ...row },
        });
        await commit([
          pair('g1', 1, { req_hash: h1, reply: null, version: 1 }),
          pair('g1', 2, { req_hash: h1, reply: enc.encode('r2'), version: 1 }),
          {
            ...pair('g2', 1, { req_hash: new Uint8Array(0), version: 1 }),
            expect: { column: 'n', value: null },
          },
          {
            ...pair('g1', 1, { reply: enc.encode('r1'), version: 2 }),
            expect: { column: 'req_hash', value: h1 },
          },
        ]);
        expect(await f.store.getRow('pairs', { gkey: 'g1', n: 1 })).toEqual({
          gkey: 'g1',
          n: 1,
          req_hash: h1,
          reply: enc.encode('r1'),
          version: 2,
        });
        expect((await f.store.getRow('pairs', { gkey: 'g2', n: 1 }))?.['req_hash']).toEqual(
          new Uint8Array(0),
        );
        await expect(
          f.store.commit(
            next([
              { table: 'pairs', op: 'delete', key: { gkey: 'g1', n: 2 } },
              {
                table: 'pairs',
                op: 'check',
                key: { gkey: 'g1', n: 1 },
                expect: { column: 'req_hash', value: new Uint8Array([0, 1, 2]) },
              },
            ]),
          ),
        ).rejects.toMatchObject({
          code: 'GOV_STORE_CONFLICT',
          details: {
            key: '{"gkey":"g1","n":1}',
            column: 'req_hash',
            expected: '"0x000102"',
            found: '"0x000102ff"',
          },
        });
        await expect(
          f.store.commit(next([{ ...pair('g1', 2, { version: 9 }), expect: { column: 'n', value: null } }])),
        ).rejects.toMatchObject({
          code: 'GOV_STORE_CONFLICT',
          details: { key: '{"gkey":"g1","n":2}', expected: 'no row', found: '2' },
        });
        expect(await f.store.getRow('pairs', { gkey: 'g1', n: 2 })).toMatchObject({ version: 1 });
        // A second open of the same store (what the sequencer does after a failed batch) writes the same shapes.
        await f.store.open();
        await commit([
          {
            table: 'pairs',
            op: 'delete',
            key: { gkey: 'g1', n: 2 },
            expect: { column: 'version', value: 1 },
          },
          { table: 'pairs', op: 'delete', key: { gkey: 'g2', n: 1 } },
          { ...pair('g1', 1, { reply: null, version: 3 }), expect: { column: 'version', value: 2 } },
        ]);
        expect(await f.store.getRow('pairs', { gkey: 'g1', n: 2 })).toBeNull();
        expect(await f.store.getRow('pairs', { gkey: 'g2', n: 1 })).toBeNull();
        expect(await f.store.getRow('pairs', { gkey: 'g1', n: 1 })).toMatchObject({
          reply: null,
          version: 3,
        });
      });

      it('bad expectations and checks are refused before anything is written', async (ctx) => {
        const { f, next } = await withRow(ctx);
        await using _ = f;
        const bad: RowWrite[] = [
          { table: 'governors', op: 'upsert', row: { gkey: 'g1' }, expect: { column: 'nope', value: 1 } },
          {
            table: 'governors',
            op: 'upsert',
            row: { gkey: 'g1' },
            expect: { column: 'version', value: 'x' },
          },
          {
            table: 'governors',
            op: 'check',
            key: { gkey: 'g1', version: 1 },
            expect: { column: 'version', value: 1 },
          },
          { table: 'governors', op: 'check', key: { gkey: 'g1' } } as unknown as RowWrite,
        ];
        for (const w of bad) {
          expect(() => f.store.checkRows([w])).toThrow(GovernessError);
          await expect(f.store.commit(next([w]))).rejects.toMatchObject({ code: 'GOV_STORE_FAILED' });
        }
        expect((await f.store.readRange(0, 10)).length).toBe(1);
      });
    });

    describe('side-table indexes and scanRows', () => {
      it('bad index definitions are refused naming the index', async (ctx) => {
        await using f = await fixture(ctx);
        const def = (indexes: TableDef['indexes']): TableDef => ({ ...GOVERNORS, indexes });
        expect(() => f.store.defineTable(def([{ name: 'Bad-name', columns: ['gkey'] }]))).toThrow(/Bad-name/);
        expect(() => f.store.defineTable(def([{ name: 'ix', columns: ['nope'] }]))).toThrow(/column nope/);
        expect(() =>
          f.store.defineTable(def([{ name: 'ix', columns: ['gkey'], whereNotNull: 'nope' }])),
        ).toThrow(/whereNotNull/);
        expect(() =>
          f.store.defineTable(
            def([
              { name: 'ix', columns: ['gkey'] },
              { name: 'ix', columns: ['version'] },
            ]),
          ),
        ).toThrow(/already used/);
      });

      /** An open store with GOVERNORS holding g00..g(n-1), due at 1000 + 10 * (i % 5), and some without timers. */
      async function withRows(ctx: { skip: () => void }, n: number): Promise<StoreFixture> {
        const f = await fixture(ctx);
        f.store.defineTable(GOVERNORS);
        await f.store.open();
        const rows: RowWrite[] = [];
        for (let i = 0; i < n; i++) {
          const due = i % 7 === 6 ? null : 1000 + 10 * (i % 5);
          rows.push({
            table: 'governors',
            op: 'upsert',
            row: { gkey: `g${String(i).padStart(2, '0')}`, version: 1, next_due_ms: due },
          });
        }
        await f.store.commit({ ...batchOf(0, ['quota/s/a'], new Map()), rows });
        return f;
      }

      it('scanRows returns due rows in (column, key) order, bounded and keyset-paginated', async (ctx) => {
        await using f = await withRows(ctx, 20);
        const all = await f.store.scanRows('governors', { column: 'next_due_ms', upTo: 1020, limit: 100 });
        const expected: [number, string][] = [];
        for (let i = 0; i < 20; i++)
          if (i % 7 !== 6 && 1000 + 10 * (i % 5) <= 1020)
            expected.push([1000 + 10 * (i % 5), `g${String(i).padStart(2, '0')}`]);
        expected.sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : 1));
        expect(all.map((r) => [r['next_due_ms'], r['gkey']])).toEqual(expected);
        expect(all[0]).toMatchObject({ version: 1, body: null });
        expect(await f.store.scanRows('governors', { column: 'next_due_ms', upTo: 999, limit: 10 })).toEqual(
          [],
        );
        const pages: unknown[][] = [];
        let after: [number, string] | undefined;
        for (;;) {
          const page = await f.store.scanRows('governors', {
            column: 'next_due_ms',
            upTo: 1020,
            limit: 3,
            ...(after === undefined ? {} : { after }),
          });
          expect(page.length).toBeLessThanOrEqual(3);
          if (page.length === 0) break;
          pages.push(page.map((r) => [r['next_due_ms'], r['gkey']]));
          const last = page[page.length - 1]!;
          after = [last['next_due_ms'] as number, last['gkey'] as string];
        }
        expect(pages.flat()).toEqual(expected);
        expect(pages.length).toBe(Math.ceil(expected.length / 3));
      });

      it('scanRows refuses a column without an index and a bad limit', async (ctx) => {
        await using f = await withRows(ctx, 3);
        await expect(f.store.scanRows('governors', { column: 'version', upTo: 1, limit: 1 })).rejects.toThrow(
          /leads no index/,
        );
        await expect(
          f.store.scanRows('governors', { column: 'next_due_ms', upTo: 1, limit: 0 }),
        ).rejects.toThrow(/limit/);
        await expect(
          f.store.scanRows('nope', { column: 'next_due_ms', upTo: 1, limit: 1 }),
        ).rejects.toMatchObject({
          code: 'GOV_STORE_FAILED',
        });
      });

      it('the index exists and the scan (first page and later pages) is an index range scan', async (ctx) => {
        await using f = await withRows(ctx, 40);
        if (f.explain === undefined) return ctx.skip();
        for (const after of [undefined, [1010, 'g03'] as [number, string]]) {
          const q = {
            column: 'next_due_ms',
            upTo: 1020,
            limit: 5,
            ...(after === undefined ? {} : { after }),
          };
          const { sql, params } = scanRowsSql(GOVERNORS, q, f.explain.dialect);
          const plan = await f.explain.plan(sql, params);
          expect(plan).toMatch(/gov_x_governors_due/);
          // A range on the index (SEARCH … (next_due_ms<?) / Index Cond), not a full scan of table or index.
          expect(plan).toMatch(
            f.explain.dialect === 'sqlite'
              ? /SEARCH gov_x_governors USING (COVERING )?INDEX gov_x_governors_due \(.*next_due_ms<\?/
              : /Index (Only )?Scan using gov_x_governors_due[\s\S]*Index Cond: [^\n]*next_due_ms <=/,
          );
          expect(plan).not.toMatch(/\bSCAN gov_x_governors\b|Seq Scan|Filter:/);
        }
      });
    });
  });
}
