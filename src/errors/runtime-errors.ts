import { defineErrors } from './governess-error.js';

/** Errors raised by the process runtime (statem, supervisor, registry, clock). */
export const RuntimeErrors = defineErrors({
  callTimeout: {
    code: 'GOV_CALL_TIMEOUT',
    message: 'call to {target} timed out after {timeoutMs} ms',
    status: 504,
  },
  noProc: { code: 'GOV_NO_PROC', message: 'no process {target}', status: 404 },
  exit: { code: 'GOV_EXIT', message: 'process {target} exited: {reason}', status: 500 },
  badDefinition: {
    code: 'GOV_BAD_DEFINITION',
    message: 'invalid machine definition: {problem}',
    status: 500,
  },
  badArgument: { code: 'GOV_BAD_ARGUMENT', message: 'invalid argument {argument}: {problem}', status: 400 },
  alreadyStarted: {
    code: 'GOV_ALREADY_STARTED',
    message: 'a process is already registered as {name}',
    status: 409,
  },
  mailboxFull: {
    code: 'GOV_MAILBOX_FULL',
    message: 'mailbox of {target} is full ({capacity} messages)',
    status: 503,
  },
  badChildSpec: { code: 'GOV_BAD_CHILD_SPEC', message: 'invalid child spec {id}: {problem}', status: 500 },
  supervisorError: {
    code: 'GOV_SUPERVISOR',
    message: 'supervisor {supervisor}: {problem}',
    status: 409,
  },
  migrationFailed: {
    code: 'GOV_MIGRATION_FAILED',
    message: 'migration of {target} from data version {from} to {to} failed: {problem}',
    status: 500,
  },
  startFailed: { code: 'GOV_START_FAILED', message: 'start of {target} failed: {reason}', status: 500 },
});
