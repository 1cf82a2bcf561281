// Verification of receipt logs: from an export directory, from a database, or one receipt from a proof file;
// full, or incremental from a saved state.
export {
  LogVerifier,
  type ChainHead,
  type PrivateRef,
  type VerifierPosition,
  type VerifierState,
  type VerifyFailure,
} from './log-verifier.js';
export { verifyExport, type VerifyExportOptions } from './verify-export.js';
export { verifyStore, type VerifyStoreOptions } from './verify-store.js';
export { reportOf, type VerifyOutcome, type VerifyReport, type VerifyRunOptions } from './report.js';
export { parseExportManifest, type ParsedManifest } from './export-manifest.js';
export { checkPostgresLedgerSchema } from './postgres-schema-check.js';
export { sqliteFileProblem } from './sqlite-file-check.js';
export {
  VERIFY_STATE_FORMAT,
  formatVerifyState,
  parseVerifyState,
  readVerifyStateFile,
  writeVerifyStateFile,
  type SavedErasure,
  type SavedHead,
  type SavedPrivate,
  type VerifyState,
} from './state-file.js';
