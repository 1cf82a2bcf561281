// The supervisor process (OTP `supervisor`, a gen_server that always traps exits). It handles one mailbox
// message at a time; handling may wait (a child's shutdown timeout, a nested supervisor's start), and messages
// that arrive meanwhile wait their turn, as in OTP where the supervisor blocks in its own receive. Restart
// strategies live in restart.ts, the dynamic API in requests.ts.
import type { ExitReason } from '../process/exit-reason.js';
import type { PendingCall } from '../process/pending-call.js';
import type { Pid } from '../process/pid.js';
import { Proc, type ExitSignalMessage } from '../process/proc.js';
import type { Runtime } from '../runtime.js';
import { brief } from '../statem/describe.js';
import { DynamicChildren, StaticChildren, type ChildRecord } from './children.js';
import { RestartIntensity } from './intensity.js';
import { handleRequest, type SupRequest } from './requests.js';
import { childExited, restartChild, type Outcome } from './restart.js';
import { Shutdowns, shutdownOk } from './shutdown.js';
import type {
  ChildStartResult,
  FailedToStart,
  NormalizedChildSpec,
  NormalizedFlags,
  SupervisorReportKind,
} from './types.js';

/** Thrown inside a handler when the supervisor died (was killed) while the handler waited. */
export class SupervisorGone extends Error {
  constructor() {
    super('supervisor is gone');
    this.name = 'SupervisorGone';
  }
}

/** The outcome of running a child's start function. */
export type StartOutcome = { ok: true; pid: Pid | undefined } | { ok: false; reason: unknown };

type SupMessage =
  | ExitSignalMessage
  | { readonly type: '$stop'; readonly reason: ExitReason; readonly waiter: PendingCall | null }
  | { readonly type: '$try_again'; readonly child: ChildRecord }
  | { readonly type: '$sup_call'; readonly request: SupRequest; readonly from: PendingCall };

/** A running supervisor. Created by `startSupervisor`. */
export class Supervisor extends Proc {
  /** The hosting runtime (handed to child start functions). */
  readonly runtime: Runtime;
  /** Flags with defaults filled in. */
  readonly flags: NormalizedFlags;
  /** The parent: an exit signal from it stops the supervisor (the runtime's root pid for a top-level one). */
  readonly parentPid: Pid;
  /** Static children in start order (empty for simple_one_for_one). */
  readonly statics = new StaticChildren();
  /** Dynamic children (simple_one_for_one only). */
  readonly dynamics: DynamicChildren | null;
  /** The one child spec of a simple_one_for_one supervisor. */
  readonly template: NormalizedChildSpec | null;
  /** The restart window. */
  readonly intensity: RestartIntensity;
  private readonly shutdowns: Shutdowns;
  private busy = true;

  constructor(
    runtime: Runtime,
    flags: NormalizedFlags,
    specs: readonly NormalizedChildSpec[],
    parentPid: Pid,
  ) {
    super(runtime);
    this.runtime = runtime;
    this.trapExit = true;
    this.flags = flags;
    this.parentPid = parentPid;
    this.intensity = new RestartIntensity(flags.intensity, flags.period);
    this.shutdowns = new Shutdowns(this);
    if (flags.strategy === 'simple_one_for_one') {
      this.template = specs[0] as NormalizedChildSpec;
      this.dynamics = new DynamicChildren();
    } else {
      this.template = null;
      this.dynamics = null;
      for (const spec of specs) this.statics.add({ spec, pid: undefined, restarting: false, extraArgs: [] });
    }
  }

  // ---- process plumbing ----

  hasWork(): boolean {
    return this.alive && !this.busy && this.mailbox !== null && this.mailbox.length > 0;
  }

  run(_budget: number): number {
    if (!this.hasWork()) return 0;
    const m = this.mailbox?.shift() as SupMessage;
    this.messagesIn++;
    this.busy = true;
    this.handle(m).then(
      () => this.ready(),
      (err: unknown) => this.crash(err),
    );
    return 1;
  }

  /** @internal init is done or a message was handled: take the next one. */
  ready(): void {
    this.busy = false;
    if (this.hasWork()) this.rt.scheduler.enqueue(this);
  }

