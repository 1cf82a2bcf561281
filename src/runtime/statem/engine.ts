// The gen_statem engine: a process that feeds events to the pure transition function and applies the result in
// OTP's documented order (docs/runtime/semantics.md §Transition):
//   1. actions collected in list order (replies and effects are released in that order, after the transition);
//   2. enter calls (inside computeTransition);
//   3. postpone the current event if asked;
//   4. any transition cancels the event timeout; a state change cancels the state timeout and requeues the
//      postponed events, oldest first, ahead of the queue;
//   5. next_events go ahead of those, in list order;
//   6. timeouts: the last action per timer wins; zero-time timeouts join a queue handled after every queued,
//      inserted and postponed event but before the mailbox;
//   7. handle the oldest queued event, else the zero-time queue, else the mailbox.
import { GovernessError, RuntimeErrors } from '../../errors/index.js';
import { Timer } from '../clock/timer-queue.js';
import { Deque } from '../process/deque.js';
import type { RuntimeContext } from '../process/context.js';
import { isCleanExit, type CrashReason, type ExitReason } from '../process/exit-reason.js';
import { ReplyTarget, type PendingCall } from '../process/pending-call.js';
import type { Pid } from '../process/pid.js';
import { Proc, type ExitSignalMessage } from '../process/proc.js';
import type { TraceEvent } from '../process/trace.js';
import { brief } from './describe.js';
import type { MachineSnapshot, SnapshotTimer } from './snapshot.js';
import { stateEquality, valueEquals } from './equality.js';
import {
  StatemCrash,
  callbackOf,
  computeTransition,
  resetTransition,
  type QueuedEvent,
  type StateCallback,
  type Transition,
} from './transition.js';
import type {
  Action,
  EffectAction,
  MachineDefinition,
  MachineTypes,
  Result,
  StatemEvent,
  StatemStatus,
  TimeoutAction,
  TimerKind,
} from './types.js';

/** One applied step, handed to a commit hook before its effects are released (the durable layer's seam). */
export interface StepRecord<T extends MachineTypes> {
  /** The process. */
  readonly pid: Pid;
  /** The event handled, or null for the initial transition. */
  readonly event: StatemEvent<T> | null;
  /** State before the event. */
  readonly from: T['state'];
  /** State after. */
  readonly to: T['state'];
  /** Data after. */
  readonly data: T['data'];
  /** True when the state changed. */
  readonly changed: boolean;
  /** True when the event was postponed. */
  readonly postponed: boolean;
  /** Replies and effects waiting to be released once the hook's promise resolves. */
  readonly effects: readonly Action<T>[];
  /** Armed timers after the step (absolute monotonic due times); the `timers` of a snapshot for `restore`. */
  readonly timers: readonly SnapshotTimer<T>[];
  /**
   * Ids of `timers`, index for index. An id names one armed engine timer: the same id in two records is the same
   * timer (possibly with updated content), a re-armed timer gets a new id. Unique within the JavaScript process.
   */
  readonly timerIds: readonly number[];
  /** Events queued ahead of the mailbox and postponed events after the step; null when both are empty. */
  readonly pending: StepPending<T> | null;
  /** Set when the step stops the machine. */
  readonly stop: ExitReason | null;
}

/** The events a step leaves waiting inside the machine (not the mailbox), oldest first. */
export interface StepPending<T extends MachineTypes> {
  /** Inserted events and requeued postponed events, in the order they will be handled. */
  readonly queue: readonly StatemEvent<T>[];
  /** Postponed events, retried at the next state change. */
  readonly postponed: readonly StatemEvent<T>[];
}

/** The exit reason of a process evicted from memory by `Runtime.evict` (a clean shutdown, no terminate). */
export const PASSIVATED: { readonly shutdown: 'passivated' } = Object.freeze({ shutdown: 'passivated' });

// Timer ids are handed out lazily, only when a commit hook or restore asks for one, so the timer hot path does
// no extra work. A plain counter: 2^53 ids outlast any process.
let lastTimerId = 0;

// Performance: one transition record per event was the largest allocation of a step (11 fields), and in a burst
// of 100,000 timer expiries it was most of the young garbage whose collections made timers fire late. Steps
// without a commit hook are applied synchronously, so they share one spare record (see handle).
let spareTransition: Transition<MachineTypes> | null = null;

/** Called after each step is applied and before its effects are released; a promise holds the process. */
export type CommitHook<T extends MachineTypes> = (step: StepRecord<T>) => void | Promise<void>;

/** A definition's normalised callback and state-equality rule, with what they were made from. */
interface SharedCallbacks<T extends MachineTypes> {
  readonly def: MachineDefinition<T>;
  readonly handleEvent: unknown;
  readonly states: unknown;
  readonly stateKey: unknown;
  readonly cb: StateCallback<T>;
  readonly equals: (a: T['state'], b: T['state']) => boolean;
}

// Performance: thousands of processes share one definition. Making its callback wrapper and equality rule once
// per definition, instead of two closures per process, cuts memory per process and spawn time. An entry is
// reused only while the definition still holds the same functions, so a mutated definition behaves as before.
const sharedByDefinition = new WeakMap<object, SharedCallbacks<MachineTypes>>();

