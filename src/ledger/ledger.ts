// The receipt ledger's public face: append receipts (group commit, durable before the promise resolves), read
// and query them, sign checkpoints, hand out inclusion and consistency proofs, and export verifiable slices.
// Everything below it is one mechanism per job: Sequencer writes, Checkpointer signs, LedgerStore stores; erasure
// and private reads are in privacy.ts, follow mode and the CSV projection in query/.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GovernessError, LedgerErrors } from '../errors/index.js';
import type { Clock } from '../runtime/clock/clock.js';
import type { Anchor } from './anchors.js';
import { Checkpointer } from './checkpointer.js';
import {
  encodeBase64,
  formatProofFile,
  openCheckpoint,
  parseVerifierKey,
  type NoteSigner,
} from './checkpoint/index.js';
import {
  CompactRange,
  consistencyProof,
  hashToHex,
  inclusionProof,
  leafHash,
  type HashReader,
} from './merkle/index.js';
import {
  eraseReceipt,
  readPrivatePayload,
  type EraseOptions,
  type PrivacyContext,
  type PrivateRead,
} from './privacy.js';
import {
  CommitSignal,
  exportCsv,
  follow,
  type CsvExportResult,
  type CsvTarget,
  type FollowOptions,
  type FollowQuery,
  type ReceiptFilter,
} from './query/index.js';
import {
  decodeReceipt,
  refuseErasureEvent,
  type Receipt,
  type ReceiptDraft,
  type ReceiptOptions,
} from './receipt/index.js';
import { Sequencer, type AppendAck, type AppendOptions, type GroupCommitOptions } from './sequencer.js';
import { storeHashReader } from './store/tile-source.js';
import { recordBytes, recordCount } from './store/stored-records.js';
import type { LedgerStore, ReceiptQuery, StoredCheckpoint, StoredEntry } from './store/types.js';

/** How to open a ledger. */
export interface LedgerConfig {
  /** Where receipts live. */
  readonly store: LedgerStore;
  /** Time for timestamps, the group-commit delay and the checkpoint interval. */
  readonly clock: Clock;
  /** The log's signing key; its name is the log origin. */
  readonly signer: NoteSigner;
  /** Sign a checkpoint this often when the log grew (default 1000 ms; 0 = only on demand). */
  readonly checkpointIntervalMs?: number;
  /** Where each new checkpoint is also pushed. */
  readonly anchors?: readonly Anchor[];
  /** Group-commit tuning. */
  readonly groupCommit?: GroupCommitOptions;
  /** Receipt limits (metadata size). */
  readonly receipt?: ReceiptOptions;
}

/** One stored receipt with its position and leaf hash. */
export interface LedgerRecord {
  readonly receipt: Receipt;
  readonly index: number;
  readonly leafHash: string;
  /** The stored canonical bytes. */
  readonly bytes: Uint8Array;
}

/** One page of a query and the cursor of the next (null at the end). */
export interface ReceiptPage {
  readonly items: readonly LedgerRecord[];
  readonly next: number | null;
}

/** What `export` wrote. */
export interface ExportManifest {
  readonly format: 'governess.export/v1';
  readonly origin: string;
  /** First log index in the export. */
  readonly from: number;
  /** One past the last log index; equals the checkpoint's size. */
  readonly to: number;
  /** The signed checkpoint note covering [0, to). */
  readonly checkpoint: string;
  /** The log's verifier key (also publish it elsewhere: a verifier should not trust a key found in the export). */
  readonly verifier_key: string;
  /** Hex of the serialised Merkle frontier at `from` (empty when from is 0). */
  readonly frontier_at_from: string;
  /** The checkpoint of the previous export and a consistency proof from it to this one. */
  readonly previous: { readonly checkpoint: string; readonly consistency_proof: readonly string[] } | null;
  /** Files in the export. */
  readonly files: { readonly receipts: 'receipts.jsonl' };
}

/** A receipt ledger over one store. */
export class Ledger implements AsyncDisposable {
  private constructor(
    private readonly store: LedgerStore,
    private readonly sequencer: Sequencer,
    private readonly checkpointer: Checkpointer,
    private readonly receiptOptions: ReceiptOptions,
    private readonly commits: CommitSignal,
  ) {}

  /** Opens the store, resumes the log and starts the checkpoint interval. */
  static async open(config: LedgerConfig): Promise<Ledger> {
    const receiptOptions = config.receipt ?? {};
    const seq = await Sequencer.open(config.store, config.clock, receiptOptions, config.groupCommit);
    const cp = new Checkpointer(
      config.store,
      { snapshot: () => ({ size: seq.size, root: seq.root() }) },
      config.signer,
      config.clock,
      config.anchors ?? [],
      config.checkpointIntervalMs ?? 1000,
    );
    cp.start();
    const commits = new CommitSignal(seq.size);
    seq.onCommit(commits.listener);
    return new Ledger(config.store, seq, cp, receiptOptions, commits);
  }

