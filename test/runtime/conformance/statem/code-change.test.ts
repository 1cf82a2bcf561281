// Code change (GS-80, GS-13): swapping the definition of a running machine, migrating data across versions.
import { describe, expect, it } from 'vitest';
import {
  initOk,
  keepState,
  keepStateAndData,
  nextState,
  postpone,
  reply,
  stateTimeout,
  type MachineDefinition,
} from '../../../../src/runtime/index.js';
import { GovernessError } from '../../../../src/errors/index.js';
import { harness } from '../../../support/harness.js';
import { MODES, machine, run, type Ev, type Mode, type P, type R } from './machines.js';

type D = Record<string, unknown>;

/** Version 1 counts in `count`; version 2 counts in `total` and answers `get` with `v2:<total>`. */
function versions(mode: Mode, log: string[]) {
  const handler =
    (tag: string, field: string) =>
    (ev: Ev<D>, s: string, d: D): R<D> => {
      log.push(`${tag} ${s} ${ev.type}`);
      if (ev.type === 'enter') return keepStateAndData();
      if (ev.type === 'call') return keepStateAndData(reply(ev.from, `${tag}:${String(d[field])}`));
      if (ev.type === 'cast' && ev.content === 'inc')
        return keepState({ ...d, [field]: (d[field] as number) + 1 });
      if (ev.type === 'cast' && ev.content === 'hold' && s === 'idle') return keepStateAndData(postpone());
      if (ev.type === 'cast' && ev.content === 'go') return nextState(s === 'idle' ? 'busy' : 'idle', d);
      return keepStateAndData();
    };
  const v1: MachineDefinition<P<D>> = {
    ...machine<D>(mode, {
      stateEnter: true,
      states: ['idle', 'busy'],
      init: () => initOk('idle', { count: 0 }, stateTimeout(100, 'st')),
      handle: handler('v1', 'count'),
    }),
    dataVersion: 1,
  };
  const v2 = (migrate: MachineDefinition<P<D>>['migrate']): MachineDefinition<P<D>> => ({
    ...machine<D>(mode, {
      stateEnter: true,
      states: ['idle', 'busy'],
      init: () => initOk('idle', { total: 0 }),
      handle: handler('v2', 'total'),
    }),
    dataVersion: 2,
    ...(migrate === undefined ? {} : { migrate }),
  });
  return { v1, v2 };
}