function sharedCallbacks<T extends MachineTypes>(def: MachineDefinition<T>): SharedCallbacks<T> {
  const hit = sharedByDefinition.get(def) as SharedCallbacks<T> | undefined;
  if (
    hit !== undefined &&
    hit.handleEvent === def.handleEvent &&
    hit.states === def.states &&
    hit.stateKey === def.stateKey
  ) {
    return hit;
  }
  const made: SharedCallbacks<T> = {
    def,
    handleEvent: def.handleEvent,
    states: def.states,
    stateKey: def.stateKey,
    cb: callbackOf(def),
    equals: stateEquality(def.stateKey?.bind(def)),
  };
  sharedByDefinition.set(def, made as unknown as SharedCallbacks<MachineTypes>);
  return made;
}

/** The engine side a timer reports to. */
interface TimerOwner {
  timerFired(rec: TimerRec): void;
}

/** An armed timeout. It is also the mailbox message its expiry produces, so identity is its generation. */
class TimerRec extends Timer {
  /** Mailbox message type; on the prototype, not in each record (a word per armed timer). */
  declare readonly type: '$timeout';
  /** Stable id reported to commit hooks; 0 until first asked for (see timerIdOf). */
  id = 0;
  constructor(
    readonly proc: TimerOwner,
    readonly kind: TimerKind,
    readonly name: string | undefined,
    public content: unknown,
    at: number,
  ) {
    super(at);
  }

  /** True while armed on the clock (the record is its own clock timer; the queue clears its id on fire or cancel). */
  get armed(): boolean {
    return this.queueId !== -1;
  }

  fire(): void {
    this.proc.timerFired(this);
  }
}
Object.defineProperty(TimerRec.prototype, 'type', { value: '$timeout' });

interface StopMessage {
  readonly type: '$stop';
  readonly reason: ExitReason;
  readonly waiter: PendingCall | null;
}

/** Statistics kept per machine (OTP sys:statistics). */
export interface StatemStatistics {
  /** Clock time at start, in whole milliseconds. */
  readonly startTime: number;
  /** Clock time now. */
  readonly currentTime: number;
  /** Events handled (OTP reductions' closest analogue). */
  readonly events: number;
  /** External messages received. */
  readonly messagesIn: number;
  /** Replies, casts and sends made. */
  readonly messagesOut: number;
  /** State changes. */
  readonly transitions: number;
  /** Messages dropped or refused by a mailbox bound. */
  readonly dropped: number;
}

/**
 * The fields of a machine that most machines never set (postponed events, generic timeouts, monitors, a stop
 * request, a parent, a commit hook), in one record allocated on first write: the same reasoning as ProcRare.
 */
class StatemRare<T extends MachineTypes> {
  postponed: QueuedEvent[] | null = null;
  generic: Map<string, TimerRec> | null = null;
  monitors: Map<unknown, Proc> | null = null;
  stopRequest: StopMessage | null = null;
  parent: Pid | null = null;
  commit: CommitHook<T> | null = null;
  /** From a restore with overdue timers until the machine turns to its mailbox (see joinCatchUp). */
  catchingUp = false;
}

/** A running state machine. Created by `Runtime.start`. */
export class StatemProcess<T extends MachineTypes> extends Proc {
  /** The definition with its callback and equality rule: one field, shared by every process of the definition. */
  private shared: SharedCallbacks<T>;
  state!: T['state'];
  data!: T['data'];
  private queue: Deque<QueuedEvent> | null = null;
  private t0q: TimerRec[] | null = null;
  private eventTimer: TimerRec | null = null;
  private stateTimer: TimerRec | null = null;
  private suspended = false;
  private events = 0;
  private transitions = 0;
  private readonly startTime: number;
  /** Fields most machines never set, allocated on first write (see StatemRare). */
  private machineRare: StatemRare<T> | null = null;

  constructor(rt: RuntimeContext, def: MachineDefinition<T>) {
    super(rt);
    this.shared = sharedCallbacks(def);
    // Whole milliseconds: a fractional time would be a boxed number, one more object per process.
    this.startTime = Math.round(rt.clock.now());
  }
  /** The machine definition. */
  get def(): MachineDefinition<T> {
    return this.shared.def;
  }

  private machineRareState(): StatemRare<T> {
    return (this.machineRare ??= new StatemRare<T>());
  }

  /** Postponed events, oldest first (GS-40). */
  private get postponed(): QueuedEvent[] | null {
    return this.machineRare?.postponed ?? null;
  }
  private set postponed(value: QueuedEvent[] | null) {
    if (value !== null || this.machineRare !== null) this.machineRareState().postponed = value;
  }

  /** Armed generic timeouts by name. */
  private get generic(): Map<string, TimerRec> | null {
    return this.machineRare?.generic ?? null;
  }
  private set generic(value: Map<string, TimerRec> | null) {
    if (value !== null || this.machineRare !== null) this.machineRareState().generic = value;
  }

  /** Monitors this machine holds, by tag. */
  private get monitors(): Map<unknown, Proc> | null {
    return this.machineRare?.monitors ?? null;
  }
  private set monitors(value: Map<unknown, Proc> | null) {
    if (value !== null || this.machineRare !== null) this.machineRareState().monitors = value;
  }

