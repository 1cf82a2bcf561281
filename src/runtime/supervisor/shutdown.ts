// Stopping children (SUP-06). `brutal_kill` sends an untrappable kill; an integer sends `shutdown`, waits that many
// ms on the injected clock, then kills; `infinity` sends `shutdown` and waits for ever. The supervisor watches the
// child (a monitor, as OTP does, so a child that unlinked cannot hang it), keeps the link until the child is gone,
// then flushes the child's EXIT message from its own mailbox and judges the reason.
import type { TimerHandle } from '../clock/clock.js';
import type { RuntimeContext } from '../process/context.js';
import type { ExitReason } from '../process/exit-reason.js';
import type { Pid } from '../process/pid.js';
import type { Proc, Watcher } from '../process/proc.js';
import type { RestartType, ShutdownSpec } from './types.js';

/** What the shutdown machinery needs from its supervisor. */
export interface ShutdownOwner {
  readonly pid: Pid;
  readonly rt: RuntimeContext;
  /** Removes the EXIT message from `pid` from the mailbox, returning its reason (OTP unlink_flush). */
  flushExit(pid: Pid): ExitReason | undefined;
}

/** True when a child stopped the way its shutdown asked (otherwise OTP reports a shutdown_error). */
export function shutdownOk(reason: ExitReason, shutdown: ShutdownSpec, restart: RestartType): boolean {
  if (shutdown === 'brutal_kill' && reason === 'killed') return true;
  if (reason === 'shutdown') return true;
  if (restart === 'permanent') return false;
  if (reason === 'normal') return true;
  return (
    typeof reason === 'object' && reason !== null && 'shutdown' in reason && Object.keys(reason).length === 1
  );
}

/** Runs shutdowns and remembers their timers and monitors so a killed supervisor leaves nothing armed. */
export class Shutdowns {
  private readonly timers = new Set<TimerHandle>();
  private readonly watches = new Map<Watcher, Proc>();

  constructor(private readonly owner: ShutdownOwner) {}

  /**
   * Stops every pid in parallel with one shutdown policy and one timer; resolves with each one's exit reason, in
   * the order given. A pid that is already dead reports the reason from its EXIT message (or `noproc`).
   */
  async stop(pids: readonly Pid[], shutdown: ShutdownSpec): Promise<ExitReason[]> {
    const downs = pids.map((pid) => this.down(pid));
    const signal = shutdown === 'brutal_kill' ? 'kill' : 'shutdown';
    for (const pid of pids) pid.proc?.exitSignal(this.owner.pid, signal, false);
    let timer: TimerHandle | null = null;
    if (typeof shutdown === 'number' && pids.some((p) => p.alive)) {
      const clock = this.owner.rt.clock;
      const handle = clock.schedule(
        clock.now() + shutdown,
        {
          onTimer: () => {
            this.timers.delete(handle);
            timer = null;
            for (const pid of pids) pid.proc?.exitSignal(this.owner.pid, 'kill', false);
          },
        },
        0,
      );
      timer = handle;
      this.timers.add(handle);
    }
    const reasons = await Promise.all(downs);
    if (timer !== null) {
      this.owner.rt.clock.cancel(timer);
      this.timers.delete(timer);
    }
    return pids.map((pid, i) => this.owner.flushExit(pid) ?? (reasons[i] as ExitReason));
  }

  /** Disarms every timer and monitor (the supervisor is gone). */
  cancelAll(): void {
    for (const t of this.timers) this.owner.rt.clock.cancel(t);
    this.timers.clear();
    for (const [w, proc] of this.watches) proc.removeWatchers((x) => x === w);
    this.watches.clear();
  }

  private down(pid: Pid): Promise<ExitReason> {
    const proc = pid.proc;
    if (proc === null || !proc.alive) return Promise.resolve('noproc');
    return new Promise<ExitReason>((resolve) => {
      const w: Watcher = {
        watcher: null,
        tag: undefined,
        callback: (reason) => {
          this.watches.delete(w);
          resolve(reason);
        },
      };
      this.watches.set(w, proc);
      proc.addWatcher(w);
    });
  }
}