describe.each(MODES)('code change (%s)', (mode) => {
  it('GS-80 changeCode migrates state and data to the new version and the new code handles later events', async () => {
    await using h = harness();
    const log: string[] = [];
    const { v1, v2 } = versions(mode, log);
    const pid = run(h, v1);
    h.rt.cast(pid, 'inc');
    h.rt.cast(pid, 'inc');
    await h.settle();
    const calls: unknown[] = [];
    h.rt.changeCode(
      pid,
      v2((from, state, data) => {
        calls.push([from, state, data]);
        return { state: state as string, data: { total: (data as { count: number }).count } };
      }),
      1,
    );
    expect(calls).toEqual([[1, 'idle', { count: 2 }]]);
    await expect(h.rt.call(pid, { type: 'get' })).resolves.toBe('v2:2');
    expect(log).toEqual(['v1 idle enter', 'v1 idle cast', 'v1 idle cast', 'v2 idle call']);
  });

  it('GS-13 a code change makes no enter call and keeps timers and postponed events', async () => {
    await using h = harness();
    const log: string[] = [];
    const { v1, v2 } = versions(mode, log);
    const pid = run(h, v1);
    h.rt.cast(pid, 'hold');
    await h.settle();
    h.rt.changeCode(
      pid,
      v2((_f, state) => ({ state: state as string, data: { total: 10 } })),
      1,
    );
    await h.settle();
    expect(log).toEqual(['v1 idle enter', 'v1 idle cast']);
    expect(h.rt.getStatus(pid).postponed).toEqual([{ type: 'cast', content: 'hold' }]);
    await h.advance(100);
    expect(log.slice(2)).toEqual(['v2 idle state_timeout']);
    h.rt.cast(pid, 'go');
    await h.settle();
    expect(log.slice(3)).toEqual(['v2 idle cast', 'v2 busy enter', 'v2 busy cast']);
  });

  it('GS-80 the same data version swaps the code without calling migrate', async () => {
    await using h = harness();
    const log: string[] = [];
    const { v1, v2 } = versions(mode, log);
    const pid = run(h, v1);
    let migrated = false;
    h.rt.changeCode(
      pid,
      {
        ...v2(() => {
          migrated = true;
          return { state: 'idle', data: {} };
        }),
        dataVersion: 1,
      },
      1,
    );
    expect(migrated).toBe(false);
    await expect(h.rt.call(pid, { type: 'get' })).resolves.toBe('v2:undefined');
  });

  it('GS-80 a failing migrate leaves the old code and data running', async () => {
    await using h = harness();
    const log: string[] = [];
    const { v1, v2 } = versions(mode, log);
    const pid = run(h, v1);
    h.rt.cast(pid, 'inc');
    await h.settle();
    expect(() =>
      h.rt.changeCode(
        pid,
        v2(() => {
          throw new Error('cannot migrate');
        }),
        1,
      ),
    ).toThrow(/cannot migrate/);
    expect(() => h.rt.changeCode(pid, v2(undefined), 1)).toThrow(/migrate/);
    expect(h.rt.getState(pid)).toEqual({ state: 'idle', data: { count: 1 } });
    await expect(h.rt.call(pid, { type: 'get' })).resolves.toBe('v1:1');
  });

  it('GS-80 a failed migration is a GOV_MIGRATION_FAILED error naming the versions; by default it migrates from the running version', async () => {
    await using h = harness();
    const log: string[] = [];
    const { v1, v2 } = versions(mode, log);
    const pid = run(h, v1);
    const seen: number[] = [];
    let err: unknown;
    try {
      h.rt.changeCode(
        pid,
        v2((from) => {
          seen.push(from);
          throw new Error('no way');
        }),
      );
    } catch (e) {
      err = e;
    }
    expect(seen).toEqual([1]);
    expect(err).toBeInstanceOf(GovernessError);
    expect(err).toMatchObject({ code: 'GOV_MIGRATION_FAILED', details: { from: 1, to: 2 } });
    expect((err as Error).message).toMatch(/from data version 1 to 2 failed: migrate threw: no way/);
    await expect(h.rt.call(pid, { type: 'get' })).resolves.toBe('v1:0');
  });

  it('GS-80 a migrate returning nothing usable is refused and changes nothing', async () => {
    await using h = harness();
    const log: string[] = [];
    const { v1, v2 } = versions(mode, log);
    const pid = run(h, v1);
    expect(() =>
      h.rt.changeCode(
        pid,
        v2(() => null as unknown as { state: string; data: D }),
        1,
      ),
    ).toThrow();
    expect(() =>
      h.rt.changeCode(
        pid,
        v2(() => ({}) as unknown as { state: string; data: D }),
        1,
      ),
    ).toThrow(/migrate/);
    expect(h.rt.getState(pid)).toEqual({ state: 'idle', data: { count: 0 } });
    await expect(h.rt.call(pid, { type: 'get' })).resolves.toBe('v1:0');
    expect(pid.alive).toBe(true);
  });

  it('GS-80 an invalid new definition is refused with GOV_BAD_DEFINITION', async () => {
    await using h = harness();
    const { v1 } = versions(mode, []);
    const pid = run(h, v1);
    let err: unknown;
    try {
      h.rt.changeCode(pid, { init: v1.init } as MachineDefinition<P<D>>, 1);
    } catch (e) {
      err = e;
    }
    expect(GovernessError.is(err)).toBe(true);
    expect((err as GovernessError).code).toBe('GOV_BAD_DEFINITION');
    await expect(h.rt.call(pid, { type: 'get' })).resolves.toBe('v1:0');
  });
});
