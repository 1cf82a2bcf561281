// Keys, C2SP signed notes, tlog-checkpoints and tlog-proof files: the signed, offline-checkable face of the
// receipt ledger. See docs/ledger/checkpoints-and-keys.md for the byte formats.
export { decodeBase64Strict, encodeBase64 } from './base64.js';
export {
  HASH_BYTES,
  formatCheckpoint,
  openCheckpoint,
  parseCheckpoint,
  signCheckpoint,
  type Checkpoint,
  type CheckpointInput,
  type OpenCheckpointOptions,
  type OpenedCheckpoint,
} from './checkpoint.js';
export { MAX_TREE_SIZE } from './decimal.js';
export {
  SIGNATURE_TYPE_ED25519,
  computeKeyId,
  formatKeyId,
  isValidKeyName,
  keyNameProblem,
} from './key-id.js';
export {
  SIGNER_KEY_FILE_MODE,
  VERIFIER_KEY_FILE_MODE,
  readSignerKeyFile,
  readVerifierKeyFile,
  writeSignerKeyFile,
  writeVerifierKeyFile,
} from './key-file.js';
export {
  formatSignerKey,
  formatVerifierKey,
  generateSigner,
  parseSignerKey,
  parseVerifierKey,
  signerFromSeed,
  verifierFromPublicKey,
  type GeneratedKey,
  type NoteSigner,
  type NoteVerifier,
} from './keys.js';
export {
  DEFAULT_MAX_SIGNATURES,
  SIGNATURE_LINE_PREFIX,
  addSignatures,
  openNote,
  parseNoteLayout,
  signNote,
  type NoteSignature,
  type OpenNoteOptions,
  type OpenedNote,
} from './note.js';
export {
  MAX_PROOF_HASHES,
  PROOF_FILE_HEADER,
  formatProofFile,
  leafHashOf,
  parseProofFile,
  parseProofFileLayout,
  verifyProofFile,
  type Hash,
  type InclusionVerifier,
  type ParsedProofFile,
  type ProofFile,
  type VerifiedProofFile,
  type VerifyProofFileOptions,
} from './proof-file.js';
