import { defineErrors } from './governess-error.js';

/** Errors raised by durable governors: commits, activation, idempotency keys, stored snapshots, migrations. */
export const DurableErrors = defineErrors({
  commitFailed: {
    code: 'GOV_DURABLE_COMMIT_FAILED',
    message: 'step of governor {gkey} was not committed (retry with the same idempotency key): {problem}',
    status: 503,
  },
  idempotencyConflict: {
    code: 'GOV_IDEMPOTENCY_CONFLICT',
    message: 'idempotency key {key} of governor {gkey} was already used for a different request',
    status: 409,
  },
  snapshotInvalid: {
    code: 'GOV_SNAPSHOT_INVALID',
    message: 'stored snapshot of governor {gkey} (version {version}) cannot be loaded: {problem}',
    status: 500,
  },
  quarantined: {
    code: 'GOV_GOVERNOR_QUARANTINED',
    message:
      'governor {gkey} is quarantined after a failed load; fix its definition or data, then release it',
    status: 503,
  },
  unknownGovernor: {
    code: 'GOV_UNKNOWN_GOVERNOR',
    message: 'no durable definition for governor kind {kind} (gkey {gkey})',
    status: 404,
  },
  notFound: {
    code: 'GOV_GOVERNOR_NOT_FOUND',
    message: 'governor {gkey} does not exist (send with create to start it)',
    status: 404,
  },
  stopped: {
    code: 'GOV_GOVERNOR_STOPPED',
    message: 'governor {gkey} has stopped ({reason}) and takes no more commands',
    status: 410,
  },
  hostClosed: {
    code: 'GOV_HOST_CLOSED',
    message: 'durable host is closed; {gkey} was not reached',
    status: 503,
  },
  fenced: {
    code: 'GOV_FENCED',
    message: 'governor {gkey} is owned by another node (epoch {epoch}); this node may not write it',
    status: 409,
  },
});
