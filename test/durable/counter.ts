// A small durable governor for the host tests: counts, holds a call to answer later (deferred reply), arms a
// state timeout and a generic "cycle" timer, postpones while paused, and stops on request.
import { callOut, castGovernor, defineDurable, type OutboxResult } from '../../src/durable/index.js';
import {
  defineMachine,
  genericTimeout,
  initOk,
  keepState,
  keepStateAndData,
  nextState,
  postpone,
  reply,
  stateTimeout,
  stop,
  type From,
  type MachineTypes,
  type Result,
} from '../../src/runtime/index.js';

/** Data of the counter. */
export interface CounterData {
  readonly total: number;
  readonly fired: number;
  readonly cycles: number;
  readonly held: From<number> | null;
  readonly casts: number;
}

/** Protocol of the counter. */
export interface CounterTypes extends MachineTypes {
  state: 'idle' | 'armed' | 'paused';
  data: CounterData;
  calls: {
    add: { request: { n: number }; reply: number };
    get: { reply: { state: string; data: Omit<CounterData, 'held'> } };
    hold: { reply: number };
    release: { reply: 'ok' };
    arm: { request: { ms: number }; reply: 'armed' };
    cycle: { request: { ms: number }; reply: 'cycling' };
    pause: { reply: 'ok' };
    resume: { reply: 'ok' };
    halt: { reply: 'bye' };
    bad: { reply: 'never' };
    forward: { request: { to: string; by: number }; reply: 'sent' };
    ask: { request: { x: number }; reply: 'asked' };
    crash: { reply: 'never' };
  };
  cast: { type: 'bump'; by: number } | OutboxResult;
  info: never;
  internal: never;
  timeout: { slot: number } | 'arm';
  args: null;
}

type R = Result<CounterTypes>;

function view(state: string, d: CounterData): { state: string; data: Omit<CounterData, 'held'> } {
  return { state, data: { total: d.total, fired: d.fired, cycles: d.cycles, casts: d.casts } };
}

/** The counter machine. */
export const counterMachine = defineMachine<CounterTypes>({
  name: 'counter',
  init: () => initOk<CounterTypes>('idle', { total: 0, fired: 0, cycles: 0, held: null, casts: 0 }),
  handleEvent(event, state, data): R {
    if (state === 'paused' && event.type !== 'enter' && !(event.type === 'call' && event.call === 'resume')) {
      if (event.type === 'call' && event.call === 'get')
        return keepStateAndData(reply(event.from, view(state, data)));
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
            return keepStateAndData(reply(event.from, view(state, data)));
          case 'hold':
            return keepState({ ...data, held: event.from as From<number> });
          case 'release':
            return keepState(
              { ...data, held: null },
              reply(event.from, 'ok'),
              ...(data.held === null ? [] : [reply(data.held, data.total)]),
            );
          case 'arm':
            return nextState(
              'armed',
              data,
              reply(event.from, 'armed'),
              stateTimeout(event.request.ms, 'arm'),
            );
          case 'cycle':
            return keepStateAndData(
              reply(event.from, 'cycling'),
              genericTimeout('cycle', event.request.ms, { slot: event.request.ms }),
            );
          case 'pause':
            return nextState('paused', data, reply(event.from, 'ok'));
          case 'resume':
            return nextState('idle', data, reply(event.from, 'ok'));
          case 'forward':
            return keepStateAndData(
              reply(event.from, 'sent'),
              castGovernor(event.request.to, { type: 'bump', by: event.request.by }),
            );
          case 'ask':
            return keepStateAndData(reply(event.from, 'asked'), callOut('double', { x: event.request.x }));
          case 'halt':
            return stop('normal');
          case 'bad':
            return keepState({ ...data, total: 0.5 });
          case 'crash':
            throw new Error('counter crashed on purpose');
        }
        return keepStateAndData();
      case 'cast': {
        const c = event.content;
        if (c.type === 'outbox_result') {
          return keepState({ ...data, total: c.ok ? (c.value as number) : -1, casts: data.casts + 1 });
        }
        return keepState({ ...data, total: data.total + c.by, casts: data.casts + 1 });
      }
      case 'state_timeout':
        return nextState('idle', { ...data, fired: data.fired + 1 });
      case 'generic_timeout': {
        const slot = (event.content as { slot: number }).slot;
        return keepState({ ...data, cycles: data.cycles + 1 }, genericTimeout('cycle', slot, { slot }));
      }
      default:
        return keepStateAndData();
    }
  },
});

/** The counter as a durable kind. */
export const counter = defineDurable<CounterTypes>({
  kind: 'counter',
  machine: counterMachine,
  args: () => null,
});
