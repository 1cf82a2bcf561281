// The operations of the durable model test and their fast-check arbitraries. Each operation prints as one short
// line (fast-check's toString hook), so a shrunk counterexample reads as a script: `call g1 arm 1d`, `crash …`.
import fc from 'fast-check';

/** Governors the test drives: `model/s/g0` … */
export const GOVERNORS = 4;

/** The gkey of governor `g`. */
export const gkeyOf = (g: number): string => `model/s/g${g}`;

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
/** One day in ms. */
export const DAY = 24 * HOUR;

/** A call as generated; `tick` gets its absolute slot (`now + period`) when it is first sent. */
export type CallSpec =
  | { readonly type: 'add'; readonly n: number }
  | { readonly type: 'arm'; readonly ms: number }
  | { readonly type: 'pause' }
  | { readonly type: 'resume' }
  | { readonly type: 'tick'; readonly period: number }
  | { readonly type: 'untick' };

/** A keyed command of a crash burst. */
export type BurstCmd =
  { readonly g: number; readonly call: CallSpec } | { readonly g: number; readonly bump: number };

/** One step of a generated run. */
export type Op =
  /** A keyed call (every command that changes something carries a key, so it can be retried after a crash). */
  | { readonly op: 'call'; readonly g: number; readonly call: CallSpec }
  /** A cast: `by` 0 is a no-op cast (a step that changes nothing); unkeyed ones are awaited before any crash. */
  | { readonly op: 'cast'; readonly g: number; readonly by: number; readonly keyed: boolean }
  /** An unkeyed `get` (answered in every state, so never in flight at a crash). */
  | { readonly op: 'get'; readonly g: number }
  /** Sends an earlier keyed command again, same key and content (`pick` modulo the keyed commands so far). */
  | { readonly op: 'retry'; readonly pick: number }
  | { readonly op: 'advance'; readonly ms: number }
  | { readonly op: 'passivate'; readonly g: number }
  | { readonly op: 'passivateAll' }
  /** Clean close, `downMs` with no host running, reopen. */
  | { readonly op: 'restart'; readonly downMs: number }
  /**
   * Sends `burst` without waiting; `commits` more transactions reach the store, then the power goes (the one that
   * meets the cut lands unacknowledged when `lostAck`); the host is abandoned, `downMs` pass, a new host opens.
   */
  | {
      readonly op: 'crash';
      readonly burst: readonly BurstCmd[];
      readonly commits: number;
      readonly lostAck: boolean;
      readonly downMs: number;
    };

/** `1d2h`, `90s`, `0ms`. */
export function fmtMs(ms: number): string {
  if (ms === 0) return '0ms';
  const parts: string[] = [];
  let left = ms;
  for (const [unit, size] of [
    ['d', DAY],
    ['h', HOUR],
    ['m', MINUTE],
    ['s', SECOND],
    ['ms', 1],
  ] as const) {
    if (left >= size) {
      parts.push(`${Math.floor(left / size)}${unit}`);
      left %= size;
    }
  }
  return parts.join('');
}

function fmtCall(c: CallSpec): string {
  switch (c.type) {
    case 'add':
      return `add ${c.n}`;
    case 'arm':
      return `arm ${fmtMs(c.ms)}`;
    case 'tick':
      return `tick every ${fmtMs(c.period)}`;
    default:
      return c.type;
  }
}

function fmtBurst(b: BurstCmd): string {
  return 'call' in b ? `g${b.g} ${fmtCall(b.call)}` : `g${b.g} bump ${b.bump}`;
}

