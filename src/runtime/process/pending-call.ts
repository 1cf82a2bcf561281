// A call in flight. It is the `from` a machine replies to, and it sits in an intrusive list on the called process
// so the process's exit can fail every caller still waiting (like OTP's monitor inside gen:call).
import { GovernessError, RuntimeErrors } from '../../errors/index.js';
import type { TimerHandle, TimerTarget } from '../clock/clock.js';
import { formatReason, type ExitReason } from './exit-reason.js';
import type { Pid } from './pid.js';
import type { Proc } from './proc.js';

/** Rejection for a call that got no reply in time (OTP `{timeout, {gen_statem, call, ...}}`). */
export class CallTimeout extends GovernessError {
  constructor(target: string, timeoutMs: number) {
    super(RuntimeErrors.callTimeout, { target, timeoutMs });
    this.name = 'CallTimeout';
  }
}

/** Rejection for a call or stop to a process that does not exist (OTP `noproc`). */
export class NoProc extends GovernessError {
  constructor(target: string) {
    super(RuntimeErrors.noProc, { target });
    this.name = 'NoProc';
  }
}

/** Rejection for a call whose server exited before replying; `reason` is the server's exit reason. */
export class Exit extends GovernessError {
  /** The server's exit reason. */
  readonly reason: ExitReason;
  constructor(target: string, reason: ExitReason) {
    super(RuntimeErrors.exit, { target, reason: formatReason(reason) });
    this.name = 'Exit';
    this.reason = reason;
  }
}

/** Rejection for a call refused by a full bounded mailbox. */
export class MailboxFull extends GovernessError {
  constructor(target: string, capacity: number) {
    super(RuntimeErrors.mailboxFull, { target, capacity });
    this.name = 'MailboxFull';
  }
}

/** Anything a `reply` action may target: a call in flight, or a recording stand-in in unit tests. */
export abstract class ReplyTarget {
  /** Pid of the calling process, when the caller is one. */
  readonly caller: Pid | undefined = undefined;
  /** Delivers the reply; a second reply, or a reply after the caller gave up, is dropped quietly (GS-61). */
  abstract deliverReply(value: unknown): void;
}

/** A call waiting for its reply. */
export class PendingCall extends ReplyTarget implements TimerTarget {
  /** @internal neighbours in the target's list of waiting callers */
  prev: PendingCall | null = null;
  /** @internal */
  next: PendingCall | null = null;
  /** @internal the process the call went to, while it is still waiting */
  target: Proc | null;
  /** @internal */
  timer: TimerHandle | null = null;
  private done = false;

  constructor(
    target: Proc,
    private readonly resolve: (value: unknown) => void,
    private readonly reject: (err: Error) => void,
    private readonly timeoutMs: number,
  ) {
    super();
    this.target = target;
    target.addCaller(this);
  }

  /** True once answered, timed out or failed. */
  get settled(): boolean {
    return this.done;
  }

  deliverReply(value: unknown): void {
    if (this.done) return;
    this.finish();
    this.resolve(value);
  }

  /** Fails the call because the server exited (or never existed). */
  fail(err: Error): void {
    if (this.done) return;
    this.finish();
    this.reject(err);
  }

  /** Clock callback: the caller's timeout expired. */
  onTimer(): void {
    if (this.done) return;
    const label = this.target?.label() ?? 'process';
    this.timer = null;
    this.finish();
    this.reject(new CallTimeout(label, this.timeoutMs));
  }

  private finish(): void {
    this.done = true;
    if (this.timer !== null) {
      this.target?.rt.clock.cancel(this.timer);
      this.timer = null;
    }
    this.target?.removeCaller(this);
    this.target = null;
  }
}