  /** A pending rt.stop: answered once the exit reason is known (proc_lib:stop semantics, GS-73). */
  private get stopRequest(): StopMessage | null {
    return this.machineRare?.stopRequest ?? null;
  }
  private set stopRequest(value: StopMessage | null) {
    if (value !== null || this.machineRare !== null) this.machineRareState().stopRequest = value;
  }

  /** The parent (supervisor) pid; an exit signal from it ends a trapping machine through terminate. */
  get parent(): Pid | null {
    return this.machineRare?.parent ?? null;
  }
  set parent(value: Pid | null) {
    if (value !== null || this.machineRare !== null) this.machineRareState().parent = value;
  }

  /** True from a restore with overdue timers until the machine turns to its mailbox (see joinCatchUp). */
  private get catchingUp(): boolean {
    return this.machineRare?.catchingUp ?? false;
  }
  private set catchingUp(value: boolean) {
    if (value || this.machineRare !== null) this.machineRareState().catchingUp = value;
  }

  /** Optional commit hook (durable machines). */
  get commit(): CommitHook<T> | null {
    return this.machineRare?.commit ?? null;
  }
  set commit(value: CommitHook<T> | null) {
    if (value !== null || this.machineRare !== null) this.machineRareState().commit = value;
  }

  /** Label used in crash reasons (CrashContext). */
  get process(): string {
    return this.label();
  }

  /** Runs init's actions as the initial transition (forced enter call, no postpone). */
  initialize(state: T['state'], data: T['data'], actions: readonly Action<T>[]): void {
    this.state = state;
    this.data = data;
    // The common spawn: no init actions, no enter call, nobody to commit to. The initial transition would then
    // do nothing at all, so skip building it (spawn rate is a benchmark target).
    if (actions.length === 0 && this.def.stateEnter !== true && this.commit === null) return;
    this.running = true;
    try {
      const t = this.transition(null, { type: 'next_state', state, data, actions });
      this.apply(t, null);
      this.recycle(t);
    } catch (err) {
      this.crashWith(err, null);
    } finally {
      this.running = false;
    }
    this.settlePendingExit();
    // init's next_events and zero-time timeouts are work even though no message has arrived (GS-03, GS-32).
    if (this.hasWork()) this.rt.scheduler.enqueue(this);
  }

  hasWork(): boolean {
    return (
      this.alive &&
      !this.suspended &&
      ((this.queue !== null && this.queue.length > 0) ||
        (this.t0q !== null && this.t0q.length > 0) ||
        (this.mailbox !== null && this.mailbox.length > 0))
    );
  }

  run(budget: number): number {
    let n = 0;
    this.running = true;
    try {
      while (n < budget && this.alive && !this.suspended && !this.exiting) {
        let ev: QueuedEvent | null;
        const q = this.queue;
        if (q !== null && q.length > 0) {
          ev = q.shift() as QueuedEvent;
        } else if (this.t0q !== null && this.t0q.length > 0) {
          ev = this.takeZeroTimeout(this.t0q.shift() as TimerRec);
          if (ev === null) continue;
        } else if (this.mailbox !== null && this.mailbox.length > 0) {
          // Catching up ends where the mailbox begins: every restored overdue timer has been handled.
          if (this.machineRare !== null) this.machineRare.catchingUp = false;
          ev = this.receive(this.mailbox.shift());
          if (ev === null) continue;
        } else {
          break;
        }
        n++;
        this.handle(ev);
      }
    } finally {
      this.running = false;
    }
    this.events += n;
    // A drained mailbox is let go: most processes get a message now and then, and an empty buffer kept by each
    // of a million processes is memory held for nothing (and old-generation garbage the GC must trace).
    this.releaseMailbox();
    this.settlePendingExit();
    return n;
  }

  // ---- receiving ----

  private receive(m: unknown): QueuedEvent | null {
    this.messagesIn++;
    const type = (m as { type: string }).type;
    if (type === '$timeout') return this.takeTimeout(m as TimerRec);
    if (type === '$exit') {
      const x = m as ExitSignalMessage;
      if (this.parent !== null && x.from === this.parent) {
        // OTP: an exit signal from the parent, while trapping exits, ends the machine through terminate.
        this.exit(x.reason, true);
        return null;
      }
      return { type: 'info', content: { type: 'EXIT', from: x.from, reason: x.reason } };
    }
    if (type === '$stop') {
      const s = m as StopMessage;
      // The waiter is answered in beforeExit: ok if the machine exits with the requested reason, else it fails
      // with Exit and the actual reason (e.g. terminate threw), as proc_lib:stop does.
      if (s.waiter !== null) this.stopRequest = s;
      this.exit(s.reason, true);
      return null;
    }
    return m as QueuedEvent;
  }

  private isCurrent(rec: TimerRec): boolean {
    if (rec.kind === 'timeout') return this.eventTimer === rec;
    if (rec.kind === 'state_timeout') return this.stateTimer === rec;
    return this.generic?.get(rec.name as string) === rec;
  }

  private clearTimer(rec: TimerRec): void {
    if (rec.kind === 'timeout') this.eventTimer = null;
    else if (rec.kind === 'state_timeout') this.stateTimer = null;
    else this.generic?.delete(rec.name as string);
  }

