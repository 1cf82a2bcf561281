// The dynamic API, supervisor side (OTP handle_call, SUP-09): start, terminate, restart and delete children,
// and look at them. Each request is handled in mailbox order, between restarts, never during one.
import { GovernessError, RuntimeErrors } from '../../errors/index.js';
import { Pid } from '../process/pid.js';
import type { ChildRecord } from './children.js';
import { normalizeChildSpec } from './spec.js';
import type { Supervisor } from './supervisor.js';
import type {
  ChildCounts,
  ChildId,
  ChildInfo,
  ChildSpec,
  DeleteChildResult,
  GetChildspecResult,
  NormalizedChildSpec,
  RestartChildResult,
  StartChildResult,
  TerminateChildResult,
} from './types.js';

/** A request to a supervisor. */
export type SupRequest =
  | { readonly op: 'start_child'; readonly arg: ChildSpec | readonly unknown[] }
  | { readonly op: 'terminate_child'; readonly target: ChildId | Pid }
  | { readonly op: 'restart_child'; readonly id: ChildId }
  | { readonly op: 'delete_child'; readonly id: ChildId }
  | { readonly op: 'get_childspec'; readonly target: ChildId | Pid }
  | { readonly op: 'which_children' }
  | { readonly op: 'count_children' };

/** Handles one request; the value is the reply. Throws a GovernessError for a malformed request. */
export async function handleRequest(sup: Supervisor, req: SupRequest): Promise<unknown> {
  switch (req.op) {
    case 'start_child':
      return sup.dynamics !== null ? startDynamic(sup, req.arg) : startStatic(sup, req.arg);
    case 'terminate_child':
      return terminate(sup, req.target);
    case 'restart_child':
      return restart(sup, req.id);
    case 'delete_child':
      return remove(sup, req.id);
    case 'get_childspec':
      return childspec(sup, req.target);
    case 'which_children':
      return which(sup);
    case 'count_children':
      return count(sup);
  }
}

async function startDynamic(sup: Supervisor, arg: ChildSpec | readonly unknown[]): Promise<StartChildResult> {
  if (!Array.isArray(arg)) {
    throw new GovernessError(RuntimeErrors.supervisorError, {
      supervisor: sup.label(),
      problem: 'a simple_one_for_one supervisor starts children from an array of extra arguments',
    });
  }
  const spec = sup.template as NormalizedChildSpec;
  const extraArgs = [...(arg as readonly unknown[])];
  const r = await sup.startProcess(spec, extraArgs);
  if (!r.ok) return { ok: false, error: { failed_to_start_child: spec.id, reason: r.reason } };
  if (r.pid !== undefined) sup.dynamics?.add({ spec, pid: r.pid, restarting: false, extraArgs });
  return { ok: true, pid: r.pid };
}

async function startStatic(sup: Supervisor, arg: ChildSpec | readonly unknown[]): Promise<StartChildResult> {
  if (Array.isArray(arg)) {
    throw new GovernessError(RuntimeErrors.badChildSpec, {
      id: 'undefined',
      problem: `extra arguments are only for simple_one_for_one; ${sup.flags.strategy} needs a child spec`,
    });
  }
  const spec = normalizeChildSpec(arg as ChildSpec, sup.flags.autoShutdown);
  const old = sup.statics.byId(spec.id);
  if (old !== undefined) {
    return old.pid !== undefined
      ? { ok: false, error: { already_started: old.pid } }
      : { ok: false, error: 'already_present' };
  }
  const r = await sup.startProcess(spec, []);
  if (!r.ok) {
    const reason = r.reason as { already_started?: unknown } | null;
    if (typeof reason === 'object' && reason !== null && reason.already_started instanceof Pid) {
      return { ok: false, error: { already_started: reason.already_started } };
    }
    return { ok: false, error: { failed_to_start_child: spec.id, reason: r.reason } };
  }
  if (r.pid !== undefined || spec.restart !== 'temporary') {
    sup.statics.add({ spec, pid: r.pid, restarting: false, extraArgs: [] });
  }
  return { ok: true, pid: r.pid };
}

async function terminate(sup: Supervisor, target: ChildId | Pid): Promise<TerminateChildResult> {
  if (sup.dynamics !== null) {
    if (!(target instanceof Pid)) return { ok: false, error: 'simple_one_for_one' };
    const c = sup.dynamics.byPid(target);
    if (c === undefined) return target.alive ? { ok: false, error: 'not_found' } : { ok: true };
    await sup.stopChild(c);
    sup.dynamics.remove(c);
    return { ok: true };
  }
  const c = sup.statics.byId(target);
  if (c === undefined) return { ok: false, error: 'not_found' };
  await sup.stopChild(c);
  if (c.spec.restart === 'temporary') sup.statics.remove(c);
  return { ok: true };
}

async function restart(sup: Supervisor, id: ChildId): Promise<RestartChildResult> {
  if (sup.dynamics !== null) return { ok: false, error: 'simple_one_for_one' };
  const c = sup.statics.byId(id);
  if (c === undefined) return { ok: false, error: 'not_found' };
  if (c.restarting) return { ok: false, error: 'restarting' };
  if (c.pid !== undefined) return { ok: false, error: 'running' };
  const r = await sup.startProcess(c.spec, []);
  if (!r.ok) return { ok: false, error: { failed_to_start_child: id, reason: r.reason } };
  c.pid = r.pid;
  return { ok: true, pid: r.pid };
}

function remove(sup: Supervisor, id: ChildId): DeleteChildResult {
  if (sup.dynamics !== null) return { ok: false, error: 'simple_one_for_one' };
  const c = sup.statics.byId(id);
  if (c === undefined) return { ok: false, error: 'not_found' };
  if (c.restarting) return { ok: false, error: 'restarting' };
  if (c.pid !== undefined) return { ok: false, error: 'running' };
  sup.statics.remove(c);
  return { ok: true };
}

function childspec(sup: Supervisor, target: ChildId | Pid): GetChildspecResult {
  if (sup.dynamics !== null) {
    const known = target instanceof Pid && (sup.dynamics.byPid(target) !== undefined || !target.alive);
    return known
      ? { ok: true, spec: sup.template as NormalizedChildSpec }
      : { ok: false, error: 'not_found' };
  }
  const c = sup.statics.byId(target);
  return c === undefined ? { ok: false, error: 'not_found' } : { ok: true, spec: c.spec };
}

function info(c: ChildRecord, id: ChildId | undefined): ChildInfo {
  return { id, pid: c.restarting ? 'restarting' : c.pid, type: c.spec.type };
}

/** OTP lists static children last started first (its id list is kept in reverse start order). */
function which(sup: Supervisor): ChildInfo[] {
  if (sup.dynamics !== null) return sup.dynamics.all().map((c) => info(c, undefined));
  return [...sup.statics.all()].reverse().map((c) => info(c, c.spec.id));
}

function count(sup: Supervisor): ChildCounts {
  if (sup.dynamics !== null) {
    const size = sup.dynamics.size;
    const sup1 = (sup.template as NormalizedChildSpec).type === 'supervisor';
    return {
      specs: 1,
      active: size - sup.dynamics.restarting,
      supervisors: sup1 ? size : 0,
      workers: sup1 ? 0 : size,
    };
  }
  const all = sup.statics.all();
  const alive = (c: ChildRecord) => c.pid !== undefined && c.pid.alive;
  return {
    specs: all.length,
    active: all.filter(alive).length,
    supervisors: all.filter((c) => c.spec.type === 'supervisor').length,
    workers: all.filter((c) => c.spec.type === 'worker').length,
  };
}
