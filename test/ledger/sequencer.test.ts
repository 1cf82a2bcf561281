// The pipelined group commit (src/ledger/sequencer.ts): batches are sealed while the store commits earlier
// ones, waiting batches go into one transaction, a failed transaction rejects exactly its appends and the
// batches sealed on top of it are sealed again on the re-read state. A store whose commits the test releases
// by hand makes every interleaving explicit.
import { describe, expect, it } from 'vitest';
import {
  GENESIS_PREV,
  MemoryStore,
  Sequencer,
  generateSigner,
  verifyStore,
  type AppendAck,
  type CommitBatch,
} from '../../src/ledger/index.js';
import { parseVerifierKey } from '../../src/ledger/checkpoint/index.js';
import { Checkpointer } from '../../src/ledger/checkpointer.js';
import { SimulatedClock } from '../../src/runtime/clock/index.js';
import { draft } from '../support/ledger.js';

/** A memory store whose commits wait until the test releases them (or fails them). */
class GatedStore extends MemoryStore {
  readonly commits: number[] = [];
  private waitingAt: { resolve: () => void; reject: (e: Error) => void }[] = [];
  private arrivals: (() => void)[] = [];
  gated = true;

  override async commit(batch: CommitBatch): Promise<void> {
    if (this.gated) {
      await new Promise<void>((resolve, reject) => {
        this.waitingAt.push({ resolve, reject });
        for (const a of this.arrivals.splice(0)) a();
      });
    }
    try {
      await super.commit(batch);
    } catch (err) {
      this.refusals.push(err);
      throw err;
    }
    this.commits.push(batch.entries.length);
    if (this.loseNextAnswer) {
      // The batch is stored, but its answer is lost (as when a writer thread dies right after COMMIT).
      this.loseNextAnswer = false;
      throw new Error('answer lost');
    }
  }

  /** What the store refused, in order. */
  readonly refusals: unknown[] = [];

  /** The next commit released is stored but reported as failed. */
  loseNextAnswer = false;

  /** Commits waiting at the gate. */
  get waiting(): number {
    return this.waitingAt.length;
  }

  /** Resolves once a commit is waiting at the gate. */
  async arrived(): Promise<void> {
    if (this.waitingAt.length > 0) return;
    await new Promise<void>((r) => this.arrivals.push(r));
  }

  release(): void {
    this.waitingAt.shift()?.resolve();
  }

  failNext(problem: string): void {
    this.failNextCommit = problem;
    this.release();
  }
}

/** A gated store taking two commits at once, like the SQLite writer thread. */
class PipelinedGatedStore extends GatedStore {
  readonly pipelineDepth = 2;
}

/** Two appends tagged `{ [tag]: 1 }` and `{ [tag]: 2 }`. */
function pair(seq: Sequencer, tag: string): Promise<AppendAck>[] {
  return [1, 2].map((i) => seq.append(draft({ metadata: { [tag]: i } })));
}

/** A sequencer over `store` (batches and commits of 2) with one receipt committed, the store gated again. */
async function openWithBase(store: GatedStore): Promise<{ seq: Sequencer; base: AppendAck }> {
  const { seq } = await open(store, 2, 2);
  store.gated = false;
  const base = await seq.append(draft());
  store.gated = true;
  return { seq, base };
}

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

async function open(store: MemoryStore, maxBatch = 4, maxCommit = 64, commitPipeline?: number) {
  const clock = new SimulatedClock();
  const seq = await Sequencer.open(
    store,
    clock,
    {},
    { maxBatch, maxCommit, maxDelayMs: 0, ...(commitPipeline === undefined ? {} : { commitPipeline }) },
  );
  return { seq, clock };
}

async function verified(store: MemoryStore, seq: Sequencer): Promise<void> {
  const signer = generateSigner('governess.test/pipeline');
  const cp = new Checkpointer(
    store,
    { snapshot: () => ({ size: seq.size, root: seq.root() }) },
    signer.signer,
    new SimulatedClock(),
    [],
    0,
  );
  await cp.checkpoint();
  const report = await verifyStore(store, { keys: [parseVerifierKey(signer.verifierKey)] });
  expect(report.first_failure).toBeNull();
  expect(report.ok).toBe(true);
}

