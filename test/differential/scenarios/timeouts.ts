// Event, state and generic timeouts: what cancels them, zero-time ordering, cancel/update/infinity, last action
// wins (GS-30, GS-34, GS-50..GS-55, §1.5 step 6, §1.7).
import type { Scenario } from '../scenario.js';
import {
  adv,
  cancelEv,
  cancelGen,
  cancelSt,
  cast,
  evTo,
  genTo,
  info,
  keep,
  keepData,
  logAll,
  ne,
  next,
  on,
  postponeA,
  program,
  repeat,
  scenario,
  stTo,
  updEv,
  updGen,
  updSt,
} from './dsl.js';

export const timeoutScenarios: Scenario[] = [
  scenario(
    'event_timeout_fires_when_no_event_arrives',
    program('a', [on('a', 'cast', 'arm', keepData(evTo(2, 'ev'))), logAll]),
    [cast('arm'), adv(2.5)],
    ['a timeout ev n=0 -> r1'],
  ),
  scenario(
    'event_timeout_cancelled_by_any_external_event',
    program('a', [on('a', 'cast', 'arm', keepData(evTo(2, 'ev'))), logAll]),
    [cast('arm'), adv(1.5), info('poke'), adv(2)],
    ['final a n=0 log=[poke] saved=0'],
  ),
  scenario(
    'event_timeout_cancelled_by_inserted_event',
    program('a', [on('a', 'cast', 'arm', keepData(evTo(1, 'ev'), ne('internal', 'i'))), logAll]),
    [cast('arm'), adv(2.5)],
    ['final a n=0 log=[i] saved=0'],
  ),
  scenario(
    'event_timeout_cancelled_by_retried_postponed_event',
    program('a', [
      on('a', 'cast', 'go', next('b', [evTo(1, 'ev')])),
      on('a', '_', '_', keepData(postponeA)),
      logAll,
    ]),
    [cast('p'), cast('go'), adv(2.5)],
    ['final b n=0 log=[p] saved=0'],
  ),
  scenario(
    'event_timeout_cancelled_by_event_that_is_postponed',
    program('a', [
      on('a', 'cast', 'arm', keepData(evTo(2, 'ev'))),
      on('a', 'cast', 'p', keepData(postponeA)),
      logAll,
    ]),
    [cast('arm'), adv(1.5), cast('p'), adv(2)],
    ['a cast p n=0 -> r1', 'final a n=0 log=[] saved=0'],
  ),
  scenario(
    'event_timeout_zero_fires_before_mailbox',
    program('a', [on('a', 'cast', 'arm', keepData(evTo(0, 'ev0'))), logAll]),
    [cast('arm'), cast('m1'), info('m2')],
    ['final a n=0 log=[ev0,m1,m2] saved=0'],
  ),
  scenario(
    'event_timeout_zero_dropped_when_events_are_queued',
    program('a', [on('a', 'cast', 'arm', keepData(evTo(0, 'ev0'), ne('internal', 'i'))), logAll]),
    [cast('arm'), cast('m1')],
    ['final a n=0 log=[i,m1] saved=0'],
  ),
  scenario(
    'state_timeout_zero_after_inserted_events_before_mailbox',
    program('a', [on('a', 'cast', 'arm', keepData(stTo(0, 'st0'), ne('internal', 'i'))), logAll]),
    [cast('arm'), cast('m1')],
    ['final a n=0 log=[i,st0,m1] saved=0'],
  ),
  scenario(
    'state_timeout_zero_after_retried_postponed_events',
    program('a', [
      on('a', 'cast', 'go', next('b', [stTo(0, 'st0')])),
      on('a', '_', '_', keepData(postponeA)),
      logAll,
    ]),
    [cast('p1'), cast('p2'), cast('go'), cast('m1')],
    ['final b n=0 log=[p1,p2,st0,m1] saved=0'],
  ),
  scenario(
    'generic_timeout_zero_before_mailbox',
    program('a', [on('a', 'cast', 'arm', keepData(genTo('g', 0, 'g0'))), logAll]),
    [cast('arm'), cast('m1')],
    ['a timeout:g g0 n=0 -> r1', 'a cast m1 n=0 -> r1'],
  ),
  scenario(
    'zero_timeouts_of_one_transition_in_action_order',
    program('a', [
      on(
        'a',
        'cast',
        'arm',
        keepData(genTo('g', 0, 'g0'), stTo(0, 'st0'), genTo('h', 0, 'h0'), evTo(0, 'ev0')),
      ),
      logAll,
    ]),
    [cast('arm'), cast('m1')],
    ['final a n=0 log=[g0,st0,h0,m1] saved=0'],
  ),
  scenario(
    'event_timeout_cancelled_by_zero_state_timeout_event',
    program('a', [on('a', 'cast', 'arm', keepData(stTo(0, 'st0'), evTo(1, 'ev'))), logAll]),
    [cast('arm'), adv(2.5)],
    ['final a n=0 log=[st0] saved=0'],
  ),
  scenario(
    'state_timeout_survives_keep_state',
    program('a', [
      on('a', 'cast', 'arm', keepData(stTo(2, 'st'))),
      on('a', 'cast', 'k', keep(['inc'])),
      logAll,
    ]),
    [cast('arm'), adv(1.5), cast('k'), adv(1)],
    ['a state_timeout st n=1 -> r2'],
  ),
  scenario(
    'state_timeout_survives_same_state_next_state',
    program('a', [
      on('a', 'cast', 'arm', keepData(stTo(2, 'st'))),
      on('a', 'cast', 'same', next('a', [], ['inc'])),
      logAll,
    ]),
    [cast('arm'), adv(1.5), cast('same'), adv(1)],
    ['a state_timeout st n=1 -> r2'],
  ),
  scenario(
    'state_timeout_survives_repeat_state',
    program(
      'a',
      [
        on('a', 'enter', '_', keep(['log'])),
        on('a', 'cast', 'arm', keepData(stTo(2, 'st'))),
        on('a', 'cast', 'again', repeat(['inc'])),
        logAll,
      ],
      { stateEnter: true },
    ),
    [cast('arm'), adv(1.5), cast('again'), adv(1)],
    ['a enter a n=1 -> r0', 'a state_timeout st n=1 -> r3'],
  ),
  scenario(
    'state_timeout_cancelled_by_state_change',
    program('a', [on('a', 'cast', 'arm', keepData(stTo(2, 'st'))), on('a', 'cast', 'go', next('b')), logAll]),
    [cast('arm'), adv(1.5), cast('go'), adv(2)],
    ['final b n=0 log=[] saved=0'],
  ),
  scenario(
    'state_timeout_set_on_state_change_belongs_to_new_state',
    program('a', [
      on('a', 'cast', 'arm', keepData(stTo(1, 'old'))),
      on('a', 'cast', 'go', next('b', [stTo(2, 'new')])),
      logAll,
    ]),
    [cast('arm'), adv(0.5), cast('go'), adv(2.25)],
    ['b state_timeout new n=0 -> r2'],
  ),
  scenario(
    'generic_timeout_survives_state_changes',
    program('a', [
      on('a', 'cast', 'arm', keepData(genTo('g', 3, 'gen'))),
      on('a', 'cast', 'go', next('b')),
      on('b', 'cast', 'go', next('c')),
      logAll,
    ]),
    [cast('arm'), adv(1.5), cast('go'), adv(1), cast('go'), adv(1)],
    ['c timeout:g gen n=0 -> r3'],
  ),
  scenario(
    'generic_timeouts_with_different_names_are_independent',
    program('a', [
      on('a', 'cast', 'arm', keepData(genTo('g', 2, 'gg'), genTo('h', 3, 'hh'))),
      on('a', 'cast', 'drop', keepData(cancelGen('g'))),
      logAll,
    ]),
    [cast('arm'), adv(1.5), cast('drop'), adv(2)],
    ['final a n=0 log=[hh] saved=0'],
  ),
  scenario(
    'cancel_state_timeout',
    program('a', [
      on('a', 'cast', 'arm', keepData(stTo(2, 'st'))),
      on('a', 'cast', 'off', keepData(cancelSt)),
      logAll,
    ]),
    [cast('arm'), adv(1.5), cast('off'), adv(2)],
    ['final a n=0 log=[] saved=0'],
  ),
  scenario(
    'cancel_event_timeout_in_same_transition',
    program('a', [on('a', 'cast', 'arm', keepData(evTo(1, 'ev'), cancelEv)), logAll]),
    [cast('arm'), adv(2.5)],
    ['final a n=0 log=[] saved=0'],
  ),
  scenario(
    'infinity_cancels_running_state_and_generic_timeouts',
    program('a', [
      on('a', 'cast', 'arm', keepData(stTo(2, 'st'), genTo('g', 3, 'gen'))),
      on('a', 'cast', 'off', keepData(stTo('infinity', 'x'), genTo('g', 'infinity', 'x'))),
      logAll,
    ]),
    [cast('arm'), adv(1.5), cast('off'), adv(2.25)],
    ['final a n=0 log=[] saved=0'],
  ),
  scenario(
    'update_running_state_timeout_keeps_expiry',
    program('a', [
      on('a', 'cast', 'arm', keepData(stTo(3, 'old'))),
      on('a', 'cast', 'upd', keepData(updSt('new'))),
      logAll,
    ]),
    [cast('arm'), adv(1.5), cast('upd'), adv(1.75)],
    ['a state_timeout new n=0 -> r2'],
  ),
  scenario(
    'update_running_generic_timeout_survives_state_change',
    program('a', [
      on('a', 'cast', 'arm', keepData(genTo('g', 3, 'old'))),
      on('a', 'cast', 'upd', next('b', [updGen('g', 'new')])),
      logAll,
    ]),
    [cast('arm'), adv(1.5), cast('upd'), adv(1.75)],
    ['b timeout:g new n=0 -> r2'],
  ),
  scenario(
    'update_of_non_running_state_timeout_fires_at_once',
    program('a', [on('a', 'cast', 'upd', keepData(updSt('now'), ne('internal', 'i'))), logAll]),
    [cast('upd'), cast('m')],
    ['final a n=0 log=[i,now,m] saved=0'],
  ),
  scenario(
    'update_of_non_running_event_timeout_fires_at_once',
    program('a', [on('a', 'cast', 'upd', keepData(updEv('now'))), logAll]),
    [cast('upd'), cast('m')],
    ['final a n=0 log=[now,m] saved=0'],
  ),
  scenario(
    'update_after_cancel_in_one_transition_updates_the_running_timer',
    program('a', [
      on('a', 'cast', 'arm', keepData(genTo('g', 3, 'old'))),
      on('a', 'cast', 'upd', keepData(cancelGen('g'), updGen('g', 'now'))),
      logAll,
    ]),
    [cast('arm'), adv(1.5), cast('upd'), cast('m'), adv(2)],
    ['final a n=0 log=[m,now] saved=0'],
  ),
  scenario(
    'last_timeout_action_of_a_kind_wins',
    program('a', [
      on('a', 'cast', 'arm', keepData(stTo(1, 'first'), genTo('g', 2, 'g'), stTo(3, 'last'))),
      logAll,
    ]),
    [cast('arm'), adv(3.5)],
    ['final a n=0 log=[g,last] saved=0'],
  ),
  scenario(
    'last_action_wins_cancel_after_set_and_set_after_cancel',
    program('a', [
      on('a', 'cast', 'arm', keepData(stTo(1, 'st'), cancelSt, cancelGen('g'), genTo('g', 2, 'gen'))),
      logAll,
    ]),
    [cast('arm'), adv(2.5)],
    ['final a n=0 log=[gen] saved=0'],
  ),
  scenario(
    'setting_a_running_state_timeout_again_restarts_it',
    program('a', [on('a', 'cast', 'arm', keepData(stTo(2, 'st'))), logAll]),
    [cast('arm'), adv(1.5), cast('arm'), adv(1.25), info('probe'), adv(1)],
    ['final a n=0 log=[probe,st] saved=0'],
  ),
  scenario(
    'timeouts_set_by_init_actions',
    program('a', [logAll], { actions: [stTo(1, 'st'), genTo('g', 2, 'gen'), evTo(3, 'ev')] }),
    [adv(3.5)],
    ['final a n=0 log=[st,gen] saved=0'],
  ),
  scenario(
    'event_timeout_in_init_fires_when_idle',
    program('a', [logAll], { actions: [evTo(1, 'ev')] }),
    [adv(1.5)],
    ['final a n=0 log=[ev] saved=0'],
  ),
  scenario(
    'timer_chain_state_timeout_rearmed_from_its_own_event',
    program(
      'a',
      [on('a', 'state_timeout', '_', keep(['inc', 'log'], [stTo(1, 'tick')]), { nBelow: 3 }), logAll],
      { actions: [stTo(1, 'tick')] },
    ),
    [adv(4.5)],
    ['final a n=3 log=[tick,tick,tick,tick] saved=0'],
  ),
];
