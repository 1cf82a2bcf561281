// Verification of receipt logs: from an export directory, from a database, or one receipt from a proof file.
export {
  LogVerifier,
  type ChainHead,
  type PrivateRef,
  type VerifierState,
  type VerifyFailure,
} from './log-verifier.js';
export { verifyExport, type VerifyExportOptions } from './verify-export.js';
export { verifyStore, type VerifyStoreOptions } from './verify-store.js';
export type { VerifyReport } from './report.js';
