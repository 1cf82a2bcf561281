// A durable governor kind: the machine, how a new governor of the kind starts, and how its steps read as
// receipts (docs/durable/design.md §1.3). Checked once by `defineDurable`, so a bad definition fails at start-up
// with the field named, not at its first step in production.
import { GovernessError, RuntimeErrors } from '../errors/index.js';
import type { PrivatePayload, ReceiptMetadata, ReceiptReason, ReceiptStatus } from '../ledger/index.js';
import type { MachineDefinition, MachineTypes, StepRecord } from '../runtime/index.js';
import type { GkeyParts } from './keys.js';

/** What a definition may say about one step's receipt; everything left out gets the default (receipt-of.ts). */
export interface ReceiptParts {
  /** Accept (default) or refuse: a governor that turned a command down says so here. */
  readonly status?: ReceiptStatus;
  /** Why; default `transition` / `handled` / `postponed` / `stopped`. */
  readonly reason?: ReceiptReason;
  /** Short, non-personal description of the event; default derived from the event (`call update`). */
  readonly summary?: string;
  /** Flat metadata; the host adds `durable_version` (and `timer_gen`, `timer_late_ms` for timeouts). */
  readonly metadata?: ReceiptMetadata;
  /** Free text or personal data, stored erasably beside the receipt. */
  readonly private?: PrivatePayload;
}

/** One durable governor kind, as given to `defineDurable`. */
export interface DurableDefinition<T extends MachineTypes = MachineTypes> {
  /** The governor kind: the first part of every gkey of this kind, `[a-z][a-z0-9_-]{0,31}`. */
  readonly kind: string;
  /** The machine. Its state, data and timeout contents must be storable (plain JSON, integer numbers). */
  readonly machine: MachineDefinition<T>;
  /** The `init` arguments of a governor created by its first command. */
  args(parts: GkeyParts): T['args'];
  /** The receipt's `state_from`/`state_to` text of a state; default: strings as they are, others as JSON. */
  stateLabel?(state: T['state']): string;
  /** The receipt of a step; called after the step is applied, before it is committed. Must be pure. */
  receipt?(step: StepRecord<T>): ReceiptParts;
}

const KIND = /^[a-z][a-z0-9_-]{0,31}$/;

function refuse(argument: string, problem: string): never {
  throw new GovernessError(RuntimeErrors.badDefinition, { problem: `${argument}: ${problem}` });
}

/** What a host accepts: a checked definition of any machine type (defineDurable's result). */
export interface DurableKind {
  /** The governor kind. */
  readonly kind: string;
  /** The same definition with its machine types erased, for hosts holding many kinds. */
  readonly untyped: DurableDefinition<MachineTypes>;
}

/** A checked durable definition: typed for clients, erasable for hosts. */
export type DurableGovernor<T extends MachineTypes> = DurableDefinition<T> & DurableKind;

/** Checks and freezes a durable definition; throws GOV_BAD_DEFINITION naming the bad field. */
export function defineDurable<T extends MachineTypes>(def: DurableDefinition<T>): DurableGovernor<T> {
  if (typeof def !== 'object' || def === null) return refuse('definition', 'is not an object');
  if (typeof def.kind !== 'string' || !KIND.test(def.kind)) {
    refuse('kind', `${JSON.stringify(def.kind)} is not a governor kind [a-z][a-z0-9_-]{0,31}`);
  }
  if (typeof def.machine !== 'object' || def.machine === null)
    refuse('machine', 'is not a machine definition');
  if (typeof def.args !== 'function') refuse('args', 'is not a function (GkeyParts) => init arguments');
  for (const hook of ['stateLabel', 'receipt'] as const) {
    if (def[hook] !== undefined && typeof def[hook] !== 'function') refuse(hook, 'is not a function');
  }
  const version = def.machine.dataVersion;
  if (version !== undefined && (!Number.isSafeInteger(version) || version < 0)) {
    refuse('machine.dataVersion', `${String(version)} is not a non-negative integer`);
  }
  const checked = { ...def } as DurableDefinition<T> & { untyped?: DurableDefinition<MachineTypes> };
  checked.untyped = checked as unknown as DurableDefinition<MachineTypes>;
  return Object.freeze(checked) as DurableGovernor<T>;
}

/** The data version a definition writes (0 when it declares none). */
export function dataVersionOf<T extends MachineTypes>(def: DurableDefinition<T>): number {
  return def.machine.dataVersion ?? 0;
}
