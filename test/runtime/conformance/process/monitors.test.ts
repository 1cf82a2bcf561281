// Monitors (OTP erlang:monitor/2 semantics): one-way DOWN notifications with the exit reason, noproc at once
// for a dead target, demonitor, several monitors per target, and rt.monitor / rt.exited from outside.
import { describe, expect, it } from 'vitest';
import { Exit, demonitor, link, monitor, type ExitReason } from '../../../../src/runtime/index.js';
import { harness } from '../../../support/harness.js';
import { crash, infos, perform, spawn, thrown } from './probe.js';

describe('monitors', () => {
  it('a DOWN { type: DOWN, tag, pid, reason } arrives with the exit reason of a stopped target', async () => {
    await using h = harness();
    const watcher = spawn(h);
    const target = spawn(h);
    perform(h, watcher, monitor(target, 'm1'));
    await h.settle();
    h.rt.cast(target, { stop: { shutdown: 'done' } });
    await h.settle();
    expect(infos(h, watcher)).toEqual([
      { type: 'DOWN', tag: 'm1', pid: target, reason: { shutdown: 'done' } },
    ]);
  });

  it('a DOWN for a crashed target carries the crash reason, and the watcher itself is unaffected', async () => {
    await using h = harness();
    const watcher = spawn(h);
    const target = spawn(h);
    perform(h, watcher, monitor(target, { ref: 7 }));
    await h.settle();
    crash(h, target, 'oops');
    await h.settle();
    expect(watcher.alive).toBe(true);
    const [down] = infos(h, watcher) as { type: string; tag: unknown; pid: unknown; reason: ExitReason }[];
    expect(down).toMatchObject({ type: 'DOWN', tag: { ref: 7 }, pid: target });
    expect(thrown(down?.reason)).toBe('oops');
  });

  it('a DOWN for a killed target says killed', async () => {
    await using h = harness();
    const watcher = spawn(h);
    const target = spawn(h);
    perform(h, watcher, monitor(target, 'k'));
    await h.settle();
    h.rt.exit(target, 'kill');
    await h.settle();
    expect(infos(h, watcher)).toEqual([{ type: 'DOWN', tag: 'k', pid: target, reason: 'killed' }]);
  });

  it('monitoring a dead process gives a noproc DOWN at once', async () => {
    await using h = harness();
    const target = spawn(h);
    h.rt.exit(target, 'kill');
    await h.settle();
    const watcher = spawn(h);
    perform(h, watcher, monitor(target, 'late'));
    await h.settle();
    expect(infos(h, watcher)).toEqual([{ type: 'DOWN', tag: 'late', pid: target, reason: 'noproc' }]);
  });

  it('demonitor prevents the DOWN', async () => {
    await using h = harness();
    const watcher = spawn(h);
    const target = spawn(h);
    perform(h, watcher, monitor(target, 'a'), monitor(target, 'b'));
    await h.settle();
    perform(h, watcher, demonitor('a'));
    await h.settle();
    h.rt.cast(target, { stop: 'normal' });
    await h.settle();
    expect(infos(h, watcher)).toEqual([{ type: 'DOWN', tag: 'b', pid: target, reason: 'normal' }]);
  });

  it('several monitors on one target each get their own DOWN, in the order they were set up', async () => {
    await using h = harness();
    const w1 = spawn(h);
    const w2 = spawn(h);
    const target = spawn(h);
    perform(h, w1, monitor(target, 'one'), monitor(target, 'two'));
    await h.settle();
    perform(h, w2, monitor(target, 'three'));
    await h.settle();
    h.rt.cast(target, { stop: 'normal' });
    await h.settle();
    expect(infos(h, w1)).toEqual([
      { type: 'DOWN', tag: 'one', pid: target, reason: 'normal' },
      { type: 'DOWN', tag: 'two', pid: target, reason: 'normal' },
    ]);
    expect(infos(h, w2)).toEqual([{ type: 'DOWN', tag: 'three', pid: target, reason: 'normal' }]);
  });

  it('a monitor is one-way: the watcher exiting does not touch the target, and no DOWN goes back', async () => {
    await using h = harness();
    const watcher = spawn(h);
    const target = spawn(h);
    perform(h, watcher, monitor(target, 'm'));
    await h.settle();
    crash(h, watcher);
    await h.settle();
    expect(target.alive).toBe(true);
    expect(infos(h, target)).toEqual([]);
    // The dead watcher's monitor is gone: the target can exit without anything being delivered anywhere.
    h.rt.cast(target, { stop: 'normal' });
    await h.settle();
    expect(h.rt.processCount).toBe(0);
  });

  it('rt.monitor calls back once with the reason; rt.exited resolves with it', async () => {
    await using h = harness();
    const target = spawn(h);
    const calls: ExitReason[] = [];
    h.rt.monitor(target, (r) => calls.push(r));
    const done = h.rt.exited(target);
    h.rt.cast(target, { stop: 'shutdown' });
    expect(await done).toBe('shutdown');
    await h.settle();
    expect(calls).toEqual(['shutdown']);
  });

  it('rt.monitor of a dead pid or an unknown name reports noproc asynchronously, not inside the call', async () => {
    await using h = harness();
    const target = spawn(h);
    h.rt.exit(target, 'kill');
    const calls: ExitReason[] = [];
    h.rt.monitor(target, (r) => calls.push(`pid:${String(r)}`));
    h.rt.monitor('nobody-by-this-name', (r) => calls.push(`name:${String(r)}`));
    expect(calls).toEqual([]);
    expect(await h.rt.exited(target)).toBe('noproc');
    expect(calls).toEqual(['pid:noproc', 'name:noproc']);
  });

  it('the function rt.monitor returns removes the monitor', async () => {
    await using h = harness();
    const target = spawn(h);
    const calls: ExitReason[] = [];
    const off = h.rt.monitor(target, (r) => calls.push(r));
    off();
    h.rt.cast(target, { stop: 'normal' });
    await h.settle();
    expect(target.alive).toBe(false);
    expect(calls).toEqual([]);
  });

  it('a throwing rt.monitor callback does not break the runtime, links or other watchers', async () => {
    await using h = harness();
    const target = spawn(h);
    const linked = spawn(h, {}, { trapExit: true });
    const other = spawn(h);
    perform(h, linked, link(target));
    await h.settle();
    h.rt.monitor(target, () => {
      throw new Error('observer bug');
    });
    const after: ExitReason[] = [];
    h.rt.monitor(target, (r) => after.push(r));
    crash(h, target, 'x');
    await h.settle();
    expect(target.alive).toBe(false);
    expect(after).toHaveLength(1);
    expect(infos(h, linked)).toHaveLength(1);
    expect(await h.rt.call(other, { type: 'ping' })).toBe('pong');
  });

  it('a caller waiting on a process that exits is failed with Exit carrying the reason', async () => {
    await using h = harness();
    const target = spawn(h);
    const pending = h.rt.call(target, { type: 'hang' }, Infinity);
    await h.settle();
    h.rt.cast(target, { stop: { shutdown: 'bye' } });
    const err = await pending.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Exit);
    expect((err as Exit).reason).toEqual({ shutdown: 'bye' });
  });
});

describe('monitor tags', () => {
  it('monitoring again with a tag in use replaces the earlier monitor: only the new target reports DOWN', async () => {
    await using h = harness();
    const watcher = spawn(h);
    const first = spawn(h);
    const second = spawn(h);
    perform(h, watcher, monitor(first, 'same'));
    await h.settle();
    perform(h, watcher, monitor(second, 'same'));
    await h.settle();
    h.rt.exit(first, 'kill');
    await h.settle();
    expect(infos(h, watcher)).toEqual([]);
    h.rt.exit(second, 'kill');
    await h.settle();
    expect(infos(h, watcher)).toEqual([{ type: 'DOWN', tag: 'same', pid: second, reason: 'killed' }]);
  });
});
