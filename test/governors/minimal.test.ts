import { describe, expect, it } from 'vitest';
import {
  minimalGovernor,
  minimalTransitions,
  type MinimalData,
  type MinimalState,
  type MinimalTypes,
} from '../../src/governors/minimal/index.js';
import { callEvent, step, type StatemEvent } from '../../src/runtime/index.js';

const base: MinimalData = { tenantId: 't', entitlement: 'INACTIVE', signalCount: 0, refused: 0 };
const states: MinimalState[] = ['boot', 'stable', 'refusing', 'degraded'];

function trigger(on: string): { event: StatemEvent<MinimalTypes>; from?: { replies: unknown[] } } {
  switch (on) {
    case 'signal':
      return { event: { type: 'cast', content: { type: 'signal', signal: 'cpu_high' } } };
    case 'boot_timeout':
      return { event: { type: 'state_timeout', content: 'boot_timeout' } };
    default: {
      const status = on === 'entitlement_active' ? 'ACTIVE' : 'INACTIVE';
      return callEvent<MinimalTypes>({ type: 'entitlement_update', status });
    }
  }
}

describe('minimal governor follows its transition table', () => {
  for (const row of minimalTransitions) {
    it(`${row.from} --${row.on}--> ${row.to} (${row.effect})`, () => {
      const { event, from } = trigger(row.on);
      const r = step(minimalGovernor, row.from, base, event);
      expect(r.state).toBe(row.to);
      if (row.effect === 'count') expect(r.data.signalCount).toBe(1);
      if (row.effect === 'refuse') expect(r.data.refused).toBe(1);
      if (row.effect === 'activate') expect(r.data.entitlement).toBe('ACTIVE');
      if (row.effect === 'deactivate') expect(r.data.entitlement).toBe('INACTIVE');
      if (from) expect(r.replies).toEqual([{ to: from, reply: { ok: true, state: row.to } }]);
    });
  }

  it('every (state, trigger) pair not in the table leaves state and data unchanged', () => {
    let checked = 0;
    for (const s of states) {
      for (const on of ['entitlement_active', 'entitlement_inactive', 'signal', 'boot_timeout']) {
        if (minimalTransitions.some((r) => r.from === s && r.on === on)) continue;
        const { event, from } = trigger(on);
        const r = step(minimalGovernor, s, base, event);
        expect(r.state).toBe(s);
        expect(r.data).toEqual(base);
        if (from)
          expect(r.replies).toEqual([
            { to: from, reply: { ok: false, error: 'invalid_transition', state: s } },
          ]);
        checked++;
      }
    }
    expect(checked).toBe(16 - minimalTransitions.length);
  });

  it('boot arms the 5 s boot timeout', () => {
    const init = minimalGovernor.init({ tenantId: 't' });
    expect(init).toMatchObject({ type: 'ok', state: 'boot' });
    expect(init.type === 'ok' && init.actions).toEqual([
      {
        type: 'set_timer',
        kind: 'state_timeout',
        name: undefined,
        time: 5000,
        content: 'boot_timeout',
        abs: false,
      },
    ]);
  });
});
