// What the host remembers about one active governor between its steps: the last committed version (the
// optimistic-concurrency token), the timers as last stored (to name a firing timer's generation and lateness),
// and enough of the last step to tell when a new step changed nothing worth a write.
import type { MachineTypes, Pid, SnapshotTimer } from '../runtime/index.js';
import type { DurableDefinition } from './definition.js';
import type { GkeyParts } from './keys.js';
import type { TimerRow } from './timer-rows.js';

/** Commands delivered but not yet consumed by a committed step, to fail if the governor goes away. */
export interface PendingCast {
  readonly resolve: (ack: CastAck) => void;
  readonly reject: (err: Error) => void;
}

/** What a durable cast resolves with once the step that consumed it is committed. */
export interface CastAck {
  /** The governor. */
  readonly gkey: string;
  /** Its version after the consuming step (unchanged when the step wrote nothing). */
  readonly version: number;
  /** True when the idempotency key had already been applied: nothing was applied this time. */
  readonly duplicate: boolean;
}

/** One active governor. */
export class Governor<T extends MachineTypes = MachineTypes> {
  /** The live process; null until started or restored. */
  pid: Pid<T> | null = null;
  /** Steps committed so far (0 = no row yet). */
  version = 0;
  /** The last timer generation handed out. */
  timerGen = 0;
  /** Runtime timer id → generation, for the timers armed after the last committed step. */
  gens: ReadonlyMap<number, number> = new Map();
  /** The timers as stored by the last committed step. */
  timerRows: readonly TimerRow<T>[] = [];
  /** The engine timers after the last committed step (ids and contents, to detect a step that changed none). */
  timers: readonly SnapshotTimer<T>[] = [];
  timerIds: readonly number[] = [];
  /** The `timers` column as last committed (null until this process committed a step): reused while no timer changes. */
  timersBytes: Uint8Array | null = null;
  /** The row's `next_due_ms` as last stored (a step names the column only when it changes it). */
  nextDueMs: number | null = null;
  /** Data after the last committed step (by reference: an unchanged-data step passes the same object). */
  data: unknown = undefined;
  /** True when the last committed step left queued or postponed events. */
  hadPending = false;
  /** A step of this governor is being committed. */
  committing = false;
  /** The failure of the last commit, kept to tell the callers why the process ended. */
  commitError: Error | null = null;
  /** The machine stopped (its final step is stored with status `stopped`). */
  stopped = false;
  /** Casts delivered and not yet consumed by a committed step. */
  readonly casts = new Set<PendingCast>();
  /** Monotonic time of the last command or step (for the idle sweep). */
  lastUsed = 0;

  constructor(
    /** `<kind>/<sku>/<tenant>`. */
    readonly gkey: string,
    /** The gkey's parts. */
    readonly parts: GkeyParts,
    /** The governor's kind. */
    readonly def: DurableDefinition<T>,
  ) {}
}
