// Names (GS-95, GS-96): structured and string keys, clashes, removal on exit, whereis, addressing by name,
// register/unregister, and a pluggable `via` registry.
import { describe, expect, it } from 'vitest';
import { GovernessError, RuntimeErrors } from '../../../../src/errors/index.js';
import { NoProc, type Pid, type ViaRegistry } from '../../../../src/runtime/index.js';
import { harness } from '../../../support/harness.js';
import { probe, seen, spawn, type ProbeTypes } from './probe.js';

/** A minimal `via` registry with OTP global semantics: one live pid per name. */
class MapVia implements ViaRegistry {
  readonly table = new Map<string, Pid>();
  readonly unregistered: unknown[] = [];
  register(name: unknown, pid: Pid): Pid | null {
    const key = JSON.stringify(name);
    const holder = this.table.get(key);
    if (holder !== undefined && holder.alive) return holder;
    this.table.set(key, pid);
    return null;
  }
  unregister(name: unknown): void {
    this.unregistered.push(name);
    this.table.delete(JSON.stringify(name));
  }
  whereis(name: unknown): Pid | undefined {
    const pid = this.table.get(JSON.stringify(name));
    return pid !== undefined && pid.alive ? pid : undefined;
  }
}

describe('registry', () => {
  it('GS-95 a structured key such as [governor, sku, tenant] names a process for whereis, call and cast', async () => {
    await using h = harness();
    const name = ['governor', 'sku-42', 'tenant-7'] as const;
    const pid = spawn(h, {}, { name });
    expect(h.rt.whereis(name)).toBe(pid);
    expect(h.rt.whereis(['governor', 'sku-42', 'tenant-8'])).toBeUndefined();
    h.rt.cast<ProbeTypes>(['governor', 'sku-42', 'tenant-7'], 'by key');
    expect(await h.rt.call<ProbeTypes, { type: 'ping' }>(name, { type: 'ping' })).toBe('pong');
    expect(seen(h, pid)).toEqual([{ type: 'cast', content: 'by key' }]);
  });

  it("names ['a','b'] and 'a,b' never collide", async () => {
    await using h = harness();
    const structured = spawn(h, {}, { name: ['a', 'b'] });
    const flat = spawn(h, {}, { name: 'a,b' });
    const quoted = spawn(h, {}, { name: '["a","b"]' });
    expect(h.rt.whereis(['a', 'b'])).toBe(structured);
    expect(h.rt.whereis('a,b')).toBe(flat);
    expect(h.rt.whereis('["a","b"]')).toBe(quoted);
    expect(new Set([structured, flat, quoted]).size).toBe(3);
    // Numbers and their string forms are different keys too.
    const num = spawn(h, {}, { name: ['n', 1] });
    const str = spawn(h, {}, { name: ['n', '1'] });
    expect(h.rt.whereis(['n', 1])).toBe(num);
    expect(h.rt.whereis(['n', '1'])).toBe(str);
  });

  it("GS-95 a name clash returns already_started with the holder's pid and starts nothing", async () => {
    await using h = harness();
    const holder = spawn(h, {}, { name: 'unique' });
    let inits = 0;
    const counted = { ...probe, init: (a: Parameters<typeof probe.init>[0]) => (inits++, probe.init(a)) };
    const r = h.rt.start(counted, {}, { name: 'unique' });
    expect(r).toEqual({ ok: false, reason: { already_started: holder } });
    expect(inits).toBe(0);
    expect(h.rt.processCount).toBe(1);
    expect(h.rt.spawnCount).toBe(1);
  });

  it('a name is removed when its process exits and can be taken again', async () => {
    await using h = harness();
    const first = spawn(h, {}, { name: ['slot', 1] });
    h.rt.cast(first, { stop: 'normal' });
    await h.settle();
    expect(h.rt.whereis(['slot', 1])).toBeUndefined();
    expect(h.rt.registry.size).toBe(0);
    const second = spawn(h, {}, { name: ['slot', 1] });
    expect(second).not.toBe(first);
    expect(h.rt.whereis(['slot', 1])).toBe(second);
  });

  it('a name is removed when its process is killed or crashes', async () => {
    await using h = harness();
    spawn(h, {}, { name: 'k' });
    spawn(h, {}, { name: 'c' });
    h.rt.exit('k', 'kill');
    h.rt.cast('c', { crash: 'x' });
    await h.settle();
    expect(h.rt.whereis('k')).toBeUndefined();
    expect(h.rt.whereis('c')).toBeUndefined();
    expect(h.rt.registry.size).toBe(0);
  });

  it('cast, call and send by string name reach the process; to a missing name cast/send are dropped, call fails NoProc', async () => {
    await using h = harness();
    const pid = spawn(h, {}, { name: 'svc' });
    h.rt.cast('svc', 'c');
    h.rt.send('svc', 'i');
    expect(await h.rt.call<ProbeTypes, { type: 'count' }>('svc', { type: 'count' })).toBe(0);
    expect(seen(h, pid)).toEqual([
      { type: 'cast', content: 'c' },
      { type: 'info', content: 'i' },
    ]);
    h.rt.cast('missing', 'c');
    h.rt.send('missing', 'i');
    await expect(h.rt.call<ProbeTypes, { type: 'ping' }>('missing', { type: 'ping' })).rejects.toBeInstanceOf(
      NoProc,
    );
  });

  it('register names a running process; unregister frees it; a clash throws GOV_ALREADY_STARTED', async () => {
    await using h = harness();
    const a = spawn(h);
    const b = spawn(h);
    h.rt.register(['worker', 'a'], a);
    expect(h.rt.whereis(['worker', 'a'])).toBe(a);
    let err: unknown;
    try {
      h.rt.register(['worker', 'a'], b);
    } catch (e) {
      err = e;
    }
    expect(GovernessError.is(err, RuntimeErrors.alreadyStarted)).toBe(true);
    expect((err as GovernessError).details).toMatchObject({ pid: a.toString() });
    expect(h.rt.unregister(['worker', 'a'])).toBe(true);
    expect(h.rt.unregister(['worker', 'a'])).toBe(false);
    expect(h.rt.whereis(['worker', 'a'])).toBeUndefined();
    h.rt.register(['worker', 'a'], b);
    expect(h.rt.whereis(['worker', 'a'])).toBe(b);
    // a, no longer named, exits without disturbing b's registration.
    h.rt.cast(a, { stop: 'normal' });
    await h.settle();
    expect(h.rt.whereis(['worker', 'a'])).toBe(b);
  });

  it('register rejects a dead pid with NoProc and a bad name with GOV_BAD_ARGUMENT', async () => {
    await using h = harness();
    const dead = spawn(h);
    h.rt.exit(dead, 'kill');
    expect(() => h.rt.register('ghost', dead)).toThrow(NoProc);
    expect(h.rt.whereis('ghost')).toBeUndefined();
    const live = spawn(h);
    expect(() => h.rt.register('', live)).toThrow(
      expect.objectContaining({ details: expect.objectContaining({ argument: 'name' }) }),
    );
  });

  it('a process holds at most one name: registering a second name is refused and leaves the first intact', async () => {
    await using h = harness();
    const a = spawn(h, {}, { name: 'first' });
    let err: unknown;
    try {
      h.rt.register('second', a);
    } catch (e) {
      err = e;
    }
    expect(GovernessError.is(err, RuntimeErrors.badArgument)).toBe(true);
    expect(h.rt.whereis('first')).toBe(a);
    expect(h.rt.whereis('second')).toBeUndefined();
    h.rt.cast(a, { stop: 'normal' });
    await h.settle();
    expect(h.rt.registry.size).toBe(0);
  });

  it('GS-95 a via registry: start registers through it, whereis/cast/send/call go through it, exit unregisters', async () => {
    await using h = harness();
    const via = new MapVia();
    const name = { via, name: { cluster: 'eu', id: 9 } };
    const pid = spawn(h, {}, { name });
    expect(via.whereis({ cluster: 'eu', id: 9 })).toBe(pid);
    expect(h.rt.whereis(name)).toBe(pid);
    // Local names are untouched by a via registration.
    expect(h.rt.registry.size).toBe(0);
    h.rt.cast<ProbeTypes>(name, 'cast via');
    h.rt.send<ProbeTypes>(name, 'send via');
    expect(await h.rt.call<ProbeTypes, { type: 'ping' }>(name, { type: 'ping' })).toBe('pong');
    expect(seen(h, pid)).toEqual([
      { type: 'cast', content: 'cast via' },
      { type: 'info', content: 'send via' },
    ]);
    h.rt.cast(pid, { stop: 'normal' });
    await h.settle();
    expect(via.unregistered).toEqual([{ cluster: 'eu', id: 9 }]);
    expect(h.rt.whereis(name)).toBeUndefined();
    const again = spawn(h, {}, { name });
    expect(via.whereis({ cluster: 'eu', id: 9 })).toBe(again);
  });

  it('GS-95 a clash in a via registry returns already_started with the holder and leaves no process', async () => {
    await using h = harness();
    const via = new MapVia();
    const holder = spawn(h, {}, { name: { via, name: 'x' } });
    const before = h.rt.processCount;
    expect(h.rt.start(probe, {}, { name: { via, name: 'x' } })).toEqual({
      ok: false,
      reason: { already_started: holder },
    });
    expect(h.rt.processCount).toBe(before);
    expect(via.whereis('x')).toBe(holder);
  });

  it('a via registry that refuses at register time (a race the pre-check missed) still yields already_started', async () => {
    await using h = harness();
    const other = spawn(h);
    const racy: ViaRegistry = {
      register: () => other,
      unregister: () => {},
      whereis: () => undefined,
    };
    expect(h.rt.start(probe, {}, { name: { via: racy, name: 'n' } })).toEqual({
      ok: false,
      reason: { already_started: other },
    });
    expect(h.rt.processCount).toBe(1);
  });

  it('a via registry whose unregister throws does not stop the exit from completing', async () => {
    await using h = harness();
    const via = new MapVia();
    via.unregister = () => {
      throw new Error('registry down');
    };
    const pid = spawn(h, {}, { name: { via, name: 'fragile' } });
    const done = h.rt.exited(pid);
    h.rt.exit(pid, 'kill');
    expect(await done).toBe('killed');
    expect(h.rt.processCount).toBe(0);
  });

  it('a name is freed when init fails, so the name can be used at once', async () => {
    await using h = harness();
    const failing = { ...probe, init: () => ({ type: 'stop' as const, reason: 'no config' }) };
    expect(h.rt.start(failing, {}, { name: 'cfg' })).toEqual({ ok: false, reason: { exit: 'no config' } });
    expect(h.rt.whereis('cfg')).toBeUndefined();
    const via = new MapVia();
    expect(h.rt.start(failing, {}, { name: { via, name: 'cfg' } }).ok).toBe(false);
    expect(via.table.size).toBe(0);
    expect(spawn(h, {}, { name: 'cfg' }).alive).toBe(true);
  });

  it('bad names are refused with GOV_BAD_ARGUMENT naming the argument, and leave no process', async () => {
    await using h = harness();
    for (const bad of ['', [], [{}], [Number.NaN], 42, null, { name: 'x' }]) {
      let err: unknown;
      try {
        h.rt.start(probe, {}, { name: bad as never });
      } catch (e) {
        err = e;
      }
      expect(GovernessError.is(err, RuntimeErrors.badArgument), `name ${JSON.stringify(bad)}`).toBe(true);
      expect((err as GovernessError).details.argument).toBe('name');
    }
    expect(h.rt.processCount).toBe(0);
    expect(h.rt.spawnCount).toBe(0);
  });
});
