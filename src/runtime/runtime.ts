// The Runtime: hosts processes on one event loop with an injected Clock. It is the public entry point for
// starting machines, sending them messages, calling them, stopping them and looking inside (OTP's gen_statem,
// erlang and sys APIs in one place).
import { GovernessError, RuntimeErrors } from '../errors/index.js';
import type { Clock } from './clock/clock.js';
import type { RuntimeContext } from './process/context.js';
import type { ExitReason } from './process/exit-reason.js';
import { NoProc, PendingCall, ReplyTarget } from './process/pending-call.js';
import { Pid } from './process/pid.js';
import type { MailboxOptions, Proc } from './process/proc.js';
import { Scheduler, type SchedulerOptions } from './process/scheduler.js';
import { TraceHub } from './process/trace.js';
import { Registry, isLocalName, isViaName, type LocalName, type ProcessName } from './registry/registry.js';
import { validateDefinition } from './statem/define.js';
import { brief } from './statem/describe.js';
import { StatemProcess, type CommitHook, type StatemStatistics } from './statem/engine.js';
import { validateSnapshot, type MachineSnapshot } from './statem/snapshot.js';
import type {
  CallRequest,
  InitResult,
  MachineDefinition,
  MachineTypes,
  ReplyFor,
  StatemStatus,
} from './statem/types.js';

/** Options for `Runtime`. */
export interface RuntimeOptions extends SchedulerOptions {
  /** The clock; required so that no component can fall back to host time by accident. */
  readonly clock: Clock;
}

/** Options for `start`. */
export interface StartOptions<T extends MachineTypes> {
  /** Register the machine under this name; a clash returns `already_started` with the holder's pid. */
  readonly name?: ProcessName;
  /** Link to this parent (a supervisor): the machine ends when it does, and vice versa for crashes. */
  readonly parent?: Pid;
  /** Start trapping exits (exit signals arrive as `{ type: 'EXIT' }` info messages). */
  readonly trapExit?: boolean;
  /** Bound the mailbox. */
  readonly mailbox?: MailboxOptions;
  /** Durable seam: called with each applied step before its effects are released. */
  readonly commit?: CommitHook<T>;
}

/** Why a start did not produce a running machine (OTP start_ret()). */
export type StartFailure =
  'ignore' | { readonly already_started: Pid } | { readonly error: unknown } | { readonly exit: ExitReason };

/** The result of `start`. */
export type StartResult<T extends MachineTypes> =
  { readonly ok: true; readonly pid: Pid<T> } | { readonly ok: false; readonly reason: StartFailure };

/** The result of `restore`: on success also the ids of the restored timers, in snapshot order. */
export type RestoreResult<T extends MachineTypes> =
  | { readonly ok: true; readonly pid: Pid<T>; readonly timerIds: readonly number[] }
  | { readonly ok: false; readonly reason: StartFailure };

/** Anything that addresses a process: a pid or a registered name. */
export type Target<T = unknown> = Pid<T> | ProcessName;

/** A leak report: what is still alive, armed or queued. All zero means a clean teardown. */
export interface LeakReport {
  /** Live processes. */
  readonly processes: number;
  /** Armed clock timers (machine timeouts and call timeouts). */
  readonly timers: number;
  /** Processes waiting in the run queue. */
  readonly runnable: number;
}

/** Hosts processes: start, message, call, stop, inspect. */
export class Runtime implements RuntimeContext {
  /** The injected clock. */
  readonly clock: Clock;
  /** The run queue. */
  readonly scheduler: Scheduler;
  /** The trace stream: every consumed/postponed event, transition, timer, reply, exit and restart. */
  readonly trace = new TraceHub();
  /** The local name table. */
  readonly registry = new Registry();
  /** Stands for code outside any process when it sends exit signals. */
  readonly rootPid: Pid;
  private nextId = 0;
  // Performance: the live processes form an intrusive doubly linked list through the processes themselves
  // (oldest first, the order the Set it replaces iterated in). Unlike a Set it never rehashes as it grows, has no
  // large hash table in old space that every new process must be written into, and removes in O(1).
  private tableHead: Proc | null = null;
  private tableTail: Proc | null = null;
  private tableSize = 0;
  private spawned = 0;

  constructor(options: RuntimeOptions) {
    if (options === undefined || options.clock === undefined) {
      throw new GovernessError(RuntimeErrors.badArgument, {
        argument: 'clock',
        problem: 'a Clock is required',
      });
    }
    this.clock = options.clock;
    this.scheduler = new Scheduler(this.clock, options);
    this.rootPid = new Pid(this.nextId++, null);
    // A SimulatedClock waits for this runtime to settle after each timer it fires.
    const settle = (this.clock as { onSettle?: (owner: Runtime) => void }).onSettle;
    if (typeof settle === 'function') settle.call(this.clock, this);
  }

