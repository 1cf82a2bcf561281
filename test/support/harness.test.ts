import { describe, expect, it } from 'vitest';
import {
  defineMachine,
  initOk,
  keepStateAndData,
  postpone,
  stateTimeout,
  type MachineTypes,
} from '../../src/runtime/index.js';
import { harness } from './harness.js';

interface Idle extends MachineTypes {
  state: 'a';
  data: null;
  cast: 'x';
  timeout: 't';
  args: { arm: boolean; hold: boolean };
}

const idle = defineMachine<Idle>({
  init: ({ arm, hold }) =>
    arm ? initOk('a', null, stateTimeout(1000, 't')) : hold ? initOk('a', null) : initOk('a', null),
  handleEvent: () => keepStateAndData(postpone()),
});

describe('test harness leak check', () => {
  it('passes when the test leaves nothing behind but live idle processes', async () => {
    await using h = harness();
    expect(h.rt.start(idle, { arm: true, hold: false }).ok).toBe(true);
  });

  it('fails when a machine still holds a postponed event', async () => {
    const h = harness();
    const s = h.rt.start(idle, { arm: false, hold: true });
    if (!s.ok) throw new Error('start failed');
    h.rt.cast(s.pid, 'x');
    await expect(h.assertNoLeaks()).rejects.toThrow(/events left/);
    h.checkLeaks = false;
    await h[Symbol.asyncDispose]();
  });
});
