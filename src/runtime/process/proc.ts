// The process abstraction shared by state machines and supervisors: a mailbox, links, monitors and exit
// signals with OTP's rules. Subclasses decide how messages are handled.
import { Deque } from './deque.js';
import type { RuntimeContext } from './context.js';
import { isCleanExit, type ExitReason } from './exit-reason.js';
import { Exit, MailboxFull, type PendingCall } from './pending-call.js';
import type { Pid } from './pid.js';

/** What to do when a bounded mailbox is full. */
export type OverflowPolicy = 'reject' | 'drop_oldest' | 'drop_newest';

/** Optional mailbox bound. */
export interface MailboxOptions {
  /** Maximum queued external messages. */
  readonly capacity: number;
  /** `reject`: the new message is refused (a call fails); `drop_oldest`/`drop_newest`: one is dropped. */
  readonly overflow: OverflowPolicy;
}

/**
 * The mailbox. While the process has a bound, it remembers which queued messages are the runtime's own (exit
 * signals, DOWN, stop requests, timer expiries, task results): those neither count against the capacity nor get
 * dropped to make room.
 */
class Mailbox extends Deque<unknown> {
  private system: Set<unknown> | null = null;

  /** Queued messages that are not the runtime's own. */
  get userLength(): number {
    return this.length - (this.system === null ? 0 : this.system.size);
  }

  /** Appends a runtime message, remembering it as exempt from the bound. */
  pushSystem(message: unknown): void {
    (this.system ??= new Set()).add(message);
    this.push(message);
  }

  override shift(): unknown {
    const m = super.shift();
    if (this.system !== null && this.system.size > 0) this.system.delete(m);
    return m;
  }

  override clear(): void {
    super.clear();
    this.system = null;
  }

  /** Puts an empty mailbox back among the spares (a full stack or a big buffer is left to the collector). */
  recycle(): void {
    if (spareMailboxes.length >= MAX_SPARE_MAILBOXES || this.capacity > MAX_SPARE_CAPACITY) return;
    this.system = null;
    spareMailboxes.push(this);
  }

  /** Removes and returns the oldest message that is not the runtime's own (undefined if there is none). */
  shiftUser(): unknown {
    const system = this.system;
    if (system === null || system.size === 0) return this.shift();
    const held: unknown[] = [];
    let found: unknown = undefined;
    while (this.length > 0) {
      const m = super.shift();
      if (system.has(m)) held.push(m);
      else {
        found = m;
        break;
      }
    }
    for (let i = held.length - 1; i >= 0; i--) this.unshift(held[i]);
    return found;
  }
}

// Performance: a process holds a mailbox only while messages wait in it (an idle process costs no buffer), and a
// drained one goes to this shared stack of spares rather than to the garbage collector. Without it every message
// to an idle process allocated a mailbox, so a burst of 100,000 timer expiries was 100,000 mailboxes of young
// garbage, some caught live by each scavenge. Only small buffers are kept: a flooded mailbox's big one is let go.
const spareMailboxes: Mailbox[] = [];
const MAX_SPARE_MAILBOXES = 4096;
const MAX_SPARE_CAPACITY = 16;

function takeMailbox(): Mailbox {
  return spareMailboxes.pop() ?? new Mailbox();
}

/** Who is watching a process: another process (DOWN message) or code outside the runtime (callback). */
export interface Watcher {
  /** The monitoring process, or null for an external callback. */
  readonly watcher: Proc | null;
  /** The monitor's tag, echoed in the DOWN message. */
  readonly tag: unknown;
  /** External callback, when `watcher` is null. */
  readonly callback: ((reason: ExitReason) => void) | null;
}

/** Message placed in a trapping process's mailbox for an exit signal. */
export interface ExitSignalMessage {
  readonly type: '$exit';
  readonly from: Pid;
  readonly reason: ExitReason;
}

/**
 * The fields of a process that most processes never set: trapping exits, a registered name, a mailbox bound,
 * links, monitors watching it, and the exit reason. They live in one record allocated on first write, so a
 * process that uses none of them is ~60 bytes smaller: spawning a million processes is dominated by the garbage
 * collector copying survivors, and every word per process counts there and in resident memory.
 */
