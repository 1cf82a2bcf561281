// The receipt ledger: receipts (RFC 8785 bytes), per-ledger hash chains, one RFC 6962 Merkle log, signed C2SP
// checkpoints, group-commit stores (memory, SQLite, PostgreSQL), erasure, follow mode, exports (JSONL and CSV) and
// verification. See docs/ledger/.
export {
  Ledger,
  type ExportManifest,
  type LedgerConfig,
  type LedgerRecord,
  type ReceiptPage,
} from './ledger.js';
export { type EraseOptions, type PrivateRead } from './privacy.js';
export * from './query/index.js';
export { Sequencer, type AppendAck, type AppendOptions, type GroupCommitOptions } from './sequencer.js';
export { Checkpointer, type AnchorFailure, type LogView } from './checkpointer.js';
export { FileAnchor, WebhookAnchor, readAnchorFile, type Anchor } from './anchors.js';
export { MemoryStore } from './store/memory-store.js';
export { SqliteStore, type SqliteStoreOptions } from './store/sqlite-store.js';
export { PostgresStore, type PostgresStoreOptions } from './store/postgres-store.js';
export type * from './store/types.js';
export * from './receipt/index.js';
export * from './verify/index.js';
export {
  generateSigner,
  parseSignerKey,
  parseVerifierKey,
  readSignerKeyFile,
  readVerifierKeyFile,
  writeSignerKeyFile,
  writeVerifierKeyFile,
  verifyProofFile,
  type NoteSigner,
  type NoteVerifier,
} from './checkpoint/index.js';
