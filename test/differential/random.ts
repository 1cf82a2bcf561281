// Random programs and scripts for the differential property. Sizes are bounded, every machine is stopped by the
// interpreters' callback budget if it loops, and script instants use distinct fractional parts (0, .5, .25, .75)
// so timers started by different batches never expire together; the rest of the timing hazards are found by
// running the scenario on our side first (see interpret.ts) and such scenarios are discarded.
import fc from 'fast-check';
import type {
  ActionSpec,
  DataOp,
  EventTypePattern,
  Pattern,
  Program,
  ResultSpec,
  Rule,
  Scenario,
  Step,
  Term,
} from './scenario.js';

const STATES = ['a', 'b', 'c'] as const;
const CONTENTS: Term[] = ['x', 'y', 1, 2];
const NAMES = ['g1', 'g2'] as const;

const content = fc.constantFrom<Term>(...CONTENTS);
const state = fc.constantFrom(...STATES);
const time = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 3 }) },
  { weight: 2, arbitrary: fc.constant(0) },
  { weight: 1, arbitrary: fc.constant<'infinity'>('infinity') },
);
const timer = fc.oneof(
  fc.constant({ kind: 'event' as const }),
  fc.constant({ kind: 'state' as const }),
  fc.constantFrom(...NAMES).map((name) => ({ kind: 'generic' as const, name })),
);

/** Actions allowed in enter calls (GS-14): replies and timeout actions. */
const enterAction: fc.Arbitrary<ActionSpec> = fc.oneof(
  { weight: 1, arbitrary: content.map((value): ActionSpec => ({ a: 'reply_saved', value })) },
  {
    weight: 3,
    arbitrary: fc
      .tuple(timer, time, content)
      .map(([t, tm, c]): ActionSpec => ({ a: 'timeout', ...t, time: tm, content: c })),
  },
  { weight: 1, arbitrary: timer.map((t): ActionSpec => ({ a: 'cancel', ...t })) },
  {
    weight: 1,
    arbitrary: fc.tuple(timer, content).map(([t, c]): ActionSpec => ({ a: 'update', ...t, content: c })),
  },
);

const anyAction: fc.Arbitrary<ActionSpec> = fc.oneof(
  { weight: 4, arbitrary: enterAction },
  { weight: 2, arbitrary: content.map((value): ActionSpec => ({ a: 'reply', value })) },
  { weight: 2, arbitrary: fc.constant<ActionSpec>({ a: 'postpone' }) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom('internal' as const, 'cast' as const, 'info' as const), content)
      .map(([type, c]): ActionSpec => ({ a: 'next_event', type, content: c })),
  },
);

const ops: fc.Arbitrary<DataOp[]> = fc.subarray<DataOp>(['inc', 'log', 'save', 'forget']);

function results(enterSafe: boolean): fc.Arbitrary<ResultSpec> {
  const acts = fc.array(enterSafe ? enterAction : anyAction, { maxLength: 3 });
  const safe: fc.Arbitrary<ResultSpec>[] = [
    fc.tuple(ops, acts).map(([o, a]): ResultSpec => ({ r: 'keep_state', ops: o, actions: a })),
    acts.map((a): ResultSpec => ({ r: 'keep_state_and_data', actions: a })),
    fc.tuple(ops, acts).map(([o, a]): ResultSpec => ({ r: 'repeat_state', ops: o, actions: a })),
    acts.map((a): ResultSpec => ({ r: 'repeat_state_and_data', actions: a })),
  ];
  if (enterSafe) return fc.oneof(...safe);
  return fc.oneof(
    {
      weight: 12,
      arbitrary: fc
        .tuple(state, ops, acts)
        .map(([s, o, a]): ResultSpec => ({ r: 'next_state', state: s, ops: o, actions: a })),
    },
    { weight: 10, arbitrary: fc.oneof(...safe) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('done', 'normal').map((reason): ResultSpec => ({ r: 'stop', reason })),
    },
    {
      weight: 1,
      arbitrary: fc
        .array(
          content.chain((value) =>
            fc.constantFrom<ActionSpec>({ a: 'reply', value }, { a: 'reply_saved', value }),
          ),
          { minLength: 1, maxLength: 2 },
        )
        .map((replies): ResultSpec => ({ r: 'stop_and_reply', reason: 'done', replies })),
    },
  );
}

