// The CSV projection's bytes: one row per receipt with fixed columns (RFC 4180: comma-separated, CRLF line ends,
// a field quoted when it holds a quote, comma, CR or LF, quotes doubled). A text cell that a spreadsheet would
// run as a formula (first character = + - @, tab or CR; OWASP "CSV injection") gets a leading apostrophe.
import type { Receipt } from '../receipt/index.js';

/** The columns, in order; `metadata` is the receipt's metadata as canonical JSON, one stable column. */
export const CSV_COLUMNS = [
  'index',
  'receipt_id',
  'ledger',
  'ledger_seq',
  'ts',
  'governor',
  'sku_id',
  'tenant_id',
  'state_from',
  'state_to',
  'event_type',
  'status',
  'reason_code',
  'reason_message',
  'metadata',
] as const;

/** RFC 4180 line end. */
export const CSV_EOL = '\r\n';

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One text cell: formula-guarded, then quoted when RFC 4180 requires it. */
export function csvCell(text: string): string {
  const safe = FORMULA_START.test(text) ? `'${text}` : text;
  return NEEDS_QUOTES.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** The header row. */
export function csvHeader(): string {
  return CSV_COLUMNS.join(',') + CSV_EOL;
}

/**
 * The first line: a `#` comment saying the file is a non-verifiable projection and where the verifiable export
 * is. Readers that do not skip comments see it as a one-cell row (it holds no comma or quote).
 */
export function csvNotice(size: number): string {
  return (
    `# NON-VERIFIABLE projection of governess receipts (log indexes below ${size}). ` +
    'Nothing here is signed or hashed: check receipts with the JSONL export (Ledger.export) and governess verify.' +
    CSV_EOL
  );
}

/** The row of one receipt at log index `index`. */
export function csvRow(index: number, r: Receipt): string {
  const cells = [
    String(index),
    csvCell(r.receipt_id),
    csvCell(r.ledger),
    String(r.ledger_seq),
    csvCell(r.ts),
    csvCell(r.governor),
    csvCell(r.sku_id),
    csvCell(r.tenant_id),
    csvCell(r.state_from),
    csvCell(r.state_to),
    csvCell(r.event.type),
    csvCell(r.status),
    csvCell(r.reason.code),
    csvCell(r.reason.message),
    // A validated receipt's metadata has sorted names and only safe values, so this is its canonical JSON.
    csvCell(JSON.stringify(r.metadata)),
  ];
  return cells.join(',') + CSV_EOL;
}