  // ---- RuntimeContext ----

  /** @internal */
  allocPid(proc: Proc): Pid {
    const tail = this.tableTail;
    if (tail === null) this.tableHead = proc;
    else {
      tail.tableNext = proc;
      proc.tablePrev = tail;
    }
    this.tableTail = proc;
    this.tableSize++;
    this.spawned++;
    return new Pid(this.nextId++, proc);
  }

  /** @internal */
  processExited(proc: Proc): void {
    this.removeFromTable(proc);
    const name = proc.registeredName;
    if (name === undefined) return;
    if (isViaName(name)) {
      try {
        name.via.unregister(name.name);
      } catch {
        // A failing external registry must not stop the exit from completing.
      }
    } else this.registry.unregister(name as LocalName, proc);
  }

  private removeFromTable(proc: Proc): void {
    const prev = proc.tablePrev;
    const next = proc.tableNext;
    if (prev === null) {
      if (this.tableHead !== proc) return; // not in the table (already removed)
      this.tableHead = next;
    } else prev.tableNext = next;
    if (next === null) this.tableTail = prev;
    else next.tablePrev = prev;
    proc.tablePrev = proc.tableNext = null;
    this.tableSize--;
  }

  /** Resolves a pid or name to its live process, or null. */
  resolve(target: unknown): Proc | null {
    if (target instanceof Pid) return target.proc;
    if (isViaName(target)) return target.via.whereis(target.name)?.proc ?? null;
    if (isLocalName(target)) return this.registry.whereis(target) ?? null;
    return null;
  }

  // ---- starting ----

  /**
   * Starts a machine: validates the definition, registers the name, runs `init` synchronously and applies its
   * actions (OTP start_link: the machine is running when this returns).
   */
  start<T extends MachineTypes>(
    def: MachineDefinition<T>,
    args: T['args'],
    options: StartOptions<T> = {},
  ): StartResult<T> {
    const spawned = this.spawn(def, options);
    if (!(spawned instanceof StatemProcess)) return spawned;
    const proc = spawned;
    let init: InitResult<T>;
    try {
      init = def.init(args);
    } catch (err) {
      const reason = {
        error: 'exception' as const,
        process: proc.label(),
        event: 'init',
        detail: err,
        message: `init threw: ${err instanceof Error ? err.message : brief(err)}`,
      };
      this.abandon(proc, reason);
      return { ok: false, reason: { exit: reason } };
    }
    switch (init?.type) {
      case 'ok':
        proc.initialize(init.state, init.data, init.actions ?? []);
        return { ok: true, pid: proc.pid as Pid<T> };
      case 'ignore':
        this.abandon(proc);
        return { ok: false, reason: 'ignore' };
      case 'error':
        this.abandon(proc);
        return { ok: false, reason: { error: init.reason } };
      case 'stop':
        this.abandon(proc, init.reason);
        return { ok: false, reason: { exit: init.reason } };
      default: {
        const reason = {
          error: 'bad_return_from_init' as const,
          process: proc.label(),
          event: 'init',
          detail: init,
          message: `bad return ${brief(init)} from init`,
        };
        this.abandon(proc, reason);
        return { ok: false, reason: { exit: reason } };
      }
    }
  }

  /**
   * Rebuilds a machine from a stored snapshot (docs/runtime/durability-hooks.md): the definition and the
   * snapshot's shape are checked (GOV_BAD_ARGUMENT naming the field), then the process starts in the snapshot's
   * state without running `init` or a state enter call; a restart is not a state change. Timers are armed at
   * their absolute times; timers already due are handled, in due order, before any mailbox message.
   */
  restore<T extends MachineTypes>(
    def: MachineDefinition<T>,
    snapshot: MachineSnapshot<T>,
    options: StartOptions<T> = {},
  ): RestoreResult<T> {
    const checked = validateSnapshot<T>(snapshot);
    const spawned = this.spawn(def, options);
    if (!(spawned instanceof StatemProcess)) return spawned;
    const timerIds = spawned.restore(checked);
    return { ok: true, pid: spawned.pid as Pid<T>, timerIds };
  }

