// What a durable step writes, row by row: later steps name only the governor columns they change (so SQLite
// leaves the due index alone), and the step that consumes a keyed command writes its reply row expecting none,
// the database's guard that a key is applied at most once per governor (docs/durable/design.md §1.3).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GOVERNORS_TABLE, REPLIES_TABLE } from '../../src/durable/tables.js';
import { MemoryStore, type CommitBatch, type LedgerStore, type RowWrite } from '../../src/ledger/index.js';
import { openHostOn } from '../support/durable.js';
import { STORE_KINDS, storeMaker } from '../support/ledger.js';
import { counter } from './counter.js';

const G = 'counter/sku-1/tenant-1';

/** A store that records the side-table writes of every commit. */
function recordingStore(inner: LedgerStore = new MemoryStore()): {
  store: LedgerStore;
  batches: RowWrite[][];
} {
  const batches: RowWrite[][] = [];
  const store = new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === 'commit') {
        return (batch: CommitBatch) => {
          batches.push([...batch.rows]);
          return target.commit(batch);
        };
      }
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return { store, batches };
}

const governorWrites = (batches: RowWrite[][]): RowWrite[] =>
  batches.flat().filter((w) => w.table === GOVERNORS_TABLE.name);

describe.each(STORE_KINDS)('durable row writes on %s', (kind) => {
  it('a new governor names every column; later steps only what they change', async (ctx) => {
    const dir = mkdtempSync(join(tmpdir(), 'gov-rows-'));
    const maker = await storeMaker(kind, dir);
    if (typeof maker === 'string') {
      console.warn(`row-writes test on ${kind} skipped: ${maker}`);
      ctx.skip();
      return;
    }
    await using _cleanup = {
      [Symbol.asyncDispose]: async () => {
        await maker.drop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
    const { store, batches } = recordingStore(maker.make());
    await using h = await openHostOn(store, { definitions: [counter] });
    expect(await h.host.call(G, { type: 'add', n: 1 })).toBe(1);
    expect(await h.host.call(G, { type: 'add', n: 1 })).toBe(2);
    expect(await h.host.call(G, { type: 'cycle', ms: 60_000 })).toBe('cycling');
    expect(await h.host.call(G, { type: 'add', n: 1 })).toBe(3);
    const columns = governorWrites(batches).map((w) => (w.op === 'upsert' ? Object.keys(w.row) : []));
    expect(columns).toEqual([
      // The init step creates the row; the first call's step follows.
      ['gkey', 'version', 'data_ver', 'snapshot', 'timers', 'next_due_ms', 'status', 'epoch'],
      ['gkey', 'version', 'snapshot'],
      ['gkey', 'version', 'snapshot'],
      // The step that arms a timer changes the timers and the due time.
      ['gkey', 'version', 'snapshot', 'timers', 'next_due_ms'],
      ['gkey', 'version', 'snapshot'],
    ]);
    const row = await store.getRow(GOVERNORS_TABLE.name, { gkey: G });
    expect(row).toMatchObject({ version: 5, status: 'live', data_ver: 0, epoch: 0 });
    expect(row?.next_due_ms).toBeTypeOf('number');
  });
});

describe('durable row writes', () => {
  it('a stopping step stores its status and clears the due time', async () => {
    const { store, batches } = recordingStore();
    await using h = await openHostOn(store, { definitions: [counter] });
    await h.host.call(G, { type: 'cycle', ms: 60_000 });
    await h.host.call(G, { type: 'halt' }).catch(() => undefined);
    await h.host.idle();
    const last = governorWrites(batches).at(-1);
    expect(last?.op === 'upsert' ? Object.keys(last.row) : []).toEqual([
      'gkey',
      'version',
      'snapshot',
      'timers',
      'next_due_ms',
      'status',
    ]);
    expect(await store.getRow(GOVERNORS_TABLE.name, { gkey: G })).toMatchObject({
      status: 'stopped',
      next_due_ms: null,
    });
  });

  it('the consuming step writes a keyed reply row expecting none; a deferred reply updates it', async () => {
    const { store, batches } = recordingStore();
    await using h = await openHostOn(store, { definitions: [counter] });
    expect(await h.host.call(G, { type: 'add', n: 2 }, { idempotencyKey: 'k1' })).toBe(2);
    const held = h.host.call(G, { type: 'hold' }, { idempotencyKey: 'k2' });
    await h.host.idle();
    await h.host.call(G, { type: 'release' });
    expect(await held).toBe(2);
    const replies = batches.flat().filter((w) => w.table === REPLIES_TABLE.name);
    expect(replies.map((w) => [w.op === 'upsert' ? w.row.idem_key : null, w.expect ?? null])).toEqual([
      ['k1', { column: 'version', value: null }],
      ['k2', { column: 'version', value: null }],
      ['k2', null],
    ]);
    // The ledger does not index the key: the reply row is its one unique record.
    expect(await store.findByIdempotencyKey(G, 'k1')).toBeNull();
  });
});