const eventType = fc.constantFrom<EventTypePattern>(
  'call',
  'cast',
  'info',
  'internal',
  'timeout',
  'state_timeout',
  'timeout:g1',
  'timeout:g2',
  'enter',
  '_',
);

const rule: fc.Arbitrary<Rule> = eventType.chain((type) => {
  const enterSafe = type === 'enter' || type === '_';
  const pat: fc.Arbitrary<Pattern> =
    type === 'enter'
      ? fc.constantFrom<Pattern>('_', ...STATES)
      : fc.oneof({ weight: 2, arbitrary: fc.constant<Pattern>('_') }, { weight: 3, arbitrary: content });
  return fc
    .record({
      state: fc.oneof({ weight: 1, arbitrary: fc.constant<Pattern>('_') }, { weight: 3, arbitrary: state }),
      content: pat,
      result: results(enterSafe),
      guard: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
    })
    .map(({ state: s, content: c, result, guard }): Rule =>
      guard === undefined
        ? { state: s, type, content: c, result }
        : { state: s, type, content: c, result, nBelow: guard },
    );
});

const program: fc.Arbitrary<Program> = fc
  .record({
    init: state,
    initActions: fc.array(anyAction, { maxLength: 2 }),
    stateEnter: fc.boolean(),
    rules: fc.array(rule, { minLength: 2, maxLength: 8 }),
    catchAll: fc.boolean(),
  })
  .map(({ init, initActions, stateEnter, rules, catchAll }) => ({
    init: { state: init, actions: initActions },
    stateEnter,
    rules: catchAll
      ? [...rules, { state: '_', type: '_', content: '_', result: { r: 'keep_state', ops: ['log'] } } as Rule]
      : rules,
  }));

const stimulus: fc.Arbitrary<Step> = fc.oneof(
  { weight: 2, arbitrary: content.map((c): Step => ({ s: 'cast', content: c })) },
  { weight: 1, arbitrary: content.map((c): Step => ({ s: 'info', content: c })) },
  { weight: 2, arbitrary: content.map((c): Step => ({ s: 'call', id: 'tmp', content: c })) },
);

/** Fractional parts of the batch instants after the first (which is at 0). */
const FRACTIONS = [0.5, 0.25, 0.75];

const script: fc.Arbitrary<Step[]> = fc
  .record({
    batches: fc.array(fc.array(stimulus, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 3 }),
    gaps: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 3, maxLength: 3 }),
    tail: fc.integer({ min: 0, max: 2 }),
    stopAtEnd: fc.boolean(),
  })
  .map(({ batches, gaps, tail, stopAtEnd }) => {
    const steps: Step[] = [];
    let now = 0;
    let calls = 0;
    batches.forEach((batch, i) => {
      if (i > 0) {
        const target = Math.floor(now) + (gaps[i] ?? 0) + 1 + (FRACTIONS[i - 1] as number);
        steps.push({ s: 'advance', units: target - now });
        now = target;
      }
      for (const st of batch) steps.push(st.s === 'call' ? { ...st, id: `c${++calls}` } : st);
    });
    // End observation at yet another fractional part so it never meets a timer started by a batch.
    const end = Math.floor(now) + tail + 1 + (FRACTIONS[batches.length - 1] as number);
    steps.push({ s: 'advance', units: end - now });
    if (stopAtEnd) steps.push({ s: 'stop' });
    return steps;
  });

/** A random scenario (named `rnd`; the test renames them uniquely). */
export function randomScenario(): fc.Arbitrary<Scenario> {
  return fc.record({ name: fc.constant('rnd'), program, script });
}
