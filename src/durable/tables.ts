// The durable layer's side tables (docs/durable/design.md §1.1). Registered with `LedgerStore.defineTable` before
// `open`; the store prefixes them with `gov_x_`. Timers live in the governor row (no table of their own), and the
// partial due index holds only governors with a timer, which is all the due scanner reads.
import type { TableDef } from '../ledger/index.js';

/** `durable_governors`: one row per governor, its snapshot, timers and the optimistic-concurrency version. */
export const GOVERNORS_TABLE: TableDef = Object.freeze({
  name: 'durable_governors',
  columns: Object.freeze({
    gkey: 'text',
    version: 'integer',
    data_ver: 'integer',
    snapshot: 'blob',
    timers: 'blob',
    next_due_ms: 'integer',
    status: 'text',
    epoch: 'integer',
  }),
  primaryKey: Object.freeze(['gkey']),
  indexes: Object.freeze([
    Object.freeze({
      name: 'durable_governors_due',
      columns: Object.freeze(['next_due_ms', 'gkey']),
      whereNotNull: 'next_due_ms',
    }),
  ]),
});

/** `durable_replies`: the reply of a keyed command, so a retry with the same key gets the same answer. */
export const REPLIES_TABLE: TableDef = Object.freeze({
  name: 'durable_replies',
  columns: Object.freeze({
    gkey: 'text',
    idem_key: 'text',
    req_hash: 'blob',
    reply: 'blob',
    version: 'integer',
    receipt_id: 'text',
  }),
  primaryKey: Object.freeze(['gkey', 'idem_key']),
});

/**
 * `durable_outbox`: effects committed by a step and not yet delivered, keyed by their delivery idempotency key
 * `<gkey>:<version>:<n>`. `created_ms` orders the relay's start-up read (an index range, not a table scan).
 */
export const OUTBOX_TABLE: TableDef = Object.freeze({
  name: 'durable_outbox',
  columns: Object.freeze({
    idem_key: 'text',
    gkey: 'text',
    version: 'integer',
    n: 'integer',
    target: 'text',
    payload: 'blob',
    created_ms: 'integer',
  }),
  primaryKey: Object.freeze(['idem_key']),
  indexes: Object.freeze([
    Object.freeze({ name: 'durable_outbox_created', columns: Object.freeze(['created_ms', 'idem_key']) }),
  ]),
});

/** Every durable side table, in the order they are registered. */
export const DURABLE_TABLES: readonly TableDef[] = Object.freeze([
  GOVERNORS_TABLE,
  REPLIES_TABLE,
  OUTBOX_TABLE,
]);

/** A governor row's `status`: running, stopped by its machine, or set aside after a failed load. */
export type GovernorStatus = 'live' | 'stopped' | 'quarantined';

/** The values `durable_governors.status` may hold. */
export const GOVERNOR_STATUSES: ReadonlySet<GovernorStatus> = new Set<GovernorStatus>([
  'live',
  'stopped',
  'quarantined',
]);