class ProcRare {
  trapExit = false;
  exitReason: ExitReason | undefined = undefined;
  registeredName: unknown = undefined;
  mailboxLimit: MailboxOptions | null = null;
  dropped = 0;
  links: Set<Proc> | null = null;
  watchers: Watcher[] | null = null;
}

/** Base class of every process. */
export abstract class Proc {
  /** This process's identifier. */
  readonly pid: Pid;
  /** @internal set while in the scheduler's run queue */
  queued = false;
  /** True until the process has exited. */
  alive = true;
  /** External messages not yet received. Allocated on first use to keep idle processes small. */
  protected mailbox: Mailbox | null = null;
  /** Fields most processes never set, allocated on first write (see ProcRare). */
  private rare: ProcRare | null = null;
  /** @internal messages received (statistics) */
  messagesIn = 0;
  /** @internal messages sent (statistics) */
  messagesOut = 0;
  protected running = false;
  private pendingExit: { reason: ExitReason; runTerminate: boolean } | null = null;
  private callersHead: PendingCall | null = null;
  /** @internal neighbours in the runtime's list of live processes (see Runtime.allocPid) */
  tablePrev: Proc | null = null;
  /** @internal */
  tableNext: Proc | null = null;

  constructor(readonly rt: RuntimeContext) {
    this.pid = rt.allocPid(this);
  }

  private rareState(): ProcRare {
    return (this.rare ??= new ProcRare());
  }

  /** Convert exit signals to messages instead of dying (OTP trap_exit). */
  get trapExit(): boolean {
    return this.rare?.trapExit ?? false;
  }
  set trapExit(value: boolean) {
    if (value || this.rare !== null) this.rareState().trapExit = value;
  }

  /** The reason the process exited with, once dead. */
  get exitReason(): ExitReason | undefined {
    return this.rare?.exitReason;
  }
  set exitReason(value: ExitReason | undefined) {
    if (value !== undefined || this.rare !== null) this.rareState().exitReason = value;
  }

  /** Registered name, if any (set by the registry). */
  get registeredName(): unknown {
    return this.rare?.registeredName;
  }
  set registeredName(value: unknown) {
    if (value !== undefined || this.rare !== null) this.rareState().registeredName = value;
  }

  /** Optional bound on the mailbox. */
  protected get mailboxLimit(): MailboxOptions | null {
    return this.rare?.mailboxLimit ?? null;
  }
  protected set mailboxLimit(value: MailboxOptions | null) {
    if (value !== null || this.rare !== null) this.rareState().mailboxLimit = value;
  }

  /** Messages dropped or refused by the mailbox bound. */
  get dropped(): number {
    return this.rare?.dropped ?? 0;
  }
  set dropped(value: number) {
    if (value !== 0 || this.rare !== null) this.rareState().dropped = value;
  }

  private get links(): Set<Proc> | null {
    return this.rare?.links ?? null;
  }
  private set links(value: Set<Proc> | null) {
    if (value !== null || this.rare !== null) this.rareState().links = value;
  }

  private get watchers(): Watcher[] | null {
    return this.rare?.watchers ?? null;
  }
  private set watchers(value: Watcher[] | null) {
    if (value !== null || this.rare !== null) this.rareState().watchers = value;
  }

  /** Handles up to `budget` events; returns how many were handled. */
  abstract run(budget: number): number;
  /** True when there is something to handle now. */
  abstract hasWork(): boolean;
  /** Runs the process's own cleanup (e.g. a machine's terminate) before it exits; may change the reason. */
  protected abstract beforeExit(reason: ExitReason, runTerminate: boolean): ExitReason;

  /** Name for messages: the registered name if any, else the pid. */
  label(): string {
    const name = this.registeredName;
    if (name !== undefined) {
      if (typeof name === 'string') return name;
      const via =
        typeof name === 'object' && name !== null && 'via' in name
          ? (name as unknown as { name: unknown }).name
          : name;
      return typeof via === 'string' ? via : (JSON.stringify(via) ?? String(via));
    }
    return this.pid.toString();
  }

