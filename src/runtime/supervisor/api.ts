// The supervisor's client API (OTP supervisor:start_child/2 and friends, SUP-09), plus the start-function
// builders that make a child link to its supervisor. Requests go through the supervisor's mailbox and are
// answered in order; a request to a supervisor that dies first rejects with `Exit`.
import { GovernessError, RuntimeErrors } from '../../errors/index.js';
import { NoProc, PendingCall } from '../process/pending-call.js';
import type { Pid } from '../process/pid.js';
import type { Runtime, StartOptions, Target } from '../runtime.js';
import type { MachineDefinition, MachineTypes } from '../statem/types.js';
import type { SupRequest } from './requests.js';
import { startSupervisor } from './start.js';
import { Supervisor } from './supervisor.js';
import type {
  ChildCounts,
  ChildId,
  ChildInfo,
  ChildSpec,
  ChildStart,
  DeleteChildResult,
  GetChildspecResult,
  RestartChildResult,
  StartChildResult,
  SupervisorSpec,
  SupervisorStartOptions,
  TerminateChildResult,
} from './types.js';

function ask<R>(rt: Runtime, sup: Target, request: SupRequest): Promise<R> {
  const proc = rt.resolve(sup);
  if (proc === null || !proc.alive) return Promise.reject(new NoProc(String(sup)));
  if (!(proc instanceof Supervisor)) {
    return Promise.reject(
      new GovernessError(RuntimeErrors.supervisorError, {
        supervisor: proc.label(),
        problem: 'not a supervisor',
      }),
    );
  }
  return new Promise<R>((resolve, reject) => {
    proc.submit(request, new PendingCall(proc, resolve as (v: unknown) => void, reject, Infinity));
  });
}

/** Starts a child from a spec, or (simple_one_for_one) from extra arguments appended to the template's. */
export function startChild(
  rt: Runtime,
  sup: Target,
  specOrExtraArgs: ChildSpec | readonly unknown[],
): Promise<StartChildResult> {
  return ask(rt, sup, { op: 'start_child', arg: specOrExtraArgs });
}

/** Stops a child (by id, or by pid for simple_one_for_one); its spec is kept unless it is temporary. */
export function terminateChild(
  rt: Runtime,
  sup: Target,
  idOrPid: ChildId | Pid,
): Promise<TerminateChildResult> {
  return ask(rt, sup, { op: 'terminate_child', target: idOrPid });
}

/** Starts again a child whose spec is kept but which is not running. */
export function restartChild(rt: Runtime, sup: Target, id: ChildId): Promise<RestartChildResult> {
  return ask(rt, sup, { op: 'restart_child', id });
}

/** Deletes the spec of a child that is not running. */
export function deleteChild(rt: Runtime, sup: Target, id: ChildId): Promise<DeleteChildResult> {
  return ask(rt, sup, { op: 'delete_child', id });
}

/** Every child: id, pid (or `'restarting'`, or undefined) and type; static children last started first. */
export function whichChildren(rt: Runtime, sup: Target): Promise<ChildInfo[]> {
  return ask(rt, sup, { op: 'which_children' });
}

/** Counts specs, running children, supervisors and workers. */
export function countChildren(rt: Runtime, sup: Target): Promise<ChildCounts> {
  return ask(rt, sup, { op: 'count_children' });
}

/** The normalized spec of a child (by id, or by pid for simple_one_for_one). */
export function getChildspec(rt: Runtime, sup: Target, idOrPid: ChildId | Pid): Promise<GetChildspecResult> {
  return ask(rt, sup, { op: 'get_childspec', target: idOrPid });
}

/** A start function for a state machine child: `rt.start(def, args, { ...options, parent })`. */
export function statemChild<T extends MachineTypes>(
  def: MachineDefinition<T>,
  args: T['args'],
  options: Omit<StartOptions<T>, 'parent'> = {},
): ChildStart {
  return ({ rt, parent }) => rt.start(def, args, { ...options, parent });
}

/** Like `statemChild`, but builds `init`'s arguments from simple_one_for_one's extra arguments. */
export function statemChildWith<T extends MachineTypes>(
  def: MachineDefinition<T>,
  args: (extraArgs: readonly unknown[]) => T['args'],
  options: Omit<StartOptions<T>, 'parent'> = {},
): ChildStart {
  return ({ rt, parent, extraArgs }) => rt.start(def, args(extraArgs), { ...options, parent });
}

/** A start function for a nested supervisor (give the child spec `type: 'supervisor'`). */
export function supervisorChild(
  spec: SupervisorSpec,
  options: Omit<SupervisorStartOptions, 'parent'> = {},
): ChildStart {
  return ({ rt, parent }) => startSupervisor(rt, spec, { ...options, parent });
}
