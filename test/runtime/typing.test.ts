// Compile-time guarantees: these lines are checked by `tsc --noEmit` (part of npm test). Each @ts-expect-error
// must be an error, or tsc fails; the runtime assertions only keep vitest honest about the file running.
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../src/runtime/clock/index.js';
import {
  Runtime,
  defineMachine,
  initOk,
  keepStateAndData,
  reply,
  type MachineTypes,
  type Pid,
  type Result,
} from '../../src/runtime/index.js';

interface Counter extends MachineTypes {
  state: 'idle';
  data: number;
  calls: { get: { reply: number }; set: { request: { value: number }; reply: 'ok' } };
  cast: { type: 'bump' };
  info: never;
  internal: never;
  timeout: never;
  args: number;
}

const counter = defineMachine<Counter>({
  init: (n) => initOk('idle', n),
  handleEvent(event, _state, data): Result<Counter> {
    if (event.type === 'call' && event.call === 'get') {
      // @ts-expect-error a `get` call replies with a number, not a string
      void reply(event.from, 'forty-two');
      return keepStateAndData(reply(event.from, data));
    }
    if (event.type === 'call' && event.call === 'set') {
      // @ts-expect-error `set` replies 'ok'
      void reply(event.from, 1);
      return keepStateAndData(reply(event.from, 'ok'));
    }
    return keepStateAndData();
  },
});

describe('typed protocol', () => {
  it('infers reply types from the request and rejects wrong ones at compile time', async () => {
    using clock = new SimulatedClock();
    const rt = new Runtime({ clock });
    const s = rt.start(counter, 41);
    if (!s.ok) throw new Error('start failed');
    const n: number = await rt.call(s.pid, { type: 'get' });
    const ok: 'ok' = await rt.call(s.pid, { type: 'set', value: 1 });
    expect([n, ok]).toEqual([41, 'ok']);
    await rt.stop(s.pid);
  });
});

/** Never called: its body only has to type-check, with an error on every marked line. */
export async function compileOnly(rt: Runtime, pid: Pid<Counter>): Promise<void> {
  // @ts-expect-error a `get` reply is a number, not a string
  const wrong: string = await rt.call(pid, { type: 'get' });
  // @ts-expect-error `set` needs its `value`
  await rt.call(pid, { type: 'set' });
  // @ts-expect-error there is no `reset` call
  await rt.call(pid, { type: 'reset' });
  // @ts-expect-error casts carry { type: 'bump' }
  rt.cast(pid, { type: 'bomp' });
  // @ts-expect-error init takes a number
  rt.start(counter, 'x');
  void wrong;
}
