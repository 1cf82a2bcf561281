// The environment knobs of the crash tests: GOV_CRASH_CYCLES (kills per store) and GOV_CRASH_SEED (replays a
// run's kill plan and workload).

/** The integer in environment variable `name`, `fallback` when unset; throws when it is not an integer >= `min`. */
export function intFromEnv(name: string, fallback: number, min: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min)
    throw new Error(`${name} must be an integer >= ${min}, not ${text}`);
  return n;
}
