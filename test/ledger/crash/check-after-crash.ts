// What must hold after a writer was SIGKILLed: every acknowledged receipt is stored exactly as acknowledged (index,
// ledger, seq, leaf hash, its side-table row, its private payload), the log is gapless and verifies, every
// checkpoint the dead writer signed is consistent with the log, and acknowledged idempotency keys still
// deduplicate. Receipts committed but never acknowledged are legal (the kill came between COMMIT and the print)
// and are counted. Failures are thrown as test assertions naming the receipt.
import { isDeepStrictEqual } from 'node:util';
import { expect } from 'vitest';
import {
  Ledger,
  decodeReceipt,
  privateCommitmentOfBytes,
  privatePayloadBytes,
  verifyProofFile,
  verifyStore,
  type NoteSigner,
  type LedgerStore,
  type NoteVerifier,
  type Receipt,
  type StoredEntry,
} from '../../../src/ledger/index.js';
import { openCheckpoint } from '../../../src/ledger/checkpoint/index.js';
import {
  EMPTY_ROOT,
  hashFromBase64,
  hashToHex,
  leafHash,
  verifyConsistency,
  verifyInclusion,
} from '../../../src/ledger/merkle/index.js';
import { SimulatedClock } from '../../../src/runtime/clock/index.js';
import type { CrashTarget } from './crash-targets.js';
import type { KilledWriter } from './writer-process.js';
import { CRASH_TABLE, draftFor, requestIdOf, rowFor, type AckEvent } from './workload.js';

/** Acknowledged receipts per cycle whose inclusion proof and side row are read back through the API. */
const SAMPLES_PER_CYCLE = 3;

/** One cycle's inputs: the database, what the killed writer printed, and the state before it ran. */
export interface AfterCrash {
  readonly target: CrashTarget;
  readonly writer: KilledWriter;
  readonly signer: NoteSigner;
  readonly verifier: NoteVerifier;
  /** Log size before the writer ran. */
  readonly sizeBefore: number;
  /** The checkpoint the previous cycle signed after its checks (null in the first cycle). */
  readonly trusted: { readonly size: number; readonly note: string } | null;
}

/** What one cycle's checks counted. */
export interface CrashCheck {
  readonly sizeAfter: number;
  /** Distinct receipts the writer acknowledged (all found). */
  readonly acked: number;
  /** Acknowledgements of a re-sent idempotency key (all pointing at the original receipt). */
  readonly duplicateAcks: number;
  /** Receipts committed by the writer but never acknowledged (it died between COMMIT and printing). */
  readonly beyondAcks: number;
  /** Appends the writer saw rejected (GOV_APPEND_FAILED); none of them was stored. */
  readonly rejected: number;
  /** Acknowledged idempotency keys appended again after the restart, each deduplicated. */
  readonly keysDeduped: number;
  /** Checkpoints the dead writer stored, each found consistent with the log. */
  readonly checkpointsChecked: number;
  /** The fresh checkpoint signed after the checks (the next cycle's trusted checkpoint). */
  readonly checkpoint: { readonly size: number; readonly note: string };
}

const inclusion = (i: number, n: number, l: Uint8Array, p: readonly Uint8Array[], r: Uint8Array): boolean => {
  verifyInclusion(i, n, l, p, r);
  return true;
};

/** Runs every check of one cycle on a freshly opened ledger over the database. */
export async function checkAfterCrash(input: AfterCrash): Promise<CrashCheck> {
  const { target, writer, sizeBefore } = input;
  await target.afterKill();
  const store = target.openStore();
  const ledger = await Ledger.open({
    store,
    clock: new SimulatedClock(),
    signer: input.signer,
    checkpointIntervalMs: 0,
    groupCommit: { maxDelayMs: 0 },
  });
  try {
    const sizeAfter = ledger.size;
    expect(sizeAfter, 'the log never shrinks').toBeGreaterThanOrEqual(sizeBefore);
    if (writer.sizeAtOpen !== null) expect(writer.sizeAtOpen).toBe(sizeBefore);
    const entries = await readNew(store, sizeBefore, sizeAfter);

    const originals = new Map<string, AckEvent>();
    const problems: string[] = [];
    let duplicateAcks = 0;
    for (const ack of writer.acks) {
      const rid = requestIdOf(ack.spec);
      const first = originals.get(rid);
      if (!ack.duplicate) {
        if (first !== undefined) problems.push(`request ${rid} acknowledged twice as a new receipt`);
        originals.set(rid, ack);
        problems.push(...ackProblems(ack, entries.get(ack.index)));
      } else {
        duplicateAcks++;
        if (first?.receiptId !== ack.receiptId || first.index !== ack.index) {
          problems.push(
            `duplicate ack of ${rid} names ${ack.receiptId}, not the original ${first?.receiptId}`,
          );
        }
      }
    }
    const stored = new Set([...entries.values()].map((e) => receiptOf(e).cause.request_id));
    for (const f of writer.failed) {
      const rid = requestIdOf(f.spec);
      if (!f.resend && stored.has(rid)) problems.push(`rejected append ${rid} (${f.error}) was stored`);
    }
    expect(problems, 'acknowledgements vs the database').toEqual([]);
    const acked = [...originals.values()];
    await checkSideRows(target, store, entries, acked, sizeAfter);
    await checkPrivates(store, entries, acked);
    const keysDeduped = await checkIdempotency(ledger, acked, sizeAfter);

    const notes = await target.checkpointNotes(input.trusted?.size ?? -1);
    const fresh = await ledger.checkpoint(); // refuses to sign if the tree is inconsistent with the last one
    expect(fresh.size).toBe(sizeAfter);
    await checkStoredCheckpoints(ledger, input.verifier, notes, fresh.note);
    await checkVerifies(input.target, input.verifier, input.trusted?.note ?? null, sizeAfter);
    await checkProofs(ledger, input.verifier, acked);

    return {
      sizeAfter,
      acked: acked.length,
      duplicateAcks,
      beyondAcks: sizeAfter - sizeBefore - acked.length,
      keysDeduped,
      checkpointsChecked: notes.length,
      rejected: writer.failed.length,
      checkpoint: { size: fresh.size, note: fresh.note },
    };
  } finally {
    await ledger.close();
  }
}

