// Our side of the differential test: the scenario's program as a MachineDefinition, its script run on a
// SimulatedClock (one scenario unit = UNIT_MS virtual ms), producing the trace format gov_diff.erl produces.
import { SimulatedClock } from '../../src/runtime/clock/index.js';
import {
  Runtime,
  cancelEventTimeout,
  cancelGenericTimeout,
  cancelStateTimeout,
  eventTimeout,
  genericTimeout,
  initOk,
  keepState,
  keepStateAndData,
  nextEvent,
  nextState,
  postpone,
  repeatState,
  repeatStateAndData,
  reply,
  stateTimeout,
  stop,
  stopAndReply,
  updateEventTimeout,
  updateGenericTimeout,
  updateStateTimeout,
  type Action,
  type AnyMachineTypes,
  type ExitReason,
  type From,
  type MachineDefinition,
  type Result,
  type StatemEvent,
  type EnterCall,
} from '../../src/runtime/index.js';
import {
  CALLBACK_BUDGET,
  TIMING_MARGIN,
  UNIT_MS,
  showTerm,
  type ActionSpec,
  type DataOp,
  type Program,
  type ResultSpec,
  type Rule,
  type Scenario,
  type Term,
} from './scenario.js';

interface Data {
  readonly n: number;
  readonly log: readonly Term[];
  readonly saved: readonly From<unknown>[];
}

type A = Action<AnyMachineTypes>;

/** The outcome of running a scenario on our runtime. */
export interface Run {
  /** Trace lines, in the format the Erlang side prints. */
  readonly lines: string[];
  /** Timing hazards: places where OTP's real-time order would not be deterministic (empty when none). */
  readonly hazards: string[];
}

function typeKey(ev: StatemEvent<AnyMachineTypes> | EnterCall<AnyMachineTypes>): {
  key: string;
  content: unknown;
  from: From<unknown> | null;
} {
  switch (ev.type) {
    case 'call':
      return { key: 'call', content: (ev.request as { content?: unknown }).content, from: ev.from };
    case 'generic_timeout':
      return { key: `timeout:${ev.name}`, content: ev.content, from: null };
    case 'enter':
      return { key: 'enter', content: ev.oldState, from: null };
    default:
      return { key: ev.type, content: ev.content, from: null };
  }
}

function matches(r: Rule, state: unknown, key: string, content: unknown, n: number): boolean {
  return (
    (r.state === '_' || r.state === state) &&
    (r.type === '_' || r.type === key) &&
    (r.content === '_' || r.content === content) &&
    (r.nBelow === undefined || n < r.nBelow) &&
    (r.nAtLeast === undefined || n >= r.nAtLeast)
  );
}

function applyOps(
  data: Data,
  ops: readonly DataOp[] | undefined,
  from: From<unknown> | null,
  content: unknown,
): Data {
  let d = data;
  for (const op of ops ?? []) {
    if (op === 'inc') d = { ...d, n: d.n + 1 };
    else if (op === 'log') d = { ...d, log: [...d.log, content as Term] };
    else if (op === 'save') d = from === null ? d : { ...d, saved: [...d.saved, from] };
    else d = { ...d, saved: [] };
  }
  return d;
}

function timeMs(t: number | 'infinity'): number | 'infinity' {
  return t === 'infinity' ? 'infinity' : t * UNIT_MS;
}

function toActions(specs: readonly ActionSpec[] | undefined, from: From<unknown> | null, data: Data): A[] {
  const out: A[] = [];
  for (const s of specs ?? []) {
    switch (s.a) {
      case 'reply':
        if (from !== null) out.push(reply(from, s.value));
        break;
      case 'reply_saved':
        for (const f of data.saved) out.push(reply(f, s.value));
        break;
      case 'postpone':
        out.push(postpone());
        break;
      case 'next_event':
        out.push(nextEvent<AnyMachineTypes>(s.type, s.content));
        break;
      case 'timeout':
        if (s.kind === 'event') out.push(eventTimeout(timeMs(s.time), s.content));
        else if (s.kind === 'state') out.push(stateTimeout(timeMs(s.time), s.content));
        else out.push(genericTimeout(s.name, timeMs(s.time), s.content));
        break;
      case 'cancel':
        if (s.kind === 'event') out.push(cancelEventTimeout());
        else if (s.kind === 'state') out.push(cancelStateTimeout());
        else out.push(cancelGenericTimeout(s.name));
        break;
      case 'update':
        if (s.kind === 'event') out.push(updateEventTimeout(s.content));
        else if (s.kind === 'state') out.push(updateStateTimeout(s.content));
        else out.push(updateGenericTimeout(s.name, s.content));
        break;
    }
  }
  return out;
}

