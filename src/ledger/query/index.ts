// Reading the log as it grows and projecting it: follow mode (tail) and the non-verifiable CSV projection.
export { MAX_PAGE, type ReceiptFilter } from './filter.js';
export { CommitSignal } from './commit-signal.js';
export { follow, type FollowOptions, type FollowQuery, type FollowSource } from './follow.js';
export { CSV_COLUMNS, csvCell, csvRow } from './csv-format.js';
export { exportCsv, type CsvExportOptions, type CsvExportResult, type CsvTarget } from './csv-export.js';
