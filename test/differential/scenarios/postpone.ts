// Postpone and next_event: queue order on state changes (GS-31, GS-32, GS-40..GS-43, §1.5 steps 3-5).
import type { Scenario } from '../scenario.js';
import {
  adv,
  call,
  cast,
  info,
  keep,
  keepData,
  logAll,
  ne,
  next,
  on,
  postponeA,
  program,
  replyA,
  repeat,
  scenario,
} from './dsl.js';

export const postponeScenarios: Scenario[] = [
  scenario(
    'postpone_requeued_oldest_first_on_state_change',
    program('a', [on('a', 'cast', 'go', next('b')), on('a', '_', '_', keepData(postponeA)), logAll]),
    [cast(1), cast(2), info(3), cast('go'), cast(4)],
    ['final b n=0 log=[1,2,3,4] saved=0'],
  ),
  scenario(
    'postpone_not_retried_by_keep_state',
    program('a', [
      on('a', 'cast', 'k', keep(['inc'])),
      on('a', 'cast', 'go', next('b')),
      on('a', '_', '_', keepData(postponeA)),
      logAll,
    ]),
    [cast(1), cast('k'), cast('k'), adv(1.5), cast('go')],
    ['a cast k n=0 -> r0', 'a cast k n=1 -> r0', 'b cast 1 n=2 -> r3'],
  ),
  scenario(
    'postpone_not_retried_by_same_state_next_state',
    program('a', [
      on('a', 'cast', 'same', next('a', [], ['inc'])),
      on('a', 'cast', 'go', next('b')),
      on('a', '_', '_', keepData(postponeA)),
      logAll,
    ]),
    [cast(1), cast('same'), cast(2), cast('same'), cast('go')],
    ['b cast 1 n=2 -> r3', 'b cast 2 n=2 -> r3'],
  ),
  scenario(
    'postpone_not_retried_by_repeat_state',
    program(
      'a',
      [
        on('a', 'enter', '_', keep(['log'])),
        on('a', 'cast', 'again', repeat(['inc'])),
        on('a', 'cast', 'go', next('b')),
        on('a', '_', '_', keepData(postponeA)),
        on('b', 'enter', '_', keepData()),
        logAll,
      ],
      { stateEnter: true },
    ),
    [cast(1), cast('again'), cast('go')],
    ['a enter a n=1 -> r0', 'b cast 1 n=1 -> r5', 'final b n=1 log=[a,a,1] saved=0'],
  ),
  scenario(
    'postponed_retried_ahead_of_queued_events',
    program('a', [
      on('a', 'cast', 'go', next('b')),
      on('a', 'cast', 'x', keepData(postponeA)),
      on('a', '_', '_', keep(['log'])),
      logAll,
    ]),
    [cast('x'), cast(1), cast('x'), cast('go'), cast(2), info(3)],
    ['final b n=0 log=[1,x,x,2,3] saved=0'],
  ),
  scenario(
    'next_events_ahead_of_postponed_in_list_order',
    program('a', [
      on('a', 'cast', 'go', next('b', [ne('internal', 'i1'), ne('cast', 'i2'), ne('info', 'i3')])),
      on('a', '_', '_', keepData(postponeA)),
      logAll,
    ]),
    [cast('p1'), cast('p2'), cast('go'), cast('m1')],
    ['final b n=0 log=[i1,i2,i3,p1,p2,m1] saved=0'],
  ),
  scenario(
    'next_events_ahead_of_queued_without_state_change',
    program('a', [
      on('a', 'cast', 'go', keepData(ne('internal', 'i1'), ne('internal', 'i2'))),
      on('a', 'internal', 'i1', keepData(ne('internal', 'j1'))),
      logAll,
    ]),
    [cast('go'), cast('m1'), cast('m2')],
    ['a internal i1 n=0 -> r1', 'a internal j1 n=0 -> r2', 'a internal i2 n=0 -> r2'],
  ),
  scenario(
    'postponed_again_in_new_state_until_next_change',
    program('a', [
      on('a', 'cast', 'go', next('b')),
      on('b', 'cast', 'go', next('c')),
      on('a', 'cast', 'x', keepData(postponeA)),
      on('b', 'cast', 'x', keep(['inc'], [postponeA])),
      logAll,
    ]),
    [cast('x'), cast('go'), cast('y'), cast('go'), cast('z')],
    ['b cast x n=0 -> r3', 'b cast y n=1 -> r4', 'c cast x n=1 -> r4'],
  ),
  scenario(
    'postponed_call_replied_after_state_change',
    program('a', [
      on('a', 'call', 'get', keepData(postponeA)),
      on('a', 'cast', 'go', next('b')),
      on('b', 'call', 'get', keepData(replyA('from_b'))),
    ]),
    [call('c1', 'get'), adv(0.5), cast('go')],
    ['reply c1 from_b'],
  ),
  scenario(
    'calls_postponed_across_several_state_changes',
    program('a', [
      on('a', 'cast', 'go', next('b')),
      on('b', 'cast', 'go', next('c')),
      on('c', 'call', '_', keep(['log'], [replyA('done')])),
      on('_', 'call', '_', keep(['inc'], [postponeA])),
    ]),
    [call('c1', 1), call('c2', 2), cast('go'), call('c3', 3), cast('go')],
    ['reply c1 done', 'reply c2 done', 'reply c3 done', 'final c n=5 log=[1,2,3] saved=0'],
  ),
  scenario(
    'init_next_event_before_mailbox_and_postpone_ignored',
    program('a', [on('a', 'internal', 'boot', next('b', [ne('internal', 'boot2')])), logAll], {
      actions: [ne('internal', 'boot'), { a: 'postpone' }],
    }),
    [cast(1)],
    ['a internal boot n=0 -> r0', 'b internal boot2 n=0 -> r1', 'b cast 1 n=0 -> r1'],
  ),
  scenario(
    'postpone_and_next_event_in_one_transition',
    program('a', [
      on('a', 'cast', 'x', next('b', [postponeA, ne('internal', 'i')])),
      on('b', 'internal', 'i', keep(['log'])),
      on('b', 'cast', 'x', keep(['log'])),
      logAll,
    ]),
    [cast('x'), cast('m')],
    ['final b n=0 log=[i,x,m] saved=0'],
  ),
  scenario(
    'postpone_then_state_change_from_internal_event',
    program('a', [
      on('a', 'cast', 'x', keepData(postponeA, ne('internal', 'flip'))),
      on('a', 'internal', 'flip', next('b')),
      logAll,
    ]),
    [cast('x'), cast('m')],
    ['a internal flip n=0 -> r1', 'b cast x n=0 -> r2', 'b cast m n=0 -> r2'],
  ),
];