function toResult(
  spec: ResultSpec,
  from: From<unknown> | null,
  content: unknown,
  data: Data,
): Result<AnyMachineTypes> {
  const d1 = 'ops' in spec ? applyOps(data, spec.ops, from, content) : data;
  const acts = () => ('actions' in spec ? toActions(spec.actions, from, data) : []);
  switch (spec.r) {
    case 'next_state':
      return nextState<AnyMachineTypes>(spec.state, d1, ...acts());
    case 'keep_state':
      return keepState<AnyMachineTypes>(d1, ...acts());
    case 'keep_state_and_data':
      return keepStateAndData<AnyMachineTypes>(...acts());
    case 'repeat_state':
      return repeatState<AnyMachineTypes>(d1, ...acts());
    case 'repeat_state_and_data':
      return repeatStateAndData<AnyMachineTypes>(...acts());
    case 'stop':
      return stop<AnyMachineTypes>(spec.reason as ExitReason, d1);
    case 'stop_and_reply':
      return stopAndReply<AnyMachineTypes>(
        spec.reason as ExitReason,
        toActions(spec.replies, from, data),
        d1,
      );
  }
}

/** Builds the machine; `out` receives one trace line per callback invocation. */
export function machineOf(program: Program, out: string[]): MachineDefinition<AnyMachineTypes> {
  let calls = 0;
  return {
    name: 'diff',
    stateEnter: program.stateEnter,
    init: () => {
      const n = program.init.n ?? 0;
      out.push(`init ${program.init.state} n=${n}`);
      const data: Data = { n, log: [], saved: [] };
      return initOk<AnyMachineTypes>(
        program.init.state,
        data,
        ...toActions(program.init.actions, null, data),
      );
    },
    handleEvent: (event, state, raw) => {
      const data = raw as Data;
      calls++;
      const { key, content, from } = typeKey(event);
      const show = `${showTerm(state)} ${key} ${showTerm(content)} n=${data.n} -> `;
      if (calls > CALLBACK_BUDGET) {
        out.push(`${show}budget`);
        return stop<AnyMachineTypes>('budget' as ExitReason);
      }
      const i = program.rules.findIndex((r) => matches(r, state, key, content, data.n));
      if (i < 0) {
        out.push(`${show}default`);
        return keepStateAndData<AnyMachineTypes>();
      }
      out.push(`${show}r${i}`);
      return toResult((program.rules[i] as Rule).result, from, content, data);
    },
  };
}

/**
 * Our crash kinds whose names differ from OTP's exit tags (same crash, shorter name; see "Differential testing" in
 * docs/runtime/semantics.md). Every other kind has OTP's name.
 */
export const OTP_CRASH_TAG: Readonly<Record<string, string>> = {
  bad_action: 'bad_action_from_state_function',
  bad_state_enter_action: 'bad_state_enter_action_from_state_function',
  bad_reply_action: 'bad_reply_action_from_state_function',
};

/** Formats an exit reason like the Erlang side: atoms as is, structured crashes as `crash:<OTP tag>`. */
export function showReason(reason: ExitReason): string {
  if (typeof reason === 'string') return reason;
  if (typeof reason === 'object' && reason !== null && 'error' in reason) {
    const kind = String(reason.error);
    return `crash:${OTP_CRASH_TAG[kind] ?? kind}`;
  }
  return JSON.stringify(reason);
}

