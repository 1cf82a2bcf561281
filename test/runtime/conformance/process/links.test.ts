// Links and exit signals (OTP process model; GS-71): bidirectional links, crash propagation with the same
// reason, `normal` ignored by non-trapping processes, trap_exit turning signals into EXIT info events, the
// untrappable `kill`, noproc on linking to a dead process, unlink, and when terminate runs.
import { describe, expect, it } from 'vitest';
import { link, trapExit, unlink, type ExitReason } from '../../../../src/runtime/index.js';
import { harness } from '../../../support/harness.js';
import { crash, infos, perform, probe, spawn, thrown } from './probe.js';

describe('links', () => {
  it('a link made by one side carries a crash in both directions', async () => {
    await using h = harness();
    const a = spawn(h);
    const b = spawn(h);
    perform(h, a, link(b));
    await h.settle();
    crash(h, a, 'a failed');
    expect(thrown(await h.rt.exited(b))).toBe('a failed');

    const c = spawn(h);
    const d = spawn(h);
    perform(h, c, link(d));
    await h.settle();
    crash(h, d, 'd failed');
    expect(thrown(await h.rt.exited(c))).toBe('d failed');
  });

  it('a crash kills a non-trapping linked process with the very same reason, without terminate', async () => {
    await using h = harness();
    const terminated: ExitReason[] = [];
    const a = spawn(h, { onTerminate: (r) => terminated.push(r) });
    const b = spawn(h, { onTerminate: (r) => terminated.push(r) });
    perform(h, a, link(b));
    await h.settle();
    const reasonA = h.rt.exited(a);
    const reasonB = h.rt.exited(b);
    crash(h, b);
    const [ra, rb] = await Promise.all([reasonA, reasonB]);
    expect(ra).toBe(rb);
    // Only the crashing process runs terminate; the linked one is ended by an untrapped exit signal.
    expect(terminated).toEqual([rb]);
  });

  it('a normal exit does not kill a linked process that does not trap exits', async () => {
    await using h = harness();
    const a = spawn(h);
    const b = spawn(h);
    perform(h, a, link(b));
    await h.settle();
    h.rt.cast(b, { stop: 'normal' });
    expect(await h.rt.exited(b)).toBe('normal');
    await h.settle();
    expect(a.alive).toBe(true);
    expect(await h.rt.call(a, { type: 'ping' })).toBe('pong');
  });

  it('a shutdown exit kills a linked non-trapping process (only normal is ignored)', async () => {
    await using h = harness();
    const a = spawn(h);
    const b = spawn(h);
    perform(h, a, link(b));
    await h.settle();
    h.rt.cast(b, { stop: { shutdown: 'maintenance' } });
    expect(await h.rt.exited(a)).toEqual({ shutdown: 'maintenance' });
  });

  it('a trapping process receives { type: EXIT, from, reason } as an info event, normal exits included', async () => {
    await using h = harness();
    const watcher = spawn(h, {}, { trapExit: true });
    const crasher = spawn(h);
    const quitter = spawn(h);
    perform(h, watcher, link(crasher), link(quitter));
    await h.settle();
    crash(h, crasher, 'bad');
    h.rt.cast(quitter, { stop: 'normal' });
    await h.settle();
    expect(watcher.alive).toBe(true);
    const got = infos(h, watcher);
    expect(got).toHaveLength(2);
    expect(got[0]).toMatchObject({ type: 'EXIT', from: crasher });
    expect(thrown((got[0] as { reason: unknown }).reason)).toBe('bad');
    expect(got[1]).toEqual({ type: 'EXIT', from: quitter, reason: 'normal' });
  });

  it('rt.exit(pid, kill) cannot be trapped: the target ends with killed and terminate does not run', async () => {
    await using h = harness();
    const terminated: ExitReason[] = [];
    const p = spawn(h, { onTerminate: (r) => terminated.push(r) }, { trapExit: true });
    const done = h.rt.exited(p);
    h.rt.exit(p, 'kill');
    expect(await done).toBe('killed');
    expect(terminated).toEqual([]);
  });

  it('processes linked to a killed process see killed, trapping or not', async () => {
    await using h = harness();
    const victim = spawn(h);
    const trapping = spawn(h, {}, { trapExit: true });
    const plain = spawn(h);
    perform(h, victim, link(trapping), link(plain));
    await h.settle();
    const plainDone = h.rt.exited(plain);
    h.rt.exit(victim, 'kill');
    // The link carries `killed`, an ordinary reason: it kills the non-trapping process and is trapped by the other.
    expect(await plainDone).toBe('killed');
    await h.settle();
    expect(infos(h, trapping)).toEqual([{ type: 'EXIT', from: victim, reason: 'killed' }]);
  });

  it('an exit signal with reason kill arriving through a link is an ordinary, trappable reason', async () => {
    await using h = harness();
    const trapping = spawn(h, {}, { trapExit: true });
    const b = spawn(h);
    perform(h, trapping, link(b));
    await h.settle();
    h.rt.cast(b, { stop: 'kill' });
    await h.settle();
    expect(trapping.alive).toBe(true);
    expect(infos(h, trapping)).toEqual([{ type: 'EXIT', from: b, reason: 'kill' }]);
  });

  it('linking to a dead process gives noproc: an EXIT info when trapping, an exit otherwise', async () => {
    await using h = harness();
    const dead = spawn(h);
    h.rt.exit(dead, 'kill');
    await h.settle();
    const trapping = spawn(h, {}, { trapExit: true });
    perform(h, trapping, link(dead));
    await h.settle();
    expect(infos(h, trapping)).toEqual([{ type: 'EXIT', from: dead, reason: 'noproc' }]);

    const plain = spawn(h);
    perform(h, plain, link(dead));
    expect(await h.rt.exited(plain)).toBe('noproc');
  });

  it('unlink stops propagation in both directions', async () => {
    await using h = harness();
    const a = spawn(h);
    const b = spawn(h);
    const c = spawn(h);
    perform(h, a, link(b), link(c));
    await h.settle();
    perform(h, a, unlink(b));
    perform(h, c, unlink(a));
    await h.settle();
    crash(h, b);
    crash(h, c);
    await h.settle();
    expect(b.alive).toBe(false);
    expect(c.alive).toBe(false);
    expect(a.alive).toBe(true);
  });

  it('GS-71 terminate does not run when an untrapped exit signal ends the process', async () => {
    await using h = harness();
    const terminated: ExitReason[] = [];
    const p = spawn(h, { onTerminate: (r) => terminated.push(r) });
    const done = h.rt.exited(p);
    h.rt.exit(p, 'shutdown');
    expect(await done).toBe('shutdown');
    expect(terminated).toEqual([]);
  });

  it('GS-71 an exit signal from the parent while trapping runs terminate with the parent reason', async () => {
    await using h = harness();
    const terminated: ExitReason[] = [];
    const parent = spawn(h);
    const child = spawn(h, { onTerminate: (r) => terminated.push(r) }, { parent, trapExit: true });
    h.rt.cast(parent, { stop: 'shutdown' });
    expect(await h.rt.exited(child)).toBe('shutdown');
    expect(terminated).toEqual(['shutdown']);
  });

  it('GS-71 an EXIT from a linked process that is not the parent stays an info event while trapping', async () => {
    await using h = harness();
    const terminated: ExitReason[] = [];
    const parent = spawn(h);
    const other = spawn(h);
    const child = spawn(h, { onTerminate: (r) => terminated.push(r) }, { parent, trapExit: true });
    perform(h, child, link(other));
    await h.settle();
    h.rt.cast(other, { stop: 'shutdown' });
    await h.settle();
    expect(child.alive).toBe(true);
    expect(terminated).toEqual([]);
    expect(infos(h, child)).toEqual([{ type: 'EXIT', from: other, reason: 'shutdown' }]);
  });

  it('a non-trapping child with a parent dies with the parent crash reason and runs no terminate', async () => {
    await using h = harness();
    const terminated: ExitReason[] = [];
    const parent = spawn(h);
    const child = spawn(h, { onTerminate: (r) => terminated.push(r) }, { parent });
    crash(h, parent, 'parent down');
    expect(thrown(await h.rt.exited(child))).toBe('parent down');
    expect(terminated).toEqual([]);
  });

  it('starting with a dead parent fails with noproc and leaves no process', async () => {
    await using h = harness();
    const parent = spawn(h);
    h.rt.exit(parent, 'kill');
    await h.settle();
    const before = h.rt.processCount;
    const r = h.rt.start(probe, {}, { parent });
    expect(r).toEqual({ ok: false, reason: { exit: 'noproc' } });
    expect(h.rt.processCount).toBe(before);
  });

  it('rt.exit(pid, normal) is ignored by a non-trapping process and delivered as EXIT to a trapping one', async () => {
    await using h = harness();
    const plain = spawn(h);
    const trapping = spawn(h, {}, { trapExit: true });
    h.rt.exit(plain, 'normal');
    h.rt.exit(trapping, 'normal');
    await h.settle();
    expect(plain.alive).toBe(true);
    expect(infos(h, trapping)).toEqual([{ type: 'EXIT', from: h.rt.rootPid, reason: 'normal' }]);
  });

  it('the trapExit effect switches trapping on and off at run time', async () => {
    await using h = harness();
    const a = spawn(h);
    const b = spawn(h);
    const c = spawn(h);
    perform(h, a, trapExit(true), link(b), link(c));
    await h.settle();
    crash(h, b);
    await h.settle();
    expect(a.alive).toBe(true);
    expect(infos(h, a)).toHaveLength(1);
    perform(h, a, trapExit(false));
    await h.settle();
    crash(h, c, 'second');
    expect(thrown(await h.rt.exited(a))).toBe('second');
  });
});