/** One line per operation. */
export function describeOp(o: Op): string {
  switch (o.op) {
    case 'call':
      return `call g${o.g} ${fmtCall(o.call)}`;
    case 'cast':
      return `cast g${o.g} ${o.by === 0 ? 'noop' : `bump ${o.by}`}${o.keyed ? ' (keyed)' : ''}`;
    case 'get':
      return `get g${o.g}`;
    case 'retry':
      return `retry #${o.pick}`;
    case 'advance':
      return `advance ${fmtMs(o.ms)}`;
    case 'passivate':
      return `passivate g${o.g}`;
    case 'passivateAll':
      return 'passivateAll';
    case 'restart':
      return `restart down ${fmtMs(o.downMs)}`;
    case 'crash':
      return `crash [${o.burst.map(fmtBurst).join(', ')}] after ${o.commits} commits${
        o.lostAck ? ' + 1 unacknowledged' : ''
      }, down ${fmtMs(o.downMs)}`;
  }
}

function printable<T extends Op>(arb: fc.Arbitrary<T>): fc.Arbitrary<Op> {
  return arb.map((o) => Object.assign({ ...o }, { [fc.toStringMethod]: () => describeOp(o) }));
}

const g = fc.integer({ min: 0, max: GOVERNORS - 1 });
/** 0 ms to 40 days, with the boundaries that matter (0, the scan horizon, a day, a month) more likely. */
const duration = fc.oneof(
  fc.constantFrom(0, 1, SECOND, MINUTE, HOUR, DAY, 7 * DAY, 30 * DAY, 40 * DAY),
  fc.integer({ min: 0, max: 40 * DAY }),
);
/** At least a day, so a 40-day advance fires at most 40 ticks per governor (each a committed step per side). */
const period = fc.oneof(fc.constantFrom(DAY, 7 * DAY, 30 * DAY), fc.integer({ min: DAY, max: 30 * DAY }));
const callSpec: fc.Arbitrary<CallSpec> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ type: fc.constant('add' as const), n: fc.integer({ min: 1, max: 9 }) }),
  },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('arm' as const), ms: duration }) },
  { weight: 2, arbitrary: fc.constant({ type: 'pause' as const }) },
  { weight: 2, arbitrary: fc.constant({ type: 'resume' as const }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('tick' as const), period }) },
  { weight: 1, arbitrary: fc.constant({ type: 'untick' as const }) },
);
const burstCmd: fc.Arbitrary<BurstCmd> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ g, call: callSpec }) },
  { weight: 1, arbitrary: fc.record({ g, bump: fc.integer({ min: 1, max: 9 }) }) },
);

/** One operation. */
export const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 30, arbitrary: printable(fc.record({ op: fc.constant('call' as const), g, call: callSpec })) },
  {
    weight: 8,
    arbitrary: printable(
      fc.record({
        op: fc.constant('cast' as const),
        g,
        by: fc.integer({ min: 0, max: 9 }),
        keyed: fc.boolean(),
      }),
    ),
  },
  { weight: 5, arbitrary: printable(fc.record({ op: fc.constant('get' as const), g })) },
  { weight: 8, arbitrary: printable(fc.record({ op: fc.constant('retry' as const), pick: fc.nat(99) })) },
  { weight: 20, arbitrary: printable(fc.record({ op: fc.constant('advance' as const), ms: duration })) },
  { weight: 6, arbitrary: printable(fc.record({ op: fc.constant('passivate' as const), g })) },
  { weight: 3, arbitrary: printable(fc.constant({ op: 'passivateAll' as const })) },
  {
    weight: 5,
    arbitrary: printable(
      fc.record({ op: fc.constant('restart' as const), downMs: fc.oneof(fc.constant(0), duration) }),
    ),
  },
  {
    weight: 10,
    arbitrary: printable(
      fc.record({
        op: fc.constant('crash' as const),
        burst: fc.array(burstCmd, { minLength: 1, maxLength: 5 }),
        commits: fc.integer({ min: 0, max: 6 }),
        lostAck: fc.boolean(),
        downMs: fc.oneof(fc.constant(0), duration),
      }),
    ),
  },
);

/** A run: up to `maxLength` operations. */
export function programArb(maxLength: number): fc.Arbitrary<Op[]> {
  return fc.array(opArb, { minLength: 1, maxLength, size: 'medium' });
}
