// The machine of the durable model test: calls that change data and reply, calls that change state, a state
// timeout, a recurring generic timeout whose next slot is computed from the previous slot (absolute time, so a
// late firing after downtime catches up slot by slot instead of drifting), a postponing state, and casts, one
// of which changes nothing (a step the host may skip writing).
import { defineDurable } from '../../../src/durable/index.js';
import {
  cancelGenericTimeout,
  defineMachine,
  genericTimeout,
  initOk,
  keepState,
  keepStateAndData,
  nextState,
  postpone,
  reply,
  stateTimeout,
  type MachineTypes,
  type Result,
} from '../../../src/runtime/index.js';

/** Data of the model machine. */
export interface ModelData {
  readonly total: number;
  /** State timeouts fired. */
  readonly fired: number;
  /** Recurring ticks fired. */
  readonly ticks: number;
  /** Slot (monotonic ms) of the last tick fired, 0 before the first. */
  readonly lastSlot: number;
  /** Casts applied. */
  readonly casts: number;
}

/** What `get` answers. */
export interface ModelView {
  readonly state: string;
  readonly data: ModelData;
}

/** Content of the recurring tick: its slot on the monotonic clock and the period. */
export interface Tick {
  readonly at: number;
  readonly period: number;
}

/** Protocol of the model machine. */
export interface ModelTypes extends MachineTypes {
  state: 'idle' | 'armed' | 'paused';
  data: ModelData;
  calls: {
    add: { request: { n: number }; reply: number };
    get: { reply: ModelView };
    arm: { request: { ms: number }; reply: 'armed' };
    pause: { reply: 'paused' };
    resume: { reply: number };
    tick: { request: Tick; reply: 'ticking' };
    untick: { reply: number };
  };
  cast: { type: 'bump'; by: number } | { type: 'noop' };
  info: never;
  internal: never;
  timeout: Tick | 'arm';
  args: null;
}

type R = Result<ModelTypes>;

/** The calls the model test sends. */
export type ModelCall =
  | { readonly type: 'add'; readonly n: number }
  | { readonly type: 'get' }
  | { readonly type: 'arm'; readonly ms: number }
  | { readonly type: 'pause' }
  | { readonly type: 'resume' }
  | ({ readonly type: 'tick' } & Tick)
  | { readonly type: 'untick' };

/** The casts the model test sends. */
export type ModelCast = ModelTypes['cast'];

const armTick = (t: Tick): ReturnType<typeof genericTimeout> =>
  genericTimeout('tick', t.at, t, { abs: true });

/** The model machine. */
export const modelMachine = defineMachine<ModelTypes>({
  name: 'model',
  init: () => initOk<ModelTypes>('idle', { total: 0, fired: 0, ticks: 0, lastSlot: 0, casts: 0 }),
  handleEvent(event, state, data): R {
    if (state === 'paused') {
      if (event.type === 'call' && event.call === 'get')
        return keepStateAndData(reply(event.from, { state, data }));
      if (event.type === 'call' && event.call === 'resume')
        return nextState('idle', data, reply(event.from, data.total));
      // Everything else, timers included, waits for resume: postponed events are part of the snapshot.
      return keepStateAndData(postpone());
    }
    switch (event.type) {
      case 'call':
        switch (event.call) {
          case 'add': {
            const total = data.total + event.request.n;
            return keepState({ ...data, total }, reply(event.from, total));
          }
          case 'get':
            return keepStateAndData(reply(event.from, { state, data }));
          case 'arm':
            return nextState(
              'armed',
              data,
              reply(event.from, 'armed'),
              stateTimeout(event.request.ms, 'arm'),
            );
          case 'pause':
            return nextState('paused', data, reply(event.from, 'paused'));
          case 'resume':
            return nextState('idle', data, reply(event.from, data.total));
          case 'tick':
            return keepStateAndData(
              reply(event.from, 'ticking'),
              armTick({ at: event.request.at, period: event.request.period }),
            );
          case 'untick':
            return keepStateAndData(reply(event.from, data.ticks), cancelGenericTimeout('tick'));
        }
        return keepStateAndData();
      case 'cast':
        if (event.content.type === 'noop') return keepStateAndData();
        return keepState({ ...data, total: data.total + event.content.by, casts: data.casts + 1 });
      case 'state_timeout':
        return nextState('idle', { ...data, fired: data.fired + 1 });
      case 'generic_timeout': {
        const t = event.content as Tick;
        // The next slot follows the previous one, never "now": catching up after downtime does not drift.
        const next = { at: t.at + t.period, period: t.period };
        return keepState({ ...data, ticks: data.ticks + 1, lastSlot: t.at }, armTick(next));
      }
      default:
        return keepStateAndData();
    }
  },
});

/** The model machine as a durable kind. */
export const modelGovernor = defineDurable<ModelTypes>({
  kind: 'model',
  machine: modelMachine,
  args: () => null,
});