  /** Number of external messages waiting. */
  get mailboxLength(): number {
    return this.mailbox === null ? 0 : this.mailbox.length;
  }

  /** Lets go of the mailbox once it is empty (a process holds one only while messages wait). */
  protected releaseMailbox(): void {
    const mb = this.mailbox;
    if (mb === null || mb.length > 0) return;
    this.mailbox = null;
    mb.recycle();
  }

  /** Sets or clears the mailbox bound. */
  setMailboxLimit(limit: MailboxOptions | null): void {
    this.mailboxLimit = limit;
  }

  /**
   * Puts an external message in the mailbox, applying the bound. Returns false if the message was refused or
   * dropped (the caller of a refused call is failed by `refuse`).
   */
  deliver(message: unknown): boolean {
    if (!this.alive) return false;
    let mb = this.mailbox;
    if (mb === null) mb = this.mailbox = takeMailbox();
    const limit = this.mailboxLimit;
    if (limit !== null && mb.userLength >= limit.capacity) {
      this.dropped++;
      if (limit.overflow === 'drop_oldest') {
        const old = mb.shiftUser();
        this.refuse(old, limit.overflow);
      } else {
        this.refuse(message, limit.overflow);
        return false;
      }
    }
    mb.push(message);
    this.rt.scheduler.enqueue(this);
    return true;
  }

  /** A message was refused or dropped by the mailbox bound: fail its caller if it is a call. */
  protected refuse(message: unknown, policy: OverflowPolicy): void {
    const from = (message as { from?: unknown } | null)?.from;
    if (from !== undefined && from !== null && typeof (from as PendingCall).fail === 'function') {
      (from as PendingCall).fail(new MailboxFull(this.label(), this.mailboxLimit?.capacity ?? 0));
    }
    if (this.rt.trace.active) this.rt.trace.emit({ kind: 'drop', pid: this.pid, message, policy });
  }

  // ---- callers waiting on this process (see PendingCall) ----

  /** @internal */
  addCaller(c: PendingCall): void {
    c.next = this.callersHead;
    if (this.callersHead !== null) this.callersHead.prev = c;
    this.callersHead = c;
  }

  /** @internal */
  removeCaller(c: PendingCall): void {
    if (c.prev !== null) c.prev.next = c.next;
    else if (this.callersHead === c) this.callersHead = c.next;
    if (c.next !== null) c.next.prev = c.prev;
    c.prev = c.next = null;
  }

  // ---- links and monitors ----

  /** Links this process with `other`; linking to a dead process sends this one a `noproc` exit signal. */
  link(other: Proc | null, otherPid: Pid): void {
    if (other === this) return;
    if (other === null || !other.alive) {
      this.exitSignal(otherPid, 'noproc', true);
      return;
    }
    (this.links ??= new Set()).add(other);
    (other.links ??= new Set()).add(this);
  }

  /** Removes the link with `other`, both ways. */
  unlink(other: Proc): void {
    this.links?.delete(other);
    other.links?.delete(this);
  }

  /** True if linked with `other`. */
  isLinked(other: Proc): boolean {
    return this.links?.has(other) ?? false;
  }

  /** Adds a watcher; if this process is already dead the watcher is told at once with `noproc`. */
  addWatcher(w: Watcher): void {
    if (!this.alive) {
      Proc.notifyWatcher(w, this.pid, 'noproc');
      return;
    }
    (this.watchers ??= []).push(w);
  }

  /** Removes watchers matching the predicate. */
  removeWatchers(match: (w: Watcher) => boolean): void {
    if (this.watchers !== null) this.watchers = this.watchers.filter((w) => !match(w));
  }