  private timeoutEvent(rec: TimerRec): QueuedEvent {
    this.clearTimer(rec);
    if (this.rt.trace.active) {
      const lateMs = rec.at === -1 ? 0 : Math.max(0, this.rt.clock.now() - rec.at);
      this.emit({ kind: 'timer_fire', pid: this.pid, timer: timerRef(rec), lateMs });
    }
    return timerEvent(rec);
  }

  /**
   * What a not-yet-received mailbox message will be when received, without receiving it (for status): runtime
   * messages that never become events (a stale timer, a stop request, the parent's exit signal) are left out.
   */
  private pendingEvent(m: unknown): QueuedEvent | null {
    const type = (m as { type: string }).type;
    if (type === '$timeout') return this.isCurrent(m as TimerRec) ? timerEvent(m as TimerRec) : null;
    if (type === '$stop') return null;
    if (type === '$exit') {
      const x = m as ExitSignalMessage;
      if (this.parent !== null && x.from === this.parent) return null;
      return { type: 'info', content: { type: 'EXIT', from: x.from, reason: x.reason } };
    }
    return m as QueuedEvent;
  }

  /** A timer message from the mailbox: stale (cancelled or restarted) timers are dropped (GS-54). */
  private takeTimeout(rec: TimerRec): QueuedEvent | null {
    return this.isCurrent(rec) ? this.timeoutEvent(rec) : null;
  }

  private takeZeroTimeout(rec: TimerRec): QueuedEvent | null {
    return this.isCurrent(rec) ? this.timeoutEvent(rec) : null;
  }

  /**
   * Places a timer that is already due among the restored overdue timers still waiting, in due order (after
   * those due at the same time). Catching up replays the time the machine was away: a recurring timer that
   * re-arms itself at a slot that is also past must fire before a restored timer due later, as it would have
   * had the machine never stopped (docs/runtime/durability-hooks.md, "Catching up"). Catching up lasts until the
   * machine turns to its mailbox, so the handler of the last overdue timer still places a past slot here.
   */
  private joinCatchUp(rec: TimerRec): void {
    const t0 = (this.t0q ??= []);
    let i = t0.length;
    while (i > 0 && (t0[i - 1] as TimerRec).at > rec.at) i--;
    t0.splice(i, 0, rec);
  }

  /** @internal clock callback path: a timer fell due; its message joins the mailbox like any other. */
  timerFired(rec: TimerRec): void {
    if (this.isCurrent(rec)) this.deliverSystem(rec);
  }

  // ---- handling ----

  private handle(ev: QueuedEvent): void {
    let t: Transition<T>;
    try {
      t = this.transition(ev as StatemEvent<T>, null);
    } catch (err) {
      this.crashWith(err, ev);
      return;
    }
    this.apply(t, ev);
    this.recycle(t);
  }

  /**
   * The step's transition from the current state and data. Without a commit hook a step is applied before its
   * caller returns, so its record is the shared spare (taken here, so a step started from inside this one makes
   * its own); a durable step's record waits for its commit and is always its own.
   */
  private transition(ev: StatemEvent<T> | null, first: Result<T> | null): Transition<T> {
    const spare = this.commit === null ? (spareTransition as Transition<T> | null) : null;
    if (spare !== null) spareTransition = null;
    return computeTransition(
      this.def,
      this.shared.cb,
      this.shared.equals,
      this.state,
      this.data,
      ev,
      this,
      first,
      false,
      spare,
    );
  }

  /** Makes an applied step's record the spare (see transition); a crashed step's record is not put back. */
  private recycle(t: Transition<T>): void {
    if (this.commit !== null || spareTransition !== null) return;
    // Let go of what the step referenced (its data, effects) before the record waits for the next step.
    resetTransition(t as Transition<MachineTypes>, undefined, undefined, false);
    spareTransition = t as Transition<MachineTypes>;
  }

  private crashWith(err: unknown, ev: QueuedEvent | null): void {
    let reason: CrashReason;
    if (err instanceof StatemCrash) {
      reason = err.reason;
      // terminate sees the state and data OTP would pass it (see StatemCrash.next).
      if (err.next !== undefined) {
        this.state = err.next.state as T['state'];
        this.data = err.next.data as T['data'];
      }
      // Replies made before the bad action or enter call were already sent in OTP. A durable machine (commit
      // hook) never releases anything from a step that was not committed.
      if (err.replies.length > 0 && this.commit === null) this.release(err.replies as Action<T>[]);
    } else {
      const message = err instanceof Error ? err.message : brief(err);
      reason = {
        error: 'exception',
        process: this.label(),
        state: this.state,
        event: ev === null ? 'init' : brief(ev),
        detail: err,
        message,
      };
    }
    this.exit(reason, true);
  }

