// Shared pieces of the benchmark harness: the result record, timing and statistics helpers, and the line protocol
// a suite worker uses to hand its figures back to bench/run.ts.

/** Which implementation a figure belongs to. */
export type Impl = 'governess' | 'xstate' | 'otp';

/** One measured figure; `value` is null when the implementation cannot run the workload (with a note why). */
export interface BenchResult {
  readonly suite: string;
  readonly name: string;
  readonly impl: Impl;
  readonly value: number | null;
  readonly unit: string;
  readonly note?: string;
}

/** What a suite function returns: figures keyed by metric name. */
export type Figures = Record<string, number>;

/** A target from the issue text: the governess figure must be `>=` or `<=` (`<` for strict) the value. */
export interface Target {
  readonly op: '>=' | '<=' | '<';
  readonly value: number;
}

/** A metric a suite reports. */
export interface MetricSpec {
  readonly name: string;
  readonly unit: string;
  readonly label: string;
  readonly target?: Target;
}

/** A suite: its metrics and one function per in-process implementation (OTP runs in bench/erlang/gov_bench.erl). */
export interface Suite {
  readonly id: string;
  readonly title: string;
  readonly metrics: readonly MetricSpec[];
  /** Why XState has no figure for this suite, when it has none. */
  readonly xstateMissing?: string;
  /** Why OTP has no figure for this suite, when it has none (bench/erlang/gov_bench.erl is then not run). */
  readonly otpMissing?: string;
  /**
   * The suite measures what a Governess service process does (ledger, durable host): its Governess worker runs
   * with the service's V8 settings (SERVICE_NODE_FLAGS, as `npm start`), the runtime suites with Node's defaults.
   */
  readonly serviceProcess?: boolean;
  governess(): Promise<Figures>;
  xstate?(): Promise<Figures>;
}

/** Prefix of a result line on a worker's stdout. */
export const RESULT_PREFIX = 'RESULT ';

/** Monotonic milliseconds (host time: benchmarks are exempt from the Clock rule). */
export function now(): number {
  return performance.now();
}

/** Runs a full garbage collection, twice so that weak and finalised objects go too. Needs --expose-gc. */
export function fullGc(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== 'function') throw new Error('run node with --expose-gc (npm run bench does this)');
  gc();
  gc();
}

/** Heap in use after a full GC, in bytes. */
export function heapAfterGc(): number {
  fullGc();
  return process.memoryUsage().heapUsed;
}

/** Median of a non-empty list. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** The p-th percentile (0..100) of values, nearest-rank. */
export function percentile(values: ArrayLike<number>, p: number): number {
  const s = Float64Array.from(values).sort();
  if (s.length === 0) return NaN;
  const rank = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[rank] as number;
}

/** Arithmetic mean. */
export function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i] as number;
  return sum / values.length;
}

/** Yields to the event loop once (a macrotask), so pending timers and immediates run. */
export function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Throws if a workload did not do what it should (keeps results consumed and checked). */
export function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(`benchmark self-check failed: ${what}`);
}
