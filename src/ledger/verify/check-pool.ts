// A small pool of verification worker threads (check-worker.ts): each chunk goes to the worker with the fewest
// chunks outstanding, crossing as one copied buffer; results come back as packed typed arrays (transferred).
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ReceiptOptions } from '../receipt/index.js';
import type { CheckedChunk, PackedRecords } from './check-batch.js';
import type { CheckRequest } from './check-worker.js';
import { bundledWorker } from '../worker-bundle.js';

/** Worker threads used when the caller does not say: the cores, at most 2 (the main thread links and reads). */
export function defaultWorkers(): number {
  return Math.min(2, availableParallelism());
}

interface Pending {
  readonly resolve: (chunk: CheckedChunk) => void;
  readonly reject: (err: Error) => void;
  readonly worker: number;
}

type CheckReply =
  { readonly id: number; readonly chunk: CheckedChunk } | { readonly id: number; readonly error: string };

/** Worker threads that run the order-independent record check. */
export class CheckPool {
  private readonly workers: Worker[];
  private readonly outstanding: number[];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private broken: Error | null = null;

  /** Starts `size` (>= 1) workers checking with the receipt limits `receipt`. */
  constructor(
    size: number,
    private readonly receipt: ReceiptOptions,
  ) {
    this.workers = [];
    this.outstanding = [];
    const entry = bundledWorker(new URL('./check-worker.ts', import.meta.url));
    for (let w = 0; w < size; w++) {
      // One plain module: the parent's loader flags (--import tsx) would only slow the thread's start.
      const worker = new Worker(entry, { execArgv: [] });
      worker.on('message', (reply: CheckReply) => this.settle(reply));
      worker.on('error', (err) => this.breakAll(err));
      worker.on('exit', (code) => {
        if (code !== 0) this.breakAll(new Error(`verification worker exited with code ${code}`));
      });
      this.workers.push(worker);
      this.outstanding.push(0);
    }
  }

  /** Number of worker threads. */
  get size(): number {
    return this.workers.length;
  }

  /** Checks a chunk (its buffers are copied to the worker: the caller keeps them). */
  check(packed: PackedRecords): Promise<CheckedChunk> {
    if (this.broken !== null) return Promise.reject(this.broken);
    let w = 0;
    for (let i = 1; i < this.workers.length; i++) if (this.outstanding[i]! < this.outstanding[w]!) w = i;
    const id = this.nextId++;
    const request: CheckRequest = { id, packed, receipt: this.receipt };
    const promise = new Promise<CheckedChunk>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, worker: w });
    });
    this.outstanding[w]!++;
    this.workers[w]!.postMessage(request);
    return promise;
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    this.broken ??= new Error('verification pool closed');
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private settle(reply: CheckReply): void {
    const p = this.pending.get(reply.id);
    if (p === undefined) return;
    this.pending.delete(reply.id);
    this.outstanding[p.worker]!--;
    if ('error' in reply) p.reject(new Error(`verification worker failed: ${reply.error}`));
    else p.resolve(reply.chunk);
  }

  private breakAll(err: Error): void {
    this.broken ??= err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
