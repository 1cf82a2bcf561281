// Receipt timestamps: RFC 3339 UTC with exactly three fractional digits and `Z` (RFC 3339 §5.6 `date-time`,
// restricted to one spelling so that equal instants have equal bytes), and a sequencer that keeps them
// non-decreasing in log order. Time is always a parameter: callers pass Clock.wallNow().
import { GovernessError, LedgerErrors } from '../../errors/index.js';

/** Latest instant with a four-digit year: 9999-12-31T23:59:59.999Z. */
export const MAX_TIMESTAMP_MS = 253402300799999;

// Shape only; whether the date-time exists is checked by a round trip through Date (rejects 02-30, 24:00, :60).
const TIMESTAMP_SHAPE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Throws unless `wallMs` is an integer millisecond count between 0 and MAX_TIMESTAMP_MS. */
function checkWallMs(wallMs: number): void {
  if (!Number.isSafeInteger(wallMs) || wallMs < 0 || wallMs > MAX_TIMESTAMP_MS) {
    throw new GovernessError(LedgerErrors.badReceipt, {
      field: 'ts',
      problem: `wall time ${String(wallMs)} is not an integer millisecond count between 0 and ${MAX_TIMESTAMP_MS}`,
    });
  }
}

/** `2026-11-23T10:00:00.000Z` for wall-clock milliseconds since the Unix epoch (an integer, 0..MAX_TIMESTAMP_MS). */
export function formatTimestamp(wallMs: number): string {
  checkWallMs(wallMs);
  return new Date(wallMs).toISOString();
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
let lastParsed = '';
let lastParsedMs = 0;

/**
 * Milliseconds since the epoch of a receipt timestamp, or undefined when `ts` is not exactly the form
 * formatTimestamp produces for a real instant: RFC 3339 §5.6 `date-time` in UTC with three fractional digits,
 * month and day ranges per §5.7, no leap second, no 24:00, not before 1970. Checked by hand rather than through
 * Date parsing: this runs for every receipt read, and the last result is cached (neighbouring receipts share a ts).
 */
export function parseTimestamp(ts: string): number | undefined {
  if (ts === lastParsed) return lastParsedMs;
  if (!TIMESTAMP_SHAPE.test(ts)) return undefined;
  const year = digits(ts, 0, 4);
  const month = digits(ts, 5, 2);
  const day = digits(ts, 8, 2);
  const hour = digits(ts, 11, 2);
  const minute = digits(ts, 14, 2);
  const second = digits(ts, 17, 2);
  // Receipts are never older than the Unix epoch, the start of formatTimestamp's range.
  if (year < 1970 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) {
    return undefined;
  }
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] as number))) return undefined;
  const ms = Date.UTC(year, month - 1, day, hour, minute, second, digits(ts, 20, 3));
  lastParsed = ts;
  lastParsedMs = ms;
  return ms;
}

function digits(s: string, start: number, count: number): number {
  let n = 0;
  for (let i = start; i < start + count; i++) n = n * 10 + (s.charCodeAt(i) - 0x30);
  return n;
}

/**
 * Hands out non-decreasing receipt timestamps: `next(wallMs)` is the timestamp of max(last, wallMs), so a wall
 * clock stepping back never makes a later receipt look older. Resume it from the last stored receipt's `ts`.
 */
export class TimestampSequencer {
  private lastMs: number;
  private lastText: string;

  constructor(lastMs = 0) {
    this.lastText = formatTimestamp(lastMs);
    this.lastMs = lastMs;
  }

  /** A sequencer that continues after a stored timestamp. */
  static after(ts: string): TimestampSequencer {
    const ms = parseTimestamp(ts);
    if (ms === undefined) {
      throw new GovernessError(LedgerErrors.badReceipt, {
        field: 'ts',
        problem: `${JSON.stringify(ts)} is not an RFC 3339 UTC timestamp of the form 2026-11-23T10:00:00.000Z`,
      });
    }
    return new TimestampSequencer(ms);
  }

  /** Milliseconds of the last timestamp handed out (or of the starting point). */
  get last(): number {
    return this.lastMs;
  }

  /** Timestamp for a receipt written at `wallMs`: max(last, wallMs), never earlier than the previous one. */
  next(wallMs: number): string {
    checkWallMs(wallMs);
    // Many receipts share a millisecond under load: reuse the formatted text instead of formatting again.
    if (wallMs <= this.lastMs) return this.lastText;
    this.lastText = new Date(wallMs).toISOString();
    this.lastMs = wallMs;
    return this.lastText;
  }
}
