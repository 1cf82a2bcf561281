// The suites, in the order they run and print.
import type { Suite } from '../common.js';
import { suite as call } from './call.js';
import { suite as cast } from './cast.js';
import { durableSuites } from './durable.js';
import { ledgerSuites } from './ledger.js';
import { suite as memory } from './memory.js';
import { suite as postpone } from './postpone.js';
import { suite as spawn } from './spawn.js';
import { suite as timers } from './timers.js';

/** Every suite, in run order. */
export const suites: readonly Suite[] = [
  cast,
  call,
  spawn,
  timers,
  memory,
  postpone,
  ...ledgerSuites,
  ...durableSuites,
];
