// The minimal 3-signal governor from the seed ("Minimal Example: 3-Signal Governor"), as data. The machine in
// machine.ts executes exactly this table; docs and tests read it too.

/** States of the minimal governor. */
export type MinimalState = 'boot' | 'stable' | 'refusing' | 'degraded';

/** Triggers: a call (entitlement update), a cast (signal) or the boot state timeout. */
export type MinimalTrigger = 'entitlement_active' | 'entitlement_inactive' | 'signal' | 'boot_timeout';

/** What a row does to the data besides moving state. */
export type MinimalEffect = 'none' | 'activate' | 'deactivate' | 'count' | 'refuse' | 'activate_and_reset';

/** One row of the transition table. */
export interface MinimalRow {
  readonly from: MinimalState;
  readonly on: MinimalTrigger;
  readonly to: MinimalState;
  readonly effect: MinimalEffect;
}

/** Every allowed transition; anything else is refused without a state change. */
export const minimalTransitions: readonly MinimalRow[] = [
  { from: 'boot', on: 'entitlement_active', to: 'stable', effect: 'activate' },
  { from: 'boot', on: 'boot_timeout', to: 'degraded', effect: 'none' },
  { from: 'stable', on: 'signal', to: 'stable', effect: 'count' },
  { from: 'stable', on: 'entitlement_inactive', to: 'refusing', effect: 'deactivate' },
  { from: 'refusing', on: 'signal', to: 'refusing', effect: 'refuse' },
  { from: 'refusing', on: 'entitlement_active', to: 'stable', effect: 'activate' },
  { from: 'degraded', on: 'signal', to: 'degraded', effect: 'refuse' },
  { from: 'degraded', on: 'entitlement_active', to: 'stable', effect: 'activate_and_reset' },
];

/** How long boot waits for an entitlement before degrading (the seed's 5 s). */
export const BOOT_TIMEOUT_MS = 5_000;

/** Finds the row for a state and trigger. */
export function findRow(from: MinimalState, on: MinimalTrigger): MinimalRow | undefined {
  return minimalTransitions.find((r) => r.from === from && r.on === on);
}
