// Streams the CSV projection of a store's receipts to a file or a writable stream, one cursor page at a time
// (never the whole log in memory), up to a fixed log size so an export under load still ends.
import { createWriteStream } from 'node:fs';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { decodeReceipt, type ReceiptOptions } from '../receipt/index.js';
import type { LedgerStore } from '../store/types.js';
import { csvHeader, csvNotice, csvRow } from './csv-format.js';
import { pageSize, type ReceiptFilter } from './filter.js';

/** Where the CSV goes: a file path (created or replaced, then closed) or a stream (left open). */
export type CsvTarget = string | Writable;

/** How to project. */
export interface CsvExportOptions {
  /** Only receipts with a log index below this (the committed size when the export starts). */
  readonly end: number;
  /** Receipts read per query (default 1000, at most 10,000). */
  readonly pageSize?: number;
  /** Limits for decoding stored receipts. */
  readonly receipt?: ReceiptOptions;
}

/** What was written. */
export interface CsvExportResult {
  /** Data rows (receipts) written. */
  readonly rows: number;
  /** The log size the projection covers (the `end` it was given). */
  readonly end: number;
}

/** Writes the notice line, the header and one row per matching receipt below `options.end`, in log order. */
export async function exportCsv(
  store: LedgerStore,
  target: CsvTarget,
  filter: ReceiptFilter,
  options: CsvExportOptions,
): Promise<CsvExportResult> {
  const limit = pageSize(options.pageSize, 'pageSize');
  let rows = 0;
  async function* chunks(): AsyncGenerator<string> {
    yield csvNotice(options.end) + csvHeader();
    let afterIndex: number | undefined;
    for (;;) {
      const page = await store.query({
        ...filter,
        ...(afterIndex === undefined ? {} : { afterIndex }),
        limit,
      });
      let text = '';
      let done = page.length < limit;
      for (const e of page) {
        if (e.index >= options.end) {
          done = true;
          break;
        }
        text += csvRow(e.index, decodeReceipt(e.bytes, `receipt index ${e.index}`, options.receipt));
        rows++;
        afterIndex = e.index;
      }
      if (text.length > 0) yield text;
      if (done) return;
    }
  }
  const out = typeof target === 'string' ? createWriteStream(target) : target;
  // pipeline waits for the destination to drain (backpressure) and reports either side's error.
  await pipeline(Readable.from(chunks()), out, { end: typeof target === 'string' });
  return { rows, end: options.end };
}
