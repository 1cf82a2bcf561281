// The differential scenario format: a data-driven gen_statem *program* plus a *script* of stimuli. The same JSON-able
// value is interpreted by OTP (test/differential/erlang/gov_diff.erl) and by our runtime (interpret.ts), and the two
// traces must be identical. States, contents, names and reasons are small atoms (lowercase identifiers) or
// integers, so both sides can express them.

/** An atom: a lowercase identifier (`idle`, `x1`, `go_on`). */
export type Atom = string;
/** A term both sides can express: an atom or an integer. */
export type Term = Atom | number;
/** A pattern: a term, or `'_'` for anything. */
export type Pattern = Term | '_';

/** Event types a rule can match; `timeout:<name>` matches the generic timeout `<name>` and `enter` an enter call. */
export type EventTypePattern =
  'call' | 'cast' | 'info' | 'internal' | 'timeout' | 'state_timeout' | `timeout:${string}` | 'enter' | '_';

/** Which timer a timeout action addresses. */
export type TimerSpec =
  { readonly kind: 'event' } | { readonly kind: 'state' } | { readonly kind: 'generic'; readonly name: Atom };

/** Transition actions. Times are in scenario units (see UNIT_MS); a time of 0 is a zero-time timeout. */
export type ActionSpec =
  /** Replies to the current call (skipped when the current event is not a call). */
  | { readonly a: 'reply'; readonly value: Term }
  /** Replies `value` to every call saved in the data (see the `save` data op); does not forget them. */
  | { readonly a: 'reply_saved'; readonly value: Term }
  | { readonly a: 'postpone' }
  | { readonly a: 'next_event'; readonly type: 'internal' | 'cast' | 'info'; readonly content: Term }
  | (TimerSpec & { readonly a: 'timeout'; readonly time: number | 'infinity'; readonly content: Term })
  | (TimerSpec & { readonly a: 'cancel' })
  | (TimerSpec & { readonly a: 'update'; readonly content: Term });

/**
 * Data operations, applied in order to the callback's input data by results that carry data (next_state,
 * keep_state, repeat_state, stop, stop_and_reply): `inc` adds 1 to the counter n, `log` appends the event content
 * (the old state for an enter call), `save` keeps the current call's `from`, `forget` drops every saved `from`.
 */
export type DataOp = 'inc' | 'log' | 'save' | 'forget';

/** What a rule returns. `actions` run in list order; `replies` of stop_and_reply are reply/reply_saved actions. */
export type ResultSpec =
  | {
      readonly r: 'next_state';
      readonly state: Atom;
      readonly ops?: readonly DataOp[];
      readonly actions?: readonly ActionSpec[];
    }
  | { readonly r: 'keep_state'; readonly ops?: readonly DataOp[]; readonly actions?: readonly ActionSpec[] }
  | { readonly r: 'keep_state_and_data'; readonly actions?: readonly ActionSpec[] }
  | { readonly r: 'repeat_state'; readonly ops?: readonly DataOp[]; readonly actions?: readonly ActionSpec[] }
  | { readonly r: 'repeat_state_and_data'; readonly actions?: readonly ActionSpec[] }
  | { readonly r: 'stop'; readonly reason: Atom; readonly ops?: readonly DataOp[] }
  | {
      readonly r: 'stop_and_reply';
      readonly reason: Atom;
      readonly replies: readonly ActionSpec[];
      readonly ops?: readonly DataOp[];
    };

/** A rule: the first rule whose patterns (and guard on the counter n) match decides the result. */
export interface Rule {
  readonly state: Pattern;
  readonly type: EventTypePattern;
  readonly content: Pattern;
  /** Matches only while n < nBelow. */
  readonly nBelow?: number;
  /** Matches only while n >= nAtLeast. */
  readonly nAtLeast?: number;
  readonly result: ResultSpec;
}

/** A data-driven machine (callback mode handle_event_function; state_enter when `stateEnter`). */
export interface Program {
  readonly init: { readonly state: Atom; readonly n?: number; readonly actions?: readonly ActionSpec[] };
  readonly stateEnter: boolean;
  /** Rules in priority order. When none matches the callback returns keep_state_and_data. */
  readonly rules: readonly Rule[];
}

/** One script step. Steps between two `advance`s happen at the same instant. */
export type Step =
  /** An asynchronous call (the script does not wait); its reply is reported under `id`. */
  | { readonly s: 'call'; readonly id: Atom; readonly content: Term }
  | { readonly s: 'cast'; readonly content: Term }
  | { readonly s: 'info'; readonly content: Term }
  /** Moves time forward by `units` (may be fractional; see the timing rule in docs/runtime/semantics.md). */
  | { readonly s: 'advance'; readonly units: number }
  /** gen_statem:stop(Pid) / rt.stop(pid), waiting until the machine has stopped. */
  | { readonly s: 'stop' };