  /**
   * What start and restore share: validates the definition and options, registers the name, applies the
   * options and links to the parent. Returns the new process, or why there is none.
   */
  private spawn<T extends MachineTypes>(
    def: MachineDefinition<T>,
    options: StartOptions<T>,
  ): StatemProcess<T> | { readonly ok: false; readonly reason: StartFailure } {
    validateDefinition(def);
    const { name, parent } = options;
    if (name !== undefined && !isViaName(name) && !isLocalName(name)) {
      throw new GovernessError(RuntimeErrors.badArgument, {
        argument: 'name',
        problem: `${brief(name)} is not a string, a non-empty array of strings/numbers, or { via, name }`,
      });
    }
    // Every option is checked before the process exists: a bad option must not leave a half-started process
    // (holding its name) behind.
    const mailbox = options.mailbox === undefined ? undefined : validateMailbox(options.mailbox);
    if (parent !== undefined && !(parent instanceof Pid)) {
      throw new GovernessError(RuntimeErrors.badArgument, {
        argument: 'parent',
        problem: `${brief(parent)} is not a Pid`,
      });
    }
    if (name !== undefined) {
      const holder = isViaName(name) ? name.via.whereis(name.name) : this.registry.whereis(name)?.pid;
      if (holder !== undefined && holder.alive) return { ok: false, reason: { already_started: holder } };
    }
    const proc = new StatemProcess<T>(this, def);
    if (name !== undefined) {
      if (isViaName(name)) {
        const clash = name.via.register(name.name, proc.pid);
        if (clash !== null) {
          this.abandon(proc);
          return { ok: false, reason: { already_started: clash } };
        }
        proc.registeredName = name;
      } else {
        this.registry.register(name, proc);
      }
    }
    if (options.trapExit === true) proc.trapExit = true;
    if (mailbox !== undefined) proc.setMailboxLimit(mailbox);
    if (options.commit !== undefined) proc.commit = options.commit;
    if (parent !== undefined) {
      proc.parent = parent;
      proc.link(parent.proc, parent);
      if (!proc.alive) return { ok: false, reason: { exit: 'noproc' } };
    }
    if (this.trace.active) {
      this.trace.emit({ kind: 'spawn', pid: proc.pid, name, ...(def.name ? { machine: def.name } : {}) });
    }
    return proc;
  }

  /**
   * Ends a process whose init did not succeed. The parent learns the outcome from start's return value, so the
   * link is removed first and no exit signal reaches it (OTP 26: start_link consumes the EXIT).
   */
  private abandon(proc: Proc, reason: ExitReason = 'normal'): void {
    const parent = proc instanceof StatemProcess ? proc.parent?.proc : null;
    if (parent) proc.unlink(parent);
    proc.exit(reason, false);
  }

  // ---- messaging ----

  /** Sends a cast; never fails, even if the target does not exist (GS-64). */
  cast<T extends MachineTypes>(target: Target<T>, content: T['cast']): void {
    this.resolve(target)?.deliver({ type: 'cast', content });
  }

  /** Sends a plain message, received as an `info` event; never fails. */
  send<T extends MachineTypes>(target: Target<T>, content: T['info']): void {
    this.resolve(target)?.deliver({ type: 'info', content });
  }

  /**
   * Calls a machine and waits for its reply (GS-60). Rejects with `CallTimeout` after `timeoutMs`
   * (default 5000; `Infinity` waits forever), `NoProc` if the target does not exist, or `Exit` with the server's
   * reason if it ends first. A reply after the timeout is dropped quietly (GS-61).
   */
  call<T extends MachineTypes, R extends CallRequest<T>>(
    target: Target<T>,
    request: R,
    timeoutMs = 5000,
  ): Promise<ReplyFor<T, R>> {
    const bad = badTimeout(timeoutMs);
    if (bad !== null) return Promise.reject(bad);
    const proc = this.resolve(target);
    if (proc === null || !proc.alive) return Promise.reject(new NoProc(describeTarget(target)));
    return new Promise<ReplyFor<T, R>>((resolve, reject) => {
      const from = new PendingCall(proc, resolve as (v: unknown) => void, reject, timeoutMs);
      if (timeoutMs !== Infinity) from.timer = this.clock.schedule(this.clock.now() + timeoutMs, from, 0);
      const tag = (request as { type?: unknown } | null)?.type;
      proc.deliver({ type: 'call', call: tag, request, from });
    });
  }