/** The entries a killed child added, keyed by index; they must be exactly `from`..`to`-1 (no gap). */
export async function readNew(
  store: LedgerStore,
  from: number,
  to: number,
): Promise<Map<number, StoredEntry>> {
  const out = new Map<number, StoredEntry>();
  for (let i = from; i < to; i += 10_000) {
    for (const e of await store.readRange(i, Math.min(to, i + 10_000))) out.set(e.index, e);
  }
  for (let i = from; i < to; i++)
    expect(out.has(i), `log index ${i} is missing: the log has a gap`).toBe(true);
  return out;
}

function receiptOf(e: StoredEntry): Receipt {
  return decodeReceipt(e.bytes, `receipt index ${e.index}`);
}

/** What is wrong with an acknowledged receipt as stored (empty when it is stored exactly as acknowledged). */
function ackProblems(ack: AckEvent, e: StoredEntry | undefined): string[] {
  const where = `acknowledged receipt ${ack.receiptId} (index ${ack.index})`;
  if (e === undefined) return [`${where} is not in the database`];
  const stored = {
    receiptId: e.receiptId,
    ledger: e.ledger,
    seq: e.seq,
    leafHash: hashToHex(leafHash(e.bytes)),
  };
  const acked = { receiptId: ack.receiptId, ledger: ack.ledger, seq: ack.seq, leafHash: ack.leafHash };
  const r = receiptOf(e);
  const d = draftFor(ack.spec);
  const problems: string[] = [];
  if (JSON.stringify(stored) !== JSON.stringify(acked)) {
    problems.push(`${where}: stored ${JSON.stringify(stored)}, acknowledged ${JSON.stringify(acked)}`);
  }
  if (!isDeepStrictEqual([r.cause, r.metadata], [d.cause, d.metadata])) {
    problems.push(
      `${where}: stored receipt is not the acknowledged draft (request ${requestIdOf(ack.spec)})`,
    );
  }
  return problems;
}

/**
 * Every new receipt has its side row and the side table holds exactly one row per receipt of the whole log, so
 * no row outlived a rolled-back receipt and no receipt committed without its row. A few acknowledged receipts'
 * rows are also read back through the store API.
 */
async function checkSideRows(
  target: CrashTarget,
  store: LedgerStore,
  entries: Map<number, StoredEntry>,
  acked: readonly AckEvent[],
  size: number,
): Promise<void> {
  const rows = new Map((await target.sideRows()).map((r) => [r.request_id, r.ledger]));
  expect(rows.size, 'side-table rows vs receipts in the log').toBe(size);
  const problems: string[] = [];
  for (const e of entries.values()) {
    const rid = receiptOf(e).cause.request_id ?? '';
    if (rows.get(rid) !== e.ledger)
      problems.push(`receipt index ${e.index} (request ${rid}) has no side row`);
  }
  for (const ack of sample(acked)) {
    const want = rowFor(ack.spec, ack.ledger);
    const got = await store.getRow(CRASH_TABLE.name, { request_id: requestIdOf(ack.spec) });
    if (want.op !== 'upsert' || !isDeepStrictEqual(got, want.row)) {
      problems.push(`side row of acknowledged receipt ${ack.receiptId} reads back as ${JSON.stringify(got)}`);
    }
  }
  expect(problems, 'side-table rows vs receipts').toEqual([]);
}

/** A few items spread over the list (the checks that cost a round trip each). */
function sample<T>(items: readonly T[]): T[] {
  const step = Math.max(1, Math.floor(items.length / SAMPLES_PER_CYCLE));
  return items.filter((_, i) => i % step === 0).slice(0, SAMPLES_PER_CYCLE);
}

