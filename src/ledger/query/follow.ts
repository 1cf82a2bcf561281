// Follow mode (tail): the receipts matching a filter in log order, first those already stored after a cursor,
// then each new one as it is committed, until an AbortSignal fires. Pages are bounded by the committed size read
// BEFORE each query, and the cursor only moves past what was read below that size, so a batch committing while a
// page is read is neither lost nor yielded twice: its receipts lie at or above that size and are read next round.
import type { ReceiptQuery } from '../store/types.js';
import { pageSize, type ReceiptFilter } from './filter.js';

/** Where to start and what to select. */
export interface FollowQuery extends ReceiptFilter {
  /** Yield only receipts with a log index greater than this (a cursor; default: from the start). */
  readonly afterIndex?: number;
}

/** How to follow. */
export interface FollowOptions {
  /** Ends the iteration (normally, without an error) when it fires. */
  readonly signal?: AbortSignal;
  /** Receipts read per query (default 1000, at most 10,000). */
  readonly pageSize?: number;
}

/** What a follower reads from: a query, the committed size, and a way to wait for it to grow. */
export interface FollowSource<T extends { readonly index: number }> {
  /** Matching records in log order (the store's query, decoded). */
  query(q: ReceiptQuery): Promise<readonly T[]>;
  /** The log size known to be committed now. */
  committedSize(): number;
  /** Resolves true once the committed size is greater than `beyond`; false when aborted or closed. */
  waitBeyond(beyond: number, signal?: AbortSignal): Promise<boolean>;
}

/** Yields matching records in log order, old then new, until `options.signal` fires or the source closes. */
export async function* follow<T extends { readonly index: number }>(
  source: FollowSource<T>,
  query: FollowQuery,
  options: FollowOptions = {},
): AsyncGenerator<T, void, undefined> {
  const limit = pageSize(options.pageSize, 'pageSize');
  const { afterIndex, ...filter } = query;
  let cursor = afterIndex ?? -1;
  const signal = options.signal;
  while (!aborted(signal)) {
    const size = source.committedSize();
    if (cursor >= size - 1) {
      if (!(await source.waitBeyond(size, signal))) return;
      continue;
    }
    const rows = await source.query({ ...filter, ...(cursor < 0 ? {} : { afterIndex: cursor }), limit });
    // A short page, or one reaching past `size`, holds every match below `size`.
    let complete = rows.length < limit;
    for (const r of rows) {
      if (r.index >= size) {
        complete = true;
        break;
      }
      yield r;
      cursor = r.index;
      if (aborted(signal)) return;
    }
    if (complete) cursor = Math.max(cursor, size - 1);
  }
}

// A function, not an inline test: the signal can fire while the generator is suspended at a yield.
function aborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}