  private apply(t: Transition<T>, ev: QueuedEvent | null): void {
    const prev = this.state;
    if (this.rt.trace.active && ev !== null) {
      this.emit({
        kind: t.postpone ? 'postpone' : 'consume',
        pid: this.pid,
        event: ev,
        state: prev,
        nextState: t.state,
      });
    }
    if (t.stop !== null) {
      this.data = t.data;
      this.finishStep(t, ev, prev, () => this.exit(t.stop?.reason ?? 'normal', true));
      return;
    }
    // 3. postpone
    if (t.postpone && ev !== null) (this.postponed ??= []).push(ev);
    // 4. any transition cancels the event timeout; a state change cancels the state timeout and retries postponed
    if (this.eventTimer !== null) this.cancelRec(this.eventTimer);
    if (t.changed) {
      this.transitions++;
      if (this.stateTimer !== null) this.cancelRec(this.stateTimer);
      const pp = this.postponed;
      if (pp !== null && pp.length > 0) {
        const q = (this.queue ??= new Deque<QueuedEvent>());
        for (let i = pp.length - 1; i >= 0; i--) q.unshift(pp[i] as QueuedEvent);
        this.postponed = null;
      }
    }
    // 5. next_events ahead of everything, in list order
    const ne = t.nextEvents;
    if (ne !== null) {
      const q = (this.queue ??= new Deque<QueuedEvent>());
      for (let i = ne.length - 1; i >= 0; i--) q.unshift(ne[i] as QueuedEvent);
    }
    this.state = t.state;
    this.data = t.data;
    // 6. timeouts: last one per timer wins
    if (t.timeouts !== null) this.applyTimeouts(t.timeouts);
    if (this.rt.trace.active) {
      if (t.enterCalls > 0) this.emit({ kind: 'enter', pid: this.pid, state: t.state, oldState: prev });
      if (ev !== null) {
        this.emit({
          kind: 'transition',
          pid: this.pid,
          from: prev,
          to: t.state,
          event: ev,
          changed: t.changed,
        });
      }
    }
    if (t.hibernate) this.hibernateNow();
    this.finishStep(t, ev, prev, null);
  }

  /** Hands the step to the commit hook (if any), then releases its effects. */
  private finishStep(
    t: Transition<T>,
    ev: QueuedEvent | null,
    prev: T['state'],
    after: (() => void) | null,
  ): void {
    const commit = this.commit;
    if (commit === null) {
      if (t.effects !== null) this.release(t.effects as Action<T>[]);
      after?.();
      return;
    }
    const armed = this.armedRecs();
    const record: StepRecord<T> = {
      pid: this.pid,
      event: ev as StatemEvent<T> | null,
      from: prev,
      to: t.state,
      data: t.data,
      changed: t.changed,
      postponed: t.postpone,
      effects: (t.effects ?? []) as Action<T>[],
      timers: this.armedTimers(armed) as SnapshotTimer<T>[],
      timerIds: armed.map(timerIdOf),
      pending: this.pendingEvents(),
      stop: t.stop?.reason ?? null,
    };
    let pending: void | Promise<void>;
    try {
      pending = commit(record);
    } catch (err) {
      this.exit(commitFailure(this.label(), err), true);
      return;
    }
    if (pending === undefined) {
      if (t.effects !== null) this.release(t.effects as Action<T>[]);
      after?.();
      return;
    }
    // Hold the process until the step is durable; only then may anyone hear about it.
    this.suspended = true;
    pending.then(
      () => {
        this.suspended = false;
        if (!this.alive) return;
        if (t.effects !== null) this.release(t.effects as Action<T>[]);
        if (after !== null) after();
        else if (this.hasWork()) this.rt.scheduler.enqueue(this);
      },
      (err: unknown) => {
        this.suspended = false;
        this.exit(commitFailure(this.label(), err), false);
      },
    );
  }

  private applyTimeouts(list: TimeoutAction<T>[]): void {
    let seen: Set<string> | null = null;
    let zero: TimerRec[] | null = null;
    for (let i = list.length - 1; i >= 0; i--) {
      const a = list[i] as TimeoutAction<T>;
      const key = a.kind === 'generic_timeout' ? `g:${a.name as string}` : a.kind;
      if (list.length > 1) {
        if (seen === null) seen = new Set();
        else if (seen.has(key)) continue;
        seen.add(key);
      }
      const current = this.timerOf(a.kind, a.name);
      if (a.type === 'cancel_timer' || (a.type === 'set_timer' && a.time === 'infinity')) {
        if (current !== null) this.cancelRec(current);
        continue;
      }
      if (a.type === 'update_timer') {
        if (current !== null) {
          current.content = a.content;
          continue;
        }
        // No running timer: behave as a zero-time timeout so the mistake is noticed (GS-51).
        const rec = new TimerRec(this, a.kind, a.name, a.content, -1);
        this.setTimerOf(rec);
        (zero ??= []).push(rec);
        continue;
      }
      if (current !== null) this.cancelRec(current);
      const now = this.rt.clock.now();
      if (!a.abs && a.time === 0) {
        const rec = new TimerRec(this, a.kind, a.name, a.content, now);
        this.setTimerOf(rec);
        (zero ??= []).push(rec);
        this.traceStart(rec);
        continue;
      }
      const at = a.abs ? (a.time as number) : now + (a.time as number);
      const rec = new TimerRec(this, a.kind, a.name, a.content, at);
      if (at <= now && this.catchingUp) this.joinCatchUp(rec);
      else this.rt.clock.arm(rec);
      this.setTimerOf(rec);
      this.traceStart(rec);
    }
    if (zero !== null) {
      const t0 = (this.t0q ??= []);
      for (let i = zero.length - 1; i >= 0; i--) t0.push(zero[i] as TimerRec);
    }
  }