  /** @internal a handler failed unexpectedly: the supervisor crashes (its children follow through the links). */
  crash(err: unknown): void {
    if (err instanceof SupervisorGone || !this.alive) return;
    this.exit(
      {
        error: 'exception',
        process: this.label(),
        detail: err,
        message: `supervisor failed: ${err instanceof Error ? err.message : brief(err)}`,
      },
      false,
    );
  }

  protected beforeExit(reason: ExitReason): ExitReason {
    this.shutdowns.cancelAll();
    return reason;
  }

  /** Asks the supervisor to stop (rt.stop): children are stopped in reverse start order, then it exits. */
  override requestStop(reason: ExitReason, waiter: PendingCall | null): void {
    this.deliverSystem({ type: '$stop', reason, waiter });
  }

  /** @internal queues a dynamic API request. */
  submit(request: SupRequest, from: PendingCall): void {
    this.deliverSystem({ type: '$sup_call', request, from });
  }

  /** @internal removes the EXIT message from `pid` from the mailbox and returns its reason (OTP unlink_flush). */
  flushExit(pid: Pid): ExitReason | undefined {
    const mb = this.mailbox;
    if (mb === null) return undefined;
    const items = mb.toArray();
    const i = items.findIndex(
      (m) => (m as SupMessage).type === '$exit' && (m as ExitSignalMessage).from === pid,
    );
    if (i < 0) return undefined;
    const found = items[i] as ExitSignalMessage;
    mb.clear();
    for (let k = 0; k < items.length; k++) if (k !== i) mb.push(items[k]);
    return found.reason;
  }

  private hasExitFrom(pid: Pid): boolean {
    const mb = this.mailbox;
    if (mb === null) return false;
    for (let i = 0; i < mb.length; i++) {
      const m = mb.at(i) as SupMessage;
      if (m.type === '$exit' && m.from === pid) return true;
    }
    return false;
  }

  /** @internal throws SupervisorGone once the supervisor has died; called after every wait. */
  guard(): void {
    if (!this.alive) throw new SupervisorGone();
  }

  // ---- messages ----

  private async handle(m: SupMessage): Promise<void> {
    switch (m.type) {
      case '$exit':
        return this.onExitSignal(m.from, m.reason);
      case '$stop':
        await this.terminateChildren();
        m.waiter?.deliverReply(undefined);
        this.exit(m.reason, false);
        return;
      case '$try_again': {
        const c = m.child;
        const present = this.dynamics !== null ? this.dynamics.has(c) : this.statics.has(c);
        if (present && c.restarting) await this.after(await restartChild(this, c));
        return;
      }
      case '$sup_call':
        try {
          m.from.deliverReply(await handleRequest(this, m.request));
        } catch (err) {
          if (err instanceof SupervisorGone) throw err;
          m.from.fail(err instanceof Error ? err : new Error(brief(err)));
        }
        return;
      default:
        this.report('unexpected_message', undefined, m);
    }
  }

  private async onExitSignal(from: Pid, reason: ExitReason): Promise<void> {
    if (from === this.parentPid) {
      await this.terminateChildren();
      this.exit(reason, false);
      return;
    }
    const child = this.dynamics !== null ? this.dynamics.byPid(from) : this.statics.byPid(from);
    if (child === undefined) return;
    await this.after(await childExited(this, child, reason));
  }

  /** Carries out a restart's outcome: `shutdown` stops every child and ends the supervisor. */
  private async after(outcome: Outcome): Promise<void> {
    if (outcome === 'ok') return;
    await this.terminateChildren();
    this.exit('shutdown', false);
  }

  // ---- starting ----

  /** @internal starts the static children left to right (SUP-02); a failure stops those started (SUP-08). */
  async init(): Promise<{ ok: true } | { ok: false; failure: FailedToStart }> {
    for (const c of [...this.statics.all()]) {
      const r = await this.startProcess(c.spec, []);
      if (r.ok) {
        if (r.pid === undefined && c.spec.restart === 'temporary') this.statics.remove(c);
        else c.pid = r.pid;
        continue;
      }
      this.report('start_error', c, r.reason);
      await this.terminateChildren();
      return { ok: false, failure: { failed_to_start_child: c.spec.id, reason: r.reason } };
    }
    return { ok: true };
  }