  private static notifyWatcher(w: Watcher, pid: Pid, reason: ExitReason): void {
    if (w.watcher !== null) {
      w.watcher.receiveDown(w.tag, pid, reason);
    } else if (w.callback !== null) {
      // Outside code runs here in the middle of an exit (often inside the scheduler's drain): a throwing
      // callback must not abort the exit, the other watchers, or the run queue.
      try {
        w.callback(reason);
      } catch {
        // Dropped like a throwing trace listener.
      }
    }
  }

  /** Delivers a DOWN notification for a monitor this process holds. */
  protected receiveDown(tag: unknown, pid: Pid, reason: ExitReason): void {
    this.deliverSystem({ type: 'info', content: { type: 'DOWN', tag, pid, reason } });
  }

  /** Like deliver, but exempt from the mailbox bound (runtime messages must never be dropped). */
  protected deliverSystem(message: unknown): void {
    if (!this.alive) return;
    const mb = (this.mailbox ??= takeMailbox());
    if (this.mailboxLimit !== null) mb.pushSystem(message);
    else mb.push(message);
    this.rt.scheduler.enqueue(this);
  }

  /**
   * Asks the process to stop with `reason` (rt.stop); `waiter` is answered once it has. By default the process
   * exits at once; machines and supervisors override this to stop in mailbox order (OTP gen_statem:stop).
   */
  requestStop(reason: ExitReason, waiter: PendingCall | null): void {
    waiter?.deliverReply(undefined);
    this.exit(reason, true);
  }

  // ---- exit signals (OTP semantics) ----

  /**
   * Receives an exit signal. `viaLink` marks signals from a linked process's exit. An explicit `kill` cannot be
   * trapped and becomes `killed`; a trapping process gets an `$exit` message; otherwise `normal` is ignored and
   * anything else ends the process without running terminate.
   */
  exitSignal(from: Pid, reason: ExitReason, viaLink: boolean): void {
    if (!this.alive) return;
    if (reason === 'kill' && !viaLink) {
      this.exit('killed', false);
      return;
    }
    if (this.trapExit) {
      const msg: ExitSignalMessage = { type: '$exit', from, reason };
      this.deliverSystem(msg);
      return;
    }
    if (reason === 'normal' && from !== this.pid) return;
    this.exit(reason, false);
  }

  /**
   * Ends the process with `reason`. `runTerminate` says whether the process's own cleanup callback runs (it does
   * for stops and crashes, not for untrapped exit signals). Safe to call while the process is running: the exit
   * then happens when its current event is done.
   */
  exit(reason: ExitReason, runTerminate: boolean): void {
    if (!this.alive) return;
    if (this.running) {
      if (this.pendingExit === null) this.pendingExit = { reason, runTerminate };
      return;
    }
    const finalReason = this.beforeExit(reason, runTerminate);
    this.finalize(finalReason);
  }

  /** True when an exit was requested while the process was running; it stops handling events. */
  protected get exiting(): boolean {
    return this.pendingExit !== null;
  }

  /** Called by subclasses at the end of `run` to carry out an exit requested while running. */
  protected settlePendingExit(): void {
    const p = this.pendingExit;
    if (p !== null && this.alive && !this.running) {
      this.pendingExit = null;
      this.finalize(this.beforeExit(p.reason, p.runTerminate));
    }
  }

  private finalize(reason: ExitReason): void {
    if (!this.alive) return;
    this.alive = false;
    this.exitReason = reason;
    this.pid.proc = null;
    this.mailbox = null;
    const label = this.label();
    for (let c = this.callersHead; c !== null; c = this.callersHead) c.fail(new Exit(label, reason));
    this.rt.processExited(this);
    if (this.rt.trace.active) {
      this.rt.trace.emit({ kind: 'exit', pid: this.pid, reason, crash: !isCleanExit(reason) });
    }
    const links = this.links;
    this.links = null;
    if (links !== null) {
      for (const l of links) {
        l.links?.delete(this);
        l.exitSignal(this.pid, reason, true);
      }
    }
    const watchers = this.watchers;
    this.watchers = null;
    if (watchers !== null) for (const w of watchers) Proc.notifyWatcher(w, this.pid, reason);
  }
}
