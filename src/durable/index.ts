// Durable governors (docs/durable/design.md): state and timers that survive crashes and restarts, idle
// governors out of memory, effects only after their step is committed, idempotency keys, data migrations.
export {
  DurableHost,
  type DurableHostOptions,
  type CommandOptions,
  type DurableHostStats,
  type GovernorRef,
} from './host.js';
export {
  defineDurable,
  dataVersionOf,
  type DurableDefinition,
  type DurableGovernor,
  type DurableKind,
  type ReceiptParts,
} from './definition.js';
export type { CastAck } from './governor.js';
export { DurableReply, type CommandCause } from './durable-reply.js';
export {
  castGovernor,
  callOut,
  durableTarget,
  outboxKey,
  EXTERNAL_PREFIX,
  type OutboxHandler,
  type OutboxResult,
  type OutboxEntry,
} from './outbox.js';
export type { DueScanOptions, DueScanStats } from './due-scanner.js';
export { formatGkey, parseGkey, isGkey, type GkeyParts } from './keys.js';
export {
  GOVERNORS_TABLE,
  REPLIES_TABLE,
  OUTBOX_TABLE,
  DURABLE_TABLES,
  GOVERNOR_STATUSES,
  type GovernorStatus,
} from './tables.js';
export { REPLY_TAG, type ReplyCodec } from './storable.js';
export { encodeSnapshot, decodeSnapshot, type DurableSnapshot } from './snapshot-codec.js';
export {
  toDueMs,
  toMonotonicAt,
  lateMs,
  nextDue,
  timerRows,
  restoreTimers,
  gensAfterRestore,
  encodeTimerRows,
  decodeTimerRows,
  type TimerRow,
  type ArmedTimers,
  type TimerRowsResult,
} from './timer-rows.js';
