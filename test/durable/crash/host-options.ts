// How the crash test's hosts are configured (the killed children and the final clean run): few governors in
// memory and a short idle time, so passivation and activation happen all the time, and a scanner that looks
// only a little ahead and often, so passivated governors' short timers are picked up by the due scan.
import type { DurableHostOptions } from '../../../src/durable/index.js';
import { tallyOfEra } from './tally.js';

/** Most governors in memory (of the 10,000 the producers call). */
export const MAX_ACTIVE = 2000;

/** The host options besides store, clock and signer, for tally data version `era`. */
export function hostOptions(era: 0 | 1): Omit<DurableHostOptions, 'store' | 'clock' | 'signer'> {
  return {
    definitions: [tallyOfEra(era)],
    ledger: { groupCommit: { maxDelayMs: 2 }, checkpointIntervalMs: 200 },
    maxActive: MAX_ACTIVE,
    idleMs: 300,
    sweepMs: 100,
    scan: { intervalMs: 100, horizonMs: 250 },
    // A kill is the only way a call ends here; a timeout would only blur what the checks see.
    callTimeoutMs: 120_000,
  };
}
