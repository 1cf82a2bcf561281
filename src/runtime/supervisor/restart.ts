// What happens when a child exits (OTP do_restart, restart/2, SUP-03..05, SUP-07): the restart type decides
// whether to restart; every restart is counted against the intensity; the strategy decides which siblings are
// stopped and started again. A start that fails leaves the child `restarting` and is retried through the mailbox.
import { isCleanExit, type ExitReason } from '../process/exit-reason.js';
import { isLive, type ChildRecord } from './children.js';
import type { Supervisor } from './supervisor.js';

/** `shutdown` means the supervisor must stop all its children and exit with `shutdown`. */
export type Outcome = 'ok' | 'shutdown';

/** A child exited with `reason`: restart it, forget it, or shut the supervisor down. */
export async function childExited(sup: Supervisor, child: ChildRecord, reason: ExitReason): Promise<Outcome> {
  const type = child.spec.restart;
  if (type === 'permanent') {
    sup.report('child_terminated', child, reason);
    return restartChild(sup, child);
  }
  if (isCleanExit(reason)) {
    sup.delChild(child);
    return autoShutdown(sup, child);
  }
  sup.report('child_terminated', child, reason);
  if (type === 'transient') return restartChild(sup, child);
  sup.delChild(child);
  return autoShutdown(sup, child);
}

/** Counts a restart and applies the strategy (OTP restart/2). */
export async function restartChild(sup: Supervisor, child: ChildRecord): Promise<Outcome> {
  if (!sup.intensity.add(sup.rt.clock.now())) {
    sup.report('reached_max_restart_intensity', child, 'shutdown');
    sup.delChild(child);
    return 'shutdown';
  }
  switch (sup.flags.strategy) {
    case 'simple_one_for_one':
      await restartDynamic(sup, child);
      break;
    case 'one_for_one':
      await restartGroup(sup, child, [child]);
      break;
    case 'rest_for_one':
      await restartGroup(sup, child, sup.statics.from(child));
      break;
    case 'one_for_all':
      await restartGroup(sup, child, [...sup.statics.all()]);
      break;
  }
  return 'ok';
}

async function restartDynamic(sup: Supervisor, child: ChildRecord): Promise<void> {
  const dyn = sup.dynamics;
  if (dyn === null) return;
  dyn.remove(child);
  const r = await sup.startProcess(child.spec, child.extraArgs);
  if (r.ok) {
    sup.traceRestart(child, r.pid);
    if (r.pid !== undefined) dyn.add({ ...child, pid: r.pid, restarting: false });
    return;
  }
  const retry: ChildRecord = { ...child, pid: undefined, restarting: true };
  dyn.add(retry);
  sup.report('start_error', retry, r.reason);
  sup.traceRestart(retry, undefined);
  sup.tryAgain(retry);
}

/**
 * Restarts `child` together with `group` (just the child for one_for_one, the child and those started after it
 * for rest_for_one, everyone for one_for_all): the others are stopped in reverse start order — temporary ones for
 * good — then all are started in start order. The first start that fails marks that child `restarting`, leaves
 * the rest stopped, and schedules a retry.
 */
async function restartGroup(
  sup: Supervisor,
  child: ChildRecord,
  group: readonly ChildRecord[],
): Promise<void> {
  child.pid = undefined;
  child.restarting = false;
  for (const c of [...group].reverse()) {
    if (c === child) continue;
    await sup.stopChild(c);
    if (c.spec.restart === 'temporary') sup.statics.remove(c);
  }
  for (const c of group) {
    if (!sup.statics.has(c)) continue;
    const r = await sup.startProcess(c.spec, []);
    if (r.ok) {
      c.pid = r.pid;
      c.restarting = false;
      sup.traceRestart(c, r.pid);
      continue;
    }
    c.restarting = true;
    sup.report('start_error', c, r.reason);
    sup.traceRestart(c, undefined);
    sup.tryAgain(c);
    return;
  }
}

/** After a significant child ended for good: should the supervisor shut itself down (SUP-07)? */
function autoShutdown(sup: Supervisor, child: ChildRecord): Outcome {
  const mode = sup.flags.autoShutdown;
  if (mode === 'never' || !child.spec.significant) return 'ok';
  let shutdown: boolean;
  if (mode === 'any_significant') shutdown = true;
  else if (sup.dynamics !== null) shutdown = sup.dynamics.size === 0;
  else shutdown = !sup.statics.all().some((c) => isLive(c) && c.spec.significant);
  if (shutdown) sup.report('auto_shutdown', child, mode);
  return shutdown ? 'shutdown' : 'ok';
}
