// Starting a supervisor (OTP supervisor:start_link): check the spec, take the name, link to the parent, start
// the children left to right. If one fails, those already started are stopped and the result is
// `{ error: { shutdown: { failed_to_start_child, reason } } }` (SUP-08).
import { GovernessError, RuntimeErrors } from '../../errors/index.js';
import { isLocalName, isViaName } from '../registry/registry.js';
import type { Runtime } from '../runtime.js';
import { brief } from '../statem/describe.js';
import { normalizeChildSpecs, normalizeFlags } from './spec.js';
import { Supervisor, SupervisorGone } from './supervisor.js';
import type { ChildStartResult, SupervisorSpec, SupervisorStartOptions } from './types.js';

/**
 * Starts a supervisor and its children; resolves once every child has started (or the start failed and the
 * started ones have been stopped). Throws GOV_BAD_CHILD_SPEC / GOV_BAD_ARGUMENT for an invalid spec.
 */
export async function startSupervisor(
  rt: Runtime,
  spec: SupervisorSpec,
  options: SupervisorStartOptions = {},
): Promise<ChildStartResult> {
  const flags = normalizeFlags(spec?.flags);
  const specs = normalizeChildSpecs(spec?.children, flags);
  const { name, parent } = options;
  if (name !== undefined && !isViaName(name) && !isLocalName(name)) {
    throw new GovernessError(RuntimeErrors.badArgument, {
      argument: 'name',
      problem: `${brief(name)} is not a string, a non-empty array of strings/numbers, or { via, name }`,
    });
  }
  if (name !== undefined) {
    const holder = isViaName(name) ? name.via.whereis(name.name) : rt.registry.whereis(name)?.pid;
    if (holder !== undefined && holder.alive) return { ok: false, reason: { already_started: holder } };
  }
  if (parent !== undefined && !parent.alive) return { ok: false, reason: { exit: 'noproc' } };
  const sup = new Supervisor(rt, flags, specs, parent ?? rt.rootPid);
  if (name !== undefined) {
    if (isViaName(name)) {
      const clash = name.via.register(name.name, sup.pid);
      if (clash !== null) {
        sup.exit('normal', false);
        return { ok: false, reason: { already_started: clash } };
      }
      sup.registeredName = name;
    } else {
      rt.registry.register(name, sup);
    }
  }
  if (parent?.proc) sup.link(parent.proc, parent);
  if (rt.trace.active) rt.trace.emit({ kind: 'spawn', pid: sup.pid, name, machine: 'supervisor' });
  let init: Awaited<ReturnType<Supervisor['init']>>;
  try {
    init = await sup.init();
  } catch (err) {
    if (err instanceof SupervisorGone) return { ok: false, reason: { exit: sup.exitReason ?? 'killed' } };
    sup.crash(err);
    return { ok: false, reason: { exit: sup.exitReason ?? 'killed' } };
  }
  if (!init.ok) {
    // Like proc_lib's init_fail: the caller learns the outcome from the result, not from an exit signal.
    if (parent?.proc) sup.unlink(parent.proc);
    const reason = { shutdown: init.failure };
    sup.exit(reason, false);
    return { ok: false, reason: { error: reason } };
  }
  sup.ready();
  return { ok: true, pid: sup.pid };
}