  /** The log origin (the signer's key name). */
  get origin(): string {
    return this.checkpointer.origin;
  }

  /** Receipts committed. */
  get size(): number {
    return this.sequencer.size;
  }

  /** Anchor publications that failed so far. */
  get anchorFailures(): Checkpointer['anchorFailures'] {
    return this.checkpointer.anchorFailures;
  }

  /** Calls `listener` with each new signed checkpoint once stored and anchored; returns the unsubscribe function. */
  onCheckpoint(listener: (cp: StoredCheckpoint) => void): () => void {
    return this.checkpointer.onCheckpoint(listener);
  }

  /** Calls `listener(size)` after every commit with the new log size; returns the unsubscribe function. */
  onCommit(listener: (size: number) => void): () => void {
    return this.sequencer.onCommit(listener);
  }

  /**
   * Appends a receipt; resolves after its batch is committed (see docs/ledger/storage.md). Erasing is not an
   * append option here: `erase` records every erasure with its receipt.
   */
  append(draft: ReceiptDraft, options?: AppendOptions): Promise<AppendAck> {
    refuseErasureEvent(draft);
    if (options?.erase !== undefined && options.erase.length > 0) {
      throw new GovernessError(LedgerErrors.badReceipt, {
        field: 'erase',
        problem: 'append does not erase private payloads; use Ledger.erase, which records the erasure',
      });
    }
    return this.sequencer.append(draft, options);
  }

  /**
   * Erases the private payload (salt and payload) of a receipt and appends an erasure receipt to its ledger, in
   * one transaction; a second call returns the first erasure (`duplicate: true`). See docs/ledger/receipt-format.md.
   */
  erase(receiptId: string, options: EraseOptions): Promise<AppendAck> {
    return eraseReceipt(this.privacy(), receiptId, options);
  }

  /** The private payload of a receipt, checked against its commitment; or `erased` / `none`. */
  readPrivate(receiptId: string): Promise<PrivateRead> {
    return readPrivatePayload(this.privacy(), receiptId);
  }

  /**
   * Writes the NON-VERIFIABLE CSV projection of the receipts matching `filter` that are committed now, page by
   * page (docs/ledger/query-export.md). A path is created or replaced; a stream is left open.
   */
  async exportCsv(
    target: CsvTarget,
    filter: ReceiptFilter = {},
    options: { pageSize?: number } = {},
  ): Promise<CsvExportResult> {
    await this.flush();
    return exportCsv(this.store, target, filter, {
      end: this.sequencer.size,
      receipt: this.receiptOptions,
      ...options,
    });
  }

  /**
   * The receipts matching `query` in log order: those stored after `query.afterIndex`, then each new one as this
   * ledger commits it, until `options.signal` fires or the ledger closes (docs/ledger/query-export.md).
   */
  follow(
    query: FollowQuery = {},
    options: FollowOptions = {},
  ): AsyncGenerator<LedgerRecord, void, undefined> {
    return follow(
      {
        query: async (q) => (await this.store.query(q)).map((e) => this.record(e)),
        committedSize: () => this.sequencer.size,
        waitBeyond: (beyond, signal) => this.commits.wait(beyond, signal),
      },
      query,
      options,
    );
  }

  /** Resolves when everything appended so far is committed or failed. */
  flush(): Promise<void> {
    return this.sequencer.flush();
  }

  /** Signs a checkpoint of everything committed now (unless the latest already covers it). */
  async checkpoint(): Promise<StoredCheckpoint> {
    await this.flush();
    return this.checkpointer.checkpoint();
  }

  /** The latest signed checkpoint, or null. */
  latestCheckpoint(): Promise<StoredCheckpoint | null> {
    return this.store.latestCheckpoint();
  }

  /** A receipt by id, or null. */
  async get(receiptId: string): Promise<LedgerRecord | null> {
    const e = await this.store.findByReceiptId(receiptId);
    return e === null ? null : this.record(e);
  }

  /** Receipts of one ledger from `fromSeq`, at most `limit`. */
  async readLedger(ledger: string, fromSeq = 1, limit = 100): Promise<LedgerRecord[]> {
    return (await this.store.readLedger(ledger, fromSeq, checkLimit(limit))).map((e) => this.record(e));
  }

