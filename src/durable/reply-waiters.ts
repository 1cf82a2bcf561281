// Callers waiting for durable replies, by the reply target's stored name (durable-reply.ts). The host answers
// them when a committed step replies, fails them when their governor's step could not be committed or the
// governor crashed, and counts them per governor because a governor with a waiting caller is never passivated
// (its caller's promise lives only in this process).
import type { Clock } from '../runtime/index.js';
import { CallTimeout, Timer } from '../runtime/index.js';
import type { ReplySink } from './durable-reply.js';

/** A waiting caller; it is also its own timeout timer (armed on the clock unless it waits forever). */
class Waiter extends Timer {
  constructor(
    at: number,
    private readonly owner: ReplyWaiters,
    readonly stored: string,
    readonly timeoutMs: number,
    readonly resolve: (value: unknown) => void,
    readonly reject: (err: Error) => void,
  ) {
    super(at);
  }

  fire(): void {
    this.owner.timedOut(this);
  }
}

interface Slot {
  readonly gkey: string;
  readonly waiters: Waiter[];
}

/** The callers waiting on durable replies. */
export class ReplyWaiters implements ReplySink {
  private readonly slots = new Map<string, Slot>();
  private readonly perGovernor = new Map<string, number>();

  constructor(private readonly clock: Clock) {}

  /** Waits for the reply under `stored` (to governor `gkey`); rejects with CallTimeout after `timeoutMs`. */
  wait(stored: string, gkey: string, timeoutMs: number): Promise<unknown> {
    return new Promise((resolve, reject) => {
      let slot = this.slots.get(stored);
      if (slot === undefined) {
        slot = { gkey, waiters: [] };
        this.slots.set(stored, slot);
      }
      const waiter = new Waiter(this.clock.now() + timeoutMs, this, stored, timeoutMs, resolve, reject);
      if (timeoutMs !== Infinity) this.clock.arm(waiter);
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

  /** @internal A waiter's timeout fired: it stops waiting and is rejected with CallTimeout. */
  timedOut(w: Waiter): void {
    const slot = this.slots.get(w.stored);
    if (slot === undefined) return;
    const i = slot.waiters.indexOf(w);
    if (i < 0) return;
    slot.waiters.splice(i, 1);
    this.drop(slot.gkey, 1);
    if (slot.waiters.length === 0) this.slots.delete(w.stored);
    w.reject(new CallTimeout(slot.gkey, w.timeoutMs));
  }

  private take(stored: string): Waiter[] {
    const slot = this.slots.get(stored);
    if (slot === undefined) return [];
    this.slots.delete(stored);
    this.drop(slot.gkey, slot.waiters.length);
    for (const w of slot.waiters) if (w.timeoutMs !== Infinity) this.clock.cancel(w);
    return slot.waiters;
  }

  private drop(gkey: string, n: number): void {
    const left = (this.perGovernor.get(gkey) ?? 0) - n;
    if (left > 0) this.perGovernor.set(gkey, left);
    else this.perGovernor.delete(gkey);
  }
}
