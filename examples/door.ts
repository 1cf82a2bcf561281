// examples/door.ts — run it with `npx tsx examples/door.ts`
import { RealClock } from '../src/runtime/clock/index.js';
import {
  Runtime,
  defineMachine,
  initOk,
  nextState,
  keepStateAndData,
  reply,
  postpone,
  stateTimeout,
  type MachineTypes,
} from '../src/runtime/index.js';

// The protocol, declared once: states, data, calls with their replies, casts, timeout contents, init args.
interface Door extends MachineTypes {
  state: 'locked' | 'open';
  data: { code: string; pushes: number };
  calls: {
    unlock: { request: { code: string }; reply: 'ok' | 'wrong_code' };
    pushes: { reply: number };
  };
  cast: { type: 'push' };
  info: never;
  internal: never;
  timeout: 'relock';
  args: { code: string };
}

// A pure callback: (event, state, data) -> next state, data and actions. No I/O, no timers, no clock.
const door = defineMachine<Door>({
  init: ({ code }) => initOk('locked', { code, pushes: 0 }),
  handleEvent(event, state, data) {
    if (event.type === 'call' && event.call === 'unlock') {
      if (state === 'open') return keepStateAndData(reply(event.from, 'ok'));
      return event.request.code === data.code
        ? nextState('open', data, reply(event.from, 'ok'), stateTimeout(10_000, 'relock'))
        : keepStateAndData(reply(event.from, 'wrong_code'));
    }
    if (event.type === 'call' && event.call === 'pushes')
      return keepStateAndData(reply(event.from, data.pushes));
    if (event.type === 'cast' && state === 'locked') return keepStateAndData(postpone()); // retried once open
    if (event.type === 'cast') return nextState(state, { ...data, pushes: data.pushes + 1 });
    if (event.type === 'state_timeout') return nextState('locked', data);
    return keepStateAndData();
  },
});

using clock = new RealClock();
const rt = new Runtime({ clock });
const started = rt.start(door, { code: '1234' }, { name: ['door', 'front'] });
if (started.ok) {
  rt.cast(['door', 'front'], { type: 'push' }); // postponed while locked
  console.log(await rt.call(started.pid, { type: 'unlock', code: '0000' })); // 'wrong_code'
  console.log(await rt.call(started.pid, { type: 'unlock', code: '1234' })); // 'ok'
  console.log(await rt.call(started.pid, { type: 'pushes' })); // 1: the postponed push ran after unlocking
  await rt.stop(started.pid);
}
