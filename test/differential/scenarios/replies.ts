// Calls and replies (GS-35, GS-60..GS-62, GS-70): several replies, later states, stop_and_reply, stop.
import type { Scenario } from '../scenario.js';
import {
  adv,
  call,
  cast,
  keep,
  keepData,
  next,
  on,
  program,
  replyA,
  replySaved,
  scenario,
  stopReply,
  stopR,
  stopS,
  postponeA,
  repeat,
} from './dsl.js';

export const replyScenarios: Scenario[] = [
  scenario(
    'several_replies_in_one_transition',
    program('a', [
      on('a', 'call', 'wait', keep(['save'])),
      on('a', 'call', 'all', keep(['forget'], [replySaved('batch'), replyA('me')])),
    ]),
    [call('c1', 'wait'), call('c2', 'wait'), call('c3', 'all')],
    ['reply c1 batch', 'reply c2 batch', 'reply c3 me', 'final a n=0 log=[] saved=0'],
  ),
  scenario(
    'reply_from_a_later_state',
    program('a', [
      on('a', 'call', 'wait', next('b', [], ['save'])),
      on('b', 'cast', 'go', next('c')),
      on('c', 'cast', 'answer', keep(['forget'], [replySaved('late')])),
    ]),
    [call('c1', 'wait'), cast('go'), adv(1.5), cast('answer')],
    ['reply c1 late'],
  ),
  scenario(
    'stop_and_reply_replies_then_exits',
    program('a', [
      on('a', 'call', 'wait', keep(['save'])),
      on('a', 'call', 'quit', stopReply('done', [replySaved('bye'), replyA('ok')])),
    ]),
    [call('c1', 'wait'), call('c2', 'quit'), call('c3', 'late')],
    ['reply c1 bye', 'reply c2 ok', 'reply c3 error', 'exit done'],
  ),
  scenario(
    'stop_with_pending_calls_fails_them',
    program('a', [on('a', 'call', 'wait', keep(['save'])), on('a', 'cast', 'die', stopR('gone'))]),
    [call('c1', 'wait'), cast('die')],
    ['reply c1 error', 'exit gone'],
  ),
  scenario(
    'unreplied_call_stays_pending',
    program('a', [on('a', 'call', '_', keep(['inc']))]),
    [call('c1', 'x')],
    ['reply c1 none', 'final a n=1 log=[] saved=0'],
  ),
  scenario(
    'script_stop_ends_machine_normally_and_fails_later_calls',
    program('a', [on('a', 'call', '_', keepData(replyA('ok')))]),
    [call('c1', 'x'), adv(0.5), stopS, call('c2', 'y')],
    ['reply c1 ok', 'reply c2 error', 'exit normal'],
  ),
  scenario(
    'stop_is_processed_after_earlier_mailbox_messages',
    program('a', [on('a', 'call', '_', keep(['log'], [replyA('ok')]))]),
    [call('c1', 1), call('c2', 2), stopS],
    ['reply c1 ok', 'reply c2 ok', 'exit normal'],
  ),
  scenario(
    'keep_state_vs_repeat_state_for_postponed_calls',
    program(
      'a',
      [
        on('a', 'enter', '_', keep(['inc'])),
        on('a', 'cast', 'r', repeat()),
        on('a', 'cast', 'go', next('b')),
        on('a', 'call', '_', keepData(postponeA)),
        on('b', 'call', '_', keepData(replyA('in_b'))),
        on('_', 'enter', '_', keepData()),
      ],
      { stateEnter: true },
    ),
    [call('c1', 'x'), cast('r'), cast('r'), adv(0.5), cast('go')],
    ['reply c1 in_b', 'final b n=3 log=[] saved=0'],
  ),
];
