// What counts as a state change (GS-02): value equality for plain objects and arrays, identity for other objects,
// or the definition's stateKey. Object states only exist in handle_event mode.
import { describe, expect, it } from 'vitest';
import {
  defineMachine,
  initOk,
  keepStateAndData,
  nextState,
  postpone,
  stateTimeout,
  valueEquals,
  type MachineTypes,
} from '../../../../src/runtime/index.js';
import { harness } from '../../../support/harness.js';

interface Alert extends MachineTypes {
  state: { name: string; level: number; since?: number };
  data: null;
  cast: { to: { name: string; level: number; since?: number } } | 'arm' | 'later';
  timeout: string;
}

function alertMachine(log: string[], stateKey?: (s: Alert['state']) => string) {
  return defineMachine<Alert>({
    stateEnter: true,
    ...(stateKey === undefined ? {} : { stateKey }),
    init: () => initOk({ name: 'warning', level: 2 }, null),
    handleEvent: (ev, state) => {
      log.push(`${ev.type}${'content' in ev ? ` ${JSON.stringify(ev.content)}` : ''} @${state.level}`);
      if (ev.type === 'cast' && ev.content === 'arm') return keepStateAndData(stateTimeout(100, 'st'));
      if (ev.type === 'cast' && ev.content === 'later' && state.level === 2)
        return keepStateAndData(postpone());
      if (ev.type === 'cast' && typeof ev.content === 'object') return nextState(ev.content.to, null);
      return keepStateAndData();
    },
  });
}

describe('state equality', () => {
  it('GS-02 a fresh equal object state (any key order) is no state change: no enter call, timeout kept, nothing retried', async () => {
    await using h = harness();
    const log: string[] = [];
    const s = h.rt.start(alertMachine(log), undefined);
    if (!s.ok) throw new Error('start failed');
    h.rt.cast(s.pid, 'arm');
    h.rt.cast(s.pid, 'later');
    h.rt.cast(s.pid, { to: { level: 2, name: 'warning' } });
    await h.advance(100);
    expect(log).toEqual([
      'enter @2',
      'cast "arm" @2',
      'cast "later" @2',
      'cast {"to":{"level":2,"name":"warning"}} @2',
      'state_timeout "st" @2',
    ]);
    expect(h.events('transition').map((e) => e.changed)).toEqual([false, false, false, false]);
    expect(h.rt.statistics(s.pid).transitions).toBe(0);
    h.rt.cast(s.pid, { to: { name: 'ok', level: 0 } });
    await h.settle();
    expect(log.slice(5)).toEqual(['cast {"to":{"name":"ok","level":0}} @2', 'enter @0', 'cast "later" @0']);
  });

  it('GS-02 an object state with a different field is a state change: enter call, state timeout cancelled, postponed retried', async () => {
    await using h = harness();
    const log: string[] = [];
    const s = h.rt.start(alertMachine(log), undefined);
    if (!s.ok) throw new Error('start failed');
    h.rt.cast(s.pid, 'arm');
    h.rt.cast(s.pid, { to: { name: 'warning', level: 3 } });
    await h.advance(200);
    expect(log).toEqual([
      'enter @2',
      'cast "arm" @2',
      'cast {"to":{"name":"warning","level":3}} @2',
      'enter @3',
    ]);
    expect(h.events('transition').map((e) => e.changed)).toEqual([false, true]);
  });

  it('GS-02 stateKey replaces the equality rule', async () => {
    await using h = harness();
    const log: string[] = [];
    const s = h.rt.start(
      alertMachine(log, (st) => `${st.name}/${st.level}`),
      undefined,
    );
    if (!s.ok) throw new Error('start failed');
    h.rt.cast(s.pid, 'arm');
    // `since` differs, but the key is the same: no state change.
    h.rt.cast(s.pid, { to: { name: 'warning', level: 2, since: 99 } });
    await h.advance(100);
    expect(log.filter((l) => l.startsWith('enter') || l.startsWith('state_timeout'))).toEqual([
      'enter @2',
      'state_timeout "st" @2',
    ]);
    expect(h.rt.getState(s.pid).state).toEqual({ name: 'warning', level: 2, since: 99 });
  });

  it('GS-02 valueEquals: plain objects and arrays by value, other objects by identity', async () => {
    await using h = harness();
    expect(valueEquals({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toBe(true);
    expect(valueEquals({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(true);
    expect(valueEquals({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(valueEquals([1, 2], [2, 1])).toBe(false);
    expect(valueEquals([1], { 0: 1 })).toBe(false);
    expect(valueEquals('a', 'a')).toBe(true);
    expect(valueEquals(1, '1')).toBe(false);
    const d = new Date(0);
    expect(valueEquals(d, d)).toBe(true);
    expect(valueEquals(new Date(0), new Date(0))).toBe(false);
    expect(valueEquals(new Map(), new Map())).toBe(false);
    expect(h.rt.processCount).toBe(0);
  });
});