  /** One page of receipts matching the query, in log order; pass `next` as `afterIndex` for the next page. */
  async query(q: ReceiptQuery): Promise<ReceiptPage> {
    const limit = checkLimit(q.limit);
    const rows = await this.store.query({ ...q, limit: limit + 1 });
    const items = rows.slice(0, limit).map((e) => this.record(e));
    return { items, next: rows.length > limit ? (items[items.length - 1]?.index ?? null) : null };
  }

  /**
   * A C2SP tlog-proof file proving that the receipt is in the log, against the latest checkpoint (one is signed
   * now if none covers the receipt yet). A customer can keep it and verify it offline.
   */
  async proof(receiptId: string): Promise<string> {
    const e = await this.store.findByReceiptId(receiptId);
    if (e === null) return this.fail(`receipt ${receiptId}`, 'no such receipt');
    let cp = await this.store.latestCheckpoint();
    if (cp === null || cp.size <= e.index) cp = await this.checkpoint();
    const proof = await inclusionProof(e.index, cp.size, this.reader(cp.size));
    return formatProofFile({ index: e.index, proof, checkpointNote: cp.note });
  }

  /** A consistency proof between two tree sizes (base64 hashes), RFC 9162 §2.1.4. */
  async consistency(oldSize: number, newSize: number): Promise<string[]> {
    return (await consistencyProof(oldSize, newSize, this.reader(newSize))).map(encodeBase64);
  }

  /**
   * Writes the log slice [from, checkpoint size) to `dir` as `receipts.jsonl` (the stored bytes, one per line)
   * and `manifest.json`. A checkpoint covering everything committed is signed first. Pass the previous export's
   * manifest to include a consistency proof from it.
   */
  async export(
    dir: string,
    options: { from?: number; previous?: ExportManifest } = {},
  ): Promise<ExportManifest> {
    const cp = await this.checkpoint();
    const from = options.from ?? 0;
    if (!Number.isSafeInteger(from) || from < 0 || from > cp.size) {
      return this.fail('export', `from ${from} is outside 0..${cp.size}`);
    }
    await mkdir(dir, { recursive: true });
    const lines: Buffer[] = [];
    const nl = Buffer.from('\n');
    for (let i = from; i < cp.size; i += 10_000) {
      const records = await this.store.readRecords(i, Math.min(cp.size, i + 10_000));
      for (let r = 0; r < recordCount(records); r++) {
        const bytes = recordBytes(records, r);
        lines.push(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), nl);
      }
    }
    await writeFile(join(dir, 'receipts.jsonl'), Buffer.concat(lines));
    const frontier =
      from === 0 ? '' : hex((await CompactRange.fromReader(from, this.reader(from))).toBytes());
    let previous: ExportManifest['previous'] = null;
    if (options.previous !== undefined) {
      const prev = openCheckpoint(options.previous.checkpoint, parseVerifierKey(this.verifierKey), {
        where: 'previous export manifest',
        expectedOrigin: this.origin,
      }).checkpoint;
      previous = {
        checkpoint: options.previous.checkpoint,
        consistency_proof: await this.consistency(prev.size, cp.size),
      };
    }
    const manifest: ExportManifest = {
      format: 'governess.export/v1',
      origin: this.origin,
      from,
      to: cp.size,
      checkpoint: cp.note,
      verifier_key: this.verifierKey,
      frontier_at_from: frontier,
      previous,
      files: { receipts: 'receipts.jsonl' },
    };
    await writeFile(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    return manifest;
  }

  /** The verifier key to publish. */
  get verifierKey(): string {
    return this.checkpointer.verifierKey;
  }

  /** Commits what is queued, stops the checkpoint interval and closes the store. */
  async close(): Promise<void> {
    await this.sequencer.close();
    this.commits.close();
    await this.checkpointer.stop();
    await this.store.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private privacy(): PrivacyContext {
    return {
      store: this.store,
      receiptOptions: this.receiptOptions,
      append: (draft, options) => this.sequencer.append(draft, options),
      flush: () => this.flush(),
    };
  }

  private reader(size: number): HashReader {
    return storeHashReader(this.store, size);
  }

  private record(e: StoredEntry): LedgerRecord {
    return {
      receipt: decodeReceipt(e.bytes, `receipt index ${e.index}`, this.receiptOptions),
      index: e.index,
      leafHash: hashToHex(leafHash(e.bytes)),
      bytes: e.bytes,
    };
  }

  private fail(where: string, problem: string): never {
    throw new GovernessError(LedgerErrors.badExport, { where, problem });
  }
}

function checkLimit(limit: number): number {
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > 10_000) {
    throw new GovernessError(LedgerErrors.badReceipt, {
      field: 'limit',
      problem: 'must be an integer from 1 to 10000',
    });
  }
  return limit;
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}
