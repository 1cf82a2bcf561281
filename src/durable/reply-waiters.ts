// Callers waiting for durable replies, by the reply target's stored name (durable-reply.ts). The host answers
// them when a committed step replies, fails them when their governor's step could not be committed or the
// governor crashed, and counts them per governor because a governor with a waiting caller is never passivated
// (its caller's promise lives only in this process).
import type { Clock, TimerHandle, TimerTarget } from '../runtime/index.js';
import { CallTimeout } from '../runtime/index.js';
import type { ReplySink } from './durable-reply.js';

interface Waiter {
  readonly resolve: (value: unknown) => void;
  readonly reject: (err: Error) => void;
  timer: TimerHandle | null;
  token: number;
}

interface Slot {
  readonly gkey: string;
  readonly waiters: Waiter[];
}

/** The callers waiting on durable replies. */
export class ReplyWaiters implements ReplySink, TimerTarget {
  private readonly slots = new Map<string, Slot>();
  private readonly perGovernor = new Map<string, number>();
  private readonly timed = new Map<number, { stored: string; waiter: Waiter; timeoutMs: number }>();
  private nextToken = 0;

  constructor(private readonly clock: Clock) {}

  /** Waits for the reply under `stored` (to governor `gkey`); rejects with CallTimeout after `timeoutMs`. */
  wait(stored: string, gkey: string, timeoutMs: number): Promise<unknown> {
    return new Promise((resolve, reject) => {
      let slot = this.slots.get(stored);
      if (slot === undefined) {
        slot = { gkey, waiters: [] };
        this.slots.set(stored, slot);
      }
      const waiter: Waiter = { resolve, reject, timer: null, token: -1 };
      if (timeoutMs !== Infinity) {
        const token = (waiter.token = this.nextToken++);
        this.timed.set(token, { stored, waiter, timeoutMs });
        waiter.timer = this.clock.schedule(this.clock.now() + timeoutMs, this, token);
      }
      slot.waiters.push(waiter);
      this.perGovernor.set(gkey, (this.perGovernor.get(gkey) ?? 0) + 1);
    });
  }

  /** Callers waiting on governor `gkey`. */
  waitingOn(gkey: string): number {
    return this.perGovernor.get(gkey) ?? 0;
  }

  /** Total callers waiting. */
  get size(): number {
    let n = 0;
    for (const c of this.perGovernor.values()) n += c;
    return n;
  }

  /** True when someone waits under `stored`. */
  has(stored: string): boolean {
    return this.slots.has(stored);
  }

  delivered(stored: string, value: unknown): void {
    for (const w of this.take(stored)) w.resolve(value);
  }

  /** Fails every caller waiting under `stored`. */
  fail(stored: string, error: Error): void {
    for (const w of this.take(stored)) w.reject(error);
  }

  /** Fails every caller waiting on governor `gkey` (its step failed or it crashed). */
  failGovernor(gkey: string, error: (stored: string) => Error): void {
    for (const [stored, slot] of [...this.slots]) {
      if (slot.gkey === gkey) this.fail(stored, error(stored));
    }
  }

  /** Fails everyone (the host is closing). */
  failAll(error: (gkey: string) => Error): void {
    for (const [stored, slot] of [...this.slots]) this.fail(stored, error(slot.gkey));
  }

  onTimer(token: number): void {
    const t = this.timed.get(token);
    if (t === undefined) return;
    this.timed.delete(token);
    const slot = this.slots.get(t.stored);
    if (slot === undefined) return;
    const i = slot.waiters.indexOf(t.waiter);
    if (i < 0) return;
    slot.waiters.splice(i, 1);
    this.drop(slot.gkey, 1);
    if (slot.waiters.length === 0) this.slots.delete(t.stored);
    t.waiter.reject(new CallTimeout(slot.gkey, t.timeoutMs));
  }

  private take(stored: string): Waiter[] {
    const slot = this.slots.get(stored);
    if (slot === undefined) return [];
    this.slots.delete(stored);
    this.drop(slot.gkey, slot.waiters.length);
    for (const w of slot.waiters) {
      if (w.timer === null) continue;
      this.clock.cancel(w.timer);
      this.timed.delete(w.token);
    }
    return slot.waiters;
  }

  private drop(gkey: string, n: number): void {
    const left = (this.perGovernor.get(gkey) ?? 0) - n;
    if (left > 0) this.perGovernor.set(gkey, left);
    else this.perGovernor.delete(gkey);
  }
}
