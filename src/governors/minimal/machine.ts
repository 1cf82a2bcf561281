// The minimal governor as a gen_statem machine driven by its transition table (table.ts).
import {
  defineMachine,
  initOk,
  keepState,
  keepStateAndData,
  nextState,
  reply,
  stateTimeout,
  type MachineTypes,
  type Result,
} from '../../runtime/index.js';
import { BOOT_TIMEOUT_MS, findRow, type MinimalState, type MinimalTrigger } from './table.js';

/** Data kept by the minimal governor. */
export interface MinimalData {
  readonly tenantId: string;
  readonly entitlement: 'ACTIVE' | 'INACTIVE';
  readonly signalCount: number;
  readonly refused: number;
}

/** Reply to an entitlement update. */
export type EntitlementReply =
  | { readonly ok: true; readonly state: MinimalState }
  | { readonly ok: false; readonly error: 'invalid_transition'; readonly state: MinimalState };

/** Protocol of the minimal governor. */
export interface MinimalTypes extends MachineTypes {
  state: MinimalState;
  data: MinimalData;
  calls: {
    entitlement_update: { request: { status: 'ACTIVE' | 'INACTIVE' }; reply: EntitlementReply };
    status: { reply: { state: MinimalState; signalCount: number; refused: number } };
  };
  cast: { type: 'signal'; signal: string };
  info: never;
  internal: never;
  timeout: 'boot_timeout';
  args: { tenantId: string };
}

function apply(
  state: MinimalState,
  data: MinimalData,
  on: MinimalTrigger,
): { to: MinimalState; data: MinimalData } | null {
  const row = findRow(state, on);
  if (row === undefined) return null;
  switch (row.effect) {
    case 'activate':
      return { to: row.to, data: { ...data, entitlement: 'ACTIVE' } };
    case 'activate_and_reset':
      return { to: row.to, data: { ...data, entitlement: 'ACTIVE', signalCount: 0 } };
    case 'deactivate':
      return { to: row.to, data: { ...data, entitlement: 'INACTIVE' } };
    case 'count':
      return { to: row.to, data: { ...data, signalCount: data.signalCount + 1 } };
    case 'refuse':
      return { to: row.to, data: { ...data, refused: data.refused + 1 } };
    case 'none':
      return { to: row.to, data };
  }
}

/** The minimal 3-signal governor: boot → stable on entitlement, counts signals, refuses them when inactive. */
export const minimalGovernor = defineMachine<MinimalTypes>({
  name: 'governor_minimal',
  init: ({ tenantId }) =>
    initOk<MinimalTypes>(
      'boot',
      { tenantId, entitlement: 'INACTIVE', signalCount: 0, refused: 0 },
      stateTimeout(BOOT_TIMEOUT_MS, 'boot_timeout'),
    ),
  handleEvent(event, state, data): Result<MinimalTypes> {
    switch (event.type) {
      case 'call':
        if (event.call === 'status') {
          return keepStateAndData(
            reply(event.from, { state, signalCount: data.signalCount, refused: data.refused }),
          );
        }
        if (event.call === 'entitlement_update') {
          const on = event.request.status === 'ACTIVE' ? 'entitlement_active' : 'entitlement_inactive';
          const next = apply(state, data, on);
          if (next === null) {
            return keepStateAndData(reply(event.from, { ok: false, error: 'invalid_transition', state }));
          }
          return nextState(next.to, next.data, reply(event.from, { ok: true, state: next.to }));
        }
        return keepStateAndData();
      case 'cast': {
        const next = apply(state, data, 'signal');
        return next === null ? keepStateAndData() : nextState(next.to, next.data);
      }
      case 'state_timeout': {
        const next = apply(state, data, 'boot_timeout');
        return next === null ? keepStateAndData() : nextState(next.to, next.data);
      }
      default:
        return keepState(data);
    }
  },
});