interface ArmedTimer {
  readonly key: string;
  readonly due: number;
  end: number;
  fired: boolean;
}

/** Runs a scenario on our runtime. */
export async function runOurs(sc: Scenario): Promise<Run> {
  const clock = new SimulatedClock({ start: 0 });
  const rt = new Runtime({ clock });
  const lines: string[] = [];
  const timers: ArmedTimer[] = [];
  const live = new Map<string, ArmedTimer>();
  const instants: number[] = [];
  // The exit is taken from the trace: the initial enter call runs inside start, so the machine can end there.
  let exitReason: ExitReason | null = null;
  const unsubscribe = rt.trace.subscribe((e) => {
    const now = clock.now();
    if (e.kind === 'exit') exitReason = e.reason;
    else if (e.kind === 'timer_start' && e.at > now) {
      const key = `${e.timer.kind}:${e.timer.name ?? ''}`;
      const t: ArmedTimer = { key, due: e.at, end: Infinity, fired: false };
      timers.push(t);
      live.set(key, t);
    } else if (e.kind === 'timer_cancel' || e.kind === 'timer_fire') {
      const key = `${e.timer.kind}:${e.timer.name ?? ''}`;
      const t = live.get(key);
      if (t !== undefined) {
        t.end = now;
        t.fired = e.kind === 'timer_fire';
        live.delete(key);
      }
    }
  });
  try {
    const started = rt.start(machineOf(sc.program, lines), undefined);
    if (!started.ok) throw new Error(`start failed: ${JSON.stringify(started.reason)}`);
    const pid = started.pid;
    const replies: { id: string; value: string }[] = [];
    let now = 0;
    instants.push(0);
    for (const st of sc.script) {
      switch (st.s) {
        case 'call': {
          const rec = { id: st.id, value: 'none' };
          replies.push(rec);
          rt.call(pid, { type: 'req', content: st.content }, Infinity).then(
            (v) => {
              rec.value = showTerm(v);
            },
            () => {
              rec.value = 'error';
            },
          );
          break;
        }
        case 'cast':
          rt.cast(pid, st.content);
          break;
        case 'info':
          rt.send(pid, st.content);
          break;
        case 'advance':
          await clock.advance(st.units * UNIT_MS);
          now += st.units;
          instants.push(now);
          break;
        case 'stop':
          await rt.stop(pid).catch(() => undefined);
          break;
      }
    }
    await clock.settle();
    const ended: ExitReason | null = exitReason;
    let final: string;
    if (pid.alive) {
      const { state, data } = rt.getState(pid);
      const d = data as Data;
      final = `final ${showTerm(state)} n=${d.n} log=${showTerm(d.log)} saved=${d.saved.length}`;
    } else final = `exit ${ended === null ? '?' : showReason(ended)}`;
    lines.push(...replies.map((r) => `reply ${r.id} ${r.value}`), final);
    if (pid.alive) rt.exit(pid, 'kill');
    await clock.settle();
    return { lines, hazards: hazards(timers, instants) };
  } finally {
    unsubscribe();
    clock[Symbol.dispose]();
  }
}

/**
 * Finds timers whose expiry falls within TIMING_MARGIN of another instant (a script instant or another timer's
 * expiry) while they were still armed: OTP, running on real time, could order those two either way.
 */
function hazards(timers: readonly ArmedTimer[], scriptInstants: readonly number[]): string[] {
  const out: string[] = [];
  const margin = TIMING_MARGIN * UNIT_MS;
  const fires = timers.filter((t) => t.fired);
  for (const t of timers) {
    if (t.end < t.due - margin) continue;
    for (const s of scriptInstants) {
      if (Math.abs(s * UNIT_MS - t.due) < margin)
        out.push(`${t.key} due at ${t.due / UNIT_MS} units is close to script instant ${s}`);
    }
    for (const f of fires) {
      if (f !== t && Math.abs(f.due - t.due) < margin)
        out.push(
          `${t.key} due at ${t.due / UNIT_MS} units is close to ${f.key} firing at ${f.due / UNIT_MS}`,
        );
    }
  }
  return out;
}