  private traceStart(rec: TimerRec): void {
    if (this.rt.trace.active) {
      this.emit({
        kind: 'timer_start',
        pid: this.pid,
        timer: timerRef(rec),
        at: rec.at,
        content: rec.content,
      });
    }
  }

  private timerOf(kind: TimerKind, name: string | undefined): TimerRec | null {
    if (kind === 'timeout') return this.eventTimer;
    if (kind === 'state_timeout') return this.stateTimer;
    return this.generic?.get(name as string) ?? null;
  }

  private setTimerOf(rec: TimerRec): void {
    if (rec.kind === 'timeout') this.eventTimer = rec;
    else if (rec.kind === 'state_timeout') this.stateTimer = rec;
    else (this.generic ??= new Map()).set(rec.name as string, rec);
  }

  private cancelRec(rec: TimerRec): void {
    if (rec.armed) this.rt.clock.cancel(rec);
    this.clearTimer(rec);
    if (this.rt.trace.active) this.emit({ kind: 'timer_cancel', pid: this.pid, timer: timerRef(rec) });
  }

  private cancelAllTimers(): void {
    if (this.eventTimer !== null) this.cancelRec(this.eventTimer);
    if (this.stateTimer !== null) this.cancelRec(this.stateTimer);
    if (this.generic !== null) for (const rec of [...this.generic.values()]) this.cancelRec(rec);
    this.t0q = null;
    this.catchingUp = false;
  }

  /**
   * The armed timers in firing order: those waiting in the zero-time queue in its order, then those on the clock
   * by due time and, for the same due time, arming order. A restore re-arms timers in the order it is given them,
   * so a step record listing them this way lets a durable host bring ties back in the same order.
   */
  private armedRecs(): TimerRec[] {
    const out: TimerRec[] = [];
    if (this.eventTimer !== null) out.push(this.eventTimer);
    if (this.stateTimer !== null) out.push(this.stateTimer);
    if (this.generic !== null) for (const r of this.generic.values()) out.push(r);
    if (out.length > 1) {
      const t0 = this.t0q;
      const queued = (r: TimerRec): number => (t0 === null ? -1 : t0.indexOf(r));
      out.sort((a, b) => {
        const qa = queued(a);
        const qb = queued(b);
        if (qa >= 0 || qb >= 0) return qa < 0 ? 1 : qb < 0 ? -1 : qa - qb;
        return a.at - b.at || a.seq - b.seq;
      });
    }
    return out;
  }

  private armedTimers(
    recs: readonly TimerRec[] = this.armedRecs(),
  ): { kind: TimerKind; name?: string; at: number; content: unknown }[] {
    return recs.map((r) =>
      r.name === undefined
        ? { kind: r.kind, at: r.at, content: r.content }
        : { kind: r.kind, name: r.name, at: r.at, content: r.content },
    );
  }

  /** Queued and postponed events for a step record (copies: the engine keeps mutating its own). */
  private pendingEvents(): StepPending<T> | null {
    const q = this.queue;
    const pp = this.postponed;
    const queued = q !== null && q.length > 0;
    const postponed = pp !== null && pp.length > 0;
    if (!queued && !postponed) return null;
    return {
      queue: (queued ? q.toArray() : []) as StatemEvent<T>[],
      postponed: (postponed ? [...pp] : []) as StatemEvent<T>[],
    };
  }

  // ---- durability hooks (docs/runtime/durability-hooks.md) ----

  /**
   * Rebuilds the machine from a validated snapshot instead of running init: no enter call, no commit. Timers
   * are armed at their absolute times; those already due go to the zero-time queue in due order, so they are
   * handled after the snapshot's queued events and before any mailbox message — and a state change still
   * cancels them, as OTP cancels a fired but unhandled timeout. Until they are all handled, a timer armed at a
   * time already past joins them in due order (joinCatchUp). Returns the new timers' ids in snapshot order.
   */
  restore(snapshot: MachineSnapshot<T>): number[] {
    this.state = snapshot.state;
    this.data = snapshot.data;
    if (snapshot.queue.length > 0) {
      const q = (this.queue ??= new Deque<QueuedEvent>());
      for (const ev of snapshot.queue) q.push(ev as QueuedEvent);
    }
    if (snapshot.postponed.length > 0) this.postponed = [...snapshot.postponed] as QueuedEvent[];
    const now = this.rt.clock.now();
    const ids: number[] = [];
    let due: TimerRec[] | null = null;
    for (const t of snapshot.timers as readonly SnapshotTimer<T>[]) {
      const name = t.kind === 'generic_timeout' ? t.name : undefined;
      const rec = new TimerRec(this, t.kind, name, t.content, t.at);
      this.setTimerOf(rec);
      ids.push(timerIdOf(rec));
      if (t.at <= now) (due ??= []).push(rec);
      else this.rt.clock.arm(rec);
      this.traceStart(rec);
    }
    // Array.prototype.sort is stable: timers due at the same time keep their snapshot order.
    if (due !== null) {
      this.t0q = due.sort((a, b) => a.at - b.at);
      this.catchingUp = true;
    }
    if (this.hasWork()) this.rt.scheduler.enqueue(this);
    return ids;
  }