/** A named scenario. */
export interface Scenario {
  /** Unique name: lowercase letters, digits and underscores; says what the scenario pins. */
  readonly name: string;
  readonly program: Program;
  readonly script: readonly Step[];
  /** Optional expectations checked against our trace (so a scenario pins its rule even without erl). */
  readonly expect?: {
    /** Lines that must appear in the trace, in this order (not necessarily adjacent). */
    readonly lines?: readonly string[];
  };
}

/** Real milliseconds per scenario time unit on the OTP side (virtual on ours). */
export const UNIT_MS = 160;
/** Invocations of the callback after which both interpreters stop the machine with reason `budget`. */
export const CALLBACK_BUDGET = 60;
/**
 * Minimum distance, in units, between a timer's expiry and any other event (script instant or timer expiry) while
 * that timer is armed, so that OTP's real-time ordering is deterministic.
 */
export const TIMING_MARGIN = 0.2;

const ATOM = /^[a-z][a-z0-9_]*$/;

/** Checks a scenario's shape; returns the problems found (empty when fine). */
export function validateScenario(sc: Scenario): string[] {
  const problems: string[] = [];
  const atom = (v: unknown, where: string) => {
    if (typeof v !== 'string' || !ATOM.test(v)) problems.push(`${where}: ${String(v)} is not an atom`);
  };
  const term = (v: unknown, where: string) => {
    if (typeof v === 'number') {
      if (!Number.isInteger(v)) problems.push(`${where}: ${v} is not an integer`);
    } else atom(v, where);
  };
  const pattern = (v: unknown, where: string) => {
    if (v !== '_') term(v, where);
  };
  const actions = (list: readonly ActionSpec[] | undefined, where: string) => {
    for (const [i, a] of (list ?? []).entries()) {
      const w = `${where}.actions[${i}]`;
      if ('kind' in a && a.kind === 'generic') atom(a.name, `${w}.name`);
      if (a.a === 'timeout' && a.time !== 'infinity' && !(Number.isInteger(a.time) && a.time >= 0))
        problems.push(`${w}: time must be a whole number of units >= 0 or 'infinity'`);
      if ('content' in a) term(a.content, `${w}.content`);
      if ('value' in a) term(a.value, `${w}.value`);
    }
  };
  if (!ATOM.test(sc.name)) problems.push(`name ${sc.name} is not an atom`);
  atom(sc.program.init.state, 'init.state');
  actions(sc.program.init.actions, 'init');
  for (const [i, r] of sc.program.rules.entries()) {
    const w = `rules[${i}]`;
    pattern(r.state, `${w}.state`);
    pattern(r.content, `${w}.content`);
    if (r.type.startsWith('timeout:')) atom(r.type.slice(8), `${w}.type`);
    if ('state' in r.result) atom(r.result.state, `${w}.result.state`);
    if ('reason' in r.result) atom(r.result.reason, `${w}.result.reason`);
    if ('actions' in r.result) actions(r.result.actions, w);
    if (r.result.r === 'stop_and_reply') actions(r.result.replies, `${w}.replies`);
  }
  const ids = new Set<string>();
  for (const [i, st] of sc.script.entries()) {
    if (st.s === 'call') {
      atom(st.id, `script[${i}].id`);
      if (ids.has(st.id)) problems.push(`script[${i}]: duplicate call id ${st.id}`);
      ids.add(st.id);
    }
    if ('content' in st) term(st.content, `script[${i}].content`);
    if (st.s === 'advance' && !(st.units > 0)) problems.push(`script[${i}]: advance must be > 0`);
  }
  return problems;
}

/** Renders a scenario as an Erlang term for file:consult: objects become maps with atom keys, strings atoms. */
export function toErlang(value: unknown): string {
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (typeof value === 'number') {
    if (Number.isInteger(value)) return String(value);
    if (!Number.isFinite(value)) throw new TypeError(`cannot render ${value}`);
    return value.toFixed(6);
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value === null || value === undefined) return 'undefined';
  if (Array.isArray(value)) return `[${value.map(toErlang).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `#{${entries.map(([k, v]) => `${toErlang(k)} => ${toErlang(v)}`).join(',')}}`;
  }
  throw new TypeError(`cannot render ${typeof value}`);
}

/** Formats a term the way the Erlang side prints it with ~w. */
export function showTerm(t: unknown): string {
  if (Array.isArray(t)) return `[${t.map(showTerm).join(',')}]`;
  return String(t);
}
