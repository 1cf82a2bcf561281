// Durable governors (docs/durable/design.md): pure building blocks so far — gkeys, side-table definitions, the
// snapshot codec and the timer rows with their mono↔wall conversion.
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