  /**
   * Leaves memory with exit reason PASSIVATED: no terminate, timers cancelled, callers failed with Exit, links
   * and monitors signalled as for any exit with that reason. Refused while a commit is in flight, because the
   * step's effects would then never be released.
   */
  /**
   * True when nothing is under way: no commit in flight and no message, queued event or zero-time timeout
   * waiting to be handled (postponed events may wait). A host may then evict without losing anything live.
   */
  quiescent(): boolean {
    return (
      this.alive &&
      !this.suspended &&
      this.mailboxLength === 0 &&
      (this.queue === null || this.queue.length === 0) &&
      (this.t0q === null || this.t0q.length === 0)
    );
  }

  evict(): void {
    if (this.suspended) {
      throw new GovernessError(RuntimeErrors.badArgument, {
        argument: 'pid',
        problem: `${this.label()} has a commit in flight; evicting it would lose the step's effects`,
      });
    }
    this.exit(PASSIVATED, false);
  }

  private hibernateNow(): void {
    // The JavaScript analogue of hibernation: drop empty buffers so an idle machine holds only its state/data.
    if (this.queue !== null && this.queue.length === 0) this.queue = null;
    this.releaseMailbox();
    if (this.postponed !== null && this.postponed.length === 0) this.postponed = null;
    if (this.t0q !== null && this.t0q.length === 0) this.t0q = null;
  }

  // ---- effects ----

  private release(effects: readonly Action<T>[]): void {
    for (const e of effects) {
      switch (e.type) {
        case 'reply':
          this.messagesOut++;
          if (this.rt.trace.active) this.emit({ kind: 'reply', pid: this.pid, reply: e.reply });
          (e.to as unknown as ReplyTarget).deliverReply(e.reply);
          break;
        default:
          this.releaseEffect(e as EffectAction<T>);
      }
    }
  }

  private releaseEffect(e: EffectAction<T>): void {
    switch (e.type) {
      case 'cast':
        this.messagesOut++;
        this.rt.resolve(e.to)?.deliver({ type: 'cast', content: e.content });
        break;
      case 'send':
        this.messagesOut++;
        this.rt.resolve(e.to)?.deliver({ type: 'info', content: e.content });
        break;
      case 'monitor': {
        // A tag names one monitor (a pure handler cannot receive a fresh reference as OTP's monitor/2 returns):
        // monitoring again with a tag in use replaces the earlier monitor, so no DOWN is ever misattributed.
        const previous = this.monitors?.get(e.tag);
        previous?.removeWatchers((w) => w.watcher === this && w.tag === e.tag);
        const target = e.target.proc;
        (this.monitors ??= new Map()).set(e.tag, target ?? this);
        if (target === null) this.receiveDown(e.tag, e.target, 'noproc');
        else target.addWatcher({ watcher: this, tag: e.tag, callback: null });
        break;
      }
      case 'demonitor': {
        const target = this.monitors?.get(e.tag);
        this.monitors?.delete(e.tag);
        target?.removeWatchers((w) => w.watcher === this && w.tag === e.tag);
        break;
      }
      case 'link':
        this.link(e.target.proc, e.target);
        break;
      case 'unlink':
        if (e.target.proc !== null) this.unlink(e.target.proc);
        break;
      case 'trap_exit':
        this.trapExit = e.value;
        break;
      case 'task': {
        const tag = e.tag;
        let p: Promise<unknown>;
        try {
          p = Promise.resolve(e.run());
        } catch (error) {
          p = Promise.reject(error);
        }
        p.then(
          (value) => this.deliverTask({ type: 'task', tag, ok: true, value }),
          (error: unknown) => this.deliverTask({ type: 'task', tag, ok: false, error }),
        );
        break;
      }
    }
  }

  private deliverTask(content: unknown): void {
    this.deliverSystem({ type: 'info', content });
  }

  protected override receiveDown(tag: unknown, pid: Pid, reason: ExitReason): void {
    this.monitors?.delete(tag);
    super.receiveDown(tag, pid, reason);
  }

  // ---- exit ----

  protected beforeExit(reason: ExitReason, runTerminate: boolean): ExitReason {
    let final = reason;
    this.cancelAllTimers();
    if (runTerminate && typeof this.def.terminate === 'function') {
      try {
        this.def.terminate(reason, this.state, this.data);
      } catch (err) {
        final = {
          error: 'terminate_exception',
          process: this.label(),
          state: this.state,
          detail: err,
          message: `terminate threw: ${err instanceof Error ? err.message : brief(err)}`,
        };
      }
    }
    if (this.monitors !== null) {
      for (const [tag, target] of this.monitors)
        target.removeWatchers((w) => w.watcher === this && w.tag === tag);
      this.monitors = null;
    }
    this.queue = null;
    this.postponed = null;
    const stop = this.stopRequest;
    this.stopRequest = null;
    if (stop !== null && valueEquals(final, stop.reason)) stop.waiter?.deliverReply(undefined);
    return final;
  }