  /**
   * Delivers a call whose reply goes to `replyTo` instead of a promise (a durable host answers its caller
   * later, after commit). The request is typed as for `call`. Returns false when the target does not exist or
   * its bounded mailbox refused the call (a `replyTo` with a `fail(error)` method is then told, as a caller
   * is). The runtime does not fail `replyTo` when the target exits: whoever made it watches the target.
   */
  callWith<T extends MachineTypes, R extends CallRequest<T>>(
    target: Target<T>,
    request: R,
    replyTo: ReplyTarget,
  ): boolean {
    if (!(replyTo instanceof ReplyTarget)) {
      throw new GovernessError(RuntimeErrors.badArgument, {
        argument: 'replyTo',
        problem: `${brief(replyTo)} is not a ReplyTarget`,
      });
    }
    const proc = this.resolve(target);
    if (proc === null || !proc.alive) return false;
    const tag = (request as { type?: unknown } | null)?.type;
    return proc.deliver({ type: 'call', call: tag, request, from: replyTo });
  }

  /**
   * Takes a machine out of memory (passivation): it exits with PASSIVATED (`{ shutdown: 'passivated' }`), a
   * clean reason; `terminate` does not run, its timers are cancelled, waiting callers get `Exit`, and linked and
   * monitoring processes are signalled as for any exit with that reason. Throws NoProc if it is not a live
   * machine, GOV_BAD_ARGUMENT while a commit of one of its steps is in flight.
   */
  evict(target: Target): void {
    this.machine(target as Target<MachineTypes>).evict();
  }

  /**
   * True when a live machine has nothing under way: no commit in flight, an empty mailbox, no queued event and
   * no zero-time timeout waiting (postponed events may wait). False for anything else, dead or not a machine.
   */
  quiescent(target: Target): boolean {
    const proc = this.resolve(target);
    return proc instanceof StatemProcess && proc.quiescent();
  }

  /**
   * Stops a machine with `reason` (default `normal`): terminate runs, then it exits (GS-73). Resolves when it has
   * stopped; rejects with `NoProc` if it does not exist or `CallTimeout` after `timeoutMs`.
   */
  stop(target: Target, reason: ExitReason = 'normal', timeoutMs = Infinity): Promise<void> {
    const bad = badTimeout(timeoutMs);
    if (bad !== null) return Promise.reject(bad);
    const proc = this.resolve(target);
    if (proc === null || !proc.alive) return Promise.reject(new NoProc(describeTarget(target)));
    return new Promise<void>((resolve, reject) => {
      const waiter = new PendingCall(proc, resolve as (v: unknown) => void, reject, timeoutMs);
      if (timeoutMs !== Infinity) waiter.timer = this.clock.schedule(this.clock.now() + timeoutMs, waiter, 0);
      proc.requestStop(reason, waiter);
    });
  }

  /** Sends an exit signal from outside any process (erlang:exit/2): `kill` cannot be trapped. */
  exit(target: Target, reason: ExitReason): void {
    this.resolve(target)?.exitSignal(this.rootPid, reason, false);
  }

  /** Calls `callback` once when the target exits (immediately with `noproc` if it is not alive). */
  monitor(target: Target, callback: (reason: ExitReason) => void): () => void {
    const proc = this.resolve(target);
    if (proc === null) {
      queueMicrotask(() => callback('noproc'));
      return () => {};
    }
    const watcher = { watcher: null, tag: undefined, callback };
    proc.addWatcher(watcher);
    return () => proc.removeWatchers((w) => w === watcher);
  }

  /** Resolves with the target's exit reason once it exits. */
  exited(target: Target): Promise<ExitReason> {
    return new Promise((resolve) => this.monitor(target, resolve));
  }

  // ---- names ----

  /** The pid registered under `name`, if it is alive. */
  whereis<T extends MachineTypes = MachineTypes>(name: ProcessName): Pid<T> | undefined {
    return this.resolve(name)?.pid as Pid<T> | undefined;
  }

  /** Registers a running process under a local name; throws `GOV_ALREADY_STARTED` on a clash. */
  register(name: LocalName, pid: Pid): void {
    if (!isLocalName(name)) {
      throw new GovernessError(RuntimeErrors.badArgument, {
        argument: 'name',
        problem: `${brief(name)} is not a name`,
      });
    }
    if (!(pid instanceof Pid)) {
      throw new GovernessError(RuntimeErrors.badArgument, {
        argument: 'pid',
        problem: `${brief(pid)} is not a Pid`,
      });
    }
    const proc = pid.proc;
    if (proc === null) throw new NoProc(pid.toString());
    const current = this.registry.whereis(name);
    if (current !== undefined)
      throw new GovernessError(RuntimeErrors.alreadyStarted, { name, pid: current.pid.toString() });
    // OTP register/2: a process has at most one name (badarg otherwise). Allowing a second one would orphan the
    // first entry, which would then outlive the process.
    if (proc.registeredName !== undefined) {
      throw new GovernessError(RuntimeErrors.badArgument, {
        argument: 'pid',
        problem: `${pid.toString()} is already registered as ${proc.label()}`,
      });
    }
    this.registry.register(name, proc);
  }

