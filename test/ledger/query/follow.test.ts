// Follow mode on every store: stored receipts after a cursor, then new ones as they commit, filtered, in log
// order, none lost or repeated while batches commit during a page read; it ends on abort and on close.
import { describe, expect, it } from 'vitest';
import {
  CommitSignal,
  follow,
  type FollowSource,
  type LedgerRecord,
  type ReceiptQuery,
} from '../../../src/ledger/index.js';
import { STORE_KINDS, draft, openLedgerOrSkip, type LedgerFixture } from '../../support/ledger.js';

/** Collects `n` records from an iterator. */
async function take(it: AsyncIterator<LedgerRecord>, n: number): Promise<LedgerRecord[]> {
  const out: LedgerRecord[] = [];
  while (out.length < n) {
    const next = await it.next();
    if (next.done === true) break;
    out.push(next.value);
  }
  return out;
}

describe.each(STORE_KINDS)('Ledger.follow on %s', (kind) => {
  async function open(ctx: { skip: () => void }, maxBatch = 256): Promise<LedgerFixture> {
    return openLedgerOrSkip(ctx, kind, { groupCommit: { maxDelayMs: 0, maxBatch } });
  }

  it('yields stored receipts after the cursor, then new ones as they commit, until aborted', async (ctx) => {
    await using f = await open(ctx);
    for (let i = 0; i < 5; i++) await f.ledger.append(draft({ metadata: { i } }));
    const abort = new AbortController();
    const it = f.ledger.follow({ afterIndex: 1 }, { signal: abort.signal, pageSize: 2 });
    expect((await take(it, 3)).map((r) => r.index)).toEqual([2, 3, 4]);
    // Caught up: the next record arrives only when it is committed.
    const pending = it.next();
    let settled = false;
    void pending.then(() => (settled = true));
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    const ack = await f.ledger.append(draft({ metadata: { i: 5 } }));
    const next = await pending;
    expect(next.done).toBe(false);
    expect(next.value).toMatchObject({ index: 5, leafHash: ack.leafHash, receipt: ack.receipt });
    const waiting = it.next();
    abort.abort();
    expect(await waiting).toEqual({ done: true, value: undefined });
  });

  it('filters, and loses or repeats nothing while batches commit during page reads', async (ctx) => {
    await using f = await open(ctx, 16);
    const abort = new AbortController();
    const seen: number[] = [];
    const expected = 90; // tenant t1 of 3, out of 270
    const follower = (async () => {
      for await (const r of f.ledger.follow({ tenant: 't1' }, { signal: abort.signal, pageSize: 7 })) {
        expect(r.receipt.tenant_id).toBe('t1');
        seen.push(r.index);
        if (seen.length === expected) abort.abort();
      }
    })();
    // Three waves of concurrent appends: the follower reads pages while later batches commit.
    for (let wave = 0; wave < 3; wave++) {
      await Promise.all(
        Array.from({ length: 90 }, (_, i) =>
          f.ledger.append(draft({ tenant_id: `t${i % 3}`, metadata: { wave, i } })),
        ),
      );
    }
    await follower;
    const all = await f.ledger.query({ tenant: 't1', limit: 1000 });
    expect(seen).toEqual(all.items.map((r) => r.index));
    expect(new Set(seen).size).toBe(expected);
  });

  it('ends when the ledger closes', async (ctx) => {
    await using f = await open(ctx);
    const it = f.ledger.follow({});
    const pending = it.next();
    await f.ledger.close();
    expect(await pending).toEqual({ done: true, value: undefined });
  });
});

describe('CommitSignal', () => {
  it('wakes a waiter only once the size passes what it saw, and never after abort', async () => {
    const s = new CommitSignal(3);
    expect(await s.wait(2)).toBe(true);
    const woken: number[] = [];
    const a = s.wait(3).then((ok) => ok && woken.push(4));
    const b = s.wait(5).then((ok) => ok && woken.push(6));
    const abort = new AbortController();
    const c = s.wait(3, abort.signal);
    abort.abort();
    expect(await c).toBe(false);
    s.listener(4);
    await a;
    expect(woken).toEqual([4]);
    s.listener(4);
    s.listener(6);
    await b;
    expect(woken).toEqual([4, 6]);
    s.close();
    expect(await s.wait(10)).toBe(false);
  });
});

describe('follow (scripted source)', () => {
  it('a batch committing between reading the size and the page is yielded once, in the next round', async () => {
    // The log holds 0..9 (even indexes match); the committed size moves 4 → 10 while pages are read.
    const signal = new CommitSignal(4);
    let committed = 4;
    const queries: ReceiptQuery[] = [];
    const source: FollowSource<{ index: number }> = {
      query: async (q) => {
        queries.push(q);
        const rows = [0, 2, 4, 6, 8].filter((i) => i > (q.afterIndex ?? -1)).slice(0, q.limit);
        // Rows 4..9 commit during the second read: the store already returns them, the size read before says 4.
        if (queries.length === 2) {
          committed = 10;
          signal.listener(10);
        }
        return rows.map((index) => ({ index }));
      },
      committedSize: () => committed,
      waitBeyond: (beyond, abort) => signal.wait(beyond, abort),
    };
    const abort = new AbortController();
    const got: number[] = [];
    for await (const r of follow(source, {}, { signal: abort.signal, pageSize: 2 })) {
      got.push(r.index);
      if (r.index === 8) abort.abort();
    }
    expect(got).toEqual([0, 2, 4, 6, 8]);
    // First page [0, 2] is full, all below size 4; then [4, 6] lies at/above 4 → nothing yielded, cursor 3;
    // the size is 10 by then, so [4, 6] and [8] are read again and yielded.
    expect(queries.map((q) => q.afterIndex)).toEqual([undefined, 2, 3, 6]);
  });
});