  /** Asks the machine to stop; the returned promise settles when it has (OTP gen_statem:stop). */
  override requestStop(reason: ExitReason, waiter: PendingCall | null): void {
    const msg: StopMessage = { type: '$stop', reason, waiter };
    this.deliverSystem(msg);
  }

  // ---- introspection (OTP sys) ----

  /** Current queue of inserted/retried events, postponed events and mailbox, for status and leak checks. */
  queues(): { queue: unknown[]; postponed: unknown[]; mailbox: unknown[]; zeroTimeouts: number } {
    return {
      queue: this.queue?.toArray() ?? [],
      postponed: [...(this.postponed ?? [])],
      mailbox: this.mailbox?.toArray() ?? [],
      zeroTimeouts: this.t0q?.length ?? 0,
    };
  }

  /** Status after the definition's formatStatus hook (GS-81); a throwing hook hides the data. */
  status(): StatemStatus<T> {
    const q = this.queues();
    const raw: StatemStatus<T> = {
      state: this.state,
      data: this.data,
      // In the order they will be handled: queued and inserted events, zero-time timeouts, then the mailbox.
      queue: [...q.queue, ...(this.t0q ?? []), ...q.mailbox]
        .map((m) => this.pendingEvent(m))
        .filter((e): e is QueuedEvent => e !== null),
      postponed: q.postponed,
      timeouts: this.armedTimers(),
      ...(this.exitReason === undefined ? {} : { reason: this.exitReason }),
    };
    if (typeof this.def.formatStatus !== 'function') return raw;
    try {
      return this.def.formatStatus(raw);
    } catch {
      return { ...raw, data: '<formatStatus crashed: data hidden>' as T['data'] };
    }
  }

  /** Replaces state and data directly, like sys:replace_state: no enter call, no retry of postponed (GS-91). */
  replaceState(
    fn: (s: { state: T['state']; data: T['data'] }) => { state: T['state']; data: T['data'] },
  ): void {
    const next = fn({ state: this.state, data: this.data });
    this.state = next.state;
    this.data = next.data;
  }

  /**
   * Swaps in a new definition, migrating state and data when its data version differs (OTP code_change). The
   * version migrated from is the running definition's unless given. A migration that throws or returns no
   * `{ state, data }` fails with GOV_MIGRATION_FAILED and changes nothing (OTP rolls the upgrade back).
   */
  changeCode(next: MachineDefinition<T>, fromVersion: number = this.def.dataVersion ?? 0): void {
    const to = next.dataVersion ?? 0;
    if (to !== fromVersion) {
      const fail = (problem: string, cause?: unknown): never => {
        throw new GovernessError(
          RuntimeErrors.migrationFailed,
          { target: this.label(), from: fromVersion, to, problem },
          { cause },
        );
      };
      if (typeof next.migrate !== 'function') fail('the new definition has no migrate function');
      let m: unknown;
      try {
        m = next.migrate?.(fromVersion, this.state, this.data);
      } catch (err) {
        fail(`migrate threw: ${err instanceof Error ? err.message : brief(err)}`, err);
      }
      if (typeof m !== 'object' || m === null || !('state' in m) || !('data' in m)) {
        fail(`migrate must return { state, data }, got ${brief(m)}`);
      }
      const r = m as { state: T['state']; data: T['data'] };
      this.state = r.state;
      this.data = r.data;
    }
    this.shared = sharedCallbacks(next);
  }

  /** Counters like OTP sys:statistics. */
  statistics(): StatemStatistics {
    return {
      startTime: this.startTime,
      currentTime: this.rt.clock.now(),
      events: this.events,
      messagesIn: this.messagesIn,
      messagesOut: this.messagesOut,
      transitions: this.transitions,
      dropped: this.dropped,
    };
  }

  /** Number of armed timers (including zero-time ones not yet delivered). */
  timerCount(): number {
    return (
      (this.eventTimer !== null ? 1 : 0) + (this.stateTimer !== null ? 1 : 0) + (this.generic?.size ?? 0)
    );
  }

  private emit(e: TraceEvent): void {
    this.rt.trace.emit(e);
  }
}

/** The event a timer delivers: `{ type: kind, content }`, plus `name` for a generic timeout (GS-55). */
function timerEvent(rec: TimerRec): QueuedEvent {
  return rec.kind === 'generic_timeout'
    ? { type: 'generic_timeout', name: rec.name as string, content: rec.content }
    : ({ type: rec.kind, content: rec.content } as QueuedEvent);
}

/** The timer's stable id, assigned on first use. */
function timerIdOf(rec: TimerRec): number {
  if (rec.id === 0) rec.id = ++lastTimerId;
  return rec.id;
}

function timerRef(rec: { kind: TimerKind; name: string | undefined }): { kind: TimerKind; name?: string } {
  return rec.name === undefined ? { kind: rec.kind } : { kind: rec.kind, name: rec.name };
}

function commitFailure(process: string, err: unknown): CrashReason {
  return {
    error: 'exception',
    process,
    detail: err,
    message: `commit of a step failed: ${err instanceof Error ? err.message : brief(err)}`,
  };
}

/** True when the reason should be reported as a crash. */
export function isCrash(reason: ExitReason): boolean {
  return !isCleanExit(reason);
}