describe('pipelined group commit', () => {
  it('seals while the store commits, then commits every waiting batch in one transaction', async () => {
    const store = new GatedStore();
    const { seq } = await open(store, 4, 64);
    const first = seq.append(draft());
    await store.arrived(); // batch 1 (one receipt) is in the store's hands
    const more = Array.from({ length: 10 }, (_, i) => seq.append(draft({ metadata: { i } })));
    await settle(); // sealed into batches of 4, 4, 2 while the first commit waits
    expect(store.commits).toEqual([]);
    store.release();
    await first;
    await store.arrived();
    store.release();
    const acks = await Promise.all(more);
    expect(store.commits).toEqual([1, 10]);
    expect(seq.batches).toBe(2);
    expect(acks.map((a) => a.receipt.ledger_seq)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    store.gated = false;
    await verified(store, seq);
  });

  it('a commit never carries more than maxCommit receipts (whole sealed batches)', async () => {
    const store = new GatedStore();
    const { seq } = await open(store, 4, 8);
    const all = [seq.append(draft())];
    await store.arrived();
    for (let i = 0; i < 12; i++) all.push(seq.append(draft({ metadata: { i } })));
    await settle();
    store.gated = false;
    store.release();
    await Promise.all(all);
    expect(store.commits).toEqual([1, 8, 4]);
  });

  it('a failed commit rejects exactly its appends; batches sealed on top of it are sealed again and commit', async () => {
    const store = new GatedStore();
    const { seq, base } = await openWithBase(store);
    const doomed = pair(seq, 'doomed');
    await store.arrived();
    const later = pair(seq, 'later');
    await settle(); // `later` is sealed on top of `doomed`: seq 4 and 5, prev = doomed's leaves
    store.failNext('disk full');
    const failed = await Promise.allSettled(doomed);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect((failed[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'GOV_APPEND_FAILED' });
    store.gated = false;
    store.release();
    const acks: AppendAck[] = await Promise.all(later);
    expect(acks.map((a) => [a.index, a.receipt.ledger_seq])).toEqual([
      [1, 2],
      [2, 3],
    ]);
    expect(acks[0]?.receipt.prev).toBe(base.leafHash);
    expect(seq.size).toBe(3);
    await verified(store, seq);
  });

  it('an idempotency key repeated while its first receipt is still committing returns that receipt once committed', async () => {
    const store = new GatedStore();
    const { seq } = await open(store, 1, 1);
    const cause = { request_id: null, idempotency_key: 'k-1', actor: null };
    const a = seq.append(draft({ cause }));
    await store.arrived();
    const b = seq.append(draft({ cause, metadata: { retry: 1 } }));
    await settle();
    store.gated = false;
    store.release();
    const [ra, rb] = await Promise.all([a, b]);
    expect(ra.duplicate).toBe(false);
    expect(rb.duplicate).toBe(true);
    expect(rb.receipt).toEqual(ra.receipt);
    expect(seq.size).toBe(1);
  });

  it('stops sealing at twice maxCommit receipts waiting for the store (bounded memory)', async () => {
    const store = new GatedStore();
    const { seq } = await open(store, 2, 4);
    const all = [seq.append(draft())];
    await store.arrived();
    for (let i = 0; i < 40; i++) all.push(seq.append(draft({ metadata: { i } })));
    await settle();
    const sealedButWaiting = (seq as unknown as { sealedQueue: { reqs: unknown[] }[] }).sealedQueue
      .slice(1)
      .reduce((n, f) => n + f.reqs.length, 0);
    expect(sealedButWaiting).toBeLessThanOrEqual(8);
    expect(sealedButWaiting).toBeGreaterThan(0);
    store.gated = false;
    store.release();
    await Promise.all(all);
    expect(seq.size).toBe(41);
  });

  it('tells commit listeners the committed size after each transaction', async () => {
    const store = new GatedStore();
    store.gated = false;
    const { seq } = await open(store, 4, 64);
    const sizes: number[] = [];
    const off = seq.onCommit((n) => sizes.push(n));
    await seq.append(draft());
    await Promise.all([seq.append(draft()), seq.append(draft())]);
    off();
    await seq.append(draft());
    expect(sizes).toEqual([1, 3]);
  });

  it('a new ledger first seen in a batch still committing chains from genesis exactly once', async () => {
    const store = new GatedStore();
    const { seq } = await open(store, 1, 1);
    const a = seq.append(draft({ tenant_id: 'fresh' }));
    await store.arrived();
    const b = seq.append(draft({ tenant_id: 'fresh' }));
    await settle();
    store.gated = false;
    store.release();
    const [ra, rb] = await Promise.all([a, b]);
    expect(ra.receipt.prev).toBe(GENESIS_PREV);
    expect(rb.receipt.prev).toBe(ra.leafHash);
    await verified(store, seq);
  });
});

describe('pipelined store (two commits in its hands)', () => {
  it('is handed the next group while it writes one, up to its depth or commitPipeline', async () => {
    for (const [pipeline, inHands] of [
      [undefined, 2],
      [1, 1],
    ] as const) {
      const store = new PipelinedGatedStore();
      const { seq } = await open(store, 2, 2, pipeline);
      const first = [seq.append(draft()), seq.append(draft())];
      await store.arrived();
      const second = [seq.append(draft()), seq.append(draft())];
      const third = [seq.append(draft()), seq.append(draft())];
      await settle();
      expect(store.waiting).toBe(inHands);
      store.gated = false;
      while (store.waiting > 0) store.release();
      const acks = await Promise.all([...first, ...second, ...third]);
      expect(acks.map((a) => a.index)).toEqual([0, 1, 2, 3, 4, 5]);
      expect(store.commits).toEqual([2, 2, 2]);
      await verified(store, seq);
    }
  });

  it('a group sent behind a failed one and refused for that (GOV_LOG_MOVED) is sealed again, in order, with those never sent', async () => {
    const store = new PipelinedGatedStore();
    const { seq, base } = await openWithBase(store);
    const doomed = pair(seq, 'doomed');
    await store.arrived();
    const behind = pair(seq, 'behind');
    const unsent = pair(seq, 'unsent');
    await settle();
    expect(store.waiting).toBe(2); // doomed and behind in the store's hands, unsent sealed and waiting
    store.failNext('disk full');
    const failed = await Promise.allSettled(doomed);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    store.gated = false;
    store.release();
    const acks = await Promise.all([...behind, ...unsent]);
    expect(store.refusals).toMatchObject([
      { code: 'GOV_STORE_FAILED', details: { problem: 'disk full' } },
      { code: 'GOV_LOG_MOVED', details: { size: 3 } },
    ]);
    expect(acks.map((a) => [a.index, a.receipt.ledger_seq, a.receipt.metadata])).toEqual([
      [1, 2, { behind: 1 }],
      [2, 3, { behind: 2 }],
      [3, 4, { unsent: 1 }],
      [4, 5, { unsent: 2 }],
    ]);
    expect(acks[0]?.receipt.prev).toBe(base.leafHash);
    expect(seq.size).toBe(5);
    await verified(store, seq);
  });

  it('a group committed behind one whose answer was lost is acknowledged, and the writer re-reads the log', async () => {
    const store = new PipelinedGatedStore();
    const { seq } = await openWithBase(store);
    const lost = pair(seq, 'lost');
    await store.arrived();
    const behind = pair(seq, 'behind');
    await settle();
    expect(store.waiting).toBe(2);
    store.loseNextAnswer = true;
    store.gated = false;
    store.release();
    store.release();
    expect((await Promise.allSettled(lost)).map((r) => r.status)).toEqual(['rejected', 'rejected']);
    const acks = await Promise.all(behind);
    expect(acks.map((a) => [a.index, a.receipt.ledger_seq])).toEqual([
      [3, 4],
      [4, 5],
    ]);
    // The next append is sealed on the log as stored (the lost batch is in it), not on the writer's old view.
    const after = await seq.append(draft());
    expect([after.index, after.receipt.ledger_seq]).toEqual([5, 6]);
    await verified(store, seq);
  });
});
