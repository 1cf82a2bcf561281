// Load generators of the durable suites: a closed loop (a fixed number of calls in flight, each caller sends its
// next call when the previous reply arrives) and an open loop (calls sent on a fixed schedule kept by the clock,
// whatever the replies do, so a slow reply cannot hold back the next send and hide its own delay).
import type { DurableHost } from '../../src/durable/index.js';
import type { Clock, TimerTarget } from '../../src/runtime/index.js';
import { check, now } from '../common.js';
import { benchGkey } from './machine.js';

let keySerial = 0;

/** A keyed `add` of 1 to governor `i`: the key is new for every call, so every call is one committed step. */
export function keyedAdd(host: DurableHost, i: number): Promise<unknown> {
  return host.call(benchGkey(i), { type: 'add', n: 1 }, { idempotencyKey: `k${keySerial++}` });
}

/** What a closed loop did: calls completed and the time they took. */
export interface LoopResult {
  readonly calls: number;
  readonly ms: number;
}

/**
 * Runs `send(j)` for j = 0..n-1 with `inFlight` calls outstanding at a time; no call is started after
 * `maxMs` (the calls in flight then finish), so a slow store ends the run early instead of past the worker's
 * time limit.
 */
export async function closedLoop(
  n: number,
  inFlight: number,
  send: (j: number) => Promise<unknown>,
  maxMs = Infinity,
): Promise<LoopResult> {
  let next = 0;
  const t0 = now();
  const caller = async (): Promise<void> => {
    while (next < n && now() - t0 < maxMs) await send(next++);
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, n) }, caller));
  return { calls: next, ms: now() - t0 };
}

/**
 * Sends `send(j)` for j = 0..total-1, the j-th due at t0 + j/rate seconds, from clock timers; returns each
 * call's latency in ms from its scheduled send time (not the time the timer got to send it) to its reply.
 */
export async function openLoop(
  clock: Clock,
  rate: number,
  total: number,
  send: (j: number) => Promise<unknown>,
): Promise<Float64Array> {
  const lat = new Float64Array(total);
  const pending: Promise<void>[] = [];
  const t0 = clock.now();
  const dueAt = (j: number): number => t0 + (j * 1000) / rate;
  let sent = 0;
  await new Promise<void>((resolve) => {
    const ticker: TimerTarget = {
      onTimer: () => {
        const t = clock.now();
        while (sent < total && dueAt(sent) <= t) {
          const j = sent++;
          const due = dueAt(j);
          pending.push(send(j).then(() => void (lat[j] = clock.now() - due)));
        }
        if (sent < total) clock.schedule(dueAt(sent), ticker, 0);
        else resolve();
      },
    };
    clock.schedule(t0, ticker, 0);
  });
  await Promise.all(pending);
  return lat;
}

/** The numbers 0..n-1 in random order (Fisher-Yates). */
export function shuffled(n: number): Int32Array {
  const a = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    const t = a[i] as number;
    a[i] = a[j] as number;
    a[j] = t;
  }
  return a;
}

/** Durable steps committed so far by `host` (the figure the throughput loop divides by time). */
export function stepsOf(host: DurableHost): number {
  return host.stats().stepsCommitted;
}

/** Checks a loop committed exactly one step per call. */
export function checkSteps(host: DurableHost, before: number, calls: number): void {
  const steps = stepsOf(host) - before;
  check(steps === calls, `${calls} calls committed ${steps} steps`);
}
