// A verification worker thread: checks packed chunks of records (check-batch.ts) and answers with the packed
// results, transferring their buffers. Started as one bundled module (../worker-bundle.ts).
import { parentPort } from 'node:worker_threads';
import type { ReceiptOptions } from '../receipt/index.js';
import { checkChunk, chunkTransfers, type PackedRecords } from './check-batch.js';

/** A chunk to check. */
export interface CheckRequest {
  readonly id: number;
  readonly packed: PackedRecords;
  readonly receipt: ReceiptOptions;
}

const port = parentPort;
if (port === null) throw new Error('check-worker runs only as a worker thread');

port.on('message', (msg: CheckRequest) => {
  try {
    const chunk = checkChunk(msg.packed, msg.receipt);
    port.postMessage({ id: msg.id, chunk }, chunkTransfers(chunk));
  } catch (err) {
    // Not a verdict on a record (those are flags): a bug or a resource failure, rethrown on the main thread.
    port.postMessage({ id: msg.id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  }
});