  /** Removes a local name. */
  unregister(name: LocalName): boolean {
    return this.registry.unregister(name);
  }

  // ---- introspection (OTP sys) ----

  private machine<T extends MachineTypes>(target: Target<T>): StatemProcess<T> {
    const proc = this.resolve(target);
    if (!(proc instanceof StatemProcess)) throw new NoProc(describeTarget(target));
    return proc as StatemProcess<T>;
  }

  /** Current state and data (sys:get_state, GS-90). */
  getState<T extends MachineTypes>(target: Target<T>): { state: T['state']; data: T['data'] } {
    const p = this.machine(target);
    return { state: p.state, data: p.data };
  }

  /** Replaces state and data without an enter call or a retry of postponed events (GS-91). */
  replaceState<T extends MachineTypes>(
    target: Target<T>,
    fn: (s: { state: T['state']; data: T['data'] }) => { state: T['state']; data: T['data'] },
  ): void {
    this.machine(target).replaceState(fn);
  }

  /** Status through the definition's formatStatus hook (sys:get_status, GS-81). */
  getStatus<T extends MachineTypes>(target: Target<T>): StatemStatus<T> {
    return this.machine(target).status();
  }

  /** Counters (sys:statistics). */
  statistics(target: Target): StatemStatistics {
    return this.machine(target as Target<MachineTypes>).statistics();
  }

  /** Swaps the definition of a running machine, migrating data from `fromVersion` (default: the running definition's). */
  changeCode<T extends MachineTypes>(
    target: Target<T>,
    next: MachineDefinition<T>,
    fromVersion?: number,
  ): void {
    validateDefinition(next);
    this.machine(target).changeCode(next, fromVersion);
  }

  /** Resolves when no process has runnable work (tests wait on this, never on real time). */
  idle(): Promise<void> {
    return this.scheduler.idle();
  }

  /** True when no process has runnable work right now. */
  get isIdle(): boolean {
    return this.scheduler.isIdle;
  }

  /** Number of live processes. */
  get processCount(): number {
    return this.tableSize;
  }

  /** Pids of every live process, oldest first (OTP erlang:processes/0). */
  processes(): Pid[] {
    const out: Pid[] = [];
    for (let p = this.tableHead; p !== null; p = p.tableNext) out.push(p.pid);
    return out;
  }

  /** Number of processes ever started. */
  get spawnCount(): number {
    return this.spawned;
  }

  /** What is still alive, armed or queued (use at the end of a test). */
  leaks(): LeakReport {
    return { processes: this.tableSize, timers: this.clock.pending(), runnable: this.scheduler.runnable };
  }
}

function describeTarget(target: unknown): string {
  if (target instanceof Pid) return target.toString();
  if (isViaName(target)) return brief(target.name);
  return typeof target === 'string' ? target : brief(target);
}

/** The error for a call/stop timeout that is not a positive number or Infinity, else null. */
function badTimeout(timeoutMs: unknown): GovernessError | null {
  if (
    timeoutMs === Infinity ||
    (typeof timeoutMs === 'number' && Number.isFinite(timeoutMs) && timeoutMs > 0)
  ) {
    return null;
  }
  return new GovernessError(RuntimeErrors.badArgument, {
    argument: 'timeoutMs',
    problem: `${brief(timeoutMs)} is not a positive number or Infinity`,
  });
}

function validateMailbox(m: MailboxOptions): MailboxOptions {
  if (typeof m !== 'object' || m === null) {
    throw new GovernessError(RuntimeErrors.badArgument, {
      argument: 'mailbox',
      problem: `${brief(m)} is not { capacity, overflow }`,
    });
  }
  if (!Number.isInteger(m.capacity) || m.capacity < 1) {
    throw new GovernessError(RuntimeErrors.badArgument, {
      argument: 'mailbox.capacity',
      problem: `${brief(m.capacity)} is not a positive integer`,
    });
  }
  if (m.overflow !== 'reject' && m.overflow !== 'drop_oldest' && m.overflow !== 'drop_newest') {
    throw new GovernessError(RuntimeErrors.badArgument, {
      argument: 'mailbox.overflow',
      problem: `${brief(m.overflow)} is not reject, drop_oldest or drop_newest`,
    });
  }
  return m;
}