/** Acknowledged private payloads are stored and match the receipt's commitment. */
async function checkPrivates(
  store: LedgerStore,
  entries: Map<number, StoredEntry>,
  acked: readonly AckEvent[],
): Promise<void> {
  const problems: string[] = [];
  const privates = acked.filter((a) => a.spec.private);
  const stored = await Promise.all(privates.map((a) => store.readPrivate(a.index)));
  privates.forEach((ack, i) => {
    const where = `private payload of acknowledged receipt ${ack.receiptId} (index ${ack.index})`;
    const p = stored[i] ?? null;
    const payload = draftFor(ack.spec).private;
    const commitment = receiptOf(entries.get(ack.index) as StoredEntry).private_commitment;
    if (p === null || payload === undefined) problems.push(`${where} is missing`);
    else if (!Buffer.from(p.payload).equals(Buffer.from(privatePayloadBytes(payload)))) {
      problems.push(`${where} differs from the draft's`);
    } else if (privateCommitmentOfBytes(p.salt, p.payload) !== commitment) {
      problems.push(`${where} does not match the receipt's private_commitment`);
    }
  });
  expect(problems, 'private payloads').toEqual([]);
}

/** Appends every acknowledged idempotent draft again: each must come back as the original, writing nothing. */
async function checkIdempotency(ledger: Ledger, acked: readonly AckEvent[], size: number): Promise<number> {
  const keyed = acked.filter((a) => a.spec.idempotent);
  const again = await Promise.all(
    keyed.map((a) => ledger.append(draftFor(a.spec), { rows: [rowFor(a.spec, a.ledger)] })),
  );
  const problems = again.flatMap((ack, i) => {
    const first = keyed[i] as AckEvent;
    return ack.duplicate && ack.receipt.receipt_id === first.receiptId && ack.index === first.index
      ? []
      : [
          `idempotency key of ${requestIdOf(first.spec)} gave ${ack.receipt.receipt_id} (duplicate: ${ack.duplicate})`,
        ];
  });
  expect(problems, 'acknowledged idempotency keys after the restart').toEqual([]);
  expect(ledger.size, 'deduplicated appends write nothing').toBe(size);
  return keyed.length;
}

/** Each checkpoint stored since the last cycle is signed by the log key and consistent with the fresh one. */
async function checkStoredCheckpoints(
  ledger: Ledger,
  verifier: NoteVerifier,
  notes: readonly string[],
  freshNote: string,
): Promise<void> {
  const fresh = openCheckpoint(freshNote, verifier).checkpoint;
  for (const note of notes) {
    const cp = openCheckpoint(note, verifier, { expectedOrigin: ledger.origin }).checkpoint;
    expect(cp.size, 'a stored checkpoint covers more than the log holds').toBeLessThanOrEqual(fresh.size);
    if (cp.size === 0) {
      expect(hashToHex(cp.rootHash), 'root of the empty-log checkpoint').toBe(hashToHex(EMPTY_ROOT));
      continue;
    }
    const proof = (await ledger.consistency(cp.size, fresh.size)).map((h) =>
      hashFromBase64(h, 'consistency proof'),
    );
    verifyConsistency(cp.size, fresh.size, proof, cp.rootHash, fresh.rootHash);
  }
}

/**
 * verifyStore on its own store instance: canonical bytes, chains, root = latest checkpoint (which must cover all
 * `size` receipts), and consistency with the `trusted` checkpoint note of the previous cycle, if any.
 */
export async function checkVerifies(
  target: Pick<CrashTarget, 'openStore'>,
  verifier: NoteVerifier,
  trusted: string | null,
  size: number,
): Promise<void> {
  const store = target.openStore();
  try {
    const report = await verifyStore(store, {
      keys: [verifier],
      ...(trusted === null ? {} : { trusted }),
    });
    expect(report.failures).toEqual([]);
    expect({ ok: report.ok, tree_size: report.tree_size, checkpoint_size: report.checkpoint_size }).toEqual({
      ok: true,
      tree_size: size,
      checkpoint_size: size,
    });
  } finally {
    await store.close();
  }
}

/** A few acknowledged receipts get C2SP proof files that verify offline against the fresh checkpoint. */
async function checkProofs(
  ledger: Ledger,
  verifier: NoteVerifier,
  acked: readonly AckEvent[],
): Promise<void> {
  for (const ack of sample(acked)) {
    const rec = await ledger.get(ack.receiptId);
    expect(rec, `acknowledged receipt ${ack.receiptId}`).not.toBeNull();
    if (rec === null) continue;
    const file = await ledger.proof(ack.receiptId);
    const ok = verifyProofFile(file, verifier, { leafData: rec.bytes, verifyInclusion: inclusion });
    expect(ok.index).toBe(ack.index);
  }
}
