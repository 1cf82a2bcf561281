// State enter calls (GS-13, GS-14): when they run, what they may return, their actions.
import type { Scenario } from '../scenario.js';
import {
  adv,
  call,
  cast,
  genTo,
  keep,
  keepData,
  logAll,
  ne,
  next,
  on,
  postponeA,
  program,
  repeat,
  repeatData,
  replySaved,
  scenario,
  stTo,
  stopR,
  evTo,
} from './dsl.js';

const enterLog = on('_', 'enter', '_', keep(['log', 'inc']));

export const enterScenarios: Scenario[] = [
  scenario(
    'enter_call_on_initial_state_with_old_state_equal',
    program('a', [enterLog, logAll], { stateEnter: true }),
    [cast(1)],
    ['init a n=0', 'a enter a n=0 -> r0', 'a cast 1 n=1 -> r1'],
  ),
  scenario(
    'enter_call_on_state_change_gets_old_state',
    program('a', [enterLog, on('a', 'cast', 'go', next('b')), logAll], { stateEnter: true }),
    [cast('go'), cast(1)],
    ['b enter a n=1 -> r0', 'final b n=2 log=[a,a,1] saved=0'],
  ),
  scenario(
    'no_enter_call_on_same_state_next_state_or_keep_state',
    program(
      'a',
      [enterLog, on('a', 'cast', 'same', next('a')), on('a', 'cast', 'k', keep(['inc'])), logAll],
      {
        stateEnter: true,
      },
    ),
    [cast('same'), cast('k'), cast(1)],
    ['final a n=2 log=[a,1] saved=0'],
  ),
  scenario(
    'enter_call_on_repeat_state_and_repeat_state_and_data',
    program('a', [enterLog, on('a', 'cast', 'r', repeat()), on('a', 'cast', 'rd', repeatData()), logAll], {
      stateEnter: true,
    }),
    [cast('r'), cast('rd')],
    ['a enter a n=1 -> r0', 'a enter a n=2 -> r0', 'final a n=3 log=[a,a,a] saved=0'],
  ),
  scenario(
    'enter_call_actions_set_state_and_event_timeouts',
    program(
      'a',
      [
        on('b', 'enter', '_', keepData(stTo(2, 'st'), evTo(1, 'ev'))),
        on('a', 'cast', 'go', next('b')),
        on('_', 'enter', '_', keepData()),
        logAll,
      ],
      { stateEnter: true },
    ),
    [cast('go'), adv(2.5)],
    ['b timeout ev n=0 -> r3', 'b state_timeout st n=0 -> r3'],
  ),
  scenario(
    'enter_call_zero_state_timeout_after_next_events',
    program(
      'a',
      [
        on('b', 'enter', '_', keepData(stTo(0, 'st0'))),
        on('a', 'cast', 'go', next('b', [ne('internal', 'i')])),
        on('_', 'enter', '_', keepData()),
        logAll,
      ],
      { stateEnter: true },
    ),
    [cast('go'), cast('m')],
    ['final b n=0 log=[i,st0,m] saved=0'],
  ),
  scenario(
    'enter_call_state_timeout_overrides_transition_state_timeout',
    program(
      'a',
      [
        on('b', 'enter', '_', keepData(stTo(3, 'from_enter'))),
        on('a', 'cast', 'go', next('b', [stTo(1, 'from_transition'), genTo('g', 2, 'gen')])),
        on('_', 'enter', '_', keepData()),
        logAll,
      ],
      { stateEnter: true },
    ),
    [cast('go'), adv(3.5)],
    ['final b n=0 log=[gen,from_enter] saved=0'],
  ),
  scenario(
    'reply_from_enter_call_of_next_state',
    program(
      'a',
      [
        on('a', 'call', 'wait', keep(['save'])),
        on('a', 'cast', 'go', next('b')),
        on('b', 'enter', '_', keep(['forget'], [replySaved('entered_b')])),
        on('_', 'enter', '_', keepData()),
      ],
      { stateEnter: true },
    ),
    [call('c1', 'wait'), call('c2', 'wait'), cast('go')],
    ['reply c1 entered_b', 'reply c2 entered_b', 'final b n=0 log=[] saved=0'],
  ),
  scenario(
    'enter_call_repeat_state_loop_bounded_by_data',
    program(
      'a',
      [on('a', 'enter', '_', repeat(['inc']), { nBelow: 3 }), on('a', 'enter', '_', keep(['log'])), logAll],
      { stateEnter: true },
    ),
    [cast(1)],
    ['a enter a n=2 -> r0', 'a enter a n=3 -> r1', 'final a n=3 log=[a,1] saved=0'],
  ),
  scenario(
    'enter_call_changing_state_crashes',
    program(
      'a',
      [on('a', 'cast', 'go', next('b')), on('b', 'enter', '_', next('c')), on('_', 'enter', '_', keepData())],
      {
        stateEnter: true,
      },
    ),
    [cast('go'), call('c1', 'x')],
    ['reply c1 error', 'exit crash:bad_state_enter_return_from_state_function'],
  ),
  scenario(
    'enter_call_same_state_next_state_is_allowed',
    program(
      'a',
      [
        on('a', 'cast', 'go', next('b')),
        on('b', 'enter', '_', next('b', [], ['inc'])),
        on('_', 'enter', '_', keepData()),
      ],
      {
        stateEnter: true,
      },
    ),
    [cast('go'), cast(1)],
    ['final b n=1 log=[] saved=0'],
  ),
  scenario(
    'enter_call_postpone_crashes',
    program(
      'a',
      [
        on('a', 'cast', 'go', next('b')),
        on('b', 'enter', '_', keepData(postponeA)),
        on('_', 'enter', '_', keepData()),
      ],
      {
        stateEnter: true,
      },
    ),
    [cast('go')],
    ['exit crash:bad_state_enter_action_from_state_function'],
  ),
  scenario(
    'enter_call_next_event_crashes',
    program(
      'a',
      [
        on('a', 'cast', 'go', next('b')),
        on('b', 'enter', '_', keepData(ne('internal', 'i'))),
        on('_', 'enter', '_', keepData()),
      ],
      {
        stateEnter: true,
      },
    ),
    [cast('go')],
    ['exit crash:bad_state_enter_action_from_state_function'],
  ),
  scenario(
    'enter_call_stop',
    program(
      'a',
      [
        on('a', 'cast', 'go', next('b')),
        on('b', 'enter', '_', stopR('bye')),
        on('_', 'enter', '_', keepData()),
      ],
      {
        stateEnter: true,
      },
    ),
    [cast('go'), adv(0.5), call('c1', 'x')],
    ['reply c1 error', 'exit bye'],
  ),
  scenario(
    'postponed_retried_after_enter_call_of_new_state',
    program(
      'a',
      [
        on('_', 'enter', '_', keep(['log'])),
        on('a', 'cast', 'go', next('b')),
        on('a', 'cast', '_', keepData(postponeA)),
        logAll,
      ],
      { stateEnter: true },
    ),
    [cast(1), cast('go'), cast(2)],
    ['final b n=0 log=[a,a,1,2] saved=0'],
  ),
];