  /** @internal runs a start function (OTP do_start_child); links the child if the function did not. */
  async startProcess(spec: NormalizedChildSpec, extraArgs: readonly unknown[]): Promise<StartOutcome> {
    let res: ChildStartResult;
    try {
      res = await spec.start({ rt: this.runtime, parent: this.pid, extraArgs });
    } catch (err) {
      this.guard();
      return { ok: false, reason: err };
    }
    if (!this.alive) {
      if (res?.ok === true) res.pid.proc?.exitSignal(this.pid, 'kill', false);
      throw new SupervisorGone();
    }
    if (typeof res !== 'object' || res === null || typeof res.ok !== 'boolean') {
      return { ok: false, reason: { bad_start_return: res } };
    }
    if (res.ok) {
      const proc = res.pid.proc;
      if (proc !== null && proc.alive) {
        if (!proc.isLinked(this)) this.link(proc, res.pid);
      } else if (!this.hasExitFrom(res.pid)) {
        // Died before we could link and sent us nothing: Erlang's link to a dead pid gives `noproc`.
        this.deliverSystem({ type: '$exit', from: res.pid, reason: 'noproc' });
      }
      return { ok: true, pid: res.pid };
    }
    const why = res.reason;
    if (why === 'ignore') return { ok: true, pid: undefined };
    if (typeof why === 'object' && why !== null && 'error' in why) return { ok: false, reason: why.error };
    return { ok: false, reason: why };
  }

  // ---- stopping ----

  /** @internal stops one child (OTP do_terminate) and clears its pid; reports a shutdown_error if it misbehaved. */
  async stopChild(c: ChildRecord): Promise<void> {
    const pid = c.pid;
    if (pid !== undefined) {
      const [reason] = await this.shutdowns.stop([pid], c.spec.shutdown);
      this.guard();
      if (!shutdownOk(reason as ExitReason, c.spec.shutdown, c.spec.restart)) {
        this.report('shutdown_error', c, reason);
      }
    }
    c.pid = undefined;
    c.restarting = false;
  }

  /** @internal stops every child: static ones in reverse start order, dynamic ones in parallel (SUP-02/03). */
  async terminateChildren(): Promise<void> {
    if (this.dynamics !== null) {
      const spec = this.template as NormalizedChildSpec;
      const running = this.dynamics.all().filter((c) => c.pid !== undefined);
      const reasons = await this.shutdowns.stop(
        running.map((c) => c.pid as Pid),
        spec.shutdown,
      );
      this.guard();
      running.forEach((c, i) => {
        const reason = reasons[i] as ExitReason;
        if (!shutdownOk(reason, spec.shutdown, spec.restart)) this.report('shutdown_error', c, reason);
        this.dynamics?.remove(c);
      });
      return;
    }
    for (const c of [...this.statics.all()].reverse()) await this.stopChild(c);
  }

  /** @internal forgets a child that exited: temporary specs are deleted, others keep their spec (OTP del_child). */
  delChild(c: ChildRecord): void {
    if (this.dynamics !== null) {
      this.dynamics.remove(c);
      return;
    }
    if (c.spec.restart === 'temporary') this.statics.remove(c);
    else {
      c.pid = undefined;
      c.restarting = false;
    }
  }

  /** @internal asks to retry a failed restart once the mailbox has had a turn (OTP try_again_restart). */
  tryAgain(c: ChildRecord): void {
    this.deliverSystem({ type: '$try_again', child: c });
  }

  // ---- reporting ----

  /** @internal emits a `supervisor_report` trace event. */
  report(kind: SupervisorReportKind, c: ChildRecord | undefined, reason: unknown): void {
    if (!this.rt.trace.active) return;
    this.rt.trace.emit({
      kind: 'supervisor_report',
      supervisor: this.pid,
      report: kind,
      detail: { id: c?.spec.id, pid: c?.pid, reason },
    });
  }

  /** @internal emits a `restart` trace event for a child started by a restart (pid undefined if it failed). */
  traceRestart(c: ChildRecord, pid: Pid | undefined): void {
    if (!this.rt.trace.active) return;
    this.rt.trace.emit({ kind: 'restart', supervisor: this.pid, child: c.spec.id, pid });
  }
}
