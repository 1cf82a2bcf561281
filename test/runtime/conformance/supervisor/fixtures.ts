// Children for the supervisor conformance suite: a worker that logs its start and terminate, crashes or exits on
// command and can be told to fail or ignore its next starts; a stubborn worker that traps exits, links itself to
// its supervisor (it is not the supervisor's `parent` child) and ignores the shutdown signal.
import { expect } from 'vitest';
import {
  Supervisor,
  defineMachine,
  formatReason,
  initError,
  initIgnore,
  initOk,
  keepStateAndData,
  link,
  reply,
  startSupervisor,
  statemChild,
  stop,
  whichChildren,
  type ChildSpec,
  type ChildStart,
  type ExitReason,
  type MachineTypes,
  type Pid,
  type SupervisorSpec,
  type SupervisorStartOptions,
} from '../../../../src/runtime/index.js';
import type { Harness } from '../../../support/harness.js';

/** Test-side knobs shared with a worker's successive incarnations. */
export interface Control {
  /** The next this-many starts fail with `{ error: 'boom' }`. */
  failStarts: number;
  /** The next this-many starts return `ignore`. */
  ignoreStarts: number;
}

/** Worker arguments. */
export interface WorkerArgs {
  readonly id: string;
  readonly log: string[];
  readonly ctl: Control;
  readonly linkTo?: Pid;
}

/** The worker's protocol. */
export interface WorkerT extends MachineTypes {
  state: 'up';
  data: WorkerArgs;
  calls: { ping: { reply: string } };
  cast: { type: 'crash' } | { type: 'exit'; reason: ExitReason };
  info: unknown;
  internal: never;
  timeout: never;
  args: WorkerArgs;
}

/** A worker: logs `start:id` and `terminate:id:reason`; `crash` stops it with `{ crash: id }`. */
export const workerDef = defineMachine<WorkerT>({
  name: 'worker',
  init: (args) => {
    if (args.ctl.failStarts > 0) {
      args.ctl.failStarts--;
      args.log.push(`failed:${args.id}`);
      return initError('boom');
    }
    if (args.ctl.ignoreStarts > 0) {
      args.ctl.ignoreStarts--;
      return initIgnore();
    }
    args.log.push(`start:${args.id}`);
    return args.linkTo === undefined ? initOk('up', args) : initOk('up', args, link(args.linkTo));
  },
  handleEvent: (event, _state, data) => {
    if (event.type === 'cast') {
      return event.content.type === 'crash' ? stop({ crash: data.id }) : stop(event.content.reason);
    }
    if (event.type === 'call') return keepStateAndData(reply(event.from, data.id));
    return keepStateAndData();
  },
  terminate: (reason, _state, data) => {
    data.log.push(`terminate:${data.id}:${formatReason(reason)}`);
  },
});

/** A fresh control block. */
export function control(): Control {
  return { failStarts: 0, ignoreStarts: 0 };
}

/** Options of `worker`. */
export interface WorkerOptions extends Omit<ChildSpec, 'id' | 'start'> {
  /** Trap exits (so terminate runs on shutdown). */
  readonly trap?: boolean;
  /** Shared control block. */
  readonly ctl?: Control;
}

/** A child spec for a worker with this id that logs into `log`. */
export function worker(id: string, log: string[], opts: WorkerOptions = {}): ChildSpec {
  const { trap, ctl, ...rest } = opts;
  return {
    id,
    start: statemChild(workerDef, { id, log, ctl: ctl ?? control() }, { trapExit: trap === true }),
    ...rest,
  };
}

/** A start function for a worker that traps exits but is not the supervisor's child by `parent`: it links itself
 * and so ignores the supervisor's shutdown signal (an EXIT message it does nothing with). */
export function stubbornStart(id: string, log: string[]): ChildStart {
  return ({ rt, parent }) =>
    rt.start(workerDef, { id, log, ctl: control(), linkTo: parent }, { trapExit: true });
}

/** Starts a supervisor and fails the test if it does not start. */
export async function supervise(
  h: Harness,
  spec: SupervisorSpec,
  opts: SupervisorStartOptions = {},
): Promise<Pid> {
  const r = await startSupervisor(h.rt, spec, opts);
  if (!r.ok) throw new Error(`supervisor did not start: ${formatReason(r.reason)}`);
  await h.settle();
  return r.pid;
}

/** The pid of a static child (fails the test if it is not running). */
export async function pidOf(h: Harness, sup: Pid, id: string): Promise<Pid> {
  const row = (await whichChildren(h.rt, sup)).find((c) => c.id === id);
  const pid = row?.pid;
  expect(pid, `child ${id} should be running`).toBeTypeOf('object');
  return pid as Pid;
}

/** Crashes a worker and waits until the supervisor has dealt with it. */
export async function crash(h: Harness, pid: Pid): Promise<void> {
  h.rt.cast(pid as Pid<WorkerT>, { type: 'crash' });
  await h.settle();
}

/** Makes a worker exit with `reason` and waits until the supervisor has dealt with it. */
export async function exitWith(h: Harness, pid: Pid, reason: ExitReason): Promise<void> {
  h.rt.cast(pid as Pid<WorkerT>, { type: 'exit', reason });
  await h.settle();
}

/** The Supervisor behind a pid, for looking at its normalized flags. */
export function supervisorOf(pid: Pid): Supervisor {
  const proc = pid.proc;
  if (!(proc instanceof Supervisor)) throw new Error('not a supervisor');
  return proc;
}
