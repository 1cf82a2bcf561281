// A scriptable machine for the process-layer conformance tests: it records every cast and info event it sees,
// performs whatever actions a `{ do: [...] }` cast asks for (effects included), crashes or stops on request, and
// reports its terminate calls through a hook given at start.
import type { Harness } from '../../../support/harness.js';
import {
  defineMachine,
  initOk,
  keepState,
  keepStateAndData,
  reply,
  stop,
  type Action,
  type ExitReason,
  type MachineTypes,
  type Pid,
  type StartOptions,
} from '../../../../src/runtime/index.js';

/** What the probe saw: `{ type, content }` of every non-call event except ticks, in order. */
export interface Seen {
  readonly type: string;
  readonly content: unknown;
}

/** The probe's data. */
export interface ProbeData {
  readonly log: readonly Seen[];
  readonly count: number;
  readonly onTerminate: ((reason: ExitReason) => void) | undefined;
}

/** Probe arguments. */
export interface ProbeArgs {
  /** Called from terminate with the reason. */
  readonly onTerminate?: (reason: ExitReason) => void;
  /** Actions returned by init. */
  readonly init?: readonly Action<MachineTypes>[];
}

/** The probe's protocol. Casts: 'tick' (count only), { do }, { crash }, { stop }, anything else (logged). */
export interface ProbeTypes extends MachineTypes {
  state: 'idle';
  data: ProbeData;
  calls: {
    get: { reply: ProbeData };
    ping: { reply: 'pong' };
    count: { reply: number };
    /** Never answered (for call timeouts and calls failed by an exit). */
    hang: { reply: never };
  };
  cast: unknown;
  info: unknown;
  args: ProbeArgs;
}

function isObj(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null;
}

/** The probe definition. */
export const probe = defineMachine<ProbeTypes>({
  name: 'probe',
  init: (args) => initOk('idle', { log: [], count: 0, onTerminate: args.onTerminate }, ...(args.init ?? [])),
  handleEvent(event, _state, data) {
    switch (event.type) {
      case 'call':
        switch (event.call) {
          case 'get':
            return keepStateAndData(reply(event.from, data));
          case 'ping':
            return keepStateAndData(reply(event.from, 'pong'));
          case 'count':
            return keepStateAndData(reply(event.from, data.count));
          default:
            return keepStateAndData();
        }
      case 'cast': {
        const c = event.content;
        if (c === 'tick') return keepState({ ...data, count: data.count + 1 });
        const logged = { ...data, log: [...data.log, { type: 'cast', content: c }] };
        if (isObj(c) && Array.isArray(c.do)) return keepState(logged, ...(c.do as Action<MachineTypes>[]));
        if (isObj(c) && typeof c.crash === 'string') throw new Error(c.crash);
        if (isObj(c) && 'stop' in c) return stop(c.stop as ExitReason, logged);
        return keepState(logged);
      }
      case 'info':
        return keepState({ ...data, log: [...data.log, { type: 'info', content: event.content }] });
      default:
        // Timeouts and inserted events are logged with their type.
        return keepState({
          ...data,
          log: [...data.log, { type: event.type, content: 'content' in event ? event.content : undefined }],
        });
    }
  },
  terminate(reason, _state, data) {
    data.onTerminate?.(reason);
  },
});

/** Starts a probe and returns its pid (throws if the start fails). */
export function spawn(
  h: Harness,
  args: ProbeArgs = {},
  options: StartOptions<ProbeTypes> = {},
): Pid<ProbeTypes> {
  const r = h.rt.start(probe, args, options);
  if (!r.ok) throw new Error(`probe start failed: ${JSON.stringify(r.reason)}`);
  return r.pid;
}

/** Everything the probe has logged so far. */
export function seen(h: Harness, pid: Pid<ProbeTypes>): readonly Seen[] {
  return h.rt.getState(pid).data.log;
}

/** Logged info contents only. */
export function infos(h: Harness, pid: Pid<ProbeTypes>): unknown[] {
  return seen(h, pid)
    .filter((s) => s.type === 'info')
    .map((s) => s.content);
}

/** Asks a probe to perform actions (effects) in its next transition. */
export function perform(h: Harness, pid: Pid<ProbeTypes>, ...actions: Action<MachineTypes>[]): void {
  h.rt.cast(pid, { do: actions });
}

/** Makes a probe crash with an `exception` reason whose message is `why`. */
export function crash(h: Harness, pid: Pid<ProbeTypes>, why = 'boom'): void {
  h.rt.cast(pid, { crash: why });
}

/** The message of the error a crashed probe threw (from its `exception` crash reason), else undefined. */
export function thrown(reason: unknown): string | undefined {
  if (typeof reason !== 'object' || reason === null) return undefined;
  const r = reason as { error?: unknown; detail?: unknown };
  return r.error === 'exception' && r.detail instanceof Error ? r.detail.message : undefined;
}
