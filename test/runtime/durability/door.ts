// The machine the durability-hook tests share: a door that logs every event it handles into its data, postpones
// `hold` calls while locked, and arms, updates and inserts whatever a cast asks for. Init and enter calls are
// counted outside the data so a test can prove that restore runs neither.
import {
  defineMachine,
  eventTimeout,
  genericTimeout,
  initOk,
  keepState,
  nextEvent,
  nextState,
  postpone,
  reply,
  stateTimeout,
  updateGenericTimeout,
  type Action,
  type MachineTypes,
} from '../../../src/runtime/index.js';

/** The door's types. */
export interface Door extends MachineTypes {
  state: 'locked' | 'open';
  data: string[];
  calls: { open: { reply: 'ok' }; hold: { reply: string }; log: { reply: string[] } };
  cast:
    | { type: 'note'; text: string }
    | { type: 'arm'; kind: 'event' | 'state' | 'generic'; name?: string; ms: number; content: string }
    | { type: 'update'; name: string; content: string }
    | { type: 'insert'; items: string[] };
  info: never;
  internal: string;
  timeout: string;
  args: null;
}

/** How often init and enter calls ran. */
export interface DoorCounters {
  inits: number;
  enters: number;
}

/** A door definition whose init and enter calls are counted in `counters`. */
export function door(counters: DoorCounters = { inits: 0, enters: 0 }) {
  return defineMachine<Door>({
    stateEnter: true,
    init: () => {
      counters.inits++;
      return initOk('locked', []);
    },
    handleEvent(event, state, data) {
      switch (event.type) {
        case 'enter':
          counters.enters++;
          return keepState(data);
        case 'call':
          if (event.call === 'log') return keepState(data, reply(event.from, data));
          if (event.call === 'open') return nextState('open', [...data, 'open'], reply(event.from, 'ok'));
          if (state === 'locked') return keepState(data, postpone());
          return keepState([...data, 'hold'], reply(event.from, 'held'));
        case 'cast': {
          const c = event.content;
          if (c.type === 'note') return keepState([...data, `cast:${c.text}`]);
          if (c.type === 'update') return keepState(data, updateGenericTimeout(c.name, c.content));
          if (c.type === 'insert') {
            return keepState(data, ...c.items.map((i) => nextEvent<Door>('internal', i) as Action<Door>));
          }
          const arm =
            c.kind === 'event'
              ? eventTimeout(c.ms, c.content)
              : c.kind === 'state'
                ? stateTimeout(c.ms, c.content)
                : genericTimeout(c.name ?? 'g', c.ms, c.content);
          return keepState(data, arm);
        }
        case 'generic_timeout':
          // A generic timeout whose content is 'open' opens the door: a state change (cancels the state timeout).
          if (event.content === 'open') return nextState('open', [...data, `generic:${event.name}:open`]);
          return keepState([...data, `generic:${event.name}:${event.content}`]);
        default:
          return keepState([...data, `${event.type}:${String(event.content)}`]);
      }
    },
  });
}
